// set-not-null: ALTER TABLE ... ALTER COLUMN ... SET NOT NULL on a table that existed before
// the file, when PostgreSQL will have to scan it.
//
// Why: SET NOT NULL checks every row for NULLs while holding an ACCESS EXCLUSIVE lock, so
// reads and writes stop for the duration of a full table scan. Since PostgreSQL 12 the scan
// is skipped when a validated CHECK (col IS NOT NULL) constraint already proves it, and
// such a constraint can be added NOT VALID (brief lock) and validated under SHARE UPDATE
// EXCLUSIVE (reads and writes continue).
// Fix: ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT (separate
// transaction); SET NOT NULL (no scan, PostgreSQL 12+); DROP CONSTRAINT the check.
// False positives: small tables. Not reported when the catalog shows the column is NOT NULL
// already or (PostgreSQL 12+) a validated IS NOT NULL check exists.
// Example: ALTER TABLE orders ALTER COLUMN status SET NOT NULL;  ->  the four-step recipe.
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class SetNotNull final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "set-not-null",
        Family::kMigration,
        Severity::kWarning,
        "SET NOT NULL on an existing column scans the table under ACCESS EXCLUSIVE lock",
        "SET NOT NULL reads every row to prove there is no NULL while holding an ACCESS "
        "EXCLUSIVE lock, blocking reads and writes for a full table scan. PostgreSQL 12+ skips "
        "the scan when a validated CHECK (col IS NOT NULL) constraint exists, and that "
        "constraint can be added NOT VALID and validated without blocking reads or writes.",
        "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; then, in its own transaction, "
        "VALIDATE CONSTRAINT c; then SET NOT NULL (no scan on PostgreSQL 12+) and DROP "
        "CONSTRAINT c. Before PostgreSQL 12 keep the CHECK constraint instead of SET NOT NULL.",
        "ALTER TABLE orders ALTER COLUMN status SET NOT NULL;",
        "ALTER TABLE orders ADD CONSTRAINT orders_status_not_null CHECK (status IS NOT NULL) NOT "
        "VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_status_not_null;\n"
        "ALTER TABLE orders ALTER COLUMN status SET NOT NULL;\n"
        "ALTER TABLE orders DROP CONSTRAINT orders_status_not_null;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    TargetTable target;
    const PgQuery__AlterTableStmt* s =
        AlterOfExistingTable(ctx, &target, {PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull});
    if (s == nullptr) return;
    int version = ctx.config->target_version;
    for (const PgQuery__AlterTableCmd* cmd : AlterCommands(s)) {
      if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull) continue;
      std::string col(Str(cmd->name));
      std::string existing_check;
      if (target.table != nullptr) {
        const catalog::Column* c = target.table->FindColumn(col);
        if (c == nullptr) continue;  // unknown-object
        if (c->not_null) continue;
        if (version >= 12 && HasValidatedNotNullCheck(*target.table, col)) continue;
        existing_check = UnvalidatedNotNullCheck(*target.table, col);
      }
      std::string msg =
          "SET NOT NULL on " + Quoted(col) + " of " + TableLabel(target.name) +
          " scans the whole table under ACCESS EXCLUSIVE lock, blocking reads and writes";
      if (!existing_check.empty()) {
        msg += " (check " + Quoted(existing_check) + " is NOT VALID yet: validate it first)";
      }
      out.Report(-1, msg, NotNullRecipe(target.name, col, version, existing_check));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_set_not_null() { return std::make_unique<SetNotNull>(); }

}  // namespace dbarch::lint
