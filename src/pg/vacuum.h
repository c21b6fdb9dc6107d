// VacuumLoaded: leaves a freshly loaded database (a sandbox) as autovacuum leaves a live
// one, every page of its tables marked all-visible, so that the planner costs index-only
// scans (covering indexes, INCLUDE columns) as it would in production.
//
// Why one VACUUM is not enough on a sandbox: it commits asynchronously
// (synchronous_commit = off), and VACUUM marks a page all-visible only when every tuple on
// it is hinted committed, which PostgreSQL does for an asynchronous commit only once WAL is
// flushed past the commit LSN that the commit log keeps for its group of 32 transactions.
// A CHECKPOINT flushes the load's commit, but transactions committed after it in the same
// group (ANALYZE's own, an autovacuum ANALYZE's) move the group's LSN past the flush, and
// VACUUM then leaves the remaining tables' pages unmarked. So: CHECKPOINT and VACUUM again
// while some table has pages that are not marked, a few times at most.
//
// Writes (VACUUM, CHECKPOINT): only for databases dbarch built itself. Thread-safety: uses
// `conn` exclusively for its duration.
#pragma once

#include "base/status.h"
#include "pg/connection.h"

namespace dbarch::pg {

struct VacuumStats {
  int passes = 0;              // VACUUM runs made (1 when the first marked every page)
  int64_t unmarked_pages = 0;  // pages still not all-visible after the last pass
};

// CHECKPOINT, then VACUUM (VACUUM ANALYZE on the first pass when `analyze`), repeated
// while a table or materialized view outside the system catalogs has pages that are not
// all-visible, at most 4 passes. Pages that stay unmarked (a row deleted or updated, an
// open transaction) are not an error: the result says how many.
Result<VacuumStats> VacuumLoaded(Connection& conn, bool analyze);

}  // namespace dbarch::pg
