// HTTP as the adapters see it: a request with its raw body, a response, and a route table
// from (method, path) to a handler. Handlers are plain functions, testable without a socket;
// the web server owns the sockets and calls them. A handler runs on the server's route pool,
// never on an I/O thread, and may wait briefly for a turn; but it must not hold a route
// thread for long: slow work (outbound calls) goes to a worker_pool.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace advisor::adapters {

struct http_request {
  std::string method;                          // "GET", "POST", ...
  std::string path;                            // without the query
  std::string query;                           // after '?', undecoded
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;    // raw, exactly as received (signatures are computed over it)
  std::string remote;  // peer address

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string{} : it->second;
  }
};

struct http_response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using http_handler = std::function<http_response(const http_request&)>;

class router {
 public:
  void add(std::string method, std::string path, http_handler handler) {
    routes_[{std::move(method), std::move(path)}] = std::move(handler);
  }
  const http_handler* find(std::string_view method, std::string_view path) const {
    auto it = routes_.find({std::string(method), std::string(path)});
    return it == routes_.end() ? nullptr : &it->second;
  }
  bool has_path(std::string_view path) const {
    for (const auto& [k, v] : routes_)
      if (k.second == path) return true;
    return false;
  }

 private:
  std::map<std::pair<std::string, std::string>, http_handler> routes_;
};

}  // namespace advisor::adapters
