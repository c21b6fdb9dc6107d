// The migration folder: file names parsed into versioned, undo and repeatable scripts, each
// read and checksummed (migration_files.cc), and a script prepared for running: expanded as
// psql would run it (sql::ExpandPsqlScript), split into statements with sql::SplitStatements,
// each statement parsed, and the whole file classified as transactional or not from the
// parse trees. Used by runner.h and the cli. Plain values; thread-compatible.
//
// Names (Flyway's, and the up/down pairs of golang-migrate and friends):
//   V<version>__<description>.sql   versioned migration
//   U<version>__<description>.sql   undo of that version
//   R__<description>.sql            repeatable: re-run whenever its checksum changes
//   <version>_<description>.up.sql / <version>_<description>.down.sql   a pair
// Only the folder's own *.sql files are migrations; subdirectories are not read (files
// included with \i / \ir may live there).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/source_span.h"
#include "base/status.h"
#include "migrate/version.h"
#include "sql/psql_script.h"

namespace dbarch::migrate {

enum class ScriptKind { kVersioned, kUndo, kRepeatable };

// One file of the folder.
struct MigrationScript {
  ScriptKind kind = ScriptKind::kVersioned;
  std::optional<Version> version;          // nullopt for repeatables
  std::string description;                 // from the name, '_' read as ' ' ("add orders")
  std::string name;                        // the file name, stored in the history's script column
  std::string path;                        // the path it was read from
  std::string checksum;                    // Sha256Hex of the file's bytes
  std::shared_ptr<const SourceFile> file;  // named by `path`, for error excerpts
};

// One version: its up script and, when present, its undo (U file or .down.sql).
struct Migration {
  Version version;
  MigrationScript up;
  std::optional<MigrationScript> down;
};

struct MigrationDir {
  std::vector<Migration> versioned;         // ascending version
  std::vector<MigrationScript> repeatable;  // ascending by description, then name
};

// Parses a file name; nullopt when it is not a migration name. Versions that do not parse
// are errors (kInvalidArgument naming the file).
Result<std::optional<MigrationScript>> ParseScriptName(const std::string& file_name);

// Reads every *.sql file directly in `dir`. Errors: kIO (unreadable folder or file),
// kInvalidArgument naming the file for a *.sql file that is not a migration name, two
// scripts for one version, an undo without its up script, two repeatables with one
// description.
Result<MigrationDir> LoadMigrationDir(const std::string& dir);

// One statement ready to send.
struct ScriptStatement {
  std::string sql;  // the statement text to send, without its ';' (variables substituted)
  // The same text with every variable reference as written (:'name'), never a value: what
  // plans, errors and reports show.
  std::string shown_sql;
  // The script part it is in, with references as written (spans, excerpts); `begin` and
  // `end` index both it and the text `sql` was taken from.
  std::shared_ptr<const SourceFile> file;
  uint32_t begin = 0;                      // byte range in `file`
  uint32_t end = 0;
  // Cannot run inside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, ...).
  bool needs_autocommit = false;
  // For CREATE INDEX CONCURRENTLY with a name: the index as SQL ("s"."i" or "i"). A run killed
  // during the build leaves an INVALID index of that name, which a resumed run drops first.
  std::string concurrent_index;
};

struct PreparedScript {
  std::vector<ScriptStatement> statements;
  // True when every statement may run in one transaction with the history row. False when
  // a statement cannot run in a transaction block, or when an enum value added with
  // ALTER TYPE ... ADD VALUE is used later in the same file (PostgreSQL refuses a new enum
  // value before the transaction that added it commits).
  bool transactional = true;
  // Why not transactional ("CREATE INDEX CONCURRENTLY"), empty otherwise, and the index in
  // `statements` of the statement that decided it.
  std::string reason;
  size_t reason_statement = 0;
  std::vector<sql::ScriptNote> notes;  // what the psql expansion skipped
};

// psql variables given to the runner (as `psql -v NAME=VALUE`), by name. Values may be
// secrets: nothing that shows a statement or an error shows them.
using ScriptVariables = std::map<std::string, std::string>;

// Prepares `script` for running, with `variables` set before it starts (references
// :name, :'name' as a quoted literal, :"name" as a quoted identifier; \if :{?name} tests).
// Errors: the expansion's (a broken \if, a missing include), kNotFound with the span of
// the first reference to a variable that is not set (references in \if branches not taken
// do not count), kParseError with the span of a statement that does not parse,
// kNotSupported for transaction control in the file (BEGIN, COMMIT, ...: the runner owns the
// transactions) and for COPY from stdin / to stdout (the runner sends statements, not COPY
// data).
Result<PreparedScript> PrepareScript(const MigrationScript& script,
                                     const ScriptVariables& variables = {});

// `message` with every value of `variables` in it replaced by the variable's name as
// ":'name'", so that a server message quoting a statement never shows a secret.
std::string RedactVariables(std::string message, const ScriptVariables& variables);

}  // namespace dbarch::migrate
