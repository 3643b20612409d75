#include "experiments/stats/power.h"

#include <cmath>

#include "experiments/stats/distributions.h"

namespace tailor::experiments::stats {

namespace {

constexpr double kMaxUnits = 9e15;  // exactly representable; beyond it a test is hopeless

double ZAlpha(const PowerOptions& o) {
  return NormalQuantile(o.sided == Sided::kTwo ? 1 - o.alpha / 2 : 1 - o.alpha);
}

Result<int64_t> Round(double n) {
  if (!(n <= kMaxUnits)) return InvalidArgument("the effect is too small to detect", "mde");
  return static_cast<int64_t>(std::ceil(n - 1e-9));  // 64.0000000001 from rounding is 64
}

}  // namespace

Status PowerOptions::Validate() const {
  if (!(alpha > 0 && alpha < 1)) return InvalidArgument("must be in (0, 1)", "alpha");
  if (!(power > 0 && power < 1)) return InvalidArgument("must be in (0, 1)", "power");
  return Status::OK();
}

Result<int64_t> SampleSizeProportions(double baseline, double mde, const PowerOptions& o) {
  TAILOR_RETURN_IF_ERROR(o.Validate());
  if (!(baseline > 0 && baseline < 1)) return InvalidArgument("must be in (0, 1)", "baseline");
  if (!(mde != 0) || !std::isfinite(mde)) return InvalidArgument("must be non-zero", "mde");
  const double p1 = baseline, p2 = baseline * (1 + mde);
  if (!(p2 > 0 && p2 < 1)) {
    return InvalidArgument("baseline * (1 + mde) must be in (0, 1)", "mde");
  }
  const double pbar = (p1 + p2) / 2;
  const double a = ZAlpha(o) * std::sqrt(2 * pbar * (1 - pbar));
  const double b = NormalQuantile(o.power) * std::sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return Round((a + b) * (a + b) / ((p2 - p1) * (p2 - p1)));
}

Result<int64_t> SampleSizeMeans(double mean, double sd, double mde, const PowerOptions& o) {
  TAILOR_RETURN_IF_ERROR(o.Validate());
  if (!(mean != 0) || !std::isfinite(mean)) return InvalidArgument("must be non-zero", "mean");
  if (!(sd > 0) || !std::isfinite(sd)) return InvalidArgument("must be > 0", "sd");
  if (!(mde != 0) || !std::isfinite(mde)) return InvalidArgument("must be non-zero", "mde");
  const double delta = mean * mde;
  const double z = ZAlpha(o) + NormalQuantile(o.power);
  return Round(2 * z * z * sd * sd / (delta * delta));
}

}  // namespace tailor::experiments::stats
