// The probability distributions the tests use, all from Boost.Math, behind plain
// functions so only distributions.cc includes Boost and nothing here throws: Boost is
// configured with errno_on_error policies, and callers validate arguments first.
//
// Thread safety: pure functions.
#pragma once

namespace tailor::experiments::stats {

double NormalCdf(double x);
double NormalSf(double x);  // 1 - cdf, accurate in the tail
double NormalPdf(double x);
double NormalQuantile(double p);  // REQUIRES: 0 < p < 1

// Student's t with `df` > 0 degrees of freedom.
double StudentTCdf(double x, double df);
double StudentTSf(double x, double df);
double StudentTQuantile(double p, double df);  // REQUIRES: 0 < p < 1

// Upper tail of chi-squared with `df` > 0 degrees of freedom.
double ChiSquaredSf(double x, double df);

// Beta(a, b), a, b > 0.
double BetaPdf(double x, double a, double b);
double BetaCdf(double x, double a, double b);

// ψ and ψ' (digamma, trigamma), x > 0.
double Digamma(double x);
double Trigamma(double x);

}  // namespace tailor::experiments::stats
