// Finding: one problem a lint rule reports, with where it is and how to fix it. Produced by
// rules, collected by the Linter, rendered by report/. Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/source_span.h"

namespace dbarch::lint {

enum class Severity { kInfo = 0, kWarning = 1, kError = 2 };

// "error" | "warning" | "info".
const char* SeverityName(Severity s);
// Parses "error" | "warning" | "info"; false on anything else.
bool ParseSeverity(std::string_view text, Severity* out);

enum class Family { kDesign, kQuery, kMigration, kSecurity };

// "design" | "query" | "migration" | "security".
const char* FamilyName(Family f);
bool ParseFamily(std::string_view text, Family* out);

struct Finding {
  std::string rule;  // stable kebab-case id
  Severity severity = Severity::kWarning;
  std::string message;  // lower-case start, no final period, identifiers quoted
  // The offending statement or clause: file, byte range, 1-based line and column of its
  // first character.
  SourceSpan span;
  std::optional<std::string> fix;  // SQL (or advice) that resolves it; nullopt when none
  // Byte range of the statement the finding is in (equal when not about one statement):
  // a `-- dbarch:ignore` comment on the statement covers every finding inside it.
  uint32_t statement_begin = 0;
  uint32_t statement_end = 0;
};

}  // namespace dbarch::lint
