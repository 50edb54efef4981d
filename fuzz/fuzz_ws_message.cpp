// The WebSocket message handler: an input is a sequence of client frames, one a line, sent
// to one json_session (as one connection would) of a bot service over the default framework,
// the knowledge and a SQLite session store, opened once per process. Every frame sent back
// must be a JSON object of a known type with the fields docs/protocol.md promises.
#include <nlohmann/json.hpp>

#include "adapters/common/protocol.hpp"
#include "common.hpp"

using nlohmann::json;
using namespace advisor;

namespace {

constexpr std::size_t max_frames = 48;

bool is_string(const json& j, const char* key) { return j.contains(key) && j[key].is_string(); }

void check_frame(const std::string& frame, std::string_view input) {
  json j = json::parse(frame, nullptr, false);
  if (!j.is_object() || !is_string(j, "type"))
    fuzz::fail("a reply frame is not a JSON object with a \"type\"", frame);
  const auto type = j["type"].get<std::string>();
  bool ok = false;
  if (type == "session") {
    ok = is_string(j, "session") && j.contains("resumed") && j["resumed"].is_boolean();
  } else if (type == "reply") {
    ok = is_string(j, "text") && j.contains("options") && j["options"].is_array() &&
         is_string(j, "question") && j.contains("finished") && j["finished"].is_boolean() &&
         j.contains("progress") && j["progress"].is_object();
    if (ok)
      for (const auto& o : j["options"])
        ok = ok && o.is_object() && is_string(o, "id") && is_string(o, "label");
  } else if (type == "error") {
    ok = is_string(j, "code") && is_string(j, "message");
  }
  if (!ok)
    fuzz::fail("a reply frame breaks the protocol",
               std::string(frame) + "\n  after: " + std::string(input));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& f = fuzz::fixture::get();
  bot::json_session session(*f.app->service, "web");
  for (std::string_view frame : fuzz::split(fuzz::as_text(data, size), '\n', max_frames)) {
    auto replies = session.handle(frame);
    if (replies.empty()) fuzz::fail("no reply to a frame", frame);
    for (const auto& r : replies) check_frame(r, frame);
  }
  return 0;
}
