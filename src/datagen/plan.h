// Plan: how every column of every table will be filled, decided once from the catalog and
// the spec before a single row is made. BuildPlan orders the tables so that every foreign
// key's parent is filled first (self-references draw from earlier rows; a cycle is broken
// at a nullable foreign key, left NULL and reported), reads each column's type, NOT NULL,
// identity, domain and enum, and turns the CHECK constraints it understands (ranges,
// IN lists, <>, comparisons between columns, sums, lengths, simple regular expressions,
// IS NOT NULL, and an OR of those) into per-column bounds and per-row rules. What it does
// not understand is listed in TablePlan::warnings — rows may then be rejected by the server,
// which generate reports as an error, never as success.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/model.h"
#include "datagen/spec.h"

namespace dbarch::datagen {

enum class ValueKind {
  kInt, kNumeric, kFloat, kText, kBool, kDate, kTimestamp, kTimestampTz, kTime, kInterval,
  kUuid, kJson, kBytea, kInet, kUnsupported
};

// Plausible text, chosen from the column name or the spec's `kind`.
enum class TextKind {
  kWord, kFirstName, kLastName, kFullName, kEmail, kPhone, kStreet, kCity, kCountryCode,
  kPostalCode, kUrl, kSentence, kCode, kCurrency, kSlug, kUsername, kHash
};

// One atom of a simple regular expression: a set of characters repeated min..max times.
struct RegexAtom {
  std::string chars;  // the characters it may be (a literal is a one-character set)
  int min = 1;
  int max = 1;
};

struct ColumnPlan {
  std::string name;
  std::string type;   // format_type spelling
  ValueKind kind = ValueKind::kText;
  bool array = false;
  bool omitted = false;  // generated (STORED) columns: the server computes them
  bool sequence = false;  // identity / serial: start + i * increment, setval afterwards
  int64_t seq_start = 1;
  int64_t seq_increment = 1;
  bool serial = false;    // the sequence is a serial's (nextval default), not an identity
  // Bounds (numbers; dates and timestamps as seconds since 1970-01-01 UTC).
  std::optional<double> lo, hi;
  bool lo_exclusive = false, hi_exclusive = false;
  int precision = 0;  // numeric(p, s); 0 = unconstrained
  int scale = -1;     // -1 = unconstrained
  int max_length = -1;
  int min_length = 0;
  int int_bytes = 4;  // smallint 2, integer 4, bigint 8
  std::vector<std::string> choices;      // IN list, enum labels or spec values
  std::vector<double> choice_weights;    // empty = uniform
  std::vector<std::string> not_equal;    // <> constants
  std::vector<RegexAtom> regex;          // empty = none
  Distribution distribution = Distribution::kDefault;
  double mean = 0, stddev = 0;
  double zipf_s = 1.1;
  int64_t n_distinct = 0;  // 0 = as many as the distribution gives
  double null_fraction = 0;
  TextKind text_kind = TextKind::kWord;
  int text_length = 0;     // sentences: target length
  bool unique = false;     // alone in a PRIMARY KEY / UNIQUE
  int fk = -1;             // index into TablePlan::fks, -1 = none
  int fk_position = 0;     // position in that foreign key's columns
  int partition_ranges = -1;  // >= 0: the partition key of TablePlan::partition
};

struct ForeignKeyPlan {
  std::string name;
  catalog::QualifiedName parent;
  std::vector<int> columns;  // indexes into TablePlan::columns
  std::vector<std::string> parent_columns;
  bool nullable = false;    // every local column nullable
  bool self = false;        // references its own table: draws from earlier rows
  bool broken = false;      // breaks a cycle: left NULL
  bool unique = false;      // the local columns are unique too (1:1): parents without repeats
  Distribution distribution = Distribution::kZipf;
  double zipf_s = 1.1;
};

// A per-row rule between columns.
struct RowRule {
  enum Kind { kLessEqual, kLess, kNotEqual, kSum } kind = kLessEqual;
  int a = -1, b = -1;  // a <= b, a < b, a <> b
  int target = -1;     // kSum: target = Σ sign * terms
  std::vector<std::pair<int, int>> terms;  // (column, +1 | -1)
};

struct PartitionPlan {
  int column = -1;
  bool list = false;
  std::vector<std::pair<double, double>> ranges;  // RANGE: [from, to), in bound order
  std::vector<std::string> values;                // LIST values
};

struct TablePlan {
  catalog::QualifiedName name;
  int64_t rows = 0;
  std::vector<ColumnPlan> columns;
  std::vector<ForeignKeyPlan> fks;
  std::vector<RowRule> rules;
  std::vector<std::vector<int>> unique_sets;  // composite PRIMARY KEY / UNIQUE column sets
  std::optional<PartitionPlan> partition;
  bool partitioned = false;  // a partitioned table (COPY routes rows; no COPY FREEZE)
  std::vector<std::string> warnings;
  bool referenced = false;  // some table's foreign key points here: keep its keys
};

struct Plan {
  uint64_t seed = 42;
  std::vector<TablePlan> tables;  // in fill order
  std::vector<std::string> warnings;
};

// Requires: `catalog` is complete (every foreign key's parent is in it). Fails on a spec
// naming unknown tables or columns (with a did-you-mean), and on a cycle of NOT NULL foreign
// keys that cannot be broken.
Result<Plan> BuildPlan(const catalog::Catalog& catalog, const Spec& spec);

// Seconds since 1970-01-01 UTC of 'YYYY-MM-DD[ HH:MM[:SS[.fff]]][+HH[:MM]]' (also with 'T').
std::optional<double> ParseTimestamp(std::string_view text);

}  // namespace dbarch::datagen
