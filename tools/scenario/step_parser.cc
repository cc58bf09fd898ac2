#include "tools/scenario/step_parser.h"

#include <charconv>
#include <map>

#include "tools/scenario/duration.h"

namespace consentflow::tools {
namespace {

// One step's reader: each method reads one kind of step or argument, and on a mistake records
// the error at the cursor and returns false.
class StepReader {
 public:
  using Method = bool (StepReader::*)(LineCursor&, Step&);

  bool Failed() const { return error_.has_value(); }
  SyntaxError TakeError() { return std::move(*error_); }

  bool Fail(LineCursor& c, std::string message) {
    c.SkipSpaces();
    error_ = SyntaxError{c.column(), std::move(message)};
    return false;
  }
  bool Expect(LineCursor& c, std::string_view phrase, std::string_view after) {
    if (c.Eat(phrase)) return true;
    return Fail(c, "expected '" + std::string(phrase) + "' after '" + std::string(after) + "'");
  }
  bool Name(LineCursor& c, std::string& out, std::string_view what) {
    if (auto id = c.Identifier()) {
      out = std::move(*id);
      return true;
    }
    return Fail(c, "expected " + std::string(what) + " (lower-case letters, digits and '_')");
  }

  // Free text to the end of the line ('#' is text), or one quoted string.
  bool Text(LineCursor& c, std::string& out, bool& quoted, std::string_view what) {
    std::string error;
    if (auto q = c.Quoted(error)) {
      out = std::move(*q);
      quoted = true;
      return true;
    }
    if (!error.empty()) return Fail(c, error);
    quoted = false;
    out = std::string(c.Rest());
    if (out.empty()) return Fail(c, "expected " + std::string(what));
    return true;
  }
  bool Pattern(LineCursor& c, TextPattern& out, std::string_view what) {
    std::string text;
    bool quoted = false;
    if (!Text(c, text, quoted, what)) return false;
    out = quoted ? TextPattern(TextPattern::Kind::kExact, std::move(text))
                 : TextPattern::FromPlain(text);
    return true;
  }

  // ---------------------------------------------------------------- actions
  bool Customer(LineCursor& c, Step& s) {
    bool quoted = false;
    if (c.Eat(":")) {
      s.kind = StepKind::kSay;
      return Text(c, s.text, quoted, "what the customer writes after 'customer:'");
    }
    if (c.Eat("taps")) {
      s.kind = StepKind::kTap;
      return Expect(c, ":", "customer taps") &&
             Text(c, s.text, quoted, "the title of a button or list row after 'customer taps:'");
    }
    if (c.Eat("shares location")) {
      s.kind = StepKind::kShareLocation;
      return Expect(c, ":", "customer shares location") && Location(c, s);
    }
    if (c.Eat("sends a photo")) {
      s.kind = StepKind::kSendPhoto;
      return !c.Eat(":") || Text(c, s.text, quoted, "a caption after 'customer sends a photo:'");
    }
    return Fail(c, "expected ':', 'taps:', 'shares location:' or 'sends a photo' after 'customer'");
  }

  bool Number(LineCursor& c, double& out, double limit, std::string_view what) {
    c.SkipSpaces();
    const std::size_t at = c.position();
    const std::string_view word = c.Word(",");
    const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), out);
    if (word.empty() || ec != std::errc() || end != word.data() + word.size() || out < -limit ||
        out > limit) {
      c.Reset(at);
      return Fail(c, "expected the " + std::string(what) + ", a number from " +
                         std::to_string(static_cast<int>(-limit)) + " to " +
                         std::to_string(static_cast<int>(limit)));
    }
    return true;
  }
  bool Location(LineCursor& c, Step& s) {
    if (!Number(c, s.latitude, 90, "latitude")) return false;
    c.Eat(",");
    return Number(c, s.longitude, 180, "longitude");
  }

  bool Wait(LineCursor& c, Step& s) {
    s.kind = StepKind::kWait;
    c.SkipSpaces();
    const std::size_t at = c.position();
    std::string_view text = c.Rest();
    if (const auto hash = text.find(" #"); hash != std::string_view::npos) {
      text = text.substr(0, hash);
      c.Reset(at + hash);
    }
    if (const auto d = ParseDuration(text)) {
      s.duration = *d;
      return true;
    }
    c.Reset(at);
    return Fail(c, "expected how long to wait: " + std::string(kDurationHelp));
  }

  bool Agent(LineCursor& c, Step& s) {
    if (c.Eat("closes")) {
      s.kind = StepKind::kClose;
      return true;
    }
    if (c.Eat("hands back to")) {
      s.kind = StepKind::kHandBack;
      return Name(c, s.name, "the state where the bot continues");
    }
    return Fail(c, "expected 'hands back to STATE' or 'closes' after 'agent'");
  }

  bool Hook(LineCursor& c, Step& s) {
    s.kind = StepKind::kHook;
    if (!Name(c, s.name, "the hook's name") || !Expect(c, "returns", "hook " + s.name))
      return false;
    std::string error;
    auto outcome = c.Quoted(error);
    if (!outcome)
      return Fail(c, error.empty() ? "expected the outcome in quotes, e.g. \"hot\"" : error);
    s.hook.outcome = std::move(*outcome);
    if (!c.Eat("writes")) return true;
    do {
      std::string field;
      if (!Name(c, field, "a field name after 'writes'") || !Expect(c, "=", field)) return false;
      std::string value;
      if (auto q = c.Quoted(error)) {
        value = std::move(*q);
      } else if (!error.empty()) {
        return Fail(c, error);
      } else {
        value = std::string(c.Word(","));
        if (value.empty()) return Fail(c, "expected the value " + field + " gets");
      }
      s.hook.writes[field] = std::move(value);
    } while (c.Eat(","));
    return true;
  }

  // ---------------------------------------------------------------- replies
  bool Bot(LineCursor& c, Step& s) {
    if (c.Eat(":")) {
      s.kind = StepKind::kBotSays;
      return Pattern(c, s.pattern, "the message text after 'bot:'");
    }
    if (c.Eat("shows")) {
      s.kind = StepKind::kBotShows;
      if (!Expect(c, ":", "bot shows")) return false;
      return Choices(c, s);
    }
    if (c.Eat("says nothing")) {
      s.kind = StepKind::kBotSilent;
      return true;
    }
    return Fail(c, "expected ':', 'shows:' or 'says nothing' after 'bot'");
  }

  // Titles hold spaces: each runs up to the next '|'.
  bool Choices(LineCursor& c, Step& s) {
    for (;;) {
      std::string title;
      for (std::string_view word = c.Word("|"); !word.empty(); word = c.Word("|")) {
        title += (title.empty() ? "" : " ") + std::string(word);
      }
      if (title.empty()) return Fail(c, "expected a button or list row title");
      s.choices.push_back(std::move(title));
      if (!c.Eat("|")) return true;
    }
  }

  bool HandoffNote(LineCursor& c, Step& s) {
    s.kind = StepKind::kHandoffNote;
    return Expect(c, "note:", "handoff") && Pattern(c, s.pattern, "the note after 'handoff note:'");
  }

  // ---------------------------------------------------------------- state
  bool Field(LineCursor& c, Step& s) {
    if (!Name(c, s.name, "a field name")) return false;
    if (c.Eat("=")) {
      s.kind = StepKind::kFieldEquals;
      bool quoted = false;
      return Text(c, s.text, quoted, "the value after '='");
    }
    if (c.Eat("is unset")) {
      s.kind = StepKind::kFieldUnset;
      return true;
    }
    if (c.Eat("is set")) {
      s.kind = StepKind::kFieldSet;
      return true;
    }
    return Fail(c, "expected '= VALUE', 'is set' or 'is unset' after the field name");
  }

  bool Consent(LineCursor& c, Step& s) {
    s.kind = StepKind::kConsent;
    if (!Name(c, s.name, "a notice name") || !Expect(c, "is", "consent " + s.name)) return false;
    static const std::vector<std::pair<std::string_view, ConsentExpectation>> kinds = {
        {"granted", ConsentExpectation::kGranted},
        {"declined", ConsentExpectation::kDeclined},
        {"withdrawn", ConsentExpectation::kWithdrawn},
        {"not given", ConsentExpectation::kNotGiven}};
    for (const auto& [word, kind] : kinds) {
      if (c.Eat(word)) {
        s.consent = kind;
        return true;
      }
    }
    return Fail(c, "expected 'granted', 'declined', 'withdrawn' or 'not given'");
  }

  bool Chat(LineCursor& c, Step& s) {
    if (!Expect(c, "is", "chat")) return false;
    if (c.Eat("with the bot")) {
      s.kind = StepKind::kWithBot;
      return true;
    }
    if (c.Eat("at state")) {
      s.kind = StepKind::kAtState;
      return Name(c, s.name, "a state name");
    }
    if (c.Eat("in queue")) {
      s.kind = StepKind::kInQueue;
      if (!Name(c, s.name, "a queue name")) return false;
      if (!c.Eat("priority")) return true;
      for (const char* p : {"low", "normal", "high", "urgent"}) {
        if (c.Eat(p)) {
          s.priority = p;
          return true;
        }
      }
      return Fail(c, "expected 'low', 'normal', 'high' or 'urgent'");
    }
    return Fail(c, "expected 'with the bot', 'at state STATE' or 'in queue QUEUE' after 'chat is'");
  }

  bool Conversation(LineCursor& c, Step& s) {
    s.kind = StepKind::kEnded;
    return Expect(c, "has ended", "conversation");
  }

  bool Ledger(LineCursor& c, Step& s) {
    if (c.Eat("verifies")) {
      s.kind = StepKind::kLedgerVerifies;
      return true;
    }
    if (!c.Eat("has")) return Fail(c, "expected 'verifies' or 'has N entries' after 'ledger'");
    s.kind = StepKind::kLedgerCount;
    c.SkipSpaces();
    const std::size_t at = c.position();
    const std::string_view word = c.Word();
    const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), s.count);
    if (word.empty() || ec != std::errc() || end != word.data() + word.size() || s.count < 0) {
      c.Reset(at);
      return Fail(c, "expected a number of entries");
    }
    if (c.Eat("entries") || c.Eat("entry")) return true;
    return Fail(c, "expected 'entries' after the number");
  }

  bool NoIncidents(LineCursor& c, Step& s) {
    s.kind = StepKind::kNoIncidents;
    return Expect(c, "privacy incidents", "no");
  }

  bool Incident(LineCursor& c, Step& s) {
    s.kind = StepKind::kIncidentOnField;
    return Expect(c, "incident on field", "privacy") && Name(c, s.name, "a field name");
  }

  bool FlowError(LineCursor& c, Step& s) {
    s.kind = StepKind::kFlowError;
    return Expect(c, "error:", "flow") &&
           Pattern(c, s.pattern, "the error text after 'flow error:'");
  }

 private:
  std::optional<SyntaxError> error_;
};

const std::map<std::string_view, StepReader::Method>& Methods() {
  static const std::map<std::string_view, StepReader::Method> methods = {
      {"customer", &StepReader::Customer},
      {"bot", &StepReader::Bot},
      {"field", &StepReader::Field},
      {"consent", &StepReader::Consent},
      {"wait", &StepReader::Wait},
      {"chat", &StepReader::Chat},
      {"conversation", &StepReader::Conversation},
      {"handoff", &StepReader::HandoffNote},
      {"agent", &StepReader::Agent},
      {"ledger", &StepReader::Ledger},
      {"no", &StepReader::NoIncidents},
      {"privacy", &StepReader::Incident},
      {"hook", &StepReader::Hook},
      {"flow", &StepReader::FlowError},
  };
  return methods;
}

}  // namespace

const std::vector<std::string>& StepWords() {
  static const std::vector<std::string> words = [] {
    std::vector<std::string> out;
    for (const auto& [word, method] : Methods()) out.emplace_back(word);
    return out;
  }();
  return words;
}

std::optional<SyntaxError> ParseStep(std::string_view first, LineCursor& c, Step& step) {
  const auto method = Methods().find(first);
  if (method == Methods().end()) return SyntaxError{c.column(), "not a step"};
  StepReader reader;
  if ((reader.*(method->second))(c, step)) return std::nullopt;
  return reader.TakeError();
}

}  // namespace consentflow::tools
