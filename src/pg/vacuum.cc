#include "pg/vacuum.h"

namespace dbarch::pg {

namespace {

constexpr int kMaxPasses = 4;

// Pages of the user's tables and materialized views (temporary ones and the system
// catalogs aside: ANALYZE itself updates pg_statistic) that the visibility map does not mark
// all-visible, by pg_class's counts, which VACUUM updates.
constexpr const char* kUnmarkedPages =
    "SELECT coalesce(sum(c.relpages - c.relallvisible), 0)::bigint FROM pg_catalog.pg_class c "
    "WHERE c.relkind IN ('r', 'm') AND c.relpersistence <> 't' AND c.relallvisible < c.relpages "
    "AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)";

}  // namespace

Result<VacuumStats> VacuumLoaded(Connection& conn, bool analyze) {
  VacuumStats stats;
  while (stats.passes < kMaxPasses) {
    DBARCH_RETURN_IF_ERROR(conn.ExecScript("CHECKPOINT"));
    DBARCH_RETURN_IF_ERROR(
        conn.ExecScript(analyze && stats.passes == 0 ? "VACUUM ANALYZE" : "VACUUM"));
    ++stats.passes;
    DBARCH_ASSIGN_OR_RETURN(QueryResult unmarked, conn.Exec(kUnmarkedPages));
    stats.unmarked_pages = unmarked.GetInt(0, 0);
    if (stats.unmarked_pages == 0) break;
  }
  return stats;
}

}  // namespace dbarch::pg
