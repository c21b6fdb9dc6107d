// grant-all: GRANT ALL [PRIVILEGES] on tables, sequences, schemas, databases or tablespaces
// (also ALTER DEFAULT PRIVILEGES ... GRANT ALL).
//
// Why: ALL is more than an application needs and grows silently: on a table it includes
// TRUNCATE (empties the table past DELETE triggers and row level security), REFERENCES and
// TRIGGER; on a sequence UPDATE (setval); on a schema CREATE (the grantee can plant objects
// that shadow others on the search_path); on a database CREATE and TEMPORARY.
// Fix: grant the privileges the role uses, e.g. SELECT, INSERT, UPDATE, DELETE on tables,
// USAGE, SELECT on sequences, USAGE on schemas.
// False positives: owner-like migration roles that really need everything. GRANT ALL on
// functions, procedures, types, languages and foreign servers is not reported: there ALL is
// the single privilege (EXECUTE or USAGE) the object has.
// Example: GRANT ALL ON orders TO app;  ->  GRANT SELECT, INSERT, UPDATE, DELETE ON orders TO app;
#include <cctype>

#include "lint/query_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"
#include "sql/parser.h"

namespace dbarch::lint {

namespace {

using sql::Node;

struct AllScope {
  const char* word;
  const char* extra;    // what ALL adds beyond the usual needs
  const char* replace;  // the privileges to list instead
};

bool ScopeOf(PgQuery__ObjectType t, AllScope* s) {
  switch (t) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
      *s = {"table", "TRUNCATE, REFERENCES and TRIGGER", "SELECT, INSERT, UPDATE, DELETE"};
      return true;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
      *s = {"sequence", "UPDATE (setval)", "USAGE, SELECT"};
      return true;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
      *s = {"schema", "CREATE", "USAGE"};
      return true;
    case PG_QUERY__OBJECT_TYPE__OBJECT_DATABASE:
      *s = {"database", "CREATE and TEMPORARY", "CONNECT"};
      return true;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLESPACE:
      *s = {"tablespace", "CREATE", "CREATE"};
      return true;
    default:
      return false;
  }
}

bool IsAll(const PgQuery__GrantStmt* g) {
  if (g->n_privileges == 0) return true;
  for (const Node* p : sql::Nodes(g->n_privileges, g->privileges)) {
    if (p->node_case == PG_QUERY__NODE__NODE_ACCESS_PRIV &&
        (p->access_priv->priv_name == nullptr || *p->access_priv->priv_name == '\0')) {
      return true;
    }
  }
  return false;
}

bool WordAt(std::string_view text, size_t at, std::string_view word) {
  if (at + word.size() > text.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    char c = text[at + i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != word[i]) return false;
  }
  size_t end = at + word.size();
  return end == text.size() ||
         !(std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_');
}

class GrantAll final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "grant-all",
        Family::kSecurity,
        Severity::kWarning,
        "GRANT ALL on a table, sequence, schema, database or tablespace",
        "ALL includes privileges applications rarely need and that are dangerous to hand out: "
        "TRUNCATE (bypasses DELETE triggers and row level security), REFERENCES and TRIGGER on "
        "tables, setval on sequences, CREATE on schemas (objects that shadow others on the "
        "search_path) and databases.",
        "List the privileges the grantee uses (SELECT, INSERT, UPDATE, DELETE on tables; "
        "USAGE, SELECT on sequences; USAGE on schemas).",
        "GRANT ALL PRIVILEGES ON orders TO app;",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON orders TO app;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const Node* n = ctx.stmt->node;
    const PgQuery__GrantStmt* g = nullptr;
    if (n->node_case == PG_QUERY__NODE__NODE_GRANT_STMT) {
      g = n->grant_stmt;
    } else if (n->node_case == PG_QUERY__NODE__NODE_ALTER_DEFAULT_PRIVILEGES_STMT) {
      g = n->alter_default_privileges_stmt->action;
    }
    AllScope scope;
    if (g == nullptr || !g->is_grant || !IsAll(g) || !ScopeOf(g->objtype, &scope)) return;
    std::string on = n->node_case == PG_QUERY__NODE__NODE_ALTER_DEFAULT_PRIVILEGES_STMT
                         ? std::string(scope.word) + "s created later"
                         : std::string("a ") + scope.word;
    // Find "ALL [PRIVILEGES]" after the GRANT keyword.
    std::string_view text = ctx.Text();
    size_t grant = FindTopLevel(text, "grant");
    int at = -1;
    std::string fix = std::string("list the privileges the grantee needs, e.g. ") + scope.replace;
    if (grant != std::string_view::npos) {
      size_t all = sql::SkipBlanksAndComments(text, static_cast<uint32_t>(grant + 5));
      if (WordAt(text, all, "all")) {
        size_t end = all + 3;
        size_t next = sql::SkipBlanksAndComments(text, static_cast<uint32_t>(end));
        if (WordAt(text, next, "privileges")) end = next + 10;
        at = static_cast<int>(ctx.stmt->begin + all);
        fix = "list the privileges the grantee needs, e.g.: " + std::string(text.substr(0, all)) +
              scope.replace + std::string(text.substr(end)) + ";";
      }
    }
    out.Report(at,
               "grants ALL privileges on " + on + ", including " + scope.extra +
                   " that applications rarely need",
               fix);
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_grant_all() { return std::make_unique<GrantAll>(); }

}  // namespace dbarch::lint
