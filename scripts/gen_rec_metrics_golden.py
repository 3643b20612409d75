#!/usr/bin/env python3
"""Reference values for the recommender metrics (src/recommenders/metrics.h).

Writes src/recommenders/testdata/metrics_golden.json: random ranked lists and relevant
sets (numpy, fixed seed, nothing downloaded) with per-user precision@k, recall@k,
nDCG@k (binary relevance, as the Microsoft recommenders' ndcg_at_k), AP@k (divided by
min(k, |relevant|)), reciprocal rank and hit, and the Gini coefficient of count vectors,
all computed here independently of the C++ code with numpy.

Run: /usr/bin/python3 scripts/gen_rec_metrics_golden.py   (needs python3-numpy)
"""
import json
import os

import numpy as np

rng = np.random.RandomState(20240607)
N_ITEMS = 60
cases = []
for case in range(40):
    k = int(rng.choice([1, 3, 5, 10, 20]))
    n_rec = int(rng.randint(0, 25))
    recommended = [int(x) for x in rng.permutation(N_ITEMS)[:n_rec]]
    n_rel = int(rng.randint(1, 15))
    relevant = sorted(int(x) for x in rng.permutation(N_ITEMS)[:n_rel])
    top = np.array(recommended[:k], dtype=np.int64)
    hits = np.isin(top, relevant).astype(np.float64)
    ranks = np.arange(1, len(top) + 1, dtype=np.float64)
    discounts = 1.0 / np.log2(ranks + 1.0)
    dcg = float(np.sum(hits * discounts))
    ideal = min(k, len(relevant))
    idcg = float(np.sum(1.0 / np.log2(np.arange(1, ideal + 1) + 1.0)))
    prec_at = np.cumsum(hits) / ranks if len(top) else np.array([])
    ap = float(np.sum(prec_at * hits)) / ideal if len(top) else 0.0
    first = np.flatnonzero(hits)
    cases.append({
        "k": k,
        "recommended": recommended,
        "relevant": relevant,
        "precision": float(hits.sum()) / k,
        "recall": float(hits.sum()) / len(relevant),
        "ndcg": dcg / idcg,
        "ap": ap,
        "rr": float(1.0 / (first[0] + 1)) if len(first) else 0.0,
        "hit": 1.0 if hits.sum() > 0 else 0.0,
    })

gini = []
for case in range(10):
    n = int(rng.randint(1, 30))
    counts = rng.poisson(rng.uniform(0.1, 5.0), size=n).astype(np.float64)
    x = np.sort(counts)
    idx = np.arange(1, n + 1)
    g = float(np.sum((2 * idx - n - 1) * x) / (n * np.sum(x))) if x.sum() > 0 else 0.0
    gini.append({"counts": [float(c) for c in counts], "gini": g})

out = os.path.join(os.path.dirname(__file__), "..", "src", "recommenders", "testdata",
                   "metrics_golden.json")
with open(out, "w") as f:
    json.dump({"generator": "scripts/gen_rec_metrics_golden.py", "numpy": np.__version__,
               "ranking": cases, "gini": gini}, f, indent=1)
    f.write("\n")
print("wrote", os.path.normpath(out), len(cases), "ranking cases,", len(gini), "gini cases")
