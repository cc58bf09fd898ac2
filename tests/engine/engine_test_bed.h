#pragma once
// A fixture for engine tests: flows compiled from source, the real engine on an in-memory
// SQLite store, a manual clock, and messages sent as a contact would.

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "dsl/loader.h"
#include "engine/engine.h"
#include "engine/store/sqlite/sqlite_store.h"

namespace consentflow::engine::testing {

class EngineTestBed : public ::testing::Test {
 protected:
  // Compiles `sources` (each a whole .flow file), then opens the store and the engine.
  void Start(std::initializer_list<std::string_view> sources) {
    for (std::string_view source : sources) {
      const dsl::LoadedFlow flow = dsl::LoadFlowSource(dsl::SourceFile{"t.flow", std::string(source)});
      ASSERT_TRUE(flow.ok());
      ASSERT_TRUE(registry_.Add(flow.program).ok());
    }
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(SqliteOptions{":memory:", 5000, false});
    ASSERT_TRUE(store);
    store_ = std::move(*store);
    engine_ = std::make_unique<Engine>(*store_, registry_, clock_, nullptr);
  }

  // A message from `contact` now, with a new id.
  InboundMessage Message(const std::string& contact, const std::string& text,
                         MessageKind kind = MessageKind::kText) {
    InboundMessage m;
    m.id = "wamid." + std::to_string(++sent_);
    m.contact = contact;
    m.time = clock_.Now();
    m.kind = kind;
    m.text = text;
    return m;
  }

  // Receives the message and processes everything pending (the report in last_report_).
  void Send(const std::string& contact, const std::string& text,
            MessageKind kind = MessageKind::kText) {
    ASSERT_TRUE(engine_->Receive(Message(contact, text, kind)));
    Result<EngineReport> report = engine_->ProcessPending();
    ASSERT_TRUE(report) << report.error().message();
    last_report_ = std::move(*report);
  }

  FlowRegistry registry_;
  ManualClock clock_{FromUnixSeconds(1'767'225'600)};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Engine> engine_;
  int sent_ = 0;
  EngineReport last_report_;
};

}  // namespace consentflow::engine::testing
