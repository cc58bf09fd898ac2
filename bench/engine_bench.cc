// The engine's speed and memory.
//
//   ./build/bench/engine_bench --benchmark_counters_tabular=true
//
// Targets (issue 3, on this 2-core machine): the interpreter alone over 500,000 steps/s on one
// core; with the durable SQLite store (synchronous=FULL, group commit) over 20,000 events/s
// across 100,000 conversations; and the memory one cached conversation costs.

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <new>

#include "dsl/loader.h"
#include "engine/engine.h"
#include "engine/interpreter.h"
#include "engine/store/sqlite/sqlite_store.h"

namespace {

std::atomic<long long> live_bytes{0};

}  // namespace

// Counting replacements of the global new and delete. GCC cannot see that this delete pairs with
// this new (both are ours, over malloc), so its mismatch warning is switched off here only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (!p) throw std::bad_alloc();
  live_bytes += static_cast<long long>(malloc_usable_size(p));
  return p;
}
void operator delete(void* p) noexcept {
  if (!p) return;
  live_bytes -= static_cast<long long>(malloc_usable_size(p));
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }
#pragma GCC diagnostic pop

namespace consentflow::engine {
namespace {

dsl::ProgramPtr SpringLeads() {
  const dsl::LoadedFlow flow = dsl::LoadFlow(CF_SOURCE_DIR "/flows/spring_leads.flow");
  if (!flow.ok()) std::abort();
  return flow.program;
}

// One contact's conversation, from the first message to the handoff.
const char* kScript[] = {"Hi SPRING24", "yes", "Lena", "lena@example.com", "Hiking", "7500"};

InboundMessage Message(const std::string& contact, int n, const char* text, Timestamp now) {
  InboundMessage m;
  m.id = "wamid." + contact + "." + std::to_string(n);
  m.contact = contact;
  m.time = now;
  m.text = text;
  return m;
}

void BM_Interpreter(benchmark::State& state) {
  const dsl::ProgramPtr program = SpringLeads();
  const Timestamp now = FromUnixSeconds(1'767'225'600);
  Conversation start;
  start.contact = "4915112345678";
  start.flow_id = program->flow_id;
  start.flow_version = program->version;
  int64_t steps = 0;
  int64_t events = 0;
  for (auto _ : state) {
    Conversation c = start;
    for (int i = 0; i < 6; ++i) {
      StepResult r = Step(StepContext{*program, now}, std::move(c), Message(c.contact, i, kScript[i], now));
      steps += r.steps;
      ++events;
      c = std::move(r.conversation);
    }
    benchmark::DoNotOptimize(c);
  }
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Interpreter);

// Every contact sends its next message; the engine processes them in batches, each batch one
// durable commit. Measures events/s over `contacts` conversations, and the memory of the cache.
void BM_DurableEngine(benchmark::State& state) {
  const int contacts = static_cast<int>(state.range(0));
  const std::filesystem::path db =
      std::filesystem::temp_directory_path() / ("cf_bench_" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(db);
  FlowRegistry registry;
  if (!registry.Add(SpringLeads()).ok()) std::abort();
  auto store = OpenSqliteStore(SqliteOptions{db.string(), 5000, /*durable=*/true});
  if (!store) std::abort();
  ManualClock clock;
  EngineOptions options;
  options.batch_size = 1024;
  options.cache_limit = static_cast<std::size_t>(contacts) + 1;
  Engine engine(**store, registry, clock, nullptr, options);
  int64_t events = 0;
  int round = 0;
  long long cache_bytes = 0;
  for (auto _ : state) {
    const long long before = live_bytes.load();
    const std::size_t cached_before = engine.cached();
    // Webhook deliveries arrive in batches (one POST carries up to 1000 messages).
    std::vector<InboundMessage> delivery;
    for (int c = 0; c < contacts; ++c) {
      const std::string contact = std::to_string(4917000000000LL + c);
      delivery.push_back(Message(contact, round, kScript[round % 6], clock.Now()));
      if (delivery.size() == 1000 || c + 1 == contacts) {
        if (!engine.Receive(delivery)) std::abort();
        delivery.clear();
      }
    }
    while (true) {
      Result<EngineReport> report = engine.ProcessPending();
      if (!report) std::abort();
      if (report->handled == 0) break;
      events += static_cast<int64_t>(report->handled);
    }
    if (engine.cached() > cached_before) {
      cache_bytes = (live_bytes.load() - before) / static_cast<long long>(engine.cached() - cached_before);
    }
    ++round;
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["conversations"] = contacts;
  if (cache_bytes > 0) state.counters["bytes/cached_conversation"] = static_cast<double>(cache_bytes);
  store->reset();
  std::filesystem::remove(db);
  std::filesystem::remove(db.string() + "-wal");
  std::filesystem::remove(db.string() + "-shm");
}
BENCHMARK(BM_DurableEngine)->Arg(100000)->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace consentflow::engine

BENCHMARK_MAIN();
