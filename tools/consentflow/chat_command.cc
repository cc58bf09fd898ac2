// consentflow chat FLOW... [--db FILE] [--hook NAME=OUTCOME]... [--contact ID]
//
// Talk to flows in the terminal as a customer would. Reads lines from standard input, so it
// also runs from a script: `printf 'Hi SPRING24\n1\n' | consentflow chat flows/spring_leads.flow`.

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <ctime>
#include <iostream>
#include <sstream>

#include "engine/ledger.h"
#include "tools/consentflow/commands.h"
#include "tools/consentflow/diagnostic_output.h"
#include "tools/scenario/duration.h"
#include "tools/session/session.h"

namespace consentflow::tools {
namespace {

constexpr const char* kHelp =
    "Type a message and press Enter. A number taps that choice of the bot's latest message.\n"
    "  /say TEXT            send TEXT as it is (e.g. /say 1)\n"
    "  /tap TITLE           tap the button or list row titled TITLE\n"
    "  /location LAT LON    share a location, e.g. /location 52.52 13.40\n"
    "  /photo [CAPTION]     send a photo\n"
    "  /wait DURATION       let time pass: 30s, 10 min, 3h, 2 days\n"
    "  /handback STATE      as the agent: hand the chat back to the bot at STATE\n"
    "  /close               as the agent: close the chat\n"
    "  /state               where the conversation is\n"
    "  /fields              the data held about you, with expiry\n"
    "  /consents            your active consents\n"
    "  /ledger              the consent ledger, and whether its chain verifies\n"
    "  /quit                leave (so does end of input)\n";

struct ChatArgs {
  std::vector<std::string> files;
  std::string db;
  std::vector<std::string> hooks;
  std::string contact = "15550001111";
};

std::string FormatTime(Timestamp t) {
  const std::time_t seconds = static_cast<std::time_t>(ToUnixMillis(t) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &tm);
  return text;
}

std::string Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return "";
  return std::string(s.substr(first, s.find_last_not_of(" \t\r") - first + 1));
}

class Chat {
 public:
  Chat(Session& session, std::ostream& out) : session_(session), out_(out) {}

  // Handles one line of input; false when the user asked to leave.
  bool Handle(const std::string& raw) {
    const std::string line = Trim(raw);
    if (line.empty()) return true;
    if (line[0] != '/') return Send(line);
    const auto space = line.find(' ');
    const std::string command = line.substr(0, space);
    const std::string arg = space == std::string::npos ? "" : Trim(line.substr(space + 1));
    if (command == "/quit" || command == "/exit") return false;
    if (command == "/help") {
      out_ << kHelp;
    } else if (command == "/say") {
      Show(session_.Say(arg));
    } else if (command == "/tap") {
      Show(session_.Tap(arg));
    } else if (command == "/location") {
      Location(arg);
    } else if (command == "/photo") {
      Show(session_.SendPhoto(arg));
    } else if (command == "/wait") {
      const auto duration = ParseDuration(arg);
      if (!duration) {
        out_ << "(how long? " << kDurationHelp << ")\n";
      } else {
        Show(session_.Wait(*duration));
        out_ << "(it is now " << FormatTime(session_.now()) << ")\n";
      }
    } else if (command == "/handback") {
      Show(session_.HandBack(arg));
    } else if (command == "/close") {
      Show(session_.Close());
    } else if (command == "/state") {
      State();
    } else if (command == "/fields") {
      Fields();
    } else if (command == "/consents") {
      Consents();
    } else if (command == "/ledger") {
      Ledger();
    } else {
      out_ << "(unknown command " << command << "; /help lists them)\n";
    }
    return true;
  }

 private:
  // A number taps that choice of the bot's latest message, if that message has choices.
  bool Send(const std::string& text) {
    const bool number =
        text.size() <= 2 && text.find_first_not_of("0123456789") == std::string::npos;
    if (number && latest_ && !latest_->choices.empty()) {
      const std::size_t n = std::stoul(text);
      if (n >= 1 && n <= latest_->choices.size()) {
        Show(session_.Tap(latest_->choices[n - 1].title));
        return true;
      }
    }
    Show(session_.Say(text));
    return true;
  }

  void Location(const std::string& arg) {
    std::istringstream in(arg);
    double latitude = 0, longitude = 0;
    if (!(in >> latitude >> longitude)) {
      out_ << "(usage: /location LATITUDE LONGITUDE, e.g. /location 52.52 13.40)\n";
      return;
    }
    Show(session_.ShareLocation(latitude, longitude));
  }

  void Show(const Result<std::vector<engine::OutboundMessage>>& replies) {
    for (const std::string& e : session_.TakeFlowErrors()) out_ << "(flow error: " << e << ")\n";
    if (!replies) {
      out_ << "(error: " << replies.error().message() << ")\n";
      return;
    }
    for (const engine::OutboundMessage& m : *replies) Print(m);
    if (!replies->empty()) latest_ = replies->back();
    NotePhase();
  }

  // Says when the chat passes to an agent or the conversation ends: neither shows in the
  // bot's messages.
  void NotePhase() {
    Result<std::optional<engine::Conversation>> c = session_.Conversation();
    if (!c || !*c || (*c)->phase == phase_) return;
    phase_ = (*c)->phase;
    if (phase_ == engine::Phase::kHandoff && (*c)->handoff) {
      out_ << "(handed off: the chat waits for an agent in queue " << (*c)->handoff->queue
           << "; /handback STATE or /close act as the agent)\n";
    } else if (phase_ == engine::Phase::kIdle) {
      out_ << "(the conversation has ended; the next message starts again)\n";
    }
  }

  void Print(const engine::OutboundMessage& m) {
    std::string body = m.body;
    for (std::size_t at = body.find('\n'); at != std::string::npos; at = body.find('\n', at + 1)) {
      body.insert(at + 1, "     ");
    }
    out_ << "bot: " << body << "\n";
    using Kind = engine::OutboundMessage::Kind;
    if (m.kind == Kind::kLocationRequest) out_ << "  (share a location: /location LAT LON)\n";
    if (m.choices.empty()) return;
    const bool list = m.kind == Kind::kList;
    for (std::size_t i = 0; i < m.choices.size(); ++i) {
      out_ << "  [" << i + 1 << "] " << m.choices[i].title << (list ? "\n" : "");
    }
    if (!list) out_ << "\n";
  }

  std::optional<engine::Conversation> Load() {
    Result<std::optional<engine::Conversation>> c = session_.Conversation();
    if (!c) {
      out_ << "(error: " << c.error().message() << ")\n";
      return std::nullopt;
    }
    if (!*c) out_ << "(no conversation yet: say something)\n";
    return std::move(*c);
  }

  void State() {
    out_ << "time: " << FormatTime(session_.now()) << "\n";
    const auto c = Load();
    if (!c) return;
    out_ << "flow: " << c->flow_id << " v" << c->flow_version << "\n";
    switch (c->phase) {
      case engine::Phase::kIdle:
        out_ << "state: ended (the next message starts the flow again)\n";
        break;
      case engine::Phase::kWaiting:
        out_ << "state: " << session_.StateName(*c) << " (waiting for your answer)\n";
        break;
      case engine::Phase::kHandoff:
        out_ << "state: " << session_.StateName(*c) << " (with an agent";
        if (c->handoff) {
          out_ << " in queue " << c->handoff->queue << ", priority "
               << dsl::ast::PriorityName(c->handoff->priority) << ", since "
               << FormatTime(c->handoff->since) << "; note: " << c->handoff->note;
        }
        out_ << ")\n";
        break;
    }
    if (c->timer != engine::TimerKind::kNone) {
      out_ << "timer: " << FormatTime(c->timer_due)
           << (c->timer == engine::TimerKind::kStepTimeout ? " (question timeout)"
                                                           : " (flow timeout)")
           << "\n";
    }
  }

  void Fields() {
    const auto c = Load();
    if (!c) return;
    if (c->fields.empty()) out_ << "(no fields stored)\n";
    for (const auto& [name, value] : c->fields) {
      out_ << name << " = " << value.value << "  (for " << value.purpose << ", stored "
           << FormatTime(value.captured) << ", erased " << FormatTime(value.expires) << ")\n";
    }
  }

  void Consents() {
    const auto c = Load();
    if (!c) return;
    if (c->consents.empty()) out_ << "(no active consent; /ledger shows every decision)\n";
    for (const auto& [notice, consent] : c->consents) {
      out_ << notice << " v" << consent.version << ": granted " << FormatTime(consent.granted)
           << " for";
      for (const std::string& purpose : consent.purposes) out_ << " " << purpose;
      out_ << "\n";
    }
  }

  void Ledger() {
    Result<std::vector<engine::LedgerEntry>> ledger = session_.Ledger();
    if (!ledger) {
      out_ << "(error: " << ledger.error().message() << ")\n";
      return;
    }
    engine::LedgerVerifier verifier;
    for (const engine::LedgerEntry& e : *ledger) {
      out_ << "#" << e.sequence << " " << FormatTime(e.time) << "  " << e.flow_id << "/"
           << e.notice_id << " v" << e.notice_version << "  " << engine::DecisionName(e.decision)
           << "  (";
      for (std::size_t i = 0; i < e.purposes.size(); ++i) out_ << (i ? ", " : "") << e.purposes[i];
      out_ << ")  evidence " << (e.evidence.empty() ? "-" : e.evidence) << "\n";
      verifier.Add(e);
    }
    if (verifier.first_broken()) {
      out_ << "chain: BROKEN at entry " << *verifier.first_broken() << ": " << verifier.problem()
           << "\n";
    } else {
      out_ << "chain: verifies (" << verifier.checked() << " entries)\n";
    }
  }

  Session& session_;
  std::ostream& out_;
  std::optional<engine::OutboundMessage> latest_;  // the bot's latest message
  engine::Phase phase_ = engine::Phase::kIdle;     // as last noted
};

int RunChat(const ChatArgs& args) {
  std::vector<dsl::ProgramPtr> programs;
  for (const std::string& file : args.files) {
    dsl::LoadedFlow flow = LoadAndReport(file, std::cerr);
    if (!flow.ok()) return 1;
    programs.push_back(flow.program);
  }
  SessionOptions options;
  if (!args.db.empty()) options.database = args.db;
  options.contact = args.contact;
  Result<std::unique_ptr<Session>> session = Session::Open(programs, options);
  if (!session) {
    std::cerr << "consentflow: error: " << session.error().message() << "\n";
    return 2;
  }
  for (const std::string& hook : args.hooks) {
    const auto eq = hook.find('=');
    (*session)->hooks().Script(hook.substr(0, eq), scripting::HookResult{hook.substr(eq + 1), {}});
  }
  const bool terminal = isatty(STDIN_FILENO) != 0;
  std::cout << "Chatting as contact " << args.contact << " with";
  for (const dsl::ProgramPtr& p : programs) std::cout << " " << p->flow_id;
  std::cout << ". Type a message, a number to tap a choice, or /help.\n";
  Chat chat(**session, std::cout);
  std::string line;
  for (;;) {
    if (terminal) std::cout << "you: " << std::flush;
    if (!std::getline(std::cin, line)) break;
    if (!terminal) std::cout << "you: " << line << "\n";
    if (!chat.Handle(line)) break;
  }
  if (terminal) std::cout << "\n";
  return 0;
}

}  // namespace

void AddChatCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ChatArgs>();
  CLI::App* cmd = app.add_subcommand(
      "chat", "Talk to flows in the terminal as a customer would (reads standard input)");
  cmd->add_option("flows", args->files, "The .flow files")->required()->check(CLI::ExistingFile);
  cmd->add_option("--db", args->db, "Keep the conversation in this SQLite file between runs");
  cmd->add_option("--hook", args->hooks, "Script a hook's outcome: NAME=OUTCOME (repeatable)")
      ->check([](const std::string& v) {
        return v.find('=') == std::string::npos || v.front() == '=' ? "expected NAME=OUTCOME" : "";
      });
  cmd->add_option("--contact", args->contact, "The contact's WhatsApp id")->capture_default_str();
  cmd->callback([args, &exit_code] { exit_code = RunChat(*args); });
}

}  // namespace consentflow::tools
