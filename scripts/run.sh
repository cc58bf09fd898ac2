#!/usr/bin/env bash
# The main job, from a fresh clone: install, build, then compile every example flow, print its
# record of processing and draw its state graph into build/graphs/.
# (The webhook server arrives with the WhatsApp channel; until then this is what runs.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
./build/consentflow check flows/*.flow
mkdir -p build/graphs
for flow in flows/*.flow; do
  name=$(basename "$flow" .flow)
  ./build/consentflow graph "$flow" --format svg -o "build/graphs/$name.svg"
done
./build/consentflow inventory flows/*.flow
echo "state graphs: $(ls build/graphs/*.svg | tr '\n' ' ')"
