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
  std::string definition;  // pg_get_constraintdef, or for an index pg_get_indexdef
  bool index = false;      // a plain index (CREATE INDEX), not a constraint
};

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Result<GenerateStats> LoadInTransaction(pg::Connection& conn, const Plan& plan,
                                        const ProgressFn& progress, const LoadOptions& options) {
  std::vector<std::string> tables;
  for (const TablePlan& t : plan.tables) tables.push_back(QuoteLiteral(t.name.Quoted()));
  std::vector<SavedKey> fks;   // dropped first, added back last
  std::vector<SavedKey> keys;  // PRIMARY KEY / UNIQUE constraints and indexes of the filled tables
  if (!tables.empty()) {
    std::string list = Join(tables, "::regclass, ") + "::regclass";
    // Foreign keys defined on the filled tables (not the copies partitions inherit), and
    // when keys are rebuilt, those elsewhere that point at them.
    std::string where = "c.conrelid IN (" + list + ")";
    if (options.keys_after) where = "(" + where + " OR c.confrelid IN (" + list + "))";
    DBARCH_ASSIGN_OR_RETURN(
        pg::QueryResult r,
        conn.Exec(
            "SELECT c.conrelid::regclass::text, c.conname, pg_catalog.pg_get_constraintdef(c.oid) "
            "FROM pg_catalog.pg_constraint c WHERE c.contype = 'f' AND c.conparentid = 0 AND " +
            where + " ORDER BY 1, 2"));
    for (int i = 0; i < r.rows(); ++i) {
      fks.push_back({std::string(r.Get(i, 0)), std::string(r.Get(i, 1)), std::string(r.Get(i, 2))});
    }
    // Keys and indexes of plain (not partitioned, not partition) tables: an index built once
    // over the loaded rows is cheaper than one maintained row by row. Uniqueness is checked
    // when the key is built, still inside the transaction. Replica-identity indexes, the
    // indexes of exclusion constraints and keys other objects depend on stay.
    if (options.keys_after) {
      DBARCH_ASSIGN_OR_RETURN(
          pg::QueryResult k,
          conn.Exec(
              "SELECT i.indrelid::regclass::text, coalesce(c.conname, ic.relname), "
              "  coalesce(pg_catalog.pg_get_constraintdef(c.oid), "
              "pg_catalog.pg_get_indexdef(i.indexrelid)), "
              "  c.oid IS NULL "
              "FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class t ON t.oid = i.indrelid "
              "JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
              "LEFT JOIN pg_catalog.pg_constraint c ON c.conindid = i.indexrelid AND c.contype IN "
              "('p', 'u') "
              "WHERE i.indrelid IN (" +
              list +
              ") AND t.relkind = 'r' AND NOT t.relispartition "
              "AND NOT i.indisreplident AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint x "
              "  WHERE x.conindid = i.indexrelid AND x.contype = 'x') "
              // Keys something else depends on (a view grouping by a primary key) stay;
              // foreign keys are dropped anyway.
              "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.deptype = 'n' "
              "  AND ((d.refclassid = 'pg_catalog.pg_constraint'::regclass AND d.refobjid = c.oid) "
              "    OR (d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = i.indexrelid)) "
              "  AND NOT (d.classid = 'pg_catalog.pg_constraint'::regclass AND d.objid IN "
              "    (SELECT f.oid FROM pg_catalog.pg_constraint f WHERE f.contype = 'f'))) "
              "ORDER BY 1, 4, 2"));
      for (int i = 0; i < k.rows(); ++i) {
        keys.push_back({std::string(k.Get(i, 0)), std::string(k.Get(i, 1)),
                        std::string(k.Get(i, 2)), k.Get(i, 3) == "t"});
      }
    }
  }
  for (const SavedKey& f : fks) {
    DBARCH_RETURN_IF_ERROR(
        conn.ExecScript("ALTER TABLE " + f.table + " DROP CONSTRAINT " + QuoteIdent(f.name)));
  }
  for (const SavedKey& k : keys) {
    // The index's schema is the table's: qualify it the same way.
    std::string schema_prefix =
        k.table.find('.') == std::string::npos ? "" : k.table.substr(0, k.table.rfind('.') + 1);
    DBARCH_RETURN_IF_ERROR(conn.ExecScript(
        k.index ? "DROP INDEX " + schema_prefix + QuoteIdent(k.name)
                : "ALTER TABLE " + k.table + " DROP CONSTRAINT " + QuoteIdent(k.name)));
  }
  // The tables are empty (the caller checked): truncating them in this transaction lets
  // COPY skip WAL under wal_level=minimal and write frozen rows (no later hint-bit and
  // freeze rewrites). Their foreign keys are gone, so no CASCADE is needed.
  std::vector<std::string> names;
  for (const TablePlan& t : plan.tables) names.push_back(t.name.Quoted());
  if (!names.empty()) DBARCH_RETURN_IF_ERROR(conn.ExecScript("TRUNCATE " + Join(names, ", ")));
  // Generation overlaps the server: the rows go out on a writer thread.
  auto sink = MakeConnectionSink(conn, /*freeze=*/true);
  if (options.pipelined) sink = MakePipelinedSink(std::move(sink));
  DBARCH_ASSIGN_OR_RETURN(GenerateStats stats, Generate(plan, *sink, progress));
  sink.reset();
  auto t0 = std::chrono::steady_clock::now();
  for (const SavedKey& k : keys) {
    Status st = conn.ExecScript(k.index ? k.definition
                                        : "ALTER TABLE " + k.table + " ADD CONSTRAINT " +
                                              QuoteIdent(k.name) + " " + k.definition);
    if (!st.ok()) return std::move(st).WithContext("building key " + k.name + " of " + k.table);
  }
  for (const SavedKey& f : fks) {
    Status st = conn.ExecScript("ALTER TABLE " + f.table + " ADD CONSTRAINT " + QuoteIdent(f.name) +
                                " " + f.definition);
    if (!st.ok())
      return std::move(st).WithContext("validating foreign key " + f.name + " of " + f.table);
  }
  stats.keys_seconds = Since(t0);
  stats.seconds += stats.keys_seconds;
  return stats;
}

}  // namespace

Result<GenerateStats> LoadIntoServer(pg::Connection& conn, const Plan& plan,
                                     const ProgressFn& progress, const LoadOptions& options) {
  DBARCH_RETURN_IF_ERROR(conn.ExecScript("BEGIN"));
  auto stats = LoadInTransaction(conn, plan, progress, options);
  if (!stats.ok()) {
    (void)conn.ExecScript("ROLLBACK");
    Status st = stats.status();
    return std::move(st).WithContext("generating data (nothing was kept)");
  }
  auto t0 = std::chrono::steady_clock::now();
  DBARCH_RETURN_IF_ERROR(conn.ExecScript("COMMIT"));
  // Statistics for the filled tables only (a live database may hold many others).
  std::vector<std::string> names;
  for (const TablePlan& t : plan.tables) names.push_back(t.name.Quoted());
  auto a0 = std::chrono::steady_clock::now();
  if (!names.empty()) DBARCH_RETURN_IF_ERROR(conn.ExecScript("ANALYZE " + Join(names, ", ")));
  stats->analyze_seconds = Since(a0);
  stats->seconds += Since(t0);
  return stats;
}

}  // namespace dbarch::datagen
