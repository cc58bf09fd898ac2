-- Hooks for spring_leads.flow.
--
-- A hook gets ctx: ctx.fields holds the fields the conversation holds with consent at that point
-- (for spring_leads: name, email, interest, budget), as text. The string the hook returns picks
-- the `call` step's branch; a string with no branch continues with the next step.
-- The sandbox, its limits and the whole API: docs/hooks.md.

-- score_lead: a budget of 5000 EUR or more makes a "hot" lead that goes straight to sales;
-- anything else (or no usable budget) is "cold" and gets the newsletter offer.
function score_lead(ctx)
  local hot_from_eur = 5000
  local budget = tonumber(ctx.fields.budget)
  if budget ~= nil and budget >= hot_from_eur then
    return "hot"
  end
  return "cold"
end
