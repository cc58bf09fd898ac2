-- Hooks for spring_leads.flow.
--
-- The engine calls a hook with one table: the fields the conversation holds at that point
-- (for spring_leads: name, email, interest, budget). The string the hook returns picks the
-- `call` step's branch; a string with no branch continues with the next step.
--
-- Only functions are defined at the top level: the compiler loads this file to see which
-- hooks exist, with no libraries available, so nothing may run at load time.

-- score_lead: a budget of 5000 EUR or more makes a "hot" lead that goes straight to sales;
-- anything else (or no usable budget) is "cold" and gets the newsletter offer.
function score_lead(fields)
  local hot_from_eur = 5000
  local budget = tonumber(fields.budget)
  if budget ~= nil and budget >= hot_from_eur then
    return "hot"
  end
  return "cold"
end
