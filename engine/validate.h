#pragma once

// Turning a contact's answer into a field value: one validator per field type of the language
// (text max N, email, phone, number and integer ranges, date in three forms, yesno in five
// languages, location). Pure functions, no I/O.
//
// Values are kept in one canonical text form per type, which is what `{field}` shows, what
// conditions compare and what hooks receive:
//   text      the answer, trimmed                      "Lena Fischer"
//   email     trimmed, the domain lower-cased          "lena@example.com"
//   phone     '+' and 8 to 15 digits                   "+4915112345678"
//   number    shortest decimal form (FormatNumber)     "2.5", "5000"
//   integer   decimal digits, optional '-'             "42"
//   date      ISO 8601                                  "2026-03-14"
//   yesno     "yes" or "no"
//   location  "latitude,longitude", 6 decimals          "52.520008,13.404954"
//   choice    the option's title (set by `choose`, not by these validators)

#include <optional>
#include <string>
#include <string_view>

#include "dsl/program.h"
#include "engine/event.h"

namespace consentflow::engine {

// The reply ids of the Yes/No buttons the engine adds to `ask` of a yesno field.
inline constexpr std::string_view kYesReplyId = "yesno:yes";
inline constexpr std::string_view kNoReplyId = "yesno:no";

// The canonical value of `answer` for `field`, or nullopt when it is not a valid answer
// (wrong message kind, malformed, out of range, too long). Never throws.
std::optional<std::string> ValidateAnswer(const dsl::ProgramField& field, const InboundMessage& answer);

// A plain yes/no word in English, Italian, German, French or Spanish, case- and
// accent-insensitive, surrounding spaces and final punctuation ignored: yes, y, yeah, yep, sure,
// ok, okay / no, n, nope; sì, si, certo / no; ja, jawohl, klar / nein; oui, d'accord / non;
// sí, si, claro, vale / no. nullopt for anything else.
std::optional<bool> YesNoWord(std::string_view text);

// What to say after an invalid answer when the flow gives no `invalid` text: a short, friendly
// sentence per type that says what is expected ("Please send a date like 14/03/2026.").
std::string DefaultInvalidText(const dsl::ProgramField& field);

}  // namespace consentflow::engine
