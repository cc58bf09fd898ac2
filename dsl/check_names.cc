// Names: duplicates, reserved words, the `start` state, references that resolve, the parts a
// notice must have, entries and handlers, and `call`s against the hook file.

#include <algorithm>
#include <set>

#include "dsl/check_context.h"
#include "dsl/edit_distance.h"
#include "dsl/link_code.h"

namespace consentflow::dsl {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

template <typename T, typename IdOf>
void CheckDuplicates(CheckContext& cx, const std::vector<T>& items, IdOf id_of, const char* what) {
  std::unordered_map<std::string_view, Location> seen;
  for (const T& item : items) {
    const ast::Identifier& id = id_of(item);
    const auto [it, fresh] = seen.emplace(id.name, id.location);
    if (fresh) continue;
    Diagnostic& d = cx.Error(id.location, "duplicate-name",
                             std::string(what) + " '" + id.name + "' is defined twice");
    CheckContext::AddNote(d, it->second, "first defined here");
  }
}

void CheckStateRef(CheckContext& cx, const ast::Identifier& target) {
  if (target.name.empty() || IsEndTarget(target) || cx.FindState(target.name)) return;
  cx.Error(target.location, "unknown-state",
           "unknown state '" + target.name + "'" + DidYouMean(target.name, cx.StateNames()));
}

void CheckFieldRef(CheckContext& cx, const ast::Identifier& field) {
  if (cx.FindField(field.name)) return;
  cx.Error(field.location, "unknown-field",
           "unknown field '" + field.name + "'" + DidYouMean(field.name, cx.FieldNames()) +
               "; declare it with 'field " + field.name + " TYPE for PURPOSE keep DURATION'");
}

void CheckPurposeRef(CheckContext& cx, const ast::Identifier& purpose) {
  if (cx.FindPurpose(purpose.name)) return;
  cx.Error(purpose.location, "unknown-purpose",
           "unknown purpose '" + purpose.name + "'" + DidYouMean(purpose.name, cx.PurposeNames()));
}

void CheckDeclarations(CheckContext& cx) {
  const ast::Flow& flow = cx.flow();
  CheckDuplicates(cx, flow.states, [](const ast::State& s) -> const ast::Identifier& { return s.id; }, "state");
  CheckDuplicates(cx, flow.fields, [](const ast::Field& f) -> const ast::Identifier& { return f.id; }, "field");
  CheckDuplicates(cx, flow.purposes, [](const ast::Purpose& p) -> const ast::Identifier& { return p.id; }, "purpose");
  CheckDuplicates(cx, flow.notices, [](const ast::Notice& n) -> const ast::Identifier& { return n.id; }, "notice");

  for (const ast::State& state : flow.states) {
    if (state.id.name == "end") {
      cx.Error(state.id.location, "reserved-name",
               "'end' cannot name a state: '-> end' ends the conversation");
    }
  }
  static const std::set<std::string> kReservedFields = {"purposes", "and", "or", "not",
                                                        "true",     "false", "set"};
  for (const ast::Field& field : flow.fields) {
    if (kReservedFields.count(field.id.name)) {
      cx.Error(field.id.location, "reserved-name",
               "'" + field.id.name + "' is a reserved word and cannot name a field");
    }
    CheckPurposeRef(cx, field.purpose);
    if (field.min && field.max && field.min->value > field.max->value) {
      cx.Error(field.min->location, "bad-range",
               "the range " + field.min->spelled + ".." + field.max->spelled +
                   " is empty: its lower bound is above its upper bound");
    }
    if (field.type == ast::FieldType::kInteger) {
      for (const auto* bound : {&field.min, &field.max}) {
        if (*bound && (*bound)->value != static_cast<double>(static_cast<int64_t>((*bound)->value))) {
          cx.Error((*bound)->location, "bad-range",
                   "an integer field's range needs whole numbers, not " + (*bound)->spelled);
        }
      }
    }
    if (field.keep.seconds <= 0) {
      cx.Error(field.keep.location, "bad-duration", "a field must be kept for more than 0 seconds");
    }
  }
  if (!flow.states.empty() && !cx.FindState("start")) {
    cx.Error(flow.id.location, "missing-start",
             "flow '" + flow.id.name + "' has no 'start' state; every conversation begins there");
  } else if (flow.states.empty()) {
    cx.Error(flow.id.location, "missing-start",
             "flow '" + flow.id.name + "' has no states; add 'state start' with its steps");
  }
}

void CheckNotices(CheckContext& cx) {
  for (const ast::Notice& notice : cx.flow().notices) {
    std::vector<std::string> missing;
    if (!notice.text) missing.push_back("'text \"...\"'");
    if (notice.grants.empty()) missing.push_back("'grants PURPOSE'");
    if (!notice.accept) missing.push_back("'accept \"...\"'");
    if (!notice.decline) missing.push_back("'decline \"...\"'");
    if (!missing.empty()) {
      std::string list;
      for (std::size_t i = 0; i < missing.size(); ++i) {
        list += (i == 0 ? "" : i + 1 == missing.size() ? " and " : ", ") + missing[i];
      }
      cx.Error(notice.id.location, "incomplete-notice",
               "notice '" + notice.id.name + "' is missing " + list);
    }
    std::set<std::string_view> granted;
    for (const ast::Identifier& purpose : notice.grants) {
      CheckPurposeRef(cx, purpose);
      if (!granted.insert(purpose.name).second) {
        cx.Warning(purpose.location, "duplicate-grant",
                   "purpose '" + purpose.name + "' is listed twice");
      }
    }
    if (notice.accept && notice.decline && Lower(notice.accept->value) == Lower(notice.decline->value)) {
      cx.Error(notice.decline->location, "duplicate-title",
               "the accept and decline buttons of notice '" + notice.id.name +
                   "' have the same title; people could not tell them apart");
    }
  }
}

void CheckEntries(CheckContext& cx) {
  const ast::Entry* first_default = nullptr;
  std::unordered_map<std::string, Location> codes;
  for (const ast::Entry& entry : cx.flow().entries) {
    if (entry.kind == ast::EntryKind::kDefault) {
      if (first_default) {
        cx.Error(entry.location, "duplicate-entry", "'entry default' is given twice");
      }
      first_default = &entry;
    }
    for (const ast::Literal& value : entry.values) {
      if (value.value.empty()) {
        cx.Error(value.location, "empty-word", "this must not be empty");
        continue;
      }
      if (entry.kind != ast::EntryKind::kLink) continue;
      if (!IsValidLinkCode(value.value)) {
        cx.Error(value.location, "bad-link-code",
                 "a link code is matched as a whole word: use 1 to " +
                     std::to_string(kMaxLinkCode) +
                     " letters, digits, '-' or '_', e.g. \"SPRING24\"");
      }
      const auto [it, fresh] = codes.emplace(Lower(value.value), value.location);
      if (!fresh) {
        Diagnostic& d = cx.Error(value.location, "duplicate-entry",
                                 "link code \"" + value.value + "\" is given twice");
        CheckContext::AddNote(d, it->second, "first given here");
      }
    }
  }
}

void CheckHandlers(CheckContext& cx) {
  const ast::Handler* timeout = nullptr;
  const ast::Handler* withdraw = nullptr;
  std::unordered_map<std::string, Location> words;
  const auto& withdrawal = WithdrawalWords();
  for (const ast::Handler& handler : cx.flow().handlers) {
    CheckStateRef(cx, handler.target);
    if (handler.kind == ast::HandlerKind::kTimeout) {
      if (timeout) cx.Error(handler.location, "duplicate-handler", "'on timeout' is given twice");
      timeout = &handler;
      if (handler.timeout.seconds <= 0) {
        cx.Error(handler.timeout.location, "bad-duration", "a timeout must be longer than 0 seconds");
      }
    } else if (handler.kind == ast::HandlerKind::kWithdraw) {
      if (withdraw) cx.Error(handler.location, "duplicate-handler", "'on withdraw' is given twice");
      withdraw = &handler;
    }
    for (const ast::Literal& word : handler.words) {
      const std::string lower = Lower(word.value);
      if (lower.empty()) {
        cx.Error(word.location, "empty-word", "a keyword must not be empty");
        continue;
      }
      if (std::find(withdrawal.begin(), withdrawal.end(), lower) != withdrawal.end()) {
        cx.Error(word.location, "withdrawal-word",
                 "\"" + word.value + "\" withdraws consent in every flow and cannot be a keyword; "
                 "use 'on withdraw -> STATE' to choose where the conversation goes then");
      }
      const auto [it, fresh] = words.emplace(lower, word.location);
      if (!fresh) {
        Diagnostic& d = cx.Error(word.location, "duplicate-keyword",
                                 "keyword \"" + word.value + "\" is handled twice");
        CheckContext::AddNote(d, it->second, "first handled here");
      }
    }
  }
}

// The hook file's functions, once; nullopt when the file is not checked or failed to load.
std::optional<std::vector<std::string>> HookFunctionsOf(CheckContext& cx) {
  const ast::Flow& flow = cx.flow();
  if (!flow.hooks || !cx.options().resolve_hooks) return std::nullopt;
  const HookFunctions hooks = cx.options().resolve_hooks(flow.hooks->value);
  if (!hooks.loaded) {
    cx.Error(flow.hooks->location, "bad-hooks-file",
             "hook file \"" + flow.hooks->value + "\" does not load: " + hooks.error);
    return std::nullopt;
  }
  return hooks.functions;
}

void CheckSteps(CheckContext& cx) {
  const ast::Flow& flow = cx.flow();
  const auto functions = HookFunctionsOf(cx);
  bool reported_missing_hooks = false;
  for (const ast::State& state : flow.states) {
    for (const ast::Step& step : state.steps) {
      if (step.field) CheckFieldRef(cx, *step.field);
      for (const ast::Identifier& field : step.writes) CheckFieldRef(cx, field);
      for (const ast::Option& option : step.options) CheckStateRef(cx, option.target);
      for (const auto* target : {&step.retries_target, &step.timeout_target, &step.accepted, &step.declined}) {
        if (*target) CheckStateRef(cx, **target);
      }
      switch (step.kind) {
        case ast::StepKind::kIf:
        case ast::StepKind::kGoto:
          CheckStateRef(cx, step.target);
          break;
        case ast::StepKind::kConsent:
          if (!cx.FindNotice(step.notice.name)) {
            cx.Error(step.notice.location, "unknown-notice",
                     "unknown notice '" + step.notice.name + "'" +
                         DidYouMean(step.notice.name, cx.NoticeNames()));
          }
          if (!step.accepted || !step.declined) {
            cx.Error(step.location, "consent-branches",
                     std::string("a consent step needs both 'accepted -> STATE' and 'declined -> "
                                 "STATE'; this one has no '") +
                         (step.accepted ? "declined" : "accepted") + "' branch");
          }
          break;
        case ast::StepKind::kCall:
          if (!flow.hooks) {
            if (!reported_missing_hooks) {
              cx.Error(step.hook.location, "missing-hooks",
                       "'call " + step.hook.name + "' needs a hook file: declare it with "
                       "'hooks \"" + flow.id.name + ".lua\"'");
            }
            reported_missing_hooks = true;
          } else if (functions && std::find(functions->begin(), functions->end(), step.hook.name) ==
                                      functions->end()) {
            cx.Error(step.hook.location, "unknown-hook",
                     "hook file \"" + flow.hooks->value + "\" defines no function '" +
                         step.hook.name + "'" + DidYouMean(step.hook.name, *functions));
          }
          break;
        case ast::StepKind::kAsk:
          if (step.timeout && step.timeout->seconds <= 0) {
            cx.Error(step.timeout->location, "bad-duration", "a timeout must be longer than 0 seconds");
          }
          break;
        default:
          break;
      }
    }
  }
}

}  // namespace

void CheckNames(CheckContext& cx) {
  CheckDeclarations(cx);
  CheckNotices(cx);
  CheckEntries(cx);
  CheckHandlers(cx);
  CheckSteps(cx);
}

}  // namespace consentflow::dsl
