#include "pg/introspect.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <utility>

#include "base/source_span.h"
#include "catalog/builder.h"
#include "pg/connection.h"
#include "pg/schema_dump.h"
#include "sql/parser.h"

namespace dbarch::pg {
namespace {

constexpr const char* kServerFile = "<server>";

// The text of the statement of `file` that contains byte `offset`, or "" if none does.
std::string StatementAt(const SourceFile& file, uint32_t offset) {
  auto ranges = sql::SplitStatements(file);
  if (!ranges.ok()) return std::string();
  for (const sql::StatementRange& r : *ranges) {
    if (offset >= r.begin && offset <= r.end) {
      return file.text().substr(r.begin, r.end - r.begin);
    }
  }
  return std::string();
}

// The partitions' index clones as the server has them. The dump does not name them (the
// parent's index creates them again, under the names the server gives at that moment), so
// their names, which date from their creation or an ALTER INDEX ... RENAME, and their
// comments are read here, for each partition of `cat`.
Status ReadIndexClones(Connection& conn, catalog::Catalog& cat) {
  bool any = false;
  for (const auto& [q, t] : cat.tables) any = any || t.partition_of.has_value();
  if (!any) return Status::OK();
  auto res = conn.Exec(
      "SELECT pn.nspname, pc.relname, ic.relname, pic.relname, k.oid IS NOT NULL, "
      "CASE WHEN k.oid IS NOT NULL THEN pg_catalog.obj_description(k.oid, 'pg_constraint') "
      "ELSE pg_catalog.obj_description(ic.oid, 'pg_class') END "
      "FROM pg_catalog.pg_inherits h "
      "JOIN pg_catalog.pg_class ic ON ic.oid = h.inhrelid AND ic.relkind IN ('i', 'I') "
      "JOIN pg_catalog.pg_class pic ON pic.oid = h.inhparent "
      "JOIN pg_catalog.pg_index x ON x.indexrelid = ic.oid "
      "JOIN pg_catalog.pg_class pc ON pc.oid = x.indrelid "
      "JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace "
      "LEFT JOIN pg_catalog.pg_constraint k ON k.conindid = ic.oid AND k.conrelid = pc.oid "
      "AND k.contype IN ('p', 'u', 'x') "
      "WHERE pn.nspname !~ '^pg_' AND pn.nspname <> 'information_schema'");
  if (!res.ok()) return Status::Connection("reading index clones: " + res.status().message());
  for (auto& [q, t] : cat.tables) t.clones.clear();
  for (int i = 0; i < res->rows(); ++i) {
    catalog::Table* t = cat.FindTable({std::string(res->Get(i, 0)), std::string(res->Get(i, 1))});
    if (t == nullptr || !t->partition_of) continue;
    t->clones.push_back(catalog::IndexClone{std::string(res->Get(i, 2)),
                                            std::string(res->Get(i, 3)), res->Get(i, 4) == "t",
                                            std::string(res->Get(i, 5))});
  }
  for (auto& [q, t] : cat.tables) {
    std::sort(t.clones.begin(), t.clones.end(),
              [](const catalog::IndexClone& a, const catalog::IndexClone& b) {
                return std::tie(a.parent_name, a.name) < std::tie(b.parent_name, b.name);
              });
  }
  return Status::OK();
}

}  // namespace

Result<catalog::Catalog> CatalogFromDump(const std::string& dump_sql) {
  SourceFile file(kServerFile, dump_sql);
  catalog::CatalogBuilder builder;
  Status st = builder.ApplyFile(file);
  if (!st.ok()) {
    // The DDL came from the server, so a statement the builder refuses is a dbarch bug:
    // show which one, so that it can be reproduced.
    std::string statement;
    if (st.span().has_value()) statement = StatementAt(file, st.span()->begin);
    std::string message = "the catalog builder rejected DDL generated from the server (" +
                          std::string(StatusCodeName(st.code())) + ": " + st.message() + ")";
    if (st.span().has_value() && st.span()->line > 0) {
      message += " at dump line " + std::to_string(st.span()->line);
    }
    if (!statement.empty()) message += "; statement: " + statement;
    if (st.span().has_value()) return Status::Internal(message).WithSpan(*st.span());
    return Status::Internal(message);
  }
  return builder.Finish();
}

Result<catalog::Catalog> IntrospectCatalog(Connection& conn, const IntrospectOptions& options) {
  DumpOptions dump;
  dump.include_schemas = options.include_schemas;
  dump.exclude_schemas = options.exclude_schemas;
  dump.include_roles = options.include_roles;
  dump.session_settings = false;
  dump.role_passwords = true;  // the text only feeds the builder
  DBARCH_ASSIGN_OR_RETURN(std::string sql, DumpSchemaSql(conn, dump));
  DBARCH_ASSIGN_OR_RETURN(catalog::Catalog cat, CatalogFromDump(sql));
  DBARCH_RETURN_IF_ERROR(ReadIndexClones(conn, cat));
  return cat;
}

}  // namespace dbarch::pg
