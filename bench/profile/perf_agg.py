#!/usr/bin/env python3
"""Summarizes `perf script` output of a `perf record -g` profile.

Usage:
  perf script -i perf.data | bench/profile/perf_agg.py [--top N] [--under SYMBOL]
      [--callers LEAF] [--buckets PATTERN ...]

Default: the top N symbols by self time and by inclusive time, as a share of all samples.
  --under SYMBOL   only samples whose stack has a frame containing SYMBOL (e.g.
                   "handlers::Decide"); self time of those samples.
  --callers LEAF   for samples whose leaf frame contains LEAF, the three frames above it
                   (who calls memcmp, say); combine with --under.
  --buckets P...   assign each sample (of --under, else all) to the first frame, from the
                   leaf up, that contains one of the patterns (first pattern in the list
                   wins within a frame); prints each pattern's share.
Needs frame pointers for useful stacks (see bench/profile/README.md).
"""
import argparse
import collections
import re
import signal
import sys


def stacks(stream):
    """Yields each sample's frames, leaf first, with offsets and DSO names removed."""
    frames = []
    for line in stream:
        line = line.rstrip("\n")
        if not line.strip() or line[0] not in " \t":
            if frames:
                yield frames
            frames = []
            continue
        parts = line.strip().split(None, 1)
        if len(parts) < 2:
            continue
        sym = re.sub(r"\+0x[0-9a-f]+", "", parts[1])
        frames.append(re.sub(r"\s*\(.*\)$", "", sym))
    if frames:
        yield frames


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet under `| head`
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--under")
    ap.add_argument("--callers")
    ap.add_argument("--buckets", nargs="+")
    a = ap.parse_args()

    total = kept = 0
    self_c, incl_c, callers, buckets = (collections.Counter() for _ in range(4))
    for frames in stacks(sys.stdin):
        total += 1
        if a.under and not any(a.under in f for f in frames):
            continue
        kept += 1
        self_c[frames[0]] += 1
        for f in set(frames):
            incl_c[f] += 1
        if a.callers and a.callers in frames[0]:
            callers[" <- ".join(f[:70] for f in frames[1:4])] += 1
        if a.buckets:
            for f in frames:
                hit = [p for p in a.buckets if p in f]
                if hit:
                    buckets[hit[0]] += 1
                    break
            else:
                buckets["(other)"] += 1
    if kept == 0:
        sys.exit("no samples" + (f" under {a.under}" if a.under else ""))
    print(f"samples: {total}" + (f", {kept} under {a.under}" if a.under else ""))

    def show(title, counter, n):
        print(f"== {title}")
        for sym, c in counter.most_common(n):
            print(f"{100 * c / kept:6.2f}% {sym[:140]}")

    if a.callers:
        show(f"callers of {a.callers}", callers, a.top)
    elif a.buckets:
        show("buckets", buckets, len(a.buckets) + 1)
    else:
        show("self", self_c, a.top)
        show("inclusive", incl_c, a.top)


if __name__ == "__main__":
    main()
