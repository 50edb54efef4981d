// The fake Slack / Discord Web API of advisor-bench: a Beast HTTP server on 127.0.0.1 with its
// own thread, answering the advisor's outbound calls the way Slack and Discord do
// (chat.postMessage gives a channel and a fresh ts, an edited interaction response comes back,
// webhooks get 200/204), counting them by route, and handing the calls a conversation follows
// (a posted question, an edited Discord response) to the driver.
#pragma once

#include <boost/beast/http.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common.hpp"

namespace bench {

namespace http = beast::http;

// An outbound call the advisor made, as the driver needs it.
struct outbound_call {
  std::string route;  // "chat.postMessage", "edit_original", "response_url", ...
  json body;          // parsed JSON body (null when not JSON)
  std::string ts;     // Slack: the ts the fake gave a new message
  std::string token;  // Discord: the interaction token; Slack response_url: the slot
};

// A Beast HTTP server on 127.0.0.1 with its own thread, answering like Slack and Discord do.
// Calls that the driver follows are handed to `sink` (on the fake's thread).
class fake_api {
 public:
  fake_api(std::uint16_t port, std::function<void(outbound_call)> sink)
      : sink_(std::move(sink)), acceptor_(ioc_) {
    tcp::endpoint ep{net::ip::make_address("127.0.0.1"), port};
    beast::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
      throw std::runtime_error("the fake API cannot listen on 127.0.0.1:" + std::to_string(port) +
                               ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    accept();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~fake_api() {
    ioc_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return port_; }
  json counts() const {
    std::lock_guard lock(mutex_);
    json out = json::object();
    for (const auto& [k, v] : counts_) out[k] = v;
    return out;
  }
  std::uint64_t total() const {
    std::lock_guard lock(mutex_);
    return total_;
  }
  steady::time_point last_call() const {
    std::lock_guard lock(mutex_);
    return last_;
  }

 private:
  struct session : std::enable_shared_from_this<session> {
    session(tcp::socket s, fake_api& api) : stream(std::move(s)), owner(api) {}
    void read() {
      parser.emplace();
      parser->body_limit(16 * 1024 * 1024);
      http::async_read(stream, buffer, *parser,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec) return;
                         self->answer();
                       });
    }
    void answer() {
      auto req = parser->release();
      auto res = std::make_shared<http::response<http::string_body>>(owner.handle(req));
      res->version(req.version());
      res->keep_alive(req.keep_alive());
      res->prepare_payload();
      http::async_write(stream, *res,
                        [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                          if (ec || !res->keep_alive()) return;
                          self->read();
                        });
    }
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    std::optional<http::request_parser<http::string_body>> parser;
    fake_api& owner;
  };

  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (ec) return;
      std::make_shared<session>(std::move(s), *this)->read();
      accept();
    });
  }

  void count(const std::string& route) {
    std::lock_guard lock(mutex_);
    ++counts_[route];
    ++total_;
    last_ = steady::now();
  }

  std::string next_ts() {
    ++messages_;
    std::string frac = std::to_string(messages_ % 1000000);
    return std::to_string(ts_base_ + messages_ / 1000000) + "." +
           std::string(6 - frac.size(), '0') + frac;
  }

  http::response<http::string_body> handle(const http::request<http::string_body>& req) {
    std::string target(req.target());
    http::response<http::string_body> res{http::status::ok, 11};
    res.set(http::field::content_type, "application/json; charset=utf-8");
    auto reply = [&](const json& j) { res.body() = j.dump(); };
    auto parse = [&] { return json::parse(req.body(), nullptr, false); };

    if (target.starts_with("/slack/api/")) {
      std::string method = target.substr(11);
      count(method);
      json body = parse();
      std::string channel = body.is_object() ? body.value("channel", "") : "";
      if (method == "chat.postMessage") {
        std::string ts = next_ts();
        reply({{"ok", true}, {"channel", channel}, {"ts", ts}});
        sink_({method, std::move(body), ts, {}});
      } else if (method == "chat.update") {
        reply({{"ok", true},
               {"channel", channel},
               {"ts", body.is_object() ? body.value("ts", "") : ""}});
      } else if (method == "chat.postEphemeral") {
        reply({{"ok", true}, {"message_ts", next_ts()}});
        sink_({method, std::move(body), {}, {}});
      } else {
        reply({{"ok", true}});
      }
    } else if (target.starts_with("/slack/webhook/")) {
      count("slack.webhook");
      res.set(http::field::content_type, "text/plain");
      res.body() = "ok";
    } else if (target.starts_with("/slack/response/")) {
      count("slack.response_url");
      reply({{"ok", true}});
      sink_({"response_url", parse(), {}, target.substr(16)});
    } else if (target.starts_with("/discord/api/v10/webhooks/")) {
      // /webhooks/{app}/{token}/messages/@original (PATCH) or /webhooks/{app}/{token} (POST)
      std::string rest = target.substr(26);
      auto slash = rest.find('/');
      std::string token = slash == std::string::npos ? "" : rest.substr(slash + 1);
      bool original = token.ends_with("/messages/@original");
      if (original) token.resize(token.size() - 19);
      std::string route = original ? "edit_original" : "follow_up";
      count("discord." + route);
      json body = parse();
      json answer = body.is_object() ? body : json::object();
      answer["id"] = std::to_string(1200000000000000000ULL + ++messages_);
      reply(answer);
      sink_({route, std::move(body), {}, token});
    } else if (target.starts_with("/discord/api/v10/applications/")) {
      count("discord.register");
      res.result(http::status::created);
      reply({{"id", "1100000000000000001"}});
    } else if (target.starts_with("/discord/webhook/")) {
      count("discord.webhook");
      res.result(http::status::no_content);
      res.erase(http::field::content_type);
    } else {
      count("unknown");
      res.result(http::status::not_found);
      reply({{"ok", false}, {"error", "unknown_method"}});
    }
    return res;
  }

  std::function<void(outbound_call)> sink_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  steady::time_point last_{};
  std::uint64_t messages_ = 0;  // the fake's thread only
  std::int64_t ts_base_ = unix_now();
};

}  // namespace bench
