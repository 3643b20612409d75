# Shared by the bench/load/run_*.sh scripts (sourced). Call setup_work first; the server
# functions expect TAILOR and HTTP_THREADS to be set.

# setup_work NAME: a fresh temp dir $WORK (deleted at exit unless KEEP_LOGS is set), a
# random admin key in TAILOR_ADMIN_KEY, and traps that stop the server on any exit.
setup_work() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/tailor-$1.XXXXXX")
  SERVER_PID=""
  export TAILOR_ADMIN_KEY="bench-admin-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
  trap cleanup_work EXIT
  trap 'exit 130' INT TERM
}

cleanup_work() {
  stop_server
  if [[ -n "${KEEP_LOGS:-}" ]]; then echo "logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}

# start_server NAME [SERVE_ARGS...]: starts `tailor serve` on a fresh data dir under $WORK
# with the extra arguments, waits for its URL and applies $WORK/config. Sets SERVER_PID
# and URL.
start_server() {
  local name=$1 out="$WORK/server-$1.out" err="$WORK/server-$1.err"
  shift
  : >"$out"  # exists before the poll below reads it (the server opens it asynchronously)
  "$TAILOR" serve --data-dir "$WORK/data-$name-$RANDOM$RANDOM" --listen 127.0.0.1:0 \
    --http-threads "$HTTP_THREADS" --log-level warn "$@" >"$out" 2>"$err" &
  SERVER_PID=$!
  URL=""
  for _ in $(seq 1 200); do
    URL=$(sed -n 's/^Tailor is serving .* at \(http:\/\/[0-9.]*:[0-9]*\)$/\1/p' "$out" | head -1)
    [[ -n "$URL" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$err" >&2; echo "error: server exited" >&2; exit 1; }
    sleep 0.05
  done
  [[ -n "$URL" ]] || { echo "error: server did not print its URL" >&2; exit 1; }
  "$TAILOR" config apply "$WORK/config" --url "$URL" --key "$TAILOR_ADMIN_KEY" >/dev/null
}

# stop_server: SIGTERM and wait (no-op when none runs).
stop_server() {
  if [[ -n "${SERVER_PID:-}" ]]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}

# field NAME LINE: the value of NAME=VALUE in a load generator's output line.
field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -1; }

# server_cpu_ms: user + system CPU the running server has used so far, in ms (from
# /proc/PID/stat; clock ticks are 10 ms on Debian kernels, so read it over seconds).
server_cpu_ms() {
  local hz
  hz=$(getconf CLK_TCK)
  awk -v hz="$hz" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$SERVER_PID/stat"
}

# cpu_us_per CPU_MS COUNT: microseconds of CPU per unit (0 when COUNT is empty or 0).
cpu_us_per() { awk -v c="$1" -v n="${2:-0}" 'BEGIN { printf "%.2f", (n > 0 ? c * 1000 / n : 0) }'; }

# lock_wait_us_per_batch: microseconds the running server's ingest batches waited on
# average for another batch's per-profile locks, from its /metrics (0 before any batch).
lock_wait_us_per_batch() {
  curl -s "$URL/metrics" | awk '
    /^tailor_ingest_lock_wait_seconds_total / { w = $2 }
    /^tailor_ingest_batches_total / { b = $2 }
    END { printf "%.0f\n", (b > 0 ? 1e6 * w / b : 0) }'
}
