// Counters, a gauge and a latency histogram, rendered in Prometheus text format for /metrics.
// Thread-safe; cheap enough to call on every turn.
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace advisor::adapters {

class metrics {
 public:
  using labels = std::vector<std::pair<std::string, std::string>>;

  static metrics& global();

  void inc(const std::string& name, const labels& l = {}, double by = 1);
  void gauge_add(const std::string& name, double by);
  void observe_turn_seconds(double seconds);
  // Counters must be described once to get HELP/TYPE lines; undescribed ones still render.
  void describe(const std::string& name, const std::string& help,
                const std::string& type = "counter");
  std::string render() const;
  double value(const std::string& name, const labels& l = {}) const;  // for tests

 private:
  static constexpr std::array<double, 12> bounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                 0.05,   0.1,   0.25,   0.5,   1,    2.5};
  mutable std::mutex mutex_;
  std::map<std::string, std::map<labels, double>> series_;
  std::map<std::string, std::pair<std::string, std::string>> help_;  // name -> help, type
  std::array<std::atomic<std::uint64_t>, bounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_micros_{0};
};

}  // namespace advisor::adapters
