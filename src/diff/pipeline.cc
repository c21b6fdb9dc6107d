#include "diff/pipeline.h"

#include "base/strings.h"
#include "catalog/builder.h"
#include "pg/connection.h"
#include "pg/introspect.h"

namespace dbarch::diff {

bool IsDatabaseUri(const std::string& source) {
  return StartsWith(source, "postgres://") || StartsWith(source, "postgresql://");
}

Result<LoadedSchema> LoadSchema(const std::string& source, bool dsn,
                                const std::function<void(const sql::ScriptNote&)>& on_note) {
  LoadedSchema out;
  if (dsn || IsDatabaseUri(source)) {
    pg::ConnectOptions options;
    options.conninfo = source;
    options.read_only = true;
    DBARCH_ASSIGN_OR_RETURN(pg::Connection conn, pg::Connection::Open(options));
    DBARCH_ASSIGN_OR_RETURN(out.catalog, pg::IntrospectCatalog(conn, pg::IntrospectOptions{}));
    return out;
  }
  catalog::BuildOptions build;
  build.on_note = on_note;
  DBARCH_ASSIGN_OR_RETURN(out.catalog, catalog::BuildCatalogFromPaths({source}, build));
  DBARCH_ASSIGN_OR_RETURN(out.renames, ReadRenameAnnotations(out.catalog));
  return out;
}

Plan MakePlan(const catalog::Catalog& from, const catalog::Catalog& to,
              const std::vector<Rename>& renames, bool allow_destructive) {
  DiffOptions options;
  options.allow_destructive = allow_destructive;
  options.renames = renames;
  Plan plan;
  plan.up = Diff(from, to, options);
  plan.down = Diff(to, from, ReverseOptions(options, from, to));
  return plan;
}

}  // namespace dbarch::diff
