#pragma once

// The message of every grammar rule that can fail after the parser has committed to a
// construct (PEGTL's must_if pattern, as in its json_errors.hpp). Included by parser.cc only.
// Messages say what was expected where, in words a marketer knows.

#include "dsl/grammar.h"

namespace consentflow::dsl::grammar {

struct errors {
  template <typename Rule>
  static constexpr const char* message = nullptr;
  // A message never turns an ordinary backtrack into an error; only must<> raises.
  template <typename Rule>
  static constexpr bool raise_on_failure = false;
};

#define CF_MESSAGE(rule, text) \
  template <>                  \
  inline constexpr const char* errors::message<rule> = text

// lines
CF_MESSAGE(item, "expected a declaration, a step or a branch");
CF_MESSAGE(item_end, "unexpected text after the end of the line; write one declaration or step per line");
// strings
CF_MESSAGE(plain_string_body,
           "this string has no closing '\"' on its line; use \"\"\" for text that spans lines");
CF_MESSAGE(triple_string_body, "this text has no closing \"\"\"");
// shared pieces
CF_MESSAGE(state_ref, "expected a state name after '->'");
CF_MESSAGE(target, "expected '->' and a state name");
CF_MESSAGE(words, "expected one or more quoted words, separated by commas");
CF_MESSAGE(word, "expected a quoted word after ','");
CF_MESSAGE(duration, "expected a duration such as '30 days' or '2 hours'");
CF_MESSAGE(duration_unit,
           "expected a time unit after the number: seconds, minutes, hours, days, weeks, months "
           "or years");
// declarations
CF_MESSAGE(flow_name, "expected the flow's name after 'flow' (lower-case letters, digits and _)");
CF_MESSAGE(version_number, "expected a whole number after 'version'");
CF_MESSAGE(entry_kind, "expected 'link', 'keyword', 'ad' or 'default' after 'entry'");
CF_MESSAGE(entry_code, "expected the quoted link code after 'entry link', e.g. \"SPRING24\"");
CF_MESSAGE(hooks_file, "expected the quoted name of a Lua file after 'hooks'");
CF_MESSAGE(purpose_name, "expected the purpose's name after 'purpose'");
CF_MESSAGE(purpose_description, "expected a quoted description of the purpose, as people will read it");
CF_MESSAGE(notice_name, "expected the notice's name after 'notice'");
CF_MESSAGE(notice_version, "expected the notice's version after its name, e.g. 'v1'");
CF_MESSAGE(notice_text, "expected the quoted notice text after 'text'");
CF_MESSAGE(granted_purposes, "expected the names of the purposes this notice grants");
CF_MESSAGE(granted_purpose, "expected a purpose name after ','");
CF_MESSAGE(accept_title, "expected the quoted title of the accept button");
CF_MESSAGE(decline_title, "expected the quoted title of the decline button");
CF_MESSAGE(field_name, "expected the field's name after 'field'");
CF_MESSAGE(field_type,
           "expected the field's type: text, email, phone, number, integer, date, yesno, choice or "
           "location");
CF_MESSAGE(text_max, "expected the maximum length after 'max', e.g. 'text max 80'");
CF_MESSAGE(range_dots, "expected '..' in the range, e.g. '0..100'");
CF_MESSAGE(range_max, "expected the upper bound of the range after '..'");
CF_MESSAGE(field_for, "expected 'for PURPOSE' after the field's type: every field needs a purpose");
CF_MESSAGE(field_purpose, "expected a purpose name after 'for'");
CF_MESSAGE(field_keep,
           "expected 'keep DURATION' after the purpose: every field needs a retention period, "
           "e.g. 'keep 30 days'");
CF_MESSAGE(handler_kind, "expected 'keyword', 'timeout' or 'withdraw' after 'on'");
CF_MESSAGE(state_name, "expected the state's name after 'state'");
// expressions
CF_MESSAGE(expression, "expected a condition inside the parentheses");
CF_MESSAGE(close_paren, "expected ')'");
CF_MESSAGE(set_open, "expected '(' after 'set', e.g. set(email)");
CF_MESSAGE(set_field, "expected a field name inside set( )");
CF_MESSAGE(right_operand, "expected a value after the comparison operator");
CF_MESSAGE(not_expr, "expected a condition after 'not'");
CF_MESSAGE(and_operand, "expected a condition after 'and'");
CF_MESSAGE(or_operand, "expected a condition after 'or'");
CF_MESSAGE(condition, "expected a condition after 'if', e.g. 'if budget > 5000 -> hot'");
// steps
CF_MESSAGE(say_text, "expected the quoted text to send after 'say'");
CF_MESSAGE(ask_field, "expected the field to store the answer in after 'ask'");
CF_MESSAGE(question, "expected the quoted question");
CF_MESSAGE(consent_notice, "expected the name of a notice after 'consent'");
CF_MESSAGE(hook_name, "expected the name of a hook function after 'call'");
CF_MESSAGE(written_fields, "expected the names of the fields the hook writes after 'writes'");
CF_MESSAGE(written_field, "expected a field name after ','");
CF_MESSAGE(queue_name, "expected the name of a queue after 'handoff'");
CF_MESSAGE(priority_level, "expected low, normal, high or urgent after 'priority'");
CF_MESSAGE(note_text, "expected the quoted note for the agent after 'note'");
// branches
CF_MESSAGE(invalid_text, "expected the quoted text to send when the answer is not valid");
CF_MESSAGE(retries_count, "expected how many times to ask again, e.g. 'retries 2 -> bye'");

#undef CF_MESSAGE

template <typename Rule>
using control = tao::pegtl::must_if<errors, tao::pegtl::normal, false>::control<Rule>;

}  // namespace consentflow::dsl::grammar
