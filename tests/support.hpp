// Helpers shared by the tests: a temporary directory that removes itself, and an advisor app
// opened on the shipped config files over a fresh data directory.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>

#include "bot/app.hpp"
#include "bot/paths.hpp"

namespace advisor::test {

class temp_dir {
 public:
  temp_dir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("advisor-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::string source_path(const std::string& relative) {
  return std::string(ADVISOR_SOURCE_DIR) + "/" + relative;
}

// The shipped default framework, parsed once.
inline const dialogue::framework& shipped_framework() {
  static const dialogue::framework fw = [] {
    std::string file = source_path("config/framework.json");
    return dialogue::parse_framework(bot::read_file(file), file);
  }();
  return fw;
}

// The shipped framework as a release might change it: `version`, its first question worded
// anew. Returns the document and the new wording.
inline std::pair<std::string, std::string> changed_framework(const std::string& version) {
  const std::string question = "Who is this decision for? (version " + version + ")";
  std::string text = bot::read_file(source_path("config/framework.json"));
  for (auto [from, to] :
       {std::pair<std::string, std::string>{R"("version": "1")", R"("version": ")" + version + '"'},
        {"First, who is this decision for?", question}}) {
    auto at = text.find(from);
    if (at == std::string::npos) throw std::runtime_error("framework.json has no " + from);
    text.replace(at, from.size(), to);
  }
  return {text, question};
}

// changed_framework("2"), written to `file`; returns the new wording.
inline std::string write_framework_v2(const std::string& file) {
  auto [text, question] = changed_framework("2");
  std::ofstream(file) << text;
  return question;
}

inline bot::config test_config(const std::string& data_dir) {
  bot::config cfg;
  cfg.data_dir = data_dir;
  cfg.framework_file = bot::config_dir() + "/framework.json";
  cfg.knowledge_file = bot::config_dir() + "/knowledge.json";
  return cfg;
}

inline std::unique_ptr<bot::app> open_test_app(const std::string& data_dir) {
  return bot::open_app(test_config(data_dir));
}

}  // namespace advisor::test
