// missing-fk-index: a foreign key's columns are not the leading columns of any index on the
// referencing table.
//
// Pattern: for each FOREIGN KEY of a table in the linted input, no index of that table (a
// standalone index, or the index behind its PRIMARY KEY / UNIQUE / EXCLUDE constraints) is
// non-partial, of a method that can do equality lookups (btree; gist; hash for a one-column
// key) and has the FK columns, in any order, as its leading plain-column keys. A composite
// index whose prefix is the FK columns counts as covering it.
// Why: PostgreSQL indexes the referenced side (it requires a unique key there) but never the
// referencing side. Every DELETE of a parent row, and every UPDATE of its key, runs a lookup
// `WHERE fk = $1` on the child for the ON DELETE/UPDATE action or the NO ACTION check:
// without an index that is a sequential scan of the child per parent row. Joins from parent to children and `WHERE fk = ...` queries scan too.
// Option `small_parents: skip` leaves out one-column keys referencing a small keyspace, a
// smallint or a character(n) with n <= 3 key (ISO country and currency codes, carriers):
// such a parent has at most a few thousand rows that are practically never deleted, and the
// child column has so few distinct values that an index on it rarely helps a query; the
// remaining cost is a sequential scan of the child on the rare parent delete.
// Fix: CREATE INDEX CONCURRENTLY on the FK columns (named as PostgreSQL would name it).
// False positives: children of small lookup tables whose rows are never deleted or re-keyed
// (currencies, countries, staff users), when no query filters the child by that key;
// suppress those, or set `small_parents: skip` for code tables.
// Example: CREATE TABLE items (order_id bigint REFERENCES orders, ...);
//       -> + CREATE INDEX CONCURRENTLY items_order_id_idx ON items (order_id);
#include <algorithm>

#include "lint/design_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

using design::IndexRef;

// True when `r` can serve `WHERE c1 = $1 AND c2 = $2 ...` for the FK columns `cols`.
bool Covers(const IndexRef& r, const std::vector<std::string>& cols) {
  if (!r.predicate().empty() || r.size() < cols.size()) return false;
  std::string_view m = r.method();
  if (m != "btree" && m != "gist" && !(m == "hash" && cols.size() == 1)) return false;
  for (size_t i = 0; i < cols.size(); ++i) {
    design::KeyView k = r.key(i);
    if (k.column.empty() || std::find(cols.begin(), cols.end(), k.column) == cols.end()) {
      return false;
    }
  }
  return true;
}

// True when the FK references a one-column key with a tiny keyspace (smallint, or a
// character(n) code with n <= 3).
bool ReferencesSmallKeyspace(const catalog::Catalog& cat, const catalog::Constraint& fk) {
  if (fk.ref_columns.size() != 1) return false;
  const catalog::Table* parent = cat.FindTable(fk.ref_table);
  const catalog::Column* key = parent != nullptr ? parent->FindColumn(fk.ref_columns[0]) : nullptr;
  if (key == nullptr) return false;
  std::string_view type = design::ResolveDomains(cat, key->type);
  if (type == "smallint") return true;
  if (design::StripTypmod(type) != "character") return false;
  std::string_view n = design::Typmod(type);
  return n.empty() || (n.size() == 1 && n[0] >= '1' && n[0] <= '3');
}

class MissingFkIndex final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "missing-fk-index", Family::kDesign, Severity::kWarning,
        "a foreign key has no index on the referencing columns",
        "PostgreSQL indexes the referenced key but never the referencing columns. Each DELETE "
        "of a parent row (and each UPDATE of its key) looks the child up by the FK columns to "
        "run the ON DELETE/UPDATE action or the NO ACTION check; without an index that is a "
        "sequential scan of the child table per parent row. Joins from the parent and "
        "filters on the FK column scan the child as well. Option small_parents: skip leaves "
        "out references to a small keyspace (a smallint or char(n <= 3) key, e.g. currency "
        "codes), whose rows are rarely deleted.",
        "Create an index whose leading columns are the FK columns, CONCURRENTLY so that "
        "writes continue while it builds (it cannot run inside a transaction block).",
        "CREATE TABLE order_items (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders);",
        "CREATE TABLE order_items (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders);\n"
        "CREATE INDEX CONCURRENTLY order_items_order_id_idx ON order_items (order_id);"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    bool skip_small = ctx.config->StringOption("missing-fk-index", "small_parents", "report") == "skip";
    design::IndexLookup lookup(*ctx.catalog);
    std::vector<IndexRef> indexes;
    for (const auto& [name, table] : ctx.catalog->tables) {
      if (table.partition_of.has_value()) continue;
      bool fetched = false;
      for (const catalog::Constraint& c : table.constraints) {
        if (c.kind != catalog::ConstraintKind::kForeignKey || c.columns.empty() ||
            !design::IsCheckedPart(ctx, table, c.origin)) {
          continue;
        }
        if (skip_small && ReferencesSmallKeyspace(*ctx.catalog, c)) continue;
        if (!fetched) {
          lookup.Get(table, indexes);
          fetched = true;
        }
        bool covered = false;
        for (const IndexRef& r : indexes) {
          if (Covers(r, c.columns)) {
            covered = true;
            break;
          }
        }
        if (covered) continue;
        std::string parent = design::Rel(c.ref_table);
        std::string child = design::Rel(name);
        out.ReportAtOrigin(design::OriginOf(table, c.origin),
                           "foreign key " + design::Ident(c.name) + " (" +
                               design::SqlList(c.columns) + ") of " + child +
                               " has no index: every DELETE or key UPDATE on " + parent +
                               " scans " + child + ", and so do joins from " + parent,
                           design::CreateIndexSql(*ctx.catalog, table, c.columns));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_missing_fk_index() { return std::make_unique<MissingFkIndex>(); }

}  // namespace dbarch::lint
