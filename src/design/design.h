// RunDesign: the whole `dbarch design` pipeline as one library call. From a checked Model it
// builds the schema (schema.h), lints the DDL with the naming convention the design follows,
// starts a private PostgreSQL 15 sandbox, loads the DDL, fills every table with generated
// rows at the model's counts times a scale (datagen/, every constraint checked by the
// server), picks each access pattern's parameter values from those rows, asks the advisor
// (advisor/) for the indexes of the access-pattern workload, builds them, lints the final DDL,
// times every sample query (measure/: median and p95), and finally asks the advisor once more
// what it would add after the fact. Any failure on the way (DDL the server rejects, a lint
// finding at warning or above, rows the server rejects, a sample query that fails) is an
// error, never a note in the result. The sandbox is stopped before returning.
//
// The library never prints: progress goes to a DesignListener. Thread-safety: one call at a
// time per listener; the call owns its sandbox.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "advisor/advise_result.h"
#include "base/status.h"
#include "catalog/model.h"
#include "design/model.h"
#include "design/schema.h"

namespace dbarch::design {

class DesignListener {
 public:
  virtual ~DesignListener() = default;
  virtual void OnProgress(const std::string& message) { (void)message; }
  virtual void OnWarning(const std::string& message) { (void)message; }
};

struct DesignOptions {
  double scale = 1;    // generated rows = the model's rows x scale (at least 1 per table)
  uint64_t seed = 42;  // data generator seed
  int runs = 10;       // timed runs per sample query (median, p95)
  int timeout_ms = 30000;
  double budget_mb = 500;  // the advisor's size budget for new indexes
};

struct PatternTiming {
  std::string name;
  std::string kind;
  std::string frequency;
  double weight = 1;
  std::string sql;
  std::vector<std::string> params;  // the values the timed runs bound, in $n order
  double median_ms = 0;
  double p95_ms = 0;
  int64_t rows = 0;                  // rows the query returned
  std::vector<std::string> indexes;  // indexes the measured plan used
  std::string plan_node;             // the plan's root node
};

struct DesignIndex {
  std::string name;
  std::string table;
  std::string ddl;  // without CONCURRENTLY: the schema is new
  std::string rationale;
  std::vector<std::string> helps;  // access patterns it helps
  int64_t size_bytes = 0;
  std::string replaces;  // a foreign key index it makes redundant (dropped), "" none
};

// Where the generated rows of a partitioned table landed.
struct PartitionLoad {
  std::string table;
  int64_t rows = 0;
  int partitions_with_rows = 0;  // monthly partitions holding rows
  int64_t default_rows = 0;      // rows in the DEFAULT partition (outside the horizon)
};

struct DesignResult {
  Model model;
  SchemaDesign schema;
  std::string ddl;  // the final DDL: schema, foreign key indexes, chosen indexes
  std::vector<DesignIndex> indexes;
  std::vector<PatternTiming> timings;          // model order
  std::map<std::string, int64_t> loaded_rows;  // table -> rows in the sandbox
  std::vector<PartitionLoad> partition_loads;  // one per partitioned table
  std::vector<std::string> generator_warnings;
  std::vector<std::string> lint_info;  // info findings (allowed), "rule: message"
  // What `advise` proposes on the same data and workload after the design's indexes are
  // built: the design wants this empty. Index DDL, one per entry.
  std::vector<std::string> advise_after;
  catalog::Catalog catalog;  // the final schema as the server has it
  std::string server;        // "PostgreSQL 15.x"
  double scale = 1;
  int runs = 0;
};

// Runs the pipeline described in the file comment. Errors: kInvalidArgument for a design that
// fails verification (the message names the step and quotes the server or the linter), the
// sandbox's errors (kNotFound, kIO, kInternal, kConnection) when no server can be started.
Result<DesignResult> RunDesign(const Model& model, const DesignOptions& options,
                               DesignListener* listener = nullptr);

}  // namespace dbarch::design
