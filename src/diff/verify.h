// diff::Verify: proves a migration on a real PostgreSQL server before it runs anywhere else
// (`dbarch diff --verify`). FROM and TO are each created in a database of their own on a
// disposable server (a sandbox the caller started) from their original text when the caller
// gives it (the DDL files, or a live database's pg_dump --schema-only; see verify_sources.h),
// else from dbarch's model of them (the catalog renderer's DDL); the up script (or the online plan,
// phase by phase, each step the way it is meant to run) is applied to FROM's database and
// the result introspected and compared with TO's; then the down script is applied and the
// result compared with FROM's, both by the diff engine and by pg_dump --schema-only (so that
// what the model does not hold still shows up). Any statement the server rejects, and any
// object or dump line that differs, is reported.
//
// Needs a server where the connecting role may create databases and roles; the databases it
// creates are dropped before it returns. Not thread-safe per server name prefix: concurrent
// calls must pass different `database_prefix`es.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/model.h"
#include "diff/diff.h"
#include "diff/online.h"
#include "diff/verify_sources.h"
#include "pg/connection.h"

namespace dbarch::diff {

struct VerifyOptions {
  // Databases created on the server are named <prefix>_from and <prefix>_to.
  std::string database_prefix = "dbarch_verify";
  // The original text of each side (empty: the side is created from its model). When it
  // cannot be loaded, the model is used instead and VerifyResult says why.
  VerifySource from_source;
  VerifySource to_source;
  // pg_dump of the server's PostgreSQL version, for the dump comparison; when it cannot run,
  // the comparison is skipped and VerifyResult::notes says so.
  std::string pg_dump_path = "/usr/lib/postgresql/15/bin/pg_dump";
  // Test hook: sees (and may change) the up statements just before they are applied, so a
  // test can inject a wrong step. Unset in production.
  std::function<void(std::vector<std::string>&)> edit_up;
};

// One direction of the check.
struct VerifyDirection {
  bool applied = false;  // every statement ran
  // The statement the server rejected and its error ("" when none).
  std::string failed_statement;
  std::string error;
  // Objects that differ from the expected schema after the statements ran, one per line:
  // "<kind> <object>: <the statement that would fix it>", and schema warnings (column order).
  std::vector<std::string> differences;
  bool ok() const { return applied && differences.empty(); }
};

struct VerifyResult {
  VerifyDirection up;    // FROM + up == TO
  VerifyDirection down;  // FROM + up + down == FROM
  bool online = false;   // up was the online plan
  // How each side was created on the server: "the original files (a.sql)", "pg_dump
  // --schema-only of the live database", or "dbarch's model (...)" with the reason when the
  // original text was not given or failed to load.
  std::string from_loaded_from;
  std::string to_loaded_from;
  std::vector<std::string> notes;  // e.g. the dump comparison was skipped, and why
  bool ok() const { return up.ok() && down.ok(); }
};

// Verifies `up` (or `online` when not null: its phases in order) and `down` on the server
// reached by `server_conninfo` (a libpq conninfo; " dbname=..." is appended for each
// database). Errors (not verification failures): kConnection when the server cannot be
// reached, kInvalidArgument when FROM or TO itself cannot be created on it (the message names
// the statement), kConnection / kInternal from introspection.
Result<VerifyResult> Verify(const std::string& server_conninfo, const catalog::Catalog& from,
                            const catalog::Catalog& to, const DiffResult& up,
                            const DiffResult& down, const OnlinePlan* online,
                            const VerifyOptions& options = {});

// The outcome for people: where FROM and TO were loaded from, then "verify up (online plan):
// ok" / "... : N difference(s)" lines, each difference or the rejected statement indented
// below.
std::string FormatVerifyText(const VerifyResult& result);

// Runs online plan steps (a phase's steps or its rollback) on `conn` as the plan means them
// to run: multi-statement transactional steps between BEGIN and COMMIT, the others statement
// by statement outside any transaction block. Errors: the server's, naming the statement.
Status RunOnlineSteps(pg::Connection& conn, const std::vector<OnlineStep>& steps);

}  // namespace dbarch::diff
