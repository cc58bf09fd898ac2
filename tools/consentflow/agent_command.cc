// consentflow agent add NAME --queue Q [--queue Q2 ...] --role agent|supervisor --db PATH
//
// Creates an agent account for the console (docs/handoff.md). The password is read from the
// first line of standard input, so it never appears in the process list or the shell history:
//
//   printf '%s\n' "$PASSWORD" | consentflow agent add ann --queue support --role agent --db cf.db
//
// Only its Argon2id hash is stored. Exit status: 0 added, 1 the input is wrong (name taken,
// password too short, unknown role), 2 the database cannot be used.

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/handoff/credentials.h"
#include "engine/store/sqlite/sqlite_store.h"
#include "tools/consentflow/commands.h"

namespace consentflow::tools {
namespace {

constexpr std::size_t kMinPasswordBytes = 8;

struct AgentArgs {
  std::string name;
  std::vector<std::string> queues;
  std::string role = "agent";
  std::string db;
};

int RunAdd(const AgentArgs& args) {
  const std::optional<engine::handoff::Role> role = engine::handoff::ParseRole(args.role);
  if (!role) {
    std::cerr << "consentflow: error: the role is 'agent' or 'supervisor', not '" << args.role
              << "'\n";
    return 1;
  }
  if (*role == engine::handoff::Role::kAgent && args.queues.empty()) {
    std::cerr << "consentflow: error: an agent works at least one queue: give --queue NAME\n";
    return 1;
  }
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.size() < kMinPasswordBytes) {
    std::cerr
        << "consentflow: error: the password (the first line of standard input) needs at least "
        << kMinPasswordBytes << " characters\n";
    return 1;
  }
  // Hashing costs 64 MiB and a fraction of a second, on purpose.
  Result<std::string> hash =
      engine::handoff::HashPassword(password, engine::handoff::PasswordCost::Interactive());
  if (!hash) {
    std::cerr << "consentflow: error: " << hash.error().message() << "\n";
    return hash.error().code() == StatusCode::kInvalidArgument ? 1 : 2;
  }
  Result<std::unique_ptr<engine::Store>> store = engine::OpenSqliteStore(
      engine::SqliteOptions{args.db, /*busy_timeout_ms=*/5000, /*durable=*/true});
  if (!store) {
    std::cerr << "consentflow: error: " << store.error().message() << "\n";
    return 2;
  }
  engine::handoff::AgentAccount account;
  account.profile.name = args.name;
  account.profile.role = *role;
  account.profile.queues.insert(args.queues.begin(), args.queues.end());
  account.password_hash = std::move(*hash);
  account.created = SystemClock().Now();
  if (Status s = (*store)->AddAgent(account); !s.ok()) {
    std::cerr << "consentflow: error: " << s.message() << "\n";
    return s.code() == StatusCode::kConflict ? 1 : 2;
  }
  std::cout << "agent '" << args.name << "' added (" << args.role;
  for (std::size_t i = 0; i < args.queues.size(); ++i)
    std::cout << (i == 0 ? "; queues " : ", ") << args.queues[i];
  std::cout << ")\n";
  return 0;
}

}  // namespace

void AddAgentCommand(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("agent", "Manage the agent console's accounts");
  cmd->require_subcommand(1);
  auto args = std::make_shared<AgentArgs>();
  CLI::App* add = cmd->add_subcommand(
      "add", "Create an agent account; the password is the first line of standard input");
  add->add_option("name", args->name, "The agent's login name")->required();
  add->add_option("--queue", args->queues, "A queue the agent works (repeat for several)");
  add->add_option("--role", args->role, "agent (sees their queues) or supervisor (sees all)")
      ->capture_default_str();
  add->add_option("--db", args->db, "The SQLite database file")->required();
  add->callback([args, &exit_code] { exit_code = RunAdd(*args); });
}

}  // namespace consentflow::tools
