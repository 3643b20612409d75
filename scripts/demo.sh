#!/usr/bin/env bash
# Installs the Debian packages, builds `tailor` (release preset) and serves a generated
# demo data set from ./demo-data on http://127.0.0.1:8080 (override: LISTEN=host:port).
# Prints the URL, an admin API key and curl lines to try. Ctrl-C stops it gracefully.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
cmake --preset release -DTAILOR_BUILD_TESTS=OFF -DTAILOR_BUILD_BENCH=OFF >/dev/null
cmake --build --preset release --target tailor
data=./demo-data
keyfile=./demo-data.key
if [ ! -d "$data" ]; then
  # The admin key of a new data dir: chosen here so this script can show it on every run.
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/^/tk_demo_/' > "$keyfile"
elif [ -f "$keyfile" ]; then
  echo "Reusing $data (delete it and $keyfile to start fresh). Admin API key: $(cat "$keyfile")"
fi
TAILOR_ADMIN_KEY="$(cat "$keyfile" 2>/dev/null || true)" \
  exec ./build/release/src/cli/tailor serve --data-dir "$data" --demo --listen "${LISTEN:-127.0.0.1:8080}"
