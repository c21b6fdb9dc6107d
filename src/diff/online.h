// diff::MakeOnlinePlan: turns the changes of a schema diff (diff.h) into a zero-downtime plan
// for `dbarch diff --online`. Each change is rewritten to the form that keeps the application
// running where PostgreSQL has one (CREATE / DROP INDEX CONCURRENTLY, ADD CONSTRAINT ... NOT
// VALID then VALIDATE, SET NOT NULL through a validated CHECK, UNIQUE / PRIMARY KEY through a
// concurrently built unique index and USING INDEX); a column rename or a rewriting type change,
// which have no safe single step, becomes an expand / contract sequence (a synced copy of the
// column, a batched backfill, a switch, a contract), and every phase comes with the
// statements that undo it. The plan is meant to pass the linter's migration rules
// (lint/rules): the tests lint every phase and every rollback.
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "catalog/model.h"
#include "diff/diff.h"

namespace dbarch::diff {

struct OnlineOptions {
  // Set before every phase: a step that waits longer for its lock fails (and is retried)
  // instead of queueing the application's queries behind it.
  std::string lock_timeout = "5s";
  // Bounds the steps that hold a blocking lock; steps that only read or build without
  // blocking (CONCURRENTLY, VALIDATE, the backfill) run without it.
  std::string statement_timeout = "30s";
  // Rows per backfill batch (each batch commits on its own).
  int batch_rows = 1000;
};

// One unit of the plan: statements that run together.
struct OnlineStep {
  catalog::ObjectKind kind = catalog::ObjectKind::kTable;
  std::string object;  // quoted name, as in Change::object
  std::string what;    // for people: "create index concurrently", "validate constraint", ...
  // The strongest table lock the step takes ("" when it locks no existing table).
  std::string lock;
  bool rewrites = false;
  bool scans = false;
  // True: the statements run in one transaction (BEGIN ... COMMIT when more than one).
  // False: each statement runs on its own outside any transaction block (CONCURRENTLY, a
  // backfill that commits per batch).
  bool in_transaction = true;
  // Runs without statement_timeout: it reads or builds for long but blocks no writer.
  bool long_running = false;
  // Statements without ';'. A statement may start with `-- dbarch:ignore RULE reason` lines
  // where the plan itself makes the finding moot (a contract step dropping a column no
  // reader uses any more).
  std::vector<std::string> sql;
  std::string note;  // guidance ("" when none)
  // The psql variable the statements refer to (a role's password, Change::psql_variable):
  // FormatOnlineSql and FormatOnlinePhaseSql guard the step with \if :{?name}, so that a run
  // without it changes nothing and says so; verification leaves the step out.
  std::string psql_variable;
};

// One phase: the application may need a deploy between two phases.
struct OnlinePhase {
  std::string name;     // "migrate", "expand", "backfill", "switch", "contract"
  std::string purpose;  // what the phase does and what the application must do after it
  std::vector<OnlineStep> steps;
  // Undoes this phase when it is the last one applied (run them in order); empty when
  // there is nothing to undo.
  std::vector<OnlineStep> rollback;
};

struct OnlinePlan {
  std::vector<OnlinePhase> phases;  // in execution order; empty when nothing differs
  // Changes kept in a blocking form because PostgreSQL has no online one (an EXCLUDE
  // constraint, a column used by indexes or constraints changing type...).
  std::vector<std::string> warnings;
  OnlineOptions options;
  bool HasChanges() const { return !phases.empty(); }
};

// The online plan for `up` (a diff of `from` -> `to`; refused changes stay out of it).
OnlinePlan MakeOnlinePlan(const catalog::Catalog& from, const catalog::Catalog& to,
                          const DiffResult& up, const OnlineOptions& options = {});

// The SQL of one phase (its steps, or its rollback when `rollback`), ready for psql or a
// migration file: the timeouts first, steps in order, `statement_timeout = 0` around
// long-running steps, BEGIN / COMMIT around multi-statement transactional steps. A step that
// needs a psql variable runs only when it is set (\if :{?name}, else a \warn).
std::string FormatOnlinePhaseSql(const OnlinePlan& plan, size_t phase, bool rollback);

// The whole plan as one annotated script: each phase under a header naming it and what the
// application must do, each step with its lock / rewrite / scan note, the rollback of each
// phase as comments, retry guidance at the top.
std::string FormatOnlineSql(const OnlinePlan& plan);

// One line per step, grouped by phase, with lock / rewrite / scan notes and the rollback.
std::string FormatOnlineText(const OnlinePlan& plan);

// {"online": true, "lock_timeout", "statement_timeout", "phases": [{"name", "purpose",
// "steps": [{"kind", "object", "what", "lock", "rewrites", "scans", "in_transaction",
// "long_running", "sql", "note"}], "rollback": [...same...]}], "warnings": [...]}
std::string FormatOnlineJson(const OnlinePlan& plan);

}  // namespace dbarch::diff
