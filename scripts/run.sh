#!/usr/bin/env bash
# The main job, from a fresh clone: install, build, compile every example flow, run each flow's
# scripted conversations through the engine on SQLite, print the record of processing and draw
# the state graphs into build/graphs/. (The webhook server arrives with the WhatsApp channel;
# until then this is what runs. To talk to a flow yourself: ./build/consentflow chat FLOW.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
./build/consentflow check flows/*.flow
./build/consentflow test flows/
mkdir -p build/graphs
for flow in flows/*.flow; do
  name=$(basename "$flow" .flow)
  ./build/consentflow graph "$flow" --format svg -o "build/graphs/$name.svg"
done
./build/consentflow inventory flows/*.flow
./build/consentflow links flows/campaigns/spring.csv --phone "+39 333 123 4567" --flows flows/ --out build/links
echo "state graphs: $(ls build/graphs/*.svg | tr '\n' ' ')"
echo "talk to a flow as a customer would: ./build/consentflow chat flows/spring_leads.flow"
