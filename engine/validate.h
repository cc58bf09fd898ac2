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
// A canonical value read back as typed text (as when a hook writes one) validates to itself,
// except a location and a number too long to type (over 100 characters).
//
// What each type accepts. Typed types read a text message or the title of a tapped button or
// list row (never a media caption), trimmed of whitespace and invisible marks (direction marks,
// zero-width spaces, BOM); invalid UTF-8 is rejected.
//   text      non-empty, at most max_length Unicode code points (an emoji is one, a flag two).
//   email     one '@'; a local part of at most 64 bytes without blanks, RFC 5322 specials or
//             stray dots; a domain of at least two labels of letters, digits and inner hyphens
//             (internationalised domains in their "xn--" form), a TLD of 2+ letters; 254 in all.
//   phone     optional '+', or "00" for '+'; digits with spaces, '-', '.' and one level of
//             parentheses between them; "(0)" after a '+' is dropped ("+49 (0)151 ..."). Without
//             '+' or "00" the digits are kept as given behind a '+' (we cannot know the
//             country; WhatsApp numbers are international). A leading 0 is a national trunk
//             prefix, not a country code: rejected.
//   number    optional sign ('+', '-', U+2212); digits; '.' or ',' as the decimal separator.
//             A separator that occurs once and comes last is decimal ("2,5", "1,000" is 1);
//             one that repeats groups thousands ("1,000,000"); with both, the last is decimal
//             ("1,000.5", "1.000,5"). Groups of a space, no-break or thin space ("100 000") or of
//             the other punctuation, exactly 3 digits after the first group of 1 to 3; ".5" is
//             0.5; no exponents. Inclusive range when min/max are set; "-0" is 0.
//   integer   the number rules without a decimal part ("5.0" and "1,000" are rejected); must
//             fit int64; range compared exactly.
//   date      "2026-03-14", "14/03/2026", "14.03.2026" (day first); day and month of one or two
//             digits; a real calendar day in the years 1900 to 2200.
//   yesno     a tap on our Yes/No buttons (the reply id decides), or YesNoWord of the text or of
//             another tapped title.
//   location  a location message with latitude -90..90 and longitude -180..180; nothing typed.
// At most 100 bytes are read for phone, number, integer and date.

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
// sí, si, claro, vale / no. Also 👍 / 👎 (any skin tone). "Final punctuation" is any run of '.'
// and '!' (and a Spanish leading '¡'); a typographic apostrophe counts as '\''. Phrases ("yes
// please") and repeated words are not answers. nullopt for anything else.
std::optional<bool> YesNoWord(std::string_view text);

// What to say after an invalid answer when the flow gives no `invalid` text: a short, friendly
// English sentence per type that says what is expected ("Please send a date like 14/03/2026.");
// it names a text's max length when not the default 1000 and a number's range when set
// ("Please send a number from 0 to 100000.").
std::string DefaultInvalidText(const dsl::ProgramField& field);

}  // namespace consentflow::engine
