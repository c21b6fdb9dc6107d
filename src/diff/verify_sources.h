// The text each side of `dbarch diff --verify` is loaded from on the verification server: the
// original DDL files (a file, or a migration directory's files in replay order, each read as
// psql would run it), or for a live database its `pg_dump --schema-only`. Loading the
// original text rather than dbarch's model of it means that anything the model leaves out
// (a statement it does not model, an option it drops) is on the server and shows up as a
// difference. Used by cli/diff.cc and verify.cc. Thread-safe (no shared state); the pg_dump
// call runs a child process.
#pragma once

#include <string>
#include <vector>

#include "base/source_span.h"
#include "base/status.h"

namespace dbarch::diff {

// One side's original text: scripts run in order, statement by statement.
struct VerifySource {
  std::vector<SourceFile> scripts;
  // For people: "the original files (schema.sql)", "pg_dump --schema-only of the live
  // database". With no scripts: why the original text is not available (Verify then uses
  // the model and says so).
  std::string description;
  bool empty() const { return scripts.empty(); }
};

// The original text of `source` (as `dbarch diff` names a side: a path, or a database when
// `dsn` is true or it is a postgres:// URI). Files are expanded as psql would run them
// (meta-commands blanked, \i included). A database is dumped with PostgreSQL 15's pg_dump
// (`pg_dump_path`), its connection options passed in the environment so that no password is
// on a command line. Errors: kIO for unreadable files, kParseError for a broken psql script,
// kNotFound when pg_dump is missing, kConnection when pg_dump fails (its message, which never
// holds the password: pg_dump does not print it).
Result<VerifySource> OriginalSchemaSource(
    const std::string& source, bool dsn,
    const std::string& pg_dump_path = "/usr/lib/postgresql/15/bin/pg_dump");

// `pg_dump --schema-only` of the database `conninfo` reaches, as text; errors as above.
Result<std::string> PgDumpSchema(
    const std::string& conninfo,
    const std::string& pg_dump_path = "/usr/lib/postgresql/15/bin/pg_dump");

}  // namespace dbarch::diff
