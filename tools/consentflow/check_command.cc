// consentflow check FILE... [--json] [--emit machine.json] [--werror]

#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "dsl/program_json.h"
#include "tools/consentflow/commands.h"
#include "tools/consentflow/diagnostic_output.h"

namespace consentflow::tools {
namespace {

struct CheckArgs {
  std::vector<std::string> files;
  bool json = false;
  bool werror = false;
  bool quiet = false;
  std::string emit;
};

int RunCheck(const CheckArgs& args) {
  if (!args.emit.empty() && args.files.size() != 1) {
    std::cerr << "consentflow: error: --emit writes one machine; give exactly one flow file\n";
    return 2;
  }
  std::vector<dsl::LoadedFlow> flows;
  bool failed = false;
  for (const std::string& file : args.files) {
    dsl::LoadedFlow flow = args.json ? dsl::LoadFlow(file, CheckOptionsFor(file))
                                     : LoadAndReport(file, std::cerr);
    const int errors = dsl::CountSeverity(flow.diagnostics, dsl::Severity::kError);
    const int warnings = dsl::CountSeverity(flow.diagnostics, dsl::Severity::kWarning);
    failed = failed || errors > 0 || (args.werror && warnings > 0);
    if (!args.json && !args.quiet && flow.ok()) {
      std::cout << file << ": ok: " << flow.program->states.size() << " states, "
                << flow.program->fields.size() << " fields, " << flow.program->notices.size()
                << " notices" << (warnings ? ", " + std::to_string(warnings) + " warnings" : "")
                << "\n";
    }
    flows.push_back(std::move(flow));
  }
  if (args.json) std::cout << DiagnosticsJson(flows);
  if (!args.emit.empty() && flows[0].ok()) {
    std::ofstream out(args.emit, std::ios::binary);
    out << dsl::ProgramToJson(*flows[0].program);
    if (!out) {
      std::cerr << "consentflow: error: cannot write '" << args.emit << "'\n";
      return 2;
    }
  }
  return failed ? 1 : 0;
}

}  // namespace

void AddCheckCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = app.add_subcommand(
      "check", "Compile flow files and report every error and warning (exit status 1 on errors)");
  cmd->add_option("files", args->files, "The .flow files")->required()->check(CLI::ExistingFile);
  cmd->add_flag("--json", args->json, "Print the diagnostics as JSON on standard output");
  cmd->add_flag("--werror", args->werror, "Treat warnings as errors");
  cmd->add_flag("-q,--quiet", args->quiet, "Print nothing for flows that compile");
  cmd->add_option("--emit", args->emit, "Write the compiled machine as JSON to this file");
  cmd->callback([args, &exit_code] { exit_code = RunCheck(*args); });
}

}  // namespace consentflow::tools
