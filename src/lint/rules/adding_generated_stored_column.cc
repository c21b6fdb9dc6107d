// adding-generated-stored-column: ALTER TABLE ... ADD COLUMN ... GENERATED ALWAYS AS (...)
// STORED on a table that existed before the file.
//
// Why: a stored generated column is computed and written for every existing row, so the
// table (and its indexes) are rewritten under an ACCESS EXCLUSIVE lock that blocks reads
// and writes for the whole rewrite.
// Fix: add a plain nullable column, keep it up to date with a trigger for new and changed
// rows, backfill existing rows in batches; or compute the value in queries / a view.
// False positives: small tables.
// Example: ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100)
// STORED;
//          ->  plain column + trigger + batched backfill.
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class AddingGeneratedStoredColumn final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "adding-generated-stored-column",
        Family::kMigration,
        Severity::kWarning,
        "stored generated column added to an existing table",
        "The value is computed and stored for every existing row, so the table and its indexes "
        "are rewritten under an ACCESS EXCLUSIVE lock, blocking reads and writes throughout.",
        "Add a plain nullable column, maintain it with a BEFORE INSERT OR UPDATE trigger, and "
        "backfill existing rows in batches; or compute the expression in a view.",
        "ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) "
        "STORED;",
        "ALTER TABLE orders ADD COLUMN total_cents bigint;\n"
        "-- trigger: NEW.total_cents := NEW.total * 100; then backfill in batches"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    TargetTable target;
    const PgQuery__AlterTableStmt* s =
        AlterOfExistingTable(ctx, &target, {PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn});
    if (s == nullptr) return;
    for (const PgQuery__AlterTableCmd* cmd : AlterCommands(s)) {
      if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn || cmd->def == nullptr ||
          cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF) {
        continue;
      }
      const PgQuery__ColumnDef* def = cmd->def->column_def;
      ColumnDefInfo info = DescribeColumnDef(def);
      if (!info.generated_stored) continue;
      std::string col(Str(def->colname));
      std::string expr;
      for (const sql::Node* c : sql::Nodes(def->n_constraints, def->constraints)) {
        if (c->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
            c->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED) {
          expr = ExprSql(c->constraint->raw_expr);
        }
      }
      std::string t = "ALTER TABLE " + SqlName(target.name);
      std::string fix =
          t + " ADD COLUMN " + QuoteIdent(col) + " " + TypeSpecOf(def->type_name).Text() +
          ";\n-- keep it current with a BEFORE INSERT OR UPDATE trigger (NEW." + QuoteIdent(col) +
          " := " + expr + "),\n-- then backfill existing rows in batches:\n-- UPDATE " +
          SqlName(target.name) + " SET " + QuoteIdent(col) + " = " + expr + " WHERE <key range>;";
      out.Report(info.generated_location >= 0 ? info.generated_location : def->location,
                 "adding stored generated column " + Quoted(col) + " to " +
                     TableLabel(target.name) +
                     " rewrites the table under ACCESS EXCLUSIVE lock, blocking reads and writes",
                 fix);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_adding_generated_stored_column() {
  return std::make_unique<AddingGeneratedStoredColumn>();
}

}  // namespace dbarch::lint
