// `advisor serve`: the web server with the WebSocket endpoint and the widget, plus the Slack
// and Discord endpoints when they are configured.
#include <malloc.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>

#include <iostream>

#include "adapters/common/worker_pool.hpp"
#include "adapters/discord/discord.hpp"
#include "adapters/slack/slack.hpp"
#include "adapters/web/server.hpp"
#include "bot/app.hpp"
#include "bot/commands.hpp"
#include "bot/infra/log.hpp"
#include "bot/infra/metrics.hpp"
#include "bot/service/sweeper.hpp"
#include "knowledge/postgres/job_store.hpp"
#include "knowledge/postgres/seen_store.hpp"
#include "knowledge/sqlite/job_store.hpp"

namespace advisor::bot {

namespace {

// Turns themselves are counted where each channel times them (advisor_turns_total is the count
// of advisor_turn_seconds), once per message, whatever became of its delivery.
void count_outcomes(const channel_key&, const turn& t) {
  auto& m = adapters::metrics::global();
  if (t.out.just_recommended()) {
    m.inc("advisor_conversations_completed_total");
    m.inc("advisor_recommendations_total", {{"choice", t.out.recommendation->choice}});
  }
}

// Every series an operator alerts on exists from the start, at zero (a rate over a series that
// is not there yet is no rate at all): the outcomes every framework can give, and the web
// server's counters and gauge with the label values it counts.
void zero_series(const app& a) {
  auto& m = adapters::metrics::global();
  m.inc("advisor_conversations_completed_total", {}, 0);
  auto outcomes = [&m](const dialogue::framework& fw) {
    for (const auto& s : fw.stacks) m.inc("advisor_recommendations_total", {{"choice", s.id}}, 0);
    if (fw.hybrid) m.inc("advisor_recommendations_total", {{"choice", fw.hybrid->id}}, 0);
  };
  outcomes(a.framework);
  for (const auto& fw : a.extra_frameworks) outcomes(fw);
  m.gauge_add("advisor_connections", 0);
  m.inc("advisor_origins_refused_total", {}, 0);
  for (const char* reason : {"total", "per_ip"})
    m.inc("advisor_connections_refused_total", {{"reason", reason}}, 0);
  for (const char* code : {"rate_limited", "too_large", "slow_reader"})
    m.inc("advisor_errors_total", {{"code", code}}, 0);
}

}  // namespace

int run_serve(const config& cfg) {
  // Every WebSocket holds a descriptor: take the most the system allows this process (the
  // soft limit is often 1,024, the hard one far higher).
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
#ifndef ADVISOR_JEMALLOC
  // Built without jemalloc (sanitizer builds): with glibc's defaults, freed memory at the top
  // of a thread heap goes back to the OS (madvise), and every such call interrupts the other
  // core to flush its TLB: that alone once took a tenth of the server's time. Freed memory is
  // kept for reuse up to 64 MB a heap, and blocks up to 32 MB come from the heaps.
  ::mallopt(M_TRIM_THRESHOLD, 64 << 20);
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
  auto a = open_app(cfg);
  auto& m = adapters::metrics::global();
  m.describe("advisor_conversations_completed_total",
             "Conversations that reached a recommendation.");
  m.describe("advisor_recommendations_total", "Recommendations given, by choice.");
  a->service->set_observer(count_outcomes);

  // Slack and Discord turns and their outbound calls run here, off the server's threads.
  // Declared before the server and the adapters, so it outlives both.
  adapters::worker_pool channel_pool(4);
  web::server srv(a->cfg, *a->service, [&a] { return a->sessions->writable(); });
  zero_series(*a);
  // Several instances on one PostgreSQL database share what Slack and Discord sent them
  // (replays, retries, clicks). Declared before the adapters, so it outlives them.
  std::unique_ptr<storage::pg_seen_store> shared_seen;
  if (!a->cfg.database_url.empty())
    shared_seen = std::make_unique<storage::pg_seen_store>(a->cfg.database_url);
  // Acknowledged Slack events until their reply is delivered: in the shared database, or in
  // the session store's SQLite file. Declared before the adapters, so it outlives them.
  std::unique_ptr<dialogue::job_store> jobs;
  storage::pg_job_store* shared_jobs = nullptr;
  if (a->cfg.slack.enabled()) {
    if (!a->cfg.database_url.empty()) {
      auto pg_jobs = std::make_unique<storage::pg_job_store>(a->cfg.database_url);
      shared_jobs = pg_jobs.get();
      jobs = std::move(pg_jobs);
    } else {
      jobs = std::make_unique<storage::sqlite_job_store>(a->db_path);
    }
  }
  std::unique_ptr<slack::adapter> slack_adapter;
  std::unique_ptr<discord::adapter> discord_adapter;
  if (a->cfg.slack.enabled()) {
    slack::options slack_opts;
    slack_opts.shared = shared_seen.get();
    slack_opts.jobs = jobs.get();
    if (shared_jobs)
      slack_opts.remember_with_job = [shared_jobs](const std::string& key, std::int64_t expires_at,
                                                   std::int64_t now, const dialogue::job& j,
                                                   const std::string& owner,
                                                   std::int64_t lease_until) {
        return shared_jobs->remember_with(key, expires_at, now, j, owner, lease_until);
      };
    slack_adapter = std::make_unique<slack::adapter>(a->cfg.slack, *a->service, channel_pool,
                                                     std::move(slack_opts));
    slack_adapter->register_routes(srv.routes());
    log::info("slack_enabled", {{"api_url", a->cfg.slack.api_url}});
  }
  if (a->cfg.discord.enabled()) {
    discord::adapter_options discord_opts;
    discord_opts.shared = shared_seen.get();
    discord_adapter = std::make_unique<discord::adapter>(a->cfg.discord, *a->service, channel_pool,
                                                         std::move(discord_opts));
    discord_adapter->register_routes(srv.routes());
    log::info("discord_enabled", {{"api_url", a->cfg.discord.api_url}});
  }
  // Conversations idle for longer than conversation_idle_days go, with their events.
  std::unique_ptr<sweeper> expiry;
  if (a->cfg.conversation_idle_days > 0)
    expiry = std::make_unique<sweeper>(*a->service,
                                       std::chrono::hours(24) * a->cfg.conversation_idle_days);
  std::uint16_t port = srv.listen();
  log::info("listening", {{"host", a->cfg.host}, {"port", port}, {"data_dir", a->cfg.data_dir}});
  std::cout << "listening on http://" << a->cfg.host << ":" << port << std::endl;
  // Under systemd (Type=notify) the unit is ready now, with the socket listening; without
  // NOTIFY_SOCKET this does nothing.
  std::string status = "STATUS=listening on " + a->cfg.host + ":" + std::to_string(port);
  ::sd_notify(0, ("READY=1\n" + status).c_str());
  int code = srv.run();
  ::sd_notify(0, "STOPPING=1");
  expiry.reset();           // before the service and the store go
  discord_adapter.reset();  // each waits for its own jobs in flight
  slack_adapter.reset();
  return code;
}

int run_discord_register(const config& cfg, std::ostream& out) {
  return discord::register_command(cfg.discord, out);
}

}  // namespace advisor::bot
