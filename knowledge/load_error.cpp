#include "knowledge/load_error.hpp"

#include <utility>

namespace advisor::knowledge {

load_error::load_error(std::string file, int line, std::string problem)
    : std::runtime_error(file + (line > 0 ? ":" + std::to_string(line) : std::string{}) + ": " +
                         problem),
      file_(std::move(file)),
      line_(line),
      problem_(std::move(problem)) {}

}  // namespace advisor::knowledge
