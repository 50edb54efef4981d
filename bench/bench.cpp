// advisor-bench: a load generator for the advisor (loopback targets only; every mode bounded
// in time and count). Prints one JSON line.
//
//   WebSocket (default): whole conversations over N connections (start, choose an option at
//     every question, confirm the review, restart at the recommendation, repeat), closed loop,
//     or open loop with --rate (offered turns/s in all, latency from each turn's scheduled
//     time). --responder first runs the same load against a no-work WebSocket responder (the
//     ceiling) and reports the ratio. Replies are read by a scanner (reply_scan.hpp), not a
//     full JSON parse (--full-parse), so that the generator is not the bottleneck; each run
//     reports the CPU per turn of the bench's load thread and of the server (--server-pid; the
//     responder's loop thread), and the cores each kept busy.
//   --attackers N: during the WebSocket run, N more connections each send the costliest
//     message the advisor reads (--attack-bytes of unknown words) at --attack-rate a second;
//     the figures are the other connections' (the victims').
//   --idle N: N WebSocket connections opened and held silent; how many stayed open.
//   --slack / --discord: correctly signed requests driving whole conversations over keep-alive
//     HTTP connections, closed loop or at --rate; ack latency; the advisor's outbound calls go
//     to a fake Web API inside the bench.
#include <CLI/CLI.hpp>
#include <iostream>
#include <thread>

#include "attack.hpp"
#include "chat.hpp"
#include "request_signing.hpp"
#include "ws.hpp"

using namespace bench;

namespace {

constexpr const char* default_discord_seed =
    "be0c7a5d1f2e3b4a59687766554433221100ffeeddccbbaa9988776655443322";

int fail(const std::string& message) {
  std::cerr << "advisor-bench: " << message << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{
      "advisor-bench: a load generator for a loopback advisor (WebSocket, idle, Slack, Discord)"};
  ws_options o;
  chat_options co;
  attack_options ao;
  ao.connections = 0;
  std::string latency_out, latency_samples;
  unsigned idle = 0;
  bool responder_too = false, slack = false, discord = false, print_key = false;
  int server_pid = 0;
  co.slack_secret = "advisor-bench-signing-secret";
  co.discord_seed = default_discord_seed;
  co.discord_app_id = "1000000000000000001";
  cli.add_option("--host", o.host, "loopback address of the advisor (default 127.0.0.1)");
  auto* port = cli.add_option("--port", o.port, "the advisor's port")->check(CLI::Range(1, 65535));
  auto* conns =
      cli.add_option(
             "-c,--connections", o.connections,
             "concurrent connections (WebSocket default 50; Slack/Discord: keep-alive connections, "
             "and the number of users in closed loop, default 8)")
          ->check(CLI::Range(1, 20000));
  cli.add_option("-s,--seconds", o.seconds, "how long to run (idle: how long to hold)")
      ->check(CLI::Range(0.1, 600.0));
  cli.add_option("--max-turns", o.max_turns,
                 "stop after this many turns (Slack/Discord: requests) in all")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100'000'000}));
  cli.add_option("--rate", o.rate,
                 "open loop: offered turns/s (Slack/Discord: requests/s) in all, spread evenly; "
                 "default closed loop")
      ->check(CLI::Range(0.1, 1'000'000.0));
  cli.add_flag("--responder", responder_too,
               "WebSocket: first run the same load against a no-work responder");
  cli.add_flag("--full-parse", o.full_parse,
               "WebSocket: read every reply with a full JSON parse instead of the scanner (the "
               "costlier generator this bench used to be)");
  cli.add_option("--server-pid", server_pid,
                 "the advisor's process id: its CPU time per turn is reported beside the bench's "
                 "(read from /proc/PID/stat)")
      ->check(CLI::Range(1, 1 << 30));
  cli.add_option(
      "--latency-out", latency_out,
      "write the latency distribution (percentile, 1/(1-p), ms) for gnuplot to this file");
  cli.add_option("--latency-samples", latency_samples,
                 "WebSocket: write every turn's latency in ms, one a line, to this file (to merge "
                 "the runs of several advisor-bench processes into one p99)");
  cli.add_option("--idle", idle, "open this many WebSocket connections and hold them silent")
      ->check(CLI::Range(1, 100000));
  cli.add_option("--attackers", ao.connections,
                 "WebSocket: this many attacking connections beside the measured ones")
      ->check(CLI::Range(0, 1000));
  cli.add_option("--attack-bytes", ao.text_bytes,
                 "attackers: bytes of text per message (default 1990)")
      ->check(CLI::Range(1, 60000));
  cli.add_option("--attack-from", ao.from,
                 "attackers: the loopback address they connect from (default 127.0.0.2)");
  cli.add_option("--attack-rate", ao.rate,
                 "attackers: messages a second per connection (default 2)")
      ->check(CLI::Range(0.1, 100000.0));
  cli.add_flag("--slack", slack, "Slack mode: signed slash commands, button clicks and mentions");
  cli.add_flag("--discord", discord, "Discord mode: signed /advisor commands and button clicks");
  cli.add_option("--fake-api-port", co.fake_api_port,
                 "Slack/Discord: the fake Web API's port (default: any free port)")
      ->check(CLI::Range(1, 65535));
  cli.add_option("--slack-secret", co.slack_secret,
                 "Slack signing secret (default advisor-bench-signing-secret)");
  cli.add_option("--discord-seed", co.discord_seed,
                 "Discord: Ed25519 private key seed, 64 hex digits");
  cli.add_option("--discord-app-id", co.discord_app_id,
                 "Discord application id (default 1000000000000000001)");
  cli.add_flag("--print-discord-public-key", print_key,
               "print the public key (hex) of the Discord seed and exit");
  cli.add_option("--reply-timeout", co.reply_timeout,
                 "Slack/Discord: seconds to wait for a reply before it is lost")
      ->check(CLI::Range(0.1, 60.0));
  cli.add_option("--seed", co.seed, "Slack/Discord: seed of the pseudo-random choices");
  CLI11_PARSE(cli, argc, argv);

  try {
    if (print_key) {
      std::cout << advisor::test::ed25519_key(co.discord_seed).public_hex() << std::endl;
      return 0;
    }
    if (!port->count())
      return fail("--port is required (the advisor's port on the loopback address)");
    if (!loopback(o.host))
      return fail(
          "only loopback targets are allowed: --host must be an IP address in 127.0.0.0/8 or ::1 "
          "(got \"" +
          o.host + "\")");
    if ((idle > 0) + slack + discord > 1)
      return fail("choose one of --idle, --slack and --discord");
    if (responder_too && (idle || slack || discord))
      return fail("--responder goes with the WebSocket mode only");
    if (server_pid) {
      if (process_cpu_seconds(server_pid) < 0)
        return fail("--server-pid " + std::to_string(server_pid) +
                    ": no such process (or /proc/PID/stat cannot be read)");
      o.server_cpu = [server_pid] { return process_cpu_seconds(server_pid); };
    }
    std::uint64_t fds = raise_fd_limit();
    unsigned needed = std::max(idle, o.connections) + 64;
    if (fds && fds < needed)
      return fail("the open-files limit is " + std::to_string(fds) + ", too low for " +
                  std::to_string(needed - 64) + " connections (raise the hard limit: ulimit -Hn)");

    if (idle) {
      json out = run_idle(
          o.host, o.port, idle, o.seconds,
          [&](unsigned open) {
            std::cerr << "advisor-bench: holding " << open << " idle connections for " << o.seconds
                      << " s" << std::endl;
          },
          o.server_cpu);
      std::cout << out.dump() << std::endl;
      return out["errors"].get<std::uint64_t>() == 0 ? 0 : 1;
    }

    if (slack || discord) {
      co.kind = slack ? chat_kind::slack : chat_kind::discord;
      co.host = o.host;
      co.port = o.port;
      co.connections = conns->count() ? o.connections : 8;
      co.seconds = o.seconds;
      co.rate = o.rate;
      co.max_requests = o.max_turns;
      co.latency_out = latency_out;
      if (discord)
        advisor::test::ed25519_key check(co.discord_seed);  // a bad seed fails here, clearly
      json out = run_chat(co);
      std::cout << out.dump() << std::endl;
      return out["errors"].get<std::uint64_t>() == 0 && out["acks"].get<std::uint64_t>() > 0 ? 0
                                                                                             : 1;
    }

    json out;
    if (responder_too) {
      responder ceiling;
      ws_options ro = o;
      ro.host = "127.0.0.1";
      ro.port = ceiling.port();
      ro.server_cpu = [&ceiling] { return ceiling.cpu_seconds(); };
      ws_results rr = run_ws(ro);
      out["responder"] = summarize(ro, rr);
      if (!latency_out.empty())
        rr.latencies.write_distribution(latency_out + ".responder", "no-work responder");
    }
    std::unique_ptr<attack> attackers;
    if (ao.connections > 0 && !loopback(ao.from))
      return fail("--attack-from must be a loopback address");
    if (ao.connections > 0) {
      ao.host = o.host;
      ao.port = o.port;
      attackers = std::make_unique<attack>(ao);
      std::this_thread::sleep_for(
          std::chrono::milliseconds(500));  // every attacker connected and sending
    }
    ws_results r = run_ws(o);
    if (attackers) out.update(attackers->stop());
    json advisor = summarize(o, r);
    if (!latency_out.empty()) r.latencies.write_distribution(latency_out, "advisor turn latency");
    if (!latency_samples.empty()) r.latencies.write_samples(latency_samples);
    for (auto& [k, v] : advisor.items()) out[k] = v;
    if (responder_too && out["responder"]["turns_per_s"].get<double>() > 0)
      out["ratio_to_responder"] = round_to(
          advisor["turns_per_s"].get<double>() / out["responder"]["turns_per_s"].get<double>(), 3);
    std::cout << out.dump() << std::endl;
    return (r.errors + r.connect_failures) == 0 && r.turns > 0 ? 0 : 1;
  } catch (const std::invalid_argument& e) {
    return fail(e.what());
  } catch (const std::exception& e) {
    std::cerr << "advisor-bench: " << e.what() << "\n";
    return 1;
  }
}
