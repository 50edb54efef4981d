#include "adapters/web/shared_state.hpp"

#include "bot/infra/log.hpp"

namespace advisor::web {

void fail(beast::error_code ec, const char* what) {
  if (ec == net::error::operation_aborted || ec == websocket::error::closed ||
      ec == beast::error::timeout)
    return;
  log::debug("connection_error", {{"where", what}, {"error", ec.message()}});
}

bool origin_allowed(const bot::config& cfg, std::string_view origin) {
  if (cfg.allowed_origins.empty()) return true;
  for (const auto& o : cfg.allowed_origins)
    if (o == origin) return true;
  return false;
}

}  // namespace advisor::web
