#include "engine/flow_registry.h"

#include <gtest/gtest.h>

#include "dsl/loader.h"
#include "engine/engine.h"
#include "engine/store/sqlite/sqlite_store.h"

namespace consentflow::engine {
namespace {

dsl::ProgramPtr Flow(const std::string& file, const std::string& header, const std::string& say = "hi") {
  const std::string text = header + "\nstate start\n  say \"" + say + "\"\n  end\n";
  const dsl::LoadedFlow flow = dsl::LoadFlowSource(dsl::SourceFile{file, text});
  EXPECT_TRUE(flow.ok()) << dsl::FormatDiagnostics(flow.source, flow.diagnostics);
  return flow.program;
}

InboundMessage Text(std::string text) {
  InboundMessage m;
  m.text = std::move(text);
  return m;
}

TEST(FlowRegistry, RoutesByLinkCodeThenAdThenKeywordThenDefault) {
  FlowRegistry registry;
  ASSERT_TRUE(registry.Add(Flow("a.flow", "flow linked\nentry link \"SPRING24\"")).ok());
  ASSERT_TRUE(registry.Add(Flow("b.flow", "flow from_ad\nentry ad \"123\"")).ok());
  ASSERT_TRUE(registry.Add(Flow("c.flow", "flow any_ad\nentry ad")).ok());
  ASSERT_TRUE(registry.Add(Flow("d.flow", "flow keyworded\nentry keyword \"ski\"")).ok());
  ASSERT_TRUE(registry.Add(Flow("e.flow", "flow fallback\nentry default")).ok());

  EXPECT_EQ(registry.Route(Text("I want to ski, code spring24 please"))->flow_id, "linked");
  EXPECT_EQ(registry.Route(Text("SPRING245"))->flow_id, "fallback");  // not the whole word
  InboundMessage ad = Text("ski?");
  ad.referral = AdReferral{"123", "ad"};
  EXPECT_EQ(registry.Route(ad)->flow_id, "from_ad");
  ad.referral = AdReferral{"999", "ad"};
  EXPECT_EQ(registry.Route(ad)->flow_id, "any_ad");
  EXPECT_EQ(registry.Route(Text("Skiing or SKI?"))->flow_id, "keyworded");
  EXPECT_EQ(registry.Route(Text("hello"))->flow_id, "fallback");
}

TEST(FlowRegistry, TwoFlowsClaimingOneEntryIsAnErrorNamingBothFiles) {
  FlowRegistry registry;
  ASSERT_TRUE(registry.Add(Flow("flows/a.flow", "flow a\nentry link \"CODE1\"")).ok());
  const Status clash = registry.Add(Flow("flows/b.flow", "flow b\nentry link \"code1\""));
  EXPECT_EQ(clash.code(), StatusCode::kConflict);
  EXPECT_NE(clash.message().find("flows/b.flow"), std::string::npos) << clash.message();
  EXPECT_NE(clash.message().find("flows/a.flow"), std::string::npos) << clash.message();

  FlowRegistry defaults;
  ASSERT_TRUE(defaults.Add(Flow("x.flow", "flow x\nentry default")).ok());
  EXPECT_EQ(defaults.Add(Flow("y.flow", "flow y\nentry default")).code(), StatusCode::kConflict);
}

TEST(FlowRegistry, KeepsEveryVersionAndRoutesToTheNewest) {
  FlowRegistry registry;
  ASSERT_TRUE(registry.Add(Flow("v1.flow", "flow f\nversion 1\nentry default", "one")).ok());
  ASSERT_TRUE(registry.Add(Flow("v2.flow", "flow f\nversion 2\nentry default", "two")).ok());
  EXPECT_EQ(registry.Route(Text("hi"))->version, 2);
  EXPECT_EQ(registry.Find("f", 1)->version, 1);
  EXPECT_EQ(registry.Latest("f")->version, 2);
  EXPECT_EQ(registry.Add(Flow("again.flow", "flow f\nversion 2")).code(), StatusCode::kConflict);
}

TEST(Engine, ARunningConversationStaysOnItsVersionAndANewOneTakesTheNewest) {
  const std::string v1 =
      "flow f\nversion 1\nentry default\nstate start\n  choose \"Go on?\"\n    \"Yes\" -> done\n"
      "    \"No\" -> done\nstate done\n  say \"from version one\"\n  end\n";
  const std::string v2 =
      "flow f\nversion 2\nentry default\nstate start\n  choose \"Go on?\"\n    \"Yes\" -> done\n"
      "    \"No\" -> done\nstate done\n  say \"from version two\"\n  end\n";
  FlowRegistry registry;
  ASSERT_TRUE(registry.Add(dsl::LoadFlowSource(dsl::SourceFile{"v1.flow", v1}).program).ok());
  auto store = OpenSqliteStore(SqliteOptions{":memory:", 5000, false});
  ASSERT_TRUE(store);
  ManualClock clock;
  Engine engine(**store, registry, clock, nullptr);
  auto say = [&](const std::string& id, const std::string& text) {
    InboundMessage m = Text(text);
    m.id = id;
    m.contact = "491";
    m.time = clock.Now();
    ASSERT_TRUE(engine.Receive(m));
    ASSERT_TRUE(engine.ProcessPending());
  };
  say("w1", "hi");  // starts on version 1, waits at the choice
  // Version 2 is deployed while the conversation runs.
  ASSERT_TRUE(registry.Add(dsl::LoadFlowSource(dsl::SourceFile{"v2.flow", v2}).program).ok());
  say("w2", "Yes");
  say("w3", "hi again");  // a new conversation: version 2
  say("w4", "Yes");
  auto outbox = (*store)->PendingOutbox(10);
  ASSERT_TRUE(outbox);
  std::vector<std::string> bodies;
  for (const OutboxEntry& e : *outbox) bodies.push_back(e.message.body);
  EXPECT_EQ(bodies, (std::vector<std::string>{"Go on?", "from version one", "Go on?",
                                              "from version two"}));
}

}  // namespace
}  // namespace consentflow::engine
