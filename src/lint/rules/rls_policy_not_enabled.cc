// rls-policy-not-enabled: a table has row level security policies, but row level security is
// not enabled on it.
//
// Why: CREATE POLICY alone does nothing: until ALTER TABLE ... ENABLE ROW LEVEL SECURITY the
// policies are stored and silently ignored, and every role with table privileges sees and
// changes every row. The schema looks protected and is not.
// Fix: ALTER TABLE t ENABLE ROW LEVEL SECURITY (and FORCE it if the owner must obey too).
// False positives: policies created ahead of a later migration that enables RLS are fine when
// that migration is linted in the same run (the rule checks the final schema).
// Example: CREATE POLICY tenant ON tickets USING (tenant_id = current_setting('app.tenant')::int);
//       -> ... ; ALTER TABLE tickets ENABLE ROW LEVEL SECURITY;
#include "lint/query_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

class RlsPolicyNotEnabled final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "rls-policy-not-enabled",
        Family::kSecurity,
        Severity::kError,
        "a table has row level security policies but row level security is not enabled",
        "Policies take effect only once ROW LEVEL SECURITY is enabled on the table; until then "
        "they are silently ignored and every role with privileges on the table sees every row.",
        "ALTER TABLE ... ENABLE ROW LEVEL SECURITY.",
        "CREATE POLICY tenant_isolation ON tickets USING (tenant_id = "
        "current_setting('app.tenant')::bigint);",
        "CREATE POLICY tenant_isolation ON tickets USING (tenant_id = "
        "current_setting('app.tenant')::bigint);\n"
        "ALTER TABLE tickets ENABLE ROW LEVEL SECURITY;"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    for (const auto& [name, t] : ctx.catalog->tables) {
      if (t.policies.empty() || t.rls_enabled || !ctx.is_input(t.origin.span)) continue;
      std::vector<std::string> policies;
      for (const catalog::Policy& p : t.policies) policies.push_back("\"" + p.name + "\"");
      std::string list;
      for (size_t i = 0; i < policies.size(); ++i) list += (i ? ", " : "") + policies[i];
      out.ReportAt(t.origin.span,
                   "table \"" + DisplayName(name) + "\" has policies (" + list +
                       ") but row level security is not enabled: they are ignored",
                   "ALTER TABLE " + ShortName(name) + " ENABLE ROW LEVEL SECURITY;");
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_rls_policy_not_enabled() {
  return std::make_unique<RlsPolicyNotEnabled>();
}

}  // namespace dbarch::lint
