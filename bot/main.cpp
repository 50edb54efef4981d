// advisor: the command line. Parses flags, loads the configuration, and dispatches.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "bot/commands.hpp"
#include "bot/infra/config.hpp"
#include "bot/infra/log.hpp"
#include "dialogue/framework.hpp"

using namespace advisor::bot;

namespace {

// Shown under every command's help: the options that work with any command, anywhere on the
// line, and the environment the advisor reads.
constexpr const char* help_footer = R"(Global options (anywhere on the line, with any command):
  --config FILE      JSON config file (env ADVISOR_CONFIG; see config/advisor.example.json)
  --data-dir DIR     where the SQLite database lives (env ADVISOR_DATA_DIR; default ./data)
  -h,--help          this help; `advisor COMMAND --help` for a command's

Environment (a flag wins over the environment, the environment over the config file):
  ADVISOR_CONFIG, ADVISOR_DATA_DIR, ADVISOR_HOST, ADVISOR_PORT
  ADVISOR_LOG_LEVEL             trace, debug, info, warn, error or off
  ADVISOR_CONFIG_DIR            the shipped framework and knowledge files
  ADVISOR_SLACK_SIGNING_SECRET, ADVISOR_SLACK_BOT_TOKEN, ADVISOR_SLACK_API_URL,
  ADVISOR_SLACK_WEBHOOK_URL
  ADVISOR_DISCORD_PUBLIC_KEY, ADVISOR_DISCORD_APP_ID, ADVISOR_DISCORD_BOT_TOKEN,
  ADVISOR_DISCORD_API_URL, ADVISOR_DISCORD_WEBHOOK_URL

Exit status: 0 done, 1 failed, 2 usage or configuration error.)";

// The deepest command named on the line (`knowledge search`), whose usage a mistake shows.
const CLI::App* deepest(const CLI::App& app) {
  const CLI::App* at = &app;
  for (auto subs = at->get_subcommands(); !subs.empty(); subs = at->get_subcommands())
    at = subs.front();
  return at;
}

// "unknown command "X" (did you mean "Y"?)" when a command that needs one of its commands got
// a word that names none; CLI11 alone says only that a command is required.
std::string unknown_command(const CLI::App& root, const CLI::App& at) {
  // A word no command takes is left over on the command line as a whole.
  auto rest = root.remaining(true);
  if (at.get_require_subcommand_min() == 0 || !at.get_subcommands().empty() || rest.empty() ||
      rest.front().starts_with("-"))
    return {};
  std::vector<std::string> names;
  for (const auto* sub : at.get_subcommands([](const CLI::App*) { return true; }))
    names.push_back(sub->get_name());
  std::string said = "unknown command \"" + rest.front() + "\"";
  if (auto near = nearest_key(rest.front(), names); !near.empty())
    said += " (did you mean \"" + near + "\"?)";
  return said;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"advisor: talks a team through choosing Python, Node.js or both for a backend"};
  cli.set_version_flag("--version", std::string("advisor ") + ADVISOR_VERSION);
  cli.require_subcommand(1);
  // Inherited by every command added below: global options are read after a command too
  // (`advisor chat --data-dir X`), and every help ends with them and the environment.
  cli.fallthrough();
  cli.footer(help_footer);
  std::string config_file, data_dir;
  cli.add_option("--config", config_file, "JSON config file (see config/advisor.example.json)")
      ->envname("ADVISOR_CONFIG");
  cli.add_option("--data-dir", data_dir, "where the SQLite database lives (default: ./data)");

  chat_options chat;
  auto* chat_cmd = cli.add_subcommand("chat", "have the conversation in this terminal");
  chat_cmd->add_flag("--json", chat.json,
                     "speak the JSON message shapes on stdin/stdout (one per line)");
  chat_cmd->add_flag("--new", chat.fresh,
                     "start a new conversation instead of resuming the last one");
  chat_cmd->add_option("--record", chat.record_file,
                       "write the decision record (Markdown) to this file at the end");
  chat_cmd->add_option("--framework", chat.framework,
                       "start a new conversation on this framework (e.g. python-web)");

  std::string host;
  int port = -1;
  unsigned threads = 0;
  auto* serve_cmd = cli.add_subcommand(
      "serve", "serve the WebSocket endpoint, the web widget, Slack and Discord");
  serve_cmd->add_option("--host", host, "address to listen on (default 127.0.0.1)")
      ->envname("ADVISOR_HOST");
  serve_cmd->add_option("--port", port, "port to listen on (default 8080; 0 picks a free one)")
      ->check(CLI::Range(0, 65535))
      ->envname("ADVISOR_PORT");
  serve_cmd->add_option("--threads", threads, "I/O threads (default 1)")->check(CLI::Range(1, 256));

  auto* kb_cmd =
      cli.add_subcommand("knowledge", "search, export, import or validate the knowledge");
  kb_cmd->require_subcommand(1);
  std::string search_text, file;
  std::size_t limit = 5;
  bool as_json = false;
  auto* search_cmd = kb_cmd->add_subcommand("search", "full-text search over the facts");
  search_cmd->add_option("text", search_text, "what to look for")->required();
  search_cmd->add_option("--limit", limit, "how many facts at most")->check(CLI::Range(1, 100));
  search_cmd->add_flag("--json", as_json, "print JSON");
  auto* export_cmd = kb_cmd->add_subcommand(
      "export", "write the knowledge and frameworks to a JSON file ('-' for stdout)");
  export_cmd->add_option("file", file)->required();
  auto* import_cmd = kb_cmd->add_subcommand(
      "import", "replace the knowledge (and frameworks) from an export file");
  import_cmd->add_option("file", file)->required()->check(CLI::ExistingFile);
  auto* validate_cmd = kb_cmd->add_subcommand(
      "validate", "check a framework or knowledge file and list its problems");
  validate_cmd->add_option("file", file)->required()->check(CLI::ExistingFile);

  auto* db_cmd = cli.add_subcommand("db", "database maintenance");
  db_cmd->require_subcommand(1);
  auto* backup_cmd =
      db_cmd->add_subcommand("backup", "copy the database to FILE while the advisor runs");
  backup_cmd->add_option("file", file)->required();

  auto* discord_cmd = cli.add_subcommand("discord", "Discord application commands");
  discord_cmd->require_subcommand(1);
  auto* register_cmd =
      discord_cmd->add_subcommand("register", "register the /advisor slash command with Discord");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return cli.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    // A usage error: what is wrong, then the usage of the command it concerns.
    const CLI::App* at = deepest(cli);
    std::string unknown = unknown_command(cli, *at);
    std::cerr << "advisor: " << (unknown.empty() ? std::string(e.what()) : unknown) << "\n\n"
              << at->help();
    return 2;
  }

  try {
    config cfg = load_config(config_file);
    if (!data_dir.empty()) cfg.data_dir = data_dir;
    if (!host.empty()) cfg.host = host;
    if (port >= 0) cfg.port = static_cast<std::uint16_t>(port);
    if (threads > 0) cfg.threads = threads;
    advisor::log::set_level(cfg.log_level);
    // The terminal conversation keeps the terminal: its logs go to a file in the data dir.
    if (*chat_cmd && !chat.json) {
      std::filesystem::create_directories(cfg.data_dir);
      advisor::log::to_file((std::filesystem::path(cfg.data_dir) / "chat.log").string());
    }

    if (*chat_cmd) return run_chat(cfg, chat, std::cin, std::cout);
    if (*serve_cmd) return run_serve(cfg);
    if (*search_cmd) return run_knowledge_search(cfg, search_text, limit, as_json, std::cout);
    if (*export_cmd) return run_knowledge_export(cfg, file, std::cout);
    if (*import_cmd) return run_knowledge_import(cfg, file, std::cout);
    if (*validate_cmd) return run_knowledge_validate(cfg, file, std::cout);
    if (*backup_cmd) return run_db_backup(cfg, file, std::cout);
    if (*register_cmd) return run_discord_register(cfg, std::cout);
  } catch (const config_error& e) {
    std::cerr << "advisor: " << e.what() << "\n";
    return 2;
  } catch (const advisor::dialogue::load_error& e) {
    std::cerr << "advisor: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "advisor: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
