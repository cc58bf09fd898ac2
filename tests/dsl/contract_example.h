#pragma once

// The complete example of the flow-language contract (shared/flow-language.md), verbatim, as
// its authors laid it out by hand. flows/spring_leads.flow holds the same flow, formatted.

#include <string_view>

namespace consentflow::dsl::testing {

inline constexpr std::string_view kContractExample = R"flow(flow spring_leads "Spring campaign: ski and hiking offers"
version 3

entry link "SPRING24"          # wa.me link / QR code whose prefilled text carries SPRING24
entry ad                        # Click-to-WhatsApp ad referrals
entry keyword "ski", "hiking"   # first message contains one of these words

hooks "spring_leads.lua"

purpose offer  "send you the offer you asked for"
purpose news   "send you our monthly newsletter"

notice privacy v2
  text """
    Hi! Before we start: we store your name and email only to {purposes},
    and delete them after 30 days. Details: https://altitude.example/privacy
    """
  grants offer
  accept "I agree"
  decline "No thanks"

notice newsletter v1
  text "Would you also like our monthly newsletter? You can write STOP at any time."
  grants news
  accept "Yes please"
  decline "No"

field name      text max 80     for offer   keep 30 days
field email     email           for offer   keep 30 days
field interest  choice          for offer   keep 30 days
field budget    number 0..100000 for offer  keep 30 days

on keyword "agent", "human" -> talk_to_human
on timeout 2 hours -> nudge

state start
  say "Hi, welcome to Altitude Adventure Holidays!"
  consent privacy
    accepted -> details
    declined -> bye

state details
  ask name "What's your name?"
  ask email "Thanks {name}! Where should we send the offer?"
    invalid "Hmm, that doesn't look like an email address. Could you check it?"
    retries 2 -> bye
  choose interest "What are you interested in?"
    "Skiing" -> ski
    "Hiking" -> hike

state ski
  ask budget "Roughly what budget do you have in mind (EUR)?"
  call score_lead writes budget
    "hot" -> hot_lead
    "cold" -> newsletter_offer
  -> newsletter_offer

state hot_lead
  handoff sales priority high note "Hot ski lead: {name}, budget {budget}"

state hike
  ask budget "Roughly what budget do you have in mind (EUR)?"
  if budget > 5000 -> hot_lead
  -> newsletter_offer

state newsletter_offer
  consent newsletter
    accepted -> thanks
    declined -> thanks

state thanks
  say "Thanks {name}, the offer is on its way to {email}."
  end

state talk_to_human
  handoff support note "Asked for a person"

state nudge
  say "Still there? Just reply when you're ready."
  -> start

state bye
  say "No problem. We have not stored anything about you."
  end
)flow";

}  // namespace consentflow::dsl::testing
