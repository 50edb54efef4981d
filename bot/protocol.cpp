#include "bot/protocol.hpp"

#include <nlohmann/json.hpp>

#include "bot/log.hpp"

namespace advisor::bot {

using nlohmann::json;

namespace {

// Text from users may hold invalid UTF-8 (the JSON parser already refuses it in frames, but
// other channels reach here too): replace rather than throw when writing it back.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json recommendation_json(const dialogue::recommendation& r) {
  json reasons = json::array();
  for (const auto& reason : r.reasons) reasons.push_back({{"text", reason.text}, {"sources", reason.sources}});
  json contested = json::array();
  for (const auto& c : r.contested) {
    json sides = json::array();
    for (const auto& s : c.sides) sides.push_back({{"position", s.position}, {"claim", s.claim}, {"sources", s.sources}});
    contested.push_back({{"id", c.id}, {"summary", c.summary}, {"sides", sides}});
  }
  return {{"choice", r.choice},   {"choice_label", r.choice_label}, {"confidence", r.confidence},
          {"scores", r.scores},   {"reasons", reasons},             {"contested", contested},
          {"next_steps", r.next_steps}, {"unknowns", r.unknowns}};
}

}  // namespace

std::string error_frame(std::string_view code, std::string_view message) {
  return dump({{"type", "error"}, {"code", code}, {"message", message}});
}

std::string reply_frame(const turn& t) {
  json options = json::array();
  for (const auto& o : t.out.options) options.push_back({{"id", o.id}, {"label", o.label}});
  json j = {{"type", "reply"},
            {"text", t.out.text},
            {"options", options},
            {"progress", {{"step", t.out.progress.step}, {"total", t.out.progress.total}}},
            {"question", t.out.question},
            {"finished", t.out.finished}};
  if (!t.out.error.empty()) j["notice"] = t.out.error;
  if (t.out.recommendation) j["recommendation"] = recommendation_json(*t.out.recommendation);
  return dump(j);
}

json_session::json_session(service& svc, std::string channel) : svc_(svc), channel_(std::move(channel)) {}

std::vector<std::string> json_session::start(std::string_view session, std::string_view text, bool fresh,
                                             std::string_view framework) {
  std::vector<std::string> frames;
  if (!framework.empty() && !svc_.has_framework(framework)) {
    std::string ids;
    for (const auto& [id, title] : svc_.frameworks()) ids += (ids.empty() ? "" : ", ") + id;
    return {error_frame("unknown_framework", "Unknown framework \"" + std::string(framework) + "\"; available: " + ids + ".")};
  }
  if (!session.empty()) {
    auto t = svc_.current({channel_, std::string(session)});
    if (!t) return {error_frame("bad_session", "That session is unknown or has expired. Send {\"type\":\"start\"} without a session to begin a new one.")};
    token_ = std::string(session);
    frames.push_back(dump({{"type", "session"}, {"session", token_}, {"resumed", true}}));
    if (fresh) *t = svc_.start({channel_, token_}, text, true, framework);
    else if (!text.empty()) *t = svc_.message({channel_, token_}, text);
    frames.push_back(reply_frame(*t));
    return frames;
  }
  token_ = random_token();
  turn t = svc_.start({channel_, token_}, text, true, framework);
  json offered = json::array();
  for (const auto& [id, title] : svc_.frameworks()) offered.push_back({{"id", id}, {"title", title}});
  frames.push_back(dump({{"type", "session"}, {"session", token_}, {"resumed", false}, {"frameworks", offered}}));
  frames.push_back(reply_frame(t));
  return frames;
}

std::vector<std::string> json_session::handle(std::string_view frame) {
  if (frame.size() > max_message_bytes)
    return {error_frame("too_large", "Messages are limited to 64 KiB.")};
  json msg = json::parse(frame, nullptr, false);
  if (msg.is_discarded()) return {error_frame("invalid_json", "That message is not valid JSON (UTF-8 text expected).")};
  if (!msg.is_object()) return {error_frame("invalid_json", "A message must be a JSON object with a \"type\".")};
  auto type_it = msg.find("type");
  if (type_it == msg.end() || !type_it->is_string())
    return {error_frame("unknown_type", "A message needs a \"type\": start, message or choose.")};
  const std::string type = type_it->get<std::string>();
  auto text_of = [&](const char* key) -> std::optional<std::string> {
    auto it = msg.find(key);
    if (it == msg.end() || it->is_null()) return std::string{};
    if (!it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  try {
    if (type == "start") {
      auto session = text_of("session");
      auto text = text_of("text");
      auto framework = text_of("framework");
      auto fresh = msg.find("fresh");
      if (!session || !text || !framework || (fresh != msg.end() && !fresh->is_boolean()))
        return {error_frame("invalid_message", "\"session\", \"text\" and \"framework\" must be strings, \"fresh\" true or false.")};
      return start(*session, *text, fresh != msg.end() && fresh->get<bool>(), *framework);
    }
    if (type == "message") {
      auto text = text_of("text");
      if (!text || text->empty()) return {error_frame("invalid_message", "A message needs a non-empty \"text\" string.")};
      if (token_.empty()) return start({}, *text, true, {});
      return {reply_frame(svc_.message({channel_, token_}, *text))};
    }
    if (type == "choose") {
      auto option = text_of("option");
      auto question = text_of("question");
      if (!option || option->empty() || !question)
        return {error_frame("invalid_message", "A choose message needs an \"option\" id string.")};
      if (token_.empty()) return {error_frame("bad_session", "Start a conversation first: {\"type\":\"start\"}.")};
      turn t = svc_.choose({channel_, token_}, *option, *question);
      if (t.out.error == "unknown_option")
        return {error_frame("unknown_option", "\"" + *option + "\" is not an option for the current question.")};
      if (t.out.error == "stale")
        return {error_frame("stale_option", "That button belongs to a question that has already been answered."),
                reply_frame(t)};
      return {reply_frame(t)};
    }
  } catch (const std::exception& e) {
    log::error("turn_failed", {{"channel", channel_}, {"type", type}, {"error", e.what()}});
    return {error_frame("internal", "Something went wrong on our side and your last message was not saved. Please try again.")};
  }
  return {error_frame("unknown_type", "Unknown message type \"" + type + "\": use start, message or choose.")};
}

}  // namespace advisor::bot
