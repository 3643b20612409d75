#!/usr/bin/python3
"""Writes the golden files of src/experiments/stats/testdata/ from SciPy reference values.

Run from the repository root with Debian's python3 (python3-scipy 1.10, python3-numpy):

    /usr/bin/python3 scripts/gen_stats_golden.py

Reference values come from SciPy wherever SciPy has the computation:
ttest_ind_from_stats (Welch), chisquare (SRM), norm / t / beta distributions,
integrate.quad (Bayesian chance to win and expected loss), special.digamma / polygamma,
optimize.brentq (sequential p-values). Formulas with no SciPy function (z test for
proportions, delta method, Holm / Benjamini-Hochberg, sample size, the sequential
interval) are written out here from their textbook definitions, independently of the C++.
The C++ tests (stats_golden_test.cc) compare against these files with tolerances.
"""
import json
import math
import os

import numpy as np
from scipy import integrate, optimize, special, stats

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "experiments",
                   "stats", "testdata")


def fin(x):
    """JSON has no infinity: open interval ends are null."""
    return None if x is None or not math.isfinite(x) else float(x)


def interval(lo, hi):
    return [fin(lo), fin(hi)]


def ci(est, se, alpha, sided, dist):
    if sided == "two":
        q = dist.ppf(1 - alpha / 2)
        return interval(est - q * se, est + q * se)
    q = dist.ppf(1 - alpha)
    if sided == "greater":
        return interval(est - q * se, math.inf)
    return interval(-math.inf, est + q * se)


def rel_se(mc, vc, nc, mt, vt, nt):
    return math.sqrt(vt / nt / mc**2 + mt**2 * (vc / nc) / mc**4)


def proportions_cases():
    out = []
    grid = [((1000, 120), (1000, 150)), ((5000, 400), (5000, 430)), ((200, 30), (180, 20)),
            ((100000, 2500), (100000, 2650)), ((50, 5), (60, 9))]
    for (nc, kc), (nt, kt) in grid:
        for alpha in (0.05, 0.1):
            for sided in ("two", "greater", "less"):
                pc, pt = kc / nc, kt / nt
                vc, vt = pc * (1 - pc), pt * (1 - pt)
                se = math.sqrt(vc / nc + vt / nt)
                z = (pt - pc) / se
                p = {"two": 2 * stats.norm.sf(abs(z)), "greater": stats.norm.sf(z),
                     "less": stats.norm.cdf(z)}[sided]
                out.append({
                    "name": f"prop {nc}:{kc} vs {nt}:{kt} a={alpha} {sided}",
                    "kind": "proportions", "alpha": alpha, "sided": sided,
                    "control": {"n": nc, "conversions": kc},
                    "treatment": {"n": nt, "conversions": kt},
                    "expected": {
                        "statistic": z, "p_value": p, "abs_lift": pt - pc,
                        "abs_ci": ci(pt - pc, se, alpha, sided, stats.norm),
                        "rel_lift": pt / pc - 1,
                        "rel_ci": ci(pt / pc - 1, rel_se(pc, vc, nc, pt, vt, nt), alpha, sided,
                                     stats.norm),
                    }})
    return out


def welch_cases():
    out = []
    grid = [((1000, 10.0, 3.0), (1000, 10.4, 3.2)), ((30, 5.0, 2.0), (45, 6.1, 4.0)),
            ((500, 100.0, 50.0), (520, 97.0, 55.0)), ((12, 1.0, 0.1), (8, 1.05, 0.3))]
    for (nc, mc, sc), (nt, mt, st) in grid:
        for alpha in (0.05, 0.01):
            for sided in ("two", "greater", "less"):
                alt = {"two": "two-sided", "greater": "greater", "less": "less"}[sided]
                res = stats.ttest_ind_from_stats(mt, st, nt, mc, sc, nc, equal_var=False,
                                                 alternative=alt)
                vc, vt = sc**2, st**2
                a, b = vc / nc, vt / nt
                df = (a + b) ** 2 / (a**2 / (nc - 1) + b**2 / (nt - 1))
                tdist = stats.t(df)
                out.append({
                    "name": f"welch {nc}:{mc}:{sc} vs {nt}:{mt}:{st} a={alpha} {sided}",
                    "kind": "welch", "alpha": alpha, "sided": sided,
                    "control": {"n": nc, "mean": mc, "sd": sc},
                    "treatment": {"n": nt, "mean": mt, "sd": st},
                    "expected": {
                        "statistic": float(res.statistic), "p_value": float(res.pvalue),
                        "df": df, "abs_lift": mt - mc,
                        "abs_ci": ci(mt - mc, math.sqrt(a + b), alpha, sided, tdist),
                        "rel_lift": mt / mc - 1,
                        "rel_ci": ci(mt / mc - 1, rel_se(mc, vc, nc, mt, vt, nt), alpha, sided,
                                     tdist),
                    }})
    return out


def sums(y, x):
    return {"n": len(y), "sum": float(y.sum()), "sum_sq": float((y * y).sum()),
            "x_sum": float(x.sum()), "x_sum_sq": float((x * x).sum()),
            "xy_sum": float((x * y).sum())}


def cuped_cases():
    rng = np.random.default_rng(20260101)
    out = []
    for i, (n, rho, effect) in enumerate([(2000, 0.8, 0.3), (500, 0.5, 0.0), (3000, 0.95, 0.1)]):
        xc = rng.normal(10, 3, n)
        yc = 5 + rho * xc + rng.normal(0, 2, n)
        xt = rng.normal(10, 3, n + 37)
        yt = 5 + effect + rho * xt + rng.normal(0, 2, n + 37)
        x = np.concatenate([xc, xt])
        y = np.concatenate([yc, yt])
        theta = np.cov(x, y, ddof=1)[0, 1] / np.var(x, ddof=1)
        xbar = x.mean()
        adj_c = yc - theta * (xc - xbar)
        adj_t = yt - theta * (xt - xbar)
        res = stats.ttest_ind(adj_t, adj_c, equal_var=False)
        out.append({
            "name": f"cuped {i}", "control": sums(yc, xc), "treatment": sums(yt, xt),
            "expected": {
                "theta": theta,
                "control_mean": adj_c.mean(), "treatment_mean": adj_t.mean(),
                "control_variance": np.var(adj_c, ddof=1),
                "treatment_variance": np.var(adj_t, ddof=1),
                "statistic": float(res.statistic), "p_value": float(res.pvalue),
            }})
    return out


def seq_halfwidth(var, n, alpha, tuning):
    rho = math.sqrt((-2 * math.log(alpha) + math.log(-2 * math.log(alpha) + 1)) / tuning)
    s2 = var * n
    return math.sqrt(s2) * math.sqrt(
        2 * (n * rho**2 + 1) * math.log(math.sqrt(n * rho**2 + 1) / alpha) / (n * rho) ** 2)


def sequential_cases():
    out = []
    grid = [("proportions", (1000, 120), (1000, 150), 5000),
            ("proportions", (20000, 2000), (20000, 2150), 5000),
            ("proportions", (20000, 2000), (20000, 2150), 50000),
            ("welch", (1000, 10.0, 3.0), (1000, 10.4, 3.2), 5000),
            ("welch", (400, 50.0, 20.0), (410, 50.5, 21.0), 2000)]
    for kind, c, t, tuning in grid:
        alpha = 0.05
        if kind == "proportions":
            nc, nt = c[0], t[0]
            mc, mt = c[1] / nc, t[1] / nt
            vc, vt = mc * (1 - mc), mt * (1 - mt)
            control = {"n": nc, "conversions": c[1]}
            treatment = {"n": nt, "conversions": t[1]}
        else:
            nc, mc, vc = c[0], c[1], c[2] ** 2
            nt, mt, vt = t[0], t[1], t[2] ** 2
            control = {"n": nc, "mean": c[1], "sd": c[2]}
            treatment = {"n": nt, "mean": t[1], "sd": t[2]}
        n = nc + nt
        var_abs = vc / nc + vt / nt
        var_rel = rel_se(mc, vc, nc, mt, vt, nt) ** 2
        d, r = mt - mc, mt / mc - 1
        hw, rhw = seq_halfwidth(var_abs, n, alpha, tuning), seq_halfwidth(var_rel, n, alpha, tuning)
        f = lambda a: seq_halfwidth(var_abs, n, a, tuning) - abs(d)
        p = 1.0 if f(1 - 1e-12) >= 0 else optimize.brentq(f, 1e-300, 1 - 1e-12, xtol=1e-300,
                                                           rtol=1e-13)
        out.append({"name": f"sequential {kind} {c} vs {t} M={tuning}", "kind": kind,
                    "alpha": alpha, "tuning": tuning, "control": control,
                    "treatment": treatment,
                    "expected": {"abs_ci": [d - hw, d + hw], "rel_ci": [r - rhw, r + rhw],
                                 "p_value": p}})
    return out


def bayes_binomial(nc, kc, nt, kt, level=0.95):
    A = stats.beta(1 + kc, 1 + nc - kc)
    B = stats.beta(1 + kt, 1 + nt - kt)
    Bp = stats.beta(2 + kt, 1 + nt - kt)
    lo, hi = max(0.0, A.mean() - 12 * A.std()), min(1.0, A.mean() + 12 * A.std())
    opts = {"limit": 500, "epsabs": 1e-13, "epsrel": 1e-11}
    ctw = integrate.quad(lambda x: A.pdf(x) * B.sf(x), lo, hi, **opts)[0]
    loss = integrate.quad(lambda x: A.pdf(x) * (x * B.cdf(x) - B.mean() * Bp.cdf(x)), lo, hi,
                          **opts)[0]
    a_a, a_b, b_a, b_b = 1 + kc, 1 + nc - kc, 1 + kt, 1 + nt - kt
    m = (special.digamma(b_a) - special.digamma(b_a + b_b)) - (
        special.digamma(a_a) - special.digamma(a_a + a_b))
    v = (special.polygamma(1, b_a) - special.polygamma(1, b_a + b_b) +
         special.polygamma(1, a_a) - special.polygamma(1, a_a + a_b))
    z = stats.norm.ppf(1 - (1 - level) / 2)
    return {"chance_to_win": ctw, "expected_loss": loss,
            "expected_loss_control": B.mean() - A.mean() + loss,
            "rel_lift": math.exp(m + v / 2) - 1,
            "rel_ci": [math.exp(m - z * math.sqrt(v)) - 1, math.exp(m + z * math.sqrt(v)) - 1]}


def bayes_gaussian(nc, mc, sc, nt, mt, st, level=0.95):
    vc, vt = sc**2, st**2
    s = math.sqrt(vc / nc + vt / nt)
    d = mt - mc
    D = stats.norm(d, s)
    # E[max(-D, 0)] and E[max(D, 0)] by quadrature of the normal density (independent of
    # the closed form the C++ uses).
    loss = integrate.quad(lambda x: -x * D.pdf(x), -np.inf, 0)[0]
    loss_c = integrate.quad(lambda x: x * D.pdf(x), 0, np.inf)[0]
    r = mt / mc - 1
    rse = rel_se(mc, vc, nc, mt, vt, nt)
    z = stats.norm.ppf(1 - (1 - level) / 2)
    return {"chance_to_win": D.sf(0), "expected_loss": loss, "expected_loss_control": loss_c,
            "rel_lift": r, "rel_ci": [r - z * rse, r + z * rse]}


def bayesian_cases():
    out = []
    for (nc, kc), (nt, kt) in [((1000, 120), (1000, 150)), ((5000, 400), (5000, 380)),
                               ((100, 10), (100, 10)), ((200000, 5000), (200000, 5150)),
                               ((30, 0), (30, 2))]:
        out.append({"name": f"beta-binomial {nc}:{kc} vs {nt}:{kt}", "kind": "binomial",
                    "control": {"n": nc, "conversions": kc},
                    "treatment": {"n": nt, "conversions": kt},
                    "expected": bayes_binomial(nc, kc, nt, kt)})
    for c, t in [((1000, 10.0, 3.0), (1000, 10.4, 3.2)), ((50, 20.0, 8.0), (55, 19.0, 9.0)),
                 ((400, 5.0, 1.0), (400, 5.0, 1.0))]:
        out.append({"name": f"gaussian {c} vs {t}", "kind": "gaussian",
                    "control": {"n": c[0], "mean": c[1], "sd": c[2]},
                    "treatment": {"n": t[0], "mean": t[1], "sd": t[2]},
                    "expected": bayes_gaussian(*c, *t)})
    return out


def srm_cases():
    out = []
    for obs, w in [([1000, 1200], [0.5, 0.5]),  # the gbstats test value: p ~ 2.0079e-05
                   ([5000, 5050], [0.5, 0.5]), ([3000, 3100, 2950], None),
                   ([2000, 8100], [0.2, 0.8]), ([100, 0], [0.5, 0.5]), ([7, 9, 11, 13], [1, 1, 1, 1])]:
        wv = np.array(w if w else [1] * len(obs), dtype=float)
        exp = np.array(obs, dtype=float).sum() * wv / wv.sum()
        res = stats.chisquare(obs, exp)
        out.append({"name": f"srm {obs} {w}", "observed": obs, "weights": w,
                    "expected": {"chi_squared": float(res.statistic),
                                 "p_value": float(res.pvalue), "df": len(obs) - 1}})
    return out


def holm(p):
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    adj = [0.0] * m
    for rank, i in enumerate(order):
        adj[i] = max(min(1.0, (m - j) * p[order[j]]) for j in range(rank + 1))
    return adj


def bh(p):
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    adj = [0.0] * m
    for rank, i in enumerate(order):
        adj[i] = min(min(1.0, m * p[order[j]] / (j + 1)) for j in range(rank, m))
    return adj


def multiple_cases():
    out = []
    for p in [[0.01, 0.04, 0.03, 0.005], [0.5], [0.001, 0.002, 0.2, 0.9, 0.04, 0.049],
              [0.02, 0.02, 0.02], [0.0, 1.0, 0.3]]:
        out.append({"name": f"p={p}", "p_values": p,
                    "expected": {"holm": holm(p), "bh": bh(p)}})
    return out


def power_cases():
    out = []
    for base, mde, alpha, power, sided in [(0.10, 0.05, 0.05, 0.8, "two"),
                                           (0.10, 0.10, 0.05, 0.8, "two"),
                                           (0.02, 0.20, 0.05, 0.9, "two"),
                                           (0.50, -0.04, 0.01, 0.8, "two"),
                                           (0.10, 0.05, 0.05, 0.8, "greater")]:
        za = stats.norm.ppf(1 - alpha / 2 if sided == "two" else 1 - alpha)
        zb = stats.norm.ppf(power)
        p1, p2 = base, base * (1 + mde)
        pbar = (p1 + p2) / 2
        n = (za * math.sqrt(2 * pbar * (1 - pbar)) +
             zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p2 - p1) ** 2
        out.append({"name": f"proportions {base} {mde} {alpha} {power} {sided}",
                    "kind": "proportions", "baseline": base, "mde": mde, "alpha": alpha,
                    "power": power, "sided": sided,
                    "expected": {"n_per_variation": math.ceil(n), "n_exact": n}})
    for mean, sd, mde, alpha, power in [(50.0, 20.0, 0.02, 0.05, 0.8), (10.0, 3.0, 0.05, 0.05, 0.9)]:
        za, zb = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
        n = 2 * (za + zb) ** 2 * sd**2 / (mean * mde) ** 2
        out.append({"name": f"means {mean} {sd} {mde}", "kind": "means", "mean": mean, "sd": sd,
                    "mde": mde, "alpha": alpha, "power": power, "sided": "two",
                    "expected": {"n_per_variation": math.ceil(n), "n_exact": n}})
    return out


def to_py(o):
    if isinstance(o, dict):
        return {k: to_py(v) for k, v in o.items()}
    if isinstance(o, list):
        return [to_py(v) for v in o]
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    return o


def main():
    os.makedirs(OUT, exist_ok=True)
    files = {
        "frequentist.json": proportions_cases() + welch_cases(),
        "cuped.json": cuped_cases(),
        "sequential.json": sequential_cases(),
        "bayesian.json": bayesian_cases(),
        "srm.json": srm_cases(),
        "multiple_testing.json": multiple_cases(),
        "power.json": power_cases(),
    }
    for name, cases in files.items():
        doc = {"generator": "scripts/gen_stats_golden.py",
               "scipy": __import__("scipy").__version__, "cases": to_py(cases)}
        with open(os.path.join(OUT, name), "w") as f:
            json.dump(doc, f, indent=1, allow_nan=False)
            f.write("\n")
        print(f"{name}: {len(cases)} cases")


if __name__ == "__main__":
    main()
