#include "workload/stat_statements.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <regex>
#include <utility>

#include "base/strings.h"
#include "sql/parser.h"
#include "workload/workload.h"

namespace dbarch::workload {
namespace {

// What a statement's tree holds that decides whether it becomes a query.
struct TreeFacts {
  int max_param = 0;            // highest $n
  bool reads_table = false;     // any RangeVar
  std::string system_relation;  // first system catalog relation read, "" if none
  std::string hypopg_function;  // first hypopg_* function called, "" if none
};

bool IsSystemRelation(std::string_view schema, std::string_view name) {
  if (schema == "pg_catalog" || schema == "information_schema" || schema == "pg_toast") {
    return true;
  }
  return schema.empty() && StartsWith(name, "pg_");
}

void NoteRelation(const PgQuery__RangeVar* rv, TreeFacts& facts) {
  if (rv == nullptr) return;
  facts.reads_table = true;
  std::string_view schema = rv->schemaname ? rv->schemaname : "";
  std::string_view name = rv->relname ? rv->relname : "";
  if (facts.system_relation.empty() && IsSystemRelation(schema, name)) {
    facts.system_relation =
        schema.empty() ? std::string(name) : std::string(schema) + "." + std::string(name);
  }
}

void Walk(const sql::Node* node, TreeFacts& facts) {
  if (node == nullptr) return;
  switch (node->node_case) {
    case PG_QUERY__NODE__NODE_PARAM_REF:
      facts.max_param = std::max(facts.max_param, node->param_ref->number);
      break;
    case PG_QUERY__NODE__NODE_RANGE_VAR:
      NoteRelation(node->range_var, facts);
      break;
    // The target of a data-modifying statement is a RangeVar message, not a Node child.
    case PG_QUERY__NODE__NODE_INSERT_STMT:
      NoteRelation(node->insert_stmt->relation, facts);
      break;
    case PG_QUERY__NODE__NODE_UPDATE_STMT:
      NoteRelation(node->update_stmt->relation, facts);
      break;
    case PG_QUERY__NODE__NODE_DELETE_STMT:
      NoteRelation(node->delete_stmt->relation, facts);
      break;
    case PG_QUERY__NODE__NODE_MERGE_STMT:
      NoteRelation(node->merge_stmt->relation, facts);
      break;
    case PG_QUERY__NODE__NODE_FUNC_CALL: {
      const auto* f = node->func_call;
      if (f->n_funcname > 0) {
        std::string_view last = sql::StrVal(f->funcname[f->n_funcname - 1]);
        if (facts.hypopg_function.empty() && StartsWith(last, "hypopg")) {
          facts.hypopg_function = std::string(last);
        }
      }
      break;
    }
    default:
      break;
  }
  sql::ForEachChildNode(&node->base, [&](const sql::Node* child) { Walk(child, facts); });
}


// The statement's first word in upper case ("SET", "BEGIN"), for skip reasons.
std::string FirstWord(std::string_view text) {
  uint32_t at = sql::SkipBlanksAndComments(text, 0);
  std::string word;
  while (at < text.size() && std::isalpha(static_cast<unsigned char>(text[at]))) {
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(text[at])));
    ++at;
  }
  return word.empty() ? "?" : word;
}

// Why `row` is not a query, or "" when it is one (then `query` is filled).
std::string Classify(const StatStatement& row, Query& query) {
  if (row.query.empty() || row.query == "<insufficient privilege>") {
    return "query text not visible to this user (needs the pg_read_all_stats role)";
  }
  SourceFile file("pg_stat_statements", row.query);
  auto tree = sql::ParseTree::Parse(file);
  if (!tree.ok()) return "does not parse: " + tree.status().message();
  if (tree->statements().size() != 1) return "not exactly one statement";
  const sql::Node* node = tree->statements()[0].node;
  if (!IsQueryStatement(node)) return "utility statement (" + FirstWord(row.query) + ")";
  TreeFacts facts;
  Walk(node, facts);
  if (!facts.system_relation.empty()) {
    return "reads system catalog " + facts.system_relation +
           " (dbarch's own or a monitoring query)";
  }
  if (!facts.hypopg_function.empty()) return "calls " + facts.hypopg_function + " (dbarch's own)";
  if (!facts.reads_table) return "reads no table";
  query.sql = RepairNormalizedText(Trim(row.query));
  while (!query.sql.empty() && query.sql.back() == ';') query.sql.pop_back();
  query.weight = static_cast<double>(row.calls);
  if (facts.max_param > 0) {
    query.params.assign(static_cast<size_t>(facts.max_param), std::nullopt);
    query.has_params = true;
    query.generic_plan = true;
  }
  query.span = file.Span(0, static_cast<uint32_t>(row.query.size()));
  return "";
}

}  // namespace

std::string WorkloadSkipReason(std::string_view text) {
  sql::ParseOptions one_thread;
  one_thread.threads = 1;
  auto tree = sql::ParseTree::Parse(SourceFile("<statement>", std::string(text)), one_thread);
  if (!tree.ok()) return "does not parse: " + tree.status().message();
  if (tree->statements().size() != 1) return "not exactly one statement";
  const sql::Node* node = tree->statements()[0].node;
  if (!IsQueryStatement(node)) return "utility statement (" + FirstWord(text) + ")";
  TreeFacts facts;
  Walk(node, facts);
  if (!facts.system_relation.empty()) {
    return "reads system catalog " + facts.system_relation +
           " (dbarch's own or a monitoring query)";
  }
  if (!facts.hypopg_function.empty()) return "calls " + facts.hypopg_function + " (dbarch's own)";
  if (!facts.reads_table) return "reads no table";
  return "";
}

std::string RepairNormalizedText(std::string_view text) {
  static const std::regex kTypedLiteral(
      R"(\b(date|time|timestamp|timestamptz)\s+\$([0-9]+))", std::regex::icase);
  static const std::regex kInterval(
      R"(\binterval\s+\$([0-9]+)((\s+(year|month|day|hour|minute|second))(\s+to\s+(month|hour|minute|second))?)?)",
      std::regex::icase);
  static const std::regex kExtract(R"(\bextract\s*\(\s*\$([0-9]+)\s+from\b)", std::regex::icase);
  std::string out(text);
  if (out.find('$') == std::string::npos) return out;
  out = std::regex_replace(out, kTypedLiteral, "$$$2::$1");
  out = std::regex_replace(out, kInterval, "$$$1::interval$2");
  out = std::regex_replace(out, kExtract, "pg_catalog.extract($$$1::text,");
  return out;
}

StatStatementsWorkload WorkloadFromStatStatements(const std::vector<StatStatement>& rows,
                                                  const StatStatementsOptions& options) {
  StatStatementsWorkload out;
  for (const StatStatement& row : rows) {
    if (row.calls < options.min_calls) continue;
    if (static_cast<int>(out.workload.queries.size()) >= options.top) break;
    ++out.statements_read;
    Query query;
    query.name = "pgss " + row.queryid;
    std::string reason = Classify(row, query);
    if (!reason.empty()) {
      out.skipped.push_back({query.name, std::move(reason)});
      continue;
    }
    out.workload.queries.push_back(std::move(query));
  }
  return out;
}

Result<StatStatementsWorkload> LoadStatStatements(pg::Connection& conn,
                                                  const StatStatementsOptions& options) {
  if (options.top < 1 || options.min_calls < 1) {
    return Status::InvalidArgument("pg_stat_statements: top and min_calls must be at least 1");
  }
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult ext,
      conn.Exec("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = "
                "e.extnamespace WHERE e.extname = 'pg_stat_statements'"));
  const std::string hint =
      "the server needs shared_preload_libraries = 'pg_stat_statements' (a restart), then "
      "CREATE EXTENSION pg_stat_statements in this database";
  if (ext.rows() == 0) {
    return Status::NotFound("extension \"pg_stat_statements\" is not installed in " +
                            conn.DisplayName())
        .WithHint(hint);
  }
  const std::string schema = QuoteIdent(ext.Get(0, 0));
  // Entries are per (user, database, queryid, toplevel): sum them per queryid of this
  // database. Largest total time first; ties by queryid (deterministic).
  Result<pg::QueryResult> rows = conn.Exec(
      "SELECT s.queryid::text, coalesce(min(s.query), ''), sum(s.calls)::bigint, "
      "sum(s.total_exec_time)::float8 FROM " +
      schema +
      ".pg_stat_statements s WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = "
      "current_database()) AND s.queryid IS NOT NULL GROUP BY s.queryid "
      "HAVING sum(s.calls) >= " +
      std::to_string(options.min_calls) + " ORDER BY 4 DESC, 1");
  if (!rows.ok()) {
    if (conn.last_sqlstate() == "55000") {
      return Status::NotFound("pg_stat_statements is installed in " + conn.DisplayName() +
                              " but not loaded: " + rows.status().message())
          .WithHint(hint);
    }
    return std::move(rows).TakeStatus().WithContext("reading pg_stat_statements");
  }
  std::vector<StatStatement> stats;
  stats.reserve(static_cast<size_t>(rows->rows()));
  for (int r = 0; r < rows->rows(); ++r) {
    StatStatement s;
    s.queryid = std::string(rows->Get(r, 0));
    s.query = std::string(rows->Get(r, 1));
    s.calls = rows->GetInt(r, 2);
    std::string_view ms = rows->Get(r, 3);
    std::from_chars(ms.data(), ms.data() + ms.size(), s.total_exec_ms);
    stats.push_back(std::move(s));
  }
  StatStatementsWorkload out = WorkloadFromStatStatements(stats, options);
  Result<pg::QueryResult> info = conn.Exec("SELECT coalesce(stats_reset::text, '') FROM " + schema +
                                           ".pg_stat_statements_info");
  if (info.ok() && info->rows() == 1) out.stats_reset = std::string(info->Get(0, 0));
  return out;
}

}  // namespace dbarch::workload
