// BuildSchema: a checked Model (model.h) -> the PostgreSQL 15 schema that implements it, before
// any server sees it: DDL statements in load order (types, tables, foreign keys, their
// supporting indexes, triggers, comments), the choices made on the way with their reasons
// (enum or lookup table per status, partitioning proposals), one sample query per access
// pattern with the query that picks its parameter values from generated data, and the data
// generator's spec at the model's row counts times a scale. Pure function; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "datagen/spec.h"
#include "design/model.h"

namespace dbarch::design {

struct ColumnDesign {
  std::string name;
  std::string sql_type;
  bool not_null = false;
  std::string semantic;     // the model's type, "key", "reference", "audit", ...
  std::string constraints;  // what the column's CHECK / UNIQUE / FK say, for the dictionary
  std::string description;
};

struct TableDesign {
  std::string name;  // unqualified
  std::string kind;  // "entity", "junction", "lookup"
  std::string description;
  int64_t rows = 0;  // expected rows (the model's, unscaled)
  std::string growth;
  std::vector<ColumnDesign> columns;
};

struct StatusChoice {
  std::string table;
  std::string column;
  std::string storage;  // "enum" or "lookup"
  std::string type;     // the enum type or the lookup table
  std::vector<std::string> values;
  std::string reason;
};

struct ForeignKeyIndex {
  std::string table;
  std::string name;
  std::vector<std::string> columns;
  std::string ddl;
};

// An index the design derives from an access pattern on a partitioned table (the advisor's
// what-if, HypoPG, cannot see hypothetical indexes on partitioned tables): equality columns,
// then the pattern's order or time column.
struct PatternIndex {
  std::string table;
  std::string name;
  std::vector<std::string> columns;
  std::string ddl;
  std::string pattern;  // the access pattern it serves
  std::string rationale;
};

struct PatternQuery {
  std::string name;  // the access pattern's name
  std::string kind;
  std::string frequency;
  double weight = 1;  // calls per minute
  std::string sql;    // with $1, $2, ... for the parameters
  // One row of parameter values from the loaded data (empty: no parameters).
  std::string param_sql;
};

// A table the DDL range-partitions by month on its time column (its rows at the model's
// horizon reach options.partition_rows).
struct PartitionProposal {
  std::string table;
  int64_t projected_rows = 0;  // rows + growth x horizon_months
  std::string key;             // the partition key column
  int months = 0;              // monthly partitions, plus one DEFAULT
  std::string first, last;     // the first and last monthly partition
  std::string reason;
};

struct SchemaDesign {
  std::string schema;                   // "public" or the model's schema
  std::vector<std::string> statements;  // DDL in load order, each without a final ';'
  std::vector<TableDesign> tables;      // load order
  std::vector<StatusChoice> statuses;
  std::vector<ForeignKeyIndex> fk_indexes;
  std::vector<PatternIndex> pattern_indexes;  // on partitioned tables
  std::vector<PatternQuery> queries;  // model order
  std::vector<PartitionProposal> partitions;  // partitioned tables, model order
  std::vector<std::string> notes;  // cross-cutting choices, one sentence each
  datagen::Spec spec;              // rows per table at the model's counts x scale

  // The statements joined as one script (";\n\n" between them).
  std::string Ddl() const;
};

struct BuildOptions {
  double scale = 1;  // row counts multiplied by this (at least 1 row per table); > 0
  uint64_t seed = 42;
};

// Builds the schema of `model`. Requires: `model` came from ParseModel (names resolve).
// Errors: kInvalidArgument for a combination the design cannot express (named in the message).
Result<SchemaDesign> BuildSchema(const Model& model, const BuildOptions& options);

// The lint naming convention the generated names follow (PostgreSQL's own default names),
// as a dbarch.yaml `naming:` section; the verification lints with it.
std::string NamingConventionYaml();

}  // namespace dbarch::design
