// rls-not-forced: row level security is enabled on a table but not forced.
//
// Why: without FORCE ROW LEVEL SECURITY the table's owner bypasses every policy. Applications
// very often connect as the role that owns the tables (the migration role), so the policies
// protect nothing for them; a bug in the tenant filter is then invisible in testing.
// Fix: ALTER TABLE t FORCE ROW LEVEL SECURITY (superusers and BYPASSRLS roles still bypass;
// run the application as a role that is neither).
// False positives: tables whose owner is only used by administrators and migrations, while the
// application uses a separate role; the severity is info.
// Example: ALTER TABLE tickets ENABLE ROW LEVEL SECURITY;
//       -> ALTER TABLE tickets ENABLE ROW LEVEL SECURITY; ALTER TABLE tickets FORCE ROW LEVEL
//       SECURITY;
#include "lint/query_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

class RlsNotForced final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "rls-not-forced",
        Family::kSecurity,
        Severity::kInfo,
        "row level security is enabled but not forced, so the table owner bypasses it",
        "Unless FORCE ROW LEVEL SECURITY is set, the owner of the table ignores its policies; "
        "applications that connect as the owning (migration) role are not filtered at all.",
        "ALTER TABLE ... FORCE ROW LEVEL SECURITY, and run the application as a role that is "
        "neither superuser nor BYPASSRLS.",
        "ALTER TABLE tickets ENABLE ROW LEVEL SECURITY;",
        "ALTER TABLE tickets ENABLE ROW LEVEL SECURITY;\nALTER TABLE tickets FORCE ROW LEVEL "
        "SECURITY;"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    for (const auto& [name, t] : ctx.catalog->tables) {
      if (!t.rls_enabled || t.rls_forced || !ctx.is_input(t.origin.span)) continue;
      out.ReportAt(t.origin.span,
                   "row level security on \"" + DisplayName(name) +
                       "\" is not forced: the table owner bypasses its policies",
                   "ALTER TABLE " + ShortName(name) + " FORCE ROW LEVEL SECURITY;");
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_rls_not_forced() { return std::make_unique<RlsNotForced>(); }

}  // namespace dbarch::lint
