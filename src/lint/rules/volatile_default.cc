// volatile-default: ALTER TABLE ... ADD COLUMN on an existing table whose value must be
// computed per row: a volatile DEFAULT (random(), clock_timestamp(), gen_random_uuid(),
// nextval()...), an identity or serial column, or (before PostgreSQL 11) any DEFAULT.
//
// Why: since PostgreSQL 11 a non-volatile default is stored once in the catalog and ADD
// COLUMN is metadata-only; a volatile default must be evaluated for every existing row, so
// the table is rewritten (with all its indexes) under an ACCESS EXCLUSIVE lock that blocks
// reads and writes for the whole rewrite. Before PostgreSQL 11 every non-NULL default
// rewrites. User functions are judged by their declared volatility in the catalog.
// Fix: add the column without the default, set the default afterwards (new rows only:
// metadata-only), then backfill existing rows in batches.
// False positives: small tables; functions dbarch cannot see (not built in, not in the
// schema) are reported as "may be volatile".
// Example: ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();  ->
//          ALTER TABLE orders ADD COLUMN token uuid;
//          ALTER TABLE orders ALTER COLUMN token SET DEFAULT gen_random_uuid();
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class VolatileDefault final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "volatile-default",
        Family::kMigration,
        Severity::kWarning,
        "ADD COLUMN whose default must be computed per row (volatile default, identity, serial, "
        "or any default before PostgreSQL 11) on an existing table",
        "A volatile default is evaluated for every existing row, so PostgreSQL rewrites the "
        "whole table and its indexes under an ACCESS EXCLUSIVE lock (reads and writes blocked "
        "throughout). Constant and STABLE defaults are metadata-only since PostgreSQL 11; before "
        "11 every non-NULL default rewrites.",
        "Add the column without a default, then ALTER COLUMN ... SET DEFAULT (applies to new "
        "rows, metadata-only), then backfill existing rows in batches.",
        "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();",
        "ALTER TABLE orders ADD COLUMN token uuid;\n"
        "ALTER TABLE orders ALTER COLUMN token SET DEFAULT gen_random_uuid();\n"
        "-- backfill existing rows in batches"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    TargetTable target;
    const PgQuery__AlterTableStmt* s =
        AlterOfExistingTable(ctx, &target, {PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn});
    if (s == nullptr) return;
    int version = ctx.config->target_version;
    for (const PgQuery__AlterTableCmd* cmd : AlterCommands(s)) {
      if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn || cmd->def == nullptr ||
          cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF) {
        continue;
      }
      const PgQuery__ColumnDef* def = cmd->def->column_def;
      ColumnDefInfo info = DescribeColumnDef(def);
      if (info.generated_stored) continue;  // adding-generated-stored-column
      std::string col(Str(def->colname));
      std::string label = Quoted(col);
      std::string table = TableLabel(target.name);
      std::string t = "ALTER TABLE " + SqlName(target.name);
      std::string type = TypeSpecOf(def->type_name).Text();
      if (info.identity || !info.serial.empty()) {
        if (info.primary_key) continue;  // adding-serial-primary-key-field
        std::string kind = info.identity ? "identity" : info.serial;
        std::string seq = ObjectName(target.name.name, {col}, "seq");
        std::string int_type = info.serial == "serial"        ? "integer"
                               : info.serial == "smallserial" ? "smallint"
                               : info.serial == "bigserial"   ? "bigint"
                                                              : type;
        std::string fix =
            t + " ADD COLUMN " + QuoteIdent(col) + " " + int_type + ";\n" + "CREATE SEQUENCE " +
            QuoteIdent(seq) + " OWNED BY " + SqlName(target.name) + "." + QuoteIdent(col) + ";\n" +
            t + " ALTER COLUMN " + QuoteIdent(col) + " SET DEFAULT nextval(" + QuoteLiteral(seq) +
            ");  -- new rows only\n" + "-- backfill existing rows in batches with nextval(" +
            QuoteLiteral(seq) + ")";
        out.Report(
            def->location,
            "adding " + kind + " column " + label + " to " + table +
                " rewrites the table under ACCESS EXCLUSIVE lock to number every existing row",
            fix);
        continue;
      }
      if (info.default_expr == nullptr) continue;
      ExprVolatility v = VolatilityOf(*ctx.catalog, info.default_expr);
      std::string expr = ExprSql(info.default_expr);
      std::string fix = t + " ADD COLUMN " + QuoteIdent(col) + " " + type + ";\n" + t +
                        " ALTER COLUMN " + QuoteIdent(col) + " SET DEFAULT " + expr +
                        ";  -- new rows only\n-- backfill existing rows in batches";
      if (info.not_null)
        fix += ", then enforce NOT NULL with CHECK ... NOT VALID + VALIDATE CONSTRAINT";
      std::string msg;
      if (v.volatility == Volatility::kVolatile) {
        msg = "adding column " + label + " to " + table + " with volatile default " + v.function +
              "() rewrites the table under ACCESS EXCLUSIVE lock";
      } else if (v.volatility == Volatility::kUnknown) {
        msg = "default of new column " + label + " calls " + v.function +
              "(), which is not known to be IMMUTABLE or STABLE: if it is volatile, adding the "
              "column rewrites " +
              table + " under ACCESS EXCLUSIVE lock";
      } else if (version < 11) {
        msg = "adding column " + label + " with a default to " + table +
              " rewrites the table under ACCESS EXCLUSIVE lock before PostgreSQL 11 (target " +
              std::to_string(version) + ")";
      } else {
        continue;
      }
      out.Report(info.default_location, msg, fix);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_volatile_default() { return std::make_unique<VolatileDefault>(); }

}  // namespace dbarch::lint
