// Kills an engine process with SIGKILL at random points while it takes in and processes
// messages, restarts it, and checks that in the end every message was handled exactly once:
// each contact's replies in the outbox are exactly those of a run that never crashed, each
// once, in order, and the consent ledger verifies.

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "dsl/loader.h"
#include "engine/engine.h"
#include "engine/ledger.h"
#include "engine/store/sqlite/sqlite_store.h"
#include "tests/dsl/contract_example.h"

namespace consentflow::engine {
namespace {

namespace fs = std::filesystem;

constexpr int kContacts = 30;

// The conversation each contact has: the contract example, from "hi" to a handoff.
std::vector<InboundMessage> Script() {
  const char* lines[] = {"Hi SPRING24", "yes", "Lena", "lena@example.com", "Skiing", "7000"};
  std::vector<InboundMessage> messages;
  for (int line = 0; line < 6; ++line) {
    for (int c = 0; c < kContacts; ++c) {
      InboundMessage m;
      m.id = "wamid.c" + std::to_string(c) + "." + std::to_string(line);
      m.contact = "49170000" + std::to_string(100 + c);
      m.time = FromUnixSeconds(1'767'225'600 + line);
      m.text = lines[line];
      messages.push_back(m);
    }
  }
  return messages;
}

// Takes in every message (again: WhatsApp redelivers what was not acknowledged) and processes
// them in small batches. Returns when all are processed.
void RunEngine(const fs::path& db, bool durable) {
  const dsl::LoadedFlow flow =
      dsl::LoadFlowSource(dsl::SourceFile{"spring_leads.flow", std::string(dsl::testing::kContractExample)});
  FlowRegistry registry;
  if (!flow.ok() || !registry.Add(flow.program).ok()) std::abort();
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(SqliteOptions{db.string(), 5000, durable});
  if (!store) std::abort();
  ManualClock clock;
  EngineOptions options;
  options.batch_size = 4;
  options.claim_for = Duration(0);  // a restarted engine may take over at once
  Engine engine(**store, registry, clock, nullptr, options);
  const std::vector<InboundMessage> script = Script();
  for (std::size_t i = 0; i < script.size(); ++i) {
    if (!engine.Receive(script[i])) std::abort();
    if (i % 3 == 2 && !engine.ProcessPending()) std::abort();
  }
  while (true) {
    Result<EngineReport> report = engine.ProcessPending();
    if (!report) std::abort();
    if (report->handled + report->failed == 0) break;
  }
}

std::map<std::string, std::vector<std::string>> RepliesByContact(const fs::path& db) {
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(SqliteOptions{db.string(), 5000, false});
  EXPECT_TRUE(store);
  std::map<std::string, std::vector<std::string>> replies;
  Result<std::vector<OutboxEntry>> outbox = (*store)->PendingOutbox(100000);
  EXPECT_TRUE(outbox);
  for (const OutboxEntry& e : *outbox) replies[e.message.contact].push_back(e.message.body);
  Result<std::vector<LedgerEntry>> ledger = (*store)->ReadLedger(1, 100000);
  EXPECT_TRUE(ledger);
  LedgerVerifier verifier;
  for (const LedgerEntry& e : *ledger) EXPECT_TRUE(verifier.Add(e)) << verifier.problem();
  EXPECT_EQ(ledger->size(), static_cast<std::size_t>(kContacts));  // one consent each
  return replies;
}

// How many inbox messages are processed (0 when the database does not exist yet).
int Processed(const fs::path& db) {
  if (!fs::exists(db)) return 0;
  sqlite3* handle = nullptr;
  int count = 0;
  if (sqlite3_open_v2(db.string().c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_exec(
        handle, "SELECT count(*) FROM inbox WHERE processed = 1",
        [](void* out, int, char** values, char**) {
          *static_cast<int*>(out) = std::atoi(values[0]);
          return 0;
        },
        &count, nullptr);
  }
  sqlite3_close(handle);
  return count;
}

TEST(CrashRecovery, EveryMessageIsHandledExactlyOnceAcrossKills) {
  const fs::path dir = fs::temp_directory_path() / ("cf_crash_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto started = std::chrono::steady_clock::now();
  RunEngine(dir / "reference.db", true);
  const auto full_run = std::chrono::steady_clock::now() - started;
  const auto expected = RepliesByContact(dir / "reference.db");
  ASSERT_EQ(expected.size(), static_cast<std::size_t>(kContacts));

  // Kill at a random moment within the time a whole run takes, so kills land at every stage:
  // while starting, between taking a message in and committing it, in the middle of a batch.
  std::mt19937 rng(20261129);
  const auto window = std::chrono::duration_cast<std::chrono::microseconds>(full_run).count() + 1;
  const int total = 6 * kContacts;
  int mid_work_kills = 0;
  // Fresh databases until enough kills landed while messages were being processed: each one is
  // crashed until its work is done, then must hold exactly what the reference holds.
  for (int run = 0; run < 20 && mid_work_kills < 5; ++run) {
    const fs::path db = dir / ("crashed" + std::to_string(run) + ".db");
    for (int round = 0; round < 60 && Processed(db) < total; ++round) {
      const int before = Processed(db);
      const pid_t child = fork();
      ASSERT_GE(child, 0);
      if (child == 0) {
        RunEngine(db, true);
        _exit(0);
      }
      // The window shrinks with the work left, so later kills still land mid-work.
      const double left = std::max(0.15, static_cast<double>(total - before) / total);
      std::this_thread::sleep_for(
          std::chrono::microseconds(rng() % static_cast<uint64_t>(window * left + 1)));
      int status = 0;
      if (waitpid(child, &status, WNOHANG) == 0) {  // still running: kill it mid-work
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
        const int after = Processed(db);
        if (after > before && after < total) ++mid_work_kills;
      } else if (WIFEXITED(status)) {
        ASSERT_EQ(WEXITSTATUS(status), 0) << "the engine failed on its own";
      }
    }
    RunEngine(db, true);  // the last restart finishes what is left
    EXPECT_EQ(RepliesByContact(db), expected) << "after crashes into " << db;
  }
  RecordProperty("mid_work_kills", mid_work_kills);
  EXPECT_GE(mid_work_kills, 5) << "too few kills landed while messages were being processed";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace consentflow::engine
