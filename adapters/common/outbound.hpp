// Outbound HTTP calls (Slack Web API, Discord API, webhooks) through libcurl. A failed call
// is a result value, never an exception. Transient failures (connection errors, 5xx) are
// retried a bounded number of times with backoff; HTTP 429 waits for Retry-After.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace advisor::adapters {

struct outbound_request {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. {"Authorization","Bearer ..."}
  std::string body;
  std::string content_type = "application/json; charset=utf-8";
};

struct outbound_result {
  long status = 0;  // HTTP status of the last attempt; 0 when no response came
  std::string body;
  std::string error;  // transport error text, empty when a response came
  int attempts = 0;
  bool ok() const { return status >= 200 && status < 300; }
};

struct retry_policy {
  int max_attempts = 4;
  std::chrono::milliseconds first_backoff{200};
  std::chrono::milliseconds max_wait{30000};  // the longest Retry-After honoured
  std::chrono::milliseconds timeout{10000};   // per attempt
};

class http_client {
 public:
  explicit http_client(retry_policy policy = {});
  // Blocking: call it from a worker thread, never from an I/O thread.
  outbound_result send(const outbound_request& request) const;

 private:
  retry_policy policy_;
};

}  // namespace advisor::adapters
