#include "attack.hpp"

#include <boost/beast/websocket.hpp>
#include <thread>
#include <vector>

namespace bench {

namespace websocket = beast::websocket;

struct attack::impl {
  attack_options o;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> answered{0}, refused{0}, cut{0};
  std::vector<std::thread> threads;

  // Distinct made-up words: none is in the vocabulary, each one costs the typo checks.
  static std::string costly_text(std::size_t bytes, unsigned seed) {
    static const char letters[] = "bcdfghjklmnpqrstvwxz";
    std::string text;
    std::uint32_t x = 2463534242u + seed;
    while (text.size() + 11 <= bytes) {
      for (int i = 0; i < 10; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        text += letters[x % 20];
      }
      text += ' ';
    }
    return text;
  }

  void run(unsigned index) {
    try {
      net::io_context ioc;
      websocket::stream<tcp::socket> ws(ioc);
      auto from = net::ip::make_address(o.from);
      ws.next_layer().open(from.is_v4() ? tcp::v4() : tcp::v6());
      ws.next_layer().bind({from, 0});
      ws.next_layer().connect({net::ip::make_address(o.host), o.port});
      ws.handshake(o.host, "/ws");
      auto read_frame = [&] {
        beast::flat_buffer b;
        ws.read(b);
        return json::parse(beast::buffers_to_string(b.data()));
      };
      ws.write(net::buffer(std::string(R"({"type":"start"})")));
      read_frame();  // session
      read_frame();  // first question
      auto interval = to_duration(1.0 / o.rate);
      auto due = steady::now();
      for (unsigned n = 0; !stopping; ++n) {
        std::this_thread::sleep_until(due);
        due += interval;
        std::string frame =
            json{{"type", "message"}, {"text", costly_text(o.text_bytes, index * 7919 + n)}}.dump();
        ws.write(net::buffer(frame));
        json reply = read_frame();
        if (reply.value("code", "") == "rate_limited")
          ++refused;
        else
          ++answered;
      }
      beast::error_code ec;
      ws.next_layer().close(ec);
    } catch (const std::exception&) {
      if (!stopping) ++cut;
    }
  }
};

attack::attack(const attack_options& o) : impl_(std::make_unique<impl>()) {
  impl_->o = o;
  for (unsigned i = 0; i < o.connections; ++i)
    impl_->threads.emplace_back([this, i] { impl_->run(i); });
}

attack::~attack() { stop(); }

json attack::stop() {
  impl_->stopping = true;
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  return {{"attackers", impl_->o.connections},      {"attack_text_bytes", impl_->o.text_bytes},
          {"attack_from", impl_->o.from},           {"attack_rate_per_connection", impl_->o.rate},
          {"attack_turns", impl_->answered.load()}, {"attack_refused", impl_->refused.load()},
          {"attackers_cut", impl_->cut.load()}};
}

}  // namespace bench
