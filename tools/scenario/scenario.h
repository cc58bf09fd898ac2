#pragma once

// A .test file: scripted conversations with flows, for `consentflow test` (docs/testing-flows.md
// describes the format). This header is the parsed form; parser.h reads it, runner.h runs it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "scripting/script_host.h"
#include "tools/scenario/text_pattern.h"

namespace consentflow::tools {

enum class StepKind {
  // The contact and the agent act; each action starts a new round of bot replies.
  kSay,            // customer: TEXT
  kTap,            // customer taps: TITLE
  kShareLocation,  // customer shares location: LAT, LON
  kSendPhoto,      // customer sends a photo [: CAPTION]
  kWait,           // wait DURATION
  kHandBack,       // agent hands back to STATE
  kClose,          // agent closes
  // Scripting.
  kHook,  // hook NAME returns "OUTCOME" [writes FIELD = VALUE, ...]
  // Expectations about the bot's replies since the last action.
  kBotSays,    // bot: TEXT
  kBotShows,   // bot shows: TITLE | TITLE ...
  kBotSilent,  // bot says nothing
  kFlowError,  // flow error: TEXT
  // Expectations about what the engine holds.
  kFieldEquals,      // field NAME = VALUE
  kFieldUnset,       // field NAME is unset
  kFieldSet,         // field NAME is set
  kConsent,          // consent NOTICE is granted | declined | withdrawn | not given
  kWithBot,          // chat is with the bot
  kAtState,          // chat is at state STATE
  kInQueue,          // chat is in queue QUEUE [priority PRIORITY]
  kEnded,            // conversation has ended
  kHandoffNote,      // handoff note: TEXT
  kLedgerVerifies,   // ledger verifies
  kLedgerCount,      // ledger has N entries
  kNoIncidents,      // no privacy incidents
  kIncidentOnField,  // privacy incident on field NAME
};

// What `consent NOTICE is ...` expects: a ledger decision, or none at all.
enum class ConsentExpectation { kGranted, kDeclined, kWithdrawn, kNotGiven };

struct Step {
  StepKind kind = StepKind::kSay;
  uint32_t line = 0;
  uint32_t column = 0;  // of the step's first character (bytes, 1-based)

  std::string name;     // field, notice, queue, state or hook
  std::string text;     // what the customer sends or taps, a field value, a photo caption
  TextPattern pattern;  // kBotSays, kHandoffNote, kFlowError
  std::vector<std::string> choices;  // kBotShows
  double latitude = 0;
  double longitude = 0;
  Duration duration{};
  int64_t count = 0;  // kLedgerCount
  ConsentExpectation consent = ConsentExpectation::kGranted;
  std::string priority;        // kInQueue: "" = any
  scripting::HookResult hook;  // kHook
};

struct TestCase {
  std::string name;
  uint32_t line = 0;
  std::vector<Step> steps;
};

struct FlowReference {
  std::string path;  // as written: relative to the .test file
  uint32_t line = 0;
  uint32_t column = 0;
};

struct Scenario {
  std::vector<FlowReference> flows;
  std::vector<Step> hooks;  // kHook steps before the first test: they apply to every test
  std::vector<TestCase> tests;
};

const char* ConsentExpectationName(ConsentExpectation expectation);  // "granted", "not given"

}  // namespace consentflow::tools
