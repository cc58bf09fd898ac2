// consentflow_loadgen: many customers at once against the real server, end to end.
//
// Starts a stand-in Graph API in this process, starts `consentflow serve` (durable SQLite) as a
// child pinned to one core, pins itself to the other, and plays customers: each sends a signed
// webhook, waits until the bot's reply reaches the stand-in, and answers it, through the
// four-step signup of bench/flows/four_step.flow (greeting, consent tap, name, email). The
// customers and the stand-in run on this process's one thread (raw_http.h), so that the
// generator's core is not what limits the figures. `--binary build/bench/consentflow_floor`
// measures the network's share of the same test (floor_server.cc).
//
//   taskset is not needed: --server-core and --client-core pin both sides (default 1 and 0).
//   build/bench/consentflow_loadgen --customers 64 --conversations 5000
//
// By default each customer starts its next conversation as soon as one ends (a closed loop:
// the server is always saturated, and the round trip is the customers / messages per second).
// `--rate R` starts R conversations per second instead, each on a customer that is free (an open
// loop), to measure latency at a load below saturation; a conversation that finds every
// customer busy waits for one and is counted as started late.
//
// Reports conversations/s, inbound messages/s, the round trip of a step (webhook sent -> reply
// received at the stand-in) p50/p90/p99/p99.9/max, the webhook ack (sent -> 200) p50/p99, and the
// server's CPU time and peak memory (VmHWM). `--samples FILE` also writes every step as a line of
// CSV (when it ended, in ms from the start; its round trip; its ack; which step), to see where
// the slow ones fall: spread out, or together in bursts (a checkpoint stalls every customer).
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bench/loadgen/raw_http.h"
#include "engine/whatsapp/webhook_signature.h"
#include "tests/support/serving_line.h"

namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr const char* kSecret = "loadgen-secret";

void Pin(int core) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core, &set);
  sched_setaffinity(0, sizeof set, &set);
}

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

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

double MillisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

class Customer;

// Everything on the generator's one thread: the customers, the stand-in Graph API and what
// they measure. (The first generator ran a thread per customer and Beast's parser on both
// sides; it used up its core at about 3,000 conversations/s, before the server did.)
struct Run {
  asio::io_context io{1};
  int remaining = 0;        // conversations not yet begun (open loop: not yet due)
  double rate = 0;          // open loop: conversations started per second; 0: closed loop
  int backlog = 0;          // open loop: conversations due that no customer has taken yet
  int late = 0;             // open loop: conversations that found every customer busy
  std::vector<Customer*> idle;  // open loop: customers waiting for a conversation to be due
  int customers_left = 0;   // customers still playing
  int conversations = 0;
  int failures = 0;
  std::vector<double> round_trip_ms, ack_ms;
  struct Sample {
    double at_ms, round_trip_ms, ack_ms;  // at_ms: when the step ended, from `started`
    int step;
  };
  bool keep_samples = false;
  Clock::time_point started;  // when the customers began
  std::vector<Sample> samples;  // with keep_samples, every step done
  std::unordered_map<std::string, Customer*> waiting;  // contact -> the customer playing it
  void ReplySeen(std::string_view contact);
  // Whether a customer that is free may begin a conversation now.
  bool Take() {
    if (rate == 0) {
      if (remaining <= 0) return false;
      --remaining;
      return true;
    }
    if (backlog == 0) return false;
    --backlog;
    return true;
  }
  void CustomerStopped() {
    if (--customers_left == 0) io.stop();
  }
};

// One customer: its own keep-alive connection, conversations one after another. A step is a
// signed webhook; it is done when its 200 has come and the bot's reply has reached the stand-in
// (in either order: the server may send the reply before its 200 arrives here).
class Customer {
 public:
  Customer(Run& run, int index, tcp::endpoint server) : run_(run), index_(index), server_(server), socket_(run.io) {}

  void Start() {
    if (!Connect()) return Stop();
    Next();
  }

  // A conversation begins (open loop: handed over by Pace).
  void Begin() {
    contact_ = std::to_string(4917000000000LL + index_ * 1'000'000LL + sequence_++);
    run_.waiting[contact_] = this;
    step_ = 0;
    replies_ = 0;
    playing_ = true;
    Send();
  }

  void Stop() {
    if (stopped_) return;
    stopped_ = true;
    error_code ec;
    socket_.close(ec);
    run_.CustomerStopped();
  }

  void ReplySeen() {
    ++replies_;
    if (acked_ && replies_ > step_) StepDone();
  }

  // A step that has waited 30 s for its 200 or its reply fails.
  void CheckStalled() {
    if (playing_ && MillisecondsSince(sent_) > 30'000) Fail();
  }

 private:
  bool Connect() {
    error_code ec;
    socket_.close(ec);
    socket_.connect(server_, ec);
    if (!ec) socket_.set_option(tcp::no_delay(true), ec);
    in_.clear();
    return !ec;
  }

  void Next() {
    if (run_.Take()) return Begin();
    if (run_.rate > 0 && run_.remaining > 0) return run_.idle.push_back(this);  // until one is due
    Stop();
  }

  void Send() {
    const std::string id = "wamid.load." + contact_ + "." + std::to_string(step_);
    const int64_t ts = start_ + step_;
    const std::string body = step_ == 0 ? TextMessage(id, contact_, ts, "hi")
                           : step_ == 1 ? TapMessage(id, contact_, ts, "n:privacy:accept")
                           : step_ == 2 ? TextMessage(id, contact_, ts, "Lena")
                                        : TextMessage(id, contact_, ts, "lena@example.com");
    out_ = "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Hub-Signature-256: " +
           consentflow::engine::whatsapp::SignBody(kSecret, body) + "\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
    acked_ = false;
    sent_ = Clock::now();
    const int generation = generation_;
    asio::async_write(socket_, asio::buffer(out_), [this, generation](error_code ec, std::size_t) {
      if (generation != generation_) return;  // the step failed meanwhile
      if (ec) return Fail();
      consentflow::bench::ReadMessage(socket_, in_, [this, generation](error_code read_ec, std::string answer, std::size_t) {
        if (generation != generation_) return;
        if (read_ec || !answer.starts_with("HTTP/1.1 200")) return Fail();
        run_.ack_ms.push_back(MillisecondsSince(sent_));
        ack_ms_ = run_.ack_ms.back();
        acked_ = true;
        if (replies_ > step_) StepDone();
      });
    });
  }

  void StepDone() {
    run_.round_trip_ms.push_back(MillisecondsSince(sent_));
    if (run_.keep_samples) {
      run_.samples.push_back(
          Run::Sample{MillisecondsSince(run_.started), run_.round_trip_ms.back(), ack_ms_, step_});
    }
    if (++step_ < 4) return Send();
    ++run_.conversations;
    EndConversation();
    Next();
  }

  void Fail() {
    ++run_.failures;
    ++generation_;  // answers to the failed step are not counted
    EndConversation();
    if (!Connect()) return Stop();
    Next();
  }

  void EndConversation() {
    playing_ = false;
    run_.waiting.erase(contact_);
  }

  Run& run_;
  const int index_;
  const tcp::endpoint server_;
  const int64_t start_ = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
  tcp::socket socket_;
  std::string in_, out_, contact_;
  int sequence_ = 0, step_ = 0, replies_ = 0, generation_ = 0;
  bool acked_ = false, playing_ = false, stopped_ = false;
  Clock::time_point sent_;
  double ack_ms_ = 0;  // the current step's, once its 200 came
};

void Run::ReplySeen(std::string_view contact) {
  if (auto it = waiting.find(std::string(contact)); it != waiting.end()) it->second->ReplySeen();
}

// The stand-in Graph API: every request accepted, answered as the Graph API answers; a reply (a
// request with a "to") counts for the customer playing that contact.
class GraphSession : public std::enable_shared_from_this<GraphSession> {
 public:
  GraphSession(tcp::socket socket, Run& run) : socket_(std::move(socket)), run_(run) {}

  void Read() {
    consentflow::bench::ReadMessage(socket_, in_, [self = shared_from_this()](error_code ec, std::string request,
                                                                             std::size_t head) {
      if (!ec) self->Answer(std::string_view(request).substr(head));
    });
  }

 private:
  void Answer(std::string_view body) {
    std::string answer;
    if (body.find(R"("status":"read")") != std::string_view::npos) {
      answer = R"({"success":true})";
    } else {
      std::string_view to = consentflow::bench::ValueAfter(body, R"("to":")");
      answer = R"({"messaging_product":"whatsapp","contacts":[{"input":")" + std::string(to) + R"(","wa_id":")" +
               std::string(to) + R"("}],"messages":[{"id":"wamid.standin.)" + std::to_string(++sent_) + R"("}]})";
      if (to.starts_with('+')) to.remove_prefix(1);
      run_.ReplySeen(to);
    }
    out_ = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(answer.size()) +
           "\r\n\r\n" + answer;
    asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this()](error_code ec, std::size_t) {
      if (!ec) self->Read();
    });
  }

  tcp::socket socket_;
  Run& run_;
  std::string in_, out_;
  uint64_t sent_ = 0;
};

void AcceptGraph(tcp::acceptor& acceptor, Run& run) {
  acceptor.async_accept([&acceptor, &run](error_code ec, tcp::socket socket) {
    if (ec) return;
    socket.set_option(tcp::no_delay(true), ec);
    std::make_shared<GraphSession>(std::move(socket), run)->Read();
    AcceptGraph(acceptor, run);
  });
}

void WatchStalled(asio::steady_timer& timer, std::vector<std::unique_ptr<Customer>>& customers) {
  timer.expires_after(std::chrono::seconds(1));
  timer.async_wait([&timer, &customers](error_code ec) {
    if (ec) return;
    for (auto& customer : customers) customer->CheckStalled();
    WatchStalled(timer, customers);
  });
}

// The open loop's clock: every millisecond, the conversations due since the run started go
// to free customers, or wait in the backlog for the next customer to come free.
void Pace(asio::steady_timer& timer, Run& run, int total) {
  timer.expires_after(std::chrono::milliseconds(1));
  timer.async_wait([&timer, &run, total](error_code ec) {
    if (ec) return;
    const double seconds = std::chrono::duration<double>(Clock::now() - run.started).count();
    const int due = static_cast<int>(std::min<double>(total, seconds * run.rate));
    while (total - run.remaining < due) {
      --run.remaining;
      if (run.idle.empty()) {
        ++run.backlog;
        ++run.late;
        continue;
      }
      Customer* customer = run.idle.back();
      run.idle.pop_back();
      customer->Begin();
    }
    if (run.remaining > 0) return Pace(timer, run, total);
    std::vector<Customer*> done;  // nothing more will be due
    done.swap(run.idle);
    for (Customer* customer : done) customer->Stop();
  });
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
  double rate = 0;
  std::string binary = "build/consentflow", flows = "bench/flows", samples;
  app.add_option("--customers", customers, "Customers at once");
  app.add_option("--conversations", conversations, "Four-step conversations in all");
  app.add_option("--server-core", server_core, "The core the server is pinned to");
  app.add_option("--client-core", client_core, "The core this generator is pinned to");
  app.add_option("--binary", binary, "The consentflow executable");
  app.add_option("--flows", flows, "The flows folder (four_step.flow)");
  app.add_option("--rate", rate,
                 "Start this many conversations per second (an open loop); 0: each customer "
                 "begins the next as soon as one ends")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--samples", samples,
                 "Write every step to this CSV file: end_ms,round_trip_ms,ack_ms,step");
  CLI11_PARSE(app, argc, argv);

  Pin(client_core);
  Run run;
  tcp::acceptor graph(run.io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  AcceptGraph(graph, run);
  const std::string graph_base_url = "http://127.0.0.1:" + std::to_string(graph.local_endpoint().port());

  const fs::path dir = fs::temp_directory_path() / ("cf-loadgen-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "server.toml")
      << "[server]\nport = 0\nmax_connections = 4096\n"
      << "[whatsapp]\nphone_number_ids = [\"1\"]\ngraph_base_url = \"" << graph_base_url << "\"\n"
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
  run.remaining = conversations;
  run.rate = rate;
  run.customers_left = customers;
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  std::vector<std::unique_ptr<Customer>> players;
  for (int c = 0; c < customers; ++c) players.push_back(std::make_unique<Customer>(run, c, endpoint));
  asio::steady_timer watch(run.io);
  WatchStalled(watch, players);
  run.started = Clock::now();
  run.keep_samples = !samples.empty();
  asio::steady_timer pace(run.io);
  if (rate > 0) Pace(pace, run, conversations);
  for (auto& player : players) player->Start();
  if (run.customers_left > 0) run.io.run();
  const double seconds = std::chrono::duration<double>(Clock::now() - run.started).count();
  const uint64_t cpu_after = CpuTicks(server);
  const std::string peak = PeakMemory(server);
  kill(server, SIGTERM);
  waitpid(server, nullptr, 0);

  const double cpu_seconds = static_cast<double>(cpu_after - cpu_before) / static_cast<double>(sysconf(_SC_CLK_TCK));
  std::cout << "customers            " << customers << "\n"
            << "conversations        " << run.conversations << " in " << seconds << " s ("
            << run.failures << " failures)\n"
            << "conversations/s      " << run.conversations / seconds << "\n";
  if (rate > 0) {
    std::cout << "offered rate         " << rate << " conversations/s (" << run.late
              << " started late: every customer was busy)\n";
  }
  std::cout << "inbound messages/s   " << static_cast<double>(run.ack_ms.size()) / seconds << "\n"
            << "step round trip p50  " << Percentile(run.round_trip_ms, 0.50) << " ms\n"
            << "step round trip p90  " << Percentile(run.round_trip_ms, 0.90) << " ms\n"
            << "step round trip p99  " << Percentile(run.round_trip_ms, 0.99) << " ms\n"
            << "step round trip p99.9 " << Percentile(run.round_trip_ms, 0.999) << " ms\n"
            << "step round trip max  " << Percentile(run.round_trip_ms, 1.0) << " ms\n"
            << "webhook ack p50      " << Percentile(run.ack_ms, 0.50) << " ms\n"
            << "webhook ack p99      " << Percentile(run.ack_ms, 0.99) << " ms\n"
            << "server CPU           " << cpu_seconds << " s (" << 100 * cpu_seconds / seconds << "% of one core)\n"
            << "server peak memory  " << peak << "\n";
  fs::remove_all(dir);
  if (run.keep_samples) {
    std::ofstream out(samples);
    out << "end_ms,round_trip_ms,ack_ms,step\n";
    for (const Run::Sample& s : run.samples) {
      out << s.at_ms << ',' << s.round_trip_ms << ',' << s.ack_ms << ',' << s.step << '\n';
    }
    if (!out) {
      std::cerr << "loadgen: could not write " << samples << "\n";
      return 1;
    }
  }
  return run.failures == 0 ? 0 : 1;
}
