// The `dbarch advise` pipeline as one library call: Advise() takes a server to ask what-if
// questions (a sandbox loaded with the schema and data, or a read-only live server with HypoPG
// installed), the schema as the server has it and a workload, and returns an AdviseResult
// (advise_result.h) that report/advise_report.h formats. In order: the existing indexes are
// read, each query is analysed (candidates.h), candidates the server rejects are set aside
// with the reason, the Extend-style search picks a set within the budget (search.h, index
// maintenance of the workload's writes from writes.h), covering INCLUDE columns are added, each
// chosen index gets a name, its DDL, the queries it helps and a rationale, existing indexes
// to drop are proposed (drops.h), and, when a disposable verification server is given, the
// chosen indexes are built there and the workload measured before and after (measure/), with
// any index that makes a query more than 1.1x slower removed.
//
// The library never prints: progress and warnings go to an AdviseListener the caller
// supplies (the CLI prints them when stderr is a terminal). Used by cli/advise.cc.
//
// Thread-safety: one call uses its connections exclusively for its duration.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "advisor/advise_result.h"
#include "advisor/whatif.h"
#include "base/status.h"
#include "catalog/model.h"
#include "pg/connection.h"
#include "workload/workload.h"

namespace dbarch::advisor {

// Receives what Advise() is doing, for a person watching. Default: ignore everything.
class AdviseListener {
 public:
  virtual ~AdviseListener() = default;
  // A step starts ("searching (12 candidates)", "running q1", "building orders_x_idx").
  virtual void OnProgress(const std::string& message) { (void)message; }
  // Something the user should know that does not stop the run (a query skipped and why).
  virtual void OnWarning(const std::string& message) { (void)message; }
};

struct AdviseOptions {
  double budget_mb = 500;  // size budget of the new indexes, MB of 10^6 bytes; > 0
  int max_width = 3;       // widest index in key columns (1..3)
  int max_indexes = 0;     // at most this many new indexes; 0: no limit
  // Search effort (SearchOptions): lazy evaluation of the greedy's steps (0: every step
  // costed in every round) and the covering variants' pre-check.
  double lazy_factor = 2;
  bool prefilter_covering = true;
  bool skip_hopeless_steps = true;
  bool lazy_per_query = true;
  bool carry_bounds = true;
  bool lazy_covering = true;
  // WhatIfOptions::one_round_trip: a what-if call in one round trip.
  bool one_round_trip = true;
  // WhatIfOptions::disable_jit.
  bool disable_jit = true;
  // Verification (AdviseRequest::verify_target): timed runs per query, and the
  // statement_timeout of each run.
  int runs = 5;
  int timeout_ms = 30000;
};

struct AdviseRequest {
  // Where the what-if questions are asked. Borrowed, must outlive the call.
  pg::Connection* target = nullptr;
  // `target` is a live server: its session must be read-only by default (checked), HypoPG
  // must already be installed (kNotFound with a hint otherwise), nothing is ever built
  // there, setup statements may only create views and run in a rolled-back transaction,
  // and indexes HypoPG cannot simulate (GIN) are costed on `verify_target` when given.
  // false: `target` is a disposable sandbox (VACUUMed, hypopg created, GIN built for real).
  bool live = false;
  // A disposable server holding the same schema and data (or a sample of it) where the
  // chosen indexes are built for real and the workload is measured before and after; null:
  // no verification. For a sandbox target it is normally `target` itself; for a live target
  // it must be another server (kInvalidArgument otherwise). Borrowed.
  pg::Connection* verify_target = nullptr;
  // How `verify_target`'s data was made when it is a sample of the live `target`
  // (sandbox/sample.h): copied into the result, and used to scale sizes measured on the sample
  // to the live tables. nullopt: `verify_target` holds the target's own data.
  std::optional<AdviseSample> sample;
  // The schema as `target` has it (pg::IntrospectCatalog). Borrowed.
  const catalog::Catalog* catalog = nullptr;
  // The workload; its queries must outlive the call. Borrowed.
  const workload::Workload* workload = nullptr;
  // "files", "logs" or "pg_stat_statements", and the statements the workload reader left out: both
  // copied into the result.
  std::string workload_source = "files";
  std::vector<AdviseSkipped> skipped;
  AdviseOptions options;
};

// Runs the pipeline described in the file comment. Requires: target, catalog and workload
// set. Errors: kNotFound (HypoPG missing on a live target), kInvalidArgument (a query the
// server rejects on a sandbox, bad options), kConnection, kInternal (a live session that
// is not read-only). Queries that cannot be analysed or planned on a live server are
// skipped with a reason in the result, not errors.
Result<AdviseResult> Advise(const AdviseRequest& request, AdviseListener* listener = nullptr);

// Checks what Advise() requires of a live target before anything is read: the session is
// read-only by default (kInternal otherwise) and HypoPG is installed (kNotFound with a hint
// otherwise; dbarch never installs anything on a live server). Advise() calls it too; a caller
// may call it first to fail before loading other inputs from the server.
Status CheckLiveTarget(pg::Connection& conn);

// <table>_<key>_<key>[_trgm|_brin|...]_idx cut to PostgreSQL's 63-byte identifier limit and
// made unique against `taken` ("schema.relname" entries; the new name is added).
std::string IndexName(const IndexDef& index, std::set<std::string>& taken);

}  // namespace dbarch::advisor
