#include "experiments/stats/distributions.h"

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

namespace tailor::experiments::stats {

namespace {

namespace bp = boost::math::policies;
// No exceptions: out-of-domain arguments give NaN/inf and set errno; callers check
// their arguments before calling, so this is belt and braces.
using Policy =
    bp::policy<bp::domain_error<bp::errno_on_error>, bp::pole_error<bp::errno_on_error>,
               bp::overflow_error<bp::errno_on_error>, bp::evaluation_error<bp::errno_on_error>,
               bp::rounding_error<bp::errno_on_error>>;
using Normal = boost::math::normal_distribution<double, Policy>;
using StudentT = boost::math::students_t_distribution<double, Policy>;
using ChiSquared = boost::math::chi_squared_distribution<double, Policy>;
using Beta = boost::math::beta_distribution<double, Policy>;

}  // namespace

double NormalCdf(double x) { return boost::math::cdf(Normal(), x); }
double NormalSf(double x) { return boost::math::cdf(boost::math::complement(Normal(), x)); }
double NormalPdf(double x) { return boost::math::pdf(Normal(), x); }
double NormalQuantile(double p) { return boost::math::quantile(Normal(), p); }

double StudentTCdf(double x, double df) { return boost::math::cdf(StudentT(df), x); }
double StudentTSf(double x, double df) {
  return boost::math::cdf(boost::math::complement(StudentT(df), x));
}
double StudentTQuantile(double p, double df) { return boost::math::quantile(StudentT(df), p); }

double ChiSquaredSf(double x, double df) {
  return boost::math::cdf(boost::math::complement(ChiSquared(df), x));
}

double BetaPdf(double x, double a, double b) { return boost::math::pdf(Beta(a, b), x); }
double BetaCdf(double x, double a, double b) { return boost::math::cdf(Beta(a, b), x); }

double Digamma(double x) { return boost::math::digamma(x, Policy()); }
double Trigamma(double x) { return boost::math::trigamma(x, Policy()); }

}  // namespace tailor::experiments::stats
