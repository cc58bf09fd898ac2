#!/usr/bin/env bash
# End-to-end tests of the `consentflow` command line: exit statuses, output shapes, files written.
# Usage: cli_test.sh PATH/TO/consentflow SOURCE_DIR
set -uo pipefail
cf=$1
src=$2
# shellcheck source=cli_check.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_check.sh"

# check: clean flows exit 0 and say ok; a bad flow exits 1 with GCC-style diagnostics on stderr.
"$cf" check "$src"/flows/*.flow >"$work/out" 2>"$work/err"
check "check of the examples exits 0" test $? -eq 0
check "check says ok per flow" test "$(grep -c ': ok: ' "$work/out")" -eq "$(ls "$src"/flows/*.flow | wc -l)"
"$cf" check "$src/tests/testdata/flows/bad/consent_loop.flow" >"$work/out" 2>"$work/err"
check "check of a bad flow exits 1" test $? -eq 1
check "diagnostics are file:line:column: error:" grep -q "consent_loop.flow:20:7: error: field 'email'" "$work/err"
check "diagnostics carry a caret" grep -q '^     |       ^$' "$work/err"

# --json: machine-readable diagnostics with code, line and column.
"$cf" check --json "$src/tests/testdata/flows/bad/consent_loop.flow" >"$work/json" 2>/dev/null
check "check --json exits 1 on errors" test $? -eq 1
check "--json names the code" grep -q '"code": "consent-before-capture"' "$work/json"
check "--json gives the line" grep -q '"line": 20' "$work/json"

# --werror: warnings fail the check.
cat >"$work/warn.flow" <<'FLOW'
flow warn
purpose spare "never used"
state start
  end
FLOW
"$cf" check "$work/warn.flow" >/dev/null 2>&1
check "warnings alone exit 0" test $? -eq 0
"$cf" check --werror "$work/warn.flow" >/dev/null 2>&1
check "--werror makes warnings fail" test $? -eq 1

# --emit writes the compiled machine.
"$cf" check --emit "$work/machine.json" "$src/flows/spring_leads.flow" >/dev/null 2>&1
check "--emit exits 0" test $? -eq 0
check "--emit writes the format version" grep -q '"format_version": 1' "$work/machine.json"
check "--emit writes the states" grep -q '"newsletter_offer"' "$work/machine.json"

# A file that does not exist is refused before anything runs.
"$cf" check "$work/missing.flow" >/dev/null 2>&1
check "a missing file fails" test $? -ne 0

# graph: DOT and Mermaid on stdout.
"$cf" graph "$src/flows/spring_leads.flow" >"$work/g.dot" 2>/dev/null
check "graph exits 0" test $? -eq 0
check "graph writes DOT" grep -q '^digraph' "$work/g.dot"
"$cf" graph --format mermaid "$src/flows/spring_leads.flow" >"$work/g.mmd" 2>/dev/null
check "graph --format mermaid" grep -q '^flowchart TD' "$work/g.mmd"
if command -v dot >/dev/null 2>&1; then
  "$cf" graph --format svg -o "$work/g.svg" "$src/flows/spring_leads.flow" 2>/dev/null
  check "graph --format svg writes an SVG" grep -q '<svg' "$work/g.svg"
fi
"$cf" graph "$src/tests/testdata/flows/bad/types.flow" >/dev/null 2>&1
check "graph of a bad flow fails" test $? -eq 1

# inventory: Markdown and JSON.
"$cf" inventory "$src"/flows/*.flow >"$work/inv.md" 2>/dev/null
check "inventory exits 0" test $? -eq 0
check "inventory is a Markdown table with the email field" grep -q '| *email *|' "$work/inv.md"
"$cf" inventory --json "$src/flows/spring_leads.flow" >"$work/inv.json" 2>/dev/null
check "inventory --json names the purpose" grep -q '"offer"' "$work/inv.json"

# fmt: rewrites in place, --check reports, and a formatted file is a fixed point.
printf 'flow f\nstate start\n      say   "hi"   # greet\n   end\n' >"$work/messy.flow"
"$cf" fmt --check "$work/messy.flow" >/dev/null 2>&1
check "fmt --check fails on a messy file" test $? -eq 1
"$cf" fmt "$work/messy.flow"
check "fmt rewrites the file" test "$(cat "$work/messy.flow")" = $'flow f\nstate start\n  say "hi"  # greet\n  end'
"$cf" fmt --check "$work/messy.flow" >/dev/null 2>&1
check "fmt --check passes after fmt" test $? -eq 0
printf 'flow f\nstate start\n  say "unterminated\n' >"$work/broken.flow"
cp "$work/broken.flow" "$work/broken.orig"
"$cf" fmt "$work/broken.flow" >/dev/null 2>&1
check "fmt refuses a file with a syntax error" test $? -eq 1
check "fmt leaves a broken file untouched" cmp -s "$work/broken.flow" "$work/broken.orig"

# The examples marketers copy are laid out canonically.
"$cf" fmt --check "$src"/flows/*.flow "$src"/tests/testdata/flows/good/*.flow >"$work/out" 2>&1
check "every example flow is formatted (run consentflow fmt)" test $? -eq 0

# help lists the subcommands.
"$cf" help >"$work/help"
check "help lists check, graph, inventory and fmt" grep -q 'inventory' "$work/help"
check "help lists chat, test and ledger" grep -q 'ledger' "$work/help"

# chat: a conversation piped in; numbers tap choices, /commands inspect the engine.
printf 'Hi, I saw SPRING24\n1\nLena\n/fields\n/consents\n/say 1\n/wait 3h\n/state\n/ledger\nSTOP\n/fields\n/bogus\n' |
  "$cf" chat "$src/flows/spring_leads.flow" >"$work/chat.out" 2>&1
check "chat exits 0 at end of input" test $? -eq 0
check "chat prints the bot's messages" grep -q '^bot: Hi, welcome to Altitude Adventure Holidays!$' "$work/chat.out"
check "chat numbers the buttons" grep -q '^  \[1\] I agree  \[2\] No thanks$' "$work/chat.out"
check "chat echoes piped input" grep -q '^you: Lena$' "$work/chat.out"
check "typing 1 tapped I agree" grep -q "^bot: What's your name?$" "$work/chat.out"
check "/fields shows the value and its expiry" grep -q '^name = Lena  (for offer, stored 2026-01-01 00:00 UTC, erased 2026-01-31 00:00 UTC)$' "$work/chat.out"
check "/consents shows the active consent" grep -q '^privacy v2: granted 2026-01-01 00:00 UTC for offer$' "$work/chat.out"
check "/say 1 sends the text (an email answer that is not valid)" grep -q "^bot: Hmm, that doesn't look like an email address" "$work/chat.out"
check "/wait moves the clock" grep -q '^(it is now 2026-01-01 03:00 UTC)$' "$work/chat.out"
check "the timeout nudged during the wait" grep -q "^bot: Still there? Just reply when you're ready.$" "$work/chat.out"
check "/state names the state" grep -q '^state: details (waiting for your answer)$' "$work/chat.out"
check "/ledger verifies the chain" grep -q '^chain: verifies (1 entries)$' "$work/chat.out"
check "STOP withdraws" grep -q '^bot: Done: your consent is withdrawn' "$work/chat.out"
check "/fields after STOP is empty" grep -q '^(no fields stored)$' "$work/chat.out"
check "an unknown command is named" grep -q '^(unknown command /bogus; /help lists them)$' "$work/chat.out"

# chat: hooks run for real (the flow's Lua file); --hook scripts an outcome instead.
printf 'ski\nI agree\nLena\nlena@example.com\nSkiing\n9000\n/state\n' |
  "$cf" chat "$src/flows/spring_leads.flow" >"$work/chat.out" 2>&1
check "chat runs the real Lua hook" grep -q '^state: hot_lead (with an agent in queue sales, priority high' "$work/chat.out"
printf 'ski\nI agree\nLena\nlena@example.com\nSkiing\n9000\n/state\n' |
  "$cf" chat --hook score_lead=cold "$src/flows/spring_leads.flow" >"$work/chat.out" 2>&1
check "chat --hook scripts the outcome" grep -q '^bot: Would you also like our monthly newsletter?' "$work/chat.out"

# chat --db keeps the conversation between runs; ledger verify checks the file's chain.
printf 'SPRING24\n1\n' | "$cf" chat --db "$work/chat.db" "$src/flows/spring_leads.flow" >/dev/null 2>&1
printf '/consents\nLena\n/fields\n' | "$cf" chat --db "$work/chat.db" "$src/flows/spring_leads.flow" >"$work/chat.out" 2>&1
check "chat --db remembers the consent" grep -q '^privacy v2: granted' "$work/chat.out"
check "chat --db continues the conversation" grep -q '^name = Lena' "$work/chat.out"
"$cf" ledger verify "$work/chat.db" >"$work/ledger.out" 2>&1
check "ledger verify exits 0 on an intact chain" test $? -eq 0
check "ledger verify counts the entries" grep -q '^ledger ok: 1 entries$' "$work/ledger.out"
if command -v sqlite3 >/dev/null 2>&1; then
  sqlite3 "$work/chat.db" "DROP TRIGGER ledger_no_update; UPDATE ledger SET decision = 'declined' WHERE sequence = 1;"
  "$cf" ledger verify "$work/chat.db" >"$work/ledger.out" 2>&1
  check "ledger verify exits 1 on a changed entry" test $? -eq 1
  check "ledger verify names the broken entry" grep -q 'ledger broken at entry 1: its content does not match its hash' "$work/ledger.out"
fi

# test: a passing and a failing .test file; failures are file:line, the summary is last.
mkdir -p "$work/tests"
cp "$src/flows/newsletter.flow" "$work/tests/"
cat >"$work/tests/a_pass.test" <<'TEST'
flow newsletter.flow
test "yes"
  customer: newsletter
  customer taps: Yes, sign me up
  consent whatsapp_optin is granted
TEST
cat >"$work/tests/b_fail.test" <<'TEST'
flow newsletter.flow
test "greeting"
  customer: newsletter
  bot: Hello!
test "still runs"
  customer: newsletter
  bot: Hi from Greenleaf...
TEST
"$cf" test "$work/tests/a_pass.test" >"$work/test.out" 2>&1
check "test exits 0 when all pass" test $? -eq 0
check "test ends with the summary" test "$(tail -n 1 "$work/test.out")" = "1 passed, 0 failed"
"$cf" test "$work/tests" >"$work/test.out" 2>&1
check "test exits 1 on a failure" test $? -eq 1
check "test prints file:line: expected ..., got ..." grep -q "^$work/tests/b_fail.test:4: expected bot message \"Hello!\", got \"Hi from Greenleaf Garden Centre! 🌱\"$" "$work/test.out"
check "test goes on after a failure" grep -q '^PASS  .*b_fail.test:5: still runs$' "$work/test.out"
check "test of a folder sums every file" test "$(tail -n 1 "$work/test.out")" = "2 passed, 1 failed"
printf 'flow newsletter.flow\ntest "x"\n  costumer: hi\n' >"$work/tests/c_syntax.test"
"$cf" test "$work/tests/c_syntax.test" >"$work/test.out" 2>&1
check "test exits 1 on a syntax error" test $? -eq 1
check "syntax errors are file:line:column" grep -q "c_syntax.test:3:3: error: unknown step 'costumer'; did you mean 'customer'?" "$work/test.out"

finish
