// The `dbarch diff` pipeline without its terminal: reading each side (DDL file, migration
// directory or live database), the rename annotations of the target, and the up and down
// diffs. cli/diff.cc parses flags and prints; the conformance runner and migrate/ call the
// same functions. Thread-safety: each call uses its own objects (a connection per call).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "catalog/model.h"
#include "diff/diff.h"
#include "sql/psql_script.h"

namespace dbarch::diff {

// True for a postgres:// or postgresql:// URI (a live database), false for a path.
bool IsDatabaseUri(const std::string& source);

struct LoadedSchema {
  catalog::Catalog catalog;
  std::vector<Rename> renames;  // annotations of its files; empty for a database
  // A database: the role of the session that read it (its objects owned by that role have
  // the model's owner ""); "" for files.
  std::string session_role;
  // A database: the comment each installed extension's control file gives it (what
  // CREATE EXTENSION sets); empty for files.
  std::map<std::string, std::string> extension_default_comments;
};

// Reads one side of a diff: `dsn` true (or an URI) introspects the database read-only
// (kConnection when it cannot be reached); otherwise the DDL file or directory of
// migrations is replayed with the catalog builder (kIO, kParseError, kNotFound...), and its
// rename annotations read. `on_note` (may be empty) receives psql script notes.
// `session_role` (files only): the role the DDL is taken to run as (BuildOptions::
// session_role), so that `OWNER TO` that role compares equal with a database read by it.
Result<LoadedSchema> LoadSchema(const std::string& source, bool dsn,
                                const std::function<void(const sql::ScriptNote&)>& on_note = {},
                                const std::string& session_role = "");

// An extension comment of `files` equal to the one its control file gives (as read from
// `database`) is taken for the default, which is how the database's model has it.
void DropDefaultExtensionComments(const LoadedSchema& database, LoadedSchema& files);

// Reads both sides (as LoadSchema). When exactly one side is a database, the other side's
// files are read as run by the role of that database's session: a pg_dump of the database
// (`ALTER ... OWNER TO` that role everywhere) is then in sync with it. pg_dump also writes
// `COMMENT ON EXTENSION` with the control file's comment, which the database's model leaves
// out (it is the default): such a comment of the files is taken for the default too.
// Errors: as LoadSchema,
// with "reading FROM/TO" context left to the caller.
Result<std::pair<LoadedSchema, LoadedSchema>> LoadSchemas(
    const std::string& from, bool from_dsn, const std::string& to, bool to_dsn,
    const std::function<void(const sql::ScriptNote&)>& on_note = {});

struct Plan {
  DiffResult up;    // from -> to
  DiffResult down;  // to -> from (with the renames reversed)
};

// The up and down diffs of two schemas, with the target's renames applied. Renames that
// cannot be honoured are left out: call CheckRenames (renames.h) first to report them.
Plan MakePlan(const catalog::Catalog& from, const catalog::Catalog& to,
              const std::vector<Rename>& renames, bool allow_destructive);

}  // namespace dbarch::diff
