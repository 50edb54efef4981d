// Routing of plain HTTP requests, as a pure function from request to response: the widget's
// files, /metrics, the adapters' routes, and clear JSON errors for the rest. /healthz needs
// the database and is answered by health() on a worker thread.
#pragma once

#include <chrono>

#include "adapters/common/http.hpp"

namespace advisor::web {

adapters::http_response route(const adapters::http_request& req, const adapters::router& routes);

// 200 {"status":"ok",...} or 503 {"status":"unhealthy",...}.
adapters::http_response health(bool database_ok, std::chrono::steady_clock::duration uptime);

adapters::http_response json_error(unsigned status, std::string_view code, std::string_view message);

}  // namespace advisor::web
