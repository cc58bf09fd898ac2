#pragma once

// The PEGTL grammar of the flow language: rules only, no actions (they live in parser.cc).
// Included by parser.cc, formatter.cc and the grammar tests; never by a public header.
//
// Layout: the language is line-oriented. A logical line holds one declaration, one step or
// one branch, then an optional comment. Only `"""` strings span several physical lines.
// Indentation carries no meaning, so every rule pads with blanks (space, tab) only.
// A rule eats the blanks inside itself, never leading or trailing ones (PEGTL's lua53 habit).

#include <tao/pegtl.hpp>

namespace consentflow::dsl::grammar {

namespace pg = tao::pegtl;

// clang-format off

// ---------------------------------------------------------------- lexical
// sp  ::= { ' ' | '\t' }
struct sp : pg::star<pg::blank> {};
// comment ::= '#' { any but newline }
struct comment : pg::seq<pg::one<'#'>, pg::star<pg::not_one<'\r', '\n'>>> {};
// line_end ::= sp [comment] (newline | end of file)
struct line_end : pg::seq<sp, pg::opt<comment>, pg::sor<pg::eol, pg::eof>> {};

struct identifier_first : pg::ranges<'a', 'z', '_'> {};
struct identifier_other : pg::ranges<'a', 'z', 'A', 'Z', '0', '9', '_'> {};
// identifier ::= [a-z_] [a-z0-9_]*   (capitals are rejected with their own message, in parser.cc)
struct identifier : pg::seq<identifier_first, pg::star<identifier_other>> {};

// key<"word">: the word, not followed by a letter, digit or '_', so `statement` is not `state`.
template <typename Str>
struct key : pg::seq<Str, pg::not_at<identifier_other>> {};

#define CF_KEY(name, word) struct kw_##name : key<TAO_PEGTL_STRING(word)> {}
CF_KEY(flow, "flow");          CF_KEY(version, "version");   CF_KEY(entry, "entry");
CF_KEY(link, "link");          CF_KEY(keyword, "keyword");   CF_KEY(ad, "ad");
CF_KEY(default_, "default");   CF_KEY(hooks, "hooks");       CF_KEY(purpose, "purpose");
CF_KEY(notice, "notice");      CF_KEY(text, "text");         CF_KEY(grants, "grants");
CF_KEY(accept, "accept");      CF_KEY(decline, "decline");   CF_KEY(field, "field");
CF_KEY(for_, "for");           CF_KEY(keep, "keep");         CF_KEY(max, "max");
CF_KEY(on, "on");              CF_KEY(timeout, "timeout");   CF_KEY(withdraw, "withdraw");
CF_KEY(state, "state");        CF_KEY(say, "say");           CF_KEY(ask, "ask");
CF_KEY(choose, "choose");      CF_KEY(consent, "consent");   CF_KEY(call, "call");
CF_KEY(writes, "writes");      CF_KEY(if_, "if");            CF_KEY(handoff, "handoff");
CF_KEY(priority, "priority");  CF_KEY(note, "note");         CF_KEY(end, "end");
CF_KEY(invalid, "invalid");    CF_KEY(retries, "retries");   CF_KEY(accepted, "accepted");
CF_KEY(declined, "declined");  CF_KEY(and_, "and");          CF_KEY(or_, "or");
CF_KEY(not_, "not");           CF_KEY(true_, "true");        CF_KEY(false_, "false");
CF_KEY(set, "set");
CF_KEY(email, "email");        CF_KEY(phone, "phone");       CF_KEY(number, "number");
CF_KEY(integer, "integer");    CF_KEY(date, "date");         CF_KEY(yesno, "yesno");
CF_KEY(choice, "choice");      CF_KEY(location, "location");
CF_KEY(low, "low");            CF_KEY(normal, "normal");     CF_KEY(high, "high");
CF_KEY(urgent, "urgent");
#undef CF_KEY

struct arrow : pg::string<'-', '>'> {};
struct comma : pg::one<','> {};

// Strings. The grammar only finds their ends; parser.cc decodes escapes, `{field}` references
// and the `"""` dedent, so that every problem inside a string gets its exact position.
// escaped ::= '\' any
struct escaped : pg::seq<pg::one<'\\'>, pg::not_one<'\r', '\n'>> {};
struct triple_quote : pg::string<'"', '"', '"'> {};
// triple_string ::= '"""' { escaped | any } '"""'
struct triple_string_body : pg::until<triple_quote, pg::sor<escaped, pg::any>> {};
struct triple_string : pg::if_must<triple_quote, triple_string_body> {};
// plain_string ::= '"' { escaped | any but '"' and newline } '"'
struct plain_string_body : pg::until<pg::one<'"'>, pg::sor<escaped, pg::not_one<'\r', '\n'>>> {};
struct plain_string : pg::if_must<pg::one<'"'>, plain_string_body> {};
struct string_literal : pg::sor<triple_string, plain_string> {};

// number ::= ['-'] digits ['.' digits]
struct number : pg::seq<pg::opt<pg::one<'-'>>, pg::plus<pg::digit>,
                        pg::opt<pg::one<'.'>, pg::plus<pg::digit>>> {};
struct integer : pg::plus<pg::digit> {};

// duration ::= integer unit      units: second(s) minute(s) min hour(s) h day(s) d week(s) month(s) year(s)
template <char... Cs> struct unit : key<pg::string<Cs...>> {};
struct unit_seconds : pg::sor<unit<'s','e','c','o','n','d','s'>, unit<'s','e','c','o','n','d'>> {};
struct unit_minutes : pg::sor<unit<'m','i','n','u','t','e','s'>, unit<'m','i','n','u','t','e'>,
                              unit<'m','i','n'>> {};
struct unit_hours : pg::sor<unit<'h','o','u','r','s'>, unit<'h','o','u','r'>, unit<'h'>> {};
struct unit_days : pg::sor<unit<'d','a','y','s'>, unit<'d','a','y'>, unit<'d'>> {};
struct unit_weeks : pg::sor<unit<'w','e','e','k','s'>, unit<'w','e','e','k'>> {};
struct unit_months : pg::sor<unit<'m','o','n','t','h','s'>, unit<'m','o','n','t','h'>> {};
struct unit_years : pg::sor<unit<'y','e','a','r','s'>, unit<'y','e','a','r'>> {};
struct duration_unit : pg::sor<unit_seconds, unit_minutes, unit_hours, unit_days, unit_weeks,
                               unit_months, unit_years> {};
struct duration_amount : integer {};
struct duration : pg::seq<duration_amount, sp, pg::must<duration_unit>> {};

// ---------------------------------------------------------------- shared pieces
// Each place a name or string may stand gets its own rule, so the parser knows what it holds
// and each failure gets its own message (grammar_errors.h).
struct state_ref : identifier {};
// target ::= '->' state_ref
struct target : pg::if_must<arrow, sp, state_ref> {};
// words ::= string { ',' string }
struct word : string_literal {};
struct words : pg::list_must<word, comma, pg::blank> {};

// ---------------------------------------------------------------- declarations
// flow_decl ::= 'flow' identifier [string]
struct flow_name : identifier {};
struct flow_title : string_literal {};
struct flow_decl : pg::if_must<kw_flow, sp, flow_name, sp, pg::opt<flow_title>> {};
// version_decl ::= 'version' integer
struct version_number : integer {};
struct version_decl : pg::if_must<kw_version, sp, version_number> {};
// entry_decl ::= 'entry' ( 'link' string | 'keyword' words | 'ad' [string] | 'default' )
struct entry_code : string_literal {};
struct entry_link : pg::if_must<kw_link, sp, entry_code> {};
struct entry_keyword : pg::if_must<kw_keyword, sp, words> {};
struct ad_source : string_literal {};
struct entry_ad : pg::seq<kw_ad, pg::opt<sp, ad_source>> {};
struct entry_default : kw_default_ {};
struct entry_kind : pg::sor<entry_link, entry_keyword, entry_ad, entry_default> {};
struct entry_decl : pg::if_must<kw_entry, sp, entry_kind> {};
// hooks_decl ::= 'hooks' string
struct hooks_file : string_literal {};
struct hooks_decl : pg::if_must<kw_hooks, sp, hooks_file> {};
// purpose_decl ::= 'purpose' identifier string
struct purpose_name : identifier {};
struct purpose_description : string_literal {};
struct purpose_decl : pg::if_must<kw_purpose, sp, purpose_name, sp, purpose_description> {};
// notice_decl ::= 'notice' identifier 'v' integer
struct notice_name : identifier {};
struct notice_version : pg::seq<pg::one<'v'>, integer, pg::not_at<identifier_other>> {};
struct notice_decl : pg::if_must<kw_notice, sp, notice_name, sp, notice_version> {};
// notice details: 'text' string | 'grants' identifier {',' identifier} | 'accept' string | 'decline' string
struct notice_text : string_literal {};
struct notice_text_line : pg::if_must<kw_text, sp, notice_text> {};
struct granted_purpose : identifier {};
struct granted_purposes : pg::list_must<granted_purpose, comma, pg::blank> {};
struct grants_line : pg::if_must<kw_grants, sp, granted_purposes> {};
struct accept_title : string_literal {};
struct accept_line : pg::if_must<kw_accept, sp, accept_title> {};
struct decline_title : string_literal {};
struct decline_line : pg::if_must<kw_decline, sp, decline_title> {};
// field_decl ::= 'field' identifier type 'for' identifier 'keep' duration
//   type ::= 'text' ['max' integer] | 'number' [range] | 'integer' [range] | 'email' | 'phone'
//          | 'date' | 'yesno' | 'choice' | 'location'
//   range ::= number '..' number
struct field_name : identifier {};
struct text_max : integer {};
struct type_text : pg::seq<kw_text, pg::opt<sp, kw_max, sp, pg::must<text_max>>> {};
struct range_min : number {};
struct range_max : number {};
struct range_dots : pg::string<'.', '.'> {};
struct range : pg::if_must<range_min, range_dots, range_max> {};
struct type_number : pg::seq<kw_number, pg::opt<sp, range>> {};
struct type_integer : pg::seq<kw_integer, pg::opt<sp, range>> {};
struct type_email : kw_email {};
struct type_phone : kw_phone {};
struct type_date : kw_date {};
struct type_yesno : kw_yesno {};
struct type_choice : kw_choice {};
struct type_location : kw_location {};
struct field_type : pg::sor<type_text, type_number, type_integer, type_email, type_phone, type_date,
                            type_yesno, type_choice, type_location> {};
struct field_purpose : identifier {};
struct field_for : kw_for_ {};
struct field_keep : kw_keep {};
struct field_decl : pg::if_must<kw_field, sp, field_name, sp, field_type, sp, field_for, sp,
                                field_purpose, sp, field_keep, sp, duration> {};
// on_decl ::= 'on' ( 'keyword' words | 'timeout' duration | 'withdraw' ) target
struct on_keyword : pg::if_must<kw_keyword, sp, words, sp, target> {};
struct on_timeout : pg::if_must<kw_timeout, sp, duration, sp, target> {};
struct on_withdraw : pg::if_must<kw_withdraw, sp, target> {};
struct handler_kind : pg::sor<on_keyword, on_timeout, on_withdraw> {};
struct on_decl : pg::if_must<kw_on, sp, handler_kind> {};
// state_decl ::= 'state' identifier
struct state_name : identifier {};
struct state_decl : pg::if_must<kw_state, sp, state_name> {};

// ---------------------------------------------------------------- expressions (of `if`)
// expression ::= and_expr { 'or' and_expr }
// and_expr   ::= not_expr { 'and' not_expr }
// not_expr   ::= 'not' not_expr | comparison
// comparison ::= operand [ compare_op operand ]
// operand    ::= '(' expression ')' | 'set' '(' identifier ')' | 'true' | 'false' | number
//              | string | identifier
struct expression;
struct close_paren : pg::one<')'> {};
struct paren_expr : pg::if_must<pg::one<'('>, sp, expression, sp, close_paren> {};
struct set_field : identifier {};
struct set_open : pg::one<'('> {};
struct set_call : pg::if_must<kw_set, sp, set_open, sp, set_field, sp, close_paren> {};
struct bool_true : kw_true_ {};
struct bool_false : kw_false_ {};
struct number_operand : number {};
struct string_operand : string_literal {};
struct field_operand : identifier {};
struct operand : pg::sor<paren_expr, set_call, bool_true, bool_false, number_operand,
                         string_operand, field_operand> {};
struct op_eq : pg::string<'=', '='> {};
struct op_ne : pg::string<'!', '='> {};
struct op_le : pg::string<'<', '='> {};
struct op_ge : pg::string<'>', '='> {};
struct op_lt : pg::one<'<'> {};
struct op_gt : pg::seq<pg::one<'>'>, pg::not_at<pg::one<'>'>>> {};
struct compare_op : pg::sor<op_eq, op_ne, op_le, op_ge, op_lt, op_gt> {};
struct right_operand : operand {};
struct comparison : pg::seq<operand, pg::opt<sp, compare_op, sp, pg::must<right_operand>>> {};
struct not_expr;
struct negation : pg::if_must<kw_not_, sp, not_expr> {};
struct not_expr : pg::sor<negation, comparison> {};
struct and_operand : not_expr {};
struct and_expr : pg::seq<not_expr, pg::star<sp, kw_and_, sp, pg::must<and_operand>>> {};
struct or_operand : and_expr {};
struct expression : pg::seq<and_expr, pg::star<sp, kw_or_, sp, pg::must<or_operand>>> {};
struct condition : expression {};

// ---------------------------------------------------------------- steps
// say_step     ::= 'say' string
struct say_text : string_literal {};
struct say_step : pg::if_must<kw_say, sp, say_text> {};
// ask_step     ::= 'ask' identifier string
struct ask_field : identifier {};
struct question : string_literal {};
struct ask_step : pg::if_must<kw_ask, sp, ask_field, sp, question> {};
// choose_step  ::= 'choose' [identifier] string
struct choose_field : identifier {};
struct choose_step : pg::if_must<kw_choose, sp, pg::opt<choose_field, sp>, question> {};
// consent_step ::= 'consent' identifier
struct consent_notice : identifier {};
struct consent_step : pg::if_must<kw_consent, sp, consent_notice> {};
// call_step    ::= 'call' identifier ['writes' identifier {',' identifier}]
struct hook_name : identifier {};
struct written_field : identifier {};
struct written_fields : pg::list_must<written_field, comma, pg::blank> {};
struct call_writes : pg::if_must<kw_writes, sp, written_fields> {};
struct call_step : pg::if_must<kw_call, sp, hook_name, pg::opt<sp, call_writes>> {};
// if_step      ::= 'if' expression target
struct if_step : pg::if_must<kw_if_, sp, condition, sp, target> {};
// goto_step    ::= target
struct goto_step : target {};
// handoff_step ::= 'handoff' identifier ['priority' level] ['note' string]
struct queue_name : identifier {};
struct priority_low : kw_low {};
struct priority_normal : kw_normal {};
struct priority_high : kw_high {};
struct priority_urgent : kw_urgent {};
struct priority_level : pg::sor<priority_low, priority_normal, priority_high, priority_urgent> {};
struct handoff_priority : pg::if_must<kw_priority, sp, priority_level> {};
struct note_text : string_literal {};
struct handoff_note : pg::if_must<kw_note, sp, note_text> {};
struct handoff_step : pg::if_must<kw_handoff, sp, queue_name, pg::opt<sp, handoff_priority>,
                                  pg::opt<sp, handoff_note>> {};
// end_step     ::= 'end'
struct end_step : kw_end {};

// ---------------------------------------------------------------- branches
// invalid_branch ::= 'invalid' string
struct invalid_text : string_literal {};
struct invalid_branch : pg::if_must<kw_invalid, sp, invalid_text> {};
// retries_branch ::= 'retries' integer target
struct retries_count : integer {};
struct retries_branch : pg::if_must<kw_retries, sp, retries_count, sp, target> {};
// timeout_branch ::= 'timeout' duration target
struct timeout_branch : pg::if_must<kw_timeout, sp, duration, sp, target> {};
// accepted_branch ::= 'accepted' target ;  declined_branch ::= 'declined' target
struct accepted_branch : pg::if_must<kw_accepted, sp, target> {};
struct declined_branch : pg::if_must<kw_declined, sp, target> {};
// option_branch ::= string target
struct option_title : string_literal {};
struct option_branch : pg::if_must<option_title, sp, target> {};

// ---------------------------------------------------------------- lines
struct declaration : pg::sor<flow_decl, version_decl, entry_decl, hooks_decl, purpose_decl,
                             notice_decl, field_decl, on_decl, state_decl> {};
struct notice_detail : pg::sor<notice_text_line, grants_line, accept_line, decline_line> {};
struct step : pg::sor<say_step, ask_step, choose_step, consent_step, call_step, if_step, goto_step,
                      handoff_step, end_step> {};
struct branch : pg::sor<invalid_branch, retries_branch, timeout_branch, accepted_branch,
                        declined_branch, option_branch> {};
struct item : pg::sor<declaration, notice_detail, step, branch> {};
struct item_end : line_end {};
// line ::= sp ( line_end | item line_end )
struct line : pg::seq<sp, pg::sor<line_end, pg::seq<pg::must<item>, pg::must<item_end>>>> {};
// file ::= [BOM] { line } end of file
struct bom : pg::opt<pg::utf8::bom> {};
struct file : pg::seq<bom, pg::until<pg::eof, line>> {};

// clang-format on

}  // namespace consentflow::dsl::grammar
