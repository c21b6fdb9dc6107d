// security-definer-search-path: a SECURITY DEFINER function or procedure without a fixed
// search_path, or with one that includes a schema other roles can write to (public, $user).
//
// Why: a SECURITY DEFINER function runs with its owner's privileges but resolves unqualified
// names through the search_path of the session that calls it. A caller can put a schema of
// their own (or pg_temp) first and create a table, function or operator there with a name
// the function uses: the function then runs the caller's code with the owner's rights (the
// classic privilege escalation; see "Writing SECURITY DEFINER Functions Safely" in the
// PostgreSQL documentation). A fixed search_path that still includes public or $user leaves
// the same hole wherever those schemas are writable; overloads in them can even win over the
// intended function by a better argument match.
// Fix: ALTER FUNCTION f(...) SET search_path = pg_catalog, pg_temp (pg_temp last, so temporary
// objects cannot shadow anything) and schema-qualify the objects the body uses.
// False positives: functions whose bodies qualify every name; the rule cannot read bodies and
// still asks for the setting, which costs nothing. SET search_path FROM CURRENT is accepted.
// Example: CREATE FUNCTION app.grant_role(...) ... SECURITY DEFINER AS $$ ... $$;
//       -> ... SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$ ... $$;
#include "base/strings.h"
#include "lint/query_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

// The writable schema a search_path value names ("" when none): public or $user.
std::string WritableSchema(std::string_view value) {
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string_view::npos) comma = value.size();
    std::string item(Trim(value.substr(start, comma - start)));
    if (item.size() >= 2 && item.front() == '"' && item.back() == '"')
      item = item.substr(1, item.size() - 2);
    if (item == "public" || item == "$user") return item;
    start = comma + 1;
  }
  return "";
}

class SecurityDefinerSearchPath final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "security-definer-search-path",
        Family::kSecurity,
        Severity::kError,
        "a SECURITY DEFINER function does not pin a safe search_path",
        "The function runs with its owner's rights but looks names up through the caller's "
        "search_path: a caller who creates a same-named table, function or operator in a schema "
        "they control (or in pg_temp) runs their code as the owner. A path that includes public "
        "or $user leaves the same hole where those are writable.",
        "ALTER FUNCTION ... SET search_path = pg_catalog, pg_temp, and schema-qualify the "
        "objects the body uses.",
        "CREATE FUNCTION app.promote(uid bigint) RETURNS void LANGUAGE sql SECURITY DEFINER\n"
        "  AS $$ UPDATE users SET role = 'admin' WHERE id = uid $$;",
        "CREATE FUNCTION app.promote(uid bigint) RETURNS void LANGUAGE sql SECURITY DEFINER\n"
        "  SET search_path = pg_catalog, pg_temp\n"
        "  AS $$ UPDATE app.users SET role = 'admin' WHERE id = uid $$;"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    for (const auto& [sig, f] : ctx.catalog->functions) {
      if (!f.security_definer || !ctx.is_input(f.origin.span)) continue;
      const std::string* path = nullptr;
      for (const auto& [name, value] : f.config) {
        if (name == "search_path") path = &value;
      }
      const char* kind = f.is_procedure ? "procedure" : "function";
      std::string fix =
          std::string("ALTER ") + (f.is_procedure ? "PROCEDURE " : "FUNCTION ") + sig +
          " SET search_path = pg_catalog, pg_temp;\n(and schema-qualify the objects its body uses)";
      if (path == nullptr) {
        out.ReportAt(f.origin.span,
                     std::string("security definer ") + kind + " \"" + sig +
                         "\" does not set search_path: callers can make it run their objects with "
                         "its owner's rights",
                     fix);
        continue;
      }
      if (*path == "FROM CURRENT") continue;
      std::string writable = WritableSchema(*path);
      if (!writable.empty()) {
        out.ReportAt(f.origin.span,
                     std::string("security definer ") + kind + " \"" + sig +
                         "\" has search_path \"" + *path + "\" with \"" + writable +
                         "\", a schema other roles may be able to write to",
                     fix);
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_security_definer_search_path() {
  return std::make_unique<SecurityDefinerSearchPath>();
}

}  // namespace dbarch::lint
