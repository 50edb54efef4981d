// What the fuzz targets share: the advisor opened once per process on the shipped framework and
// knowledge (tests/support.hpp), a bot service over a fresh SQLite session store for one input,
// splitting an input into a sequence of messages, and a network that answers nothing.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/common/outbound.hpp"
#include "adapters/common/worker_pool.hpp"
#include "bot/app.hpp"
#include "bot/infra/log.hpp"
#include "knowledge/sqlite/session_store.hpp"
#include "support.hpp"

namespace advisor::fuzz {

// Ends the run as a crash libFuzzer reports (and saves the input for).
[[noreturn]] inline void fail(std::string_view what, std::string_view detail = {}) {
  std::fprintf(stderr, "==fuzz== %.*s\n", static_cast<int>(what.size()), what.data());
  if (!detail.empty())
    std::fprintf(stderr, "==fuzz== detail: %.*s\n",
                 static_cast<int>(std::min<std::size_t>(detail.size(), 2000)), detail.data());
  std::abort();
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The input as up to `max_parts` parts separated by `sep` (empty parts are kept: they are
// messages too). What follows the last allowed part is dropped.
inline std::vector<std::string_view> split(std::string_view input, char sep,
                                           std::size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() < max_parts) {
    auto at = input.find(sep);
    parts.push_back(input.substr(0, at));
    if (at == std::string_view::npos) break;
    input.remove_prefix(at + 1);
  }
  return parts;
}

// Nothing the targets do may reach the network: every libcurl request goes through a proxy on
// a loopback port that is bound but never listens, so it is refused at once. Returns a URL on
// that port, for the adapters' API and webhook addresses.
inline std::string dead_end_url() {
  static const std::string url = [] {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);  // kept open (never listening) for the process
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      fail("cannot bind a loopback port");
    std::string u = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
    for (const char* name :
         {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"})
      ::setenv(name, u.c_str(), 1);
    ::unsetenv("no_proxy");
    ::unsetenv("NO_PROXY");
    return u;
  }();
  return url;
}

// The adapters' worker: one thread, so that jobs run in the order they were queued. A job that
// throws (a bug the pool would otherwise only log) fails the run.
inline adapters::worker_pool& worker_pool() {
  static adapters::worker_pool pool(
      1, [](std::string_view what) { fail("a worker job threw", what); });
  return pool;
}

// Outbound calls get one attempt and no backoff: nothing answers them anyway.
inline constexpr adapters::retry_policy one_attempt{
    1, std::chrono::milliseconds(0), std::chrono::milliseconds(0), std::chrono::milliseconds(2000)};

// The advisor on the shipped config files, opened once per process in a temporary directory
// (removed at exit), with logging off (the targets would otherwise spend their time writing it;
// ADVISOR_FUZZ_LOG=info turns it on to see what a reproducer does).
struct fixture {
  test::temp_dir dir;
  std::unique_ptr<bot::app> app;
  std::string template_db;  // an empty session store, copied for each fresh_service

  static fixture& get() {
    static fixture f;
    return f;
  }

  std::vector<const dialogue::framework*> frameworks() const {
    std::vector<const dialogue::framework*> all{&app->framework};
    for (const auto& fw : app->extra_frameworks) all.push_back(&fw);
    return all;
  }

 private:
  fixture() {
    const char* level = std::getenv("ADVISOR_FUZZ_LOG");
    log::set_level(level && *level ? level : "off");
    app = test::open_test_app(dir.file("data"));
    template_db = dir.file("template.db");
    {
      storage::sqlite_session_store schema(template_db);  // closing it folds the WAL in
    }
  }
};

// A bot service over an empty SQLite session store, for one input: a conversation an input
// leaves behind cannot change what the next input does.
class fresh_service {
 public:
  fresh_service() : path_(fixture::get().dir.file("turns.db")) {
    auto& f = fixture::get();
    // libFuzzer's timer (SIGALRM, for -timeout) can interrupt the copy: try again then.
    for (int attempt = 1;; ++attempt) {
      std::error_code ec;
      std::filesystem::copy_file(f.template_db, path_,
                                 std::filesystem::copy_options::overwrite_existing, ec);
      if (!ec) break;
      if (ec != std::errc::interrupted || attempt == 100)
        fail("cannot copy the session store template", ec.message());
    }
    store_ = std::make_unique<storage::sqlite_session_store>(path_);
    svc_ = std::make_unique<bot::service>(f.frameworks(), *f.app->knowledge, *store_);
  }
  ~fresh_service() {
    svc_.reset();
    store_.reset();
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix, ec);
  }
  fresh_service(const fresh_service&) = delete;
  fresh_service& operator=(const fresh_service&) = delete;

  bot::service& service() { return *svc_; }

 private:
  std::string path_;
  std::unique_ptr<storage::sqlite_session_store> store_;
  std::unique_ptr<bot::service> svc_;
};

}  // namespace advisor::fuzz
