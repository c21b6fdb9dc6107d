// One EXPLAIN of a workload query, the way every part of the advisor asks the planner: the
// query's setup statements first (TPC-H q15's CREATE VIEW), then EXPLAIN (FORMAT JSON) with
// its sample parameters or as a generic plan, then its teardown. Used by WhatIfSession
// (whatif.h) for costs and by drops.h for the indexes the workload's plans use.
//
// Generic plans (workload::Query::generic_plan, statements from pg_stat_statements whose $n
// have no values): PostgreSQL 15 has no EXPLAIN (GENERIC_PLAN) (added in 16), so the query
// is PREPAREd (the server infers the parameter types), plan_cache_mode is set to
// force_generic_plan and EXPLAIN EXECUTE passes NULL for every parameter. With
// force_generic_plan the plan cache builds the plan without the parameter values
// (plancache.c: choose_custom_plan() is false, BuildCachedPlan gets no bound parameters), so
// the NULLs only satisfy EXECUTE's argument count. The statement is prepared anew and
// deallocated on every call: a cached generic plan would not notice hypothetical indexes
// created or dropped since (HypoPG does not invalidate the plan cache).
//
// Thread-safety: uses the borrowed connection exclusively for the call.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "pg/connection.h"
#include "workload/workload.h"

namespace dbarch::advisor {

struct ExplainMode {
  // Run the query's setup (and EXPLAIN) inside BEGIN READ WRITE ... ROLLBACK instead of
  // running setup and teardown plainly: for a session that is read-only by default (a live
  // server), the view TPC-H q15 creates exists only inside a transaction that is always
  // rolled back. The teardown statements are not run (the rollback undoes the setup).
  bool setup_in_rolled_back_transaction = false;
};

// The single text cell of EXPLAIN (FORMAT JSON) for `query` on `conn`. Errors: those of the
// server (kInvalidArgument: the query, its setup or PREPARE failed; kConnection), with the
// failing step as context. Whatever fails, the session is left outside any transaction, with
// no prepared statement and plan_cache_mode reset when this call changed it.
Result<std::string> ExplainQueryJson(pg::Connection& conn, const workload::Query& query,
                                     const ExplainMode& mode);

// The EXPLAIN statement ExplainQueryJson sends for `query` when it is that call's only
// statement: no setup or teardown, no parameters to bind, no generic plan. A caller may then
// send it in one round trip behind other statements (Connection::ExecEach) and read the plan
// from its result. nullopt otherwise.
std::optional<std::string> StandaloneExplainSql(const workload::Query& query);

// The values of every "Index Name" key at any depth of an EXPLAIN (FORMAT JSON) text, sorted
// and unique. kInvalidArgument when the text is not JSON.
Result<std::vector<std::string>> IndexNamesFromExplainJson(std::string_view json);

}  // namespace dbarch::advisor
