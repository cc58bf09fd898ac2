#!/usr/bin/env bash
# The main job, from a fresh clone: install, build, check the example flows briefly (compile
# them, run their scripted conversations, write their graphs, record of processing and campaign
# links into build/), then run the demo: `consentflow serve --demo`, the example flows on a
# temporary SQLite database with the demo phone at /demo and the agent console at /console
# (docs/demo.md). Ctrl-C stops it. PORT=9000 bash scripts/run.sh picks another port.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
./build/consentflow check flows/*.flow
./build/consentflow test flows/
mkdir -p build/graphs
for flow in flows/*.flow; do
  ./build/consentflow graph "$flow" --format svg -o "build/graphs/$(basename "$flow" .flow).svg"
done
./build/consentflow inventory flows/*.flow > build/inventory.md
./build/consentflow links flows/campaigns/spring.csv --phone "+39 333 123 4567" --flows flows/ \
  --out build/links > /dev/null
echo "example flows: compiled and tested; graphs in build/graphs/, record of processing in build/inventory.md, campaign links in build/links/"
exec ./build/consentflow serve --demo --port "${PORT:-8080}"
