// Spec: what the user says about the data to generate — row counts per table and, per
// column, a distribution, null fraction, number of distinct values, most common values or a
// text kind. Everything is optional: the plan (plan.h) picks defaults from each column's
// name, type and constraints. Read from `--rows` and a YAML spec file:
//
//   seed: 42
//   default_rows: 1000
//   tables:
//     sales.orders:
//       rows: 5M
//       columns:
//         status: { values: [paid, shipped, cancelled], weights: [0.7, 0.25, 0.05] }
//         customer_id: { distribution: zipf, s: 1.2 }
//         created_at: { distribution: timeseries, min: '2024-01-01', max: '2026-01-01' }
//         note: { null_fraction: 0.9, kind: sentence, length: 80 }
//         total: { distribution: normal, mean: 120, stddev: 40, min: 0 }
//         country: { n_distinct: 40 }
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace dbarch::datagen {

enum class Distribution { kDefault, kUniform, kNormal, kZipf, kSequential, kTimeSeries };

struct ColumnSpec {
  Distribution distribution = Distribution::kDefault;
  std::optional<std::string> min;  // number, date or timestamp text
  std::optional<std::string> max;
  std::optional<double> mean;
  std::optional<double> stddev;
  std::optional<double> zipf_s;
  std::optional<int64_t> n_distinct;
  std::optional<double> null_fraction;
  std::vector<std::string> values;   // explicit value list (most common values)
  std::vector<double> weights;       // their frequencies (same length), optional
  std::string kind;                  // text kind: name, email, phone, sentence, ...
  std::optional<int> length;         // text length (characters)
};

struct TableSpec {
  std::optional<int64_t> rows;
  std::map<std::string, ColumnSpec> columns;
};

struct Spec {
  uint64_t seed = 42;
  int64_t default_rows = 1000;
  // Keys are table names as written ("orders" or "sales.orders"); the plan resolves them
  // against the catalog and reports unknown ones.
  std::map<std::string, TableSpec> tables;
  // Rows per leaf partition ("schema.name"), from a live database (SpecLike): a partitioned
  // table's rows are spread over its range partitions in these proportions instead of by the
  // width of their bounds.
  std::map<std::string, int64_t> partition_rows;
};

// "5M" -> 5000000, "10k" -> 10000, "2500" -> 2500, "1.5M" -> 1500000.
Result<int64_t> ParseCount(std::string_view text);
// Applies `--rows orders=5M,customers=100k` to `spec`.
Status ApplyRowsFlag(std::string_view flag, Spec& spec);
// Parses a YAML spec (named `path` in errors, with line:column).
Result<Spec> ParseSpec(const std::string& path, const std::string& text);
Result<Spec> LoadSpec(const std::string& path);

}  // namespace dbarch::datagen
