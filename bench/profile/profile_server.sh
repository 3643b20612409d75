#!/usr/bin/env bash
# Profiles `tailor serve` under load with perf: starts a server on a fresh temp data dir
# (bench/load/lib.sh), applies the benchmark schemas (plus CONFIG_DIR's files), drives it
# with the load generator for WHAT (ingest or decide), records SECONDS of it with
# `perf record -g -F 1999`, and writes OUT.data, OUT.load (the load generator's line) and
# OUT.txt (bench/profile/perf_agg.py's summary).
#
# Usage: bench/profile/profile_server.sh BUILD_DIR ingest|decide|healthz OUT [SECONDS]
#   BUILD_DIR: a build with frame pointers, e.g.
#     cmake -S . -B build/fp -G Ninja -DCMAKE_BUILD_TYPE=Release -DTAILOR_BUILD_TESTS=OFF \
#       -DCMAKE_CXX_FLAGS="-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer"
#     cmake --build build/fp -j2 --target tailor tailor_loadgen tailor_decide_load
# Environment: CONFIG_DIR [unset; decide always adds bench/load/config-decide]
#   CONNECTIONS [ingest 2, decide 8]  USERS [10000]  HTTP_THREADS [2]
#   EVENT_IDS [ordered] ingest: ordered or random (tailor_loadgen --event-ids)
# Needs `perf` (Debian package linux-perf) and root or kernel.perf_event_paranoid <= 1.
set -euo pipefail

if [[ $# -lt 3 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
BUILD_DIR=$(cd "$1" && pwd)
WHAT=$2
OUT=$(realpath -m "$3")
SECS=${4:-6}
HERE=$(cd "$(dirname "$0")" && pwd)
TAILOR="$BUILD_DIR/src/cli/tailor"
LOADGEN="$BUILD_DIR/bench/tailor_loadgen"
DECIDE="$BUILD_DIR/bench/tailor_decide_load"
USERS=${USERS:-10000}
HTTP_THREADS=${HTTP_THREADS:-2}
command -v perf >/dev/null || { echo "error: perf not found; apt-get install linux-perf" >&2; exit 2; }
case "$WHAT" in
  ingest) CONNECTIONS=${CONNECTIONS:-2} ;;
  decide | healthz) CONNECTIONS=${CONNECTIONS:-8} ;;
  *) echo "error: WHAT must be ingest, decide or healthz" >&2; exit 2 ;;
esac

source "$HERE/../load/lib.sh"
setup_work profile
mkdir -p "$WORK/config"
"$LOADGEN" --print-config >"$WORK/config/bench.json"
if [[ -n "${CONFIG_DIR:-}" ]]; then cp "$CONFIG_DIR"/*.yaml "$WORK/config/"; fi
if [[ "$WHAT" != ingest ]]; then cp "$HERE/../load/config-decide/decide.yaml" "$WORK/config/"; fi
start_server main --sync-writes=false

if [[ "$WHAT" == ingest ]]; then
  "$LOADGEN" --url "$URL" --key "$TAILOR_ADMIN_KEY" --connections "$CONNECTIONS" \
    --duration $((SECS + 3)) --warmup 1 --users "$USERS" --event-ids "${EVENT_IDS:-ordered}" >"$OUT.load" &
else
  # People first (as run_decide_load.sh loads them), then the decisions.
  "$LOADGEN" --url "$URL" --key "$TAILOR_ADMIN_KEY" --connections 2 --duration 4 --warmup 0 \
    --users "$USERS" --templates $((USERS / 10)) >/dev/null
  "$DECIDE" --url "$URL" --key "$TAILOR_ADMIN_KEY" --users "$USERS" --mode "$WHAT" \
    --connections "$CONNECTIONS" --duration $((SECS + 3)) --warmup 1 >"$OUT.load" &
fi
LOAD_PID=$!
sleep 2
perf record -F 1999 -g -p "$SERVER_PID" -o "$OUT.data" -- sleep "$SECS" >/dev/null 2>&1
wait "$LOAD_PID"
cat "$OUT.load"
perf script -i "$OUT.data" 2>/dev/null | "$HERE/perf_agg.py" --top 60 >"$OUT.txt"
echo "profile: $OUT.data, summary: $OUT.txt"
