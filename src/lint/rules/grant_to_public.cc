// grant-to-public: GRANT ... TO PUBLIC on tables, sequences, functions / procedures or
// schemas (also ON ALL ... IN SCHEMA and ALTER DEFAULT PRIVILEGES ... GRANT ... TO PUBLIC).
//
// Why: PUBLIC is every role of the cluster, present and future: read-only reporting users,
// other applications' logins, extensions' roles. A privilege granted to PUBLIC cannot be
// taken from one role without revoking it from all, and it silently extends to every role
// created later.
// Fix: create a role for the purpose (CREATE ROLE app_reader), grant to it, and grant that
// role to the logins that need it.
// False positives: GRANT USAGE ON SCHEMA public TO PUBLIC (PostgreSQL's own default, a no-op)
// is not reported. Granting EXECUTE to PUBLIC on functions is PostgreSQL's default too, but
// writing it explicitly usually follows a REVOKE for a reason and is reported.
// Example: GRANT SELECT ON orders TO PUBLIC;  ->  GRANT SELECT ON orders TO app_reader;
#include "base/strings.h"
#include "lint/query_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

using sql::Node;

const char* ObjectWord(PgQuery__ObjectType t) {
  switch (t) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
      return "table";
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
      return "sequence";
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
      return "function";
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
      return "procedure";
    case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE:
      return "routine";
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
      return "schema";
    default:
      return nullptr;
  }
}

std::string Privileges(const PgQuery__GrantStmt* g) {
  if (g->n_privileges == 0) return "ALL";
  std::vector<std::string> out;
  for (const Node* p : sql::Nodes(g->n_privileges, g->privileges)) {
    if (p->node_case != PG_QUERY__NODE__NODE_ACCESS_PRIV) continue;
    const char* name = p->access_priv->priv_name;
    std::string s = name != nullptr && *name != '\0' ? name : "all";
    for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    out.push_back(s);
  }
  return Join(out, ", ");
}

std::string Objects(const PgQuery__GrantStmt* g) {
  std::vector<std::string> out;
  for (const Node* o : sql::Nodes(g->n_objects, g->objects)) {
    switch (o->node_case) {
      case PG_QUERY__NODE__NODE_RANGE_VAR: {
        const PgQuery__RangeVar* rv = o->range_var;
        std::string n = rv->relname;
        if (rv->schemaname != nullptr && *rv->schemaname != '\0')
          n = std::string(rv->schemaname) + "." + n;
        out.push_back("\"" + n + "\"");
        break;
      }
      case PG_QUERY__NODE__NODE_OBJECT_WITH_ARGS: {
        std::vector<std::string> parts =
            sql::StrList(o->object_with_args->objname, o->object_with_args->n_objname);
        out.push_back("\"" + Join(parts, ".") + "\"");
        break;
      }
      case PG_QUERY__NODE__NODE_STRING:
        out.push_back("\"" + std::string(sql::StrVal(o)) + "\"");
        break;
      default:
        break;
    }
  }
  return Join(out, ", ");
}

class GrantToPublic final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "grant-to-public",
        Family::kSecurity,
        Severity::kWarning,
        "a privilege on a table, sequence, function or schema is granted to PUBLIC",
        "PUBLIC means every role in the cluster, including roles created later: other "
        "applications, reporting users, extension roles. The grant cannot be withdrawn from "
        "one role without withdrawing it from all.",
        "Grant to a dedicated role (CREATE ROLE app_reader; GRANT ... TO app_reader; GRANT "
        "app_reader TO the logins that need it).",
        "GRANT SELECT ON orders TO PUBLIC;",
        "CREATE ROLE app_reader;\nGRANT SELECT ON orders TO app_reader;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const Node* n = ctx.stmt->node;
    const PgQuery__GrantStmt* g = nullptr;
    bool defaults = false;
    if (n->node_case == PG_QUERY__NODE__NODE_GRANT_STMT) {
      g = n->grant_stmt;
    } else if (n->node_case == PG_QUERY__NODE__NODE_ALTER_DEFAULT_PRIVILEGES_STMT) {
      g = n->alter_default_privileges_stmt->action;
      defaults = true;
    }
    if (g == nullptr || !g->is_grant) return;
    const char* word = ObjectWord(g->objtype);
    if (word == nullptr) return;
    for (const Node* r : sql::Nodes(g->n_grantees, g->grantees)) {
      if (r->node_case != PG_QUERY__NODE__NODE_ROLE_SPEC ||
          r->role_spec->roletype != PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_PUBLIC) {
        continue;
      }
      std::string privs = Privileges(g);
      std::string objects = Objects(g);
      if (g->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA && privs == "USAGE" &&
          objects == "\"public\"") {
        return;  // the server's own default
      }
      std::string target;
      if (defaults) {
        target = std::string(word) + "s created later";
      } else if (g->targtype == PG_QUERY__GRANT_TARGET_TYPE__ACL_TARGET_ALL_IN_SCHEMA) {
        target = "all " + std::string(word) + "s in schema " + objects;
      } else {
        target = std::string(word) + " " + objects;
      }
      // The statement with PUBLIC replaced by a role name.
      int at = r->role_spec->location;
      std::string fix =
          "grant to a dedicated role instead (and REVOKE ... FROM PUBLIC if already granted)";
      if (at >= static_cast<int>(ctx.stmt->begin) &&
          static_cast<uint32_t>(at) + 6 <= ctx.stmt->end) {
        std::string_view text(ctx.file->text());
        std::string sql(text.substr(ctx.stmt->begin, at - ctx.stmt->begin));
        sql += "app_role";
        sql += text.substr(at + 6, ctx.stmt->end - at - 6);
        fix = "grant to a dedicated role instead: CREATE ROLE app_role; " + sql +
              "; (then GRANT app_role TO the logins that need it)";
      }
      out.Report(at,
                 "grants " + privs + " on " + target +
                     " to PUBLIC: every role, including future ones, gets it",
                 fix);
      return;
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_grant_to_public() { return std::make_unique<GrantToPublic>(); }

}  // namespace dbarch::lint
