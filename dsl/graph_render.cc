#include "dsl/graph_render.h"

#include <charconv>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/value_text.h"

namespace consentflow::dsl {
namespace {

// The renderer first builds a format-free graph (nodes with label lines, edges with a kind),
// then one writer per format spells it. Labels stay unescaped until the writer, so each format
// escapes exactly once, line by line.

enum class NodeKind { kPlain, kConsent, kCapture, kHandoff, kEnd, kEntry, kTerminal, kAnyPoint };
enum class EdgeKind { kPlain, kAccepted, kDeclined, kUnhappy, kHandler };

struct Node {
  NodeKind kind = NodeKind::kPlain;
  std::string state;               // the state's name; empty for pseudo-nodes
  std::vector<std::string> lines;  // the label, one element per line
};

struct Edge {
  std::size_t from = 0;  // indices into Graph::nodes
  std::size_t to = 0;
  EdgeKind kind = EdgeKind::kPlain;
  std::string label;  // empty: no label
  int options = -1;   // the options of one choose/call/consent step share a number
};

// Nodes 0..n-1 are the states in file order; then the three pseudo-nodes.
struct Graph {
  std::string title;
  std::vector<Node> nodes;
  std::vector<Edge> edges;
  std::size_t entry = 0;
  std::size_t any_point = 0;
  std::size_t terminal = 0;
  bool terminal_used = false;
};

// Summary lines and edge labels are wrapped at about this many characters (bytes, which is
// close enough for layout) so nodes and labels stay narrow.
constexpr std::size_t kWrapWidth = 40;

// `text` broken into lines at spaces, each at most kWrapWidth unless a word is longer.
std::vector<std::string> Wrap(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.size();
    if (end - begin > kWrapWidth) {
      const std::size_t space = text.rfind(' ', begin + kWrapWidth);
      if (space != std::string_view::npos && space > begin) {
        end = space;
      } else {
        end = text.find(' ', begin + kWrapWidth);
        if (end == std::string_view::npos) end = text.size();
      }
    }
    lines.emplace_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

std::string FieldName(const Program& program, FieldId field) {
  return field < program.fields.size() ? program.fields[field].id : "?";
}

std::string Quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

std::string QuotedList(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words) {
    if (!out.empty()) out += ", ";
    out += Quoted(word);
  }
  return out;
}

// Binding strength in `if` conditions, to put back only the parentheses that matter.
int Precedence(ast::ExprKind kind) {
  switch (kind) {
    case ast::ExprKind::kOr:
      return 1;
    case ast::ExprKind::kAnd:
      return 2;
    case ast::ExprKind::kNot:
      return 3;
    case ast::ExprKind::kCompare:
      return 4;
    default:
      return 5;
  }
}

std::string ConditionText(const Program& program, const Condition& condition, int context);

std::string Operand(const Program& program, const Condition& condition, std::size_t index,
                    int context) {
  if (index >= condition.operands.size()) return "?";
  return ConditionText(program, condition.operands[index], context);
}

// The condition as the flow's author would write it. `context` is the precedence the
// surrounding operator requires; weaker sub-expressions get parentheses.
std::string ConditionText(const Program& program, const Condition& condition, int context) {
  std::string text;
  switch (condition.kind) {
    case ast::ExprKind::kField:
      return FieldName(program, condition.field);
    case ast::ExprKind::kString:
      return Quoted(condition.text);
    case ast::ExprKind::kNumber:
      return FormatNumber(condition.number);
    case ast::ExprKind::kBool:
      return condition.boolean ? "true" : "false";
    case ast::ExprKind::kSet:
      return "set(" + FieldName(program, condition.field) + ")";
    case ast::ExprKind::kNot:
      text = "not " + Operand(program, condition, 0, 3);
      break;
    case ast::ExprKind::kAnd:
      text = Operand(program, condition, 0, 2) + " and " + Operand(program, condition, 1, 3);
      break;
    case ast::ExprKind::kOr:
      text = Operand(program, condition, 0, 1) + " or " + Operand(program, condition, 1, 2);
      break;
    case ast::ExprKind::kCompare:
      text = Operand(program, condition, 0, 5) + " " + ast::CompareOpSpelling(condition.op) + " " +
             Operand(program, condition, 1, 5);
      break;
  }
  return Precedence(condition.kind) < context ? "(" + text + ")" : text;
}

// What a step does, in a few words; empty for steps that only jump (their edges say it).
std::string StepSummary(const Program& program, const Step& step) {
  switch (step.kind) {
    case ast::StepKind::kSay:
      return "say";
    case ast::StepKind::kAsk:
      return "ask " + FieldName(program, step.field);
    case ast::StepKind::kChoose:
      return step.field == kNoField ? "choose" : "choose " + FieldName(program, step.field);
    case ast::StepKind::kConsent:
      return "consent " +
             (step.notice < program.notices.size() ? program.notices[step.notice].id : "?");
    case ast::StepKind::kCall: {
      std::string text = "call " + step.hook;
      for (std::size_t i = 0; i < step.writes.size(); ++i) {
        text += (i == 0 ? " writes " : ", ") + FieldName(program, step.writes[i]);
      }
      return text;
    }
    case ast::StepKind::kHandoff: {
      std::string text = "handoff to " + step.queue;
      if (step.priority != ast::Priority::kNormal) {
        text += std::string(" (") + ast::PriorityName(step.priority) + ")";
      }
      return text;
    }
    case ast::StepKind::kEnd:
      return "end";
    case ast::StepKind::kIf:
    case ast::StepKind::kGoto:
      return "";
  }
  return "";
}

// The summary items of a state, repeats in a row folded ("say ×2"), wrapped into lines.
std::vector<std::string> SummaryLines(const Program& program, const ProgramState& state) {
  std::vector<std::string> items;
  std::string previous;
  int repeat = 0;
  auto flush = [&] {
    if (repeat == 0) return;
    items.push_back(repeat == 1 ? previous : previous + " ×" + std::to_string(repeat));
  };
  for (const Step& step : state.steps) {
    const std::string item = StepSummary(program, step);
    if (item.empty()) continue;
    if (item == previous) {
      ++repeat;
      continue;
    }
    flush();
    previous = item;
    repeat = 1;
  }
  flush();

  std::vector<std::string> lines;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const bool last = i + 1 == items.size();
    const std::string piece = items[i] + (last ? "" : ",");
    if (!lines.empty() && lines.back().size() + 1 + piece.size() <= kWrapWidth) {
      lines.back() += " " + piece;
    } else {
      lines.push_back(piece);
    }
  }
  return lines;
}

// The first that applies wins: consent, capture, handoff, end.
NodeKind StateKind(const ProgramState& state) {
  bool capture = false, handoff = false, end = false;
  for (const Step& step : state.steps) {
    switch (step.kind) {
      case ast::StepKind::kConsent:
        return NodeKind::kConsent;
      case ast::StepKind::kAsk:
        capture = true;
        break;
      case ast::StepKind::kChoose:
        capture = capture || step.field != kNoField;
        break;
      case ast::StepKind::kCall:
        capture = capture || !step.writes.empty();
        break;
      case ast::StepKind::kHandoff:
        handoff = true;
        break;
      case ast::StepKind::kEnd:
        end = true;
        break;
      default:
        break;
    }
  }
  if (capture) return NodeKind::kCapture;
  if (handoff) return NodeKind::kHandoff;
  if (end) return NodeKind::kEnd;
  return NodeKind::kPlain;
}

std::string EntryText(const EntryRule& entry) {
  switch (entry.kind) {
    case ast::EntryKind::kLink:
      return "link " + QuotedList(entry.values);
    case ast::EntryKind::kKeyword:
      return "keyword " + QuotedList(entry.values);
    case ast::EntryKind::kAd:
      return entry.values.empty() ? "ad" : "ad " + QuotedList(entry.values);
    case ast::EntryKind::kDefault:
      return "default";
  }
  return "default";
}

class GraphBuilder {
 public:
  explicit GraphBuilder(const Program& program) : program_(program) {}

  Graph Build() {
    graph_.title = program_.flow_id + " v" + std::to_string(program_.version);
    if (!program_.title.empty()) graph_.title += ": " + program_.title;
    for (const ProgramState& state : program_.states) {
      Node node{StateKind(state), state.id, {state.id}};
      for (std::string& line : SummaryLines(program_, state)) node.lines.push_back(line);
      graph_.nodes.push_back(std::move(node));
    }
    graph_.entry = AddPseudo(NodeKind::kEntry, {"entry"});
    for (const EntryRule& entry : program_.entries) {
      graph_.nodes[graph_.entry].lines.push_back(EntryText(entry));
    }
    graph_.any_point = AddPseudo(NodeKind::kAnyPoint, {"any point"});
    graph_.terminal = AddPseudo(NodeKind::kTerminal, {"end"});

    AddEdge(graph_.entry, program_.start, EdgeKind::kPlain, "");
    for (std::size_t i = 0; i < program_.states.size(); ++i) {
      for (const Step& step : program_.states[i].steps) AddStepEdges(i, step);
    }
    AddHandlerEdges();
    return std::move(graph_);
  }

 private:
  std::size_t AddPseudo(NodeKind kind, std::vector<std::string> lines) {
    graph_.nodes.push_back(Node{kind, "", std::move(lines)});
    return graph_.nodes.size() - 1;
  }

  // Parallel edges are folded to keep the picture readable: an edge that repeats one already
  // drawn (the default retries of several `ask`s) is dropped, and options of one step that
  // lead to the same state share an edge ("Small, Medium, Large").
  void AddEdge(std::size_t from, StateId target, EdgeKind kind, std::string label,
               int options = -1) {
    std::size_t to = graph_.terminal;
    if (target != kEndConversation && target < program_.states.size()) {
      to = target;
    } else {
      graph_.terminal_used = true;
    }
    for (Edge& edge : graph_.edges) {
      if (edge.from != from || edge.to != to || edge.kind != kind) continue;
      if (label.empty() || edge.label.empty()) continue;
      if (edge.label == label) return;
      if (options >= 0 && edge.options == options) {
        edge.label += ", " + label;
        return;
      }
    }
    graph_.edges.push_back(Edge{from, to, kind, std::move(label), options});
  }

  void AddOptionEdges(std::size_t from, const Step& step) {
    const int options = next_options_++;
    for (const ProgramOption& option : step.options) {
      AddEdge(from, option.target, EdgeKind::kPlain, option.title, options);
    }
  }

  void AddStepEdges(std::size_t from, const Step& step) {
    switch (step.kind) {
      case ast::StepKind::kAsk:
        if (step.timeout_seconds > 0) {
          AddEdge(from, step.timeout_target, EdgeKind::kUnhappy,
                  "timeout " + FormatDuration(step.timeout_seconds));
        }
        AddEdge(
            from, step.retries_target, EdgeKind::kUnhappy,
            "after " + std::to_string(step.retries) + (step.retries == 1 ? " retry" : " retries"));
        break;
      case ast::StepKind::kConsent:
        AddEdge(from, step.accepted, EdgeKind::kAccepted, "accepted");
        AddEdge(from, step.declined, EdgeKind::kDeclined, "declined");
        AddOptionEdges(from, step);
        break;
      case ast::StepKind::kChoose:
      case ast::StepKind::kCall:
        AddOptionEdges(from, step);
        break;
      case ast::StepKind::kIf:
        AddEdge(from, step.target, EdgeKind::kPlain,
                "if " + ConditionText(program_, step.condition, 0));
        break;
      case ast::StepKind::kGoto:
        AddEdge(from, step.target, EdgeKind::kPlain, "");
        break;
      case ast::StepKind::kSay:
      case ast::StepKind::kHandoff:
      case ast::StepKind::kEnd:
        break;
    }
  }

  void AddHandlerEdges() {
    for (const KeywordHandler& handler : program_.keyword_handlers) {
      AddEdge(graph_.any_point, handler.target, EdgeKind::kHandler,
              "on keyword " + QuotedList(handler.words));
    }
    if (program_.timeout_seconds > 0) {
      AddEdge(graph_.any_point, program_.timeout_target, EdgeKind::kHandler,
              "on timeout " + FormatDuration(program_.timeout_seconds));
    }
    // Withdrawal works everywhere even without a handler: the engine confirms and ends.
    AddEdge(graph_.any_point, program_.withdraw_target.value_or(kEndConversation),
            EdgeKind::kHandler, "on withdraw");
  }

  const Program& program_;
  Graph graph_;
  int next_options_ = 0;
};

bool Drawn(const Graph& graph, std::size_t node) {
  return node != graph.terminal || graph.terminal_used;
}

// ---- DOT ----

// Inside a DOT double-quoted string: `"` and `\` are escaped (a lone backslash would start an
// escString sequence like \N or \l), control characters become spaces, lines join with \n.
std::string DotLines(const std::vector<std::string>& lines) {
  std::string out = "\"";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += "\\n";
    for (char c : lines[i]) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        out += ' ';
      } else {
        out += c;
      }
    }
  }
  return out + '"';
}

std::string DotString(std::string_view text) { return DotLines({std::string(text)}); }

std::string DotId(const Graph& graph, std::size_t node) {
  if (node == graph.entry) return "\"@entry\"";
  if (node == graph.any_point) return "\"@any\"";
  if (node == graph.terminal) return "\"@end\"";
  return DotString(graph.nodes[node].state);
}

const char* DotNodeStyle(NodeKind kind) {
  switch (kind) {
    case NodeKind::kPlain:
      return "";
    case NodeKind::kConsent:
      return ", shape=doubleoctagon, style=filled, fillcolor=\"#c8e6c9\", color=\"#2e7d32\"";
    case NodeKind::kCapture:
      return ", fillcolor=\"#bbdefb\", color=\"#1565c0\"";
    case NodeKind::kHandoff:
      return ", shape=house, style=filled, fillcolor=\"#ffe0b2\", color=\"#e65100\"";
    case NodeKind::kEnd:
      return ", peripheries=2, fillcolor=\"#e0e0e0\", color=\"#616161\"";
    case NodeKind::kEntry:
      return ", shape=note, style=filled, fillcolor=\"#fff9c4\", color=\"#f9a825\"";
    case NodeKind::kTerminal:
      return ", shape=doublecircle, style=filled, fillcolor=\"#9e9e9e\", color=\"#424242\", "
             "fontcolor=\"#ffffff\"";
    case NodeKind::kAnyPoint:
      return ", shape=circle, style=\"filled,dashed\", fillcolor=\"#f3e5f5\", "
             "color=\"#6a1b9a\", fontsize=9";
  }
  return "";
}

const char* DotEdgeStyle(EdgeKind kind) {
  switch (kind) {
    case EdgeKind::kPlain:
      return "";
    case EdgeKind::kAccepted:
      return ", color=\"#2e7d32\", fontcolor=\"#2e7d32\", style=bold, penwidth=2";
    case EdgeKind::kDeclined:
      return ", color=\"#c62828\", fontcolor=\"#c62828\", style=dashed";
    case EdgeKind::kUnhappy:
      return ", color=\"#9e9e9e\", fontcolor=\"#757575\", style=dotted";
    case EdgeKind::kHandler:
      return ", color=\"#6a1b9a\", fontcolor=\"#6a1b9a\", style=dashed";
  }
  return "";
}

std::string WriteDot(const Program& program, const Graph& graph) {
  std::string out = "digraph " + DotString(program.flow_id) + " {\n";
  out += "  graph [label=" + DotString(graph.title) +
         ", labelloc=t, fontname=\"Helvetica\", fontsize=16, rankdir=TB, nodesep=0.35, "
         "ranksep=0.5];\n";
  out +=
      "  node [fontname=\"Helvetica\", fontsize=11, shape=box, style=\"rounded,filled\", "
      "fillcolor=\"#ffffff\", color=\"#424242\"];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=10, color=\"#424242\"];\n";
  // The two ways into the conversation sit side by side at the top.
  out += "  { rank=source; " + DotId(graph, graph.entry) + "; " + DotId(graph, graph.any_point) +
         "; }\n\n";
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    if (!Drawn(graph, i)) continue;
    out += "  " + DotId(graph, i) + " [label=" + DotLines(graph.nodes[i].lines) +
           DotNodeStyle(graph.nodes[i].kind) + "];\n";
  }
  out += "\n";
  for (const Edge& edge : graph.edges) {
    std::string attributes;
    if (!edge.label.empty()) attributes = "label=" + DotLines(Wrap(edge.label));
    attributes += DotEdgeStyle(edge.kind);
    if (attributes.starts_with(", ")) attributes.erase(0, 2);
    out += "  " + DotId(graph, edge.from) + " -> " + DotId(graph, edge.to);
    out += attributes.empty() ? ";\n" : " [" + attributes + "];\n";
  }
  return out + "}\n";
}

// ---- Mermaid ----

// One label line inside Mermaid's `"..."`. Mermaid decodes `#name;` / `#code;` entities, renders
// labels as HTML, and ends an edge label at `|`; so the characters that would end the string,
// start an entity or a tag, or end the label are written as entities, and a backtick (which
// would start a Markdown string) too.
std::string MermaidLine(std::string_view line) {
  std::string out;
  for (char c : line) {
    switch (c) {
      case '"':
        out += "#quot;";
        break;
      case '#':
        out += "#35;";
        break;
      case '&':
        out += "#amp;";
        break;
      case '<':
        out += "#lt;";
        break;
      case '>':
        out += "#gt;";
        break;
      case '|':
        out += "#124;";
        break;
      case '`':
        out += "#96;";
        break;
      default:
        out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    }
  }
  return out;
}

std::string MermaidString(const std::vector<std::string>& lines) {
  std::string out = "\"";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += "<br/>";
    out += MermaidLine(lines[i]);
  }
  return out + '"';
}

std::string MermaidId(const Graph& graph, std::size_t node) {
  if (node == graph.entry) return "flow_entry";
  if (node == graph.any_point) return "any_point";
  if (node == graph.terminal) return "flow_end";
  return "s_" + graph.nodes[node].state;
}

// Shapes: consent a subroutine box, capture a parallelogram (the flowchart symbol for input),
// handoff a hexagon, end a stadium (the flowchart terminator), plain a rectangle.
std::string MermaidNode(const Graph& graph, std::size_t node) {
  const std::string label = MermaidString(graph.nodes[node].lines);
  const std::string id = MermaidId(graph, node);
  switch (graph.nodes[node].kind) {
    case NodeKind::kPlain:
      return id + "[" + label + "]";
    case NodeKind::kConsent:
      return id + "[[" + label + "]]";
    case NodeKind::kCapture:
      return id + "[/" + label + "/]";
    case NodeKind::kHandoff:
      return id + "{{" + label + "}}";
    case NodeKind::kEnd:
      return id + "([" + label + "])";
    case NodeKind::kEntry:
      return id + ">" + label + "]";
    case NodeKind::kTerminal:
      return id + "(((" + label + ")))";
    case NodeKind::kAnyPoint:
      return id + "((" + label + "))";
  }
  return id + "[" + label + "]";
}

struct MermaidClass {
  NodeKind kind;
  const char* name;  // never `end`: Mermaid reserves it
  const char* style;
};

constexpr MermaidClass kMermaidClasses[] = {
    {NodeKind::kConsent, "cf_consent", "fill:#c8e6c9,stroke:#2e7d32,stroke-width:2px"},
    {NodeKind::kCapture, "cf_capture", "fill:#bbdefb,stroke:#1565c0"},
    {NodeKind::kHandoff, "cf_handoff", "fill:#ffe0b2,stroke:#e65100"},
    {NodeKind::kEnd, "cf_end", "fill:#e0e0e0,stroke:#616161"},
    {NodeKind::kEntry, "cf_entry", "fill:#fff9c4,stroke:#f9a825"},
    {NodeKind::kTerminal, "cf_terminal", "fill:#9e9e9e,stroke:#424242,color:#ffffff"},
    {NodeKind::kAnyPoint, "cf_any", "fill:#f3e5f5,stroke:#6a1b9a,stroke-dasharray:4 3"},
};

struct MermaidLinkStyle {
  EdgeKind kind;
  const char* style;
};

constexpr MermaidLinkStyle kMermaidLinkStyles[] = {
    {EdgeKind::kAccepted, "stroke:#2e7d32,stroke-width:3px,color:#2e7d32"},
    {EdgeKind::kDeclined, "stroke:#c62828,color:#c62828"},
    {EdgeKind::kUnhappy, "stroke:#9e9e9e,color:#757575"},
    {EdgeKind::kHandler, "stroke:#6a1b9a,color:#6a1b9a"},
};

// Accepted edges are thick, declined, unhappy and handler edges dotted; colour comes from
// linkStyle, which addresses edges by their position in the output.
const char* MermaidArrow(EdgeKind kind) {
  switch (kind) {
    case EdgeKind::kPlain:
      return "-->";
    case EdgeKind::kAccepted:
      return "==>";
    case EdgeKind::kDeclined:
    case EdgeKind::kUnhappy:
    case EdgeKind::kHandler:
      return "-.->";
  }
  return "-->";
}

std::string WriteMermaid(const Graph& graph) {
  std::string out = "flowchart TD\n";
  out += "  %% " + MermaidLine(graph.title) + "\n";
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    if (Drawn(graph, i)) out += "  " + MermaidNode(graph, i) + "\n";
  }
  for (const Edge& edge : graph.edges) {
    // Appended piece by piece: `"literal" + std::string` trips g++ 12's -Wrestrict at -O2
    // (GCC bug 105651).
    out += "  ";
    out += MermaidId(graph, edge.from);
    out += ' ';
    out += MermaidArrow(edge.kind);
    if (!edge.label.empty()) {
      out += '|';
      out += MermaidString(Wrap(edge.label));
      out += '|';
    }
    out += ' ';
    out += MermaidId(graph, edge.to);
    out += '\n';
  }
  for (const MermaidClass& mermaid_class : kMermaidClasses) {
    std::string members;
    for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
      if (graph.nodes[i].kind != mermaid_class.kind || !Drawn(graph, i)) continue;
      if (!members.empty()) members += ',';
      members += MermaidId(graph, i);
    }
    if (members.empty()) continue;
    out += std::string("  classDef ") + mermaid_class.name + " " + mermaid_class.style + "\n";
    out += "  class " + members + " " + mermaid_class.name + "\n";
  }
  for (const MermaidLinkStyle& link_style : kMermaidLinkStyles) {
    std::string indices;
    for (std::size_t i = 0; i < graph.edges.size(); ++i) {
      if (graph.edges[i].kind != link_style.kind) continue;
      if (!indices.empty()) indices += ',';
      indices += std::to_string(i);
    }
    if (!indices.empty()) out += "  linkStyle " + indices + " " + link_style.style + "\n";
  }
  return out;
}

}  // namespace

std::string RenderGraph(const Program& program, GraphFormat format) {
  const Graph graph = GraphBuilder(program).Build();
  return format == GraphFormat::kDot ? WriteDot(program, graph) : WriteMermaid(graph);
}

}  // namespace consentflow::dsl
