// constraint-missing-not-valid: ALTER TABLE ... ADD CONSTRAINT ... CHECK without NOT VALID
// (or ADD COLUMN with a CHECK) on a table that existed before the file; and VALIDATE
// CONSTRAINT in the same transaction that added the constraint NOT VALID.
//
// Why: adding a CHECK constraint validates every existing row while holding an ACCESS
// EXCLUSIVE lock: reads and writes stop for a full table scan. Added NOT VALID, only new
// rows are checked and the lock is brief; VALIDATE CONSTRAINT then scans under SHARE UPDATE
// EXCLUSIVE, which lets reads and writes continue. Running VALIDATE in the same transaction
// as the ADD gains nothing: the ADD's lock is held until COMMIT, through the whole scan.
// Foreign keys are reported by adding-foreign-key-constraint.
// Fix: ADD CONSTRAINT ... NOT VALID; COMMIT; then VALIDATE CONSTRAINT in its own transaction.
// False positives: small tables.
// Example: ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0);  ->
//          ... CHECK (total > 0) NOT VALID;  ALTER TABLE orders VALIDATE CONSTRAINT total_positive;
#include <map>
#include <set>

#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

std::string FirstColumn(const sql::Node* expr) {
  std::string out;
  WalkNodes(expr, [&](const sql::Node* n) {
    if (out.empty() && n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) out = ColumnRefName(n);
    return out.empty();
  });
  return out;
}

// The CHECK expression as written (deparsed when the source cannot be sliced).
std::string CheckText(const StatementContext& ctx, const PgQuery__Constraint* c) {
  std::string_view text = ctx.Text();
  int from = c->location - static_cast<int>(ctx.stmt->begin);
  std::string out = from >= 0 ? ParenthesizedAfter(text, static_cast<size_t>(from), "check") : "";
  return out.empty() ? ExprSql(c->raw_expr) : out;
}

class ConstraintMissingNotValid final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "constraint-missing-not-valid",
        Family::kMigration,
        Severity::kWarning,
        "CHECK constraint added to an existing table without NOT VALID, or validated in the "
        "transaction that added it",
        "ADD CONSTRAINT ... CHECK validates every existing row under an ACCESS EXCLUSIVE lock "
        "(reads and writes blocked for a full scan). With NOT VALID only new rows are checked "
        "and the lock is brief; VALIDATE CONSTRAINT later scans under SHARE UPDATE EXCLUSIVE, "
        "which allows reads and writes. VALIDATE in the same transaction as the ADD keeps the "
        "ADD's lock through the scan, which defeats the point.",
        "ADD the constraint NOT VALID, commit, then VALIDATE CONSTRAINT in a separate "
        "transaction (or the next migration).",
        "ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);",
        "ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;\n"
        "-- separate transaction:\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    TargetTable target;
    const PgQuery__AlterTableStmt* s = AlterOfExistingTable(
        ctx, &target,
        {PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint, PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn});
    if (s == nullptr) return;
    std::string t = "ALTER TABLE " + SqlName(target.name);
    for (const PgQuery__AlterTableCmd* cmd : AlterCommands(s)) {
      if (cmd->def == nullptr) continue;
      if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint &&
          cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
        const PgQuery__Constraint* c = cmd->def->constraint;
        if (c->contype != PG_QUERY__CONSTR_TYPE__CONSTR_CHECK || c->skip_validation) continue;
        std::string name = !Str(c->conname).empty()
                               ? std::string(Str(c->conname))
                               : ObjectName(target.name.name, {FirstColumn(c->raw_expr)}, "check");
        if (Str(c->conname).empty() && FirstColumn(c->raw_expr).empty()) {
          name = ObjectName(target.name.name, {}, "check");
        }
        std::string fix = t + " ADD CONSTRAINT " + QuoteIdent(name) + " CHECK (" +
                          CheckText(ctx, c) + ") NOT VALID;\n-- separate transaction:\n" + t +
                          " VALIDATE CONSTRAINT " + QuoteIdent(name) + ";";
        out.Report(c->location,
                   "adding CHECK constraint " + Quoted(name) + " to " + TableLabel(target.name) +
                       " without NOT VALID scans the whole table under ACCESS EXCLUSIVE lock",
                   fix);
      } else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn &&
                 cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
        const PgQuery__ColumnDef* def = cmd->def->column_def;
        ColumnDefInfo info = DescribeColumnDef(def);
        if (info.check == nullptr) continue;
        std::string col(Str(def->colname));
        std::string name = !Str(info.check->conname).empty()
                               ? std::string(Str(info.check->conname))
                               : ObjectName(target.name.name, {col}, "check");
        std::string fix = t + " ADD COLUMN " + QuoteIdent(col) + " " +
                          TypeSpecOf(def->type_name).Text() + ";  -- without the CHECK\n" + t +
                          " ADD CONSTRAINT " + QuoteIdent(name) + " CHECK (" +
                          CheckText(ctx, info.check) + ") NOT VALID;\n-- separate transaction:\n" +
                          t + " VALIDATE CONSTRAINT " + QuoteIdent(name) + ";";
        out.Report(info.check->location,
                   "adding column " + Quoted(col) + " with a CHECK constraint to " +
                       TableLabel(target.name) + " checks every row under ACCESS EXCLUSIVE lock",
                   fix);
      }
    }
  }

  // VALIDATE CONSTRAINT in the transaction that added the constraint NOT VALID.
  void CheckFile(const FileContext& ctx, Emitter& out) const override {
    FileTables tables(ctx);
    bool in_tx = false;
    // (table, constraint) added NOT VALID in the current transaction, with the lock it holds.
    std::map<std::pair<catalog::QualifiedName, std::string>, const char*> pending;
    for (const sql::Statement& st : *ctx.statements) {
      const sql::Node* n = st.node;
      TxEffect tx = TransactionEffect(n);
      if (tx == TxEffect::kBegin) {
        in_tx = true;
        pending.clear();
      } else if (tx == TxEffect::kEnd) {
        in_tx = false;
        pending.clear();
      }
      if (!in_tx || n->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_STMT) {
        tables.Apply(n);
        continue;
      }
      const PgQuery__AlterTableStmt* s = n->alter_table_stmt;
      catalog::QualifiedName table = tables.Resolve(s->relation);
      if (s->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || !tables.IsPreexisting(table))
        continue;
      for (const PgQuery__AlterTableCmd* cmd : AlterCommands(s)) {
        if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint && cmd->def != nullptr &&
            cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
          const PgQuery__Constraint* c = cmd->def->constraint;
          if (!c->skip_validation || Str(c->conname).empty()) continue;
          pending[{table, std::string(Str(c->conname))}] =
              c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN ? "SHARE ROW EXCLUSIVE"
                                                                  : "ACCESS EXCLUSIVE";
        } else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint) {
          auto it = pending.find({table, std::string(Str(cmd->name))});
          if (it == pending.end()) continue;
          out.Report(
              static_cast<int>(st.begin),
              "VALIDATE CONSTRAINT " + Quoted(Str(cmd->name)) +
                  " runs in the transaction that added it NOT VALID: the " + it->second +
                  " lock on " + TableLabel(table) + " is held through the whole validation scan",
              std::string("COMMIT after ADD CONSTRAINT ... NOT VALID and validate in a separate "
                          "transaction (or the next migration)"));
        }
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_constraint_missing_not_valid() {
  return std::make_unique<ConstraintMissingNotValid>();
}

}  // namespace dbarch::lint
