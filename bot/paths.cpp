#include "bot/paths.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace advisor::bot {

namespace fs = std::filesystem;

std::string config_dir() {
  if (const char* d = std::getenv("ADVISOR_CONFIG_DIR"); d && *d) return d;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share" / "advisor" / "config";
    if (fs::exists(installed / "framework.json", ec)) return installed.string();
  }
  return std::string(ADVISOR_SOURCE_DIR) + "/config";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read the file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace advisor::bot
