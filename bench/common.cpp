#include "common.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace bench {

double latency_set::pct(double p) const {
  if (ms_.empty()) return 0.0;
  std::size_t i =
      std::min(ms_.size() - 1, static_cast<std::size_t>(p * static_cast<double>(ms_.size())));
  return round3(ms_[i]);
}

void latency_set::report(json& out, const std::string& prefix) const {
  out[prefix + "p50_ms"] = pct(0.50);
  out[prefix + "p99_ms"] = pct(0.99);
  out[prefix + "max_ms"] = max();
}

void latency_set::write_samples(const std::string& file) const {
  std::ofstream f(file);
  if (!f) throw std::runtime_error("cannot write " + file);
  for (double ms : ms_) f << round3(ms) << '\n';
}

void latency_set::write_distribution(const std::string& file, const std::string& label) const {
  std::ofstream f(file);
  if (!f) throw std::runtime_error("cannot write " + file);
  f << "# " << label << ": " << ms_.size() << " samples, max " << max() << " ms\n";
  f << "# percentile  1/(1-p)  ms\n";
  if (ms_.empty()) return;
  double n = static_cast<double>(ms_.size());
  // 20 points a decade of 1/(1-p): 0%, ~11%, ..., 90%, ..., 99%, ... while a sample lies above.
  for (int k = 0;; ++k) {
    double inverse_tail = std::pow(10.0, k / 20.0);
    double p = 1.0 - 1.0 / inverse_tail;
    if (p * n > n - 1) break;
    f << p * 100 << ' ' << inverse_tail << ' ' << pct(p) << '\n';
  }
}

bool loopback(const std::string& host) {
  beast::error_code ec;
  auto a = net::ip::make_address(host, ec);
  return !ec && a.is_loopback();
}

std::uint64_t raise_fd_limit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return 0;
  if (r.rlim_cur < r.rlim_max) {
    rlimit wanted = r;
    wanted.rlim_cur = r.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &wanted) == 0) r = wanted;
  }
  return static_cast<std::uint64_t>(r.rlim_cur);
}

double thread_cpu_seconds() {
  rusage u{};
  if (getrusage(RUSAGE_THREAD, &u) != 0) return -1;
  auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return s(u.ru_utime) + s(u.ru_stime);
}

double process_cpu_seconds(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!f || !std::getline(f, line)) return -1;
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count from the last ')'.
  auto close = line.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(line.substr(close + 1));
  std::string field;
  double utime = -1, stime = -1;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  if (utime < 0 || stime < 0) return -1;
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace bench
