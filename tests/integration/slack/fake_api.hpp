// A fake Slack Web API (and incoming webhook) for tests: a Beast HTTP server on 127.0.0.1 and
// an ephemeral port, on its own thread. It records every call and answers like Slack does
// (chat.postMessage returns a channel and a fresh ts); it can be told to answer the next calls
// with a canned response (429 with Retry-After, 500, {"ok":false}).
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <vector>

namespace advisor::test {

class fake_api {
 public:
  struct call {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::chrono::steady_clock::time_point at;
    std::string response;  // the body the fake answered with
    nlohmann::json json() const { return nlohmann::json::parse(body); }
    std::string header(const std::string& name) const {
      auto it = headers.find(name);
      return it == headers.end() ? std::string{} : it->second;
    }
  };
  struct canned {
    unsigned status = 200;
    std::string body = R"({"ok":true})";
    std::vector<std::pair<std::string, std::string>> headers;
  };

  fake_api() : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    do_accept();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~fake_api() {
    ioc_.stop();
    thread_.join();
  }
  fake_api(const fake_api&) = delete;
  fake_api& operator=(const fake_api&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::uint16_t port() const { return port_; }

  // The next calls get these responses, in order; then the normal Slack-like answers.
  void respond_next(canned c, int times = 1) {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < times; ++i) script_.push_back(c);
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
    return calls_.size();
  }
  // Waits (generously) until at least n calls have arrived; returns whether they did.
  bool wait_for(std::size_t n,
                std::chrono::milliseconds deadline = std::chrono::seconds(20)) const {
    std::unique_lock lock(mutex_);
    return arrived_.wait_for(lock, deadline, [&] { return calls_.size() >= n; });
  }

 private:
  using tcp = boost::asio::ip::tcp;
  struct session : std::enable_shared_from_this<session> {
    session(tcp::socket s, fake_api& api) : stream(std::move(s)), owner(api) {}
    void read() {
      req = {};
      boost::beast::http::async_read(
          stream, buffer, req,
          [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
            if (ec) return;
            self->answer();
          });
    }
    void answer() {
      auto res = std::make_shared<boost::beast::http::response<boost::beast::http::string_body>>(
          owner.handle(req));
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
    boost::beast::http::request<boost::beast::http::string_body> req;
    fake_api& owner;
  };

  void do_accept() {
    acceptor_.async_accept([this](boost::beast::error_code ec, tcp::socket s) {
      if (ec) return;
      std::make_shared<session>(std::move(s), *this)->read();
      do_accept();
    });
  }

  boost::beast::http::response<boost::beast::http::string_body> handle(
      const boost::beast::http::request<boost::beast::http::string_body>& req) {
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

    canned answer;
    {
      std::lock_guard lock(mutex_);
      if (!script_.empty()) {
        answer = script_.front();
        script_.pop_front();
      } else {
        answer = normal_answer(c);
      }
      c.response = answer.body;
      calls_.push_back(std::move(c));
    }
    arrived_.notify_all();
    boost::beast::http::response<boost::beast::http::string_body> res{
        static_cast<boost::beast::http::status>(answer.status), 11};
    res.set(boost::beast::http::field::content_type, "application/json; charset=utf-8");
    for (const auto& [k, v] : answer.headers) res.set(k, v);
    res.body() = answer.body;
    return res;
  }

  // Slack's answers: chat.postMessage gives back the channel and a new message ts.
  canned normal_answer(const call& c) {
    canned answer;
    if (c.target.ends_with("/chat.postMessage") || c.target.ends_with("/chat.update")) {
      nlohmann::json body = nlohmann::json::parse(c.body, nullptr, false);
      nlohmann::json out = {{"ok", true}};
      if (body.is_object()) out["channel"] = body.value("channel", "");
      if (c.target.ends_with("/chat.postMessage")) {
        ++ts_;
        out["ts"] = "1700000000." + std::to_string(100000 + ts_);
      } else if (body.is_object()) {
        out["ts"] = body.value("ts", "");
      }
      answer.body = out.dump();
    } else if (!c.target.ends_with("/api") && c.target.find("/webhook") != std::string::npos) {
      answer.body = "ok";
    }
    return answer;
  }

  boost::asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  std::vector<call> calls_;
  std::deque<canned> script_;
  int ts_ = 0;
};

}  // namespace advisor::test
