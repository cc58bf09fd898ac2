// The agent path under load, through the real HTTP server and the agent API on a durable SQLite
// file (synchronous=FULL, as `consentflow serve` runs it):
//
// - claim latency: one agent claims N waiting tickets one after the other (p50, p99, max);
// - contended claims: A agents claim the same ticket at once, for N tickets (latency of all
//   requests, and that exactly one wins each);
// - agent replies per second: C concurrent clients reply to their claimed tickets (each reply
//   is a transaction: window check, outbox entry, transcript entry, and an audit entry).
//
// Usage: handoff_bench [TICKETS] [CLIENTS]   (defaults 400, 4)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <latch>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "dsl/loader.h"
#include "engine/engine.h"
#include "engine/handoff/credentials.h"
#include "engine/server/agent_api.h"
#include "engine/server/http_server.h"
#include "engine/store/sqlite/sqlite_store.h"
#include "tests/support/http_client.h"

namespace {

using namespace consentflow;
using namespace consentflow::engine;
using Steady = std::chrono::steady_clock;
using json = nlohmann::json;

constexpr const char* kFlow = R"(flow desk "Desk"
entry default
state start
  handoff support note "Asked for a person"
)";

double Millis(Steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void Report(const char* what, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))];
  };
  std::printf("%-34s n=%-6zu p50=%7.2f ms  p99=%7.2f ms  max=%7.2f ms\n", what, ms.size(), at(0.50),
              at(0.99), ms.back());
}

std::string Request(const std::string& method, const std::string& target, const std::string& token,
                    const std::string& body) {
  return method + " " + target +
         " HTTP/1.1\r\nHost: bench\r\nConnection: close\r\nAuthorization: Bearer " + token +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

}  // namespace

int main(int argc, char** argv) {
  const int tickets = argc > 1 ? std::atoi(argv[1]) : 400;
  const int clients = argc > 2 ? std::atoi(argv[2]) : 4;
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "cf-handoff-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "cf.db").string();

  // Customers handed off: 2 * tickets conversations, through the real engine.
  FlowRegistry flows;
  const dsl::LoadedFlow flow = dsl::LoadFlowSource(dsl::SourceFile{"desk.flow", kFlow});
  if (!flow.ok() || !flows.Add(flow.program).ok()) return 2;
  std::unique_ptr<Store> engine_store =
      std::move(*OpenSqliteStore(SqliteOptions{path, 5000, true}));
  SystemClock clock;
  Engine engine(*engine_store, flows, clock, nullptr);
  std::vector<InboundMessage> messages;
  for (int i = 0; i < 2 * tickets; ++i) {
    InboundMessage m;
    m.id = "wamid." + std::to_string(i);
    m.contact = "49151" + std::to_string(1'000'000 + i);
    m.time = clock.Now();
    m.text = "hello";
    messages.push_back(m);
  }
  if (!engine.Receive(messages)) return 2;
  while (engine.ProcessPending().value().handled > 0) {
  }
  std::vector<uint64_t> ids;
  const std::vector<handoff::Ticket> waiting = engine_store->OpenTickets("support").value();
  for (const handoff::Ticket& t : waiting) ids.push_back(t.id);
  std::printf("%zu tickets waiting\n", ids.size());

  // The API on its own connection, behind the real server.
  std::unique_ptr<Store> api_store = std::move(*OpenSqliteStore(SqliteOptions{path, 5000, true}));
  std::vector<std::string> names = {"ann", "cat", "dan", "eve", "fay", "gus", "hal", "ivy"};
  for (const std::string& name : names) {
    const std::string hash =
        handoff::HashPassword(name + "-secret", handoff::PasswordCost::Minimum()).value();
    (void)api_store->AddAgent({{name, handoff::Role::kAgent, {"support"}}, hash, clock.Now()});
  }
  server::BlockingPool pool(2, 4096);
  handoff::HandoffEventBus bus;
  server::AgentApiOptions options;
  options.queues = {{"support", "Support", {}}};
  options.dummy_cost = handoff::PasswordCost::Minimum();
  server::AgentApi api(
      *api_store, pool, clock,
      [](AgentAction, std::function<void(Status)> done) { done(Status::Ok()); }, bus, options);
  std::unique_ptr<server::HttpServer> http = std::move(*server::HttpServer::Start({}, api));
  const uint16_t port = http->port();
  std::vector<std::string> tokens;
  for (const std::string& name : names) {
    const auto r = testing::HttpPost(port, "/api/login",
                                     json{{"name", name}, {"password", name + "-secret"}}.dump());
    tokens.push_back(json::parse(r.body)["token"]);
  }

  // 1. Uncontended claims: the first half of the tickets, one after the other.
  std::vector<double> claim_ms;
  for (int i = 0; i < tickets; ++i) {
    const auto start = Steady::now();
    const auto r = testing::RawRequest(
        port, Request("POST", "/api/tickets/" + std::to_string(ids[i]) + "/claim", tokens[0], ""));
    claim_ms.push_back(Millis(Steady::now() - start));
    if (r.status != 200) std::printf("claim %d: %d %s\n", i, r.status, r.body.c_str());
  }
  Report("claim (one agent, sequential)", claim_ms);

  // 2. Contended: every agent claims the same ticket at once; exactly one may win.
  std::vector<double> race_ms;
  int races_with_one_winner = 0;
  const int races = std::min<int>(100, tickets);
  for (int k = 0; k < races; ++k) {
    const uint64_t id = ids[tickets + k];
    std::vector<int> status(names.size());
    std::vector<double> ms(names.size());
    std::latch go(static_cast<std::ptrdiff_t>(names.size()));
    std::vector<std::thread> threads;
    for (std::size_t a = 0; a < names.size(); ++a) {
      threads.emplace_back([&, a] {
        go.arrive_and_wait();
        const auto start = Steady::now();
        status[a] = testing::RawRequest(
                        port, Request("POST", "/api/tickets/" + std::to_string(id) + "/claim",
                                      tokens[a], ""))
                        .status;
        ms[a] = Millis(Steady::now() - start);
      });
    }
    for (std::thread& t : threads) t.join();
    if (std::count(status.begin(), status.end(), 200) == 1) ++races_with_one_winner;
    race_ms.insert(race_ms.end(), ms.begin(), ms.end());
  }
  Report("claim (8 agents racing, all)", race_ms);
  std::printf("races with exactly one winner: %d of %d\n", races_with_one_winner, races);

  // 3. Replies: `clients` threads, each replying to its own claimed tickets.
  const int replies_per_client = tickets / clients;
  std::atomic<int> accepted{0};
  std::vector<std::vector<double>> reply_ms(clients);
  const auto start = Steady::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (int i = 0; i < replies_per_client; ++i) {
        const uint64_t id = ids[c * replies_per_client + i];
        const auto t0 = Steady::now();
        const auto r = testing::RawRequest(
            port, Request("POST", "/api/tickets/" + std::to_string(id) + "/reply", tokens[0],
                          R"({"text":"Thanks for waiting, let me check your order."})"));
        reply_ms[c].push_back(Millis(Steady::now() - t0));
        if (r.status == 202) ++accepted;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  std::vector<double> all;
  for (const auto& v : reply_ms) all.insert(all.end(), v.begin(), v.end());
  Report("reply (HTTP, concurrent)", all);
  std::printf("agent replies: %d accepted in %.2f s = %.0f replies/s with %d clients\n",
              accepted.load(), seconds, accepted.load() / seconds, clients);

  http->Stop();
  pool.Stop();
  std::filesystem::remove_all(dir);
  return 0;
}
