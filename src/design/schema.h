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

struct PatternQuery {
  std::string name;  // the access pattern's name
  std::string kind;
  std::string frequency;
  double weight = 1;  // calls per minute
  std::string sql;    // with $1, $2, ... for the parameters
  // One row of parameter values from the loaded data (empty: no parameters).
  std::string param_sql;
};

struct PartitionProposal {
  std::string table;
  int64_t projected_rows = 0;  // rows + 36 months of growth
  std::string key;
  std::string reason;
  std::string ddl;  // a sketch: the parent and one monthly partition
};

struct SchemaDesign {
  std::string schema;                   // "public" or the model's schema
  std::vector<std::string> statements;  // DDL in load order, each without a final ';'
  std::vector<TableDesign> tables;      // load order
  std::vector<StatusChoice> statuses;
  std::vector<ForeignKeyIndex> fk_indexes;
  std::vector<PatternQuery> queries;  // model order
  std::vector<PartitionProposal> partitions;
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
