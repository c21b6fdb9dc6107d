// ban-alter-domain-with-add-constraint: ALTER DOMAIN ... ADD CONSTRAINT (without NOT VALID)
// or ALTER DOMAIN ... SET NOT NULL, when columns of existing tables use the domain.
//
// Why: the new rule is checked against every row of every column of the domain type, in
// every table, while each table is locked in SHARE mode (writes blocked) for its scan. The
// catalog tells which columns use the domain; the message names them.
// Fix: add the constraint to the columns as table CHECK constraints, NOT VALID, then
// VALIDATE CONSTRAINT (online); or ADD CONSTRAINT ... NOT VALID on the domain (new values
// are checked at once, existing ones only by a later VALIDATE).
// False positives: domains used only by small tables. Not reported when the catalog shows
// that no existing table uses the domain.
// Example: ALTER DOMAIN posint ADD CONSTRAINT small CHECK (VALUE < 1000);  ->
//          ALTER TABLE order_lines ADD CONSTRAINT qty_small CHECK (qty < 1000) NOT VALID; +
//          VALIDATE.
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class BanAlterDomainWithAddConstraint final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "ban-alter-domain-with-add-constraint",
        Family::kMigration,
        Severity::kWarning,
        "ALTER DOMAIN adds a validated constraint (or NOT NULL) to a domain used by existing "
        "tables",
        "The constraint is checked against every row of every column of the domain type, each "
        "table locked in SHARE mode (writes blocked) during its scan.",
        "Put the constraint on the columns as table CHECK constraints added NOT VALID and "
        "validated separately, or add it to the domain NOT VALID.",
        "ALTER DOMAIN posint ADD CONSTRAINT posint_small CHECK (VALUE < 1000);",
        "ALTER DOMAIN posint ADD CONSTRAINT posint_small CHECK (VALUE < 1000) NOT VALID;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const sql::Node* n = ctx.stmt->node;
    if (n->node_case != PG_QUERY__NODE__NODE_ALTER_DOMAIN_STMT) return;
    const PgQuery__AlterDomainStmt* s = n->alter_domain_stmt;
    std::string_view sub = Str(s->subtype);
    bool add = sub == "C" && s->def != nullptr &&
               s->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
               !s->def->constraint->skip_validation;
    bool set_not_null = sub == "O";
    if (!add && !set_not_null) return;
    std::vector<std::string> parts = sql::StrList(s->type_name, s->n_type_name);
    if (parts.empty()) return;
    catalog::QualifiedName domain =
        parts.size() >= 2 ? catalog::QualifiedName{parts[parts.size() - 2], parts.back()}
                          : catalog::QualifiedName{"public", parts.back()};
    bool known = ctx.catalog->types.count(domain) > 0;
    std::vector<std::string> users;
    for (const TableLock& lock : StatementLocks(*ctx.catalog, n, ctx.config->target_version)) {
      if (IsPreexistingTable(ctx, lock.table)) users.push_back(TableLabel(lock.table));
    }
    if (known && users.empty()) return;  // no existing table uses it
    std::string what = set_not_null ? "SET NOT NULL on domain " : "adding a constraint to domain ";
    std::string msg = what + Quoted(domain.name) + " checks every row of " +
                      (users.empty() ? std::string("every table using it") : Join(users, ", ")) +
                      " under SHARE lock, blocking writes";
    std::string fix;
    if (add) {
      fix = "ALTER DOMAIN " + SqlName(domain) + " ADD CONSTRAINT " +
            QuoteIdent(Str(s->def->constraint->conname).empty()
                           ? ObjectName(domain.name, {}, "check")
                           : std::string(Str(s->def->constraint->conname))) +
            " CHECK (" + ExprSql(s->def->constraint->raw_expr) +
            ") NOT VALID;  -- new values only\n-- or: CHECK constraints on the columns, NOT VALID "
            "+ VALIDATE CONSTRAINT";
    } else {
      fix =
          "-- add CHECK (col IS NOT NULL) NOT VALID to each column using the domain, then VALIDATE "
          "CONSTRAINT";
    }
    out.Report(-1, msg, fix);
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_ban_alter_domain_with_add_constraint() {
  return std::make_unique<BanAlterDomainWithAddConstraint>();
}

}  // namespace dbarch::lint
