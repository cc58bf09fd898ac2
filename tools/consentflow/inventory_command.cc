// consentflow inventory FILE... [--json]

#include <iostream>

#include <CLI/CLI.hpp>

#include "dsl/inventory.h"
#include "tools/consentflow/commands.h"
#include "tools/consentflow/diagnostic_output.h"

namespace consentflow::tools {
namespace {

struct InventoryArgs {
  std::vector<std::string> files;
  bool json = false;
};

int RunInventory(const InventoryArgs& args) {
  std::vector<dsl::LoadedFlow> flows;
  bool failed = false;
  for (const std::string& file : args.files) {
    flows.push_back(LoadAndReport(file, std::cerr));
    failed = failed || !flows.back().ok();
  }
  // A record of processing must be complete: refuse to print one with a flow missing.
  if (failed) {
    std::cerr << "consentflow: error: fix the errors above; an inventory must cover every flow\n";
    return 1;
  }
  std::vector<const dsl::Program*> programs;
  for (const dsl::LoadedFlow& flow : flows) programs.push_back(flow.program.get());
  const auto inventory = dsl::BuildInventory(programs);
  std::cout << (args.json ? dsl::InventoryJson(inventory) : dsl::InventoryMarkdown(inventory));
  return 0;
}

}  // namespace

void AddInventoryCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<InventoryArgs>();
  CLI::App* cmd = app.add_subcommand(
      "inventory",
      "The record of processing: every field, its purpose, retention, notices and states");
  cmd->add_option("files", args->files, "The .flow files")->required()->check(CLI::ExistingFile);
  cmd->add_flag("--json", args->json, "Print JSON instead of a Markdown table");
  cmd->callback([args, &exit_code] { exit_code = RunInventory(*args); });
}

}  // namespace consentflow::tools
