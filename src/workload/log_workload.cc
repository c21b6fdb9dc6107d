#include "workload/log_workload.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <tuple>

#include "sql/parser.h"
#include "workload/query_mask.h"
#include "workload/stat_statements.h"

namespace dbarch::workload {
namespace {

// The type PostgreSQL gives a numeric or boolean literal (integer, bigint or numeric by its
// digits, as the server's lexer does); "" for other constants, whose type comes from context.
std::string LiteralType(const ConstantValue& c) {
  if (!c.replaced || c.is_null) return "";
  const std::string& t = c.text;
  if (t == "true" || t == "false") return "boolean";
  size_t i = (!t.empty() && (t[0] == '-' || t[0] == '+')) ? 1 : 0;
  if (i >= t.size()) return "";
  bool digits_only = true;
  for (size_t k = i; k < t.size(); ++k) {
    char ch = t[k];
    if (ch >= '0' && ch <= '9') continue;
    if (ch == '.' || ch == 'e' || ch == 'E' || ch == '+' || ch == '-' || ch == '_') {
      digits_only = false;
      continue;
    }
    return "";  // a string constant
  }
  if (!digits_only) return "numeric";
  std::string digits = t.substr(i);
  while (digits.size() > 1 && digits[0] == '0') digits.erase(0, 1);
  auto fits = [&](const char* max) {
    std::string m(max);
    return digits.size() < m.size() || (digits.size() == m.size() && digits <= m);
  };
  if (fits("2147483647")) return "integer";
  if (fits("9223372036854775807")) return "bigint";
  return "numeric";
}

// `normalized` with a cast after each $k that replaced a numeric or boolean literal, so the
// parameter (bound as text) gets the type the literal had: without it `$1 + $2` has no
// operator to resolve to ("operator is not unique: unknown + unknown").
std::string AddLiteralCasts(const std::string& normalized, const std::vector<ConstantValue>& c) {
  std::string out;
  for (size_t i = 0; i < normalized.size(); ++i) {
    out.push_back(normalized[i]);
    if (normalized[i] != '$' || i + 1 >= normalized.size() || normalized[i + 1] < '0' ||
        normalized[i + 1] > '9') {
      continue;
    }
    size_t k = i + 1;
    size_t number = 0;
    while (k < normalized.size() && normalized[k] >= '0' && normalized[k] <= '9') {
      number = number * 10 + static_cast<size_t>(normalized[k] - '0');
      out.push_back(normalized[k++]);
    }
    i = k - 1;
    if (number >= 1 && number <= c.size()) {
      std::string type = LiteralType(c[number - 1]);
      if (!type.empty()) out += "::" + type;
    }
  }
  return out;
}

std::string QuoteParam(const std::optional<std::string>& v) {
  if (!v) return "NULL";
  std::string out = "'";
  for (char c : *v) {
    out.push_back(c);
    if (c == '\'') out.push_back('\'');
  }
  out.push_back('\'');
  return out;
}

std::string FormatWeight(double w) {
  char buf[64];
  if (std::floor(w) == w && w < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", w);
  } else {
    std::snprintf(buf, sizeof buf, "%g", w);
  }
  return buf;
}

}  // namespace

LogWorkload WorkloadFromLog(const LogReport& report, const LogWorkloadOptions& options) {
  LogWorkload out;
  for (const LogGroup& g : report.groups) {
    if (static_cast<int>(out.workload.queries.size()) >= std::max(1, options.top)) break;
    if (g.samples.empty() || g.calls == 0) {
      out.skipped.emplace_back(g.fingerprint, g.calls == 0 ? "no executed statement" : "no sample");
      continue;
    }
    const SampleStatement& sample = g.samples.front();
    std::string reason = g.parsed ? WorkloadSkipReason(sample.text) : "does not parse";
    if (!reason.empty()) {
      out.skipped.emplace_back(g.fingerprint, std::move(reason));
      continue;
    }
    Query q;
    q.name = "log " + g.fingerprint;
    q.weight = static_cast<double>(g.calls);
    auto normalized = sql::NormalizeQuery(sample.text);
    std::optional<std::vector<ConstantValue>> constants;
    if (normalized.ok()) constants = ExtractConstants(sample.text, *normalized);
    bool ok = constants.has_value();
    std::vector<std::optional<std::string>> params;
    if (ok) {
      for (size_t i = 0; i < constants->size() && ok; ++i) {
        const ConstantValue& c = (*constants)[i];
        if (c.replaced) {
          params.push_back(c.is_null ? std::nullopt : std::optional<std::string>(c.text));
        } else if (i < sample.params.size()) {
          params.push_back(sample.params[i]);
        } else {
          ok = false;  // a $n of the original statement without a logged value
        }
      }
    }
    // A parameter value that spans lines cannot be written on a "-- params:" line.
    for (const auto& p : params) {
      if (p && p->find_first_of("\r\n") != std::string::npos) ok = false;
    }
    if (ok) {
      q.sql = RepairNormalizedText(AddLiteralCasts(*normalized, *constants));
      q.params = std::move(params);
      q.has_params = !q.params.empty();
    } else if (sample.params.empty() && sample.text.find('$') == std::string::npos) {
      q.sql = sample.text;  // the statement as logged, with its literals
    } else {
      out.skipped.emplace_back(g.fingerprint, "no sample values for its parameters");
      continue;
    }
    out.workload.queries.push_back(std::move(q));
  }
  return out;
}

std::string FormatWorkloadFile(const Workload& workload, const std::string& header) {
  std::string out;
  size_t start = 0;
  while (start < header.size()) {
    size_t nl = header.find('\n', start);
    if (nl == std::string::npos) nl = header.size();
    out += "-- " + header.substr(start, nl - start) + "\n";
    start = nl + 1;
  }
  if (!out.empty()) out += "\n";
  for (const Query& q : workload.queries) {
    out += "-- name: " + q.name + "\n";
    out += "-- weight: " + FormatWeight(q.weight) + "\n";
    if (q.has_params) {
      out += "-- params: ";
      for (size_t i = 0; i < q.params.size(); ++i) {
        if (i > 0) out += ", ";
        out += QuoteParam(q.params[i]);
      }
      out += "\n";
    }
    std::string sql = q.sql;
    while (!sql.empty() && (sql.back() == ' ' || sql.back() == '\n' || sql.back() == '\t' ||
                            sql.back() == ';' || sql.back() == '\r')) {
      sql.pop_back();
    }
    // A trailing "-- comment" would swallow the ';' on the same line.
    size_t last_line = sql.rfind('\n');
    bool comment_at_end =
        sql.find("--", last_line == std::string::npos ? 0 : last_line) != std::string::npos;
    out += sql + (comment_at_end ? "\n;\n\n" : ";\n\n");
  }
  return out;
}

}  // namespace dbarch::workload

namespace dbarch::workload {
namespace {

namespace fs = std::filesystem;

// A rotated log's name reduced to (base, rotation number, format): "postgresql.log.2.gz"
// -> ("postgresql.log", 2, stderr). False when it is not a log file's name.
bool SplitLogName(std::string name, std::string* base, int* rotation, LogFormat* format) {
  for (std::string_view ext : {".gz", ".zst"}) {
    if (name.size() > ext.size() && name.ends_with(ext)) name.resize(name.size() - ext.size());
  }
  *rotation = 0;
  size_t dot = name.rfind('.');
  if (dot != std::string::npos && dot + 1 < name.size() &&
      std::all_of(name.begin() + static_cast<long>(dot) + 1, name.end(),
                  [](char c) { return c >= '0' && c <= '9'; })) {
    *rotation = std::stoi(name.substr(dot + 1, 6));
    name.resize(dot);
  }
  if (name.ends_with(".log")) {
    *format = LogFormat::kStderr;
  } else if (name.ends_with(".csv")) {
    *format = LogFormat::kCsv;
  } else if (name.ends_with(".json")) {
    *format = LogFormat::kJson;
  } else {
    return false;
  }
  *base = name;
  return true;
}

const char* FormatName(LogFormat f) {
  switch (f) {
    case LogFormat::kCsv:
      return "csvlog";
    case LogFormat::kJson:
      return "jsonlog";
    default:
      return "stderr";
  }
}

}  // namespace

Result<LogFileSet> ExpandLogPaths(const std::vector<std::string>& paths, LogFormat format) {
  LogFileSet out;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (path == "-" || !fs::is_directory(path, ec)) {
      out.files.push_back(path);
      continue;
    }
    struct File {
      std::string base;
      int rotation;
      std::string path;
    };
    std::map<LogFormat, std::vector<File>> by_format;
    for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      std::string base;
      int rotation = 0;
      LogFormat f = LogFormat::kAuto;
      if (!it->is_regular_file(ec) ||
          !SplitLogName(it->path().filename().string(), &base, &rotation, &f)) {
        continue;
      }
      by_format[f].push_back({base, rotation, it->path().string()});
    }
    if (ec) return Status::IOError("cannot list log directory \"" + path + "\": " + ec.message());
    if (by_format.empty()) {
      return Status::InvalidArgument("directory \"" + path +
                                     "\" holds no log file (*.log, *.csv, *.json, rotated or "
                                     "compressed)");
    }
    LogFormat chosen = LogFormat::kAuto;
    if (format != LogFormat::kAuto && by_format.count(format) > 0) {
      chosen = format;
    } else {
      for (LogFormat f : {LogFormat::kCsv, LogFormat::kJson, LogFormat::kStderr}) {
        if (by_format.count(f) > 0) {
          chosen = f;
          break;
        }
      }
    }
    for (const auto& [f, files] : by_format) {
      if (f == chosen) continue;
      out.notes.push_back(std::string("\"") + path + "\": " + std::to_string(files.size()) + " " +
                          FormatName(f) + " file(s) left out; reading the " + FormatName(chosen) +
                          " files of the same log");
    }
    std::vector<File> files = by_format[chosen];
    // Oldest first: name order (time-stamped names), a higher rotation number first.
    std::sort(files.begin(), files.end(), [](const File& a, const File& b) {
      return std::make_tuple(a.base, -a.rotation, a.path) <
             std::make_tuple(b.base, -b.rotation, b.path);
    });
    for (File& f : files) out.files.push_back(std::move(f.path));
  }
  return out;
}

Result<WorkloadFrom> ParseWorkloadFrom(const std::vector<std::string>& values) {
  WorkloadFrom out;
  bool in_log = false;
  for (const std::string& v : values) {
    if (v == "pg_stat_statements" || v == "pgss" || v == "pg_stat_statements:" || v == "pgss:") {
      out.stat_statements = true;
      in_log = false;
    } else if (v.starts_with("log:")) {
      if (v.size() == 4) return Status::InvalidArgument("--workload-from log: needs a path");
      out.log_paths.push_back(v.substr(4));
      in_log = true;
    } else if (in_log && v.find(':') == std::string::npos) {
      out.log_paths.push_back(v);
    } else {
      return Status::InvalidArgument(
          "--workload-from: expected pg_stat_statements, pgss or "
          "log:PATH..., got \"" +
          v + "\"");
    }
  }
  return out;
}

Result<LogWorkload> LoadLogWorkload(const std::vector<std::string>& paths,
                                    const LogReadOptions& read, const LogWorkloadOptions& options) {
  DBARCH_ASSIGN_OR_RETURN(LogFileSet set, ExpandLogPaths(paths, read.format));
  DBARCH_ASSIGN_OR_RETURN(LogReport report, ReadLogs(set.files, read));
  LogWorkload w = WorkloadFromLog(report, options);
  if (w.workload.queries.empty()) {
    return Status::InvalidArgument(
        "the logs hold no SELECT, INSERT, UPDATE, DELETE or MERGE statement to use as a "
        "workload (" +
        std::to_string(report.summary.statements) + " statements read)");
  }
  return w;
}

}  // namespace dbarch::workload
