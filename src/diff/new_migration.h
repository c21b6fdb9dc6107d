// diff::NewMigration: what `dbarch migrate new NAME --to SCHEMA --dir DIR [--dsn CONNINFO]`
// does: the schema the folder is at (a live database, read-only, without the runner's history
// table; or, without a database, the folder's versioned scripts replayed in version order and
// its repeatables after them) is diffed against the desired schema (a file, a directory or a
// postgres:// URI), and the up and down scripts are written as the folder's next migration
// (migrate/next_migration.h). It lives in diff/ because diff/ sits above migrate/ (through
// report/), so it may use both; cli/ only parses flags and prints.
// Thread-safety: each call uses its own objects.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "diff/diff.h"
#include "diff/online.h"
#include "sql/psql_script.h"

namespace dbarch::diff {

struct NewMigrationRequest {
  std::string dir;             // the migration folder
  std::string name;            // the migration's description
  std::string target;          // desired schema: DDL file, directory or postgres:// URI
  bool target_is_dsn = false;  // `target` is a libpq conninfo (not a URI)
  std::string dsn;             // the database the folder migrates; "" = replay the folder
  std::string history_table = "dbarch_schema_history";  // left out of the database's schema
  // Destructive up steps are refused (an error, nothing written) unless allowed. The down
  // script always undoes everything up does, destructive or not.
  bool allow_destructive = false;
  // Writes the migration from the online plan (online.h) instead of the plain diff: one
  // versioned up/down pair per phase (expand, backfill, contract... or migrate), and within
  // a phase one pair per run of steps that can share a transaction and one per run of steps
  // that cannot (CREATE / DROP INDEX CONCURRENTLY, a batched backfill that commits), which
  // the runner applies statement by statement. Consecutive versions, described
  // "<name>_<n>_<phase>" so that their order reads in the folder; a single file keeps <name>.
  bool online = false;
  OnlineOptions online_options;
  std::function<void(const sql::ScriptNote&)> on_note;  // psql script notes (may be empty)
};

// One migration `migrate new` wrote.
struct WrittenMigration {
  std::string version;
  std::string up_path;
  std::string down_path;
  std::string phase;          // online: the plan's phase ("expand", ...); "" otherwise
  bool transactional = true;  // false: the runner applies it statement by statement
};

struct NewMigrationResult {
  bool written = false;  // false: the schemas are equal, nothing to write
  std::string up_path;   // dir + "/" + name
  std::string down_path;
  std::string version;
  DiffResult up;
  DiffResult down;
  std::vector<WrittenMigration> files;       // every pair written, in version order
  std::vector<std::string> online_warnings;  // online: the plan's warnings
};

// Writes the next up/down pair of `request.dir`. Errors: those of loading each side (kIO,
// kParseError, kConnection...), kInvalidArgument for a bad name, for refused destructive
// steps (the message lists them; nothing is written) and when a file of that name exists.
Result<NewMigrationResult> NewMigration(const NewMigrationRequest& request);

}  // namespace dbarch::diff
