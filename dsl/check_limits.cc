// WhatsApp's limits, checked on the text people will see: after escapes and the `"""` dedent,
// with every `{field}` counted at the longest value the field can hold, in UTF-16 code units
// (see WhatsAppLength). Limits from ../shared/whatsapp/README.md, sections 9.1 to 9.3.

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "dsl/check_context.h"
#include "dsl/link_code.h"
#include "dsl/program.h"

namespace consentflow::dsl {
namespace {

constexpr std::size_t kMaxMessage = 4096;      // a text message's body
constexpr std::size_t kMaxInteractive = 1024;  // the body of a message with buttons or a list
constexpr std::size_t kMaxButtonTitle = 20;    // reply button title
constexpr std::size_t kMaxListTitle = 24;      // list row title
constexpr std::size_t kMaxButtons = 3;         // reply buttons in one message
constexpr std::size_t kMinOptions = 2;
constexpr std::size_t kMaxOptions = 10;        // list rows in one message

class LimitChecker {
 public:
  explicit LimitChecker(CheckContext& cx) : cx_(cx) {
    for (const ast::State& state : cx.flow().states) {
      for (const ast::Step& step : state.steps) {
        if (step.kind != ast::StepKind::kChoose || !step.field) continue;
        std::size_t& longest = choice_length_[step.field->name];
        for (const ast::Option& option : step.options) {
          longest = std::max(longest, WhatsAppLength(option.title.value));
        }
      }
    }
  }

  void Run() {
    for (const ast::Notice& notice : cx_.flow().notices) Notice(notice);
    for (const ast::State& state : cx_.flow().states) {
      for (const ast::Step& step : state.steps) Step(step);
    }
  }

 private:
  // The longest text a `{field}` can become.
  std::size_t MaxLength(const ast::Field& field) const {
    auto bound_length = [&](std::size_t unbounded, std::size_t decimals) {
      if (!field.min || !field.max) return unbounded;
      return std::max(field.min->spelled.size(), field.max->spelled.size()) + decimals;
    };
    switch (field.type) {
      case ast::FieldType::kText:
        return field.max_length ? static_cast<std::size_t>(field.max_length->value) : 1000;
      case ast::FieldType::kEmail: return 254;     // RFC 5321's limit on a path
      case ast::FieldType::kPhone: return 16;      // '+' and 15 digits (E.164)
      case ast::FieldType::kNumber: return bound_length(24, 7);  // up to 6 decimals and a '.'
      case ast::FieldType::kInteger: return bound_length(20, 0);
      case ast::FieldType::kDate: return 10;       // 2026-03-14
      case ast::FieldType::kYesNo: return 3;       // yes / no
      case ast::FieldType::kLocation: return 40;   // latitude, longitude
      case ast::FieldType::kChoice: {
        const auto it = choice_length_.find(field.id.name);
        return it == choice_length_.end() ? kMaxListTitle : it->second;
      }
    }
    return 1000;
  }

  // The longest the text can become, and a note on which references made it so.
  std::size_t Length(const ast::Text& text, const ast::Notice* notice, std::string& how) const {
    std::size_t total = 0;
    for (const ast::TextPart& part : text.parts) {
      if (!part.is_reference) {
        total += WhatsAppLength(part.value);
        continue;
      }
      std::size_t length = 0;
      if (part.value == "purposes" && notice) {
        std::vector<std::string> descriptions;
        for (const ast::Identifier& id : notice->grants) {
          if (const ast::Purpose* p = cx_.FindPurpose(id.name)) descriptions.push_back(p->description.value);
        }
        length = WhatsAppLength(JoinPurposes(descriptions));
      } else if (const ast::Field* field = cx_.FindField(part.value)) {
        length = MaxLength(*field);
      }
      total += length;
      how += (how.empty() ? " (counting {" : ", {") + part.value + "} as " + std::to_string(length);
    }
    if (!how.empty()) how += ")";
    return total;
  }

  void CheckText(const ast::Text& text, std::size_t limit, const char* what, const char* where,
                 const ast::Notice* notice = nullptr) {
    std::string how;
    const std::size_t length = Length(text, notice, how);
    if (length == 0) {
      cx_.Error(text.location, "empty-text", std::string(what) + " is empty");
    } else if (length > limit) {
      cx_.Error(text.location, "text-too-long",
                std::string(what) + " can be " + std::to_string(length) + " characters long" + how +
                    "; WhatsApp allows at most " + std::to_string(limit) + " in " + where);
    }
  }

  void CheckTitle(const ast::Literal& title, std::size_t limit, const char* what) {
    const std::size_t length = WhatsAppLength(title.value);
    if (length == 0) {
      cx_.Error(title.location, "empty-text", std::string(what) + " is empty");
    } else if (length > limit) {
      cx_.Error(title.location, "title-too-long",
                std::string(what) + " \"" + title.value + "\" is " + std::to_string(length) +
                    " characters long; WhatsApp allows at most " + std::to_string(limit));
    }
  }

  void Notice(const ast::Notice& notice) {
    if (notice.text) {
      CheckText(*notice.text, kMaxInteractive, "this notice text", "a message with buttons", &notice);
    }
    if (notice.accept) CheckTitle(*notice.accept, kMaxButtonTitle, "button title");
    if (notice.decline) CheckTitle(*notice.decline, kMaxButtonTitle, "button title");
  }

  void Step(const ast::Step& step) {
    switch (step.kind) {
      case ast::StepKind::kSay:
        CheckText(step.text, kMaxMessage, "this message", "a text message");
        break;
      case ast::StepKind::kAsk: {
        const ast::Field* field = step.field ? cx_.FindField(step.field->name) : nullptr;
        const bool interactive = field && (field->type == ast::FieldType::kYesNo ||
                                           field->type == ast::FieldType::kLocation);
        CheckText(step.text, interactive ? kMaxInteractive : kMaxMessage, "this question",
                  interactive ? "a message with buttons" : "a text message");
        if (step.invalid) CheckText(*step.invalid, kMaxMessage, "this text", "a text message");
        break;
      }
      case ast::StepKind::kChoose: Choose(step); break;
      case ast::StepKind::kConsent: Consent(step); break;
      default: break;
    }
  }

  void Choose(const ast::Step& step) {
    const std::size_t n = step.options.size();
    const bool buttons = n <= kMaxButtons;
    CheckText(step.text, kMaxInteractive, "this question",
              buttons ? "a message with buttons" : "a list message");
    if (n < kMinOptions || n > kMaxOptions) {
      cx_.Error(step.location, "option-count",
                "'choose' has " + std::to_string(n) + " option" + (n == 1 ? "" : "s") +
                    "; WhatsApp shows 2 to 3 as buttons and up to 10 as a list");
    }
    std::unordered_map<std::string, Location> seen;
    for (const ast::Option& option : step.options) {
      CheckTitle(option.title, buttons ? kMaxButtonTitle : kMaxListTitle,
                 buttons ? "button title" : "list option title");
      CheckUnique(option.title, seen);
    }
  }

  void Consent(const ast::Step& step) {
    const ast::Notice* notice = cx_.FindNotice(step.notice.name);
    const std::size_t buttons = 2 + step.options.size();
    if (buttons > kMaxButtons) {
      cx_.Error(step.location, "too-many-buttons",
                "this consent step shows " + std::to_string(buttons) +
                    " buttons (accept, decline and " + std::to_string(step.options.size()) +
                    " more); WhatsApp shows at most 3");
    }
    std::unordered_map<std::string, Location> seen;
    if (notice && notice->accept) CheckUnique(*notice->accept, seen);
    if (notice && notice->decline) seen.emplace(Fold(notice->decline->value), notice->decline->location);
    for (const ast::Option& option : step.options) {
      CheckTitle(option.title, kMaxButtonTitle, "button title");
      CheckUnique(option.title, seen);
    }
  }

  static std::string Fold(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  }

  // Answers are matched by title, case-insensitively, so titles must differ that way too.
  void CheckUnique(const ast::Literal& title, std::unordered_map<std::string, Location>& seen) {
    const auto [it, fresh] = seen.emplace(Fold(title.value), title.location);
    if (fresh) return;
    Diagnostic& d = cx_.Error(title.location, "duplicate-title",
                              "\"" + title.value + "\" is offered twice in this message");
    CheckContext::AddNote(d, it->second, "first offered here");
  }

  CheckContext& cx_;
  std::unordered_map<std::string, std::size_t> choice_length_;
};

// A link code travels in wa.me links and QR codes, and is printed beside them for people to
// type: past 16 characters they mistype it. Codes that are no valid code at all (a space, a
// character that percent-encoding would change, more than 32 characters) are bad-link-code
// errors in check_names.cc and get no warning here.
constexpr std::size_t kComfortableLinkCode = 16;

void CheckLinkCodeLength(CheckContext& cx) {
  for (const ast::Entry& entry : cx.flow().entries) {
    if (entry.kind != ast::EntryKind::kLink) continue;
    for (const ast::Literal& code : entry.values) {
      const std::size_t n = code.value.size();
      if (!IsValidLinkCode(code.value) || n <= kComfortableLinkCode) continue;
      cx.Warning(code.location, "long-link-code",
                 "link code \"" + code.value + "\" is " + std::to_string(n) +
                     " characters long; people who type it from a poster or a flyer get long "
                     "codes wrong: keep it to " + std::to_string(kComfortableLinkCode) +
                     " or fewer, e.g. \"SPRING24\"");
    }
  }
}

}  // namespace

void CheckLimits(CheckContext& cx) {
  LimitChecker(cx).Run();
  CheckLinkCodeLength(cx);
}

}  // namespace consentflow::dsl
