// ban-drop-not-null: ALTER TABLE ... ALTER COLUMN ... DROP NOT NULL on a table that existed
// before the file.
//
// Why: the change is instant, but it lets NULLs in that running application code (and
// readers such as reports, exports and other services) may not handle, and it is hard to
// undo: putting NOT NULL back requires a full-table validation scan once NULLs may exist.
// Fix: make sure every reader handles NULL first; if the goal is a new optional value, add
// a new nullable column instead.
// False positives: deliberate relaxations after the readers were updated (suppress with the
// reason).
// Example: ALTER TABLE orders ALTER COLUMN status DROP NOT NULL;  ->  update the readers first.
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class BanDropNotNull final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "ban-drop-not-null",
        Family::kMigration,
        Severity::kWarning,
        "NOT NULL dropped from a column of an existing table",
        "Dropping NOT NULL is instant, but it lets NULLs reach application code and other "
        "readers that assume there are none, and undoing it later needs a full validation scan.",
        "Update every reader to handle NULL before relaxing the column, or add a new nullable "
        "column instead.",
        "ALTER TABLE orders ALTER COLUMN status DROP NOT NULL;",
        "-- after every reader handles NULL:\nALTER TABLE orders ALTER COLUMN status DROP NOT "
        "NULL;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    TargetTable target;
    const PgQuery__AlterTableStmt* s =
        AlterOfExistingTable(ctx, &target, {PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull});
    if (s == nullptr) return;
    for (const PgQuery__AlterTableCmd* cmd : AlterCommands(s)) {
      if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull) continue;
      std::string col(Str(cmd->name));
      if (target.table != nullptr) {
        const catalog::Column* c = target.table->FindColumn(col);
        if (c == nullptr || !c->not_null) continue;  // unknown, or nothing to drop
      }
      out.Report(
          -1,
          "dropping NOT NULL on " + Quoted(col) + " of " + TableLabel(target.name) +
              " lets NULLs reach code that assumes there are none, and restoring it later needs a "
              "full scan",
          std::string(
              "update every reader to handle NULL first, or add a new nullable column instead"));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_ban_drop_not_null() { return std::make_unique<BanDropNotNull>(); }

}  // namespace dbarch::lint
