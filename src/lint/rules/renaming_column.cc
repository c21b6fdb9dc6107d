// renaming-column: ALTER TABLE ... RENAME COLUMN on a table that existed before the file.
//
// Why: the rename is instant (ACCESS EXCLUSIVE, catalog only), but application code that is
// already running still uses the old name and fails until every instance is redeployed;
// during a rolling deploy old and new code run side by side, so no deploy order works.
// Fix: expand and contract: add the new column, write to both, backfill, move reads, stop
// writing the old one, drop it; or rename and keep the old name readable through a view.
// False positives: columns no deployed code uses yet; tables created in the same file.
// Example: ALTER TABLE users RENAME COLUMN name TO full_name;  ->  add full_name, dual-write,
// backfill, drop name.
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class RenamingColumn final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "renaming-column",
        Family::kMigration,
        Severity::kWarning,
        "a column of an existing table is renamed",
        "The rename itself is a quick catalog change, but running application code still "
        "uses the old name and fails until all of it is redeployed; during a rolling deploy old "
        "and new code run together, so neither name works for everyone.",
        "Expand and contract: add the new column, write to both, backfill, move reads to the "
        "new column, stop writing the old one, then drop it.",
        "ALTER TABLE users RENAME COLUMN name TO full_name;",
        "ALTER TABLE users ADD COLUMN full_name text;\n"
        "-- dual-write, backfill, move reads, then later:\n"
        "ALTER TABLE users DROP COLUMN name;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const sql::Node* n = ctx.stmt->node;
    if (n->node_case != PG_QUERY__NODE__NODE_RENAME_STMT) return;
    const PgQuery__RenameStmt* s = n->rename_stmt;
    if (s->rename_type != PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN ||
        s->relation_type != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) {
      return;
    }
    TargetTable target = ResolveTarget(ctx, s->relation);
    if (!target.existing) return;
    std::string from(Str(s->subname));
    std::string to(Str(s->newname));
    std::string type = "<type>";
    if (target.table != nullptr) {
      const catalog::Column* c = target.table->FindColumn(from);
      if (c == nullptr) return;  // unknown-object
      type = c->type;
    }
    std::string t = "ALTER TABLE " + SqlName(target.name);
    std::string fix = t + " ADD COLUMN " + QuoteIdent(to) + " " + type + ";\n" +
                      "-- write both columns, backfill in batches, move reads to " +
                      QuoteIdent(to) + ", then in a later migration:\n" + t + " DROP COLUMN " +
                      QuoteIdent(from) + ";";
    out.Report(-1,
               "renaming column " + Quoted(from) + " of " + TableLabel(target.name) + " to " +
                   Quoted(to) + " breaks running application code that still uses " + Quoted(from),
               fix);
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_renaming_column() { return std::make_unique<RenamingColumn>(); }

}  // namespace dbarch::lint
