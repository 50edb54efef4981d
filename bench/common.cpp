#include "common.hpp"

#include <sys/resource.h>

#include <fstream>
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

}  // namespace bench
