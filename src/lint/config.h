// Config: what `dbarch.yaml` (found upward from the working directory, or --config) says
// about linting: rules and families switched on/off, severity overrides, naming
// conventions, the target PostgreSQL version and per-rule options. Immutable after
// loading; thread-safe to read.
//
//   target_version: 15
//   families: { query: off }                 # off | on
//   rules:
//     select-star: off                       # off | error | warning | info
//     too-many-indexes: { severity: info, max: 8 }
//   naming:
//     table: '^[a-z][a-z0-9_]*$'             # regular expressions (ECMAScript)
//     column: '^[a-z][a-z0-9_]*$'
//     index: '^{table}_.*_idx$'              # {table} is replaced by the table name
//     foreign_key: '^{table}_.*_fkey$'
//     primary_key: '^{table}_pkey$'
//     constraint: '^[a-z][a-z0-9_]*$'
//     table_number: plural                   # singular | plural (table names)
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "lint/finding.h"

namespace dbarch::lint {

struct RuleDoc;

struct NamingConfig {
  std::string table;
  std::string column;
  std::string index;
  std::string foreign_key;
  std::string primary_key;
  std::string unique;
  std::string constraint;
  std::string table_number;  // "" | "singular" | "plural"
};

class Config {
 public:
  // Whether the rule runs: not disabled by id or by family (explicit rule settings win).
  bool IsEnabled(const RuleDoc& doc) const;
  // The rule's severity after overrides.
  Severity SeverityOf(const RuleDoc& doc) const;
  // A rule option, or `fallback` when unset or not a number.
  int IntOption(std::string_view rule, std::string_view key, int fallback) const;
  std::string StringOption(std::string_view rule, std::string_view key,
                           std::string_view fallback) const;
  std::vector<std::string> ListOption(std::string_view rule, std::string_view key,
                                      const std::vector<std::string>& fallback) const;

  int target_version = 15;
  NamingConfig naming;
  // rule id -> severity; nullopt = off.
  std::map<std::string, std::optional<Severity>, std::less<>> rule_severity;
  std::map<Family, bool> family_enabled;
  // rule id -> option -> scalar values (one for scalars, many for lists).
  std::map<std::string, std::map<std::string, std::vector<std::string>, std::less<>>, std::less<>>
      rule_options;
  // Only these rules run when non-empty (tests, `--rule`).
  std::set<std::string, std::less<>> only;
  // Where the config came from ("" = defaults).
  std::string path;
};

// Parses YAML `text` (named `path` in errors). Unknown rule ids and families are
// kInvalidArgument errors with a "did you mean" hint; so are bad values.
Result<Config> ParseConfig(const std::string& path, const std::string& text);
// Reads and parses a config file; kIO if it cannot be read.
Result<Config> LoadConfig(const std::string& path);
// The first dbarch.yaml in `dir` or its parents; nullopt when there is none.
std::optional<std::string> FindConfigUpward(const std::string& dir);

}  // namespace dbarch::lint
