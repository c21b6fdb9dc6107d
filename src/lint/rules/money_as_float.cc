// money-as-float: an amount of money stored as real / double precision, or any column of
// type money.
//
// Pattern: a column of a table in the linted input whose type, domains resolved, is
// real or double precision and whose name has a money word (price, amount, total, subtotal,
// cost, balance, fee, tax, revenue, salary, wage, payment, charge, discount, credit, debit,
// refund, payout, commission, budget, income, expense, profit, deposit...) and no word of a
// non-money quantity (rate, ratio, percent, weight, distance, count, score...); or a column
// of type money.
// Why: binary floating point cannot represent most decimal fractions (0.1 + 0.2 is not 0.3),
// so sums drift by cents, equality tests fail and rounding differs between the database and
// the application. The money type has a fixed scale and formatting taken from the
// lc_monetary setting: one currency per database, and a dump restored under another locale
// can misread values.
// Fix: numeric with an explicit scale (numeric(12,2), or the schema's own money domain when
// it has one over numeric); the ALTER rewrites the table.
// False positives: a money-named column holding a statistic (an average price for a chart)
// where float error is acceptable.
// Example: CREATE TABLE t (amount double precision);  ->  CREATE TABLE t (amount numeric(12,2));
#include <algorithm>
#include <iterator>

#include "base/strings.h"
#include "lint/design_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

constexpr std::string_view kMoneyWords[] = {
    "amount",  "amounts",  "balance",  "balances", "budget",   "cash",     "charge",
    "charges", "commission", "cost",   "costs",    "credit",   "credits",  "debit",
    "debits",  "deposit",  "deposits", "discount", "discounts", "earnings", "expense",
    "expenses", "fee",     "fees",     "income",   "money",    "msrp",     "payment",
    "payments", "payout",  "payouts",  "price",    "prices",   "profit",   "refund",
    "refunds", "revenue",  "salary",   "subtotal", "tax",      "taxes",    "tip",
    "total",   "totals",   "vat",      "wage",     "wages",    "withdrawal"};

constexpr std::string_view kQuantityWords[] = {
    "count", "distance", "duration", "factor", "height", "km", "kg", "lat", "latitude",
    "length", "lng", "lon", "longitude", "multiplier", "pct", "percent", "percentage",
    "ratio", "rate", "score", "seconds", "size", "weight", "width", "volume"};

template <size_t N>
bool Contains(const std::string_view (&list)[N], std::string_view w) {
  return std::find(std::begin(list), std::end(list), w) != std::end(list);
}

bool IsMoneyName(std::string_view name) {
  bool money = false;
  for (std::string_view w : design::NameTokens(name)) {
    if (Contains(kQuantityWords, w)) return false;
    money = money || Contains(kMoneyWords, w);
  }
  return money;
}

// The schema's own money domain (a domain over numeric named like money), if any.
std::string MoneyDomain(const catalog::Catalog& cat) {
  for (const auto& [name, type] : cat.types) {
    if (type.kind == catalog::TypeKind::kDomain && StartsWith(type.base_type, "numeric") &&
        IsMoneyName(name.name)) {
      return ShortName(name);
    }
  }
  return "numeric(12,2)";
}

class MoneyAsFloat final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "money-as-float", Family::kDesign, Severity::kWarning,
        "an amount of money is stored as real/double precision, or as the money type",
        "Binary floating point cannot represent most decimal fractions (0.1 + 0.2 <> 0.3): "
        "sums drift by cents, equality tests fail and rounding differs from the "
        "application's. The money type takes its scale and format from lc_monetary: one "
        "currency per database, and a restore under another locale can misread values. "
        "Columns are matched by money words in the name (price, amount, total, cost, "
        "balance, fee...).",
        "Use numeric with an explicit scale, e.g. numeric(12,2) or a money domain over "
        "numeric (ALTER COLUMN ... TYPE rewrites the table).",
        "CREATE TABLE ledger_entries (amount double precision NOT NULL);",
        "CREATE TABLE ledger_entries (amount numeric(12,2) NOT NULL);"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    const catalog::Catalog& cat = *ctx.catalog;
    std::string target;
    design::ForEachTableColumns(
        ctx,
        [&](const catalog::Table&, const catalog::Column& c) {
          std::string_view t = design::ResolveDomains(cat, c.type);
          if (t == "money") return true;
          return (t == "double precision" || t == "real") && IsMoneyName(c.name);
        },
        [&](const catalog::Table& table, const catalog::Column& column) {
          const std::vector<const catalog::Column*> cols{&column};
          if (target.empty()) target = MoneyDomain(cat);
          bool all_money_type = true;
          bool any_money_type = false;
          for (const catalog::Column* c : cols) {
            bool m = design::ResolveDomains(cat, c->type) == "money";
            all_money_type = all_money_type && m;
            any_money_type = any_money_type || m;
          }
          std::string what = all_money_type ? " money: its scale and format follow lc_monetary, "
                                              "so the database can hold one currency only"
                             : any_money_type
                                 ? " floating point or money: use numeric"
                                 : " floating point: most decimal amounts cannot be "
                                   "represented exactly, so sums and comparisons drift";
          std::string fix = design::AlterColumnsSql(table.name, cols, [&](const catalog::Column& c) {
            bool m = design::ResolveDomains(cat, c.type) == "money";
            return "TYPE " + target + (m ? " USING " + QuoteIdent(c.name) + "::numeric" : "");
          });
          out.ReportAtOrigin(design::OriginOf(table, column.origin),
                             design::ColumnsSubject(cols, table.name) + what, std::move(fix));
        });
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_money_as_float() { return std::make_unique<MoneyAsFloat>(); }

}  // namespace dbarch::lint
