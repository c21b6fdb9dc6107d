// adding-primary-key-constraint: ALTER TABLE ... ADD PRIMARY KEY on a table that existed
// before the file, when it builds its index (no USING INDEX) or must scan for NULLs
// (a key column is not NOT NULL yet).
//
// Why: ADD PRIMARY KEY builds the unique index while holding an ACCESS EXCLUSIVE lock
// (reads and writes blocked for the whole build), and it also sets NOT NULL on the key
// columns, which scans the table under the same lock unless the columns are NOT NULL
// already (or, PostgreSQL 12+, a validated CHECK (col IS NOT NULL) proves it).
// Fix: make the columns NOT NULL the low-lock way first, build the index with CREATE UNIQUE
// INDEX CONCURRENTLY, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX (catalog change).
// False positives: small tables.
// Example: ALTER TABLE events ADD PRIMARY KEY (id);  ->
//          CREATE UNIQUE INDEX CONCURRENTLY events_pkey ON events (id);
//          ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey;
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class AddingPrimaryKeyConstraint final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "adding-primary-key-constraint",
        Family::kMigration,
        Severity::kWarning,
        "PRIMARY KEY added to an existing table without USING INDEX, or on nullable columns",
        "ADD PRIMARY KEY builds its unique index under an ACCESS EXCLUSIVE lock, blocking reads "
        "and writes for the whole build, and sets NOT NULL on the key columns, which scans the "
        "table under the same lock unless they are NOT NULL already.",
        "Make the key columns NOT NULL via CHECK ... NOT VALID + VALIDATE (+ SET NOT NULL on "
        "PostgreSQL 12+), build the index with CREATE UNIQUE INDEX CONCURRENTLY, then ALTER "
        "TABLE ... ADD CONSTRAINT ... PRIMARY KEY USING INDEX.",
        "ALTER TABLE events ADD PRIMARY KEY (id);",
        "CREATE UNIQUE INDEX CONCURRENTLY events_pkey ON events (id);\n"
        "ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    TargetTable target;
    const PgQuery__AlterTableStmt* s =
        AlterOfExistingTable(ctx, &target, {PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint});
    if (s == nullptr) return;
    int version = ctx.config->target_version;
    std::string t = "ALTER TABLE " + SqlName(target.name);
    for (const PgQuery__AlterTableCmd* cmd : AlterCommands(s)) {
      if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint || cmd->def == nullptr ||
          cmd->def->node_case != PG_QUERY__NODE__NODE_CONSTRAINT) {
        continue;
      }
      const PgQuery__Constraint* c = cmd->def->constraint;
      if (c->contype != PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY) continue;
      bool builds_index = Str(c->indexname).empty();
      std::vector<std::string> cols;
      if (builds_index) {
        for (const sql::Node* k : sql::Nodes(c->n_keys, c->keys)) cols.emplace_back(sql::StrVal(k));
      } else if (const catalog::Index* idx = FindIndex(
                     *ctx.catalog, {target.name.schema, std::string(Str(c->indexname))})) {
        for (const catalog::IndexKey& k : idx->keys) cols.push_back(k.column);
      }
      // Key columns that SET NOT NULL will have to scan.
      std::vector<std::string> nullable;
      if (target.table != nullptr) {
        for (const std::string& col : cols) {
          const catalog::Column* column = target.table->FindColumn(col);
          if (column != nullptr && !column->not_null &&
              !(version >= 12 && HasValidatedNotNullCheck(*target.table, col))) {
            nullable.push_back(col);
          }
        }
      }
      if (!builds_index && nullable.empty()) continue;
      std::string name = !Str(c->conname).empty() ? std::string(Str(c->conname))
                         : builds_index           ? ObjectName(target.name.name, {}, "pkey")
                                                  : std::string(Str(c->indexname));
      std::string fix;
      for (const std::string& col : nullable) {
        fix +=
            NotNullRecipe(target.name, col, version, UnvalidatedNotNullCheck(*target.table, col)) +
            "\n";
      }
      std::vector<std::string> quoted;
      for (const std::string& col : cols) quoted.push_back(QuoteIdent(col));
      std::string index = builds_index ? name : std::string(Str(c->indexname));
      if (builds_index) {
        fix += "CREATE UNIQUE INDEX CONCURRENTLY " + QuoteIdent(index) + " ON " +
               SqlName(target.name) + " (" + Join(quoted, ", ") + ");\n";
      }
      fix += t + " ADD CONSTRAINT " + QuoteIdent(name) + " PRIMARY KEY USING INDEX " +
             QuoteIdent(index) + ";";
      std::string msg = "adding PRIMARY KEY to " + TableLabel(target.name);
      if (builds_index) msg += " builds its index";
      if (!nullable.empty()) {
        std::vector<std::string> q;
        for (const std::string& col : nullable) q.push_back(Quoted(col));
        msg += std::string(builds_index ? " and" : "") + " scans for NULLs in " + Join(q, ", ");
      }
      msg += " under ACCESS EXCLUSIVE lock, blocking reads and writes";
      out.Report(c->location, msg, fix);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_adding_primary_key_constraint() {
  return std::make_unique<AddingPrimaryKeyConstraint>();
}

}  // namespace dbarch::lint
