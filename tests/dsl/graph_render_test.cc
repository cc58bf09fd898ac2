// RenderGraph() on the contract's complete example: what a marketer sees in each format.

#include "dsl/graph_render.h"

#include "tests/dsl/contract_example.h"
#include "tests/dsl/test_flows.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/diagnostic.h"
#include "dsl/loader.h"
#include "dsl/source.h"

namespace consentflow::dsl {
namespace {

// The complete example of the language contract (shared/flow-language.md), verbatim.
const std::string_view kSpringLeads = testing::kContractExample;

constexpr const char* kStates[] = {
    "start",  "details",       "ski",   "hot_lead", "hike", "newsletter_offer",
    "thanks", "talk_to_human", "nudge", "bye"};

using testing::Replace;

ProgramPtr Load(std::string_view text) { return testing::CompileProgram(text, "spring_leads.flow"); }

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The one line that contains `part`; fails (and returns "") unless exactly one does.
std::string LineWith(const std::string& text, std::string_view part) {
  std::string found;
  int count = 0;
  for (const std::string& line : Lines(text)) {
    if (line.find(part) != std::string::npos) {
      found = line;
      ++count;
    }
  }
  EXPECT_EQ(count, 1) << "lines with '" << part << "' in:\n" << text;
  return found;
}

// The start of the DOT line that declares `state`'s node: `  "state" [label=`.
std::string DotNode(std::string_view state) {
  std::string out = "  \"";
  out += state;
  out += "\" [label=";
  return out;
}

bool Has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

class GraphRenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    program_ = Load(kSpringLeads);
    ASSERT_NE(program_, nullptr);
    dot_ = RenderGraph(*program_, GraphFormat::kDot);
    mermaid_ = RenderGraph(*program_, GraphFormat::kMermaid);
  }

  ProgramPtr program_;
  std::string dot_;
  std::string mermaid_;
};

// ---- DOT ----

TEST_F(GraphRenderTest, DotStartsWithTheFlowIdAndReadsTopToBottom) {
  EXPECT_TRUE(dot_.starts_with("digraph \"spring_leads\" {\n")) << dot_;
  EXPECT_TRUE(dot_.ends_with("}\n"));
  EXPECT_TRUE(Has(dot_, "rankdir=TB"));
  EXPECT_TRUE(Has(dot_, "label=\"spring_leads v3: Spring campaign: ski and hiking offers\""));
}

TEST_F(GraphRenderTest, DotHasOneNodePerStateLabelledWithItsSteps) {
  for (const char* state : kStates) {
    LineWith(dot_, DotNode(state) + "\"" + state);
  }
  EXPECT_TRUE(Has(dot_, "\"details\" [label=\"details\\nask name, ask email, choose interest\""))
      << dot_;
  EXPECT_TRUE(Has(dot_, "\"hot_lead\" [label=\"hot_lead\\nhandoff to sales (high)\""));
  EXPECT_TRUE(Has(dot_, "\"ski\" [label=\"ski\\nask budget,\\ncall score_lead writes budget\""));
}

TEST_F(GraphRenderTest, DotDrawsAcceptedBoldGreenAndDeclinedDashedRed) {
  const std::string accepted = LineWith(dot_, "\"start\" -> \"details\"");
  EXPECT_TRUE(Has(accepted, "label=\"accepted\"")) << accepted;
  EXPECT_TRUE(Has(accepted, "style=bold")) << accepted;
  EXPECT_TRUE(Has(accepted, "color=\"#2e7d32\"")) << accepted;
  const std::string declined = LineWith(dot_, "\"start\" -> \"bye\"");
  EXPECT_TRUE(Has(declined, "label=\"declined\"")) << declined;
  EXPECT_TRUE(Has(declined, "style=dashed")) << declined;
  EXPECT_TRUE(Has(declined, "color=\"#c62828\"")) << declined;
}

TEST_F(GraphRenderTest, DotStylesStatesByWhatTheyDo) {
  EXPECT_TRUE(Has(LineWith(dot_, "  \"start\" [label="), "shape=doubleoctagon"));
  EXPECT_TRUE(Has(LineWith(dot_, "  \"newsletter_offer\" [label="), "shape=doubleoctagon"));
  for (const char* capture : {"details", "ski", "hike"}) {
    EXPECT_TRUE(Has(LineWith(dot_, DotNode(capture)), "fillcolor=\"#bbdefb\"")) << capture;
  }
  for (const char* handoff : {"hot_lead", "talk_to_human"}) {
    const std::string line = LineWith(dot_, DotNode(handoff));
    EXPECT_TRUE(Has(line, "shape=house")) << line;
    EXPECT_TRUE(Has(line, "fillcolor=\"#ffe0b2\"")) << line;
  }
  for (const char* end : {"thanks", "bye"}) {
    EXPECT_TRUE(Has(LineWith(dot_, DotNode(end)), "peripheries=2"));
  }
  const std::string nudge = LineWith(dot_, "  \"nudge\" [label=");
  EXPECT_FALSE(Has(nudge, "shape=")) << nudge;
  EXPECT_FALSE(Has(nudge, "fillcolor=")) << nudge;
}

TEST_F(GraphRenderTest, DotLabelsEdgesByWhatTakesThem) {
  EXPECT_TRUE(Has(LineWith(dot_, "\"details\" -> \"ski\""), "label=\"Skiing\""));
  EXPECT_TRUE(Has(LineWith(dot_, "\"details\" -> \"hike\""), "label=\"Hiking\""));
  EXPECT_TRUE(Has(LineWith(dot_, "\"details\" -> \"bye\""), "label=\"after 2 retries\""));
  EXPECT_TRUE(Has(LineWith(dot_, "\"ski\" -> \"hot_lead\""), "label=\"hot\""));
  EXPECT_TRUE(Has(LineWith(dot_, "\"hike\" -> \"hot_lead\""), "label=\"if budget > 5000\""));
  // A plain jump has no label.
  EXPECT_EQ(LineWith(dot_, "\"nudge\" -> \"start\""), "  \"nudge\" -> \"start\";");
  EXPECT_EQ(LineWith(dot_, "\"hike\" -> \"newsletter_offer\""),
            "  \"hike\" -> \"newsletter_offer\";");
  // `ask name` has no retries line: after the default 3 the conversation ends.
  EXPECT_TRUE(Has(dot_, "  \"details\" -> \"@end\" [label=\"after 3 retries\""));
}

TEST_F(GraphRenderTest, DotDrawsGlobalHandlersFromAnyPoint) {
  EXPECT_TRUE(Has(dot_, "  \"@any\" [label=\"any point\""));
  EXPECT_TRUE(Has(LineWith(dot_, "\"@any\" -> \"talk_to_human\""),
                  "label=\"on keyword \\\"agent\\\", \\\"human\\\"\""));
  EXPECT_TRUE(Has(LineWith(dot_, "\"@any\" -> \"nudge\""), "label=\"on timeout 2 hours\""));
  // No `on withdraw` in the flow: the engine confirms and ends.
  EXPECT_TRUE(Has(LineWith(dot_, "\"@any\" -> \"@end\""), "label=\"on withdraw\""));
  EXPECT_TRUE(Has(LineWith(dot_, "  \"@end\" [label="), "shape=doublecircle"));
}

TEST_F(GraphRenderTest, DotEscapesQuotesAndBackslashesInLabels) {
  // The entry rules quote their codes and words.
  EXPECT_TRUE(Has(dot_,
                  "\"@entry\" [label=\"entry\\nlink \\\"SPRING24\\\"\\nad\\n"
                  "keyword \\\"ski\\\", \\\"hiking\\\"\""))
      << dot_;
  const ProgramPtr program =
      Load(Replace(kSpringLeads, "\"Skiing\" -> ski", R"("Ski \"pro\" \\ fun" -> ski)"));
  ASSERT_NE(program, nullptr);
  const std::string dot = RenderGraph(*program, GraphFormat::kDot);
  EXPECT_TRUE(Has(LineWith(dot, "\"details\" -> \"ski\""), R"(label="Ski \"pro\" \\ fun")")) << dot;
}

TEST_F(GraphRenderTest, DotIsDeterministic) {
  EXPECT_EQ(RenderGraph(*program_, GraphFormat::kDot), dot_);
  EXPECT_EQ(RenderGraph(*Load(kSpringLeads), GraphFormat::kDot), dot_);
}

// ---- Mermaid ----

TEST_F(GraphRenderTest, MermaidStartsWithAFlowchart) {
  EXPECT_TRUE(mermaid_.starts_with("flowchart TD\n")) << mermaid_;
}

TEST_F(GraphRenderTest, MermaidHasOneNodePerStateWithAPrefixedId) {
  for (const char* state : kStates) {
    // A node line is the id followed by its shape; edge lines have a space after the id.
    const std::string id = std::string("  s_") + state;
    int nodes = 0;
    for (const std::string& line : Lines(mermaid_)) {
      if (!line.starts_with(id) || line.size() == id.size()) continue;
      if (std::string_view("[({>").find(line[id.size()]) == std::string_view::npos) continue;
      EXPECT_TRUE(Has(line, std::string("\"") + state + "<br/>")) << line;
      ++nodes;
    }
    EXPECT_EQ(nodes, 1) << state;
  }
  EXPECT_TRUE(
      Has(mermaid_, "  s_details[/\"details<br/>ask name, ask email, choose interest\"/]\n"))
      << mermaid_;
  // Mermaid reserves `end`: no node may be called that.
  for (const std::string& line : Lines(mermaid_)) {
    EXPECT_FALSE(line.starts_with("  end")) << line;
    EXPECT_FALSE(Has(line, "> end")) << line;
  }
}

TEST_F(GraphRenderTest, MermaidDrawsAcceptedThickAndDeclinedDotted) {
  EXPECT_TRUE(Has(mermaid_, "  s_start ==>|\"accepted\"| s_details\n")) << mermaid_;
  EXPECT_TRUE(Has(mermaid_, "  s_start -.->|\"declined\"| s_bye\n")) << mermaid_;
  EXPECT_TRUE(Has(mermaid_, "  s_hike -->|\"if budget #gt; 5000\"| s_hot_lead\n")) << mermaid_;
  EXPECT_TRUE(Has(mermaid_, "  s_nudge --> s_start\n")) << mermaid_;
}

TEST_F(GraphRenderTest, MermaidColoursEdgesByTheirPosition) {
  std::vector<std::string> accepted, declined;
  int index = 0;
  for (const std::string& line : Lines(mermaid_)) {
    const bool edge =
        Has(line, " --> ") || Has(line, " ==>") || Has(line, " -.->") || Has(line, " -->|");
    if (!edge) continue;
    if (Has(line, "\"accepted\"")) accepted.push_back(std::to_string(index));
    if (Has(line, "\"declined\"")) declined.push_back(std::to_string(index));
    ++index;
  }
  ASSERT_EQ(accepted.size(), 2u);
  ASSERT_EQ(declined.size(), 2u);
  EXPECT_TRUE(Has(mermaid_, "  linkStyle " + accepted[0] + "," + accepted[1] + " stroke:#2e7d32"))
      << mermaid_;
  EXPECT_TRUE(Has(mermaid_, "  linkStyle " + declined[0] + "," + declined[1] + " stroke:#c62828"))
      << mermaid_;
}

TEST_F(GraphRenderTest, MermaidStylesStatesByWhatTheyDo) {
  EXPECT_TRUE(Has(mermaid_, "  s_start[[\"start<br/>say, consent privacy\"]]\n")) << mermaid_;
  EXPECT_TRUE(Has(mermaid_, "  s_hot_lead{{\"hot_lead<br/>handoff to sales (high)\"}}\n"));
  EXPECT_TRUE(Has(mermaid_, "  s_thanks([\"thanks<br/>say, end\"])\n"));
  EXPECT_TRUE(Has(mermaid_, "  class s_start,s_newsletter_offer cf_consent\n"));
  EXPECT_TRUE(Has(mermaid_, "  class s_details,s_ski,s_hike cf_capture\n"));
  EXPECT_TRUE(Has(mermaid_, "  class s_hot_lead,s_talk_to_human cf_handoff\n"));
  EXPECT_TRUE(Has(mermaid_, "  class s_thanks,s_bye cf_end\n"));
}

TEST_F(GraphRenderTest, MermaidDrawsGlobalHandlersFromAnyPoint) {
  EXPECT_TRUE(Has(mermaid_,
                  "  any_point -.->|\"on keyword #quot;agent#quot;, #quot;human#quot;\"| "
                  "s_talk_to_human\n"))
      << mermaid_;
  EXPECT_TRUE(Has(mermaid_, "  any_point -.->|\"on timeout 2 hours\"| s_nudge\n"));
  EXPECT_TRUE(Has(mermaid_, "  any_point -.->|\"on withdraw\"| flow_end\n"));
}

TEST_F(GraphRenderTest, MermaidEscapesWhatWouldEndOrDecodeALabel) {
  EXPECT_TRUE(Has(mermaid_,
                  "flow_entry>\"entry<br/>link #quot;SPRING24#quot;<br/>ad<br/>"
                  "keyword #quot;ski#quot;, #quot;hiking#quot;\"]"))
      << mermaid_;
  const ProgramPtr program =
      Load(Replace(kSpringLeads, "\"Skiing\" -> ski", R"("Ski \"pro\" | #1 <b>" -> ski)"));
  ASSERT_NE(program, nullptr);
  const std::string mermaid = RenderGraph(*program, GraphFormat::kMermaid);
  EXPECT_TRUE(
      Has(mermaid, "  s_details -->|\"Ski #quot;pro#quot; #124; #35;1 #lt;b#gt;\"| s_ski\n"))
      << mermaid;
}

TEST_F(GraphRenderTest, MermaidIsDeterministic) {
  EXPECT_EQ(RenderGraph(*program_, GraphFormat::kMermaid), mermaid_);
}

// ---- Other steps and handlers ----

constexpr std::string_view kOtherSteps = R"FLOW(flow other
purpose offer "send you the offer"
notice privacy v1
  text "We use your data to {purposes}."
  grants offer
  accept "I agree"
  decline "No thanks"
field name text for offer keep 30 days
field budget number for offer keep 1 year
on withdraw -> bye
state start
  consent privacy
    accepted -> details
    declined -> bye
state details
  ask name "Your name?"
    retries 1 -> bye
    timeout 10 minutes -> bye
  ask budget "Budget?"
  if (budget > 10 or budget < -2.5) and not set(name) -> bye
  choose "Anything else?"
    "Yes" -> details
    "No" -> bye
state bye
  say "Bye"
  say "See you"
  end
)FLOW";

TEST(GraphRenderOtherTest, DrawsTimeoutsConditionsAndTheWithdrawHandler) {
  const ProgramPtr program = Load(kOtherSteps);
  ASSERT_NE(program, nullptr);
  const std::string dot = RenderGraph(*program, GraphFormat::kDot);
  EXPECT_TRUE(Has(dot, "\"details\" -> \"bye\" [label=\"timeout 10 minutes\"")) << dot;
  EXPECT_TRUE(Has(dot, "\"details\" -> \"bye\" [label=\"after 1 retry\"")) << dot;
  EXPECT_TRUE(Has(dot, "label=\"if (budget > 10 or budget < -2.5) and\\nnot set(name)\"")) << dot;
  EXPECT_TRUE(Has(dot, "\"@any\" -> \"bye\" [label=\"on withdraw\"")) << dot;
  // A choose without a field stores nothing; repeated steps fold.
  EXPECT_TRUE(Has(dot, "\"details\" [label=\"details\\nask name, ask budget, choose\"")) << dot;
  EXPECT_TRUE(Has(dot, "\"bye\" [label=\"bye\\nsay ×2, end\"")) << dot;
  // No entry rules and no keyword or timeout handler.
  EXPECT_TRUE(Has(dot, "\"@entry\" [label=\"entry\", ")) << dot;
  EXPECT_FALSE(Has(dot, "on keyword")) << dot;
  EXPECT_FALSE(Has(dot, "on timeout")) << dot;
}

TEST(GraphRenderOtherTest, FoldsParallelEdges) {
  const ProgramPtr program =
      Load(Replace(Replace(kSpringLeads, "ask name \"What's your name?\"",
                           "ask name \"What's your name?\"\n  ask name \"And your nickname?\""),
                   "    \"Hiking\" -> hike",
                   "    \"Hiking\" -> hike\n    \"Both\" -> ski\n    \"Biking\" -> hike"));
  ASSERT_NE(program, nullptr);
  const std::string dot = RenderGraph(*program, GraphFormat::kDot);
  // Two `ask name` with the default retries: one edge to the end.
  EXPECT_EQ(LineWith(dot, "\"details\" -> \"@end\""),
            "  \"details\" -> \"@end\" [label=\"after 3 retries\", color=\"#9e9e9e\", "
            "fontcolor=\"#757575\", style=dotted];");
  // Options of one `choose` that lead to the same state share an edge.
  EXPECT_TRUE(Has(LineWith(dot, "\"details\" -> \"ski\""), "label=\"Skiing, Both\"")) << dot;
  EXPECT_TRUE(Has(LineWith(dot, "\"details\" -> \"hike\""), "label=\"Hiking, Biking\"")) << dot;
  // `cold` and the jump below it stay apart: the jump is taken for any other outcome.
  EXPECT_TRUE(Has(dot, "  \"ski\" -> \"newsletter_offer\" [label=\"cold\"];\n")) << dot;
  EXPECT_TRUE(Has(dot, "  \"ski\" -> \"newsletter_offer\";\n")) << dot;
}

TEST(GraphRenderOtherTest, WrapsLongEdgeLabels) {
  const ProgramPtr program =
      Load(Replace(kSpringLeads, "if budget > 5000 -> hot_lead",
                   "if budget > 5000 and budget < 90000 and set(name) and set(email) -> hot_lead"));
  ASSERT_NE(program, nullptr);
  EXPECT_TRUE(Has(RenderGraph(*program, GraphFormat::kDot),
                  "label=\"if budget > 5000 and budget < 90000 and\\nset(name) and set(email)\""));
  EXPECT_TRUE(
      Has(RenderGraph(*program, GraphFormat::kMermaid),
          "|\"if budget #gt; 5000 and budget #lt; 90000 and<br/>set(name) and set(email)\"|"));
}

TEST(GraphRenderOtherTest, LeavesOutTheEndNodeWhenNothingEnds) {
  const ProgramPtr program = Load(Replace(kOtherSteps, "ask budget \"Budget?\"",
                                          "ask budget \"Budget?\"\n    retries 3 -> bye"));
  ASSERT_NE(program, nullptr);
  const std::string dot = RenderGraph(*program, GraphFormat::kDot);
  EXPECT_FALSE(Has(dot, "@end")) << dot;
  const std::string mermaid = RenderGraph(*program, GraphFormat::kMermaid);
  EXPECT_FALSE(Has(mermaid, "flow_end")) << mermaid;
}

}  // namespace
}  // namespace consentflow::dsl
