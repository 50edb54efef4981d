// Run-time configuration: defaults that work out of the box, a JSON config file on top,
// environment variables on top of that (secrets), and command-line flags last.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace advisor::bot {

struct slack_config {
  std::string signing_secret;                     // ADVISOR_SLACK_SIGNING_SECRET; never logged
  std::string bot_token;                          // ADVISOR_SLACK_BOT_TOKEN; never logged
  std::string api_url = "https://slack.com/api";  // ADVISOR_SLACK_API_URL
  std::string webhook_url;  // optional incoming webhook for final recommendations
  // An acknowledged Events API message is a job in the session store until its reply is
  // delivered: the instance that took it holds it this long (then any instance may finish it),
  // and every instance looks for such abandoned jobs this often (and at start-up).
  unsigned job_lease_seconds = 120;  // more than a delivery's retries take (about 30 s)
  unsigned job_sweep_seconds = 10;
  bool enabled() const { return !signing_secret.empty(); }
};

struct discord_config {
  std::string public_key;  // hex Ed25519 key; ADVISOR_DISCORD_PUBLIC_KEY
  std::string app_id;      // ADVISOR_DISCORD_APP_ID
  std::string bot_token;   // ADVISOR_DISCORD_BOT_TOKEN; never logged
  std::string api_url = "https://discord.com/api/v10";  // ADVISOR_DISCORD_API_URL
  std::string webhook_url;  // optional webhook for final recommendations
  bool enabled() const { return !public_key.empty(); }
};

struct config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string data_dir = "data";
  // Where conversations live. Empty: SQLite in data_dir (one instance). A PostgreSQL URL or
  // connection string ("postgresql://advisor@db/advisor"): shared by every instance that
  // names it. ADVISOR_DATABASE_URL; may hold a password, never logged.
  std::string database_url;
  std::string framework_file;  // empty: the built-in config/framework.json next to the binary
  std::string knowledge_file;  // empty: config/knowledge.json
  std::string frameworks_dir;  // more frameworks to offer; empty: config/frameworks/
  std::string log_level = "info";
  unsigned threads = 1;  // I/O threads of the server: sockets only (turns: turn_threads)
  std::vector<std::string> allowed_origins;  // empty: any origin may open the WebSocket
  double messages_per_second = 20;           // per-connection rate limit (token bucket)
  double message_burst = 40;
  unsigned idle_timeout_seconds = 300;    // a silent WebSocket is closed after this
  unsigned request_timeout_seconds = 15;  // an HTTP request must arrive whole within this
  unsigned conversation_idle_days = 30;   // `serve` deletes conversations idle longer; 0: never
  unsigned turn_threads = 2;  // threads that decide turns and commit them (never the I/O thread)
  double bytes_per_second =
      4 * 1024;  // per-connection budget of bytes read (token bucket), beside the message rate
  double byte_burst = 16 * 1024;  // also the largest message read (a longer one gets too_large)
  double bytes_per_second_per_ip =
      16 * 1024;  // the same, shared by every connection from one address
  double byte_burst_per_ip = 64 * 1024;
  std::size_t max_outgoing_bytes =
      1024 * 1024;  // replies a WebSocket client has not read; past it, the socket is closed
  unsigned max_connections = 20000;       // open connections (HTTP and WebSocket) in all
  unsigned max_connections_per_ip = 256;  // open connections from one peer address
  std::string frame_ancestors =
      "'none'";  // the CSP frame-ancestors of the pages served (who may frame them)
  slack_config slack;
  discord_config discord;
  std::string source;  // the config file it came from, for messages
};

// Loads `file` (if not empty) over the defaults, then applies the environment.
// Throws config_error (a std::runtime_error) naming the file, the line and the problem.
config load_config(const std::string& file);

// A configuration a user must fix: an unknown key, a value out of range, a bad log level.
struct config_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One of trace, debug, info, warn, error, off.
bool valid_log_level(const std::string& level);
// The known key nearest to `key` (a typo's fix), or "" when none is near enough.
std::string nearest_key(const std::string& key, const std::vector<std::string>& known);

}  // namespace advisor::bot
