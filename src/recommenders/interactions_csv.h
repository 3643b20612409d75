// Reads interactions from delimited text (CSV, TSV, MovieLens "::").
//
// Each line is one interaction; the columns are named by `CsvOptions::columns`, e.g.
// "user,item,weight,timestamp". A line that cannot be read (too few fields, an empty id,
// a weight or timestamp that is not a number, an unknown event type) is a bad row: it is
// counted, the first few are reported with their line number, and reading goes on. Only a
// source where every data row is bad (or there is none) fails.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "recommenders/interactions.h"

namespace tailor::recommenders {

struct CsvOptions {
  // Comma-separated column names: user and item are required; optional weight (or its
  // alias rating), timestamp (integer Unix seconds), event (an event type looked up in
  // InteractionOptions::event_weights) and `_` for a column to skip.
  std::string columns = "user,item";
  // Field separator: "," ";" "|" "\t" or a multi-character one such as "::".
  std::string separator = ",";
  // Skip the first line (a header).
  bool header = false;
  // How many bad rows to describe in CsvReport::errors.
  size_t max_reported_errors = 5;
  // Weights per event type (only read when there is an `event` column).
  InteractionOptions interaction;
};

struct CsvReport {
  uint64_t lines = 0;  // data lines seen (blank lines and the header not counted)
  uint64_t accepted = 0;
  uint64_t bad = 0;
  std::vector<std::string> errors;  // "line 7: timestamp is not an integer: 'x'"
};

// Parses "TAB", "\t", "tab", "comma", "::" etc. into a separator string.
Result<std::string> ParseSeparator(std::string_view text);

// Reads all of `in` into `out` (appending), counting into `report`. Fails with
// kInvalidArgument when the column spec is invalid or when no row could be read (the
// message carries the first errors).
Status ReadInteractionsCsv(std::istream& in, const CsvOptions& options, RawInteractions* out,
                           CsvReport* report);

// Opens `path` and reads it as above; kNotFound when the file cannot be opened.
Status ReadInteractionsCsvFile(const std::string& path, const CsvOptions& options,
                               RawInteractions* out, CsvReport* report);

}  // namespace tailor::recommenders
