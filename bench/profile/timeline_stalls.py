#!/usr/bin/env python3
"""Where a load run's slowest requests fell in time, and what the store did then.

Reads a --timeline file of tailor_loadgen or tailor_decide_load (one line per measured
request: start_ms latency_us connection, after a header with the window's start as Unix
time) and prints the requests slower than the run's p99, bucketed per 100 ms of the run.
With --rocksdb-log (a copy of the data directory's LOG), also prints RocksDB's flushes and
compactions on the same time axis, so a tail that follows them shows.

  bench/profile/timeline_stalls.py /tmp/run.tl [--rocksdb-log /tmp/LOG] [--min 3]
"""
import argparse
import collections
import json
import re
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("timeline")
    ap.add_argument("--rocksdb-log", help="RocksDB LOG of the server's data directory")
    ap.add_argument("--min", type=int, default=3, help="hide 100 ms buckets with fewer slow requests")
    a = ap.parse_args()
    t0 = None
    lat = []
    with open(a.timeline) as f:
        for line in f:
            if line.startswith("#"):
                m = re.search(r"starts at ([0-9.]+) ms", line)
                if m:
                    t0 = float(m.group(1))
                continue
            start, us, _ = line.split()
            lat.append((float(start), int(us)))
    if not lat:
        sys.exit("no requests in " + a.timeline)
    by_latency = sorted(lat, key=lambda r: -r[1])
    n = len(lat)
    p99 = by_latency[n // 100][1]
    p50 = sorted(us for _, us in lat)[n // 2]
    print(f"requests {n}, p50 {p50} us, p99 {p99} us")
    slow = collections.Counter(int(start // 100) for start, us in by_latency[: n // 100])
    print("slowest 1 % per 100 ms (second of the run: count):")
    print("  " + " ".join(f"{k / 10:.1f}:{v}" for k, v in sorted(slow.items()) if v >= a.min))
    if a.rocksdb_log and t0 is not None:
        events = []
        with open(a.rocksdb_log, errors="replace") as f:
            for line in f:
                m = re.search(r"EVENT_LOG_v1 (\{.*\})", line)
                if not m:
                    continue
                j = json.loads(m.group(1))
                kind = j.get("event", "")
                if kind.split("_")[0] in ("flush", "compaction") and kind.endswith(("started", "finished")):
                    at = j["time_micros"] / 1000 - t0
                    if 0 <= at <= lat[-1][0] + 1000:
                        mark = "+" if kind.endswith("started") else "-"
                        events.append(f"{at / 1000:.2f}{mark}{kind.split('_')[0]}:{j.get('cf_name', '')}")
        print("RocksDB (second of the run, + start, - end):")
        print("  " + (" ".join(events) if events else "none"))


if __name__ == "__main__":
    main()
