// The fake chat-platform API that the tests and advisor-bench share: a Beast HTTP server on
// 127.0.0.1 (an ephemeral port unless given one), on its own thread, answering the advisor's
// outbound calls the way Slack and Discord do:
//   Slack:   chat.postMessage gives back the channel and a fresh ts, chat.update the same ts,
//            chat.postEphemeral a message_ts, an incoming webhook "ok", a response_url {"ok":true};
//   Discord: command registration 201 with an id, an interaction's webhook (edit the original,
//            follow up) the message with a fresh id, a channel webhook 204.
// A fake for one platform answers like it at its root (url()/chat.postMessage); a fake for both
// (advisor-bench) takes /slack/... and /discord/... on one port. It names each call's route
// ("chat.postMessage", "slack.webhook", "discord.edit_original", ...), counts calls by route,
// keeps them for the tests (unless told not to) and hands each to a sink when given one; and it
// can be told to answer the next calls with a canned response (429 with Retry-After, 500, ...).
#pragma once

// clang-format off
#include <algorithm>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
// clang-format on

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace advisor::test {

class fake_chat_api {
 public:
  enum class platform { slack, discord, both };

  struct call {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::chrono::steady_clock::time_point at;
    std::string route;  // what the call was, as counted ("chat.postMessage", "discord.follow_up")
    std::string response;  // the body the fake answered with
    std::string ts;        // Slack: the ts a new message got
    std::string token;     // Discord: the interaction token; Slack response_url: what follows it
    nlohmann::json json() const { return nlohmann::json::parse(body); }
    std::string header(const std::string& name) const {
      auto it = headers.find(name);
      return it == headers.end() ? std::string{} : it->second;
    }
  };
  struct canned {
    unsigned status = 200;
    std::optional<std::string> body;  // unset: the platform's empty answer ({"ok":true} or {})
    std::vector<std::pair<std::string, std::string>> headers;
  };
  struct options {
    std::uint16_t port = 0;                 // 0: an ephemeral port
    bool keep_calls = true;                 // false for long runs: only the counts are kept
    std::function<void(const call&)> sink;  // every call, on the fake's thread
  };

  explicit fake_chat_api(platform p) : fake_chat_api(p, options()) {}
  fake_chat_api(platform p, options o) : platform_(p), options_(std::move(o)), acceptor_(ioc_) {
    tcp::endpoint ep{boost::asio::ip::make_address("127.0.0.1"), options_.port};
    boost::beast::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(boost::asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
    if (ec)
      throw std::runtime_error("the fake chat API cannot listen on 127.0.0.1:" +
                               std::to_string(options_.port) + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    do_accept();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~fake_chat_api() {
    ioc_.stop();
    thread_.join();
  }
  fake_chat_api(const fake_chat_api&) = delete;
  fake_chat_api& operator=(const fake_chat_api&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::uint16_t port() const { return port_; }

  // The next calls get these responses, in order; then the platform's normal answers.
  void respond_next(canned c, int times = 1) {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < times; ++i) script_.push_back(c);
  }

  // The next `times` calls to `target` after the next `after` ones are never answered: the
  // caller waits with its connection open (until it gives up, dies, or the fake goes). They
  // are kept apart from calls() (held()), as calls that got no answer.
  void hold_next(std::string target, int times = 1, int after = 0) {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < times; ++i) hold_.push_back(target);
    pass_[target] = after;
  }
  std::vector<call> held() const {
    std::lock_guard lock(mutex_);
    return held_calls_;
  }

  std::vector<call> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  std::vector<call> calls_to(const std::string& target) const {
    std::lock_guard lock(mutex_);
    std::vector<call> out;
    for (const auto& c : calls_)
      if (c.target == target) out.push_back(c);
    return out;
  }
  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return total_;
  }
  // Calls by route, as a JSON object.
  nlohmann::json counts() const {
    std::lock_guard lock(mutex_);
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, v] : counts_) out[k] = v;
    return out;
  }
  std::chrono::steady_clock::time_point last_call() const {
    std::lock_guard lock(mutex_);
    return last_;
  }
  // Waits (generously) until at least n calls have arrived; returns whether they did.
  bool wait_for(std::size_t n,
                std::chrono::milliseconds deadline = std::chrono::seconds(20)) const {
    std::unique_lock lock(mutex_);
    return arrived_.wait_for(lock, deadline, [&] { return total_ >= n; });
  }

 private:
  using tcp = boost::asio::ip::tcp;
  using request = boost::beast::http::request<boost::beast::http::string_body>;
  using response = boost::beast::http::response<boost::beast::http::string_body>;
  static constexpr std::size_t body_limit = 16 * 1024 * 1024;
  static constexpr const char* discord_base = "/discord/api/v10";

  struct session : std::enable_shared_from_this<session> {
    session(tcp::socket s, fake_chat_api& api) : stream(std::move(s)), owner(api) {}
    void read() {
      parser.emplace();
      parser->body_limit(body_limit);
      boost::beast::http::async_read(
          stream, buffer, *parser,
          [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
            if (ec) return;
            self->answer();
          });
    }
    void answer() {
      auto req = parser->release();
      if (owner.held(req, shared_from_this())) return;
      auto res = std::make_shared<response>(owner.handle(req));
      res->version(req.version());
      res->keep_alive(req.keep_alive());
      res->prepare_payload();
      boost::beast::http::async_write(
          stream, *res, [self = shared_from_this(), res](boost::beast::error_code ec, std::size_t) {
            if (ec || !res->keep_alive()) return;
            self->read();
          });
    }
    boost::beast::tcp_stream stream;
    boost::beast::flat_buffer buffer;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser;
    fake_chat_api& owner;
  };

  void do_accept() {
    acceptor_.async_accept([this](boost::beast::error_code ec, tcp::socket s) {
      if (ec) return;
      std::make_shared<session>(std::move(s), *this)->read();
      do_accept();
    });
  }

  // Whether `req` is to be held; then its session is kept, its connection open and silent.
  bool held(const request& req, std::shared_ptr<void> waiting) {
    std::lock_guard lock(mutex_);
    auto it = std::find(hold_.begin(), hold_.end(), std::string(req.target()));
    if (it == hold_.end()) return false;
    if (int& pass = pass_[*it]; pass > 0) {
      --pass;
      return false;
    }
    hold_.erase(it);
    call c;
    c.method = std::string(req.method_string());
    c.target = std::string(req.target());
    c.body = req.body();
    c.at = std::chrono::steady_clock::now();
    held_calls_.push_back(std::move(c));
    held_sessions_.push_back(std::move(waiting));
    arrived_.notify_all();
    return true;
  }

  response handle(const request& req) {
    call c;
    c.method = std::string(req.method_string());
    c.target = std::string(req.target());
    for (const auto& f : req) {
      std::string name(f.name_string());
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      c.headers[name] = std::string(f.value());
    }
    c.body = req.body();
    c.at = std::chrono::steady_clock::now();

    canned answer = normal_answer(c);  // names the route (and a ts or an id) in any case
    {
      std::lock_guard lock(mutex_);
      if (!script_.empty()) {
        canned next = script_.front();
        script_.pop_front();
        if (!next.body) next.body = is_slack(c.target) ? R"({"ok":true})" : "{}";
        answer = std::move(next);
      }
      c.response = answer.body.value_or("");
      ++counts_[c.route];
      ++total_;
      last_ = c.at;
      if (options_.keep_calls) calls_.push_back(c);
    }
    arrived_.notify_all();
    if (options_.sink) options_.sink(c);
    response res{static_cast<boost::beast::http::status>(answer.status), 11};
    if (answer.status != 204)
      res.set(boost::beast::http::field::content_type, answer.body && answer.body->starts_with("{")
                                                           ? "application/json; charset=utf-8"
                                                           : "text/plain");
    for (const auto& [k, v] : answer.headers) res.set(k, v);
    res.body() = answer.body.value_or("");
    return res;
  }

  bool is_slack(const std::string& target) const {
    if (platform_ == platform::both) return target.starts_with("/slack/");
    return platform_ == platform::slack;
  }

  canned normal_answer(call& c) {
    if (platform_ == platform::both && !c.target.starts_with("/slack/") &&
        !c.target.starts_with("/discord/")) {
      c.route = "unknown";
      return {404, R"({"ok":false,"error":"unknown_method"})", {}};
    }
    return is_slack(c.target) ? slack_answer(c) : discord_answer(c);
  }

  // Slack's answers: chat.postMessage gives back the channel and a new message ts.
  canned slack_answer(call& c) {
    canned answer{200, R"({"ok":true})", {}};
    nlohmann::json body = nlohmann::json::parse(c.body, nullptr, false);
    std::string channel = body.is_object() ? body.value("channel", "") : "";
    auto slash = c.target.rfind('/');
    std::string last = c.target.substr(slash + 1);
    if (auto at = c.target.find("/response/"); at != std::string::npos) {
      c.route = "slack.response_url";
      c.token = c.target.substr(at + 10);
    } else if (c.target.find("/webhook") != std::string::npos) {
      c.route = "slack.webhook";
      answer.body = "ok";
    } else if (last == "chat.postMessage") {
      c.route = last;
      c.ts = next_ts();
      answer.body = nlohmann::json{{"ok", true}, {"channel", channel}, {"ts", c.ts}}.dump();
    } else if (last == "chat.update") {
      c.route = last;
      answer.body = nlohmann::json{{"ok", true},
                                   {"channel", channel},
                                   {"ts", body.is_object() ? body.value("ts", "") : ""}}
                        .dump();
    } else if (last == "chat.postEphemeral") {
      c.route = last;
      answer.body = nlohmann::json{{"ok", true}, {"message_ts", next_ts()}}.dump();
    } else {
      c.route = last;
    }
    return answer;
  }

  // Discord's answers: a created command, an edited or created message, an empty 204 for the
  // rest (a channel webhook, an interaction callback).
  canned discord_answer(call& c) {
    canned answer{204, "", {}};
    nlohmann::json body = nlohmann::json::parse(c.body, nullptr, false);
    nlohmann::json echo = body.is_object() ? body : nlohmann::json::object();
    // Under the API base (the root, or /discord/api/v10 for a fake of both platforms).
    std::string path = c.target;
    if (platform_ == platform::both && path.starts_with(discord_base))
      path.erase(0, std::string_view(discord_base).size());
    if (path.starts_with("/webhooks/")) {
      // /webhooks/{app}/{token}/messages/@original (PATCH) or /webhooks/{app}/{token} (POST)
      std::string rest = path.substr(10);
      auto slash = rest.find('/');
      c.token = slash == std::string::npos ? "" : rest.substr(slash + 1);
      bool original = c.token.ends_with("/messages/@original");
      if (original) c.token.resize(c.token.size() - 19);
      c.route = original ? "discord.edit_original" : "discord.follow_up";
      echo["id"] = std::to_string(1200000000000000000ULL + ++messages_);
      answer = {200, echo.dump(), {}};
    } else if (path.starts_with("/applications/") || path.find("/commands") != std::string::npos) {
      c.route = "discord.register";
      echo["id"] = "1100000000000000001";
      answer = {201, echo.dump(), {}};
    } else {
      c.route = "discord.webhook";
    }
    return answer;
  }

  // Unique and increasing, like Slack's: seconds since the epoch, a dot, six digits.
  std::string next_ts() {
    ++messages_;
    std::string frac = std::to_string(messages_ % 1000000);
    return std::to_string(ts_base_ + static_cast<std::int64_t>(messages_ / 1000000)) + "." +
           std::string(6 - frac.size(), '0') + frac;
  }

  platform platform_;
  options options_;
  boost::asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  std::vector<call> calls_;
  std::deque<canned> script_;
  std::map<std::string, std::uint64_t> counts_;
  std::size_t total_ = 0;
  std::chrono::steady_clock::time_point last_{};
  std::uint64_t messages_ = 0;  // the fake's thread only
  std::int64_t ts_base_ = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  std::vector<std::string> hold_;
  std::map<std::string, int> pass_;  // hold_next: calls to let through first, by target
  std::vector<call> held_calls_;
  std::vector<std::shared_ptr<void>> held_sessions_;  // gone before the io_context
};

// The tests' fakes: one platform each, on an ephemeral port, every call kept.
struct fake_slack_api : fake_chat_api {
  fake_slack_api() : fake_chat_api(platform::slack) {}
};
struct fake_discord : fake_chat_api {
  fake_discord() : fake_chat_api(platform::discord) {}
};

}  // namespace advisor::test
