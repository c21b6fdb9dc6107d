// Generator: fills the tables of a Plan row by row, in COPY text format, into a RowSink —
// a live server (COPY FROM STDIN through libpq) or a directory of files with a psql load
// script. Deterministic: the same plan and seed give byte-identical rows. Values of
// referenced keys are kept (or, for sequences, computed) so that foreign keys draw from
// rows that exist; composite keys are made unique by rejection; row rules (a <= b, sums)
// are applied per row. Allocation-light: each row is formatted into one reused buffer.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "datagen/plan.h"

namespace dbarch::pg {
class Connection;
}

namespace dbarch::datagen {

// Where rows go. Begin/Write*/End per table, in plan order; Finish once at the end with
// the statements that set sequences past the generated values.
class RowSink {
 public:
  virtual ~RowSink() = default;
  // `columns` is the quoted, comma-separated list of columns the rows hold.
  virtual Status Begin(const TablePlan& table, const std::string& columns) = 0;
  virtual Status Write(std::string_view copy_text) = 0;
  virtual Result<int64_t> End() = 0;
  virtual Status Finish(const std::vector<std::string>& statements) = 0;
};

// COPY into a live database (the caller owns the connection and any transaction). With
// `freeze`, COPY ... WITH (FREEZE) for tables that are not partitioned: the caller must have
// created or truncated them in the current transaction.
std::unique_ptr<RowSink> MakeConnectionSink(pg::Connection& conn, bool freeze = false);
// One `<n>_<schema>.<table>.copy` file per table in `dir` (created if missing) and a
// `load.sql` for psql (\copy each file in order, then the sequence statements).
std::unique_ptr<RowSink> MakeDirectorySink(const std::string& dir);

struct TableStats {
  catalog::QualifiedName name;
  int64_t rows = 0;          // rows written
  int64_t rejected = 0;      // rows dropped because no unique key could be found
  double seconds = 0;        // generation and load wall time
  std::vector<std::string> notes;  // why fewer rows than planned were made
};

struct GenerateStats {
  std::vector<TableStats> tables;
  int64_t rows = 0;
  int64_t bytes = 0;
  double seconds = 0;
};

// Progress: (table, rows done, rows planned), called every few thousand rows.
using ProgressFn = std::function<void(const catalog::QualifiedName&, int64_t, int64_t)>;

Result<GenerateStats> Generate(const Plan& plan, RowSink& sink, const ProgressFn& progress = nullptr);

}  // namespace dbarch::datagen
