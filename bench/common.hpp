// advisor-bench: what every mode shares (loopback check, latency sets, the fd limit, time).
#pragma once

// clang-format off
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
// clang-format on

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace bench {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using nlohmann::json;
using steady = std::chrono::steady_clock;

// How long a run waits, past its end, for answers still in flight before it gives up on them.
constexpr auto drain_time = std::chrono::seconds(5);

// A latency sample set in milliseconds.
class latency_set {
 public:
  void add(steady::duration d) {
    ms_.push_back(std::chrono::duration<double, std::milli>(d).count());
  }
  std::size_t size() const { return ms_.size(); }
  void sort() { std::sort(ms_.begin(), ms_.end()); }
  // The p-quantile (0..1) of the sorted set, in ms rounded to microseconds; 0 when empty.
  double pct(double p) const;
  double max() const { return ms_.empty() ? 0.0 : round3(ms_.back()); }
  // Adds "<prefix>p50_ms", "<prefix>p99_ms", "<prefix>max_ms" to `out`.
  void report(json& out, const std::string& prefix = "") const;
  // The distribution as gnuplot data: "percentile 1/(1-p) ms", log-spaced percentiles up to
  // the last one the samples resolve. `label` goes in a comment line.
  void write_distribution(const std::string& file, const std::string& label) const;
  // Every sample in ms, one a line: runs made by several processes at once are merged from
  // these (sort -g) into one distribution.
  void write_samples(const std::string& file) const;
  static double round3(double v) { return std::round(v * 1000) / 1000; }

 private:
  std::vector<double> ms_;
};

// v rounded to `decimals` places.
inline double round_to(double v, int decimals) {
  double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

// True when `host` is an IP literal of the loopback network (127.0.0.0/8 or ::1).
bool loopback(const std::string& host);

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit now in force.
std::uint64_t raise_fd_limit();

// CPU seconds (user + system) the calling thread has used (getrusage(RUSAGE_THREAD)).
double thread_cpu_seconds();

// CPU seconds (user + system) process `pid` has used, all its threads, ended ones included
// (fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 10 ms); -1 when it cannot be read.
double process_cpu_seconds(int pid);

inline steady::duration to_duration(double seconds) {
  return std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(seconds));
}

inline double seconds_between(steady::time_point a, steady::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

inline std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace bench
