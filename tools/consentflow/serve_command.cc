// consentflow serve --config FILE
//
// Runs the engine behind the WhatsApp webhook until SIGTERM or SIGINT; SIGHUP reloads the flows.
// Exit status: 0 after a clean stop, 2 when the configuration, a flow or the database is wrong.

#include <CLI/CLI.hpp>
#include <iostream>

#include "engine/server/config.h"
#include "engine/server/serve_app.h"
#include "tools/consentflow/commands.h"

namespace consentflow::tools {
namespace {

int RunServe(const std::string& config_path) {
  engine::server::BlockServerSignals();
  Result<engine::server::ServerConfig> config = engine::server::LoadServerConfig(config_path);
  if (!config) {
    std::cerr << "consentflow: error: " << config.error().message() << "\n";
    return 2;
  }
  Result<std::unique_ptr<engine::server::ServeApp>> app = engine::server::ServeApp::Start(*config);
  if (!app) {
    std::cerr << "consentflow: error: " << app.error().message() << "\n";
    return 2;
  }
  std::cerr << "consentflow: serving on " << config->listen << ":" << (*app)->port()
            << config->webhook_path << " (SIGTERM stops, SIGHUP reloads the flows)\n";
  (*app)->RunUntilSignalled();
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("serve", "Run the engine behind the WhatsApp webhook");
  auto config = std::make_shared<std::string>();
  cmd->add_option("--config", *config, "The server's TOML configuration (see docs/operations.md)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->callback([config, &exit_code] { exit_code = RunServe(*config); });
}

}  // namespace consentflow::tools
