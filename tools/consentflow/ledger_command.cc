// consentflow ledger verify DB
//
// Checks the hash chain of a SQLite store's consent ledger, entry by entry, in a stream (any
// size). Exit status: 0 the chain is intact, 1 an entry is broken, 2 the store cannot be read.

#include <CLI/CLI.hpp>
#include <iostream>

#include "engine/ledger.h"
#include "engine/store/sqlite/sqlite_store.h"
#include "tools/consentflow/commands.h"

namespace consentflow::tools {
namespace {

constexpr std::size_t kPage = 1000;

int RunVerify(const std::string& db) {
  Result<std::unique_ptr<engine::Store>> store = engine::OpenSqliteStore(
      engine::SqliteOptions{db, /*busy_timeout_ms=*/5000, /*durable=*/true});
  if (!store) {
    std::cerr << "consentflow: error: " << store.error().message() << "\n";
    return 2;
  }
  engine::LedgerVerifier verifier;
  for (uint64_t from = 1;;) {
    Result<std::vector<engine::LedgerEntry>> page = (*store)->ReadLedger(from, kPage);
    if (!page) {
      std::cerr << "consentflow: error: " << page.error().message() << "\n";
      return 2;
    }
    for (const engine::LedgerEntry& entry : *page) {
      if (!verifier.Add(entry)) {
        std::cout << db << ": ledger broken at entry " << *verifier.first_broken() << ": "
                  << verifier.problem() << "\n";
        return 1;
      }
    }
    if (page->size() < kPage) break;
    from = page->back().sequence + 1;
  }
  std::cout << "ledger ok: " << verifier.checked() << " entries\n";
  return 0;
}

}  // namespace

void AddLedgerCommand(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("ledger", "Inspect the consent ledger of a SQLite store");
  cmd->require_subcommand(1);
  auto db = std::make_shared<std::string>();
  CLI::App* verify = cmd->add_subcommand(
      "verify", "Check the ledger's hash chain; name the first broken entry (exit status 1)");
  verify->add_option("db", *db, "The SQLite database file")->required()->check(CLI::ExistingFile);
  verify->callback([db, &exit_code] { exit_code = RunVerify(*db); });
}

}  // namespace consentflow::tools
