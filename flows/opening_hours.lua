-- Hooks for opening_hours.flow: route a chat by the help desk's opening hours.
--
-- Each hook gets ctx (ctx.fields, ctx.state, ctx.language, ctx:set) and returns the outcome that
-- picks the call's branch. os.time() and os.date() give the engine's clock, the time of the
-- customer's message, in UTC: so `consentflow test` can set the time with `wait`, and the answer
-- does not depend on the server's time zone. The hours below are in UTC.
-- The sandbox, its limits and the whole API: docs/hooks.md.

-- Opening hours by os.date's weekday number (1 = Sunday): from hour, to hour (exclusive).
local OPEN <const> = {
  [2] = {8, 17}, [3] = {8, 17}, [4] = {8, 17}, [5] = {8, 17}, [6] = {8, 15},
}
local DAY_NAMES <const> = {
  "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
}

local function is_open(t)
  local hours = OPEN[t.wday]
  return hours ~= nil and t.hour >= hours[1] and t.hour < hours[2]
end

-- route_by_hours: "open" while someone is at the desk, else "closed".
function route_by_hours(ctx)
  if is_open(os.date("*t")) then
    return "open"
  end
  return "closed"
end

-- next_opening: writes when the desk opens next ("Thursday 08:00 UTC") into call_at, for the
-- colleague who calls back, and answers "today", "tomorrow" or "later".
function next_opening(ctx)
  local now = os.time()
  local today = os.date("*t", now)
  local start_of_hour = now - now % 3600
  for ahead = 1, 24 * 7 do
    local t = os.date("*t", start_of_hour + ahead * 3600)
    if is_open(t) then
      ctx:set("call_at", string.format("%s %02d:00 UTC", DAY_NAMES[t.wday], t.hour))
      if t.yday == today.yday then return "today" end
      if t.yday == today.yday + 1 or (t.yday == 1 and today.month == 12 and today.day == 31) then
        return "tomorrow"
      end
      return "later"
    end
  end
  error("the opening hours table has no open hour in the coming week")
end
