// advisor-replay-memory: what the replay memory (adapters::replay_window) costs when full.
// Fills one with N live signatures (default 1,000,000, the adapters' cap), timestamps
// advancing at R a second (default 3,334: 1,000,000 in the 300 s window), and prints VmRSS
// before and after, and the bytes per entry. docs/reliability.md quotes it.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "adapters/common/replay_window.hpp"

namespace {

long vm_rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  const long entries = argc > 1 ? std::stol(argv[1]) : 1'000'000;
  const long per_second = argc > 2 ? std::stol(argv[2]) : 3'334;
  if (entries <= 0 || per_second <= 0) {
    std::fprintf(stderr, "usage: advisor-replay-memory [ENTRIES] [PER_SECOND]\n");
    return 2;
  }
  advisor::adapters::replay_window window(300, static_cast<std::size_t>(entries));
  const long before = vm_rss_kib();
  char hex[65];
  for (long i = 0; i < entries; ++i) {
    const std::int64_t now = 1'700'000'000 + i / per_second;
    // 64 hex digits, as an HMAC-SHA256; the first 32 (what the memory keys on) are distinct.
    const auto n = static_cast<unsigned long long>(i);
    std::snprintf(hex, sizeof hex, "%016llx%016llx%032d", n * 0x9E3779B97F4A7C15ull, n, 0);
    if (window.admit(hex, now, now) != advisor::adapters::replay_window::verdict::fresh) {
      std::fprintf(stderr, "entry %ld was not admitted\n", i);
      return 1;
    }
  }
  const long after = vm_rss_kib();
  std::printf("%zu live entries: VmRSS %ld KiB before, %ld KiB after: %.1f bytes per entry\n",
              window.size(), before, after,
              static_cast<double>(after - before) * 1024.0 / static_cast<double>(window.size()));
  return 0;
}
