#include "adapters/web/routes.hpp"

#include <nlohmann/json.hpp>

#include "adapters/common/metrics.hpp"
#include "adapters/web/assets.hpp"

namespace advisor::web {

namespace {

std::string_view content_type_of(std::string_view name) {
  auto ends = [&](std::string_view ext) {
    return name.size() >= ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0;
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

adapters::http_response json_error(unsigned status, std::string_view code, std::string_view message) {
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
                          {"uptime_seconds", std::chrono::duration_cast<std::chrono::seconds>(uptime).count()},
                          {"database", database_ok ? "ok" : "not writable"}}
               .dump();
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

adapters::http_response route(const adapters::http_request& req, const adapters::router& routes) {
  if (const auto* handler = routes.find(req.method, req.path)) return (*handler)(req);
  if (routes.has_path(req.path)) return json_error(405, "method_not_allowed", "That method is not allowed here.");

  if (req.path == "/metrics") {
    if (req.method != "GET") return json_error(405, "method_not_allowed", "Use GET.");
    adapters::http_response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = adapters::metrics::global().render();
    return r;
  }
  std::string_view name = req.path == "/" ? std::string_view("index.html") : std::string_view(req.path).substr(1);
  if (const asset* a = req.path.empty() || req.path.find("..") != std::string::npos ? nullptr : find_asset(name)) {
    if (req.method != "GET" && req.method != "HEAD") return json_error(405, "method_not_allowed", "Use GET.");
    adapters::http_response r;
    r.content_type = std::string(content_type_of(a->name));
    r.body = std::string(a->bytes);
    r.headers.emplace_back("Cache-Control", "no-cache");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return r;
  }
  return json_error(404, "not_found", "Nothing here. Try / for the chat, /ws for the WebSocket, or /healthz.");
}

}  // namespace advisor::web
