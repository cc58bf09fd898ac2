#pragma once

// The subcommands of `consentflow`. Each Add*Command registers its options on `app` and sets
// `exit_code` when it runs. CLI11 is forward-declared so this header stays light.

namespace CLI {
class App;
}

namespace consentflow::tools {

void AddCheckCommand(CLI::App& app, int& exit_code);
void AddGraphCommand(CLI::App& app, int& exit_code);
void AddInventoryCommand(CLI::App& app, int& exit_code);
void AddFmtCommand(CLI::App& app, int& exit_code);
void AddChatCommand(CLI::App& app, int& exit_code);
void AddTestCommand(CLI::App& app, int& exit_code);
void AddLedgerCommand(CLI::App& app, int& exit_code);
void AddAgentCommand(CLI::App& app, int& exit_code);
void AddServeCommand(CLI::App& app, int& exit_code);
void AddLinkCommand(CLI::App& app, int& exit_code);
void AddLinksCommand(CLI::App& app, int& exit_code);

}  // namespace consentflow::tools
