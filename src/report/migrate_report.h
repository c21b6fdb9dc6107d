// Rendering of `dbarch migrate` results: the state of a migration folder against its history
// table (status), the files and statements a run would execute (plan), and the problems that
// stop a run (validate), as text or JSON. Pure functions of their inputs; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "migrate/migration_files.h"
#include "migrate/runner.h"

namespace dbarch::report {

// One file of a plan with its prepared statements.
struct MigratePlanItem {
  migrate::Step step;
  migrate::PreparedScript prepared;
};

// A table of every version and repeatable with its state, then the problems.
std::string MigrateStatusToText(const migrate::Snapshot& snap, const std::string& table);
// {"history_table", "table_exists", "current_version", "baseline_version", "pending",
//  "migrations": [{version, description, type, script, state, installed_on, has_undo}],
//  "problems": [{kind, script, path, message}]}.
std::string MigrateStatusToJson(const migrate::Snapshot& snap, const std::string& table);

// The SQL that would run, file by file, each headed by a comment saying what it is, how it
// runs (one transaction, or statement by statement and why) and where a resume starts.
std::string MigratePlanToText(const std::vector<MigratePlanItem>& plan);
// {"steps": [{action, version, script, path, transactional, reason, resume_from,
//  "statements": [{sql, line, column}]}]}.
std::string MigratePlanToJson(const std::vector<MigratePlanItem>& plan);

// "ok: ..." or one line per problem.
std::string MigrateValidateToText(const migrate::Snapshot& snap);
// {"valid": bool, "problems": [...]}.
std::string MigrateValidateToJson(const migrate::Snapshot& snap);

}  // namespace dbarch::report
