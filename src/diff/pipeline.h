// The `dbarch diff` pipeline without its terminal: reading each side (DDL file, migration
// directory or live database), the rename annotations of the target, and the up and down
// diffs. cli/diff.cc parses flags and prints; the conformance runner and migrate/ call the
// same functions. Thread-safety: each call uses its own objects (a connection per call).
#pragma once

#include <functional>
#include <string>
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
};

// Reads one side of a diff: `dsn` true (or an URI) introspects the database read-only
// (kConnection when it cannot be reached); otherwise the DDL file or directory of
// migrations is replayed with the catalog builder (kIO, kParseError, kNotFound...), and its
// rename annotations read. `on_note` (may be empty) receives psql script notes.
Result<LoadedSchema> LoadSchema(const std::string& source, bool dsn,
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
