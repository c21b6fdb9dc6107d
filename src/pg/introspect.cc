#include "pg/introspect.h"

#include <string>
#include <utility>

#include "base/source_span.h"
#include "catalog/builder.h"
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
  return CatalogFromDump(sql);
}

}  // namespace dbarch::pg
