// int-primary-key: a primary key of type integer or smallint (serial, smallserial) on a table
// that can grow or that foreign keys already reference.
//
// Pattern: a one-column PRIMARY KEY of a table in the linted input whose type (domains
// resolved) is integer or smallint, where the table's name has a word of a typically
// unbounded table (events, logs, audit, history, messages, orders, items, lines, entries,
// payments, transactions, sessions, notifications...), or the table is referenced by a
// FOREIGN KEY and the schema has no bigint primary keys at all. When some keys are bigint,
// the integer ones are taken as deliberate sizing of small tables (brands, warehouses) and
// only the unbounded-looking names are reported.
// Why: integer keys stop at 2147483647 (smallint at 32767). Sequences also burn values on
// rolled-back inserts and ON CONFLICT, so busy tables get there sooner than their row count
// suggests; then every insert fails. Widening later is ALTER COLUMN TYPE bigint on the key and
// on every referencing column: full table and index rewrites under ACCESS EXCLUSIVE locks.
// bigint costs 4 more bytes per row (often nothing, because of alignment padding).
// Fix: bigint GENERATED ... AS IDENTITY from the start; for an existing table, the ALTERs
// listed in the fix (the key, a serial's sequence, each referencing column).
// False positives: in an all-integer schema, small bounded tables (a few hundred categories
// or warehouses) that foreign keys reference; suppress those. False negatives: a big table
// with a neutral name in a schema that also uses bigint keys.
// Example: CREATE TABLE events (id serial PRIMARY KEY, ...);
//       -> CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, ...);
#include <algorithm>
#include <iterator>
#include <map>
#include <optional>

#include "base/strings.h"
#include "lint/design_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

constexpr std::string_view kGrowingWords[] = {
    "activities", "activity", "audit",    "audits",     "click",       "clicks",
    "comment",    "comments", "deliveries", "delivery", "entries",     "entry",
    "event",      "events",   "hit",      "hits",       "history",     "impression",
    "impressions", "invoice", "invoices", "item",       "items",       "job",
    "jobs",       "ledger",   "ledgers",  "line",       "lines",       "log",
    "logs",       "measurement", "measurements", "message", "messages", "metric",
    "metrics",    "movement", "movements", "notification", "notifications", "order",
    "orders",     "payment",  "payments", "reading",    "readings",    "request",
    "requests",   "sample",   "samples",  "session",    "sessions",    "trace",
    "traces",     "transaction", "transactions", "visit", "visits",    "vote",
    "votes",      "pageviews"};

bool HasGrowingName(std::string_view name) {
  for (std::string_view w : design::NameTokens(name)) {
    if (std::find(std::begin(kGrowingWords), std::end(kGrowingWords), w) !=
        std::end(kGrowingWords)) {
      return true;
    }
  }
  return false;
}

struct Reference {
  const catalog::Table* table;
  const catalog::Constraint* fk;
};

class IntPrimaryKey final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "int-primary-key", Family::kDesign, Severity::kWarning,
        "an integer or smallint primary key on a table that is referenced or can grow",
        "integer keys end at 2147483647 and smallint keys at 32767; sequences also skip "
        "values on rolled-back inserts and ON CONFLICT, so a busy table gets there before its "
        "row count does, and then every insert fails. Widening later rewrites the table, its "
        "indexes and every referencing table under ACCESS EXCLUSIVE locks. The rule looks at "
        "tables named like unbounded ones (events, logs, orders, items, messages...) and, "
        "when the schema has no bigint keys at all (so integer was not a deliberate size "
        "choice), at every table that foreign keys reference.",
        "Use bigint GENERATED ALWAYS AS IDENTITY for surrogate keys; for an existing table "
        "widen the key, a serial's sequence and every referencing column.",
        "CREATE TABLE events (id serial PRIMARY KEY, payload jsonb);",
        "CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload jsonb);"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    const catalog::Catalog& cat = *ctx.catalog;
    std::map<catalog::QualifiedName, std::vector<Reference>> refs;
    for (const auto& [name, table] : cat.tables) {
      if (table.partition_of.has_value()) continue;
      for (const catalog::Constraint& c : table.constraints) {
        if (c.kind == catalog::ConstraintKind::kForeignKey && c.ref_columns.size() == 1 &&
            c.ref_table != name) {
          refs[c.ref_table].push_back({&table, &c});
        }
      }
    }
    // Some bigint keys: integer keys elsewhere are a deliberate choice for small tables.
    bool sized_keys = false;
    for (const auto& [name, table] : cat.tables) {
      const catalog::Constraint* pk = design::PrimaryKey(table);
      if (pk == nullptr || pk->columns.size() != 1 || table.partition_of.has_value()) continue;
      const catalog::Column* col = table.FindColumn(pk->columns[0]);
      if (col != nullptr && design::ResolveDomains(cat, col->type) == "bigint") {
        sized_keys = true;
        break;
      }
    }
    std::optional<design::OwnedSequences> owned_sequences;
    for (const auto& [name, table] : cat.tables) {
      if (table.partition_of.has_value()) continue;
      const catalog::Constraint* pk = design::PrimaryKey(table);
      if (pk == nullptr || pk->columns.size() != 1) continue;
      const catalog::Column* col = table.FindColumn(pk->columns[0]);
      if (col == nullptr || !design::IsCheckedPart(ctx, table, col->origin)) continue;
      std::string_view type = design::ResolveDomains(cat, col->type);
      if (type != "integer" && type != "smallint") continue;
      auto it = refs.find(name);
      std::vector<const Reference*> incoming;
      if (it != refs.end()) {
        for (const Reference& r : it->second) {
          if (r.fk->ref_columns[0] == col->name) incoming.push_back(&r);
        }
      }
      bool growing = HasGrowingName(name.name);
      if (!growing && (incoming.empty() || sized_keys)) continue;

      std::string msg = "primary key " + design::Ident(col->name) + " of " + design::Rel(name) +
                        " is " + std::string(type) + " and runs out at " +
                        std::to_string(design::IntegerTypeMax(type));
      if (growing) msg += "; the table is named like one that grows without bound";
      if (!incoming.empty()) {
        msg += "; " + std::to_string(incoming.size()) +
               (incoming.size() == 1 ? " foreign key references it" : " foreign keys reference it") +
               " and would have to widen too";
      }
      std::string t = ShortName(name);
      std::string fix = "ALTER TABLE " + t + " ALTER COLUMN " + QuoteIdent(col->name) +
                        " TYPE bigint;";
      if (col->identity == catalog::IdentityKind::kNone) {
        if (!owned_sequences) owned_sequences.emplace(cat);
        if (const catalog::QualifiedName* seq = owned_sequences->Find(name, col->name)) {
          fix += "\nALTER SEQUENCE " + ShortName(*seq) + " AS bigint;";
        }
      }
      for (const Reference* r : incoming) {
        const catalog::Column* fk_col = r->table->FindColumn(r->fk->columns[0]);
        if (fk_col == nullptr || design::ResolveDomains(cat, fk_col->type) == "bigint") continue;
        fix += "\nALTER TABLE " + ShortName(r->table->name) + " ALTER COLUMN " +
               QuoteIdent(fk_col->name) + " TYPE bigint;";
      }
      out.ReportAtOrigin(design::OriginOf(table, col->origin), std::move(msg), std::move(fix));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_int_primary_key() { return std::make_unique<IntPrimaryKey>(); }

}  // namespace dbarch::lint
