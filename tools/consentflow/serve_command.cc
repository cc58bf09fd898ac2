// consentflow serve --config FILE
// consentflow serve --demo [--port N] [--database FILE] [--flows DIR]
//
// Runs the engine behind the WhatsApp webhook until SIGTERM or SIGINT; SIGHUP reloads the flows.
// With --demo, no configuration and no WhatsApp account: the example flows on a temporary SQLite
// database, generated secrets, a demo agent account, a stand-in for the Graph API, and the demo
// phone at /demo beside the console at /console (docs/demo.md).
// Exit status: 0 after a clean stop, 2 when the configuration, a flow or the database is wrong.

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <random>

#include "engine/base/clock.h"
#include "engine/handoff/credentials.h"
#include "engine/server/config.h"
#include "engine/server/serve_app.h"
#include "engine/store/sqlite/sqlite_store.h"
#include "tools/consentflow/commands.h"

namespace consentflow::tools {
namespace {

namespace fs = std::filesystem;

struct ServeArgs {
  std::string config;
  bool demo = false;
  int port = 8080;
  std::string database;  // --demo: "" for a temporary one
  std::string flows;     // --demo: "" to look for the example flows
};

constexpr const char* kDemoAgent = "demo";

// Letters and digits from the system's random source (passwords, secrets).
std::string RandomText(std::size_t length) {
  static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::random_device random;
  std::uniform_int_distribution<std::size_t> pick(0, sizeof kAlphabet - 2);
  std::string text;
  for (std::size_t i = 0; i < length; ++i) text += kAlphabet[pick(random)];
  return text;
}

// The example flows: beside the binary's folder (build/consentflow -> flows/), then the
// working directory's flows/.
std::string FindExampleFlows() {
  std::error_code ec;
  const fs::path binary = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> candidates;
  if (!ec) {
    candidates.push_back(binary.parent_path().parent_path() / "flows");
    candidates.push_back(binary.parent_path() / "flows");
  }
  candidates.push_back(fs::current_path(ec) / "flows");
  for (const fs::path& candidate : candidates) {
    if (fs::exists(candidate / "support_desk.flow", ec)) return candidate.string();
  }
  return "";
}

// The demo agent, in every queue the example flows hand off to; kept when the database already
// has one (a reused --database), whose password then stays what it was.
bool AddDemoAgent(const std::string& database, const std::string& password,
                  const std::vector<engine::server::QueueConfig>& queues, bool& existed) {
  Result<std::unique_ptr<engine::Store>> store =
      engine::OpenSqliteStore(engine::SqliteOptions{database, 5000, /*durable=*/true});
  if (!store) {
    std::cerr << "consentflow: error: " << store.error().message() << "\n";
    return false;
  }
  Result<std::string> hash =
      engine::handoff::HashPassword(password, engine::handoff::PasswordCost::Interactive());
  if (!hash) {
    std::cerr << "consentflow: error: " << hash.error().message() << "\n";
    return false;
  }
  engine::handoff::AgentAccount account;
  account.profile.name = kDemoAgent;
  account.profile.role = engine::handoff::Role::kAgent;
  for (const engine::server::QueueConfig& queue : queues) account.profile.queues.insert(queue.name);
  account.password_hash = std::move(*hash);
  account.created = SystemClock().Now();
  const Status added = (*store)->AddAgent(account);
  existed = added.code() == StatusCode::kConflict;
  if (!added.ok() && !existed) {
    std::cerr << "consentflow: error: " << added.message() << "\n";
    return false;
  }
  return true;
}

int Serve(const engine::server::ServerConfig& config) {
  Result<std::unique_ptr<engine::server::ServeApp>> app = engine::server::ServeApp::Start(config);
  if (!app) {
    std::cerr << "consentflow: error: " << app.error().message() << "\n";
    return 2;
  }
  if (config.demo) {
    const std::string base = "http://127.0.0.1:" + std::to_string((*app)->port());
    std::cout << "consentflow demo is running (Ctrl-C stops it)\n"
              << "  demo phone:    " << base << "/demo\n"
              << "  agent console: " << base << "/console\n"
              << std::flush;
  } else {
    std::cerr << "consentflow: serving on " << config.listen << ":" << (*app)->port()
              << config.webhook_path << " (SIGTERM stops, SIGHUP reloads the flows)\n";
  }
  (*app)->RunUntilSignalled();
  return 0;
}

int RunDemo(const ServeArgs& args) {
  engine::server::ServerConfig config;
  config.demo = true;
  config.listen = "127.0.0.1";  // the demo's pages and API have no business on a network
  config.port = static_cast<uint16_t>(args.port);
  config.flows_dir = args.flows.empty() ? FindExampleFlows() : args.flows;
  if (config.flows_dir.empty()) {
    std::cerr << "consentflow: error: cannot find the example flows (flows/support_desk.flow) "
                 "beside the binary or here; give --flows DIR\n";
    return 2;
  }
  config.phone_number_ids = {"100000000000001"};
  config.verify_token = RandomText(24);
  config.app_secret = RandomText(32);
  config.access_token = "demo-" + RandomText(16);
  config.queues = {{"support", "Customer support", {}},
                   {"sales", "Sales", {}},
                   {"callbacks", "Call-backs", {}}};
  // What the console offers once a customer's 24-hour window has passed; the stand-in accepts
  // any template, as Meta accepts approved ones.
  config.templates = {
      {"follow_up", "en", "Hello {{1}}, we have news about your request. Reply to continue.", 1},
      {"still_there", "en", "Are you still there? Reply to continue our chat.", 0}};
  std::string temporary;
  if (args.database.empty()) {
    std::string pattern = (fs::temp_directory_path() / "consentflow-demo-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::cerr << "consentflow: error: cannot make a temporary folder for the demo database\n";
      return 2;
    }
    temporary = pattern;
    config.database = (fs::path(temporary) / "demo.db").string();
  } else {
    config.database = args.database;
  }
  const std::string password = RandomText(12);
  bool existed = false;
  if (!AddDemoAgent(config.database, password, config.queues, existed)) return 2;
  std::cout << "consentflow demo: flows from " << config.flows_dir << ", database "
            << config.database << (temporary.empty() ? "" : " (deleted on exit)") << "\n";
  if (existed) {
    std::cout << "  console login: " << kDemoAgent << " (the account was in the database already; "
              << "its password is unchanged)\n";
  } else {
    std::cout << "  console login: " << kDemoAgent << " / " << password << "\n";
  }
  const int status = Serve(config);
  if (!temporary.empty()) {
    std::error_code ignored;
    fs::remove_all(temporary, ignored);
  }
  return status;
}

int RunServe(const ServeArgs& args) {
  engine::server::BlockServerSignals();
  if (args.demo) return RunDemo(args);
  if (args.config.empty()) {
    std::cerr << "consentflow: error: serve needs --config FILE (or --demo)\n";
    return 2;
  }
  Result<engine::server::ServerConfig> config = engine::server::LoadServerConfig(args.config);
  if (!config) {
    std::cerr << "consentflow: error: " << config.error().message() << "\n";
    return 2;
  }
  return Serve(*config);
}

}  // namespace

void AddServeCommand(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("serve", "Run the engine behind the WhatsApp webhook");
  auto args = std::make_shared<ServeArgs>();
  cmd->add_option("--config", args->config, "The server's TOML configuration (see docs/operations.md)")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--demo", args->demo,
                "Run the example flows with the demo phone at /demo and the console at /console; "
                "no configuration or WhatsApp account (docs/demo.md)");
  cmd->add_option("--port", args->port, "--demo: the port on 127.0.0.1 (0: any free port)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--database", args->database, "--demo: keep the data in this SQLite file")
      ->needs("--demo");
  cmd->add_option("--flows", args->flows, "--demo: the flows folder (default: the example flows)")
      ->needs("--demo")
      ->check(CLI::ExistingDirectory);
  cmd->callback([args, &exit_code] { exit_code = RunServe(*args); });
}

}  // namespace consentflow::tools
