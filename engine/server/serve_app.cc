#include "engine/server/serve_app.h"

#include <csignal>
#include <future>
#include <mutex>
#include <pthread.h>

#include "engine/base/log.h"
#include "engine/engine.h"
#include "engine/flow_registry.h"
#include "engine/server/agent_api.h"
#include "engine/server/agent_events.h"
#include "engine/server/blocking_pool.h"
#include "engine/server/demo_graph.h"
#include "engine/server/demo_phone.h"
#include "engine/server/engine_worker.h"
#include "engine/server/flow_directory.h"
#include "engine/server/handoff_ticket_ids.h"
#include "engine/server/http_server.h"
#include "engine/server/inbox_writer.h"
#include "engine/server/metrics.h"
#include "engine/server/routes.h"
#include "engine/server/web_pages.h"
#include "engine/server/webhook_endpoint.h"
#include "engine/store/sqlite/sqlite_store.h"
#include "engine/whatsapp/outbox_sender.h"
#include "scripting/lua_hooks.h"

namespace consentflow::engine::server {
namespace {

sigset_t ServerSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

class App final : public ServeApp {
 public:
  explicit App(const ServerConfig& config) : config_(config) {}
  ~App() override { Stop(); }

  Status Init() {
    Result<std::vector<dsl::ProgramPtr>> programs = LoadFlowDirectory(config_.flows_dir);
    if (!programs) return programs.error();
    hooks_ = scripting::MakeLuaScriptHost();
    for (dsl::ProgramPtr& program : *programs) {
      if (Status s = hooks_->LoadFlow(*program); !s.ok()) return s;
      if (Status s = flows_.Add(std::move(program)); !s.ok()) return s;
    }
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(
        SqliteOptions{config_.database, 5000, /*durable=*/true});
    if (!store) {
      return Status::Unavailable("cannot open the database " + config_.database + ": " +
                                 store.error().message());
    }
    store_ = std::move(*store);
    EngineOptions options;
    options.batch_size = config_.batch_size;
    options.cache_limit = config_.cache_limit;
    options.transcript_retention = std::chrono::hours(24) * config_.transcript_retention_days;
    options.audit_retention = std::chrono::hours(24) * config_.audit_retention_days;
    // On the engine's thread, right after the commit: the ticket ids from the store.
    ticket_ids_ = std::make_unique<HandoffTicketIds>(*store_);
    options.on_handoff = [this](const handoff::HandoffEvent& event) {
      handoff::HandoffEvent resolved = event;
      ticket_ids_->Resolve(resolved);
      events_.Publish(resolved);
    };
    engine_ = std::make_unique<Engine>(*store_, flows_, clock_, hooks_.get(), options);
    if (config_.demo) {
      if (Status s = StartDemoGraph(); !s.ok()) return s;
    }
    if (Status s = StartSender(); !s.ok()) return s;
    // The writer's webhooks are written, processed and answered by the worker's rounds.
    writer_ = std::make_unique<InboxWriter>(
        *store_, [this] { worker_->Wake(); },
        [this](const std::vector<whatsapp::DeliveryUpdate>& updates) { return RecordStatuses(updates); });
    worker_ = std::make_unique<EngineWorker>(
        *engine_, &metrics_,
        [this](const EngineReport& report) {
          if (!sender_) return;
          sender_->MarkRead(report.read);  // before the replies to the same messages
          sender_->Wake();
        },
        writer_.get());
    metrics_.AddCollector([this](Metrics& metrics) { CollectSenderMetrics(metrics); });
    webhook_ = std::make_unique<WebhookEndpoint>(config_.verify_token, config_.app_secret, *writer_, metrics_);
    routes_ = std::make_unique<Routes>(config_.webhook_path, *webhook_, metrics_);
    if (Status s = StartAgentApi(); !s.ok()) return s;
    MountPages();
    HttpServerOptions http;
    http.listen = config_.listen;
    http.port = config_.port;
    http.max_body_bytes = config_.max_body_bytes;
    http.max_header_bytes = config_.max_header_bytes;
    http.read_timeout_ms = config_.read_timeout_ms;
    http.write_timeout_ms = config_.write_timeout_ms;
    http.max_connections = config_.max_connections;
    Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(http, *routes_);
    if (!server) return server.error();
    http_ = std::move(*server);
    if (demo_phone_) demo_phone_->SetWebhook(http_->port(), config_.webhook_path);
    routes_->SetReady(true);
    worker_->Wake();  // messages left pending by a previous run
    Log(LogLevel::kInfo, "server_started",
        {{"port", http_->port()}, {"flows", flows_.LatestVersions().size()}});
    return Status::Ok();
  }

  uint16_t port() const override { return http_ ? http_->port() : 0; }

  // --demo (docs/demo.md): a Graph API stand-in on a second loopback listener, which the sender
  // is pointed at, and the phone it delivers to.
  Status StartDemoGraph() {
    if (config_.phone_number_ids.empty()) return Status::InvalidArgument("demo: no phone number id");
    demo_phone_ = std::make_unique<DemoPhone>(
        DemoPhoneOptions{config_.app_secret, config_.phone_number_ids.front(), "+1 555 0100"});
    demo_graph_ = std::make_unique<DemoGraph>(*demo_phone_);
    HttpServerOptions http;
    http.listen = "127.0.0.1";
    http.port = 0;
    Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(http, *demo_graph_);
    if (!server) return server.error();
    graph_http_ = std::move(*server);
    config_.graph_base_url = "http://127.0.0.1:" + std::to_string(graph_http_->port());
    return Status::Ok();
  }

  // The agent console's pages and its push (/api/events); with --demo, the demo phone.
  void MountPages() {
    console_pages_ = std::make_unique<WebPages>("/console");
    if (demo_phone_) {
      routes_->Mount("/demo/api", demo_phone_.get());
      routes_->MountWebSocket("/demo/events", demo_phone_.get());
      demo_pages_ = std::make_unique<WebPages>("/demo");
      routes_->Mount("/demo", demo_pages_.get());
    }
    routes_->Mount("/console", console_pages_.get());
    routes_->MountWebSocket("/api/events", agent_events_.get());
  }

  // Statuses of our messages move their outbox entries forward (never back; a 131047 failure
  // closes the contact's window). A status for a message this store never sent (another tool
  // on the same number) is skipped. Runs in the engine worker's round (InboxWriter::Write),
  // without a sync of its own: the round's one sync covers them before the 200.
  Status RecordStatuses(const std::vector<whatsapp::DeliveryUpdate>& updates) {
    for (const whatsapp::DeliveryUpdate& u : updates) {
      DeliveryReport report;
      report.whatsapp_id = u.message_id;
      report.time = u.time;
      switch (u.state) {
        case whatsapp::DeliveryState::kSent: report.state = OutboxState::kSent; break;
        case whatsapp::DeliveryState::kDelivered: report.state = OutboxState::kDelivered; break;
        case whatsapp::DeliveryState::kRead: report.state = OutboxState::kRead; break;
        case whatsapp::DeliveryState::kFailed:
          report.state = OutboxState::kFailed;
          report.error = SendError{u.error_code, u.error_title};
          break;
      }
      Result<bool> moved = store_->RecordDelivery(report, Store::Durability::kDeferred);
      if (!moved) {
        if (moved.error().code() == StatusCode::kNotFound) continue;
        return moved.error();
      }
      if (*moved) {
        handoff::HandoffEvent event;
        event.kind = handoff::HandoffEvent::Kind::kDeliveryStatus;
        event.contact = u.recipient;
        event.state = OutboxStateName(report.state);
        events_.Publish(event);
      }
    }
    return Status::Ok();
  }

  // Replies go out through the Graph API from the business number the contact wrote to (the
  // first configured one when that is unknown). Without a number there is nothing to send
  // from: replies wait in the outbox.
  Status StartSender() {
    if (config_.phone_number_ids.empty()) {
      Log(LogLevel::kWarning, "sender_off", {{"reason", "no [whatsapp] phone_number_ids"}});
      return Status::Ok();
    }
    whatsapp::GraphClientOptions client;
    client.base_url = config_.graph_base_url;
    client.api_version = config_.graph_version;
    client.phone_number_id = config_.phone_number_ids.front();
    client.access_token = config_.access_token;
    whatsapp::OutboxSenderOptions options;
    options.phone_number_ids = config_.phone_number_ids;
    options.number_per_second = config_.messages_per_second;
    options.number_burst = config_.messages_per_second;
    options.contact_tag_key = config_.app_secret;
    // Many contacts' replies in flight at once (each contact's in order): a send waits on the
    // network, not on the sender.
    options.max_in_flight = 64;
    // A status that came before its send was recorded is applied with the record: the console
    // hears of the reply then (RecordStatuses could not tell it).
    options.on_recorded = [this](const std::string& contact) {
      handoff::HandoffEvent event;
      event.kind = handoff::HandoffEvent::Kind::kDeliveryStatus;
      event.contact = contact;
      event.state = OutboxStateName(OutboxState::kAccepted);
      events_.Publish(event);
    };
    client.max_connections = 64;
    Result<std::unique_ptr<whatsapp::OutboxSender>> sender =
        whatsapp::OutboxSender::Start(*store_, clock_, client, options);
    if (!sender) return sender.error();
    sender_ = std::move(*sender);
    return Status::Ok();
  }

  // The sender counts totals; /metrics counters take what was added since the last look.
  void CollectSenderMetrics(Metrics& metrics) {
    std::lock_guard lock(metrics_mu_);
    if (store_) {
      Result<OutboxBacklog> backlog = store_->Backlog();
      if (backlog) {
        const double age = backlog->oldest
            ? std::chrono::duration<double>(clock_.Now() - *backlog->oldest).count() : 0.0;
        metrics.OutboxState(backlog->pending, age);
      }
    }
    if (!sender_) return;
    const whatsapp::OutboxSenderCounters now = sender_->Counters();
    auto add = [&](const char* result, int code, uint64_t total, uint64_t before) {
      if (total > before) metrics.Send(result, code, total - before);
    };
    add("accepted", 0, now.accepted, sent_before_.accepted);
    add("receipt", 0, now.receipts, sent_before_.receipts);
    add("retried", 0, now.retried, sent_before_.retried);
    add("outside_window", 0, now.outside_window, sent_before_.outside_window);
    for (const auto& [code, total] : now.errors_by_code) {
      const auto before = sent_before_.errors_by_code.find(code);
      add("error", code, total, before == sent_before_.errors_by_code.end() ? 0 : before->second);
    }
    sent_before_ = now;
  }
  handoff::HandoffEventBus& handoff_events() override { return events_; }

  // The agent API (agent_api.h) on a connection of its own and a small pool: the engine's
  // connection is busy with batches, and an I/O thread must not wait for SQLite or Argon2id.
  // Closing and handing back run on the engine's thread.
  Status StartAgentApi() {
    Result<std::unique_ptr<Store>> store =
        OpenSqliteStore(SqliteOptions{config_.database, 5000, /*durable=*/true});
    if (!store) return store.error();
    api_store_ = std::move(*store);
    api_pool_ = std::make_unique<BlockingPool>(/*threads=*/2, /*max_queued=*/1024);
    AgentApiOptions options;
    options.queues = config_.queues;
    options.session_ttl = std::chrono::hours(config_.session_hours);
    options.transcript_retention = std::chrono::hours(24) * config_.transcript_retention_days;
    options.templates = config_.templates;
    options.flow_states = [this](std::string contact,
                                 std::function<void(Result<FlowStates>)> done) {
      // The registry belongs to the engine's thread, and so does the engine's connection.
      worker_->Post([this, contact = std::move(contact), done = std::move(done)] {
        done(StatesOf(contact));
      });
    };
    auto run_action = [this](AgentAction action, std::function<void(Status)> done) {
      worker_->Post([this, action = std::move(action), done = std::move(done)] {
        Result<EngineReport> report = engine_->Act(action);
        if (report && sender_) sender_->Wake();  // a hand-back's replies
        if (!report) return done(report.error());
        done(report->handled == 1 ? Status::Ok() : Status::Unavailable("the action did not commit"));
      });
    };
    // An agent's reply is in the outbox: the sender need not wait for its next look.
    events_.Subscribe([this](const handoff::HandoffEvent& e) {
      if (e.kind == handoff::HandoffEvent::Kind::kMessage && !e.agent.empty() && sender_) sender_->Wake();
    });
    agent_events_ = std::make_unique<AgentEvents>(*api_store_, *api_pool_, clock_, events_, config_.queues);
    agent_api_ = std::make_unique<AgentApi>(*api_store_, *api_pool_, clock_, std::move(run_action),
                                            events_, std::move(options));
    routes_->SetAgentApi(agent_api_.get());
    return Status::Ok();
  }

  // On the engine's thread: the states of the flow `contact`'s conversation runs (as the engine
  // picks it for a hand-back: the version it started on, else the newest).
  Result<FlowStates> StatesOf(const std::string& contact) {
    Result<std::optional<Conversation>> conversation = store_->LoadConversation(contact);
    if (!conversation) return conversation.error();
    if (!*conversation) return Status::NotFound("no conversation");
    const dsl::Program* program =
        flows_.Find((*conversation)->flow_id, (*conversation)->flow_version);
    if (program == nullptr) program = flows_.Latest((*conversation)->flow_id);
    if (program == nullptr) return Status::NotFound("the flow is not loaded");
    FlowStates states;
    states.flow_id = program->flow_id;
    states.version = program->version;
    for (const dsl::ProgramState& state : program->states) states.states.push_back(state.id);
    if (program->start < program->states.size()) states.start = program->states[program->start].id;
    return states;
  }

  Status ReloadFlows() override {
    Result<std::vector<dsl::ProgramPtr>> programs = LoadFlowDirectory(config_.flows_dir);
    if (!programs) {
      Log(LogLevel::kError, "flows_reload_failed", {{"reason", programs.error().message()}});
      return programs.error();
    }
    // The registry belongs to the engine's thread: the new versions are added there.
    auto done = std::make_shared<std::promise<Status>>();
    std::future<Status> result = done->get_future();
    worker_->Post([this, programs = std::move(*programs), done]() mutable {
      std::size_t added = 0;
      Status status;
      for (dsl::ProgramPtr& program : programs) {
        if (flows_.Find(program->flow_id, program->version) != nullptr) continue;  // unchanged
        if (Status s = hooks_->LoadFlow(*program); !s.ok()) {
          if (status.ok()) status = s;
          continue;
        }
        if (Status s = flows_.Add(std::move(program)); !s.ok()) {
          if (status.ok()) status = s;
          continue;
        }
        ++added;
      }
      Log(status.ok() ? LogLevel::kInfo : LogLevel::kError, "flows_reloaded",
          {{"new_versions", added}, {"error", status.ok() ? "" : status.message()}});
      done->set_value(status);
    });
    return result.get();
  }

  void Stop() override {
    if (stopped_) return;
    stopped_ = true;
    if (routes_) routes_->SetReady(false);
    if (demo_phone_) demo_phone_->Stop();  // (--demo) no more customer messages or statuses
    if (http_) http_->Stop();       // no new requests; those in hand are answered
    if (api_pool_) api_pool_->Stop();  // the agent API's jobs in hand are done
    if (writer_) writer_->Close();  // (nothing new comes: the listener is closed)
    if (worker_) worker_->Stop();   // what was submitted is durable and answered, and what the
                                    // inbox holds is processed
    if (sender_) sender_->Stop();   // and the replies in flight are recorded
    if (graph_http_) graph_http_->Stop();  // (--demo) the stand-in they went to
    Log(LogLevel::kInfo, "server_stopped");
  }

  void RunUntilSignalled() override {
    const sigset_t set = ServerSignals();
    while (true) {
      int signal = 0;
      if (sigwait(&set, &signal) != 0) continue;
      if (signal == SIGHUP) {
        (void)ReloadFlows();
        continue;
      }
      Log(LogLevel::kInfo, "server_stopping", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
      Stop();
      return;
    }
  }

 private:
  ServerConfig config_;
  SystemClock clock_;
  FlowRegistry flows_;
  Metrics metrics_;
  handoff::HandoffEventBus events_;
  std::unique_ptr<scripting::LuaHooks> hooks_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<HandoffTicketIds> ticket_ids_;  // used on the engine's thread only
  std::unique_ptr<whatsapp::OutboxSender> sender_;
  std::mutex metrics_mu_;
  whatsapp::OutboxSenderCounters sent_before_;  // guarded by metrics_mu_
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<InboxWriter> writer_;  // before worker_, whose rounds use it
  std::unique_ptr<EngineWorker> worker_;
  std::unique_ptr<WebhookEndpoint> webhook_;
  std::unique_ptr<Store> api_store_;
  std::unique_ptr<BlockingPool> api_pool_;
  std::unique_ptr<AgentApi> agent_api_;
  std::unique_ptr<AgentEvents> agent_events_;
  std::unique_ptr<WebPages> console_pages_;
  std::unique_ptr<DemoPhone> demo_phone_;  // --demo only, like the three below
  std::unique_ptr<DemoGraph> demo_graph_;
  std::unique_ptr<HttpServer> graph_http_;
  std::unique_ptr<WebPages> demo_pages_;
  std::unique_ptr<Routes> routes_;
  std::unique_ptr<HttpServer> http_;
  bool stopped_ = false;
};

}  // namespace

void BlockServerSignals() {
  const sigset_t set = ServerSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

Result<std::unique_ptr<ServeApp>> ServeApp::Start(const ServerConfig& config) {
  auto app = std::make_unique<App>(config);
  if (Status status = app->Init(); !status.ok()) return status;
  return std::unique_ptr<ServeApp>(std::move(app));
}

}  // namespace consentflow::engine::server
