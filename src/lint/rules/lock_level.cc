// lock-level: annotates every DDL statement on a table that existed before the file with
// the lock it takes and what it does to the table's data: metadata-only, a scan, an index
// build, a rewrite, a truncate or a drop (info).
//
// Why: whether a migration is safe depends on the lock mode (ACCESS EXCLUSIVE blocks even
// SELECT, SHARE blocks writes, SHARE UPDATE EXCLUSIVE blocks only DDL and VACUUM) and on
// how long it is held (a catalog change takes milliseconds, a rewrite or validation scan
// takes as long as the table is big). While a strong lock waits for a long-running query,
// every later query on the table queues behind it. The annotation makes the cost of each
// statement visible in review, using the catalog (column types, NOT NULL state, validated
// CHECKs, foreign keys, partitions) to tell e.g. a metadata-only varchar widening from an
// int -> bigint rewrite.
// Fix: nothing to fix; the specific rules (changing-column-type, set-not-null,
// require-concurrent-index-creation...) say how to avoid the expensive cases.
// False positives: none as such; tables created earlier in the same file are skipped (they
// are new and empty). Without any known schema, every table the file does not create is
// assumed to exist.
// Example: ALTER TABLE orders ALTER COLUMN total TYPE bigint;  ->  info: takes ACCESS EXCLUSIVE
// lock on "orders" (blocks reads and writes) and rewrites it.
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class LockLevel final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "lock-level",
        Family::kMigration,
        Severity::kInfo,
        "the lock a DDL statement takes on an existing table, and whether it rewrites or scans it",
        "ACCESS EXCLUSIVE blocks reads and writes, SHARE and SHARE ROW EXCLUSIVE block writes, "
        "SHARE UPDATE EXCLUSIVE blocks only other DDL and VACUUM. A lock held for a catalog "
        "change is brief; one held for a validation scan, an index build or a table rewrite "
        "lasts as long as the table is big, and while any strong lock waits, every later "
        "query on the table queues behind it.",
        "Nothing to fix: use it to review the cost of each statement; the specific migration "
        "rules give the low-lock alternative for the expensive cases.",
        "ALTER TABLE orders ALTER COLUMN total TYPE bigint;",
        "ALTER TABLE orders ALTER COLUMN note TYPE text;  -- varchar -> text: metadata-only"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    std::vector<TableLock> locks =
        StatementLocks(*ctx.catalog, ctx.stmt->node, ctx.config->target_version);
    for (const TableLock& lock : locks) {
      if (!IsPreexistingTable(ctx, lock.table)) continue;
      out.Report(lock.location, DescribeLock(lock), std::nullopt);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_lock_level() { return std::make_unique<LockLevel>(); }

}  // namespace dbarch::lint
