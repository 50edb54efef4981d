// libcurl behind http_client: one easy handle per worker thread (reset before each attempt, so
// the connection to Slack or Discord stays open between calls), bounded retries with
// exponential backoff for transport errors and 5xx, and HTTP 429 answered by waiting for
// Retry-After when that wait is within the policy's max_wait. Headers are never logged: they
// carry bot tokens.
#include "adapters/common/outbound.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace advisor::adapters {

namespace {

constexpr long connect_timeout_ms = 5000;
constexpr std::size_t max_response_bytes = 4 * 1024 * 1024;  // Slack and Discord answer far less

struct easy_closer {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct slist_closer {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using easy_handle = std::unique_ptr<CURL, easy_closer>;
using header_list = std::unique_ptr<curl_slist, slist_closer>;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The calling thread's handle: reusing it keeps connections and the DNS cache warm.
CURL* thread_handle() {
  thread_local easy_handle handle{curl_easy_init()};
  if (handle) curl_easy_reset(handle.get());
  return handle.get();
}

struct attempt {
  long status = 0;
  std::string body;
  std::string error;
  std::optional<std::chrono::milliseconds> retry_after;
  bool truncated = false;
};

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Retry-After is either delay-seconds (Slack, Discord; Discord may send a fraction) or an
// HTTP-date. Returns nothing when the value is neither.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value) {
  std::string v = trim(value);
  if (v.empty()) return std::nullopt;
  double seconds = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
  if (ec == std::errc{} && end == v.data() + v.size()) {
    if (seconds < 0) return std::nullopt;
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0 + 0.5));
  }
  std::time_t when = curl_getdate(v.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  auto delta = std::difftime(when, std::time(nullptr));
  return std::chrono::milliseconds(static_cast<long long>(std::max(0.0, delta) * 1000.0));
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* a = static_cast<attempt*>(user);
  std::size_t n = size * count;
  if (a->body.size() + n > max_response_bytes) {
    a->truncated = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  a->body.append(data, n);
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* a = static_cast<attempt*>(user);
  std::size_t n = size * count;
  std::string_view line(data, n);
  auto colon = line.find(':');
  if (colon == std::string_view::npos) {
    if (line.rfind("HTTP/", 0) == 0) a->retry_after.reset();  // a new response (after 100-continue)
    return n;
  }
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (name == "retry-after") a->retry_after = parse_retry_after(line.substr(colon + 1));
  return n;
}

attempt perform(const outbound_request& r, std::chrono::milliseconds timeout) {
  attempt a;
  CURL* c = thread_handle();
  if (!c) {
    a.error = "curl_easy_init failed";
    return a;
  }
  char error_text[CURL_ERROR_SIZE] = {};
  header_list headers;
  auto add_header = [&headers](const std::string& line) {
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next) {
      (void)headers.release();
      headers.reset(next);
    }
  };
  if (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH")
    add_header("Content-Type: " + r.content_type);
  add_header("Expect:");  // no 100-continue round trip for small JSON bodies
  for (const auto& [name, value] : r.headers) add_header(name + ": " + value);

  curl_easy_setopt(c, CURLOPT_URL, r.url.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect must not carry the token elsewhere
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   std::min(connect_timeout_ms, static_cast<long>(timeout.count())));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &a);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "advisor/" ADVISOR_VERSION);
  if (r.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, r.body.data());
    if (r.method != "POST") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }

  CURLcode rc = curl_easy_perform(c);
  // The handle outlives this call: it must not keep pointers into this frame.
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  if (rc != CURLE_OK) {
    a.status = 0;
    a.error = a.truncated ? "response larger than " + std::to_string(max_response_bytes) + " bytes"
                          : std::string(curl_easy_strerror(rc)) +
                                (error_text[0] ? std::string(": ") + error_text : "");
    a.body.clear();
    return a;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
  return a;
}

}  // namespace

http_client::http_client(retry_policy policy) : policy_(policy) {
  global_init();
  policy_.max_attempts = std::max(policy_.max_attempts, 1);
}

outbound_result http_client::send(const outbound_request& request) const {
  outbound_result result;
  auto backoff = policy_.first_backoff;
  for (int n = 1; n <= policy_.max_attempts; ++n) {
    attempt a = perform(request, policy_.timeout);
    result.status = a.status;
    result.body = std::move(a.body);
    result.error = std::move(a.error);
    result.attempts = n;
    if (n == policy_.max_attempts) break;

    std::chrono::milliseconds wait{0};
    if (a.status == 429) {
      // Waiting longer than max_wait would hold a worker too long: give the 429 back.
      wait = a.retry_after.value_or(backoff);
      if (wait > policy_.max_wait) break;
    } else if (a.status == 0 || a.status >= 500) {
      wait = std::min(backoff, policy_.max_wait);
    } else {
      break;  // a definite answer: success, or a client error that retrying cannot fix
    }
    backoff *= 2;
    std::this_thread::sleep_for(wait);
  }
  return result;
}

}  // namespace advisor::adapters
