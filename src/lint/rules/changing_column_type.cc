// changing-column-type: ALTER TABLE ... ALTER COLUMN ... TYPE on a table that existed before
// the file, unless the change is metadata-only.
//
// Why: changing a column's type rewrites the whole table and rebuilds every index on it
// under an ACCESS EXCLUSIVE lock: reads and writes stop for the duration. Binary-coercible
// changes skip the rewrite: varchar(n) -> varchar(m >= n) or text, text -> varchar,
// numeric(p,s) -> numeric(p' >= p, s), dropping a length/precision limit, cidr -> inet, to
// an unconstrained domain over the old type. The catalog supplies the old type; a USING
// clause that computes a new value always rewrites.
// Fix: expand and contract: add a new column, write to both (trigger or application),
// backfill in batches, switch reads, rename in one short transaction, drop the old column.
// False positives: small tables; timestamp <-> timestamptz is reported although PostgreSQL
// 12+ skips the rewrite when the session time zone is UTC (the message says so).
// Example: ALTER TABLE orders ALTER COLUMN total TYPE bigint;  ->  add total_new bigint, backfill,
// swap.
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

int IndexCount(const catalog::Catalog& catalog, const catalog::Table& table) {
  int n = 0;
  // Name first: it differs for almost every index, and std::string compares sizes first.
  for (const auto& [q, idx] : catalog.indexes) {
    n += idx.table.name == table.name.name && idx.table.schema == table.name.schema ? 1 : 0;
  }
  for (const catalog::Constraint& c : table.constraints) {
    n += c.kind == catalog::ConstraintKind::kPrimaryKey ||
                 c.kind == catalog::ConstraintKind::kUnique ||
                 c.kind == catalog::ConstraintKind::kExclude
             ? 1
             : 0;
  }
  return n;
}

class ChangingColumnType final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "changing-column-type",
        Family::kMigration,
        Severity::kWarning,
        "ALTER COLUMN ... TYPE that rewrites an existing table",
        "Unless the old type is binary-coercible to the new one (varchar widening, varchar <-> "
        "text, numeric precision increase, dropping a length limit...), changing a column's "
        "type rewrites the table and rebuilds all its indexes under an ACCESS EXCLUSIVE lock, "
        "blocking reads and writes throughout.",
        "Expand and contract: add a column of the new type, write to both, backfill in batches, "
        "move reads, swap the names in one short transaction, drop the old column later.",
        "ALTER TABLE orders ALTER COLUMN total TYPE bigint;",
        "ALTER TABLE orders ADD COLUMN total_new bigint;\n"
        "-- dual-write (trigger or application), backfill in batches, then:\n"
        "ALTER TABLE orders RENAME COLUMN total TO total_old;\n"
        "ALTER TABLE orders RENAME COLUMN total_new TO total;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    TargetTable target;
    const PgQuery__AlterTableStmt* s =
        AlterOfExistingTable(ctx, &target, {PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType});
    if (s == nullptr) return;
    for (const PgQuery__AlterTableCmd* cmd : AlterCommands(s)) {
      if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType || cmd->def == nullptr ||
          cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF) {
        continue;
      }
      std::string col(Str(cmd->name));
      const catalog::Column* old = nullptr;
      if (target.table != nullptr) {
        old = target.table->FindColumn(col);
        if (old == nullptr) continue;  // unknown-object
      }
      const PgQuery__ColumnDef* def = cmd->def->column_def;
      TypeChange tc = ClassifyTypeChange(*ctx.catalog, old, def, ctx.config->target_version);
      if (tc.work == TableWork::kMetadata) continue;
      std::string msg = "changing " + Quoted(col) + " of " + TableLabel(target.name) + " ";
      msg += old != nullptr ? "from " + old->type + " to " + tc.new_type : "to " + tc.new_type;
      msg += " rewrites the table";
      if (target.table != nullptr) {
        int n = IndexCount(*ctx.catalog, *target.table);
        if (n > 0)
          msg += " and rebuilds its " + std::to_string(n) + (n == 1 ? " index" : " indexes");
      } else {
        msg += " and its indexes";
      }
      msg += " under ACCESS EXCLUSIVE lock";
      if (old == nullptr) msg += " unless the change is binary-coercible";
      if (!tc.note.empty()) msg += " (" + tc.note + ")";
      std::string t = "ALTER TABLE " + SqlName(target.name);
      std::string tmp = col + "_new";
      std::string fix =
          t + " ADD COLUMN " + QuoteIdent(tmp) + " " + tc.new_type + ";\n" +
          "-- write both columns (trigger or application), backfill in batches, e.g.\n" +
          "-- UPDATE " + SqlName(target.name) + " SET " + QuoteIdent(tmp) + " = " +
          QuoteIdent(col) + " WHERE <key range>;\n" + "-- then, in one short transaction:\n" + t +
          " RENAME COLUMN " + QuoteIdent(col) + " TO " + QuoteIdent(col + "_old") + ";\n" + t +
          " RENAME COLUMN " + QuoteIdent(tmp) + " TO " + QuoteIdent(col) + ";";
      out.Report(def->location >= 0 ? def->location : -1, msg, fix);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_changing_column_type() {
  return std::make_unique<ChangingColumnType>();
}

}  // namespace dbarch::lint
