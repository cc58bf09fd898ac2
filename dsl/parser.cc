#include "dsl/parser.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "dsl/edit_distance.h"
#include "dsl/grammar.h"
#include "dsl/grammar_errors.h"
#include "dsl/parsed_line.h"
#include "dsl/string_decode.h"

namespace consentflow::dsl {
namespace {

namespace pg = tao::pegtl;
namespace g = grammar;
using ast::Expr;
using ast::ExprKind;

struct ParserState {
  const SourceFile* source = nullptr;
  ParseLimits limits;
  ParsedLine current;
  std::vector<ParsedLine> lines;
  std::vector<Expr> operands;
  std::vector<ast::CompareOp> operators;
  std::size_t depth = 0;
  int64_t duration_amount = 0;
  int64_t unit_seconds = 1;
  Diagnostics diagnostics;

  void ResetLine() {
    current = ParsedLine{};
    operands.clear();
    operators.clear();
    depth = 0;
  }
  void Error(Location at, std::string code, std::string message) {
    diagnostics.push_back(Diagnostic{Severity::kError, at, std::move(code), std::move(message), {}});
  }
};

template <typename Input>
Location At(const Input& in) {
  const auto p = in.position();
  return Location{static_cast<uint32_t>(p.line), static_cast<uint32_t>(p.column)};
}

std::string Lowered(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

template <typename Input>
ast::Identifier Name(const Input& in, ParserState& st) {
  ast::Identifier id{in.string(), At(in)};
  if (std::any_of(id.name.begin(), id.name.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    st.Error(id.location, "uppercase-name",
             "names use lower-case letters, digits and '_': write '" + Lowered(id.name) + "'");
  }
  return id;
}

template <typename Input>
ast::Number ParseNumber(const Input& in, ParserState& st) {
  ast::Number n{0, in.string(), At(in)};
  const char* begin = n.spelled.data();
  const char* end = begin + n.spelled.size();
  const auto [ptr, ec] = std::from_chars(begin, end, n.value);
  if (ec != std::errc() || ptr != end) st.Error(n.location, "number-too-large", "this number is too large");
  return n;
}

template <typename Input>
RawString Raw(const Input& in) {
  return RawString{std::string_view(in.begin(), in.size()), At(in)};
}

// ---------------------------------------------------------------- actions
template <typename Rule>
struct action : pg::nothing<Rule> {};

// A rule whose match sets the item kind of the line.
template <ItemKind K>
struct set_kind {
  template <typename Input>
  static void apply(const Input&, ParserState& st) { st.current.kind = K; }
};
template <> struct action<g::flow_decl> : set_kind<ItemKind::kFlow> {};
template <> struct action<g::version_decl> : set_kind<ItemKind::kVersion> {};
template <> struct action<g::entry_decl> : set_kind<ItemKind::kEntry> {};
template <> struct action<g::hooks_decl> : set_kind<ItemKind::kHooks> {};
template <> struct action<g::purpose_decl> : set_kind<ItemKind::kPurpose> {};
template <> struct action<g::notice_decl> : set_kind<ItemKind::kNotice> {};
template <> struct action<g::field_decl> : set_kind<ItemKind::kField> {};
template <> struct action<g::on_decl> : set_kind<ItemKind::kOn> {};
template <> struct action<g::state_decl> : set_kind<ItemKind::kState> {};
template <> struct action<g::notice_text_line> : set_kind<ItemKind::kNoticeText> {};
template <> struct action<g::grants_line> : set_kind<ItemKind::kGrants> {};
template <> struct action<g::accept_line> : set_kind<ItemKind::kAccept> {};
template <> struct action<g::decline_line> : set_kind<ItemKind::kDecline> {};
template <> struct action<g::say_step> : set_kind<ItemKind::kSay> {};
template <> struct action<g::ask_step> : set_kind<ItemKind::kAsk> {};
template <> struct action<g::choose_step> : set_kind<ItemKind::kChoose> {};
template <> struct action<g::consent_step> : set_kind<ItemKind::kConsent> {};
template <> struct action<g::call_step> : set_kind<ItemKind::kCall> {};
template <> struct action<g::if_step> : set_kind<ItemKind::kIf> {};
template <> struct action<g::goto_step> : set_kind<ItemKind::kGoto> {};
template <> struct action<g::handoff_step> : set_kind<ItemKind::kHandoff> {};
template <> struct action<g::end_step> : set_kind<ItemKind::kEnd> {};
template <> struct action<g::invalid_branch> : set_kind<ItemKind::kInvalid> {};
template <> struct action<g::retries_branch> : set_kind<ItemKind::kRetries> {};
template <> struct action<g::timeout_branch> : set_kind<ItemKind::kTimeout> {};
template <> struct action<g::accepted_branch> : set_kind<ItemKind::kAccepted> {};
template <> struct action<g::declined_branch> : set_kind<ItemKind::kDeclined> {};
template <> struct action<g::option_branch> : set_kind<ItemKind::kOption> {};

// Names.
struct set_name {
  template <typename Input>
  static void apply(const Input& in, ParserState& st) { st.current.name = Name(in, st); }
};
template <> struct action<g::flow_name> : set_name {};
template <> struct action<g::purpose_name> : set_name {};
template <> struct action<g::notice_name> : set_name {};
template <> struct action<g::field_name> : set_name {};
template <> struct action<g::state_name> : set_name {};
template <> struct action<g::ask_field> : set_name {};
template <> struct action<g::choose_field> : set_name {};
template <> struct action<g::consent_notice> : set_name {};
template <> struct action<g::hook_name> : set_name {};
template <> struct action<g::queue_name> : set_name {};

struct add_name {
  template <typename Input>
  static void apply(const Input& in, ParserState& st) { st.current.names.push_back(Name(in, st)); }
};
template <> struct action<g::field_purpose> : add_name {};
template <> struct action<g::granted_purpose> : add_name {};
template <> struct action<g::written_field> : add_name {};

template <> struct action<g::state_ref> {
  template <typename Input>
  static void apply(const Input& in, ParserState& st) { st.current.target = Name(in, st); }
};

// Strings, in the order they appear.
struct add_string {
  template <typename Input>
  static void apply(const Input& in, ParserState& st) { st.current.strings.push_back(Raw(in)); }
};
template <> struct action<g::flow_title> : add_string {};
template <> struct action<g::entry_code> : add_string {};
template <> struct action<g::word> : add_string {};
template <> struct action<g::ad_source> : add_string {};
template <> struct action<g::hooks_file> : add_string {};
template <> struct action<g::purpose_description> : add_string {};
template <> struct action<g::notice_text> : add_string {};
template <> struct action<g::accept_title> : add_string {};
template <> struct action<g::decline_title> : add_string {};
template <> struct action<g::say_text> : add_string {};
template <> struct action<g::question> : add_string {};
template <> struct action<g::note_text> : add_string {};
template <> struct action<g::invalid_text> : add_string {};
template <> struct action<g::option_title> : add_string {};

// Numbers.
struct add_number {
  template <typename Input>
  static void apply(const Input& in, ParserState& st) { st.current.numbers.push_back(ParseNumber(in, st)); }
};
template <> struct action<g::version_number> : add_number {};
template <> struct action<g::text_max> : add_number {};
template <> struct action<g::range_min> : add_number {};
template <> struct action<g::range_max> : add_number {};
template <> struct action<g::retries_count> : add_number {};
template <> struct action<g::notice_version> {
  template <typename Input>
  static void apply(const Input& in, ParserState& st) {
    ast::Number n{0, in.string(), At(in)};  // "v2"
    const std::string digits = n.spelled.substr(1);
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n.value);
    if (ec != std::errc() || ptr != digits.data() + digits.size()) {
      st.Error(n.location, "number-too-large", "this version number is too large");
    }
    st.current.numbers.push_back(n);
  }
};

// Durations: amount, unit, then the whole.
template <> struct action<g::duration_amount> {
  template <typename Input>
  static void apply(const Input& in, ParserState& st) {
    const std::string s = in.string();
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), st.duration_amount);
    if (ec != std::errc() || ptr != s.data() + s.size()) {
      st.Error(At(in), "number-too-large", "this duration is too long");
      st.duration_amount = 0;
    }
  }
};
template <int64_t Seconds>
struct set_unit {
  template <typename Input>
  static void apply(const Input&, ParserState& st) { st.unit_seconds = Seconds; }
};
template <> struct action<g::unit_seconds> : set_unit<1> {};
template <> struct action<g::unit_minutes> : set_unit<60> {};
template <> struct action<g::unit_hours> : set_unit<3600> {};
template <> struct action<g::unit_days> : set_unit<86400> {};
template <> struct action<g::unit_weeks> : set_unit<7 * 86400> {};
template <> struct action<g::unit_months> : set_unit<30 * 86400> {};
template <> struct action<g::unit_years> : set_unit<365 * 86400> {};
template <> struct action<g::duration> {
  template <typename Input>
  static void apply(const Input& in, ParserState& st) {
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
    ast::Duration d{0, At(in)};
    if (st.duration_amount > kMax / st.unit_seconds) {
      st.Error(d.location, "number-too-large", "this duration is too long");
    } else {
      d.seconds = st.duration_amount * st.unit_seconds;
    }
    st.current.duration = d;
  }
};

// Kinds within a line.
template <ast::FieldType T>
struct set_type {
  template <typename Input>
  static void apply(const Input&, ParserState& st) { st.current.field_type = T; }
};
template <> struct action<g::type_text> : set_type<ast::FieldType::kText> {};
template <> struct action<g::type_number> : set_type<ast::FieldType::kNumber> {};
template <> struct action<g::type_integer> : set_type<ast::FieldType::kInteger> {};
template <> struct action<g::type_email> : set_type<ast::FieldType::kEmail> {};
template <> struct action<g::type_phone> : set_type<ast::FieldType::kPhone> {};
template <> struct action<g::type_date> : set_type<ast::FieldType::kDate> {};
template <> struct action<g::type_yesno> : set_type<ast::FieldType::kYesNo> {};
template <> struct action<g::type_choice> : set_type<ast::FieldType::kChoice> {};
template <> struct action<g::type_location> : set_type<ast::FieldType::kLocation> {};

template <ast::EntryKind K>
struct set_entry {
  template <typename Input>
  static void apply(const Input&, ParserState& st) { st.current.entry_kind = K; }
};
template <> struct action<g::entry_link> : set_entry<ast::EntryKind::kLink> {};
template <> struct action<g::entry_keyword> : set_entry<ast::EntryKind::kKeyword> {};
template <> struct action<g::entry_ad> : set_entry<ast::EntryKind::kAd> {};
template <> struct action<g::entry_default> : set_entry<ast::EntryKind::kDefault> {};

template <ast::HandlerKind K>
struct set_handler {
  template <typename Input>
  static void apply(const Input&, ParserState& st) { st.current.handler_kind = K; }
};
template <> struct action<g::on_keyword> : set_handler<ast::HandlerKind::kKeyword> {};
template <> struct action<g::on_timeout> : set_handler<ast::HandlerKind::kTimeout> {};
template <> struct action<g::on_withdraw> : set_handler<ast::HandlerKind::kWithdraw> {};

template <ast::Priority P>
struct set_priority {
  template <typename Input>
  static void apply(const Input&, ParserState& st) { st.current.priority = P; }
};
template <> struct action<g::priority_low> : set_priority<ast::Priority::kLow> {};
template <> struct action<g::priority_normal> : set_priority<ast::Priority::kNormal> {};
template <> struct action<g::priority_high> : set_priority<ast::Priority::kHigh> {};
template <> struct action<g::priority_urgent> : set_priority<ast::Priority::kUrgent> {};
template <> struct action<g::handoff_note> {
  template <typename Input>
  static void apply(const Input&, ParserState& st) { st.current.has_note = true; }
};

// Expressions: operands are pushed, operators combine the top of the stack.
Expr Leaf(ExprKind kind, Location at) {
  Expr e;
  e.kind = kind;
  e.location = at;
  return e;
}
Expr Pop(ParserState& st) {
  Expr e = std::move(st.operands.back());
  st.operands.pop_back();
  return e;
}
Expr Combine(ExprKind kind, ParserState& st) {
  Expr right = Pop(st);
  Expr left = Pop(st);
  Expr e = Leaf(kind, left.location);
  e.operands.push_back(std::move(left));
  e.operands.push_back(std::move(right));
  return e;
}

template <> struct action<g::bool_true> {
  template <typename Input>
  static void apply(const Input& in, ParserState& st) {
    Expr e = Leaf(ExprKind::kBool, At(in));
    e.boolean = true;
    st.operands.push_back(std::move(e));
  }
};
template <> struct action<g::bool_false> {
  template <typename Input>
  static void apply(const Input& in, ParserState& st) {
    st.operands.push_back(Leaf(ExprKind::kBool, At(in)));
  }
};
template <> struct action<g::number_operand> {
  template <typename Input>
  static void apply(const Input& in, ParserState& st) {
    Expr e = Leaf(ExprKind::kNumber, At(in));
    e.number = ParseNumber(in, st).value;
    st.operands.push_back(std::move(e));
  }
};
template <> struct action<g::string_operand> {
  template <typename Input>
  static void apply(const Input& in, ParserState& st) {
    Expr e = Leaf(ExprKind::kString, At(in));
    e.name = DecodeLiteral(std::string_view(in.begin(), in.size()), e.location,
                           "a condition", st.diagnostics).value;
    st.operands.push_back(std::move(e));
  }
};
template <> struct action<g::field_operand> {
  template <typename Input>
  static void apply(const Input& in, ParserState& st) {
    Expr e = Leaf(ExprKind::kField, At(in));
    e.name = Name(in, st).name;
    st.operands.push_back(std::move(e));
  }
};
template <> struct action<g::set_field> {
  template <typename Input>
  static void apply(const Input& in, ParserState& st) {
    Expr e = Leaf(ExprKind::kSet, At(in));
    e.name = Name(in, st).name;
    st.operands.push_back(std::move(e));
  }
};
template <ast::CompareOp Op>
struct push_operator {
  template <typename Input>
  static void apply(const Input&, ParserState& st) { st.operators.push_back(Op); }
};
template <> struct action<g::op_eq> : push_operator<ast::CompareOp::kEq> {};
template <> struct action<g::op_ne> : push_operator<ast::CompareOp::kNe> {};
template <> struct action<g::op_lt> : push_operator<ast::CompareOp::kLt> {};
template <> struct action<g::op_le> : push_operator<ast::CompareOp::kLe> {};
template <> struct action<g::op_gt> : push_operator<ast::CompareOp::kGt> {};
template <> struct action<g::op_ge> : push_operator<ast::CompareOp::kGe> {};
template <> struct action<g::right_operand> {
  template <typename Input>
  static void apply(const Input&, ParserState& st) {
    Expr e = Combine(ExprKind::kCompare, st);
    e.op = st.operators.back();
    st.operators.pop_back();
    st.operands.push_back(std::move(e));
  }
};
template <> struct action<g::negation> {
  template <typename Input>
  static void apply(const Input& in, ParserState& st) {
    Expr e = Leaf(ExprKind::kNot, At(in));
    e.operands.push_back(Pop(st));
    st.operands.push_back(std::move(e));
  }
};
template <> struct action<g::and_operand> {
  template <typename Input>
  static void apply(const Input&, ParserState& st) { st.operands.push_back(Combine(ExprKind::kAnd, st)); }
};
template <> struct action<g::or_operand> {
  template <typename Input>
  static void apply(const Input&, ParserState& st) { st.operands.push_back(Combine(ExprKind::kOr, st)); }
};
template <> struct action<g::condition> {
  template <typename Input>
  static void apply(const Input&, ParserState& st) { st.current.condition = Pop(st); }
};

// Lines.
template <> struct action<g::comment> {
  template <typename Input>
  static void apply(const Input& in, ParserState& st) { st.current.layout.comment = in.string(); }
};
template <> struct action<g::item> {
  template <typename Input>
  static void apply(const Input& in, ParserState& st) {
    st.current.location = At(in);
    st.current.layout.code_begin = in.iterator().byte;
    st.current.layout.code_end = in.iterator().byte + in.size();
  }
};
template <> struct action<g::line> {
  template <typename Input>
  static void apply(const Input& in, ParserState& st) {
    ParsedLine& line = st.current;
    LineLayout& layout = line.layout;
    layout.kind = line.kind != ItemKind::kNone ? LineKindOf(line.kind)
                  : layout.comment.empty()     ? LineKind::kBlank
                                               : LineKind::kComment;
    layout.first_line = static_cast<uint32_t>(in.position().line);
    const std::string_view text(in.begin(), in.size());
    const auto breaks = std::count(text.begin(), text.end(), '\n');
    const bool ends_with_break = !text.empty() && text.back() == '\n';
    layout.last_line = layout.first_line + static_cast<uint32_t>(breaks - (ends_with_break ? 1 : 0));
    if (layout.kind == LineKind::kBlank || layout.kind == LineKind::kComment) {
      layout.code_begin = layout.code_end = in.iterator().byte;
    }
    st.lines.push_back(std::move(line));
    st.ResetLine();
  }
};

// ---------------------------------------------------------------- control
// Nesting in conditions recurses in the parser; cap it before it can exhaust the stack.
template <typename Rule>
struct control : g::control<Rule> {};

template <typename Rule>
struct nesting_control : g::control<Rule> {
  template <typename Input>
  static void start(const Input& in, ParserState& st) {
    if (++st.depth > st.limits.max_expression_depth) {
      throw pg::parse_error("this condition is nested too deeply; split it with more 'if' steps", in);
    }
  }
  template <typename Input>
  static void success(const Input&, ParserState& st) { --st.depth; }
  template <typename Input>
  static void failure(const Input&, ParserState& st) { --st.depth; }
};
template <> struct control<g::paren_expr> : nesting_control<g::paren_expr> {};
template <> struct control<g::negation> : nesting_control<g::negation> {};

// ---------------------------------------------------------------- errors

const std::vector<std::string>& LineKeywords() {
  static const std::vector<std::string> words = {
      "flow",    "version", "entry",  "hooks",   "purpose", "notice",   "field",
      "on",      "state",   "text",   "grants",  "accept",  "decline",  "say",
      "ask",     "choose",  "consent", "call",   "if",      "handoff",  "end",
      "invalid", "retries", "timeout", "accepted", "declined"};
  return words;
}

std::string_view WordAt(std::string_view text, std::size_t byte) {
  if (byte >= text.size()) return {};
  std::size_t end = byte;
  while (end < text.size() && end - byte < 24 &&
         std::string_view(" \t\r\n").find(text[end]) == std::string_view::npos) {
    ++end;
  }
  return text.substr(byte, end - byte);
}

// Makes PEGTL's message specific to what stands at the error position.
std::string Explain(const pg::parse_error& e, const SourceFile& source) {
  std::string message(e.message());
  const std::size_t byte = e.positions().front().byte;
  const std::string_view word = WordAt(source.text, byte);
  if (message == g::errors::message<g::item>) {
    if (word.empty()) return message;
    std::string lowered = Lowered(word);
    const std::string hint = DidYouMean(lowered, LineKeywords());
    if (!hint.empty()) return "unknown word '" + std::string(word) + "'" + hint;
    if (lowered != word && std::find(LineKeywords().begin(), LineKeywords().end(), lowered) !=
                               LineKeywords().end()) {
      return "keywords are written in lower case: write '" + lowered + "'";
    }
    return message + ", not '" + std::string(word) + "'";
  }
  if (message == g::errors::message<g::item_end>) {
    return "unexpected '" + std::string(word) + "' after the end of the line; write one declaration "
           "or step per line";
  }
  if (!word.empty() && word[0] >= 'A' && word[0] <= 'Z') {
    message += "; names use lower-case letters, digits and '_'";
  }
  if (message.rfind("parse error matching", 0) == 0) return "syntax error";
  return message;
}

// The first byte that is not part of valid UTF-8 (overlong forms, surrogates and code points
// past U+10FFFF included), or npos. WhatsApp carries UTF-8 only, so a flow must be valid UTF-8.
std::size_t FirstInvalidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) { ++i; continue; }
    if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
    else return i;
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return i;
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    i += n + 1;
  }
  return std::string_view::npos;
}

Location LocationOfByte(std::string_view text, std::size_t byte) {
  Location at{1, 1};
  for (std::size_t i = 0; i < byte; ++i) {
    if (text[i] == '\n') {
      ++at.line;
      at.column = 1;
    } else {
      ++at.column;
    }
  }
  return at;
}

}  // namespace

LineKind LineKindOf(ItemKind kind) {
  switch (kind) {
    case ItemKind::kNone: return LineKind::kBlank;
    case ItemKind::kState: return LineKind::kState;
    case ItemKind::kFlow: case ItemKind::kVersion: case ItemKind::kEntry: case ItemKind::kHooks:
    case ItemKind::kPurpose: case ItemKind::kNotice: case ItemKind::kField: case ItemKind::kOn:
      return LineKind::kDeclaration;
    case ItemKind::kNoticeText: case ItemKind::kGrants: case ItemKind::kAccept:
    case ItemKind::kDecline:
      return LineKind::kNoticeDetail;
    case ItemKind::kSay: case ItemKind::kAsk: case ItemKind::kChoose: case ItemKind::kConsent:
    case ItemKind::kCall: case ItemKind::kIf: case ItemKind::kGoto: case ItemKind::kHandoff:
    case ItemKind::kEnd:
      return LineKind::kStep;
    case ItemKind::kInvalid: case ItemKind::kRetries: case ItemKind::kTimeout:
    case ItemKind::kAccepted: case ItemKind::kDeclined: case ItemKind::kOption:
      return LineKind::kBranch;
  }
  return LineKind::kBlank;
}

ParseResult Parse(const SourceFile& source, const ParseLimits& limits) {
  if (const std::size_t bad = FirstInvalidUtf8(source.text); bad != std::string_view::npos) {
    ParseResult invalid;
    invalid.diagnostics.push_back(Diagnostic{
        Severity::kError, LocationOfByte(source.text, bad), "invalid-utf8",
        "this file is not valid UTF-8 here; save it as UTF-8 (WhatsApp carries nothing else)", {}});
    return invalid;
  }
  ParserState st;
  st.source = &source;
  st.limits = limits;
  ParseResult result;
  std::size_t syntax_errors = 0;
  std::size_t offset = 0;
  std::size_t line = 1;
  const char* const begin = source.text.data();
  const char* const end = begin + source.text.size();
  while (true) {
    pg::memory_input in(begin + offset, end, source.name, offset, line, 1);
    try {
      if (offset == 0) {
        pg::parse<g::file, action, control>(in, st);
      } else {
        pg::parse<pg::until<pg::eof, g::line>, action, control>(in, st);
      }
      break;
    } catch (const pg::parse_error& e) {
      const pg::position& p = e.positions().front();
      result.diagnostics.push_back(Diagnostic{
          Severity::kError,
          Location{static_cast<uint32_t>(p.line), static_cast<uint32_t>(p.column)},
          "syntax", Explain(e, source), {}});
      st.ResetLine();
      // Resume at the next physical line; an unterminated string leaves nothing to resume.
      const std::size_t next = source.text.find('\n', p.byte);
      if (++syntax_errors >= limits.max_syntax_errors || next == std::string::npos ||
          std::string_view(e.message()) == g::errors::message<g::triple_string_body>) {
        break;
      }
      offset = next + 1;
      line = p.line + 1;
    }
  }
  for (ParsedLine& l : st.lines) result.layout.push_back(l.layout);
  result.diagnostics.insert(result.diagnostics.end(), st.diagnostics.begin(), st.diagnostics.end());
  if (syntax_errors == 0) {
    result.flow = BuildFlow(st.lines, result.diagnostics);
  }
  SortByLocation(result.diagnostics);
  return result;
}

}  // namespace consentflow::dsl
