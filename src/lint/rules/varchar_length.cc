// varchar-length: a column of type varchar(n).
//
// Pattern: a column of a table in the linted input declared character varying(n) (not
// through a domain: a domain is a deliberate, named rule).
// Why: in PostgreSQL varchar(n) and text are the same type on disk with the same speed; n is
// only a length check, and one that is awkward to change: every change is ALTER COLUMN TYPE
// under an ACCESS EXCLUSIVE lock, and anything but raising n also rechecks or rewrites the
// table. Limits such as 255 are
// usually inherited from other databases and protect nothing.
// Fix: use text, and where the limit is a real business rule, a CHECK (char_length(col) <= n)
// constraint (changed with ADD ... NOT VALID + VALIDATE, without a long lock). varchar(n) ->
// text is binary compatible: no rewrite.
// False positives: limits that mirror an external contract (an ISO code, a column copied to
// a system with that limit) are fine; this is why the severity is info.
// Example: CREATE TABLE t (name varchar(255));  ->  CREATE TABLE t (name text);
#include "base/strings.h"
#include "lint/design_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class VarcharLength final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "varchar-length", Family::kDesign, Severity::kInfo,
        "a column uses varchar(n) where text (with a CHECK when the limit matters) serves",
        "varchar(n) is text plus a length check: no storage or speed difference. The check "
        "is awkward to change (ALTER COLUMN TYPE under an ACCESS EXCLUSIVE lock, which rechecks "
        "or rewrites the table unless n only grows), and limits like 255 usually come from other databases rather than "
        "from the data.",
        "Use text; express a real limit as CHECK (char_length(col) <= n), which can be "
        "replaced with NOT VALID + VALIDATE without a long lock. varchar(n) to text is "
        "binary compatible and does not rewrite the table.",
        "CREATE TABLE products (name varchar(255) NOT NULL);",
        "CREATE TABLE products (name text NOT NULL CHECK (char_length(name) <= 200));"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    design::ForEachTableColumns(
        ctx,
        [&](const catalog::Table&, const catalog::Column& c) {
          return StartsWith(c.type, "character varying(") && !design::IsArrayType(c.type);
        },
        [&](const catalog::Table& table, const catalog::Column& column) {
          const std::vector<const catalog::Column*> cols{&column};
          std::string common = design::CommonType(cols, "");
          std::string lengths = common.empty() ? "varchar(n)"
                                               : "varchar(" + std::string(design::Typmod(common)) + ")";
          std::string fix = design::AlterColumnsSql(
              table.name, cols, [](const catalog::Column&) { return std::string("TYPE text"); });
          out.ReportAtOrigin(design::OriginOf(table, column.origin),
                             design::ColumnsSubject(cols, table.name) + " " + lengths +
                                 ": text stores the same, and a CHECK (char_length(...)) states a "
                                 "real limit and is easier to change",
                             std::move(fix));
        });
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_varchar_length() { return std::make_unique<VarcharLength>(); }

}  // namespace dbarch::lint
