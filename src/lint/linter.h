// Linter: runs every enabled rule over files of SQL — DDL, migrations and queries, mixed —
// in the context of a schema. Files are applied in order (a directory: its *.sql files in
// lexicographic path order), statement by statement, so each statement is checked against
// the schema as it stands just before it; then catalog rules check the final schema.
// Unparseable statements are reported as input errors with their location and skipped; the
// rest of the input is still linted. Large files are parsed on a helper thread while the
// calling thread lints what is already parsed, and catalog rules run on two threads; the
// result is the same as on one thread. Not thread-safe; one Linter per run.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/source_span.h"
#include "base/status.h"
#include "catalog/model.h"
#include "sql/psql_script.h"
#include "lint/config.h"
#include "lint/finding.h"

namespace dbarch::lint {

struct LintOptions {
  std::vector<std::string> paths;         // files or directories to lint
  std::vector<std::string> schema_paths;  // --schema: DDL giving the starting schema
  const catalog::Catalog* schema = nullptr;  // --dsn: introspected starting schema (optional)
  Config config;
  // Receives what reading the files as psql scripts skipped (meta-commands, COPY data).
  std::function<void(const sql::ScriptNote&)> on_note;
};

struct LintReport {
  std::vector<Finding> findings;  // sorted by file, line, column, rule
  std::vector<Status> errors;     // bad input (syntax errors...), each with its span
  // The text of every linted file by name, for source excerpts.
  std::map<std::string, std::shared_ptr<const SourceFile>> files;
  size_t file_count = 0;
  size_t statement_count = 0;
  size_t suppressed_count = 0;
};

// Lints `options.paths`. Fails (kIO, or the error of a --schema file) only when the input
// cannot be read at all; bad SQL in linted files goes to LintReport::errors.
Result<LintReport> Lint(const LintOptions& options);

// Lints `sources` as psql scripts (sql::ExpandPsqlScript: meta-commands, \i includes read
// from disk, COPY data): what the expansion skips goes to `on_note` (may be empty); a file
// whose expansion fails (a broken \if, a missing include) is an input error in the report.
LintReport LintScripts(const std::vector<std::shared_ptr<const SourceFile>>& sources,
                       const catalog::Catalog* schema, const Config& config,
                       const std::function<void(const sql::ScriptNote&)>& on_note = {});

// Lints in-memory sources as plain SQL (tests, stdin). `schema` may be null.
LintReport LintSources(const std::vector<std::shared_ptr<const SourceFile>>& files,
                       const catalog::Catalog* schema, const Config& config);

}  // namespace dbarch::lint
