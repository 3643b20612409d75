#!/usr/bin/env bash
# POST /v1/decide over loopback HTTP (issue 4): starts `tailor serve` on a fresh temp data
# dir, applies bench/load/config-decide (20 segments, 10 placements x 5 rules, templates,
# caps) plus the ingest benchmark schemas, loads USERS people with tailor_loadgen, then in
# each run measures, on the same server:
#   1. saturation: GET /healthz (the trivial constant route) and POST /v1/decide, closed
#      loop with CONNECTIONS connections; ratio = decide rps / healthz rps (target >= 0.8).
#      Each run measures healthz, decide, decide, healthz (DURATION/2 each) and compares
#      the sums: this shared machine's speed drifts over tens of seconds, and the
#      mirrored order cancels a steady drift instead of charging it to one route;
#   2. a paced open loop at RATE requests/s for both; p99 and p99.9 ratios
#      (targets <= 1.5 and <= 2). Odd runs measure healthz first, even runs decide first.
# Also prints the server's CPU per request in each closed loop (from /proc/PID/stat):
# on a shared 2-core machine it moves less from run to run than requests/s, so it is
# the figure to compare two builds by.
# Prints every run and the medians over RUNS runs.
#
# Usage: bench/load/run_decide_load.sh BUILD_DIR
#   BUILD_DIR must hold src/cli/tailor, bench/tailor_loadgen and bench/tailor_decide_load.
# Environment (defaults in brackets):
#   RUNS [3]  CONNECTIONS [8]  DURATION [10]  WARMUP [2]  RATE [10000]  OPEN_CONNECTIONS [32]
#   USERS [10000]  HTTP_THREADS [2]  KEEP_LOGS [unset]
set -euo pipefail

if [[ $# -ne 1 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
BUILD_DIR=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
TAILOR="$BUILD_DIR/src/cli/tailor"
LOADGEN="$BUILD_DIR/bench/tailor_loadgen"
DECIDE="$BUILD_DIR/bench/tailor_decide_load"
for bin in "$TAILOR" "$LOADGEN" "$DECIDE"; do
  [[ -x "$bin" ]] || { echo "error: $bin not found; build tailor, tailor_loadgen and tailor_decide_load" >&2; exit 2; }
done

RUNS=${RUNS:-3}
CONNECTIONS=${CONNECTIONS:-8}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
RATE=${RATE:-10000}
OPEN_CONNECTIONS=${OPEN_CONNECTIONS:-32}
USERS=${USERS:-10000}
HTTP_THREADS=${HTTP_THREADS:-2}

source "$(dirname "$0")/lib.sh"
setup_work decide-load

mkdir -p "$WORK/config"
"$LOADGEN" --print-config >"$WORK/config/bench.json"
cp "$HERE/config-decide/decide.yaml" "$WORK/config/"

start_server main
# People: ~20 events each (purchases and page views) for user-0 .. user-(USERS-1). Every
# batch is a fresh draw of users (enough templates that none repeats), so all of them
# exist: with the default 32 templates per connection only ~40 % did, and most decisions
# measured the cold-start path of unknown visitors instead of personalized ones.
"$LOADGEN" --url "$URL" --key "$TAILOR_ADMIN_KEY" --connections 2 --duration 4 --warmup 0 \
  --users "$USERS" --templates $((USERS / 10)) >/dev/null
missing=0
for i in $(seq 0 $((USERS / 50)) $((USERS - 1))); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TAILOR_ADMIN_KEY" "$URL/v1/profiles/user-$i")
  [[ "$code" == 200 ]] || missing=$((missing + 1))
done
echo "# people: sampled 50 of user-0..$((USERS - 1)), $missing without a profile"

run() { "$DECIDE" --url "$URL" --key "$TAILOR_ADMIN_KEY" --users "$USERS" --duration "$DURATION" --warmup "$WARMUP" "$@"; }

echo "# $(date -u +%FT%TZ) $(nproc) cores, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# connections=$CONNECTIONS rate=$RATE open_connections=$OPEN_CONNECTIONS duration=${DURATION}s users=$USERS http_threads=$HTTP_THREADS"
RESULTS="$WORK/results.tsv"
: >"$RESULTS"
# closed MODE SECONDS: one closed-loop run; prints "<rps> <requests> <server CPU ms>".
# The load generator's rps counts the measured part only; the server also works through
# the warmup at about that rate.
closed() {
  local before out
  before=$(server_cpu_ms)
  out=$("$DECIDE" --url "$URL" --key "$TAILOR_ADMIN_KEY" --users "$USERS" --duration "$2" \
    --warmup "$WARMUP" --mode "$1" --connections "$CONNECTIONS")
  local cpu_ms=$(($(server_cpu_ms) - before))
  echo "$1 closed: $out" >&2
  awk -v r="$(field rps "$out")" -v s=$(($2 + WARMUP)) -v c="$cpu_ms" 'BEGIN { printf "%s %.0f %s\n", r, r * s, c }'
}
HALF=$(((DURATION + 1) / 2))
for r in $(seq 1 "$RUNS"); do
  echo "## run $r"
  read -r h1 hn1 hc1 < <(closed healthz "$HALF")
  read -r d1 dn1 dc1 < <(closed decide "$HALF")
  read -r d2 dn2 dc2 < <(closed decide "$HALF")
  read -r h2 hn2 hc2 < <(closed healthz "$HALF")
  if ((r % 2)); then
    hz_open=$(run --mode healthz --connections "$OPEN_CONNECTIONS" --rate "$RATE")
    de_open=$(run --mode decide --connections "$OPEN_CONNECTIONS" --rate "$RATE")
  else
    de_open=$(run --mode decide --connections "$OPEN_CONNECTIONS" --rate "$RATE")
    hz_open=$(run --mode healthz --connections "$OPEN_CONNECTIONS" --rate "$RATE")
  fi
  printf 'healthz open:   %s\ndecide  open:   %s\n' "$hz_open" "$de_open"
  hz_rps=$(awk -v a="$h1" -v b="$h2" 'BEGIN { print (a + b) / 2 }')
  de_rps=$(awk -v a="$d1" -v b="$d2" 'BEGIN { print (a + b) / 2 }')
  hz_cpu=$(cpu_us_per $((hc1 + hc2)) $((hn1 + hn2)))
  de_cpu=$(cpu_us_per $((dc1 + dc2)) $((dn1 + dn2)))
  echo "closed loops: healthz $hz_rps rps, decide $de_rps rps, ratio $(awk -v a="$de_rps" -v b="$hz_rps" 'BEGIN { printf "%.2f", a / b }'); server CPU per request $hz_cpu / $de_cpu us"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$hz_rps" "$de_rps" \
    "$(field p99_us "$hz_open")" "$(field p99_us "$de_open")" "$(field p999_us "$hz_open")" \
    "$(field p999_us "$de_open")" "$(field rps "$de_open")" "$hz_cpu" "$de_cpu" >>"$RESULTS"
done

# Profile views built on requests and by the background refresher (decisions.view_ttl):
# rebuilds compete with the requests for the two cores.
echo "# $(curl -s -H "Authorization: Bearer $TAILOR_ADMIN_KEY" "$URL/metrics" | grep -E '^tailor_decision_view_builds_total' | tr '\n' ' ')"

echo
echo "# Medians over $RUNS runs (ratios computed per run, then the median)."
awk -F'\t' '
  function median(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
  }
  { n++; h[n]=$1; d[n]=$2; tr[n]=$2/$1; hp[n]=$3; dp[n]=$4; pr[n]=$4/$3; hq[n]=$5; dq[n]=$6; qr[n]=$6/$5; ach[n]=$7
    hc[n]=$8; dc[n]=$9; cr[n]=($9 > 0 ? $8/$9 : 0) }
  END {
    printf "saturation: healthz %.0f rps, decide %.0f rps, ratio %.2f (target >= 0.80)\n", median(h,n), median(d,n), median(tr,n)
    printf "open loop:  decide achieved %.0f rps; p99 healthz %.2f ms, decide %.2f ms, ratio %.2f (target <= 1.5)\n", median(ach,n), median(hp,n)/1000, median(dp,n)/1000, median(pr,n)
    printf "            p99.9 healthz %.2f ms, decide %.2f ms, ratio %.2f (target <= 2)\n", median(hq,n)/1000, median(dq,n)/1000, median(qr,n)
    printf "server CPU per request (closed loops): healthz %.1f us, decide %.1f us, healthz/decide %.2f\n", median(hc,n), median(dc,n), median(cr,n)
  }' "$RESULTS"
