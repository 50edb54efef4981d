// Writes JSON text straight into a string. The reply frame goes out on every turn; building
// it as a nlohmann tree first (a node and often a map per value) cost more than the turn's
// own logic. Parsing stays with nlohmann; this only writes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace advisor::bot {

class json_writer {
 public:
  json_writer& begin_object();
  json_writer& end_object();
  json_writer& begin_array();
  json_writer& end_array();
  json_writer& key(std::string_view k);
  json_writer& value(std::string_view s);
  json_writer& value(const char* s) { return value(std::string_view(s)); }
  json_writer& value(const std::string& s) { return value(std::string_view(s)); }
  json_writer& value(bool b);
  json_writer& value(std::int64_t n);
  json_writer& value(int n) { return value(static_cast<std::int64_t>(n)); }
  json_writer& value(double d);  // shortest text that reads back the same; non-finite as null
  // A JSON text made elsewhere (trusted to be valid), as one value.
  json_writer& raw(std::string_view json);

  std::string take() { return std::move(out_); }
  void reserve(std::size_t n) { out_.reserve(n); }

 private:
  void separate();
  std::string out_;
  std::vector<bool> first_;  // per open object or array: nothing written in it yet
  bool after_key_ = false;
};

// Appends `s` as a JSON string (quoted and escaped). Bytes that are not valid UTF-8 become
// U+FFFD, so the output is always valid JSON.
void append_json_string(std::string& out, std::string_view s);

}  // namespace advisor::bot
