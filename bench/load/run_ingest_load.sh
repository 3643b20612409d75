#!/usr/bin/env bash
# Ingest over loopback HTTP: starts `tailor serve` on a fresh temp data dir, applies the
# benchmark schemas, measures the trivial route (GET /healthz) and then POST /v1/events
# with tailor_loadgen, once per durability mode (--sync-writes false / true), restarting
# the server in between. Repeats everything RUNS times and prints the medians, and the
# server's CPU per accepted event (/proc/PID/stat, user + system over the ingest run and its
# warmup): on a shared 2-core machine it moves less between runs than events/s, so it is
# the figure to compare two builds by; and how long a batch waited on average for another
# batch's per-profile locks (from the server's /metrics).
#
# Usage: bench/load/run_ingest_load.sh BUILD_DIR
#   BUILD_DIR must hold src/cli/tailor and bench/tailor_loadgen (this script builds nothing).
# Environment (defaults in brackets):
#   RUNS [3]  CONNECTIONS [4]  DURATION [10]  WARMUP [2]  BASELINE_DURATION [5]
#   BATCH_SIZE [100]  USERS [10000]  HTTP_THREADS [2]  MODES ["false true"]
#   TIMESTAMPS [now] now: event times follow the clock; fixed: the pre-2026-12-06 generator's
#   EVENT_IDS [ordered] ordered: time-ordered ids; random: UUIDv4-like order (tailor_loadgen --help)
#   KEEP_LOGS [unset: logs are deleted with the temp dir]
#   CONFIG_DIR [unset: schemas only] extra config files applied too, e.g.
#     bench/load/config-features (20 features, 30 segments)
#   SERVE_ARGS [unset] extra `tailor serve` arguments, e.g. "--profile-flush-interval 0ms"
set -euo pipefail

if [[ $# -ne 1 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
BUILD_DIR=$(cd "$1" && pwd)
TAILOR="$BUILD_DIR/src/cli/tailor"
LOADGEN="$BUILD_DIR/bench/tailor_loadgen"
for bin in "$TAILOR" "$LOADGEN"; do
  [[ -x "$bin" ]] || { echo "error: $bin not found; build the tailor and tailor_loadgen targets" >&2; exit 2; }
done

RUNS=${RUNS:-3}
CONNECTIONS=${CONNECTIONS:-4}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
BASELINE_DURATION=${BASELINE_DURATION:-5}
BATCH_SIZE=${BATCH_SIZE:-100}
USERS=${USERS:-10000}
HTTP_THREADS=${HTTP_THREADS:-2}
MODES=${MODES:-"false true"}
TIMESTAMPS=${TIMESTAMPS:-now}
EVENT_IDS=${EVENT_IDS:-ordered}

source "$(dirname "$0")/lib.sh"
setup_work ingest-load

mkdir -p "$WORK/config"
"$LOADGEN" --print-config >"$WORK/config/bench.json"
if [[ -n "${CONFIG_DIR:-}" ]]; then cp "$CONFIG_DIR"/*.yaml "$WORK/config/"; fi

echo "# $(date -u +%FT%TZ) $(nproc) cores, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# connections=$CONNECTIONS duration=${DURATION}s warmup=${WARMUP}s batch_size=$BATCH_SIZE users=$USERS http_threads=$HTTP_THREADS timestamps=$TIMESTAMPS event_ids=$EVENT_IDS"
RESULTS="$WORK/results.tsv"
: >"$RESULTS"
for run in $(seq 1 "$RUNS"); do
  for sync in $MODES; do
    # shellcheck disable=SC2086 # SERVE_ARGS is a list of words
    start_server "sync-$sync" --sync-writes="$sync" ${SERVE_ARGS:-}
    base=$("$LOADGEN" --url "$URL" --mode healthz --connections "$CONNECTIONS" \
      --duration "$BASELINE_DURATION" --warmup 1)
    cpu_before=$(server_cpu_ms)
    out=$("$LOADGEN" --url "$URL" --key "$TAILOR_ADMIN_KEY" --connections "$CONNECTIONS" \
      --duration "$DURATION" --warmup "$WARMUP" --batch-size "$BATCH_SIZE" --users "$USERS" --timestamps "$TIMESTAMPS" --event-ids "$EVENT_IDS")
    cpu_per_event=$(cpu_us_per $(($(server_cpu_ms) - cpu_before)) "$(field accepted "$out")")
    lock_wait_us=$(lock_wait_us_per_batch)
    stop_server
    echo "## run $run sync_writes=$sync"
    echo "healthz: $(tr '\n' ' ' <<<"$base")"
    echo "ingest:  $(tr '\n' ' ' <<<"$out")"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$sync" "$(field events_per_s "$out")" \
      "$(field requests_per_s "$out")" "$(field p50_ms "$out")" "$(field p99_ms "$out")" \
      "$(field requests_per_s "$base")" "$(field max_ms "$out")" \
      "$cpu_per_event" "$lock_wait_us" >>"$RESULTS"
  done
done

if command -v wrk >/dev/null; then
  start_server wrk --sync-writes=false
  echo "## wrk baseline (DESIGN.md §7 style): wrk -t1 -c8 -d5s $URL/healthz"
  wrk -t1 -c8 -d5s "$URL/healthz" | grep -E "Requests/sec|Latency"
  stop_server
fi

echo
echo "# Medians over $RUNS runs. batch% = ingest batches/s as a percentage of GET /healthz"
echo "# requests/s on the same server in the same run; ev/req = ingest events/s per healthz request/s;"
echo "# lockwait_us = microseconds a batch waited on average for another batch's per-profile locks"
echo "# (tailor_ingest_lock_wait_seconds_total / tailor_ingest_batches_total, warmup included)."
printf '%-12s %10s %10s %9s %9s %9s %12s %7s %7s %9s %11s\n' sync_writes events/s batches/s p50_ms p99_ms max_ms healthz_rps batch% ev/req cpu_us/ev lockwait_us
for sync in $MODES; do
  awk -F'\t' -v s="$sync" '
    function median(a, n,   i, j, t) {
      for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
      return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
    }
    $1 == s { n++; ev[n]=$2; b[n]=$3; p50[n]=$4; p99[n]=$5; h[n]=$6; mx[n]=$7; r[n]=100*$3/$6; e[n]=$2/$6; c[n]=$8; lw[n]=$9 }
    END { printf "%-12s %10.0f %10.0f %9.2f %9.2f %9.2f %12.0f %6.2f%% %7.2f %9.2f %11.0f\n", s, median(ev,n),
          median(b,n), median(p50,n), median(p99,n), median(mx,n), median(h,n), median(r,n), median(e,n),
          median(c,n), median(lw,n) }' "$RESULTS"
done
