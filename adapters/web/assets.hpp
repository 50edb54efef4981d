// The widget's files (adapters/web/assets/), embedded into the binary at build time.
#pragma once

#include <string_view>
#include <vector>

namespace advisor::web {

struct asset {
  std::string_view name;  // file name, e.g. "widget.js"
  std::string_view bytes;
};

const std::vector<asset>& assets();

}  // namespace advisor::web
