// adding-serial-primary-key-field: ALTER TABLE ... ADD COLUMN with serial/bigserial or
// GENERATED ... AS IDENTITY and PRIMARY KEY on a table that existed before the file.
//
// Why: filling the new column numbers every existing row, so the table is rewritten, and the
// primary key's unique index is then built, all under one ACCESS EXCLUSIVE lock: reads and
// writes stop for the rewrite plus the index build.
// Fix: add a plain nullable bigint column, attach a sequence as its default (new rows only,
// metadata-only), backfill existing rows in batches, build the unique index concurrently,
// prove NOT NULL with a validated CHECK, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX.
// False positives: small tables.
// Example: ALTER TABLE events ADD COLUMN id bigserial PRIMARY KEY;  ->  the step-by-step recipe.
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class AddingSerialPrimaryKeyField final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "adding-serial-primary-key-field",
        Family::kMigration,
        Severity::kWarning,
        "serial or identity PRIMARY KEY column added to an existing table",
        "Numbering the existing rows rewrites the table, and the primary key's index is then "
        "built, all under an ACCESS EXCLUSIVE lock that blocks reads and writes throughout.",
        "Add a nullable bigint column with a sequence default (metadata-only), backfill in "
        "batches, CREATE UNIQUE INDEX CONCURRENTLY, prove NOT NULL with a validated CHECK, then "
        "ADD CONSTRAINT ... PRIMARY KEY USING INDEX.",
        "ALTER TABLE events ADD COLUMN id bigserial PRIMARY KEY;",
        "ALTER TABLE events ADD COLUMN id bigint;\n"
        "CREATE SEQUENCE events_id_seq OWNED BY events.id;\n"
        "ALTER TABLE events ALTER COLUMN id SET DEFAULT nextval('events_id_seq');\n"
        "-- backfill in batches, then:\n"
        "CREATE UNIQUE INDEX CONCURRENTLY events_pkey ON events (id);\n"
        "ALTER TABLE events ADD CONSTRAINT events_id_not_null CHECK (id IS NOT NULL) NOT VALID;\n"
        "ALTER TABLE events VALIDATE CONSTRAINT events_id_not_null;\n"
        "ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey;"};
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
      if (!info.primary_key || (info.serial.empty() && !info.identity)) continue;
      std::string col(Str(def->colname));
      std::string type = info.serial == "serial"        ? "integer"
                         : info.serial == "smallserial" ? "smallint"
                         : info.serial == "bigserial"   ? "bigint"
                                                        : TypeSpecOf(def->type_name).Text();
      std::string t = "ALTER TABLE " + SqlName(target.name);
      std::string seq = ObjectName(target.name.name, {col}, "seq");
      std::string pkey = info.key != nullptr && !Str(info.key->conname).empty()
                             ? std::string(Str(info.key->conname))
                             : ObjectName(target.name.name, {}, "pkey");
      std::string fix = t + " ADD COLUMN " + QuoteIdent(col) + " " + type + ";\n" +
                        "CREATE SEQUENCE " + QuoteIdent(seq) + " OWNED BY " + SqlName(target.name) +
                        "." + QuoteIdent(col) + ";\n" + t + " ALTER COLUMN " + QuoteIdent(col) +
                        " SET DEFAULT nextval(" + QuoteLiteral(seq) + ");  -- new rows only\n" +
                        "-- backfill existing rows in batches with nextval(" + QuoteLiteral(seq) +
                        "), then:\n" + "CREATE UNIQUE INDEX CONCURRENTLY " + QuoteIdent(pkey) +
                        " ON " + SqlName(target.name) + " (" + QuoteIdent(col) + ");\n" +
                        NotNullRecipe(target.name, col, version) + "\n" + t + " ADD CONSTRAINT " +
                        QuoteIdent(pkey) + " PRIMARY KEY USING INDEX " + QuoteIdent(pkey) + ";";
      std::string kind = info.identity ? "identity" : info.serial;
      out.Report(def->location,
                 "adding " + kind + " PRIMARY KEY column " + Quoted(col) + " to " +
                     TableLabel(target.name) +
                     " rewrites the table and builds its index under ACCESS EXCLUSIVE lock, "
                     "blocking reads and writes",
                 fix);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_adding_serial_primary_key_field() {
  return std::make_unique<AddingSerialPrimaryKeyField>();
}

}  // namespace dbarch::lint
