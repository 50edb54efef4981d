#include "adapters/web/routes.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <zlib.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "adapters/web/assets.hpp"
#include "bot/infra/metrics.hpp"

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

bool compressible(std::string_view content_type) {
  return content_type.rfind("text/", 0) == 0 ||
         content_type.rfind("application/javascript", 0) == 0 ||
         content_type.rfind("image/svg+xml", 0) == 0;
}

// The gzip form of `bytes` (zlib, best compression: done once per file).
std::string gzip(std::string_view bytes) {
  z_stream z{};
  constexpr int gzip_window = 15 + 16;  // 32 KiB window, gzip header and trailer
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, gzip_window, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("zlib: deflateInit2 failed");
  std::string out(deflateBound(&z, static_cast<uLong>(bytes.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib: deflate did not finish");
  return out;
}

// A file as served: its bytes, gzip form (when worth it) and entity tags, computed once.
struct served_asset {
  const asset* file = nullptr;
  std::string content_type;
  std::string etag;       // "<first 16 bytes of SHA-256, hex>"
  std::string gzip;       // empty: sent as is
  std::string gzip_etag;  // "<same>-gz": another representation, another tag
};

const std::vector<served_asset>& served_assets() {
  static const std::vector<served_asset> all = [] {
    std::vector<served_asset> v;
    for (const auto& a : assets()) {
      served_asset s;
      s.file = &a;
      s.content_type = std::string(content_type_of(a.name));
      unsigned char digest[SHA256_DIGEST_LENGTH];
      SHA256(reinterpret_cast<const unsigned char*>(a.bytes.data()), a.bytes.size(), digest);
      static constexpr char hex[] = "0123456789abcdef";
      std::string tag;
      for (int i = 0; i < 16; ++i) {
        tag += hex[digest[i] >> 4];
        tag += hex[digest[i] & 0xF];
      }
      s.etag = "\"" + tag + "\"";
      if (compressible(s.content_type)) {
        std::string z = gzip(a.bytes);
        if (z.size() < a.bytes.size()) {
          s.gzip = std::move(z);
          s.gzip_etag = "\"" + tag + "-gz\"";
        }
      }
      v.push_back(std::move(s));
    }
    return v;
  }();
  return all;
}

const served_asset* find_served(std::string_view name) {
  for (const auto& a : served_assets())
    if (a.file->name == name) return &a;
  return nullptr;
}

// True when an If-None-Match value names `etag` or is "*" (compared weakly: W/ is ignored).
bool names_etag(std::string_view header, std::string_view etag) {
  std::size_t at = 0;
  while (at < header.size()) {
    std::size_t comma = header.find(',', at);
    std::string_view item =
        header.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.rfind("W/", 0) == 0) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
    if (comma == std::string_view::npos) break;
    at = comma + 1;
  }
  return false;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  std::size_t at = 0;
  while (at < accept_encoding.size()) {
    std::size_t comma = accept_encoding.find(',', at);
    std::string_view item = accept_encoding.substr(
        at, comma == std::string_view::npos ? std::string_view::npos : comma - at);
    std::string lower;
    for (char c : item)
      if (c != ' ' && c != '\t')
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view coding = lower;
    std::string_view params;
    if (auto semi = coding.find(';'); semi != std::string_view::npos) {
      params = coding.substr(semi + 1);
      coding = coding.substr(0, semi);
    }
    if (coding == "gzip" || coding == "x-gzip") {
      // q=0 (or 0.0, 0.00, ...) refuses it.
      if (params.rfind("q=", 0) == 0) {
        std::string_view q = params.substr(2);
        bool zero = !q.empty() && q.front() == '0';
        for (std::size_t i = 1; zero && i < q.size(); ++i) zero = q[i] == '0' || q[i] == '.';
        return !zero;
      }
      return true;
    }
    if (comma == std::string_view::npos) break;
    at = comma + 1;
  }
  return false;
}

adapters::http_response origin_check(bool allowed, std::string_view origin) {
  adapters::http_response r =
      allowed
          ? adapters::http_response{200, "application/json", R"({"origin_allowed":true})", {}}
          : json_error(403, "origin_not_allowed", "This page's origin may not use the advisor.");
  // The widget on another site reads the answer: the browser shows it only to that origin.
  if (!origin.empty()) r.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  r.headers.emplace_back("Vary", "Origin");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

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
  std::string_view name = req.path == "/"              ? std::string_view("index.html")
                          : req.path == "/favicon.ico" ? std::string_view("favicon.svg")
                                                       : std::string_view(req.path).substr(1);
  if (const served_asset* a = req.path.empty() || req.path.find("..") != std::string::npos
                                  ? nullptr
                                  : find_served(name)) {
    if (req.method != "GET" && req.method != "HEAD")
      return json_error(405, "method_not_allowed", "Use GET.");
    const bool zipped = !a->gzip.empty() && accepts_gzip(req.header("accept-encoding"));
    const std::string& etag = zipped ? a->gzip_etag : a->etag;
    adapters::http_response r;
    r.content_type = a->content_type;
    // Kept by browsers and proxies, checked again before each use: a new binary's files are
    // picked up at once, and an unchanged file costs a 304 without a body.
    r.headers.emplace_back("Cache-Control", "no-cache");
    r.headers.emplace_back("ETag", etag);
    if (!a->gzip.empty()) r.headers.emplace_back("Vary", "Accept-Encoding");
    if (names_etag(req.header("if-none-match"), a->etag) ||
        (!a->gzip.empty() && names_etag(req.header("if-none-match"), a->gzip_etag))) {
      r.status = 304;
      return r;
    }
    if (zipped) {
      r.headers.emplace_back("Content-Encoding", "gzip");
      r.body = a->gzip;
    } else {
      r.body = std::string(a->file->bytes);
    }
    return r;
  }
  return json_error(404, "not_found",
                    "Nothing here. Try / for the chat, /ws for the WebSocket, or /healthz.");
}

}  // namespace advisor::web
