#pragma once

// RenderGraph(): the state graph of a compiled flow, drawn for the people who write and review
// flows (marketers, a data-protection officer), as Graphviz DOT or as a Mermaid flowchart.
//
// What the picture shows:
// - one node per state, labelled with the state's name and a short summary of its steps
//   ("ask name, ask email, choose interest"); jumps and conditions are edges, not summary items;
// - the node's look says what the state does to personal data and to the conversation, the
//   first that applies winning: a consent step (green double octagon / green hexagon), a capture
//   (an `ask` or `choose` into a field, or a `call` that writes fields: blue), a handoff to a
//   human (orange house / flag), an `end` (grey, doubled border / stadium), anything else plain;
// - a pseudo-node "entry" listing the entry rules, pointing at `start`;
// - a pseudo-node "end" for every branch that ends the conversation (kEndConversation), drawn
//   only when some edge reaches it;
// - a pseudo-node "any point" whose edges are the global handlers: `on keyword "agent"`,
//   `on timeout 2 h`, `on withdraw` (drawn to "end" when the flow has no withdraw handler, since
//   the engine then confirms and ends);
// - edges labelled by what takes them: "accepted" (bold green) and "declined" (dashed red),
//   option titles, call outcomes, "if budget > 5000", "after 3 retries", "timeout 2 h"; plain
//   jumps carry no label. Retry and timeout edges are dotted grey: they are the unhappy path.
//   Parallel edges are folded: a repeat of an edge already drawn is left out, and options of one
//   step that lead to the same state share one edge ("Small, Medium, Large"). Long labels wrap.
//
// Every label is escaped for its format, so any flow text is safe to render. The output depends
// only on the Program (states, steps and handlers in file order): the same Program gives the
// same bytes.
//
// DOT output starts with `digraph "<flow_id>" {` and uses rankdir=TB; Mermaid output starts with
// `flowchart TD`. State node ids are `s_<state>` in Mermaid (state names are identifiers, and the
// prefix keeps Mermaid's reserved word `end` and its `o`/`x` edge endings away) and the quoted
// state name in DOT; pseudo-nodes use ids that no state can have.

#include <string>

#include "dsl/program.h"

namespace consentflow::dsl {

enum class GraphFormat { kDot, kMermaid };

// REQUIRES: `program` came from Compile() (every StateId is a state index or kEndConversation).
std::string RenderGraph(const Program& program, GraphFormat format);

}  // namespace consentflow::dsl
