#include "measure/data_loader.h"

#include <zstd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string_view>
#include <utility>

#include "base/strings.h"

namespace dbarch::measure {
namespace {

constexpr size_t kChunkBytes = size_t{1} << 20;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

struct ZstdFree {
  void operator()(ZSTD_DStream* s) const { ZSTD_freeDStream(s); }
};
using ZstdPtr = std::unique_ptr<ZSTD_DStream, ZstdFree>;

// Splits "orders.tbl.zst" into the table part and the format; false for other files.
bool ParseDataFileName(const std::string& file_name, std::string& table, DataFormat& format) {
  struct Suffix {
    std::string_view text;
    DataFormat format;
  };
  static constexpr Suffix kSuffixes[] = {
      {".tbl.zst", DataFormat::kTblZstd}, {".tbl", DataFormat::kTbl}, {".csv", DataFormat::kCsv}};
  for (const Suffix& s : kSuffixes) {
    if (file_name.size() > s.text.size() &&
        file_name.compare(file_name.size() - s.text.size(), s.text.size(), s.text) == 0) {
      table = file_name.substr(0, file_name.size() - s.text.size());
      format = s.format;
      return true;
    }
  }
  return false;
}

std::string CopyStatement(const DataFile& f, const catalog::Table& table) {
  std::vector<std::string> cols;
  for (const auto& c : table.columns) {
    if (!c.generated_expr.empty()) continue;  // generated columns cannot be copied into
    cols.push_back(QuoteIdent(c.name));
  }
  std::string sql = "COPY " + dbarch::QualifiedName(f.table.schema, f.table.name) + " (" +
                    Join(cols, ", ") + ") FROM STDIN ";
  if (f.format == DataFormat::kCsv) return sql + "(FORMAT csv, HEADER true)";
  return sql + "(FORMAT text, DELIMITER '|')";
}

// Streams one file into `conn` with the COPY already begun.
Status StreamFile(pg::Connection& conn, const DataFile& f) {
  FilePtr in(std::fopen(f.path.c_str(), "rb"));
  if (in == nullptr) return Status::IOError("cannot open \"" + f.path + "\"");
  std::vector<char> buffer(kChunkBytes);
  if (f.format != DataFormat::kTblZstd) {
    while (true) {
      size_t n = std::fread(buffer.data(), 1, buffer.size(), in.get());
      if (n > 0) DBARCH_RETURN_IF_ERROR(conn.PutCopyData(std::string_view(buffer.data(), n)));
      if (n < buffer.size()) break;
    }
    if (std::ferror(in.get())) return Status::IOError("error reading \"" + f.path + "\"");
    return Status::OK();
  }
  ZstdPtr stream(ZSTD_createDStream());
  if (stream == nullptr) return Status::Internal("zstd: cannot create a decompression stream");
  ZSTD_initDStream(stream.get());
  std::vector<char> out(ZSTD_DStreamOutSize());
  size_t last_ret = 0;
  while (true) {
    size_t n = std::fread(buffer.data(), 1, buffer.size(), in.get());
    if (n == 0) break;
    ZSTD_inBuffer input{buffer.data(), n, 0};
    while (input.pos < input.size) {
      ZSTD_outBuffer output{out.data(), out.size(), 0};
      last_ret = ZSTD_decompressStream(stream.get(), &output, &input);
      if (ZSTD_isError(last_ret)) {
        return Status::IOError("\"" + f.path +
                               "\" is not valid zstd data: " + ZSTD_getErrorName(last_ret));
      }
      if (output.pos > 0) {
        DBARCH_RETURN_IF_ERROR(conn.PutCopyData(std::string_view(out.data(), output.pos)));
      }
    }
  }
  if (std::ferror(in.get())) return Status::IOError("error reading \"" + f.path + "\"");
  if (last_ret != 0)
    return Status::IOError("\"" + f.path + "\" ends in the middle of a zstd frame");
  return Status::OK();
}

}  // namespace

Result<std::vector<DataFile>> FindDataFiles(const std::string& dir,
                                            const catalog::Catalog& catalog) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::IOError("data directory \"" + dir + "\" does not exist");
  }
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) names.push_back(entry.path().filename().string());
  }
  if (ec) return Status::IOError("cannot list \"" + dir + "\": " + ec.message());
  std::sort(names.begin(), names.end());

  std::vector<std::string> table_names;
  for (const auto& [name, table] : catalog.tables) table_names.push_back(name.name);
  std::map<catalog::QualifiedName, DataFile> by_table;
  for (const std::string& file_name : names) {
    std::string stem;
    DataFile f;
    if (!ParseDataFileName(file_name, stem, f.format)) continue;
    f.path = (std::filesystem::path(dir) / file_name).string();
    size_t dot = stem.find('.');
    f.table = dot == std::string::npos
                  ? catalog::QualifiedName{"public", stem}
                  : catalog::QualifiedName{stem.substr(0, dot), stem.substr(dot + 1)};
    if (catalog.FindTable(f.table) == nullptr) {
      Status st = Status::InvalidArgument("data file \"" + f.path + "\": no table \"" +
                                          f.table.schema + "." + f.table.name + "\" in the schema");
      std::string close = ClosestMatch(f.table.name, table_names);
      if (!close.empty()) return std::move(st).WithHint("did you mean \"" + close + "\"?");
      return st;
    }
    if (by_table.count(f.table) > 0) {
      return Status::InvalidArgument("two data files for table \"" + f.table.schema + "." +
                                     f.table.name + "\": \"" + by_table[f.table].path +
                                     "\" and \"" + f.path + "\"");
    }
    by_table[f.table] = f;
  }

  // Parents first: repeatedly take the tables (in name order) whose referenced tables are
  // all loaded or have no data file. A foreign-key cycle is broken in name order.
  std::vector<DataFile> out;
  std::set<catalog::QualifiedName> done;
  while (out.size() < by_table.size()) {
    bool progressed = false;
    for (const auto& [name, f] : by_table) {
      if (done.count(name) > 0) continue;
      const catalog::Table* table = catalog.FindTable(name);
      bool ready = true;
      for (const catalog::Constraint& c : table->constraints) {
        if (c.kind != catalog::ConstraintKind::kForeignKey || c.ref_table == name) continue;
        if (by_table.count(c.ref_table) > 0 && done.count(c.ref_table) == 0) ready = false;
      }
      if (!ready) continue;
      out.push_back(f);
      done.insert(name);
      progressed = true;
    }
    if (!progressed) {
      for (const auto& [name, f] : by_table) {
        if (done.count(name) > 0) continue;
        out.push_back(f);
        done.insert(name);
        break;
      }
    }
  }
  return out;
}

Result<LoadStats> LoadData(pg::Connection& conn, const catalog::Catalog& catalog,
                           const LoadOptions& options) {
  LoadStats stats;
  if (!options.data_dir.empty()) {
    DBARCH_ASSIGN_OR_RETURN(std::vector<DataFile> files, FindDataFiles(options.data_dir, catalog));
    for (const DataFile& f : files) {
      if (options.progress) options.progress("loading " + f.path);
      const catalog::Table* table = catalog.FindTable(f.table);
      Status begun = conn.BeginCopyIn(CopyStatement(f, *table));
      if (!begun.ok()) return std::move(begun).WithContext("loading \"" + f.path + "\"");
      Status streamed = StreamFile(conn, f);
      if (!streamed.ok()) {
        // A server-side rejection already ended the copy inside PutCopyData.
        if (streamed.code() == StatusCode::kIO || streamed.code() == StatusCode::kInternal) {
          conn.AbortCopyIn(streamed.message());
        }
        return std::move(streamed).WithContext("loading \"" + f.path + "\"");
      }
      Result<int64_t> rows = conn.EndCopyIn();
      if (!rows.ok()) return std::move(rows).TakeStatus().WithContext("loading \"" + f.path + "\"");
      stats.rows_copied += *rows;
      ++stats.files;
    }
  }
  if (options.generate) {
    if (options.progress) options.progress("generating data");
    DBARCH_ASSIGN_OR_RETURN(stats.rows_generated, options.generate(conn, catalog));
  }
  if (options.analyze) {
    if (options.progress) options.progress("ANALYZE");
    DBARCH_RETURN_IF_ERROR(conn.ExecScript("ANALYZE"));
  }
  return stats;
}

}  // namespace dbarch::measure
