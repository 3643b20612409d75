#include "recommenders/interactions_csv.h"

#include <charconv>
#include <cmath>
#include <fstream>

namespace tailor::recommenders {

namespace {

enum class Column { kSkip, kUser, kItem, kWeight, kTimestamp, kEvent };

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\r' || s.front() == '"'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '"')) s.remove_suffix(1);
  return s;
}

Result<std::vector<Column>> ParseColumns(std::string_view spec) {
  std::vector<Column> cols;
  bool user = false, item = false, weight = false, ts = false, event = false;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t end = spec.find(',', start);
    if (end == std::string_view::npos) end = spec.size();
    std::string_view name = Trim(spec.substr(start, end - start));
    auto once = [&](bool* seen, Column c) -> Status {
      if (*seen)
        return InvalidArgument("column '" + std::string(name) + "' given twice", "columns");
      *seen = true;
      cols.push_back(c);
      return Status::OK();
    };
    if (name == "user") {
      TAILOR_RETURN_IF_ERROR(once(&user, Column::kUser));
    } else if (name == "item") {
      TAILOR_RETURN_IF_ERROR(once(&item, Column::kItem));
    } else if (name == "weight" || name == "rating") {
      TAILOR_RETURN_IF_ERROR(once(&weight, Column::kWeight));
    } else if (name == "timestamp") {
      TAILOR_RETURN_IF_ERROR(once(&ts, Column::kTimestamp));
    } else if (name == "event") {
      TAILOR_RETURN_IF_ERROR(once(&event, Column::kEvent));
    } else if (name == "_") {
      cols.push_back(Column::kSkip);
    } else {
      return InvalidArgument("unknown column '" + std::string(name) +
                                 "' (expected user, item, weight, rating, timestamp, event or _)",
                             "columns");
    }
    start = end + 1;
  }
  if (!user || !item) return InvalidArgument("columns must include user and item", "columns");
  if (weight && event) return InvalidArgument("give either a weight or an event column", "columns");
  return cols;
}

void SplitFields(std::string_view line, std::string_view sep, std::vector<std::string_view>* out) {
  out->clear();
  size_t start = 0;
  while (true) {
    size_t end = line.find(sep, start);
    if (end == std::string_view::npos) {
      out->push_back(line.substr(start));
      return;
    }
    out->push_back(line.substr(start, end - start));
    start = end + sep.size();
  }
}

std::string Quote(std::string_view s) {
  constexpr size_t kMax = 40;
  std::string q = "'" + std::string(s.substr(0, kMax)) + (s.size() > kMax ? "...'" : "'");
  return q;
}

}  // namespace

Result<std::string> ParseSeparator(std::string_view text) {
  if (text == "TAB" || text == "tab" || text == "\\t" || text == "\t") return std::string("\t");
  if (text == "comma") return std::string(",");
  if (text == "semicolon") return std::string(";");
  if (text == "pipe") return std::string("|");
  if (text == "space") return std::string(" ");
  if (text.empty() || text.size() > 4) {
    return InvalidArgument("separator must be 1 to 4 characters or TAB", "sep");
  }
  return std::string(text);
}

Status ReadInteractionsCsv(std::istream& in, const CsvOptions& options, RawInteractions* out,
                           CsvReport* report) {
  TAILOR_ASSIGN_OR_RETURN(std::vector<Column> cols, ParseColumns(options.columns));
  if (options.separator.empty()) return InvalidArgument("empty separator", "sep");
  TAILOR_RETURN_IF_ERROR(options.interaction.Validate());
  for (Column c : cols) {
    if (c == Column::kWeight || c == Column::kEvent) out->has_values = true;
    if (c == Column::kTimestamp) out->has_timestamps = true;
  }
  std::string line;
  std::vector<std::string_view> fields;
  uint64_t line_no = 0;
  auto bad = [&](const std::string& why) {
    ++report->bad;
    if (report->errors.size() < options.max_reported_errors) {
      report->errors.push_back("line " + std::to_string(line_no) + ": " + why);
    }
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (line_no == 1 && options.header) continue;
    std::string_view view = line;
    if (!view.empty() && view.back() == '\r') view.remove_suffix(1);
    if (view.find_first_not_of(" \t") == std::string_view::npos) continue;
    ++report->lines;
    SplitFields(view, options.separator, &fields);
    if (fields.size() < cols.size()) {
      bad("expected " + std::to_string(cols.size()) + " fields, found " +
          std::to_string(fields.size()));
      continue;
    }
    std::string_view user, item;
    float value = 1.0f;
    int64_t ts = 0;
    std::string why;
    for (size_t c = 0; c < cols.size() && why.empty(); ++c) {
      std::string_view f = Trim(fields[c]);
      switch (cols[c]) {
        case Column::kSkip:
          break;
        case Column::kUser:
          user = f;
          if (user.empty()) why = "empty user id";
          break;
        case Column::kItem:
          item = f;
          if (item.empty()) why = "empty item id";
          break;
        case Column::kWeight: {
          double v = 0;
          auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
          if (ec != std::errc() || p != f.data() + f.size() || !std::isfinite(v) ||
              std::fabs(v) > 1e30) {
            why = "weight is not a finite number: " + Quote(f);
          }
          value = static_cast<float>(v);
          break;
        }
        case Column::kTimestamp: {
          auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), ts);
          if (ec != std::errc() || p != f.data() + f.size()) {
            // Accept "1234.0" as written by some exporters.
            double d = 0;
            auto [p2, ec2] = std::from_chars(f.data(), f.data() + f.size(), d);
            if (ec2 != std::errc() || p2 != f.data() + f.size() || !std::isfinite(d) ||
                std::fabs(d) > 9e15) {
              why = "timestamp is not an integer: " + Quote(f);
            } else {
              ts = static_cast<int64_t>(d);
            }
          }
          break;
        }
        case Column::kEvent: {
          auto it = options.interaction.event_weights.find(f);
          if (it == options.interaction.event_weights.end()) {
            why = "unknown event type " + Quote(f);
          } else {
            value = static_cast<float>(it->second);
          }
          break;
        }
      }
    }
    if (!why.empty()) {
      bad(why);
      continue;
    }
    out->Add(user, item, value, ts);
    ++report->accepted;
  }
  if (report->accepted == 0) {
    std::string msg = report->lines == 0
                          ? "no interactions in the input"
                          : "every row is malformed (" + std::to_string(report->bad) + " bad rows)";
    for (const auto& e : report->errors) msg += "; " + e;
    return InvalidArgument(msg);
  }
  return Status::OK();
}

Status ReadInteractionsCsvFile(const std::string& path, const CsvOptions& options,
                               RawInteractions* out, CsvReport* report) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open interactions file " + path);
  return ReadInteractionsCsv(in, options, out, report);
}

}  // namespace tailor::recommenders
