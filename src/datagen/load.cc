#include "datagen/load.h"

#include <chrono>
#include <string>
#include <vector>

#include "base/strings.h"
#include "pg/connection.h"

namespace dbarch::datagen {

namespace {

struct SavedKey {
  std::string table;       // quoted, qualified
  std::string name;
  std::string definition;  // pg_get_constraintdef
};

Result<GenerateStats> LoadInTransaction(pg::Connection& conn, const Plan& plan,
                                        const ProgressFn& progress) {
  std::vector<std::string> tables;
  for (const TablePlan& t : plan.tables) tables.push_back(QuoteLiteral(t.name.Quoted()));
  std::vector<SavedKey> keys;
  if (!tables.empty()) {
    // Foreign keys defined on the filled tables (not the copies partitions inherit).
    DBARCH_ASSIGN_OR_RETURN(
        pg::QueryResult r,
        conn.Exec("SELECT c.conrelid::regclass::text, c.conname, pg_catalog.pg_get_constraintdef(c.oid) "
                  "FROM pg_catalog.pg_constraint c WHERE c.contype = 'f' AND c.conparentid = 0 "
                  "AND c.conrelid IN (" + Join(tables, "::regclass, ") + "::regclass) ORDER BY 1, 2"));
    for (int i = 0; i < r.rows(); ++i) {
      keys.push_back({std::string(r.Get(i, 0)), std::string(r.Get(i, 1)), std::string(r.Get(i, 2))});
    }
  }
  for (const SavedKey& k : keys) {
    DBARCH_RETURN_IF_ERROR(conn.ExecScript("ALTER TABLE " + k.table + " DROP CONSTRAINT " + QuoteIdent(k.name)));
  }
  // The tables are empty (the caller checked): truncating them in this transaction lets
  // COPY skip WAL under wal_level=minimal and write frozen rows (no later hint-bit and
  // freeze rewrites). Their foreign keys are gone, so no CASCADE is needed.
  std::vector<std::string> names;
  for (const TablePlan& t : plan.tables) names.push_back(t.name.Quoted());
  if (!names.empty()) DBARCH_RETURN_IF_ERROR(conn.ExecScript("TRUNCATE " + Join(names, ", ")));
  auto sink = MakeConnectionSink(conn, /*freeze=*/true);
  DBARCH_ASSIGN_OR_RETURN(GenerateStats stats, Generate(plan, *sink, progress));
  auto t0 = std::chrono::steady_clock::now();
  for (const SavedKey& k : keys) {
    Status st = conn.ExecScript("ALTER TABLE " + k.table + " ADD CONSTRAINT " + QuoteIdent(k.name) + " " +
                                k.definition);
    if (!st.ok()) return std::move(st).WithContext("validating foreign key " + k.name + " of " + k.table);
  }
  stats.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return stats;
}

}  // namespace

Result<GenerateStats> LoadIntoServer(pg::Connection& conn, const Plan& plan, const ProgressFn& progress) {
  DBARCH_RETURN_IF_ERROR(conn.ExecScript("BEGIN"));
  auto stats = LoadInTransaction(conn, plan, progress);
  if (!stats.ok()) {
    (void)conn.ExecScript("ROLLBACK");
    Status st = stats.status();
    return std::move(st).WithContext("generating data (nothing was kept)");
  }
  auto t0 = std::chrono::steady_clock::now();
  DBARCH_RETURN_IF_ERROR(conn.ExecScript("COMMIT"));
  DBARCH_RETURN_IF_ERROR(conn.ExecScript("ANALYZE"));
  stats->seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return stats;
}

}  // namespace dbarch::datagen
