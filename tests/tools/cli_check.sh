# The harness of the command-line tests (cli_test.sh, links_cli_test.sh), sourced by each:
# a scratch folder `$work` removed on exit, `check NAME COMMAND...` counting what passes and
# printing what fails, and `finish`, which prints the counts and fails when anything failed.
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

finish() {  # the last command of a test script: its exit status is the script's
  echo "$passed passed, $failed failed"
  test "$failed" -eq 0
}
