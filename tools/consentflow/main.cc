// consentflow: the command line. Each subcommand lives in its own file; this is the table.

#include <iostream>

#include <CLI/CLI.hpp>

#include "tools/consentflow/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"consentflow: WhatsApp conversations that ask for consent before they collect data"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show the help of every subcommand");
  int exit_code = 0;
  consentflow::tools::AddCheckCommand(app, exit_code);
  consentflow::tools::AddGraphCommand(app, exit_code);
  consentflow::tools::AddInventoryCommand(app, exit_code);
  consentflow::tools::AddFmtCommand(app, exit_code);
  consentflow::tools::AddChatCommand(app, exit_code);
  consentflow::tools::AddTestCommand(app, exit_code);
  consentflow::tools::AddLedgerCommand(app, exit_code);
  consentflow::tools::AddAgentCommand(app, exit_code);
  consentflow::tools::AddServeCommand(app, exit_code);
  consentflow::tools::AddLinkCommand(app, exit_code);
  consentflow::tools::AddLinksCommand(app, exit_code);
  app.add_subcommand("help", "List the subcommands")->callback([&] {
    std::cout << app.get_description() << "\n\nUsage: consentflow SUBCOMMAND [OPTIONS] ...\n\n"
              << "Subcommands:\n";
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      std::cout << "  " << sub->get_name() << std::string(12 - std::min<std::size_t>(11, sub->get_name().size()), ' ')
                << sub->get_description() << "\n";
    }
    std::cout << "\nRun 'consentflow SUBCOMMAND --help' for its options.\n";
  });
  app.add_subcommand("version", "Print the version")->callback([] {
    std::cout << "consentflow 0.1.0 (flow language v1)\n";
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
