// consentflow fmt FILE... [--check] [--stdout]

#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "dsl/formatter.h"
#include "tools/consentflow/commands.h"

namespace consentflow::tools {
namespace {

struct FmtArgs {
  std::vector<std::string> files;
  bool check = false;
  bool to_stdout = false;
};

int RunFmt(const FmtArgs& args) {
  int status = 0;
  for (const std::string& file : args.files) {
    dsl::SourceFile source;
    std::string error;
    if (!dsl::ReadSourceFile(file, source, error)) {
      std::cerr << "consentflow: error: " << error << "\n";
      status = 2;
      continue;
    }
    const dsl::FormatResult formatted = dsl::FormatFlow(source);
    if (!formatted.ok) {
      std::cerr << dsl::FormatDiagnostics(source, formatted.diagnostics);
      status = std::max(status, 1);
      continue;
    }
    if (args.to_stdout) {
      std::cout << formatted.text;
    } else if (formatted.text != source.text) {
      if (args.check) {
        std::cout << file << ": not formatted\n";
        status = std::max(status, 1);
        continue;
      }
      // Write beside the file, then rename, so a failure never leaves half a flow behind.
      const std::string temporary = file + ".fmt-tmp";
      std::ofstream out(temporary, std::ios::binary);
      out << formatted.text;
      out.close();
      if (!out || std::rename(temporary.c_str(), file.c_str()) != 0) {
        std::cerr << "consentflow: error: cannot write '" << file << "'\n";
        std::remove(temporary.c_str());
        status = 2;
      }
    }
  }
  return status;
}

}  // namespace

void AddFmtCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<FmtArgs>();
  CLI::App* cmd = app.add_subcommand("fmt", "Rewrite flow files with canonical indentation and spacing");
  cmd->add_option("files", args->files, "The .flow files")->required()->check(CLI::ExistingFile);
  cmd->add_flag("--check", args->check, "Change nothing; exit 1 if a file is not formatted");
  cmd->add_flag("--stdout", args->to_stdout, "Print the formatted text instead of rewriting");
  cmd->callback([args, &exit_code] { exit_code = RunFmt(*args); });
}

}  // namespace consentflow::tools
