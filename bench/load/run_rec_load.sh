#!/usr/bin/env bash
# GET /v1/recommendations over loopback HTTP: starts `tailor serve` on a fresh temp data
# dir, applies a config with an `als` recommender (k = 10, a filter over item attributes,
# boosts, MMR, inverse-propensity and a provider cap), posts ITEMS catalog items and
# USERS x VIEWS view events, trains and promotes the model, then runs wrk (closed loop,
# CONNECTIONS connections, DURATION seconds, users rotated by a Lua script) and prints
# wrk's latency distribution and requests/s.
#
# Usage: bench/load/run_rec_load.sh BUILD_DIR
# Environment [defaults]: ITEMS [20000] USERS [4000] VIEWS [50] CONNECTIONS [8]
#   DURATION [10] HTTP_THREADS [2] KEEP_LOGS [unset]
set -euo pipefail

if [[ $# -ne 1 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
BUILD_DIR=$(cd "$1" && pwd)
TAILOR="$BUILD_DIR/src/cli/tailor"
[[ -x "$TAILOR" ]] || { echo "error: $TAILOR not found" >&2; exit 2; }
command -v wrk >/dev/null || { echo "error: wrk not installed (apt-get install wrk)" >&2; exit 2; }
ITEMS=${ITEMS:-20000} USERS=${USERS:-4000} VIEWS=${VIEWS:-50}
CONNECTIONS=${CONNECTIONS:-8} DURATION=${DURATION:-10} HTTP_THREADS=${HTTP_THREADS:-2}

source "$(dirname "$0")/lib.sh"
setup_work rec-load

mkdir -p "$WORK/config"
cat >"$WORK/config/rec.yaml" <<'YAML'
recommenders:
  for_you:
    model: als
    params: {factors: 64, iterations: 10}
    serving:
      boosts: [{when: {attributes.provider: p3}, multiplier: 1.2}]
      mmr_lambda: 0.7
      popularity_exponent: 0.3
      provider_cap: 0.5
YAML
start_server main
AUTH="Authorization: Bearer $TAILOR_ADMIN_KEY"

# Catalog and events, generated (Zipf-like item popularity, fixed seed).
/usr/bin/python3 - "$WORK" "$ITEMS" "$USERS" "$VIEWS" <<'PY'
import json, random, sys, time
work, items, users, views = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
random.seed(7)
with open(f"{work}/items.json", "w") as f:
    json.dump({"items": [{"id": f"i{i}", "title": f"item {i}", "categories": [f"c{i % 50}"],
               "attributes": {"price": i % 200, "in_stock": i % 10 != 0, "provider": f"p{i % 20}"}}
              for i in range(items)]}, f)
now = int(time.time() * 1000) - users * views
batch, n = [], 0
def flush():
    global batch, n
    if batch:
        with open(f"{work}/events-{n:05d}.json", "w") as f:
            json.dump({"events": batch}, f)
        batch, n = [], n + 1
for u in range(users):
    for v in range(views):
        item = int(items ** random.random()) - 1
        now += 1
        batch.append({"event_id": f"e{u}_{v}", "type": "view", "user_id": f"u{u}",
                      "timestamp": now, "properties": {"item_id": f"i{item}"}})
        if len(batch) == 1000: flush()
flush()
PY
curl -sf -X POST -H "$AUTH" --data-binary @"$WORK/items.json" "$URL/v1/items" >/dev/null
for f in "$WORK"/events-*.json; do
  curl -sf -X POST -H "$AUTH" --data-binary @"$f" "$URL/v1/events" >/dev/null
done
echo "train:"
# Training is a background job: start it, then follow GET /v1/jobs/{id} to its end.
JOB=$(curl -sf -X POST -H "$AUTH" "$URL/v1/models/for_you/train?promote=true" |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
while :; do
  STATE=$(curl -sf -H "$AUTH" "$URL/v1/jobs/$JOB" | tee "$WORK/job.json" |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
  [ "$STATE" = done ] || [ "$STATE" = failed ] && break
  sleep 0.5
done
/usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["state"] == "done", j; r=j["result"]; print(json.dumps({k: r[k] for k in ("version","data","train_seconds","memory_bytes","training_peak_estimate_bytes")}))' "$WORK/job.json"

FILTER=$(/usr/bin/python3 -c 'import urllib.parse; print(urllib.parse.quote("{\"attributes.in_stock\": true, \"attributes.price\": {\"$lt\": 150}}"))')
cat >"$WORK/rotate.lua" <<LUA
counter = 0
request = function()
  counter = counter + 1
  local path = "/v1/recommendations?model=for_you&k=10&user_id=u" .. (counter % $USERS) .. "&filter=$FILTER"
  return wrk.format("GET", path, {["Authorization"] = "Bearer $TAILOR_ADMIN_KEY"})
end
LUA
# Sanity: one request answers 10 items.
curl -sf -H "$AUTH" "$URL/v1/recommendations?model=for_you&k=10&user_id=u1&filter=$FILTER" |
  /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); assert len(r["items"]) == 10, r; print("sample:", r["source"], [i["id"] for i in r["items"]][:5])'
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/rotate.lua" "$URL"
