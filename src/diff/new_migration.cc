#include "diff/new_migration.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/strings.h"
#include "catalog/builder.h"
#include "diff/format.h"
#include "diff/pipeline.h"
#include "diff/renames.h"
#include "migrate/migration_files.h"
#include "migrate/next_migration.h"

namespace dbarch::diff {
namespace {

// Writes `text` to a new file; kInvalidArgument when it exists (never overwritten).
Status WriteNew(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return Status::InvalidArgument("\"" + path + "\" already exists");
    return Status::IOError("cannot create \"" + path + "\": " + std::strerror(errno));
  }
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      return Status::IOError("writing \"" + path + "\": " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0) return Status::IOError("writing \"" + path + "\": " + std::strerror(errno));
  return Status::OK();
}

// The schema the folder's migrations give: versioned up scripts in version order, then the
// repeatables.
Result<catalog::Catalog> ReplayFolder(const migrate::MigrationDir& dir,
                                      const NewMigrationRequest& request) {
  std::vector<std::string> paths;
  for (const migrate::Migration& m : dir.versioned) paths.push_back(m.up.path);
  for (const migrate::MigrationScript& r : dir.repeatable) paths.push_back(r.path);
  catalog::BuildOptions build;
  build.on_note = request.on_note;
  if (paths.empty()) return catalog::CatalogBuilder(build).Finish();
  return catalog::BuildCatalogFromPaths(paths, build);
}

std::string Header(const std::string& what, const NewMigrationRequest& request) {
  return "-- " + what + " written by `dbarch migrate new` from a diff of " +
         (request.dsn.empty() ? std::string("the folder's migrations") : "the database") +
         " against the desired schema\n";
}

}  // namespace

Result<NewMigrationResult> NewMigration(const NewMigrationRequest& request) {
  DBARCH_ASSIGN_OR_RETURN(migrate::MigrationDir dir, migrate::LoadMigrationDir(request.dir));
  DBARCH_ASSIGN_OR_RETURN(migrate::NextMigration next,
                          migrate::NextMigrationNames(dir, request.name));
  catalog::Catalog current;
  if (!request.dsn.empty()) {
    DBARCH_ASSIGN_OR_RETURN(LoadedSchema db, LoadSchema(request.dsn, true, request.on_note));
    current = std::move(db.catalog);
    // The runner's own table is not part of the schema the migrations describe.
    std::string table = request.history_table;
    std::string schema;
    size_t dot = table.find('.');
    if (dot != std::string::npos) {
      schema = table.substr(0, dot);
      table = table.substr(dot + 1);
    }
    for (auto it = current.tables.begin(); it != current.tables.end();) {
      bool history = it->first.name == table && (schema.empty() || it->first.schema == schema);
      it = history ? current.tables.erase(it) : std::next(it);
    }
  } else {
    DBARCH_ASSIGN_OR_RETURN(current, ReplayFolder(dir, request));
  }
  DBARCH_ASSIGN_OR_RETURN(LoadedSchema target,
                          LoadSchema(request.target, request.target_is_dsn, request.on_note));
  DBARCH_RETURN_IF_ERROR(CheckRenames(current, target.catalog, target.renames));
  DiffOptions options;
  options.allow_destructive = request.allow_destructive;
  options.renames = target.renames;
  NewMigrationResult out;
  out.version = next.version;
  out.up = Diff(current, target.catalog, options);
  DiffOptions back = ReverseOptions(options, current, target.catalog);
  back.allow_destructive = true;
  out.down = Diff(target.catalog, current, back);
  if (out.up.HasRefused()) {
    std::string list;
    for (const Change& c : out.up.changes) {
      if (c.refused) {
        list += (list.empty() ? " " : "; ") + std::string(ActionName(c.action)) + " " +
                catalog::ObjectKindName(c.kind) + " " + c.object + " would lose " + c.data_loss;
      }
    }
    Status st = Status::InvalidArgument(
        "the migration has destructive steps; nothing was written (use --allow-destructive to "
        "write them):" +
        list);
    return st;
  }
  if (!out.up.HasChanges()) return out;
  out.up_path = request.dir + "/" + next.up_name;
  out.down_path = request.dir + "/" + next.down_name;
  DBARCH_RETURN_IF_ERROR(WriteNew(out.up_path, Header("up", request) + FormatSql(out.up)));
  Status down = WriteNew(out.down_path, Header("down", request) + FormatSql(out.down));
  if (!down.ok()) {
    unlink(out.up_path.c_str());
    return down;
  }
  out.written = true;
  return out;
}

}  // namespace dbarch::diff
