// ban-drop-column: ALTER TABLE ... DROP COLUMN on a table that existed before the file.
//
// Why: the drop is a quick catalog change (ACCESS EXCLUSIVE, no rewrite), but it destroys
// the column's data and breaks running application code that still reads or writes it (ORMs
// that cache the column list fail on every INSERT and SELECT of the model until restarted).
// Indexes, constraints and statistics on the column go with it.
// Fix: first stop using the column (e.g. Rails ignored_columns, remove the field from the
// ORM model), deploy, then drop it in a later migration with DROP COLUMN IF EXISTS.
// False positives: columns no deployed code uses any more (suppress with the reason).
// Example: ALTER TABLE users DROP COLUMN legacy_flag;  ->  ignore it in the ORM, deploy, then drop.
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class BanDropColumn final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "ban-drop-column",
        Family::kMigration,
        Severity::kWarning,
        "a column of an existing table is dropped",
        "DROP COLUMN is a quick catalog change but it destroys the data and breaks running "
        "application code that still uses the column: ORMs that cache the column list fail on "
        "every read and write of the model until they restart.",
        "Stop using the column in the application first (e.g. Rails ignored_columns, remove it "
        "from the ORM model), deploy, and drop it in a later migration.",
        "ALTER TABLE users DROP COLUMN legacy_flag;",
        "-- after a deploy that no longer uses the column:\n"
        "ALTER TABLE users DROP COLUMN IF EXISTS legacy_flag;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    TargetTable target;
    const PgQuery__AlterTableStmt* s =
        AlterOfExistingTable(ctx, &target, {PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn});
    if (s == nullptr) return;
    for (const PgQuery__AlterTableCmd* cmd : AlterCommands(s)) {
      if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn) continue;
      std::string col(Str(cmd->name));
      std::string extra;
      if (target.table != nullptr) {
        if (target.table->FindColumn(col) == nullptr) continue;  // unknown-object (or IF EXISTS)
        int n = IndexesOnColumn(*ctx.catalog, *target.table, col);
        if (n > 0)
          extra = " (and drops " + std::to_string(n) + (n == 1 ? " index" : " indexes") + " on it)";
      }
      out.Report(
          -1,
          "dropping column " + Quoted(col) + " of " + TableLabel(target.name) +
              " breaks running application code that still uses it" + extra,
          "-- first stop using " + QuoteIdent(col) +
              " in the application (ORM: ignore the column) and deploy; then:\nALTER TABLE " +
              SqlName(target.name) + " DROP COLUMN IF EXISTS " + QuoteIdent(col) + ";");
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_ban_drop_column() { return std::make_unique<BanDropColumn>(); }

}  // namespace dbarch::lint
