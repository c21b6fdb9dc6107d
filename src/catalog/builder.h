// CatalogBuilder: builds a Catalog by applying DDL statements in order, the way the server
// would: CREATE, ALTER (columns, constraints, renames, owner, RLS, schema), DROP, COMMENT,
// GRANT/REVOKE, CREATE INDEX, ... so that a directory of migrations replays to its final
// schema. Used for DDL files (inspect --schema, lint) and by pg/ introspection, which
// turns the server's object definitions back into DDL and applies it here, so that both
// sources share one normalisation. Not thread-safe; one builder per task.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/source_span.h"
#include "base/status.h"
#include "catalog/model.h"
#include "sql/parser.h"
#include "sql/psql_script.h"

namespace dbarch::catalog {

struct BuildOptions {
  // Schemas that unqualified names resolve to, first one for CREATE (SET search_path in
  // the DDL changes it as the server would).
  std::vector<std::string> search_path = {"public"};
  // Statements that dbarch does not model become Catalog::others when true; when false
  // they are an error (kNotSupported) naming the construct and location.
  bool keep_unsupported = true;
  // Queries and data statements (SELECT, INSERT, UPDATE, DELETE, MERGE, COPY, EXPLAIN)
  // change no schema; when false they are skipped instead of kept as others (the linter,
  // which reads query files, sets this).
  bool keep_queries = true;
  // The role the DDL runs as (the model's owner ""): `OWNER TO` it, grants to it and SET
  // ROLE to it mean that role, as a server introspected by it shows. Empty: not known, every
  // role named in the DDL is kept.
  std::string session_role;
  // Receives what reading files as psql scripts skipped (meta-commands, COPY data, ...);
  // ApplyPaths and BuildCatalogFromPaths call it in file order. Unset: not reported.
  std::function<void(const sql::ScriptNote&)> on_note;
};

class CatalogBuilder {
 public:
  explicit CatalogBuilder(BuildOptions options = {});
  ~CatalogBuilder();
  CatalogBuilder(const CatalogBuilder&) = delete;
  CatalogBuilder& operator=(const CatalogBuilder&) = delete;

  // Parses `file` and applies its statements in order. The first failure stops the
  // file and is returned with the span of the offending statement or token:
  // kParseError for bad SQL, kNotFound for an unknown object in ALTER/DROP/COMMENT/...,
  // kInvalidArgument for a statement that the server would reject (duplicate object).
  // Statements before the failure stay applied.
  Status ApplyFile(const SourceFile& file);
  // Applies one parsed statement of `file`.
  Status ApplyStatement(const SourceFile& file, const sql::Statement& stmt);

  // Starts from `catalog` (a schema read from a server, or built earlier) instead of an
  // empty database; later statements apply on top of it.
  void Reset(Catalog catalog);

  // The catalog so far.
  const Catalog& catalog() const;
  // The finished catalog (collections in their normal order). The builder is empty after.
  Catalog Finish();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads DDL from `paths` (files, or directories whose *.sql files are applied in
// lexicographic order of their relative paths: V001__a.sql before V002__b.sql) and builds a
// catalog. Errors name the file.
Result<Catalog> BuildCatalogFromPaths(const std::vector<std::string>& paths,
                                      const BuildOptions& options = {});

// The SQL files named by `paths`: files as given, directories expanded to their *.sql files
// (recursively) in lexicographic order. kIO for a path that does not exist.
Result<std::vector<std::string>> ExpandSqlPaths(const std::vector<std::string>& paths);

// Applies the files of ExpandSqlPaths(paths) to `builder` in order, each read as a psql
// script (ReadSqlScript); `on_note` (may be empty) receives the script notes.
Status ApplyPaths(CatalogBuilder& builder, const std::vector<std::string>& paths,
                  const std::function<void(const sql::ScriptNote&)>& on_note = {});

// Reads `path` as psql would run it (sql::ExpandPsqlScript): meta-commands, \i and \ir
// includes (read from disk), :variables and COPY FROM stdin data. kIO naming the path when
// it cannot be read; kParseError with the position for a broken \if or include.
Result<sql::PsqlScript> ReadSqlScript(const std::string& path);

// Reads one file into a SourceFile; kIO naming the path on failure.
Result<SourceFile> ReadSourceFile(const std::string& path);

}  // namespace dbarch::catalog
