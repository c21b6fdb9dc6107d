// ban-create-domain-with-constraint: CREATE DOMAIN ... CHECK (...) / NOT NULL.
//
// Why: a domain constraint applies to every column of the domain type in every table. Later
// changes are expensive: ALTER DOMAIN ... ADD CONSTRAINT (or VALIDATE, or SET NOT NULL)
// checks every row of every such column under SHARE locks that block writes, and a
// constraint cannot be relaxed per table. Table CHECK constraints can be added NOT VALID
// and validated online, table by table.
// Fix: create the domain without constraints (or use the base type) and put the CHECK on the
// table columns.
// False positives: domains whose rule will never change (e.g. a positive amount); this is
// advice (info).
// Example: CREATE DOMAIN posint AS integer CHECK (VALUE > 0);  ->
//          CREATE DOMAIN posint AS integer;  ALTER TABLE t ADD CHECK (qty > 0) NOT VALID;
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class BanCreateDomainWithConstraint final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "ban-create-domain-with-constraint",
        Family::kMigration,
        Severity::kInfo,
        "a domain is created with a CHECK or NOT NULL constraint",
        "Domain constraints apply to every column of the type in every table; changing them "
        "later (ALTER DOMAIN ... ADD CONSTRAINT / VALIDATE / SET NOT NULL) checks all those "
        "rows under SHARE locks that block writes, and cannot be done table by table, unlike "
        "table CHECK constraints added NOT VALID and validated online.",
        "Create the domain without constraints (or use the base type) and put CHECK "
        "constraints on the table columns.",
        "CREATE DOMAIN posint AS integer CHECK (VALUE > 0);",
        "CREATE DOMAIN posint AS integer;\n"
        "ALTER TABLE order_lines ADD CONSTRAINT order_lines_qty_check CHECK (qty > 0) NOT VALID;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const sql::Node* n = ctx.stmt->node;
    if (n->node_case != PG_QUERY__NODE__NODE_CREATE_DOMAIN_STMT) return;
    const PgQuery__CreateDomainStmt* s = n->create_domain_stmt;
    std::vector<std::string> parts = sql::StrList(s->domainname, s->n_domainname);
    for (const sql::Node* c : sql::Nodes(s->n_constraints, s->constraints)) {
      if (c->node_case != PG_QUERY__NODE__NODE_CONSTRAINT) continue;
      auto type = c->constraint->contype;
      if (type != PG_QUERY__CONSTR_TYPE__CONSTR_CHECK &&
          type != PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL)
        continue;
      out.Report(
          c->constraint->location,
          "domain " + Quoted(parts.empty() ? "" : parts.back()) + " has a " +
              (type == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK ? "CHECK" : "NOT NULL") +
              " constraint: changing it later checks every column of the type under locks that "
              "block writes",
          std::string("create the domain without the constraint and add CHECK constraints to the "
                      "table columns (NOT VALID, then VALIDATE CONSTRAINT)"));
      return;
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_ban_create_domain_with_constraint() {
  return std::make_unique<BanCreateDomainWithConstraint>();
}

}  // namespace dbarch::lint
