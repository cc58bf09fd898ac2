// The state graph: states that run off their end, steps that never run, unreachable states,
// the consent proof, and `{x}` of fields that may be unset.
//
// Every step is a node. Edges carry what happens when they are taken: accepting a notice grants
// its purposes; a successful `ask` and a `choose` option store their field. The entry points
// ("roots") are `start` and the target of every `on ...` handler, which can fire at any moment,
// so they are entered with nothing consented to and nothing stored.
//
// The consent proof is a must-analysis: purpose P is granted at a step when every path from a
// root to it passes through an accepted consent whose notice grants P. Equivalently, P is NOT
// granted at a step when the step can be reached from a root without taking such an edge; one
// breadth-first search per purpose over the graph minus those edges decides it exactly (loops
// included) and its parent links give a shortest offending path.

#include <algorithm>
#include <deque>
#include <optional>

#include "dsl/check_context.h"

namespace consentflow::dsl {
namespace {

using ast::StepKind;
constexpr uint32_t kNone = UINT32_MAX;

struct Edge {
  uint32_t to = kNone;
  int notice = -1;      // accepting this notice happens on this edge
  int sets_field = -1;  // this field is stored on this edge
  int declines = -1;    // this edge is taken when this notice is declined
  enum class Via : uint8_t { kStep, kRetries, kTimeout } via = Via::kStep;
};

struct Site {
  int field = -1;
  Location location;
};

struct Root {
  uint32_t node = kNone;
  std::string label;  // "start", "on keyword \"agent\""
};

class Graph {
 public:
  explicit Graph(CheckContext& cx) : cx_(cx) {
    const auto& states = cx.flow().states;
    for (std::size_t i = 0; i < cx.flow().fields.size(); ++i) field_index_[cx.flow().fields[i].id.name] = static_cast<int>(i);
    for (std::size_t i = 0; i < cx.flow().notices.size(); ++i) notice_index_[cx.flow().notices[i].id.name] = static_cast<int>(i);
    for (std::size_t s = 0; s < states.size(); ++s) {
      first_node_.push_back(states[s].steps.empty() ? kNone : static_cast<uint32_t>(state_of_.size()));
      for (std::size_t i = 0; i < states[s].steps.size(); ++i) {
        state_of_.push_back(static_cast<uint32_t>(s));
        step_of_.push_back(&states[s].steps[i]);
      }
    }
    edges_.resize(state_of_.size());
    stores_.resize(state_of_.size());
    references_.resize(state_of_.size());
    for (uint32_t n = 0; n < state_of_.size(); ++n) AddStep(n);
    AddRoots();
  }

  std::size_t size() const { return state_of_.size(); }
  const std::vector<Edge>& EdgesOf(uint32_t n) const { return edges_[n]; }
  const std::vector<Site>& StoresAt(uint32_t n) const { return stores_[n]; }
  const std::vector<Site>& ReferencesAt(uint32_t n) const { return references_[n]; }
  const std::vector<Root>& roots() const { return roots_; }
  uint32_t FirstNode(std::size_t state) const { return first_node_[state]; }
  uint32_t StateOf(uint32_t n) const { return state_of_[n]; }

  // Breadth-first search from every root, not taking the edges `skip` rejects. For each node,
  // `parent` is the node it was first reached from (a root is its own parent; kNone: not
  // reached) and `edge` the edge taken to get there.
  struct Trace {
    std::vector<uint32_t> parent;
    std::vector<const Edge*> edge;
    bool Reached(uint32_t n) const { return parent[n] != kNone; }
  };
  template <typename Skip>
  Trace Search(Skip skip) const {
    Trace trace{std::vector<uint32_t>(size(), kNone), std::vector<const Edge*>(size(), nullptr)};
    std::deque<uint32_t> queue;
    for (const Root& root : roots_) {
      if (trace.Reached(root.node)) continue;
      trace.parent[root.node] = root.node;
      queue.push_back(root.node);
    }
    while (!queue.empty()) {
      const uint32_t n = queue.front();
      queue.pop_front();
      for (const Edge& e : edges_[n]) {
        if (trace.Reached(e.to) || skip(e)) continue;
        trace.parent[e.to] = n;
        trace.edge[e.to] = &e;
        queue.push_back(e.to);
      }
    }
    return trace;
  }

  // "start -> details -> ski", "on keyword \"agent\" -> talk_to_human", and where a consent
  // was declined on the way: "start (privacy declined) -> ask_mood".
  std::string PathTo(uint32_t n, const Trace& trace) const {
    std::vector<uint32_t> nodes;
    for (uint32_t at = n;; at = trace.parent[at]) {
      nodes.push_back(at);
      if (trace.parent[at] == at) break;
    }
    std::reverse(nodes.begin(), nodes.end());
    std::string path;
    for (const Root& root : roots_) {
      if (root.node == nodes.front() && root.label != "start") path = root.label + " -> ";
    }
    path += cx_.flow().states[state_of_[nodes.front()]].id.name;
    for (std::size_t i = 1; i < nodes.size(); ++i) {
      const Edge& e = *trace.edge[nodes[i]];
      if (e.declines >= 0) path += " (" + cx_.flow().notices[e.declines].id.name + " declined)";
      if (e.via == Edge::Via::kRetries) path += " (retries used up)";
      if (e.via == Edge::Via::kTimeout) path += " (no answer in time)";
      if (state_of_[nodes[i]] != state_of_[nodes[i - 1]] || nodes[i] <= nodes[i - 1]) {
        path += " -> " + cx_.flow().states[state_of_[nodes[i]]].id.name;
      }
    }
    return path;
  }

  int FieldIndex(std::string_view name) const {
    const auto it = field_index_.find(std::string(name));
    return it == field_index_.end() ? -1 : it->second;
  }
  int NoticeIndex(std::string_view name) const {
    const auto it = notice_index_.find(std::string(name));
    return it == notice_index_.end() ? -1 : it->second;
  }

 private:
  uint32_t Entry(const ast::Identifier& target) const {
    if (IsEndTarget(target)) return kNone;
    const int s = cx_.StateIndex(target.name);
    return s < 0 ? kNone : first_node_[s];
  }

  void Link(uint32_t from, uint32_t to, int notice = -1, int sets_field = -1, int declines = -1) {
    if (to != kNone) edges_[from].push_back(Edge{to, notice, sets_field, declines});
  }
  void Link(uint32_t from, uint32_t to, Edge::Via via) {
    if (to != kNone) edges_[from].push_back(Edge{to, -1, -1, -1, via});
  }

  void Reference(uint32_t n, const ast::Text& text) {
    for (const ast::TextPart& part : text.parts) {
      const int field = part.is_reference ? FieldIndex(part.value) : -1;
      if (field >= 0) references_[n].push_back(Site{field, part.location});
    }
  }

  void AddStep(uint32_t n) {
    const ast::Step& step = *step_of_[n];
    const bool has_next = n + 1 < state_of_.size() && state_of_[n + 1] == state_of_[n];
    const uint32_t next = has_next ? n + 1 : kNone;
    const int field = step.field ? FieldIndex(step.field->name) : -1;
    Reference(n, step.text);
    if (step.invalid) Reference(n, *step.invalid);
    switch (step.kind) {
      case StepKind::kSay:
        Link(n, next);
        break;
      case StepKind::kAsk:
        if (field >= 0) stores_[n].push_back(Site{field, step.field->location});
        Link(n, next, -1, field);
        if (step.retries_target) Link(n, Entry(*step.retries_target), Edge::Via::kRetries);
        if (step.timeout_target) Link(n, Entry(*step.timeout_target), Edge::Via::kTimeout);
        break;
      case StepKind::kChoose:
        if (field >= 0) stores_[n].push_back(Site{field, step.field->location});
        for (const ast::Option& option : step.options) Link(n, Entry(option.target), -1, field);
        break;
      case StepKind::kConsent: {
        const int notice = NoticeIndex(step.notice.name);
        if (notice >= 0 && cx_.flow().notices[notice].text) Reference(n, *cx_.flow().notices[notice].text);
        if (step.accepted) Link(n, Entry(*step.accepted), notice);
        if (step.declined) Link(n, Entry(*step.declined), -1, -1, notice);
        for (const ast::Option& option : step.options) Link(n, Entry(option.target));
        break;
      }
      case StepKind::kCall:
        for (const ast::Identifier& w : step.writes) {
          const int written = FieldIndex(w.name);
          if (written >= 0) stores_[n].push_back(Site{written, w.location});
        }
        for (const ast::Option& option : step.options) Link(n, Entry(option.target));
        Link(n, next);
        break;
      case StepKind::kIf:
        Link(n, Entry(step.target));
        Link(n, next);
        break;
      case StepKind::kGoto:
        Link(n, Entry(step.target));
        break;
      case StepKind::kHandoff:
      case StepKind::kEnd:
        break;
    }
  }

  void AddRoots() {
    const int start = cx_.StateIndex("start");
    if (start >= 0 && first_node_[start] != kNone) roots_.push_back(Root{first_node_[start], "start"});
    for (const ast::Handler& handler : cx_.flow().handlers) {
      const uint32_t node = Entry(handler.target);
      if (node == kNone) continue;
      std::string label = "on ";
      switch (handler.kind) {
        case ast::HandlerKind::kKeyword:
          label += "keyword \"" + (handler.words.empty() ? std::string() : handler.words[0].value) + "\"";
          break;
        case ast::HandlerKind::kTimeout: label += "timeout"; break;
        case ast::HandlerKind::kWithdraw: label += "withdraw"; break;
      }
      roots_.push_back(Root{node, label});
    }
  }

  CheckContext& cx_;
  std::unordered_map<std::string, int> field_index_, notice_index_;
  std::vector<uint32_t> first_node_;  // per state
  std::vector<uint32_t> state_of_;    // per node
  std::vector<const ast::Step*> step_of_;
  std::vector<std::vector<Edge>> edges_;
  std::vector<std::vector<Site>> stores_;
  std::vector<std::vector<Site>> references_;
  std::vector<Root> roots_;
};

bool LeavesState(StepKind kind) {
  return kind == StepKind::kGoto || kind == StepKind::kEnd || kind == StepKind::kHandoff ||
         kind == StepKind::kConsent || kind == StepKind::kChoose;
}

// A state must leave by itself: its last step jumps, ends, hands off or branches on every answer.
void CheckStateEnds(CheckContext& cx) {
  for (const ast::State& state : cx.flow().states) {
    if (state.steps.empty()) {
      cx.Error(state.id.location, "empty-state",
               "state '" + state.id.name + "' has no steps; give it at least '-> STATE' or 'end'");
      continue;
    }
    bool leaves = false;
    for (std::size_t i = 0; i < state.steps.size(); ++i) {
      if (!LeavesState(state.steps[i].kind)) continue;
      leaves = true;
      if (i + 1 == state.steps.size()) break;
      Diagnostic& d = cx.Warning(state.steps[i + 1].location, "unreachable-step",
                                 "this step never runs: the step before it always leaves the state");
      CheckContext::AddNote(d, state.steps[i].location, "the conversation leaves the state here");
      break;
    }
    const ast::Step& last = state.steps.back();
    if (!leaves) {
      cx.Error(last.location, "falls-off-end",
               "state '" + state.id.name + "' can run off its end after this '" +
                   ast::StepKindName(last.kind) +
                   "' step; finish it with '-> STATE', 'end' or 'handoff QUEUE'");
    }
  }
}

void CheckReachable(CheckContext& cx, const Graph& graph) {
  const Graph::Trace trace = graph.Search([](const Edge&) { return false; });
  const auto& states = cx.flow().states;
  for (std::size_t s = 0; s < states.size(); ++s) {
    const uint32_t node = graph.FirstNode(s);
    if (node == kNone || trace.Reached(node)) continue;
    cx.Warning(states[s].id.location, "unreachable-state",
               "state '" + states[s].id.name + "' is never reached from 'start' or a handler");
  }
}

// For each purpose, every store of a field for it must be behind an accepted notice granting it.
void CheckConsentProof(CheckContext& cx, const Graph& graph) {
  const ast::Flow& flow = cx.flow();
  for (const ast::Purpose& purpose : flow.purposes) {
    std::vector<bool> grants(flow.notices.size(), false);
    bool granted_anywhere = false;
    for (std::size_t i = 0; i < flow.notices.size(); ++i) {
      for (const ast::Identifier& g : flow.notices[i].grants) {
        if (g.name == purpose.id.name) grants[i] = granted_anywhere = true;
      }
    }
    // No notice grants it at all: reported once, on the field (check_usage.cc).
    if (!granted_anywhere) continue;
    const Graph::Trace trace =
        graph.Search([&](const Edge& e) { return e.notice >= 0 && grants[e.notice]; });
    for (uint32_t n = 0; n < graph.size(); ++n) {
      if (!trace.Reached(n)) continue;
      for (const Site& store : graph.StoresAt(n)) {
        const ast::Field& field = flow.fields[store.field];
        if (field.purpose.name != purpose.id.name) continue;
        Diagnostic& d = cx.Error(
            store.location, "consent-before-capture",
            "field '" + field.id.name + "' (purpose '" + purpose.id.name +
                "') may be stored before the person has accepted a notice that grants '" +
                purpose.id.name + "'; none is accepted on the path " + graph.PathTo(n, trace));
        for (std::size_t i = 0; i < flow.notices.size(); ++i) {
          if (!grants[i]) continue;
          CheckContext::AddNote(d, flow.notices[i].id.location,
                                "notice '" + flow.notices[i].id.name + "' grants '" + purpose.id.name +
                                    "': ask 'consent " + flow.notices[i].id.name +
                                    "' on every path before this step");
        }
      }
    }
  }
}

// `{x}` where some path reaches the text without storing x first.
void CheckMaybeUnset(CheckContext& cx, const Graph& graph) {
  std::vector<bool> referenced(cx.flow().fields.size(), false);
  for (uint32_t n = 0; n < graph.size(); ++n) {
    for (const Site& site : graph.ReferencesAt(n)) referenced[site.field] = true;
  }
  for (std::size_t f = 0; f < referenced.size(); ++f) {
    if (!referenced[f]) continue;
    const int field = static_cast<int>(f);
    const Graph::Trace trace = graph.Search([&](const Edge& e) { return e.sets_field == field; });
    for (uint32_t n = 0; n < graph.size(); ++n) {
      if (!trace.Reached(n)) continue;
      for (const Site& site : graph.ReferencesAt(n)) {
        if (site.field != field) continue;
        cx.Warning(site.location, "maybe-unset",
                   "{" + cx.flow().fields[f].id.name + "} may be empty here: nothing stores it on "
                   "the path " + graph.PathTo(n, trace));
      }
    }
  }
}

}  // namespace

void CheckGraph(CheckContext& cx) {
  CheckStateEnds(cx);
  const Graph graph(cx);
  CheckReachable(cx, graph);
  CheckConsentProof(cx, graph);
  CheckMaybeUnset(cx, graph);
}

}  // namespace consentflow::dsl
