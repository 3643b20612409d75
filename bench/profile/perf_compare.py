#!/usr/bin/env python3
"""Compares two profiles per request: where route B costs more than route A.

Usage:
  bench/profile/perf_compare.py A.script A_REQUESTS B.script B_REQUESTS PATTERN [PATTERN ...]
      [--hz 1999]

A.script and B.script are `perf script` outputs of two `perf record -g -F HZ` profiles
(profile_server.sh records at 1,999 Hz), A_REQUESTS and B_REQUESTS the requests each
served while recorded (rps x seconds, from profile_server.sh's OUT.load). Each sample
goes to the first frame, from the leaf up, that contains one of the patterns (the first
pattern in the list wins within a frame), else to "(other)"; the table shows each
bucket's microseconds of CPU per request in A and in B and the difference, largest
first. Take both profiles back to back: this machine's speed drifts.

  bench/profile/profile_server.sh build/fp healthz /tmp/hz 8
  bench/profile/profile_server.sh build/fp decide /tmp/dec 8
  perf script -i /tmp/hz.data > /tmp/hz.script; perf script -i /tmp/dec.data > /tmp/dec.script
  bench/profile/perf_compare.py /tmp/hz.script 359600 /tmp/dec.script 302850 \\
      irqentry_exit finish_task_switch handlers:: sock_def_readable tcp_sendmsg Session::OnBody
"""
import argparse
import collections
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from perf_agg import stacks  # noqa: E402  (this directory's sibling)


def per_request(path, requests, patterns, hz):
    """Microseconds per request in each bucket, and in all."""
    counts = collections.Counter()
    total = 0
    with open(path) as f:
        for frames in stacks(f):
            total += 1
            bucket = "(other)"
            for frame in frames:
                hit = [p for p in patterns if p in frame]
                if hit:
                    bucket = hit[0]
                    break
            counts[bucket] += 1
    us_per_sample = 1e6 / hz
    scale = us_per_sample / requests
    return {k: v * scale for k, v in counts.items()}, total * scale


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet under `| head`
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a_script")
    ap.add_argument("a_requests", type=float)
    ap.add_argument("b_script")
    ap.add_argument("b_requests", type=float)
    ap.add_argument("patterns", nargs="+")
    ap.add_argument("--hz", type=float, default=1999)
    a = ap.parse_args()
    if a.a_requests <= 0 or a.b_requests <= 0:
        sys.exit("error: request counts must be positive")
    buckets_a, total_a = per_request(a.a_script, a.a_requests, a.patterns, a.hz)
    buckets_b, total_b = per_request(a.b_script, a.b_requests, a.patterns, a.hz)
    print(f"{'us of CPU per request':50s} {'A':>8s} {'B':>8s} {'B - A':>8s}")
    print(f"{'all':50s} {total_a:8.2f} {total_b:8.2f} {total_b - total_a:+8.2f}")
    names = set(buckets_a) | set(buckets_b)
    for name in sorted(names, key=lambda k: -(buckets_b.get(k, 0) - buckets_a.get(k, 0))):
        va, vb = buckets_a.get(name, 0.0), buckets_b.get(name, 0.0)
        print(f"{name[:50]:50s} {va:8.2f} {vb:8.2f} {vb - va:+8.2f}")


if __name__ == "__main__":
    main()
