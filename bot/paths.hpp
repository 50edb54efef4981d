// Where the advisor finds its shipped files (config/framework.json, config/knowledge.json).
#pragma once

#include <string>

namespace advisor::bot {

// The shipped config directory: $ADVISOR_CONFIG_DIR, else <prefix>/share/advisor/config
// next to the installed binary, else the source tree's config/ this binary was built from.
std::string config_dir();

std::string read_file(const std::string& path);  // throws std::runtime_error naming the file

}  // namespace advisor::bot
