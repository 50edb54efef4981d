#include "adapters/web/routes.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cctype>
#include <nlohmann/json.hpp>

#include "adapters/common/metrics.hpp"
#include "adapters/web/assets.hpp"

namespace advisor::web {

namespace {

std::string_view content_type_of(std::string_view name) {
  auto ends = [&](std::string_view ext) {
    return name.size() >= ext.size() &&
           name.compare(name.size() - ext.size(), ext.size(), ext) == 0;
  };
  if (ends(".js")) return "application/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".png")) return "image/png";
  if (ends(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

const asset* find_asset(std::string_view name) {
  for (const auto& a : assets())
    if (a.name == name) return &a;
  return nullptr;
}

}  // namespace

adapters::http_response json_error(unsigned status, std::string_view code,
                                   std::string_view message) {
  adapters::http_response r;
  r.status = status;
  r.body = nlohmann::json{{"error", code}, {"message", message}}.dump();
  return r;
}

adapters::http_response health(bool database_ok, std::chrono::steady_clock::duration uptime) {
  adapters::http_response r;
  r.status = database_ok ? 200 : 503;
  r.body = nlohmann::json{{"status", database_ok ? "ok" : "unhealthy"},
                          {"version", ADVISOR_VERSION},
                          {"uptime_seconds",
                           std::chrono::duration_cast<std::chrono::seconds>(uptime).count()},
                          {"database", database_ok ? "ok" : "not writable"}}
               .dump();
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

std::size_t body_limit_for(std::string_view method, std::string_view path,
                           const adapters::router& routes) {
  if (!routes.find(method, path)) return 0;
  auto starts = [&](std::string_view prefix) { return path.substr(0, prefix.size()) == prefix; };
  if (starts("/slack/")) return slack_body_limit;
  if (starts("/discord/")) return discord_body_limit;
  return 0;
}

bool transfer_encoding_ok(std::string_view value) {
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!value.empty() && blank(value.front())) value.remove_prefix(1);
  while (!value.empty() && blank(value.back())) value.remove_suffix(1);
  constexpr std::string_view chunked = "chunked";
  if (value.size() != chunked.size()) return false;
  for (std::size_t i = 0; i < value.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(value[i])) != chunked[i]) return false;
  return true;
}

namespace {

// The inline <style> of the demo page, allowed by its hash (no 'unsafe-inline').
std::string page_style_hash() {
  const asset* page = find_asset("index.html");
  if (!page) return {};
  std::string_view html = page->bytes;
  auto open = html.find("<style>");
  auto close = html.find("</style>");
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return {};
  std::string_view css = html.substr(open + 7, close - open - 7);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(css.data()), css.size(), digest);
  unsigned char b64[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];
  EVP_EncodeBlock(b64, digest, SHA256_DIGEST_LENGTH);
  return "'sha256-" + std::string(reinterpret_cast<const char*>(b64)) + "'";
}

bool plain_host(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  for (char c : host)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':' &&
        c != '[' && c != ']')
      return false;
  return true;
}

}  // namespace

void add_security_headers(adapters::http_response& r, std::string_view frame_ancestors,
                          std::string_view host) {
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  if (r.content_type.rfind("text/html", 0) == 0) {
    static const std::string style_hash = page_style_hash();
    // The page loads widget.js and widget.css from here and opens the WebSocket on this host
    // ('self' covers ws: and wss: only in browsers that follow CSP level 3, so the host is named).
    std::string connect = "'self'";
    if (plain_host(host)) connect += " ws://" + std::string(host) + " wss://" + std::string(host);
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'none'; script-src 'self'; style-src 'self' " + style_hash +
                               "; connect-src " + connect +
                               "; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
                               "frame-ancestors " +
                               std::string(frame_ancestors));
  } else {
    r.headers.emplace_back("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  }
}

adapters::http_response route(const adapters::http_request& req, const adapters::router& routes) {
  if (const auto* handler = routes.find(req.method, req.path)) return (*handler)(req);
  if (routes.has_path(req.path))
    return json_error(405, "method_not_allowed", "That method is not allowed here.");

  if (req.path == "/metrics") {
    if (req.method != "GET") return json_error(405, "method_not_allowed", "Use GET.");
    adapters::http_response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = adapters::metrics::global().render();
    return r;
  }
  std::string_view name =
      req.path == "/" ? std::string_view("index.html") : std::string_view(req.path).substr(1);
  if (const asset* a = req.path.empty() || req.path.find("..") != std::string::npos
                           ? nullptr
                           : find_asset(name)) {
    if (req.method != "GET" && req.method != "HEAD")
      return json_error(405, "method_not_allowed", "Use GET.");
    adapters::http_response r;
    r.content_type = std::string(content_type_of(a->name));
    r.body = std::string(a->bytes);
    r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
  }
  return json_error(404, "not_found",
                    "Nothing here. Try / for the chat, /ws for the WebSocket, or /healthz.");
}

}  // namespace advisor::web
