// A Discord client for tests: interactions built as Discord sends them, signed with libsodium
// (Ed25519 over timestamp + body), posted to /discord/interactions over real HTTP on loopback;
// responses read back as JSON, or as multipart with payload_json and files[0].
#pragma once

// clang-format off
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
// clang-format on

#include <doctest/doctest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "signer.hpp"

namespace advisor::test {

namespace discord_wire {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using nlohmann::json;

constexpr const char* app_id = "1000000000000000001";
constexpr const char* bot_token = "bot-token-not-for-logs";

struct reply {
  unsigned status = 0;
  json body;
  std::string raw;
  std::string retry_after;  // the Retry-After header, if any
  std::string file_name;    // a multipart answer's files[0]
  std::string file;
};

// Splits multipart/form-data into (headers, content) parts.
inline std::vector<std::pair<std::string, std::string>> multipart_parts(
    const std::string& content_type, const std::string& body) {
  std::vector<std::pair<std::string, std::string>> parts;
  auto b = content_type.find("boundary=");
  if (b == std::string::npos) return parts;
  std::string delimiter = "--" + content_type.substr(b + 9);
  std::size_t pos = body.find(delimiter);
  while (pos != std::string::npos) {
    pos += delimiter.size();
    if (body.compare(pos, 2, "--") == 0) break;
    pos += 2;  // CRLF
    auto end = body.find("\r\n" + delimiter, pos);
    if (end == std::string::npos) break;
    std::string part = body.substr(pos, end - pos);
    auto split = part.find("\r\n\r\n");
    parts.emplace_back(part.substr(0, split), part.substr(split + 4));
    pos = end + 2;
  }
  return parts;
}

// Reads a response (JSON, or multipart with payload_json and files[0]) into a reply.
inline void read_body(reply& r, const std::string& content_type, const std::string& body) {
  r.raw = body;
  if (!content_type.starts_with("multipart/form-data")) {
    r.body = json::parse(body, nullptr, false);
    return;
  }
  for (const auto& [headers, content] : multipart_parts(content_type, body)) {
    if (headers.find("name=\"payload_json\"") != std::string::npos)
      r.body = json::parse(content, nullptr, false);
    auto f = headers.find("filename=\"");
    if (f != std::string::npos && headers.find("name=\"files[0]\"") != std::string::npos) {
      r.file_name = headers.substr(f + 10, headers.find('"', f + 10) - f - 10);
      r.file = content;
    }
  }
}

inline std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Sends interactions to an advisor on 127.0.0.1:port, signed with `key`.
struct interaction_client {
  std::uint16_t port = 0;
  signer key;
  int ids = 0;

  reply post(const std::string& body,
             const std::vector<std::pair<std::string, std::string>>& headers) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect({net::ip::make_address("127.0.0.1"), port});
    http::request<http::string_body> req{http::verb::post, "/discord/interactions", 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    reply r;
    r.status = res.result_int();
    r.retry_after = std::string(res[http::field::retry_after]);
    read_body(r, std::string(res[http::field::content_type]), res.body());
    return r;
  }

  // Signed as Discord signs: Ed25519 over timestamp + body.
  reply send(const json& interaction, std::int64_t timestamp = 0) {
    std::string body = interaction.dump();
    std::string ts = std::to_string(timestamp ? timestamp : unix_now());
    return post(body,
                {{"X-Signature-Ed25519", key.sign(ts + body)}, {"X-Signature-Timestamp", ts}});
  }

  json base(int type, const std::string& user, const std::string& guild,
            const std::string& channel) {
    ++ids;
    json j = {{"id", std::to_string(2000000000000000000 + ids)},
              {"application_id", app_id},
              {"type", type},
              {"token", "interaction-token-" + std::to_string(ids)},
              {"version", 1},
              {"channel_id", channel}};
    if (guild.empty()) {
      j["user"] = {{"id", user}, {"username", "u" + user}};
    } else {
      j["guild_id"] = guild;
      j["member"] = {{"user", {{"id", user}, {"username", "u" + user}}}, {"roles", json::array()}};
    }
    return j;
  }

  json command(const std::string& text = {}, const std::string& user = "U1",
               const std::string& guild = "G1", const std::string& channel = "C1") {
    json j = base(2, user, guild, channel);
    j["data"] = {{"id", "1100000000000000001"}, {"name", "advisor"}, {"type", 1}};
    if (!text.empty())
      j["data"]["options"] = json::array({{{"name", "text"}, {"type", 3}, {"value", text}}});
    return j;
  }

  json click(const std::string& custom_id, const std::string& user = "U1",
             const std::string& owner = "U1", const std::string& guild = "G1",
             const std::string& channel = "C1") {
    json j = base(3, user, guild, channel);
    j["data"] = {{"custom_id", custom_id}, {"component_type", 2}};
    j["message"] = {
        {"id", "3000000000000000001"},
        {"interaction_metadata", {{"id", "1"}, {"type", 2}, {"user", {{"id", owner}}}}}};
    return j;
  }
};

inline std::vector<std::string> custom_ids(const json& message) {
  std::vector<std::string> ids;
  for (const auto& row : message["components"])
    for (const auto& c : row["components"]) ids.push_back(c["custom_id"]);
  return ids;
}

inline std::string button_for(const json& message, const std::string& suffix) {
  for (const auto& id : custom_ids(message))
    if (id.ends_with(suffix)) return id;
  FAIL("no button ending in " << suffix << " in " << message.dump());
  return {};
}

// The first answer of a question, or "confirm" on the review.
inline std::string first_answer(const json& message) {
  for (const auto& id : custom_ids(message))
    if (id.ends_with(":confirm")) return id;
  return custom_ids(message).front();
}

}  // namespace discord_wire

using discord_wire::interaction_client;

}  // namespace advisor::test
