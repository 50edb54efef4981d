#include "adapters/common/metrics.hpp"

#include <cstdio>
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

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

metrics& metrics::global() {
  static metrics m;
  return m;
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

void metrics::observe_turn_seconds(double seconds) {
  std::size_t i = 0;
  while (i < bounds.size() && seconds > bounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
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
      for (const auto& [l, v] : series) out << name << format_labels(l) << " " << number(v) << "\n";
    }
  }
  out << "# HELP advisor_turn_seconds Time from a message's arrival to its reply being queued.\n";
  out << "# TYPE advisor_turn_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    out << "advisor_turn_seconds_bucket{le=\"" << number(bounds[i]) << "\"} " << cumulative << "\n";
  }
  cumulative += buckets_[bounds.size()].load(std::memory_order_relaxed);
  out << "advisor_turn_seconds_bucket{le=\"+Inf\"} " << cumulative << "\n";
  out << "advisor_turn_seconds_sum " << number(static_cast<double>(sum_micros_.load()) / 1e6)
      << "\n";
  out << "advisor_turn_seconds_count " << count_.load() << "\n";
  return out.str();
}

}  // namespace advisor::adapters
