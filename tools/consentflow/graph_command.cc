// consentflow graph FILE [--format dot|mermaid|svg] [-o OUT]

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "dsl/graph_render.h"
#include "tools/consentflow/commands.h"
#include "tools/consentflow/diagnostic_output.h"

namespace consentflow::tools {
namespace {

struct GraphArgs {
  std::string file;
  std::string format = "dot";
  std::string output;
};

// Runs Graphviz's `dot -Tsvg` with `dot_text` on its standard input; no shell is involved.
int RenderSvg(const std::string& dot_text, const std::string& output) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return 2;
  const pid_t pid = fork();
  if (pid < 0) return 2;
  if (pid == 0) {
    dup2(pipe_fds[0], STDIN_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    std::string out_flag = "-o" + output;
    std::vector<char*> argv = {const_cast<char*>("dot"), const_cast<char*>("-Tsvg")};
    if (!output.empty()) argv.push_back(out_flag.data());
    argv.push_back(nullptr);
    execvp("dot", argv.data());
    std::cerr << "consentflow: error: cannot run Graphviz's 'dot' (" << std::strerror(errno)
              << "); install it with 'apt-get install graphviz', or use --format dot\n";
    _exit(127);
  }
  close(pipe_fds[0]);
  std::size_t written = 0;
  while (written < dot_text.size()) {
    const ssize_t n = write(pipe_fds[1], dot_text.data() + written, dot_text.size() - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  close(pipe_fds[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 2;
}

int RunGraph(const GraphArgs& args) {
  const dsl::LoadedFlow flow = LoadAndReport(args.file, std::cerr);
  if (!flow.ok()) return 1;
  if (args.format == "svg") {
    return RenderSvg(dsl::RenderGraph(*flow.program, dsl::GraphFormat::kDot), args.output);
  }
  const std::string text = dsl::RenderGraph(
      *flow.program, args.format == "mermaid" ? dsl::GraphFormat::kMermaid : dsl::GraphFormat::kDot);
  if (args.output.empty()) {
    std::cout << text;
    return 0;
  }
  std::ofstream out(args.output, std::ios::binary);
  out << text;
  if (!out) {
    std::cerr << "consentflow: error: cannot write '" << args.output << "'\n";
    return 2;
  }
  return 0;
}

}  // namespace

void AddGraphCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<GraphArgs>();
  CLI::App* cmd = app.add_subcommand(
      "graph", "Draw a flow's states: consent, capture, handoff and end steps look different");
  cmd->add_option("file", args->file, "The .flow file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--format", args->format, "dot, mermaid, or svg (needs Graphviz)")
      ->check(CLI::IsMember({"dot", "mermaid", "svg"}));
  cmd->add_option("-o,--output", args->output, "Write to this file instead of standard output");
  cmd->callback([args, &exit_code] { exit_code = RunGraph(*args); });
}

}  // namespace consentflow::tools
