#!/usr/bin/env bash
# Installs everything consentflow needs to build, run and test, from Debian 12's packages.
# Idempotent: apt-get skips what is already there. Used by the README's commands and by CI.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config git
  # the flow language
  tao-pegtl-dev libcli11-dev nlohmann-json3-dev
  # Lua hooks (the C++ build of Lua 5.4: Lua errors unwind as C++ exceptions)
  liblua5.4-dev
  # the engine: its store (SQLite) and the consent ledger's hashes (OpenSSL)
  libsqlite3-dev libssl-dev
  # the WhatsApp channel: HTTP server and client (Boost.Beast 1.81), configuration (toml++),
  # agent passwords (libsodium), /metrics (prometheus-cpp core)
  libboost1.81-dev libtomlplusplus-dev libsodium-dev prometheus-cpp-dev
  # the server's allocator (tcmalloc, from gperftools)
  libgoogle-perftools-dev
  # tests, benchmarks, the fuzz target (clang + libFuzzer runtime), graph rendering
  libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev graphviz
  # click-to-chat links: QR codes (libqrencode), PNG files (libpng); the tests decode them with
  # zbarimg (zbar-tools) and render the SVGs with rsvg-convert (librsvg2-bin)
  libqrencode-dev libpng-dev zbar-tools librsvg2-bin
  # the browser test of the demo phone and the agent console (tests/browser: headless Chromium
  # driven by playwright-core, which the test installs with npm ci; Node.js and npm come with
  # the machine, or from Debian's nodejs and npm packages)
  chromium
)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
    echo "install-deps: run as root or install sudo" >&2; exit 1
  fi
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm for the browser test, from Debian only when the machine has none of its own.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
