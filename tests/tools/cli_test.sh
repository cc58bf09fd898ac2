#!/usr/bin/env bash
# End-to-end tests of the `consentflow` command line: exit statuses, output shapes, files written.
# Usage: cli_test.sh PATH/TO/consentflow SOURCE_DIR
set -uo pipefail
cf=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

check() {  # check NAME CONDITION-COMMAND...
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $name"
  fi
}

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

echo "$passed passed, $failed failed"
test "$failed" -eq 0
