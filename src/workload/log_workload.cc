#include "workload/log_workload.h"

#include <cmath>
#include <cstdio>

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
