// Routing of plain HTTP requests, as a pure function from request to response: the widget's
// files (with entity tags, 304 Not Modified and gzip), /metrics, the adapters' routes, and clear
// JSON errors for the rest. /healthz needs the database and is answered by health() on a worker
// thread.
#pragma once

#include <chrono>

#include "adapters/common/http.hpp"

namespace advisor::web {

adapters::http_response route(const adapters::http_request& req, const adapters::router& routes);

// 200 {"status":"ok",...} or 503 {"status":"unhealthy",...}.
adapters::http_response health(bool database_ok, std::chrono::steady_clock::duration uptime);

// True when an Accept-Encoding header's value takes gzip (not with q=0).
bool accepts_gzip(std::string_view accept_encoding);

// The answer to a plain GET /ws (no upgrade): 200 when a page of `origin` may open the
// WebSocket, 403 origin_not_allowed when not, readable by that page (CORS), so the widget
// can tell a refused site from a server that is down (a refused upgrade looks like a
// dropped connection to a script).
adapters::http_response origin_check(bool allowed, std::string_view origin);

adapters::http_response json_error(unsigned status, std::string_view code,
                                   std::string_view message);

// Request bodies, per route. Only the Slack and Discord endpoints take one, sized to what
// those platforms send (docs/reliability.md says where the figures come from); every other
// request must come without a body (0: a body gets 413).
constexpr std::size_t slack_body_limit = 512 * 1024;
constexpr std::size_t discord_body_limit = 256 * 1024;
std::size_t body_limit_for(std::string_view method, std::string_view path,
                           const adapters::router& routes);

// True when a Transfer-Encoding header's value may be served: exactly "chunked" (any case,
// surrounding blanks aside). Anything else (gzip, "gzip, chunked", xchunked) is refused with
// 400, so a body is never read in a way a proxy in front could read differently.
bool transfer_encoding_ok(std::string_view value);

// Adds the headers every response carries: X-Content-Type-Options, Referrer-Policy and a
// Content-Security-Policy (for HTML, the page's own policy, with `frame_ancestors` saying who
// may frame it; for everything else, nothing may load or frame it). `host` is the request's
// Host header (the page's WebSocket is on the same host).
void add_security_headers(adapters::http_response& r, std::string_view frame_ancestors,
                          std::string_view host);

}  // namespace advisor::web
