// Hand-written because GCC 12's libstdc++ has no std::chrono::parse and no Debian
// package offers a strict RFC 3339 parser without pulling in a date library; the
// civil-date arithmetic is Howard Hinnant's public-domain days_from_civil.
#include "core/time_util.h"

#include <charconv>
#include <cstdio>

namespace tailor {

namespace {

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

Result<int64_t> ParseIso8601(std::string_view s) {
  auto bad = [&](const char* why) {
    return InvalidArgument(std::string("is not an ISO 8601 date-time (") + why +
                           "); expected e.g. 2026-11-23T01:38:16.123Z or epoch milliseconds");
  };
  int year, month, day, hour, minute, second;
  if (!Digits(s, 0, 4, &year) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, &month) ||
      s[7] != '-' || !Digits(s, 8, 2, &day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !Digits(s, 11, 2, &hour) || s[13] != ':' || !Digits(s, 14, 2, &minute) || s[16] != ':' ||
      !Digits(s, 17, 2, &second)) {
    return bad("layout");
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return bad("month out of range");
  int max_day = kDays[month - 1] + (month == 2 && IsLeap(year) ? 1 : 0);
  if (day < 1 || day > max_day) return bad("day out of range");
  if (hour > 23 || minute > 59 || second > 60) return bad("time out of range");
  if (second == 60) second = 59;  // leap second: clamp, we store milliseconds
  size_t pos = 19;
  int64_t millis = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    size_t start = pos;
    int64_t scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      millis += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start || pos - start > 9) return bad("fraction");
  }
  int64_t offset_min = 0;
  if (pos >= s.size()) return bad("missing time zone, add Z or an offset");
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return bad("offset");
    }
    offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad("time zone");
  }
  if (pos != s.size()) return bad("trailing characters");
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_min * 60;
  return secs * 1000 + millis;
}

std::string FormatIso8601(int64_t ms) {
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int64_t frac = ms - secs * 1000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  if (y >= 0 && y <= 9999) {
    // Digits by hand: this runs twice per stored event, and snprintf was ~1 % of ingest.
    std::string out = "0000-00-00T00:00:00.000Z";
    auto put = [&out](size_t at, int64_t v, int width) {
      for (int i = width - 1; i >= 0; --i, v /= 10) out[at + static_cast<size_t>(i)] = static_cast<char>('0' + v % 10);
    };
    put(0, y, 4);
    put(5, m, 2);
    put(8, d, 2);
    put(11, rem / 3600, 2);
    put(14, (rem / 60) % 60, 2);
    put(17, rem % 60, 2);
    put(20, frac, 3);
    return out;
  }
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                static_cast<long long>((rem / 60) % 60), static_cast<long long>(rem % 60),
                static_cast<long long>(frac));
  return buf;
}

Result<int64_t> ParseDurationMs(std::string_view s) {
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  std::string_view unit(ptr, static_cast<size_t>(s.data() + s.size() - ptr));
  if (ec != std::errc() || ptr == s.data() || n < 0) {
    return InvalidArgument("'" + std::string(s) +
                           "' is not a duration; use a number and a unit: 250ms, 10s, 30m, 1h, "
                           "7d, 2w");
  }
  int64_t mult;
  if (unit == "ms") mult = 1;
  else if (unit == "s") mult = 1000;
  else if (unit == "m") mult = 60'000;
  else if (unit == "h") mult = 3'600'000;
  else if (unit == "d") mult = 86'400'000;
  else if (unit == "w") mult = 7 * 86'400'000LL;
  else {
    return InvalidArgument("'" + std::string(s) + "' has unknown duration unit '" +
                           std::string(unit) + "'; use ms, s, m, h, d or w");
  }
  if (n > INT64_MAX / mult) return InvalidArgument("duration '" + std::string(s) + "' overflows");
  return n * mult;
}

std::string FormatDurationMs(int64_t ms) {
  struct U { int64_t mult; const char* name; };
  static constexpr U kUnits[] = {{7 * 86'400'000LL, "w"}, {86'400'000, "d"}, {3'600'000, "h"},
                                 {60'000, "m"}, {1000, "s"}};
  if (ms != 0) {
    for (const U& u : kUnits) {
      if (ms % u.mult == 0) return std::to_string(ms / u.mult) + u.name;
    }
  }
  return std::to_string(ms) + "ms";
}

}  // namespace tailor
