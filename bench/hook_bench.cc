// The cost of one Lua hook call through the ScriptHost interface, as the engine makes it: a fresh
// environment, the file's top-level code run again, the ctx built, the hook run, the outcome read.
//
//   ./build/hook_bench                       # calls/s (items_per_second) and p50/p99 per call
//
// BM_SmallHook is the issue's "small hook" (spring_leads' score_lead); BM_OpeningHours is
// flows/opening_hours.lua's route_by_hours (os.date, a table lookup, a top-level table built per
// call). The *Latency variants time every call on its own and report p50_ns and p99_ns.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "scripting/lua_hooks.h"

namespace consentflow::scripting {
namespace {

constexpr char kSmallHook[] = R"lua(
function score_lead(ctx)
  local budget = tonumber(ctx.fields.budget)
  if budget ~= nil and budget >= 5000 then return "hot" end
  return "cold"
end
)lua";

std::string ReadFlowFile(const std::string& name) {
  std::ifstream in(std::string(CF_SOURCE_DIR) + "/flows/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

HookCall CallOf(const std::string& flow, const std::string& hook) {
  HookCall call;
  call.flow_id = flow;
  call.flow_version = 1;
  call.hooks_file = flow + ".lua";
  call.hook = hook;
  call.fields = {{"name", "Lena"}, {"email", "lena@example.com"}, {"interest", "Skiing"},
                 {"budget", "9000"}};
  call.writable = {"budget"};
  call.state = "ski";
  call.now = FromUnixSeconds(1'767'225'600 + 9 * 3600);
  return call;
}

std::unique_ptr<LuaHooks> HostWith(const std::string& flow, const std::string& source) {
  std::unique_ptr<LuaHooks> host = MakeLuaScriptHost();
  const Status loaded = host->LoadSource(flow, 1, flow + ".lua", "flows/" + flow + ".lua", source);
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", loaded.message().c_str());
    std::abort();
  }
  return host;
}

void Throughput(benchmark::State& state, const std::string& flow, const std::string& source,
                const std::string& hook, const std::string& expected) {
  std::unique_ptr<LuaHooks> host = HostWith(flow, source);
  const HookCall call = CallOf(flow, hook);
  for (auto _ : state) {
    Result<HookResult> result = host->Call(call);
    if (!result || result->outcome != expected) state.SkipWithError("unexpected outcome");
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}

void Latency(benchmark::State& state, const std::string& flow, const std::string& source,
             const std::string& hook) {
  std::unique_ptr<LuaHooks> host = HostWith(flow, source);
  const HookCall call = CallOf(flow, hook);
  std::vector<double> ns;
  ns.reserve(1 << 20);
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    Result<HookResult> result = host->Call(call);
    const auto end = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(result);
    if (ns.size() < ns.capacity()) ns.push_back(std::chrono::duration<double, std::nano>(end - start).count());
  }
  std::sort(ns.begin(), ns.end());
  if (!ns.empty()) {
    state.counters["p50_ns"] = ns[ns.size() / 2];
    state.counters["p99_ns"] = ns[ns.size() * 99 / 100];
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SmallHook(benchmark::State& state) {
  Throughput(state, "spring_leads", kSmallHook, "score_lead", "hot");
}
void BM_SmallHookLatency(benchmark::State& state) {
  Latency(state, "spring_leads", kSmallHook, "score_lead");
}
void BM_OpeningHours(benchmark::State& state) {
  Throughput(state, "opening_hours", ReadFlowFile("opening_hours.lua"), "route_by_hours", "open");
}
void BM_OpeningHoursLatency(benchmark::State& state) {
  Latency(state, "opening_hours", ReadFlowFile("opening_hours.lua"), "route_by_hours");
}

// Loading a module: the sandbox, the compile and one run of the top-level code (per flow version
// and reload, not per call).
void BM_LoadModule(benchmark::State& state) {
  const std::string source = ReadFlowFile("opening_hours.lua");
  for (auto _ : state) benchmark::DoNotOptimize(HostWith("opening_hours", source));
}

BENCHMARK(BM_SmallHook);
BENCHMARK(BM_SmallHookLatency)->Iterations(200'000);
BENCHMARK(BM_OpeningHours);
BENCHMARK(BM_OpeningHoursLatency)->Iterations(200'000);
BENCHMARK(BM_LoadModule);

}  // namespace
}  // namespace consentflow::scripting

BENCHMARK_MAIN();
