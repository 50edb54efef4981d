// The error of every document the core loads (a framework, the knowledge, the language file):
// names the file, the line and what is wrong. It lives here, the lowest folder of the core,
// so that both the knowledge model and the dialogue can throw it (dialogue::load_error).
#pragma once

#include <stdexcept>
#include <string>

namespace advisor::knowledge {

class load_error : public std::runtime_error {
 public:
  load_error(std::string file, int line, std::string problem);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  int line_;
  std::string problem_;
};

}  // namespace advisor::knowledge
