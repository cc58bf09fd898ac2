// How long checking and compiling a large flow takes, and how much memory it needs.
// Target (issue 2): 10,000 states (about 50,000 steps) in under 300 ms and under 200 MB.
//
//   ./build/bench/compile_bench --benchmark_counters_tabular=true
//
// peak_MB is the most heap memory live at once during one compile (parse + check + compile,
// including the source text), measured by counting every allocation of this process.

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <malloc.h>
#include <new>

#include "bench/flow_generator.h"
#include "dsl/loader.h"

namespace {

std::atomic<long long> live_bytes{0};
std::atomic<long long> peak_bytes{0};

void Count(long long delta) {
  const long long now = live_bytes.fetch_add(delta) + delta;
  long long peak = peak_bytes.load();
  while (now > peak && !peak_bytes.compare_exchange_weak(peak, now)) {
  }
}

}  // namespace

void* operator new(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (!p) throw std::bad_alloc();
  Count(static_cast<long long>(malloc_usable_size(p)));
  return p;
}
void operator delete(void* p) noexcept {
  if (!p) return;
  Count(-static_cast<long long>(malloc_usable_size(p)));
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }

namespace {

void BM_CompileFlow(benchmark::State& state) {
  const int states = static_cast<int>(state.range(0));
  const std::string text = consentflow::bench::GenerateFlow(states);
  std::size_t steps = 0;
  long long peak = 0;
  for (auto _ : state) {
    state.PauseTiming();
    peak_bytes = live_bytes.load();
    const long long before = live_bytes.load();
    state.ResumeTiming();
    consentflow::dsl::LoadedFlow flow =
        consentflow::dsl::LoadFlowSource(consentflow::dsl::SourceFile{"generated.flow", text});
    state.PauseTiming();
    if (!flow.ok()) {
      state.SkipWithError("the generated flow does not compile");
      return;
    }
    steps = 0;
    for (const auto& s : flow.program->states) steps += s.steps.size();
    peak = std::max(peak, peak_bytes.load() - before);
    state.ResumeTiming();
  }
  state.counters["states"] = states;
  state.counters["steps"] = static_cast<double>(steps);
  state.counters["source_KB"] = static_cast<double>(text.size()) / 1024.0;
  state.counters["peak_MB"] = static_cast<double>(peak + static_cast<long long>(text.size())) / (1024.0 * 1024.0);
}
BENCHMARK(BM_CompileFlow)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
