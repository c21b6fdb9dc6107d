// workload::Workload: the queries a benchmark runs, read from SQL files. One query per
// timed statement; comment lines right before a statement annotate it:
//   -- name: top customers      (default: the file stem, plus "#k" when a file has several)
//   -- weight: 3                (how often it runs relative to the others; default 1)
//   -- params: 42, 'a, b', NULL (sample values for $1, $2, ... bound as text)
// Timed statements are SELECT (not SELECT INTO), INSERT, UPDATE, DELETE and MERGE. A file whose
// statements are one such query plus other statements (TPC-H q15: CREATE VIEW; SELECT; DROP
// VIEW) is one query unit: the statements before the query are its untimed setup, those
// after it its untimed teardown. Used by measure/, bench and advise. Pure functions over
// text and files; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/source_span.h"
#include "base/status.h"
#include "sql/ast.h"

namespace dbarch::workload {

struct Query {
  std::string name;
  // Relative frequency; > 0.
  double weight = 1;
  // Values for $1, $2, ...; nullopt binds NULL. Empty: the query runs with the simple query
  // protocol (no parameters).
  std::vector<std::optional<std::string>> params;
  bool has_params = false;  // a "-- params:" line was given (the query runs with PQexecParams)
  // The $n parameters have no sample values (a statement read from pg_stat_statements):
  // `params` holds one nullopt per parameter and the advisor plans the query as a generic
  // plan (advisor/explain.h), never executing it with those NULLs.
  bool generic_plan = false;
  std::string sql;          // the timed statement, without its ';'
  std::vector<std::string> setup;     // untimed, run before (in order)
  std::vector<std::string> teardown;  // untimed, run after (in order)
  // Where `sql` starts: file name, byte offset, line and column.
  SourceSpan span;
};

struct Workload {
  std::vector<Query> queries;  // in file order, files in path order
};

// True for a statement a workload times and the planner optimizes: SELECT (not SELECT
// INTO), INSERT, UPDATE, DELETE, MERGE. Everything else (CREATE VIEW, SET, ...) is setup or
// teardown in a workload file, and a utility statement in pg_stat_statements.
bool IsQueryStatement(const sql::Node* node);

// The queries of one file's text. Errors (with the span of the statement or annotation):
// kParseError for SQL that does not parse, kInvalidArgument for a bad annotation (weight not
// a positive number, unterminated quote in params) or a file without statements,
// kNotSupported for a file that mixes setup statements with several queries.
Result<Workload> ParseWorkload(const SourceFile& file);

// The queries of `paths`: files as given, directories as their *.sql files in path order.
// kIO for unreadable paths, plus ParseWorkload's errors; an empty result is kInvalidArgument.
Result<Workload> LoadWorkload(const std::vector<std::string>& paths);

// Splits a "-- params:" value list: comma-separated, blanks trimmed, 'single quoted' values
// may hold commas ('' is a quote), an unquoted NULL is SQL NULL. kInvalidArgument for an
// unterminated quote.
Result<std::vector<std::optional<std::string>>> ParseParamList(std::string_view text);

}  // namespace dbarch::workload
