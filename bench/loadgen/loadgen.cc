// consentflow_loadgen: many customers at once against the real server, end to end.
//
// Starts a stand-in Graph API in this process, starts `consentflow serve` (durable SQLite) as a
// child pinned to one core, pins itself to the other, and plays customers: each sends a signed
// webhook, waits until the bot's reply reaches the stand-in, and answers it, through the
// four-step signup of bench/flows/four_step.flow (greeting, consent tap, name, email).
//
//   taskset is not needed: --server-core and --client-core pin both sides (default 1 and 0).
//   build/bench/consentflow_loadgen --customers 64 --conversations 5000
//
// Reports conversations/s, inbound messages/s, the round trip of a step (webhook sent -> reply
// received at the stand-in) p50/p99, the webhook ack (sent -> 200) p99, and the server's CPU
// time and peak memory (VmHWM).
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/whatsapp/webhook_signature.h"
#include "tests/support/graph_standin.h"
#include "tests/support/serving_line.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kSecret = "loadgen-secret";

void Pin(int core) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core, &set);
  sched_setaffinity(0, sizeof set, &set);
}

// Bot replies seen at the stand-in, per contact; customers wait on them. Each contact has its
// own condition variable, so a reply wakes only the customer it is for (one shared by all woke
// every customer thread on every reply: the generator's core then spent its time switching).
class Replies {
 public:
  void Seen(const std::string& contact) {
    std::lock_guard lock(mu_);
    Slot& slot = slots_[contact];
    ++slot.count;
    slot.changed.notify_one();
  }
  // Waits until `contact` has had `n` replies; false after 30 s.
  bool WaitFor(const std::string& contact, int n) {
    std::unique_lock lock(mu_);
    Slot& slot = slots_[contact];  // unordered_map: a reference stays valid while others come and go
    return slot.changed.wait_for(lock, std::chrono::seconds(30), [&] { return slot.count >= n; });
  }
  void Forget(const std::string& contact) {
    std::lock_guard lock(mu_);
    slots_.erase(contact);
  }

 private:
  struct Slot {
    int count = 0;
    std::condition_variable changed;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Slot> slots_;
};

std::string Envelope(const std::string& message) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"1"},"contacts":[{"profile":{"name":"Load"},"wa_id":"x"}],"messages":[)" +
         message + "]}}]}]}";
}

std::string TextMessage(const std::string& id, const std::string& from, int64_t ts, const std::string& body) {
  return Envelope(R"({"from":")" + from + R"(","id":")" + id + R"(","timestamp":")" + std::to_string(ts) +
                  R"(","type":"text","text":{"body":")" + body + R"("}})");
}

std::string TapMessage(const std::string& id, const std::string& from, int64_t ts, const std::string& reply_id) {
  return Envelope(R"({"from":")" + from + R"(","id":")" + id + R"(","timestamp":")" + std::to_string(ts) +
                  R"(","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":")" +
                  reply_id + R"(","title":"Yes"}}})");
}

struct Sample {
  std::vector<double> round_trip_ms;
  std::vector<double> ack_ms;
  int conversations = 0;
  int failures = 0;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// One customer: its own keep-alive connection, conversations one after another.
void Customer(int index, uint16_t port, std::atomic<int>& remaining, Replies& replies, Sample& out) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  auto connect = [&] {
    beast::error_code ec;
    stream.close();
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    if (!ec) stream.socket().set_option(asio::ip::tcp::no_delay(true), ec);
    return !ec;
  };
  if (!connect()) {
    ++out.failures;
    return;
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  int sequence = 0;
  while (remaining-- > 0) {
    const std::string contact = std::to_string(4917000000000LL + index * 1'000'000LL + sequence);
    bool ok = true;
    for (int step = 0; step < 4 && ok; ++step) {
      const std::string id = "wamid.load." + contact + "." + std::to_string(step);
      const std::string body = step == 0 ? TextMessage(id, contact, now + step, "hi")
                             : step == 1 ? TapMessage(id, contact, now + step, "n:privacy:accept")
                             : step == 2 ? TextMessage(id, contact, now + step, "Lena")
                                         : TextMessage(id, contact, now + step, "lena@example.com");
      http::request<http::string_body> request(http::verb::post, "/webhook", 11);
      request.set(http::field::host, "127.0.0.1");
      request.set(http::field::content_type, "application/json");
      request.set("X-Hub-Signature-256", consentflow::engine::whatsapp::SignBody(kSecret, body));
      request.body() = body;
      request.keep_alive(true);
      request.prepare_payload();
      const auto sent = Clock::now();
      beast::error_code ec;
      http::write(stream, request, ec);
      http::response<http::string_body> response;
      if (!ec) http::read(stream, buffer, response, ec);
      if (ec || response.result_int() != 200) {
        ++out.failures;
        ok = connect();
        break;
      }
      out.ack_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
      if (!replies.WaitFor(contact, step + 1)) {
        ++out.failures;
        ok = false;
        break;
      }
      out.round_trip_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
    }
    replies.Forget(contact);
    if (ok) ++out.conversations;
    ++sequence;
  }
}

uint64_t CpuTicks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) fields >> skip;  // state .. cmajflt
  uint64_t utime = 0, stime = 0;
  fields >> utime >> stime;
  return utime + stime;
}

std::string PeakMemory(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("VmHWM:")) return line.substr(6);
  }
  return "?";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("consentflow load generator: customers end to end against `consentflow serve`");
  int customers = 64, conversations = 5000, server_core = 1, client_core = 0;
  std::string binary = "build/consentflow", flows = "bench/flows";
  app.add_option("--customers", customers, "Customers at once");
  app.add_option("--conversations", conversations, "Four-step conversations in all");
  app.add_option("--server-core", server_core, "The core the server is pinned to");
  app.add_option("--client-core", client_core, "The core this generator is pinned to");
  app.add_option("--binary", binary, "The consentflow executable");
  app.add_option("--flows", flows, "The flows folder (four_step.flow)");
  CLI11_PARSE(app, argc, argv);

  Pin(client_core);
  Replies replies;
  consentflow::testing::GraphStandin graph;
  graph.OnRequest([&](const consentflow::testing::RecordedRequest& r) {
    if (r.recipient.empty() || r.recipient.starts_with("wamid")) return;  // read receipts
    replies.Seen(r.recipient.starts_with('+') ? r.recipient.substr(1) : r.recipient);
  }, /*keep_records=*/false);

  const fs::path dir = fs::temp_directory_path() / ("cf-loadgen-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "server.toml")
      << "[server]\nport = 0\nmax_connections = 4096\n"
      << "[whatsapp]\nphone_number_ids = [\"1\"]\ngraph_base_url = \"" << graph.base_url() << "\"\n"
      << "messages_per_second = 1000000\nverify_token_env = \"LG\"\napp_secret_env = \"LG_SECRET\"\n"
      << "access_token_env = \"LG\"\n"
      << "[engine]\nflows = \"" << fs::absolute(flows).string() << "\"\ndatabase = \"" << (dir / "cf.db").string()
      << "\"\n";
  const fs::path log = dir / "server.log";
  const pid_t server = fork();
  if (server == 0) {
    Pin(server_core);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 2);
    setenv("LG", "loadgen", 1);
    setenv("LG_SECRET", kSecret, 1);
    execl(binary.c_str(), "consentflow", "serve", "--config", (dir / "server.toml").c_str(), nullptr);
    _exit(127);
  }
  uint16_t port = 0;
  for (int i = 0; i < 1000 && port == 0; ++i) {
    std::ifstream in(log);
    std::string line;
    while (std::getline(in, line)) {
      // A line still being written is read again at the next look.
      if (const std::optional<uint16_t> serving = consentflow::testing::ServingPort(line)) port = *serving;
    }
    if (port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (port == 0) {
    std::cerr << "loadgen: the server did not start; see " << log << "\n";
    kill(server, SIGKILL);
    return 1;
  }

  const uint64_t cpu_before = CpuTicks(server);
  std::atomic<int> remaining{conversations};
  std::vector<Sample> samples(static_cast<std::size_t>(customers));
  const auto started = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < customers; ++c) {
    threads.emplace_back([&, c] { Customer(c, port, remaining, replies, samples[static_cast<std::size_t>(c)]); });
  }
  for (std::thread& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  const uint64_t cpu_after = CpuTicks(server);
  const std::string peak = PeakMemory(server);
  kill(server, SIGTERM);
  waitpid(server, nullptr, 0);

  Sample all;
  for (Sample& s : samples) {
    all.conversations += s.conversations;
    all.failures += s.failures;
    all.round_trip_ms.insert(all.round_trip_ms.end(), s.round_trip_ms.begin(), s.round_trip_ms.end());
    all.ack_ms.insert(all.ack_ms.end(), s.ack_ms.begin(), s.ack_ms.end());
  }
  const double cpu_seconds = static_cast<double>(cpu_after - cpu_before) / static_cast<double>(sysconf(_SC_CLK_TCK));
  std::cout << "customers            " << customers << "\n"
            << "conversations        " << all.conversations << " in " << seconds << " s ("
            << all.failures << " failures)\n"
            << "conversations/s      " << all.conversations / seconds << "\n"
            << "inbound messages/s   " << static_cast<double>(all.ack_ms.size()) / seconds << "\n"
            << "step round trip p50  " << Percentile(all.round_trip_ms, 0.50) << " ms\n"
            << "step round trip p99  " << Percentile(all.round_trip_ms, 0.99) << " ms\n"
            << "webhook ack p50      " << Percentile(all.ack_ms, 0.50) << " ms\n"
            << "webhook ack p99      " << Percentile(all.ack_ms, 0.99) << " ms\n"
            << "server CPU           " << cpu_seconds << " s (" << 100 * cpu_seconds / seconds << "% of one core)\n"
            << "server peak memory  " << peak << "\n";
  fs::remove_all(dir);
  return all.failures == 0 ? 0 : 1;
}
