#include "bot/infra/metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace advisor::adapters {

namespace {

std::string escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string format_labels(const metrics::labels& l) {
  if (l.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < l.size(); ++i)
    out += (i ? "," : "") + l[i].first + "=\"" + escape(l[i].second) + "\"";
  return out + "}";
}

// When this program was loaded: the start time when /proc/stat cannot be read (systemd's
// ProcSubset=pid hides it).
const double loaded_at =
    std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();

#ifndef ADVISOR_COMPILER
#define ADVISOR_COMPILER __VERSION__
#endif

}  // namespace

std::string prometheus_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  // The shortest text that reads back as the same double (0.1, not 0.10000000000000001),
  // without an exponent where people write none (0.0005, not 5e-04; 1700000000).
  double magnitude = std::fabs(v);
  bool plain = magnitude == 0 || (magnitude >= 1e-6 && magnitude < 1e16);
  auto [end, ec] = plain ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                         : std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, end) : std::string("NaN");
}

std::string process_metrics() {
  std::ostringstream out;
  // /proc/self/stat: the fields after the command name (which may hold spaces) are at fixed
  // places; utime and stime are the 14th and 15th fields, starttime the 22nd, vsize the 23rd
  // and rss the 24th (proc(5)).
  std::ifstream stat("/proc/self/stat");
  std::string line;
  std::getline(stat, line);
  auto close = line.rfind(')');
  if (close != std::string::npos) {
    std::istringstream fields(line.substr(close + 2));
    std::vector<std::string> f;
    for (std::string x; fields >> x;) f.push_back(x);
    // f[0] is field 3 (state).
    auto field = [&](std::size_t n) { return n - 3 < f.size() ? std::stod(f[n - 3]) : 0.0; };
    double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
    double boot = 0;
    std::ifstream proc_stat("/proc/stat");
    for (std::string l; std::getline(proc_stat, l);)
      if (l.rfind("btime ", 0) == 0) boot = std::stod(l.substr(6));
    out << "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
        << "# TYPE process_cpu_seconds_total counter\n"
        << "process_cpu_seconds_total " << prometheus_number((field(14) + field(15)) / ticks)
        << "\n"
        << "# HELP process_start_time_seconds Start time of the process since unix epoch in "
           "seconds.\n"
        << "# TYPE process_start_time_seconds gauge\n"
        << "process_start_time_seconds "
        << prometheus_number(boot > 0 ? boot + field(22) / ticks : loaded_at) << "\n"
        << "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
        << "# TYPE process_virtual_memory_bytes gauge\n"
        << "process_virtual_memory_bytes " << prometheus_number(field(23)) << "\n"
        << "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
        << "# TYPE process_resident_memory_bytes gauge\n"
        << "process_resident_memory_bytes " << prometheus_number(field(24) * page) << "\n";
  }
  std::error_code ec;
  std::size_t fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++fds;
  out << "# HELP process_open_fds Number of open file descriptors.\n"
      << "# TYPE process_open_fds gauge\n"
      << "process_open_fds " << fds << "\n";
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0)
    out << "# HELP process_max_fds Maximum number of open file descriptors.\n"
        << "# TYPE process_max_fds gauge\n"
        << "process_max_fds " << prometheus_number(static_cast<double>(files.rlim_cur)) << "\n";
  return out.str();
}

metrics& metrics::global() {
  static metrics m;
  return m;
}

std::size_t metrics::channel_index(std::string_view channel) {
  for (std::size_t i = 0; i < channels.size(); ++i)
    if (channels[i] == channel) return i;
  return other;
}

void metrics::inc(const std::string& name, const labels& l, double by) {
  std::lock_guard lock(mutex_);
  series_[name][l] += by;
}

void metrics::gauge_add(const std::string& name, double by) {
  std::lock_guard lock(mutex_);
  series_[name][{}] += by;
}

void metrics::describe(const std::string& name, const std::string& help, const std::string& type) {
  std::lock_guard lock(mutex_);
  help_[name] = {help, type};
  series_[name];
}

void metrics::observe_turn_seconds(std::string_view channel, double seconds) {
  auto& h = turns_[channel_index(channel)];
  std::size_t i = 0;
  while (i < bounds.size() && seconds > bounds[i]) ++i;
  h.buckets[i].fetch_add(1, std::memory_order_relaxed);
  h.count.fetch_add(1, std::memory_order_relaxed);
  h.sum_micros.fetch_add(static_cast<std::uint64_t>(std::max(0.0, seconds) * 1e6),
                         std::memory_order_relaxed);
}

std::uint64_t metrics::turns_observed(std::string_view channel) const {
  return turns_[channel_index(channel)].count.load();
}

double metrics::value(const std::string& name, const labels& l) const {
  std::lock_guard lock(mutex_);
  auto it = series_.find(name);
  if (it == series_.end()) return 0;
  auto s = it->second.find(l);
  return s == it->second.end() ? 0 : s->second;
}

std::string metrics::render() const {
  std::ostringstream out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, series] : series_) {
      if (auto h = help_.find(name); h != help_.end()) {
        out << "# HELP " << name << " " << h->second.first << "\n";
        out << "# TYPE " << name << " " << h->second.second << "\n";
      }
      for (const auto& [l, v] : series)
        out << name << format_labels(l) << " " << prometheus_number(v) << "\n";
    }
  }
  // A turn counts once it has an answer, whatever became of its delivery (a Slack thread that
  // could not be posted, a follow-up Discord refused): the count of the histogram below, so
  // the two never disagree.
  out << "# HELP advisor_turns_total Turns answered, by channel, whatever their delivery.\n"
      << "# TYPE advisor_turns_total counter\n";
  for (std::size_t c = 0; c < turns_.size(); ++c) {
    std::uint64_t count = turns_[c].count.load(std::memory_order_relaxed);
    if (c == other && count == 0) continue;
    out << "advisor_turns_total{channel=\""
        << (c == other ? std::string_view("other") : channels[c]) << "\"} " << count << "\n";
  }
  out << "# HELP advisor_turn_seconds Time from a message's arrival to its reply being ready, "
         "by channel.\n";
  out << "# TYPE advisor_turn_seconds histogram\n";
  for (std::size_t c = 0; c < turns_.size(); ++c) {
    const auto& h = turns_[c];
    std::uint64_t count = h.count.load(std::memory_order_relaxed);
    if (c == other && count == 0) continue;  // no channel outside the known ones so far
    std::string channel = c == other ? "other" : std::string(channels[c]);
    std::string label = "{channel=\"" + channel + "\",le=\"";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      cumulative += h.buckets[i].load(std::memory_order_relaxed);
      out << "advisor_turn_seconds_bucket" << label << prometheus_number(bounds[i]) << "\"} "
          << cumulative << "\n";
    }
    cumulative += h.buckets[bounds.size()].load(std::memory_order_relaxed);
    out << "advisor_turn_seconds_bucket" << label << "+Inf\"} " << cumulative << "\n";
    out << "advisor_turn_seconds_sum{channel=\"" << channel << "\"} "
        << prometheus_number(static_cast<double>(h.sum_micros.load()) / 1e6) << "\n";
    out << "advisor_turn_seconds_count{channel=\"" << channel << "\"} " << cumulative << "\n";
  }
  out << "# HELP advisor_build_info The advisor's version and compiler; always 1.\n"
      << "# TYPE advisor_build_info gauge\n"
      << "advisor_build_info{version=\"" << escape(ADVISOR_VERSION) << "\",compiler=\""
      << escape(ADVISOR_COMPILER) << "\"} 1\n";
  out << process_metrics();
  return out.str();
}

}  // namespace advisor::adapters
