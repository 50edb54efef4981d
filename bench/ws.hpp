// advisor-bench's WebSocket modes: whole conversations over N connections (closed loop, or an
// offered rate spread over the connections), the no-work responder they are compared with, and
// N idle connections held open.
#pragma once

#include <functional>
#include <string>

#include "common.hpp"

namespace bench {

struct ws_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  unsigned connections = 50;
  double seconds = 10;
  std::uint64_t max_turns = 10'000'000;
  double rate = 0;  // offered turns/s over all connections; 0: closed loop
  // Read every reply with nlohmann::json's full parse instead of the scanner (reply_scan.hpp):
  // the generator this bench used to be, for comparison.
  bool full_parse = false;
  // The server's CPU seconds so far (its process, or the responder's thread); empty: unknown.
  std::function<double()> server_cpu;
};

struct ws_results {
  std::uint64_t turns = 0;
  std::uint64_t conversations = 0;
  std::uint64_t errors = 0;
  std::uint64_t connect_failures = 0;
  std::uint64_t late_sends = 0;  // open loop: sent after their time because a reply was late
  latency_set latencies;
  double seconds = 0;
  // The CPU window: from the start of the load to its deadline (or to the last conversation's
  // end, when that is sooner); the turns answered in it and the CPU seconds each side used in
  // it (-1: not measured). The bench's is its load thread's: every connection runs on it.
  double window_seconds = 0;
  std::uint64_t window_turns = 0;
  double bench_cpu = -1, server_cpu = -1;
};

// Connects every connection (handshake done), then runs the conversations for o.seconds.
ws_results run_ws(const ws_options& o);

// The JSON line's fields for one run.
json summarize(const ws_options& o, ws_results& r);

// A WebSocket server on 127.0.0.1 (one loop thread) answering every frame with one fixed reply of
// the advisor's shape and typical size: no parsing, no storage. The ceiling.
class responder {
 public:
  responder();
  ~responder();
  responder(const responder&) = delete;
  responder& operator=(const responder&) = delete;
  std::uint16_t port() const;
  // CPU seconds (user + system) its loop thread has used.
  double cpu_seconds() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Opens `count` WebSocket connections (handshake done), holds them silent for `seconds` and
// reports how many stayed open, and the CPU both sides used during the hold (`server_cpu` as in
// ws_options). `on_held` runs (on the bench's thread) once every connection attempt has
// finished, before the hold.
json run_idle(const std::string& host, std::uint16_t port, unsigned count, double seconds,
              const std::function<void(unsigned open)>& on_held,
              const std::function<double()>& server_cpu = {});

// Starts `count` asynchronous jobs with at most `concurrency` in flight; `start(i, done)` must
// call done() once. `all_done` runs after the last one.
void run_bounded(unsigned count, unsigned concurrency,
                 std::function<void(unsigned, std::function<void()>)> start,
                 std::function<void()> all_done);

}  // namespace bench
