#include "chat.hpp"

#include <boost/beast/http.hpp>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>

#include "fake_chat_api.hpp"
#include "request_signing.hpp"

namespace bench {

namespace http = beast::http;

namespace {

// An outbound call the advisor made, as the driver needs it.
struct outbound_call {
  std::string route;  // "chat.postMessage", "edit_original", "response_url", ...
  json body;          // parsed JSON body (null when not JSON)
  std::string ts;     // Slack: the ts the fake gave a new message
  std::string token;  // Discord: the interaction token; Slack response_url: the slot
};

// The calls a conversation follows (a posted question, an edited Discord response), as the
// driver reads them; the fake's other calls are only counted.
std::optional<outbound_call> followed(const advisor::test::fake_chat_api::call& call) {
  static const std::map<std::string, std::string> routes{
      {"chat.postMessage", "chat.postMessage"},
      {"chat.postEphemeral", "chat.postEphemeral"},
      {"slack.response_url", "response_url"},
      {"discord.edit_original", "edit_original"},
      {"discord.follow_up", "follow_up"}};
  auto it = routes.find(call.route);
  if (it == routes.end()) return std::nullopt;
  return outbound_call{it->second, json::parse(call.body, nullptr, false), call.ts, call.token};
}

// ---- keep-alive HTTP/1.1 connections --------------------------------------------------------

enum class job_kind { command, click, text };

struct http_job {
  job_kind kind = job_kind::command;
  std::string target, content_type, body;
  steady::time_point scheduled;
  std::size_t slot = 0;
  std::uint64_t gen = 0;
};

struct http_result {
  unsigned status = 0;  // 0: no response (transport error)
  std::string body, content_type, error;
};

// `size` connections to one endpoint; jobs wait in a queue for a free connection (their
// latency counts from their scheduled time, queueing included). A broken connection is
// reopened; its job fails.
class http_pool {
 public:
  using sign_fn = std::function<void(http::request<http::string_body>&)>;
  using done_fn = std::function<void(http_job&, http_result&)>;

  http_pool(net::io_context& ioc, tcp::endpoint ep, unsigned size, sign_fn sign, done_fn done)
      : ioc_(ioc),
        ep_(ep),
        host_(ep.address().to_string() + ":" + std::to_string(ep.port())),
        size_(size),
        sign_(std::move(sign)),
        done_(std::move(done)) {}

  // Opens every connection; `then(open)` runs after the last attempt.
  void connect(std::function<void(unsigned)> then) {
    auto left = std::make_shared<unsigned>(size_);
    for (unsigned i = 0; i < size_; ++i) {
      auto c = std::make_shared<conn>(*this);
      c->open([this, c, left, then](bool ok) {
        if (ok) idle_.push_back(c);
        if (--*left == 0) then(static_cast<unsigned>(idle_.size()));
      });
    }
  }

  void submit(http_job j) {
    ++outstanding_;
    queue_.push_back(std::move(j));
    pump();
  }
  std::size_t outstanding() const { return outstanding_; }
  std::size_t queued() const { return queue_.size(); }
  std::size_t max_queued() const { return max_queued_; }
  std::uint64_t reconnects() const { return reconnects_; }
  void close() {
    closing_ = true;
    for (auto& c : idle_) c->close();
    idle_.clear();
  }

 private:
  struct conn : std::enable_shared_from_this<conn> {
    explicit conn(http_pool& p) : pool(p), stream(p.ioc_) {}
    void open(std::function<void(bool)> then) {
      stream.expires_after(std::chrono::seconds(10));
      stream.async_connect(pool.ep_,
                           [self = shared_from_this(), then](beast::error_code ec) { then(!ec); });
    }
    void run(http_job j) {
      job = std::move(j);
      req = {};
      req.method(http::verb::post);
      req.target(job.target);
      req.version(11);
      req.set(http::field::host, pool.host_);
      req.set(http::field::user_agent, "advisor-bench");
      req.set(http::field::content_type, job.content_type);
      req.keep_alive(true);
      req.body() = job.body;
      pool.sign_(req);
      req.prepare_payload();
      stream.expires_after(std::chrono::seconds(30));
      http::async_write(
          stream, req, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->fail(ec);
            self->parser.emplace();
            self->parser->body_limit(16 * 1024 * 1024);
            http::async_read(self->stream, self->buffer, *self->parser,
                             [self](beast::error_code e, std::size_t) {
                               if (e) return self->fail(e);
                               auto res = self->parser->release();
                               http_result r{res.result_int(),
                                             std::move(res.body()),
                                             std::string(res[http::field::content_type]),
                                             {}};
                               bool keep = res.keep_alive();
                               self->pool.finish(self->job, r);
                               if (keep)
                                 self->pool.release(self);
                               else
                                 self->reopen();
                             });
          });
    }
    void fail(beast::error_code ec) {
      http_result r;
      r.error = ec.message();
      pool.finish(job, r);
      reopen();
    }
    void reopen() {
      ++pool.reconnects_;
      beast::error_code ignored;
      stream.socket().close(ignored);
      buffer.clear();
      if (pool.closing_) return;
      open([self = shared_from_this()](bool ok) {
        if (ok) self->pool.release(self);
      });
    }
    void close() {
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream.socket().close(ignored);
    }
    http_pool& pool;
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    std::optional<http::response_parser<http::string_body>> parser;
    http_job job;
  };

  void finish(http_job& j, http_result& r) {
    --outstanding_;
    done_(j, r);
  }
  void release(std::shared_ptr<conn> c) {
    if (closing_) return c->close();
    idle_.push_back(std::move(c));
    pump();
  }
  void pump() {
    max_queued_ = std::max(max_queued_, queue_.size());
    while (!queue_.empty() && !idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      http_job j = std::move(queue_.front());
      queue_.pop_front();
      c->run(std::move(j));
    }
  }

  net::io_context& ioc_;
  tcp::endpoint ep_;
  std::string host_;
  unsigned size_;
  sign_fn sign_;
  done_fn done_;
  std::vector<std::shared_ptr<conn>> idle_;
  std::deque<http_job> queue_;
  std::size_t outstanding_ = 0, max_queued_ = 0;
  std::uint64_t reconnects_ = 0;
  bool closing_ = false;
};

// ---- the conversations ---------------------------------------------------------------------

std::string str(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// Opening sentences some conversations start with (the advisor reads answers from them).
const std::vector<std::string> openings = {
    "we are a startup building a real-time chat app",
    "an established company, our team knows Python best, building a data pipeline",
    "small team of JavaScript developers making an API for a mobile app",
};

constexpr std::string_view bot_user = "UBENCHBOT";

// One simulated person (in a channel of their own). Between two requests it waits for the
// acknowledgement and, where the reply comes separately (Slack, a deferred Discord turn),
// for the reply; then it is ready for its next request.
struct slot {
  std::string team, guild, channel, user;
  bool dm = false;
  bool want_command = true;  // the next request starts a conversation
  json next;                 // what the next click answers (the message with its buttons)
  bool ack_pending = false, reply_pending = false, dead = false;
  std::uint64_t gen = 0;
  steady::time_point since;  // the pending request's scheduled time
};

struct counters {
  std::uint64_t requests = 0, acks = 0, non_2xx = 0, transport_errors = 0, lost_replies = 0;
  std::uint64_t commands = 0, clicks = 0, texts = 0, conversations = 0, failed_turns = 0,
                unexpected = 0;
  std::uint64_t deferred = 0;
  std::map<std::string, std::uint64_t> statuses;  // non-2xx by status
  std::string first_error;
};

class driver {
 public:
  explicit driver(const chat_options& o)
      : o_(o),
        rng_(o.seed),
        run_tag_(std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count() %
                                1'000'000'000)),
        pool_(
            ioc_, tcp::endpoint{net::ip::make_address(o.host), o.port}, o.connections,
            [this](http::request<http::string_body>& r) { sign(r); },
            [this](http_job& j, http_result& r) { on_done(j, r); }),
        tick_(ioc_),
        sweep_(ioc_),
        end_(ioc_) {
    if (o.kind == chat_kind::discord)
      discord_key_ = std::make_unique<advisor::test::ed25519_key>(o.discord_seed);
  }

  json run() {
    advisor::test::fake_chat_api::options fake;
    fake.port = o_.fake_api_port;
    fake.keep_calls = false;  // a run makes calls by the hundred thousand
    fake.sink = [this](const advisor::test::fake_chat_api::call& call) {
      auto c = followed(call);
      if (!c) return;
      net::post(ioc_, [this, c = std::move(*c)]() mutable { on_outbound(c); });
    };
    fake_ = std::make_unique<advisor::test::fake_chat_api>(
        advisor::test::fake_chat_api::platform::both, std::move(fake));
    std::cerr << "advisor-bench: fake API on http://127.0.0.1:" << fake_->port() << std::endl;
    bool connected = false;
    pool_.connect([&](unsigned open) {
      connected = open > 0;
      if (open < o_.connections)
        std::cerr << "advisor-bench: " << (o_.connections - open) << " of " << o_.connections
                  << " connections failed to open\n";
      if (connected) start();
    });
    ioc_.run();
    // Outbound calls that follow the last reply (the webhook after a card) still reach the
    // fake: it stays up until it has been quiet for a moment.
    auto quiet_since = steady::now();
    while (steady::now() - quiet_since < std::chrono::seconds(3)) {
      auto last = fake_->last_call();
      if (steady::now() - std::max(last, quiet_since - std::chrono::seconds(3)) >
          std::chrono::milliseconds(300))
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    json calls = fake_->counts();
    std::uint64_t total = fake_->count();
    std::uint16_t fake_port = fake_->port();
    fake_.reset();
    if (!connected)
      throw std::runtime_error("no connection to 127.0.0.1:" + std::to_string(o_.port) +
                               " could be opened");
    return summary(calls, total, fake_port);
  }

 private:
  bool slack() const { return o_.kind == chat_kind::slack; }

  void start() {
    started_ = steady::now();
    deadline_ = started_ + to_duration(o_.seconds);
    running_ = true;
    if (o_.rate > 0) {
      next_tick();
    } else {
      for (unsigned i = 0; i < o_.connections; ++i) issue(new_slot(), started_);
    }
    sweep();
    end_.expires_at(deadline_);
    end_.async_wait([this](beast::error_code ec) {
      if (!ec) stop_issuing();
    });
  }

  void stop_issuing() {
    if (stopping_) return;
    stopping_ = true;
    running_ = false;
    tick_.cancel();
    ended_ = std::min(steady::now(), deadline_);
    drain();
  }

  // Waits for the answers in flight, at most drain_time.
  void drain() {
    if (pool_.outstanding() == 0 && replies_outstanding_ == 0) return finish();
    if (steady::now() > deadline_ + drain_time) return finish();
    end_.expires_after(std::chrono::milliseconds(10));
    end_.async_wait([this](beast::error_code) { drain(); });
  }

  void finish() {
    unanswered_ = pool_.outstanding();
    replies_left_ = replies_outstanding_;
    sweep_.cancel();
    pool_.close();
    ioc_.stop();
  }

  // Open loop: request i is due at started_ + i / rate, whatever the answers do.
  void next_tick() {
    auto now = steady::now();
    while (running_) {
      auto due = started_ + to_duration(static_cast<double>(issued_) / o_.rate);
      if (due >= deadline_ || counts_.requests >= o_.max_requests) return;
      if (due > now) {
        tick_.expires_at(due);
        tick_.async_wait([this](beast::error_code ec) {
          if (!ec) next_tick();
        });
        return;
      }
      ++issued_;
      std::size_t s = ready_.empty() ? new_slot() : take_ready();
      issue(s, due);
    }
  }

  std::size_t take_ready() {
    std::size_t s = ready_.front();
    ready_.pop_front();
    return s;
  }

  std::size_t new_slot() {
    std::size_t i = slots_.size();
    std::string n = std::to_string(i) + "R" + run_tag_;
    slot s;
    s.team = "T" + std::to_string(i % 20) + "R" + run_tag_;
    s.dm = !slack() && i % 10 == 9;
    s.guild = s.dm ? "" : std::to_string(900000000000000000ULL + i % 20);
    s.channel = (s.dm ? "D" : "C") + n;
    s.user = "U" + n;
    slots_.push_back(std::move(s));
    return i;
  }

  // Closed loop: a user whose conversation failed is replaced by a new one.
  void replace(std::size_t) {
    if (o_.rate == 0 && running_) issue(new_slot(), steady::now());
  }

  void issue(std::size_t i, steady::time_point scheduled) {
    if (counts_.requests >= o_.max_requests) return;
    slot& s = slots_[i];
    http_job j = slack() ? slack_request(i, s) : discord_request(i, s);
    j.scheduled = scheduled;
    j.slot = i;
    j.gen = ++s.gen;
    s.ack_pending = true;
    s.reply_pending = true;
    s.since = scheduled;
    ++replies_outstanding_;
    waiting_.push_back({i, s.gen, scheduled});
    if (++counts_.requests == o_.max_requests) net::post(ioc_, [this] { stop_issuing(); });
    if (j.kind == job_kind::command) ++counts_.commands;
    if (j.kind == job_kind::click) ++counts_.clicks;
    if (j.kind == job_kind::text) ++counts_.texts;
    pool_.submit(std::move(j));
  }

  void on_done(http_job& j, http_result& r) {
    slot& s = slots_[j.slot];
    bool ok = r.status >= 200 && r.status < 300;
    if (ok) {
      ++counts_.acks;
      acks_.add(steady::now() - j.scheduled);
    } else if (r.status == 0) {
      ++counts_.transport_errors;
      if (counts_.first_error.empty()) counts_.first_error = "transport: " + r.error;
    } else {
      ++counts_.non_2xx;
      ++counts_.statuses[std::to_string(r.status)];
      if (counts_.first_error.empty())
        counts_.first_error = std::to_string(r.status) + " " + r.body.substr(0, 300);
    }
    if (s.gen != j.gen || s.dead) return;
    s.ack_pending = false;
    if (!ok) return kill(j.slot);
    if (!slack()) discord_ack(j.slot, s, r);
    maybe_ready(j.slot);
  }

  // A conversation that cannot go on: its reply (if awaited) is written off.
  void kill(std::size_t i) {
    slot& s = slots_[i];
    if (s.dead) return;
    s.dead = true;
    if (s.reply_pending) {
      s.reply_pending = false;
      --replies_outstanding_;
    }
    replace(i);
  }

  void got_reply(slot& s) {
    if (!s.reply_pending) {
      ++counts_.unexpected;
      return;
    }
    s.reply_pending = false;
    --replies_outstanding_;
    replies_.add(steady::now() - s.since);
  }

  void maybe_ready(std::size_t i) {
    slot& s = slots_[i];
    if (s.dead || s.ack_pending || s.reply_pending || !running_) return;
    if (o_.rate > 0)
      ready_.push_back(i);
    else
      issue(i, steady::now());
  }

  // Conversations whose reply never came are counted lost.
  void sweep() {
    auto now = steady::now();
    auto limit = to_duration(o_.reply_timeout);
    while (!waiting_.empty() && now - waiting_.front().since > limit) {
      auto w = waiting_.front();
      waiting_.pop_front();
      slot& s = slots_[w.slot];
      if (s.gen == w.gen && !s.dead && (s.ack_pending || s.reply_pending)) {
        ++counts_.lost_replies;
        kill(w.slot);
      }
    }
    while (!waiting_.empty()) {  // answered ones need no watching
      auto& w = waiting_.front();
      const slot& s = slots_[w.slot];
      if (s.gen == w.gen && !s.dead && (s.ack_pending || s.reply_pending)) break;
      waiting_.pop_front();
    }
    sweep_.expires_after(std::chrono::milliseconds(100));
    sweep_.async_wait([this](beast::error_code ec) {
      if (!ec) sweep();
    });
  }

  void on_outbound(outbound_call& c) {
    if (slack())
      slack_outbound(c);
    else
      discord_outbound(c);
  }

  // Which of the options to take: confirm at the review, else one at random.
  template <typename Options>
  std::size_t pick(const Options& options, const std::string& question) {
    if (question == "review")
      for (std::size_t i = 0; i < options.size(); ++i)
        if (options[i] == "confirm") return i;
    return std::uniform_int_distribution<std::size_t>(0, options.size() - 1)(rng_);
  }
  bool type_this_one() { return std::uniform_int_distribution<int>(0, 7)(rng_) == 0; }

  // ---- Slack ----

  // "C<slot>R<run tag>" back to the slot.
  std::optional<std::size_t> slack_slot(const std::string& channel) {
    auto r = channel.find('R');
    if (channel.size() < 2 || r == std::string::npos ||
        channel.compare(r + 1, std::string::npos, run_tag_) != 0)
      return std::nullopt;
    try {
      std::size_t i = std::stoull(channel.substr(1, r - 1));
      if (i >= slots_.size()) return std::nullopt;
      return i;
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }

  http_job slack_request(std::size_t i, slot& s) {
    http_job j;
    std::string fake = "http://127.0.0.1:" + std::to_string(fake_->port());
    // The buttons of the message the advisor posted last.
    std::vector<std::string> options;
    std::vector<const json*> buttons, blocks;
    std::string question;
    if (!s.want_command && s.next.is_object())
      for (const auto& b : s.next["blocks"]) {
        if (str(b, "type") != "actions") continue;
        for (const auto& e : b["elements"]) {
          json v = json::parse(str(e, "value"), nullptr, false);
          if (!v.is_object()) continue;
          question = str(v, "q");
          options.push_back(str(v, "o"));
          buttons.push_back(&e);
          blocks.push_back(&b);
        }
      }
    if (options.empty()) {
      j.kind = job_kind::command;
      j.target = "/slack/commands";
      j.content_type = "application/x-www-form-urlencoded";
      std::string text =
          std::uniform_int_distribution<int>(0, 3)(rng_) == 0
              ? openings[std::uniform_int_distribution<std::size_t>(0, openings.size() - 1)(rng_)]
              : std::string();
      std::string trigger = std::to_string(++sequence_) + ".738474920.8088930838d88f008e0";
      j.body = advisor::test::form({{"token", "benchVerificationToken"},
                                    {"team_id", s.team},
                                    {"team_domain", "bench"},
                                    {"channel_id", s.channel},
                                    {"channel_name", "bench"},
                                    {"user_id", s.user},
                                    {"user_name", "bench-user"},
                                    {"command", "/advisor"},
                                    {"text", text},
                                    {"api_app_id", "ABENCH"},
                                    {"is_enterprise_install", "false"},
                                    {"response_url", fake + "/slack/response/" + std::to_string(i)},
                                    {"trigger_id", trigger}});
      return j;
    }
    const json& msg = s.next;
    std::size_t k = pick(options, question);
    std::string thread = str(msg, "thread_ts");
    if (type_this_one()) {
      // The answer in words: a mention in the thread, "@Advisor 2".
      j.kind = job_kind::text;
      j.target = "/slack/events";
      j.content_type = "application/json";
      std::string ts =
          std::to_string(unix_now()) + "." + std::to_string(100000 + ++sequence_ % 900000);
      json event = {{"type", "app_mention"},
                    {"user", s.user},
                    {"text", "<@" + std::string(bot_user) + "> " + std::to_string(k + 1)},
                    {"ts", ts},
                    {"team", s.team},
                    {"channel", s.channel},
                    {"event_ts", ts},
                    {"thread_ts", thread}};
      j.body = json{
          {"token", "benchVerificationToken"},
          {"team_id", s.team},
          {"api_app_id", "ABENCH"},
          {"event", std::move(event)},
          {"type", "event_callback"},
          {"event_id", "Ev" + run_tag_ + "N" + std::to_string(++sequence_)},
          {"event_time", unix_now()},
          {"authorizations", json::array({{{"enterprise_id", nullptr},
                                           {"team_id", s.team},
                                           {"user_id", bot_user},
                                           {"is_bot", true},
                                           {"is_enterprise_install", false}}})},
          {"is_ext_shared_channel",
           false}}.dump();
      return j;
    }
    j.kind = job_kind::click;
    j.target = "/slack/interactions";
    j.content_type = "application/x-www-form-urlencoded";
    const json& button = *buttons[k];
    std::string ts = str(msg, "ts");
    json message = {
        {"type", "message"},  {"subtype", "bot_message"}, {"text", msg.value("text", "")},
        {"ts", ts},           {"bot_id", "BBENCH"},       {"blocks", msg["blocks"]},
        {"thread_ts", thread}};
    json payload = {
        {"type", "block_actions"},
        {"user",
         {{"id", s.user}, {"username", "bench-user"}, {"name", "bench-user"}, {"team_id", s.team}}},
        {"api_app_id", "ABENCH"},
        {"token", "benchVerificationToken"},
        {"container",
         {{"type", "message"},
          {"message_ts", ts},
          {"channel_id", s.channel},
          {"is_ephemeral", false},
          {"thread_ts", thread}}},
        {"trigger_id", std::to_string(++sequence_) + ".738474920.8088930838d88f008e0"},
        {"team", {{"id", s.team}, {"domain", "bench"}}},
        {"enterprise", nullptr},
        {"is_enterprise_install", false},
        {"channel", {{"id", s.channel}, {"name", "bench"}}},
        {"message", std::move(message)},
        {"state", {{"values", json::object()}}},
        {"response_url", "http://127.0.0.1:" + std::to_string(fake_->port()) + "/slack/response/" +
                             std::to_string(i)},
        {"actions", json::array({{{"action_id", button["action_id"]},
                                  {"block_id", (*blocks[k])["block_id"]},
                                  {"text", button["text"]},
                                  {"value", button["value"]},
                                  {"type", "button"},
                                  {"action_ts", std::to_string(unix_now()) + ".000001"}}})}};
    j.body = advisor::test::form({{"payload", payload.dump()}});
    return j;
  }

  void slack_outbound(outbound_call& c) {
    if (c.route == "response_url") {
      // The advisor could not post in the channel and said so privately.
      std::size_t i = std::stoull(c.token);
      if (i >= slots_.size()) return;
      return slack_failed(i);
    }
    std::string channel = str(c.body, "channel");
    auto i = slack_slot(channel);
    if (!i) return;
    slot& s = slots_[*i];
    if (s.dead) return;
    if (c.route == "chat.postEphemeral") return slack_failed(*i);
    if (c.route != "chat.postMessage") return;
    const json& blocks = c.body.contains("blocks") ? c.body["blocks"] : json();
    if (!blocks.is_array()) {
      if (str(c.body, "thread_ts").empty()) return;  // the thread's root message
      return slack_failed(*i);                       // "Sorry, something went wrong"
    }
    bool card = false, buttons = false;
    for (const auto& b : blocks) {
      card |= str(b, "type") == "header";
      buttons |= str(b, "type") == "actions";
    }
    if (card) {
      ++counts_.conversations;
      s.want_command = true;
      s.next = nullptr;
    } else if (buttons) {
      json next = std::move(c.body);
      next["ts"] = c.ts;
      s.next = std::move(next);
      s.want_command = false;
    } else {
      return slack_failed(*i);
    }
    got_reply(s);
    maybe_ready(*i);
  }

  void slack_failed(std::size_t i) {
    slot& s = slots_[i];
    if (s.dead) return;
    ++counts_.failed_turns;
    s.want_command = true;
    s.next = nullptr;
    got_reply(s);
    maybe_ready(i);
  }

  // ---- Discord ----

  http_job discord_request(std::size_t i, slot& s) {
    http_job j;
    j.target = "/discord/interactions";
    j.content_type = "application/json";
    json in = {{"id", std::to_string(2000000000000000000ULL + ++sequence_)},
               {"application_id", o_.discord_app_id},
               {"token", "bench-" + std::to_string(i) + "-" + std::to_string(s.gen + 1)},
               {"version", 1},
               {"channel_id", s.channel},
               {"locale", "en-US"}};
    if (s.dm) {
      in["user"] = {{"id", s.user}, {"username", "bench" + s.user}};
    } else {
      in["guild_id"] = s.guild;
      in["member"] = {{"user", {{"id", s.user}, {"username", "bench" + s.user}}},
                      {"roles", json::array()}};
    }
    std::vector<std::string> ids, options;
    std::vector<int> kinds;
    std::string question;
    if (!s.want_command && s.next.is_object()) {
      for (const auto& row : s.next.value("components", json::array()))
        for (const auto& c : row.value("components", json::array())) {
          std::string id = str(c, "custom_id");
          // adv:<conversation>:<question>:<option>
          auto c1 = id.find(':'), c2 = id.find(':', c1 + 1), c3 = id.find(':', c2 + 1);
          if (c3 == std::string::npos) continue;
          std::string option = id.substr(c3 + 1);
          if (c.value("type", 0) == 3) {  // a select menu: its options' values
            for (const auto& o : c.value("options", json::array())) {
              ids.push_back(id);
              options.push_back(str(o, "value"));
              kinds.push_back(3);
            }
            question = id.substr(c2 + 1, c3 - c2 - 1);
            continue;
          }
          if (option.starts_with("!")) continue;  // back, why
          question = id.substr(c2 + 1, c3 - c2 - 1);
          ids.push_back(id);
          options.push_back(option);
          kinds.push_back(2);
        }
    }
    if (ids.empty()) {
      j.kind = job_kind::command;
      in["type"] = 2;
      in["data"] = {{"id", "1100000000000000001"}, {"name", "advisor"}, {"type", 1}};
      if (std::uniform_int_distribution<int>(0, 3)(rng_) == 0)
        in["data"]["options"] =
            json::array({{{"name", "text"},
                          {"type", 3},
                          {"value", openings[std::uniform_int_distribution<std::size_t>(
                                        0, openings.size() - 1)(rng_)]}}});
    } else {
      std::size_t k = pick(options, question);
      if (type_this_one()) {  // "/advisor text:2"
        j.kind = job_kind::text;
        in["type"] = 2;
        in["data"] = {
            {"id", "1100000000000000001"},
            {"name", "advisor"},
            {"type", 1},
            {"options",
             json::array({{{"name", "text"}, {"type", 3}, {"value", std::to_string(k + 1)}}})}};
      } else {
        j.kind = job_kind::click;
        in["type"] = 3;
        in["data"] = {{"custom_id", ids[k]}, {"component_type", kinds[k]}};
        if (kinds[k] == 3) in["data"]["values"] = json::array({options[k]});
        in["message"] = {
            {"id", std::to_string(3000000000000000000ULL + sequence_)},
            {"channel_id", s.channel},
            {"interaction_metadata", {{"id", "1"}, {"type", 2}, {"user", {{"id", s.user}}}}}};
      }
    }
    j.body = in.dump();
    return j;
  }

  // A message the advisor sent for slot s: the next question, the card, or a note to its user.
  void discord_message(slot& s, const json& data) {
    if (!data.is_object() || (data.value("flags", 0) & 64)) {
      ++counts_.failed_turns;  // only the clicker sees it: stale, someone else's, or a failure
      s.want_command = true;
      s.next = nullptr;
      return;
    }
    bool card = false, choices = false;
    for (const auto& row : data.value("components", json::array()))
      for (const auto& c : row.value("components", json::array())) {
        std::string id = str(c, "custom_id");
        card |= id.ends_with(":restart") || id.ends_with(":summary");
        choices = true;
      }
    if (card) {
      ++counts_.conversations;
      s.want_command = true;
      s.next = nullptr;
    } else if (choices) {
      s.want_command = false;
      s.next = data;
    } else {
      ++counts_.failed_turns;
      s.want_command = true;
      s.next = nullptr;
    }
  }

  void discord_ack(std::size_t, slot& s, http_result& r) {
    if (!r.content_type.starts_with(
            "application/json")) {  // a file (decision record): not asked for
      ++counts_.unexpected;
      s.want_command = true;
      return got_reply(s);
    }
    json res = json::parse(r.body, nullptr, false);
    int type = res.is_object() ? res.value("type", 0) : 0;
    if (type == 5 || type == 6) {  // deferred: the reply comes through the interaction webhook
      ++counts_.deferred;
      return;
    }
    discord_message(s, res.is_object() && res.contains("data") ? res["data"] : json());
    got_reply(s);
  }

  void discord_outbound(outbound_call& c) {
    if (c.route != "edit_original" && c.route != "follow_up") return;
    // token: bench-<slot>-<gen>
    auto a = c.token.find('-'), b = c.token.rfind('-');
    if (!c.token.starts_with("bench-") || a == b) return;
    std::size_t i = std::stoull(c.token.substr(a + 1, b - a - 1));
    std::uint64_t gen = std::stoull(c.token.substr(b + 1));
    if (i >= slots_.size()) return;
    slot& s = slots_[i];
    if (s.dead || s.gen != gen || !s.reply_pending) return;
    discord_message(s, c.body);
    got_reply(s);
    maybe_ready(i);
  }

  void sign(http::request<http::string_body>& r) {
    std::string ts = std::to_string(unix_now());
    if (slack()) {
      r.set("X-Slack-Request-Timestamp", ts);
      r.set("X-Slack-Signature", advisor::test::slack_signature(o_.slack_secret, ts, r.body()));
    } else {
      r.set("X-Signature-Timestamp", ts);
      r.set("X-Signature-Ed25519", discord_key_->sign(ts + r.body()));
    }
  }

  json summary(const json& calls, std::uint64_t total, std::uint16_t fake_port) {
    acks_.sort();
    replies_.sort();
    double secs = ended_ == steady::time_point{} ? 0 : seconds_between(started_, ended_);
    json out = {{"mode", slack() ? "slack" : "discord"}, {"connections", o_.connections}};
    if (o_.rate > 0) out["offered_rate"] = o_.rate;
    out["seconds"] = round_to(secs, 2);
    out["requests"] = counts_.requests;
    out["acks"] = counts_.acks;
    out["acks_per_s"] = secs > 0 ? round_to(static_cast<double>(counts_.acks) / secs, 1) : 0.0;
    acks_.report(out, "ack_");
    out["replies"] = replies_.size();
    replies_.report(out, "reply_");
    out["commands"] = counts_.commands;
    out["clicks"] = counts_.clicks;
    out["typed"] = counts_.texts;
    out["conversations"] = counts_.conversations;
    out["users"] = slots_.size();
    if (!slack()) out["deferred"] = counts_.deferred;
    out["non_2xx"] = counts_.non_2xx;
    if (!counts_.statuses.empty()) out["statuses"] = counts_.statuses;
    out["transport_errors"] = counts_.transport_errors;
    out["unanswered"] = unanswered_;
    out["lost_replies"] = counts_.lost_replies;
    out["failed_turns"] = counts_.failed_turns;
    out["unexpected"] = counts_.unexpected;
    out["replies_pending_at_end"] = replies_left_;
    out["max_queued"] = pool_.max_queued();
    out["errors"] = counts_.non_2xx + counts_.transport_errors + unanswered_ +
                    counts_.lost_replies + counts_.failed_turns;
    if (!counts_.first_error.empty()) out["first_error"] = counts_.first_error;
    out["outbound_calls"] = total;
    out["outbound"] = calls;
    out["fake_api_port"] = fake_port;
    if (!o_.latency_out.empty())
      acks_.write_distribution(o_.latency_out,
                               std::string(slack() ? "slack" : "discord") + " ack latency");
    return out;
  }

  struct waiting {
    std::size_t slot;
    std::uint64_t gen;
    steady::time_point since;
  };

  const chat_options& o_;
  std::mt19937_64 rng_;
  // In every id (team, channel, user, event): a run never meets the records the advisor keeps
  // of an earlier run (seen events and clicks, open questions, conversations).
  std::string run_tag_;
  net::io_context ioc_;
  std::unique_ptr<advisor::test::fake_chat_api> fake_;
  std::unique_ptr<advisor::test::ed25519_key> discord_key_;
  http_pool pool_;
  net::steady_timer tick_, sweep_, end_;
  std::deque<slot> slots_;
  std::deque<std::size_t> ready_;
  std::deque<waiting> waiting_;
  counters counts_;
  latency_set acks_, replies_;
  steady::time_point started_, deadline_, ended_;
  bool running_ = false, stopping_ = false;
  std::uint64_t issued_ = 0, sequence_ = 0;
  std::size_t replies_outstanding_ = 0, unanswered_ = 0, replies_left_ = 0;
};

}  // namespace

json run_chat(const chat_options& o) {
  driver d(o);
  return d.run();
}

}  // namespace bench
