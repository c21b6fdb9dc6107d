// Fills a freshly created database (a sandbox, never a --dsn server) with rows for a
// benchmark: table files from a data directory streamed with COPY FROM STDIN, then a data
// generation step (a hook: `dbarch generate`'s engine plugs in here), then ANALYZE.
//
// Data files are named after their table: <table>.csv (CSV with a header line),
// <table>.tbl (text, '|'-delimited, as TPC-H's dbgen writes) or <table>.tbl.zst (the same,
// zstd-compressed, decompressed while streaming); "<schema>.<table>.csv" names a table
// outside "public". Tables load parents first, so foreign keys hold while loading.
// Used by the bench CLI. Not thread-safe (uses the connection exclusively).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/model.h"
#include "pg/connection.h"

namespace dbarch::measure {

enum class DataFormat { kCsv, kTbl, kTblZstd };

// One data file and the table it fills.
struct DataFile {
  std::string path;
  catalog::QualifiedName table;
  DataFormat format = DataFormat::kCsv;
};

// The step that makes synthetic rows for the tables of `catalog` on `conn` (after the data
// files are loaded). Returns the rows it inserted or an error.
// TODO(#4): src/datagen/ provides this (dbarch generate); bench does not set it yet.
using DataGenerator =
    std::function<Result<int64_t>(pg::Connection& conn, const catalog::Catalog& catalog)>;

struct LoadOptions {
  std::string data_dir;    // empty: no data files
  DataGenerator generate;  // empty: no generation step
  bool analyze = true;     // ANALYZE the database at the end
  // Progress lines ("loading lineitem.tbl.zst"); may be empty.
  std::function<void(const std::string&)> progress;
};

struct LoadStats {
  int64_t files = 0;
  int64_t rows_copied = 0;
  int64_t rows_generated = 0;
};

// The data files of `dir` matched to the tables of `catalog`, in load order (a table after
// the tables its foreign keys reference; otherwise by name). Errors: kIO for an unreadable
// directory, kInvalidArgument for a data file naming no table of the catalog (with "did you
// mean") or two files for one table. Other files (README, *.sql) are ignored.
Result<std::vector<DataFile>> FindDataFiles(const std::string& dir,
                                            const catalog::Catalog& catalog);

// Loads the data files, runs the generator, then ANALYZE. Errors: kIO for an unreadable or
// corrupt file, kInvalidArgument for rows the server rejects (context names the file),
// kConnection for a lost connection.
Result<LoadStats> LoadData(pg::Connection& conn, const catalog::Catalog& catalog,
                           const LoadOptions& options);

}  // namespace dbarch::measure
