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
                                const std::function<void(const sql::ScriptNote&)>& on_note,
                                const std::string& session_role) {
  LoadedSchema out;
  if (dsn || IsDatabaseUri(source)) {
    pg::ConnectOptions options;
    options.conninfo = source;
    options.read_only = true;
    DBARCH_ASSIGN_OR_RETURN(pg::Connection conn, pg::Connection::Open(options));
    DBARCH_ASSIGN_OR_RETURN(out.catalog, pg::IntrospectCatalog(conn, pg::IntrospectOptions{}));
    DBARCH_ASSIGN_OR_RETURN(pg::QueryResult user, conn.Exec("SELECT current_user"));
    if (user.rows() == 1) out.session_role = std::string(user.Get(0, 0));
    DBARCH_ASSIGN_OR_RETURN(
        pg::QueryResult comments,
        conn.Exec("SELECT name, comment FROM pg_catalog.pg_available_extensions "
                  "WHERE installed_version IS NOT NULL AND comment IS NOT NULL"));
    for (int i = 0; i < comments.rows(); ++i) {
      out.extension_default_comments.emplace(comments.Get(i, 0), comments.Get(i, 1));
    }
    return out;
  }
  catalog::BuildOptions build;
  build.on_note = on_note;
  build.session_role = session_role;
  DBARCH_ASSIGN_OR_RETURN(out.catalog, catalog::BuildCatalogFromPaths({source}, build));
  DBARCH_ASSIGN_OR_RETURN(out.renames, ReadRenameAnnotations(out.catalog));
  return out;
}

void DropDefaultExtensionComments(const LoadedSchema& database, LoadedSchema& files) {
  for (auto& [name, extension] : files.catalog.extensions) {
    if (!extension.comment) continue;
    auto it = database.extension_default_comments.find(name);
    if (it != database.extension_default_comments.end() && it->second == *extension.comment) {
      extension.comment.reset();
    }
  }
}

Result<std::pair<LoadedSchema, LoadedSchema>> LoadSchemas(
    const std::string& from, bool from_dsn, const std::string& to, bool to_dsn,
    const std::function<void(const sql::ScriptNote&)>& on_note) {
  const bool from_live = from_dsn || IsDatabaseUri(from);
  const bool to_live = to_dsn || IsDatabaseUri(to);
  std::pair<LoadedSchema, LoadedSchema> out;
  if (to_live && !from_live) {
    DBARCH_ASSIGN_OR_RETURN(out.second, LoadSchema(to, to_dsn, on_note));
    DBARCH_ASSIGN_OR_RETURN(out.first,
                            LoadSchema(from, from_dsn, on_note, out.second.session_role));
    DropDefaultExtensionComments(out.second, out.first);
    return out;
  }
  DBARCH_ASSIGN_OR_RETURN(out.first, LoadSchema(from, from_dsn, on_note));
  DBARCH_ASSIGN_OR_RETURN(out.second, LoadSchema(to, to_dsn, on_note, out.first.session_role));
  if (from_live && !to_live) DropDefaultExtensionComments(out.first, out.second);
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
