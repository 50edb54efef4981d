// Counters, gauges and per-channel turn latency histograms, rendered in Prometheus text format
// for /metrics, with the process_* metrics of the running process and the build's version.
// Thread-safe; cheap enough to call on every turn.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace advisor::adapters {

class metrics {
 public:
  using labels = std::vector<std::pair<std::string, std::string>>;

  // The channels turns come through; each has its series from the start (at zero).
  static constexpr std::array<std::string_view, 4> channels{"web", "slack", "discord", "terminal"};

  static metrics& global();

  void inc(const std::string& name, const labels& l = {}, double by = 1);
  void gauge_add(const std::string& name, double by);
  // Time from a message's arrival to its reply being ready, on `channel` (one of `channels`;
  // any other name is counted as "other"). Each call is also one of advisor_turns_total.
  void observe_turn_seconds(std::string_view channel, double seconds);
  // Counters must be described once to get HELP/TYPE lines; undescribed ones still render.
  void describe(const std::string& name, const std::string& help,
                const std::string& type = "counter");
  std::string render() const;
  double value(const std::string& name, const labels& l = {}) const;  // for tests
  std::uint64_t turns_observed(std::string_view channel) const;       // for tests

  // Bucket bounds of the turn latency histograms, in seconds.
  static constexpr std::array<double, 12> bounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                 0.05,   0.1,   0.25,   0.5,   1,    2.5};

 private:
  struct histogram {
    std::array<std::atomic<std::uint64_t>, bounds.size() + 1> buckets{};
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_micros{0};
  };
  static constexpr std::size_t other = channels.size();  // the histogram of unknown channels
  static std::size_t channel_index(std::string_view channel);

  mutable std::mutex mutex_;
  std::map<std::string, std::map<labels, double>> series_;
  std::map<std::string, std::pair<std::string, std::string>> help_;  // name -> help, type
  std::array<histogram, channels.size() + 1> turns_;
};

// Runs `decide` (one turn through the service) and records how long it took on `channel`,
// also when it throws (the channel then answers that it failed: a turn all the same).
template <typename F>
auto timed_turn(std::string_view channel, F&& decide) {
  struct timer {
    std::string_view channel;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    ~timer() {
      metrics::global().observe_turn_seconds(
          channel,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
  } timing{channel};
  return decide();
}

// A number as Prometheus reads it, as short as it can be written: 0.0005, 2.5, 1, 1e+21.
std::string prometheus_number(double v);

// The process_* metrics of this process (CPU seconds, resident and virtual memory, open and
// maximum file descriptors, start time), from /proc, in Prometheus text format.
std::string process_metrics();

}  // namespace advisor::adapters
