// Version: a migration's version as Flyway reads it from a file name ("1", "1.2.10",
// "2024_01_31" with '_' as a separator, "20240131120000"), compared part by part as
// numbers, so 1.2.10 > 1.2.9 and 1.0 == 1 (trailing zero parts do not count). Used by
// migration_files.h (file names), history.h (the version column) and the runner.
// Immutable value; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace dbarch::migrate {

class Version {
 public:
  // Parses "1.2.10" / "1_2_10" / "20240131": digits separated by single '.' or '_'.
  // kInvalidArgument for anything else (empty, letters, "1..2", a leading or trailing dot).
  static Result<Version> Parse(std::string_view text);

  // The text as the file name wrote it, '_' turned into '.' ("1.2.10").
  const std::string& text() const { return text_; }

  // -1, 0 or 1; numeric per part, leading zeros and trailing zero parts ignored.
  int Compare(const Version& other) const;
  bool operator==(const Version& o) const { return Compare(o) == 0; }
  bool operator<(const Version& o) const { return Compare(o) < 0; }
  bool operator<=(const Version& o) const { return Compare(o) <= 0; }
  bool operator>(const Version& o) const { return Compare(o) > 0; }

 private:
  std::string text_;
  // Each part without leading zeros ("" for 0), compared by length then text, so any
  // number of digits works (timestamps, long dotted versions).
  std::vector<std::string> parts_;
};

}  // namespace dbarch::migrate
