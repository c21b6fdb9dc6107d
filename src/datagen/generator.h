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
  // Writes `buf` and leaves it empty; a sink may take the buffer itself (and hand back
  // another) instead of copying it.
  virtual Status Take(std::string& buf) {
    Status st = Write(buf);
    buf.clear();
    return st;
  }
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

// Runs `inner`'s Write calls on a thread of its own, fed through a bounded queue of `depth`
// buffers (copied; the caller may reuse its buffer at once), so that generating the next
// rows overlaps the server taking the previous ones. Begin, End and Finish first wait for the
// queue to drain and then run on the caller's thread, so `inner` is never used by two
// threads at once. A write error is returned by the next call. The sink is used by one
// generating thread.
std::unique_ptr<RowSink> MakePipelinedSink(std::unique_ptr<RowSink> inner, int depth = 4);

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
  // Phases, for measuring where the time goes (all within `seconds`): waiting on the sink
  // (a blocked send, a full queue, the end of each COPY), building keys, indexes and foreign
  // keys after the load, and ANALYZE.
  double sink_seconds = 0;
  double keys_seconds = 0;
  double analyze_seconds = 0;
};

// Progress: (table, rows done, rows planned), called every few thousand rows.
using ProgressFn = std::function<void(const catalog::QualifiedName&, int64_t, int64_t)>;

Result<GenerateStats> Generate(const Plan& plan, RowSink& sink, const ProgressFn& progress = nullptr);

}  // namespace dbarch::datagen
