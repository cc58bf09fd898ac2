#!/usr/bin/env bash
# ctest's browser_demo: the demo phone and the agent console end to end in headless Chromium
# (demo_test.mjs). Needs Node.js, npm and Debian's chromium (scripts/install-deps.sh installs
# chromium); installs playwright-core from the committed package-lock.json when missing. Fails,
# saying why, when any of them is missing: a browser test that cannot run must not pass.
#   run.sh CONSENTFLOW_BINARY SCREENSHOT_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "browser_demo: FAILED: $tool is not installed" >&2; exit 1; }
done
chromium="${CF_CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium" ] || { echo "browser_demo: FAILED: $chromium is missing (apt-get install chromium; scripts/install-deps.sh does)" >&2; exit 1; }
want=$(node -e 'console.log(require(process.argv[1]).packages["node_modules/playwright-core"].version)' "$here/package-lock.json")
have=$(node -e 'try { console.log(require(process.argv[1]).version) } catch { console.log("") }' "$here/node_modules/playwright-core/package.json")
if [ "$want" != "$have" ]; then
  echo "browser_demo: installing playwright-core $want (npm ci)"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) || { echo "browser_demo: FAILED: npm ci did not install playwright-core" >&2; exit 1; }
fi
rm -rf "$2"
exec node "$here/demo_test.mjs" "$1" "$2"
