#include "diff/online.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/strings.h"
#include "report/ddl_fragments.h"

namespace dbarch::diff {
namespace {

using catalog::Catalog;
using catalog::Column;
using catalog::Constraint;
using catalog::ConstraintKind;
using catalog::ObjectKind;
using catalog::QualifiedName;
using catalog::Table;

constexpr const char* kAccessExclusive = "ACCESS EXCLUSIVE";
constexpr const char* kShareRowExclusive = "SHARE ROW EXCLUSIVE";
constexpr const char* kShareUpdateExclusive = "SHARE UPDATE EXCLUSIVE";

constexpr size_t kMaxIdentifierBytes = 63;

// PostgreSQL truncates identifiers to 63 bytes; names made here are cut the same way (at a
// character boundary) so that the statements name what the server creates.
std::string Identifier(std::string name) {
  if (name.size() <= kMaxIdentifierBytes) return name;
  size_t cut = kMaxIdentifierBytes;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  return name.substr(0, cut);
}

std::string Ignore(const std::string& rule, const std::string& reason) {
  return "-- dbarch:ignore " + rule + " " + reason + "\n";
}

OnlineStep Step(ObjectKind kind, std::string object, std::string what, std::string lock,
                std::vector<std::string> sql) {
  OnlineStep s;
  s.kind = kind;
  s.object = std::move(object);
  s.what = std::move(what);
  s.lock = std::move(lock);
  s.sql = std::move(sql);
  return s;
}

// A converted step with what undoes it.
struct Conv : OnlineStep {
  std::vector<std::string> rollback_sql_;
  bool rollback_in_transaction_ = true;
};

Conv CStep(ObjectKind kind, std::string object, std::string what, std::string lock,
           std::vector<std::string> sql) {
  Conv c;
  static_cast<OnlineStep&>(c) =
      Step(kind, std::move(object), std::move(what), std::move(lock), std::move(sql));
  return c;
}

// A column whose change has no safe single step, planned as expand / contract.
struct ColumnPlan {
  const Table* from_table = nullptr;
  const Table* to_table = nullptr;
  const Column* from_column = nullptr;
  const Column* to_column = nullptr;
  bool rename = false;  // else a type change
  int phase = 0;        // the diff phase of its first change
  std::string forward;  // type change: expression converting "$" (old value) to the new type
  std::string backward;
  // Type change: indexes on the column, rebuilt on the shadow column and swapped by name.
  std::vector<const catalog::Index*> indexes;
};

class Planner {
 public:
  Planner(const Catalog& from, const Catalog& to, const OnlineOptions& options)
      : from_(from), to_(to), options_(options) {}

  OnlinePlan Run(const DiffResult& up) {
    OnlinePlan plan;
    plan.options = options_;
    FindColumnPlans(up);
    int first_ec_phase = -1;
    for (const auto& [object, cp] : column_plans_) {
      if (first_ec_phase < 0 || cp.phase < first_ec_phase) first_ec_phase = cp.phase;
    }
    std::vector<OnlineStep> before, after, drops, before_rollback, after_rollback;
    for (const Change& c : up.changes) {
      if (c.refused || column_plans_.count(c.object) > 0) continue;
      std::vector<Conv> steps = Convert(c);
      bool late = first_ec_phase >= 0 && c.phase > first_ec_phase;
      bool drop = c.destructive && c.action == Action::kDrop;
      std::vector<OnlineStep>& into = drop ? drops : late ? after : before;
      std::vector<OnlineStep>& undo = late || drop ? after_rollback : before_rollback;
      for (Conv& s : steps) {
        if (!drop) AddRollback(undo, s);
        into.push_back(std::move(s));
      }
    }
    for (const std::string& w : warnings_) plan.warnings.push_back(w);
    if (column_plans_.empty()) {
      if (!before.empty()) {
        OnlinePhase p;
        p.name = "migrate";
        p.purpose = "every change in its non-blocking form; no application change is needed";
        p.steps = std::move(before);
        p.rollback = Reversed(std::move(before_rollback));
        plan.phases.push_back(std::move(p));
      }
      if (!drops.empty()) {
        OnlinePhase p;
        p.name = "contract";
        p.purpose =
            "drops: run only once no deployed application version reads or writes what they "
            "remove (the data is lost; no rollback)";
        p.steps = std::move(drops);
        plan.phases.push_back(std::move(p));
      }
      return plan;
    }
    OnlinePhase expand, backfill, sw, contract;
    expand.name = "expand";
    expand.purpose =
        "adds the new columns next to the old ones and a trigger that keeps them in sync; the "
        "running application needs no change";
    backfill.name = "backfill";
    backfill.purpose =
        "copies the existing rows in batches (each batch commits on its own) and proves NOT "
        "NULL without blocking";
    sw.name = "switch";
    sw.purpose =
        "moves readers and writers to the new form: deploy the application version that uses "
        "the new column names and types after this phase";
    contract.name = "contract";
    contract.purpose = "removes the old form once no deployed application version uses it";
    expand.steps = std::move(before);
    expand.rollback = Reversed(std::move(before_rollback));
    std::vector<OnlineStep> expand_undo;
    for (auto& [object, cp] : column_plans_) {
      if (cp.rename) {
        PlanRename(cp, expand, backfill, sw, contract);
      } else {
        PlanTypeChange(cp, expand, backfill, sw, contract);
      }
    }
    for (OnlineStep& s : after) contract.steps.push_back(std::move(s));
    for (OnlineStep& s : drops) contract.steps.push_back(std::move(s));
    std::vector<OnlineStep> late_undo = Reversed(std::move(after_rollback));
    contract.rollback.insert(contract.rollback.begin(), late_undo.begin(), late_undo.end());
    for (OnlinePhase* p : {&expand, &backfill, &sw, &contract}) {
      if (!p->steps.empty()) plan.phases.push_back(std::move(*p));
    }
    return plan;
  }

 private:
  static std::vector<OnlineStep> Reversed(std::vector<OnlineStep> steps) {
    std::reverse(steps.begin(), steps.end());
    return steps;
  }

  // The rollback of one converted step, from the change's reverse statements.
  void AddRollback(std::vector<OnlineStep>& undo, const Conv& s) {
    if (!s.rollback_sql_.empty()) {
      OnlineStep r = static_cast<const OnlineStep&>(s);
      r.sql = s.rollback_sql_;
      r.what = "undo: " + s.what;
      r.in_transaction = s.rollback_in_transaction_;
      r.long_running = false;
      r.scans = false;
      r.rewrites = false;
      r.note.clear();
      undo.push_back(std::move(r));
    }
  }

  // ----- finding the changes that need expand / contract

  // The table of `to` (or of `from` when `in_from`) whose column `object` names.
  static std::pair<const Table*, const Column*> FindColumn(const Catalog& cat,
                                                           const std::string& object) {
    for (const auto& [q, t] : cat.tables) {
      std::string prefix = q.Quoted() + ".";
      if (object.rfind(prefix, 0) != 0) continue;
      for (const Column& col : t.columns) {
        if (prefix + QuoteIdent(col.name) == object) return {&t, &col};
      }
    }
    return {nullptr, nullptr};
  }

  // Why the column cannot go through expand / contract ("" when it can).
  // A rename keeps the original column (with its constraints, indexes and dependents) and
  // only needs a writable copy; a type change replaces the column, so anything built on it
  // would have to be rebuilt.
  std::string Blocker(const Table& t, const Column& col, bool rename) const {
    if (!col.generated_expr.empty()) return "it is a generated column";
    if (!t.partition_key.empty() || t.partition_of || !t.inherits.empty())
      return "its table is partitioned or inherits";
    if (rename) return "";
    if (col.identity != catalog::IdentityKind::kNone) return "it is an identity column";
    for (const auto& [q, t2] : from_.tables) {
      for (const Column& c2 : t2.columns) {
        if (c2.generated_expr.find(col.name) != std::string::npos && q == t.name)
          return "generated column " + QuoteIdent(c2.name) + " uses it";
      }
    }
    for (const Constraint& k : t.constraints) {
      bool uses = std::count(k.columns.begin(), k.columns.end(), col.name) > 0 ||
                  std::count(k.include.begin(), k.include.end(), col.name) > 0 ||
                  k.expression.find(col.name) != std::string::npos ||
                  k.kind == ConstraintKind::kExclude;
      if (uses) return "constraint " + QuoteIdent(k.name) + " uses it";
    }
    for (const auto& [q, t2] : from_.tables) {
      for (const Constraint& k : t2.constraints) {
        if (k.kind == ConstraintKind::kForeignKey && k.ref_table == t.name &&
            std::count(k.ref_columns.begin(), k.ref_columns.end(), col.name) > 0)
          return "foreign key " + QuoteIdent(k.name) + " of " + q.Quoted() + " references it";
      }
    }
    for (const auto& [q, i] : from_.indexes) {
      if (i.table != t.name) continue;
      bool uses = std::count(i.include.begin(), i.include.end(), col.name) > 0 ||
                  i.predicate.find(col.name) != std::string::npos;
      for (const catalog::IndexKey& k : i.keys) {
        uses = uses || k.column == col.name || k.expression.find(col.name) != std::string::npos;
      }
      if (uses && !Movable(i, col.name)) return "index " + q.Quoted() + " uses it";
    }
    for (const catalog::Trigger& tr : t.triggers) {
      if (std::count(tr.update_columns.begin(), tr.update_columns.end(), col.name) > 0 ||
          tr.when.find(col.name) != std::string::npos)
        return "trigger " + QuoteIdent(tr.name) + " uses it";
    }
    for (const auto& [q, v] : from_.views) {
      bool reads = std::count(v.relations.begin(), v.relations.end(), t.name) > 0;
      if (reads && v.definition.find(col.name) != std::string::npos)
        return "view " + q.Quoted() + " uses it";
    }
    return "";
  }

  // Whether an index on `column` can be rebuilt on a shadow column: the column is a plain key
  // or INCLUDE column (not in an expression or the predicate), and the target keeps the index
  // as it is.
  bool Movable(const catalog::Index& i, const std::string& column) const {
    if (i.predicate.find(column) != std::string::npos) return false;
    for (const catalog::IndexKey& k : i.keys) {
      if (k.column.empty() && k.expression.find(column) != std::string::npos) return false;
    }
    auto it = to_.indexes.find(i.name);
    if (it == to_.indexes.end()) return false;
    catalog::Index x = i;
    x.comment = it->second.comment;
    return x == it->second;
  }

  // `index` with `column` replaced by `replacement` and the name `name`.
  static catalog::Index IndexOn(const catalog::Index& index, const std::string& column,
                                const std::string& replacement, const std::string& name) {
    catalog::Index out = index;
    out.name.name = name;
    out.comment.clear();
    for (catalog::IndexKey& k : out.keys) {
      if (k.column == column) k.column = replacement;
    }
    for (std::string& c : out.include) {
      if (c == column) c = replacement;
    }
    return out;
  }

  static std::string Concurrently(std::string create) {
    size_t at = create.find(" INDEX ");
    if (at != std::string::npos) create.insert(at + 7, "CONCURRENTLY ");
    return create;
  }

  void FindColumnPlans(const DiffResult& up) {
    std::map<std::string, int> changes_per_column;
    for (const Change& c : up.changes) {
      if (!c.refused && c.kind == ObjectKind::kColumn) ++changes_per_column[c.object];
    }
    std::set<std::string> rejected;
    for (const Change& c : up.changes) {
      if (c.refused || c.kind != ObjectKind::kColumn || rejected.count(c.object) > 0 ||
          column_plans_.count(c.object) > 0) {
        continue;
      }
      bool rename = c.action == Action::kRename;
      bool type_change = c.action == Action::kAlter && c.rewrites && !c.sql.empty() &&
                         c.sql[0].find(" TYPE ") != std::string::npos &&
                         c.sql[0].find(" ALTER COLUMN ") != std::string::npos;
      if (!rename && !type_change) continue;
      auto [to_table, to_col] = FindColumn(to_, c.object);
      if (to_table == nullptr) continue;
      auto from_it = from_.tables.find(to_table->name);
      if (from_it == from_.tables.end()) continue;
      const Table& from_table = from_it->second;
      const Column* from_col = nullptr;
      if (rename) {
        // "ALTER TABLE t RENAME COLUMN old TO new": the old name is what the from table has
        // and the target does not.
        for (const Column& fc : from_table.columns) {
          std::string stmt = c.sql[0];
          std::string tail = " RENAME COLUMN " + QuoteIdent(fc.name) + " TO ";
          if (stmt.find(tail) != std::string::npos) from_col = &fc;
        }
        if (from_col != nullptr && changes_per_column[c.object] > 1) {
          warnings_.push_back("column " + c.object +
                              " is renamed and changed at once: kept as a blocking rename");
          rejected.insert(c.object);
          continue;
        }
      } else {
        from_col = from_table.FindColumn(to_col->name);
      }
      if (from_col == nullptr) continue;
      std::string why = Blocker(from_table, *from_col, rename);
      if (why.empty()) why = Blocker(*to_table, *to_col, rename);
      if (!why.empty()) {
        warnings_.push_back("column " + c.object + ": no expand / contract plan because " + why +
                            "; the " + (rename ? "rename" : "type change") +
                            " is kept in its blocking form");
        rejected.insert(c.object);
        continue;
      }
      ColumnPlan cp;
      cp.from_table = &from_table;
      cp.to_table = to_table;
      cp.from_column = from_col;
      cp.to_column = to_col;
      cp.rename = rename;
      cp.phase = c.phase;
      if (!rename) {
        for (const auto& [q, i] : from_.indexes) {
          if (i.table != from_table.name) continue;
          bool uses = std::count(i.include.begin(), i.include.end(), from_col->name) > 0;
          for (const catalog::IndexKey& k : i.keys) uses = uses || k.column == from_col->name;
          if (uses) cp.indexes.push_back(&i);
        }
        cp.forward = ConversionOf(c.sql[0], to_col->name);
        cp.backward = c.reverse.empty() ? "$" : ConversionOf(c.reverse[0], from_col->name);
      }
      column_plans_[c.object] = cp;
    }
  }

  // The USING expression of "ALTER TABLE t ALTER COLUMN c TYPE x [USING expr]" with the
  // column reference replaced by "$"; "$" alone when there is no USING (an assignment cast).
  static std::string ConversionOf(const std::string& stmt, const std::string& column) {
    size_t using_at = stmt.rfind(" USING ");
    if (using_at == std::string::npos) return "$";
    std::string expr = stmt.substr(using_at + 7);
    std::string ref = QuoteIdent(column);
    if (expr.rfind(ref, 0) == 0) return "$" + expr.substr(ref.size());
    return "$";
  }

  static std::string Apply(const std::string& conversion, const std::string& value) {
    std::string out;
    for (char ch : conversion) {
      if (ch == '$')
        out += value;
      else
        out += ch;
    }
    return out;
  }

  // ----- the safe forms of single changes

  std::vector<Conv> Convert(const Change& c) {
    std::vector<Conv> out;
    const std::string& first = c.sql.empty() ? std::string() : c.sql[0];
    bool existing = !c.lock.empty();
    if (c.kind == ObjectKind::kIndex && c.action == Action::kCreate && existing &&
        c.sql.size() == 1 && !OnPartitionedTable(c.object)) {
      std::string stmt = first;
      size_t at = stmt.find(" INDEX ");
      if (at != std::string::npos && stmt.rfind("CREATE", 0) == 0) {
        stmt.insert(at + 7, "CONCURRENTLY ");
        Conv s =
            CStep(c.kind, c.object, "create index concurrently", kShareUpdateExclusive, {stmt});
        s.scans = true;
        s.in_transaction = false;
        s.long_running = true;
        s.note =
            "a failed build leaves an INVALID index: drop it with DROP INDEX CONCURRENTLY and "
            "run the step again";
        s.rollback_sql_ = {"DROP INDEX CONCURRENTLY IF EXISTS " + c.object};
        s.rollback_in_transaction_ = false;
        out.push_back(std::move(s));
        return out;
      }
    }
    if (c.kind == ObjectKind::kIndex && c.action == Action::kDrop && c.sql.size() == 1 &&
        first == "DROP INDEX " + c.object && !IndexOfPartitionedTable(c.object)) {
      Conv s = CStep(c.kind, c.object, "drop index concurrently", kShareUpdateExclusive,
                     {"DROP INDEX CONCURRENTLY IF EXISTS " + c.object});
      s.in_transaction = false;
      if (c.reverse.size() == 1) {
        std::string back = c.reverse[0];
        size_t at = back.find(" INDEX ");
        if (at != std::string::npos) back.insert(at + 7, "CONCURRENTLY ");
        s.rollback_sql_ = {back};
        s.rollback_in_transaction_ = false;
      }
      out.push_back(std::move(s));
      return out;
    }
    if (c.kind == ObjectKind::kConstraint && c.action == Action::kCreate) {
      auto [table, k] = FindConstraint(c.object);
      if (table != nullptr && k != nullptr && from_.tables.count(table->name) > 0) {
        // PostgreSQL 15 refuses a NOT VALID foreign key on a partitioned table.
        bool partitioned_fk =
            k->kind == ConstraintKind::kForeignKey && !table->partition_key.empty();
        if ((k->kind == ConstraintKind::kForeignKey || k->kind == ConstraintKind::kCheck) &&
            !k->not_valid && !partitioned_fk) {
          return NotValidThenValidate(*table, *k, c);
        }
        if ((k->kind == ConstraintKind::kUnique || k->kind == ConstraintKind::kPrimaryKey) &&
            table->partition_key.empty()) {
          return ThroughUniqueIndex(*table, *k, c);
        }
        if (partitioned_fk && !k->not_valid) {
          warnings_.push_back("constraint " + c.object +
                              ": a foreign key on a partitioned table has no NOT VALID form in "
                              "PostgreSQL 15 (added and validated under its lock)");
        }
        if (k->kind == ConstraintKind::kExclude) {
          warnings_.push_back("constraint " + c.object +
                              ": an EXCLUDE constraint has no online form (its index is built "
                              "under ACCESS EXCLUSIVE lock)");
        }
      }
    }
    if (c.kind == ObjectKind::kColumn && c.action == Action::kAlter && c.sql.size() == 1 &&
        EndsWith(first, " SET NOT NULL") && existing) {
      auto [table, col] = FindColumn(to_, c.object);
      if (table != nullptr && from_.tables.count(table->name) > 0 &&
          from_.tables.at(table->name).FindColumn(col->name) != nullptr) {
        return NotNullThroughCheck(*table, col->name, c);
      }
    }
    if (c.kind == ObjectKind::kColumn && c.action == Action::kRename) {
      warnings_.push_back("column " + c.object + ": renamed in place (blocking for readers)");
    }
    // A table renamed (or moved to another schema) has no expand / contract here: it is
    // renamed in place, with a warning, once the application is ready for the new name.
    bool table_rename = c.kind == ObjectKind::kTable && c.action == Action::kRename;
    bool in_place_rename = table_rename || (c.kind == ObjectKind::kColumn && c.action == Action::kRename);
    if (table_rename) {
      warnings_.push_back("table " + c.object +
                          ": renamed in place (brief ACCESS EXCLUSIVE lock; code using the old "
                          "name fails from then on)");
    }
    if (c.kind == ObjectKind::kColumn && c.rewrites && column_plans_.count(c.object) == 0) {
      warnings_.push_back("column " + c.object + ": rewrites the table under " + c.lock + " lock");
    }
    Conv s = CStep(c.kind, c.object,
                   std::string(ActionName(c.action)) + " " + catalog::ObjectKindName(c.kind),
                   c.lock, c.sql);
    s.psql_variable = c.psql_variable;
    s.rewrites = c.rewrites;
    s.scans = c.scans;
    bool drop_column_or_table = c.destructive && c.action == Action::kDrop;
    if (drop_column_or_table) {
      std::string rule = c.kind == ObjectKind::kColumn  ? "ban-drop-column"
                         : c.kind == ObjectKind::kTable ? "ban-drop-table"
                                                        : "";
      if (!rule.empty()) {
        for (std::string& stmt : s.sql) {
          stmt = Ignore(rule, "contract phase: run once no deployed code uses it") + stmt;
        }
      }
      s.note = "loses " + c.data_loss;
    }
    s.rollback_sql_ = c.reverse;
    if (in_place_rename) {
      for (std::vector<std::string>* list : {&s.sql, &s.rollback_sql_}) {
        for (std::string& stmt : *list) {
          stmt = Ignore(table_rename ? "renaming-table" : "renaming-column",
                        "renamed in place (see the warning): release the application for the "
                        "new name first") +
                 stmt;
        }
      }
    }
    if (c.action == Action::kCreate &&
        (c.kind == ObjectKind::kTable || c.kind == ObjectKind::kColumn)) {
      // The rollback drops what this plan created: no deployed code can depend on it yet.
      std::string rule = c.kind == ObjectKind::kTable ? "ban-drop-table" : "ban-drop-column";
      for (std::string& stmt : s.rollback_sql_) {
        if (stmt.rfind("DROP TABLE", 0) == 0 || stmt.find(" DROP COLUMN ") != std::string::npos)
          stmt = Ignore(rule, "rollback of an object this plan created") + stmt;
      }
    }
    out.push_back(std::move(s));
    return out;
  }

  bool OnPartitionedTable(const std::string& index_object) const {
    for (const auto& [q, i] : to_.indexes) {
      if (q.Quoted() != index_object) continue;
      auto t = to_.tables.find(i.table);
      return t != to_.tables.end() && !t->second.partition_key.empty();
    }
    return false;
  }

  bool IndexOfPartitionedTable(const std::string& index_object) const {
    for (const auto& [q, i] : from_.indexes) {
      if (q.Quoted() != index_object) continue;
      auto t = from_.tables.find(i.table);
      return t != from_.tables.end() && !t->second.partition_key.empty();
    }
    return false;
  }

  std::pair<const Table*, const Constraint*> FindConstraint(const std::string& object) const {
    for (const auto& [q, t] : to_.tables) {
      for (const Constraint& k : t.constraints) {
        if (q.Quoted() + "." + QuoteIdent(k.name) == object) return {&t, &k};
      }
    }
    return {nullptr, nullptr};
  }

  std::vector<Conv> NotValidThenValidate(const Table& t, const Constraint& k, const Change& c) {
    std::string alter = "ALTER TABLE " + t.name.Quoted();
    Constraint nv = k;
    nv.not_valid = true;
    bool fk = k.kind == ConstraintKind::kForeignKey;
    Conv add = CStep(c.kind, c.object, "add constraint not valid",
                     fk ? kShareRowExclusive : kAccessExclusive,
                     {alter + " ADD CONSTRAINT " + QuoteIdent(k.name) + " " +
                      report::ConstraintBodySql(nv, true)});
    add.note = "checks new rows only; the lock is brief";
    add.rollback_sql_ = {alter + " DROP CONSTRAINT IF EXISTS " + QuoteIdent(k.name)};
    Conv validate = CStep(c.kind, c.object, "validate constraint", kShareUpdateExclusive,
                          {alter + " VALIDATE CONSTRAINT " + QuoteIdent(k.name)});
    validate.scans = true;
    validate.long_running = true;
    validate.note = fk ? "reads and writes continue (ROW SHARE on the referenced table)"
                       : "reads and writes continue";
    return {add, validate};
  }

  std::vector<Conv> ThroughUniqueIndex(const Table& t, const Constraint& k, const Change& c) {
    catalog::Index index;
    index.name = QualifiedName{t.name.schema, k.name};
    index.table = t.name;
    index.unique = true;
    index.nulls_not_distinct = k.nulls_not_distinct;
    for (const std::string& col : k.columns) {
      catalog::IndexKey key;
      key.column = col;
      index.keys.push_back(key);
    }
    index.include = k.include;
    index.options = k.index_options;
    std::string create = report::IndexSql(index);
    size_t at = create.find(" INDEX ");
    create.insert(at + 7, "CONCURRENTLY ");
    Conv build = CStep(ObjectKind::kIndex, index.name.Quoted(), "create unique index concurrently",
                       kShareUpdateExclusive, {create});
    build.scans = true;
    build.in_transaction = false;
    build.long_running = true;
    build.note =
        "a failed build (a duplicate) leaves an INVALID index: drop it with DROP INDEX "
        "CONCURRENTLY, fix the data and run the step again";
    build.rollback_sql_ = {"DROP INDEX CONCURRENTLY IF EXISTS " + index.name.Quoted()};
    build.rollback_in_transaction_ = false;
    std::string attach = "ALTER TABLE " + t.name.Quoted() + " ADD CONSTRAINT " +
                         QuoteIdent(k.name) +
                         (k.kind == ConstraintKind::kPrimaryKey ? " PRIMARY KEY" : " UNIQUE") +
                         " USING INDEX " + QuoteIdent(k.name);
    if (k.deferrable) attach += " DEFERRABLE";
    if (k.initially_deferred) attach += " INITIALLY DEFERRED";
    Conv use = CStep(c.kind, c.object, "add constraint using index", kAccessExclusive, {attach});
    use.note = "a catalog change: the index is already built";
    use.rollback_sql_ = {"ALTER TABLE " + t.name.Quoted() + " DROP CONSTRAINT IF EXISTS " +
                         QuoteIdent(k.name)};
    return {build, use};
  }

  std::string NotNullCheckName(const Table& t, const std::string& column) const {
    return Identifier(t.name.name + "_" + column + "_not_null");
  }

  std::vector<Conv> NotNullThroughCheck(const Table& t, const std::string& column,
                                        const Change& c) {
    std::string alter = "ALTER TABLE " + t.name.Quoted();
    std::string check = QuoteIdent(NotNullCheckName(t, column));
    Conv add = CStep(ObjectKind::kConstraint, t.name.Quoted() + "." + check,
                     "add not-null check not valid", kAccessExclusive,
                     {alter + " ADD CONSTRAINT " + check + " CHECK (" + QuoteIdent(column) +
                      " IS NOT NULL) NOT VALID"});
    add.rollback_sql_ = {alter + " DROP CONSTRAINT IF EXISTS " + check};
    Conv validate = CStep(ObjectKind::kConstraint, add.object, "validate not-null check",
                          kShareUpdateExclusive, {alter + " VALIDATE CONSTRAINT " + check});
    validate.scans = true;
    validate.long_running = true;
    Conv set =
        CStep(c.kind, c.object, "set not null (proved by the check: no scan)", kAccessExclusive,
              {alter + " ALTER COLUMN " + QuoteIdent(column) + " SET NOT NULL",
               alter + " DROP CONSTRAINT " + check});
    set.rollback_sql_ = {Ignore("ban-drop-not-null", "rollback of the plan's own SET NOT NULL") +
                         alter + " ALTER COLUMN " + QuoteIdent(column) + " DROP NOT NULL"};
    return {add, validate, set};
  }

  // ----- expand / contract

  struct Names {
    std::string table;     // quoted
    std::string function;  // quoted, qualified
    std::string trigger;   // quoted
  };

  Names NamesFor(const ColumnPlan& cp) const {
    Names n;
    n.table = cp.to_table->name.Quoted();
    const std::string& col = cp.to_column->name;
    std::string base = cp.to_table->name.name + "_" + col;
    n.function =
        QualifiedName{cp.to_table->name.schema, Identifier(base + "_dbarch_sync")}.Quoted();
    n.trigger = QuoteIdent(Identifier(base + "_dbarch_sync"));
    return n;
  }

  static std::string SyncFunction(const std::string& function, const std::string& body) {
    return "CREATE OR REPLACE FUNCTION " + function +
           "() RETURNS trigger LANGUAGE plpgsql AS $dbarch$\nBEGIN\n" + body +
           "  RETURN NEW;\nEND\n$dbarch$";
  }

  // A batched backfill: one UPDATE of at most batch_rows rows per transaction until no row
  // is left. It runs outside any transaction block (the DO block commits per batch).
  std::string Backfill(const std::string& table, const std::string& target,
                       const std::string& value, const std::string& source) const {
    std::string batch = std::to_string(options_.batch_rows);
    return "DO $dbarch$\nDECLARE\n  n bigint;\nBEGIN\n  LOOP\n    UPDATE " + table + " SET " +
           target + " = " + value + " WHERE ctid = ANY (ARRAY(SELECT ctid FROM " + table +
           " WHERE " + target + " IS NULL AND " + source + " IS NOT NULL LIMIT " + batch +
           "));\n    GET DIAGNOSTICS n = ROW_COUNT;\n    EXIT WHEN n = 0;\n    COMMIT;\n  END "
           "LOOP;\nEND\n$dbarch$";
  }

  OnlineStep BackfillStep(const ColumnPlan& cp, const std::string& target, const std::string& value,
                          const std::string& source) const {
    Names n = NamesFor(cp);
    OnlineStep s = Step(ObjectKind::kColumn, n.table + "." + target, "batched backfill",
                        "ROW EXCLUSIVE", {Backfill(n.table, target, value, source)});
    s.in_transaction = false;
    s.long_running = true;
    s.note = "batches of " + std::to_string(options_.batch_rows) +
             " rows, each committed; safe to stop and run again";
    return s;
  }

  // Expand / contract of a rename old -> new: the new name is added as a synced copy; the
  // application moves to it; the contract drops the copy and renames the original column in
  // one transaction, so the column keeps its data, position, constraints and indexes.
  void PlanRename(const ColumnPlan& cp, OnlinePhase& expand, OnlinePhase& backfill, OnlinePhase& sw,
                  OnlinePhase& contract) {
    Names n = NamesFor(cp);
    std::string oldc = QuoteIdent(cp.from_column->name);
    std::string newc = QuoteIdent(cp.to_column->name);
    std::string object = n.table + "." + newc;
    std::string alter = "ALTER TABLE " + n.table;
    Column copy = *cp.from_column;
    copy.name = cp.to_column->name;
    copy.not_null = false;
    copy.default_expr.clear();
    copy.comment.clear();
    std::string body = "  IF TG_OP = 'INSERT' THEN\n    IF NEW." + newc + " IS NOT NULL THEN NEW." +
                       oldc + " := NEW." + newc + "; ELSE NEW." + newc + " := NEW." + oldc +
                       "; END IF;\n  ELSIF NEW." + newc + " IS DISTINCT FROM OLD." + newc +
                       " THEN\n    NEW." + oldc + " := NEW." + newc + ";\n  ELSE\n    NEW." + newc +
                       " := NEW." + oldc + ";\n  END IF;\n";
    std::vector<std::string> expand_sql = {
        alter + " ADD COLUMN " + report::ColumnSql(copy), SyncFunction(n.function, body),
        "CREATE TRIGGER " + n.trigger + " BEFORE INSERT OR UPDATE ON " + n.table +
            " FOR EACH ROW EXECUTE FUNCTION " + n.function + "()"};
    OnlineStep e = Step(ObjectKind::kColumn, object, "add synced copy " + newc + " of " + oldc,
                        kAccessExclusive, expand_sql);
    e.note = "no rewrite; the trigger copies every write between " + oldc + " and " + newc;
    expand.steps.push_back(e);
    std::vector<std::string> drop_copy = {
        "DROP TRIGGER IF EXISTS " + n.trigger + " ON " + n.table,
        "DROP FUNCTION IF EXISTS " + n.function + "()",
        Ignore("ban-drop-column", "the synced copy: the original column keeps the data") + alter +
            " DROP COLUMN IF EXISTS " + newc};
    OnlineStep undo_expand =
        Step(ObjectKind::kColumn, object, "drop the synced copy", kAccessExclusive, drop_copy);
    expand.rollback.insert(expand.rollback.begin(), undo_expand);
    backfill.steps.push_back(BackfillStep(cp, newc, oldc, oldc));
    OnlineStep deploy = Step(ObjectKind::kColumn, object,
                             "deploy: read and write " + newc + " instead of " + oldc, "", {});
    deploy.note = "both names work while the trigger syncs them; no statement";
    sw.steps.push_back(deploy);
    std::vector<std::string> contract_sql = drop_copy;
    contract_sql.back() =
        Ignore("ban-drop-column", "the synced copy: the original column keeps the data") + alter +
        " DROP COLUMN " + newc;
    contract_sql.push_back(Ignore("renaming-column",
                                  "readers already use the new name (the synced copy) and the "
                                  "name keeps existing in this transaction") +
                           alter + " RENAME COLUMN " + oldc + " TO " + newc);
    OnlineStep k = Step(ObjectKind::kColumn, object,
                        "drop the copy and rename " + oldc + " to " + newc + " in one transaction",
                        kAccessExclusive, contract_sql);
    k.note = "catalog changes only; the lock is brief";
    contract.steps.push_back(k);
    // Back to "after the backfill": the original under its old name and a synced copy again.
    std::vector<std::string> undo_sql = {
        Ignore("renaming-column", "the rollback restores the synced copy under the new name") +
        alter + " RENAME COLUMN " + newc + " TO " + oldc};
    for (const std::string& s : expand_sql) undo_sql.push_back(s);
    OnlineStep undo_contract =
        Step(ObjectKind::kColumn, object, "rename back and restore the synced copy",
             kAccessExclusive, undo_sql);
    contract.rollback.push_back(undo_contract);
    contract.rollback.push_back(BackfillStep(cp, newc, oldc, oldc));
  }

  // Expand / contract of a type change: a shadow column of the new type, synced by trigger
  // and backfilled; the switch swaps the names in one transaction (the trigger then keeps
  // the old column in sync for rollback); the contract drops the old column.
  void PlanTypeChange(const ColumnPlan& cp, OnlinePhase& expand, OnlinePhase& backfill,
                      OnlinePhase& sw, OnlinePhase& contract) {
    Names n = NamesFor(cp);
    const std::string& name = cp.to_column->name;
    std::string col = QuoteIdent(name);
    std::string shadow = QuoteIdent(Identifier(name + "__dbarch_new"));
    std::string old = QuoteIdent(Identifier(name + "__dbarch_old"));
    std::string object = n.table + "." + col;
    std::string alter = "ALTER TABLE " + n.table;
    Column copy = *cp.to_column;
    copy.name = Identifier(name + "__dbarch_new");
    copy.not_null = false;
    copy.default_expr.clear();
    copy.comment.clear();
    Column old_copy = *cp.from_column;
    old_copy.name = Identifier(name + "__dbarch_old");
    old_copy.not_null = false;
    old_copy.default_expr.clear();
    old_copy.comment.clear();
    std::string forward_body = "  NEW." + shadow + " := " + Apply(cp.forward, "NEW." + col) + ";\n";
    std::string backward_body = "  NEW." + old + " := " + Apply(cp.backward, "NEW." + col) + ";\n";
    std::string trigger = "CREATE TRIGGER " + n.trigger + " BEFORE INSERT OR UPDATE ON " + n.table +
                          " FOR EACH ROW EXECUTE FUNCTION " + n.function + "()";
    std::vector<std::string> expand_sql = {alter + " ADD COLUMN " + report::ColumnSql(copy),
                                           SyncFunction(n.function, forward_body), trigger};
    OnlineStep e =
        Step(ObjectKind::kColumn, object,
             "add " + shadow + " " + report::SqlType(cp.to_column->type) + " synced from " + col,
             kAccessExclusive, expand_sql);
    e.note = "no rewrite: a nullable column without default";
    expand.steps.push_back(e);
    std::vector<std::string> drop_shadow = {
        "DROP TRIGGER IF EXISTS " + n.trigger + " ON " + n.table,
        "DROP FUNCTION IF EXISTS " + n.function + "()",
        Ignore("ban-drop-column", "the shadow column of the plan, never read") + alter +
            " DROP COLUMN IF EXISTS " + shadow};
    expand.rollback.insert(
        expand.rollback.begin(),
        Step(ObjectKind::kColumn, object, "drop the shadow column", kAccessExclusive, drop_shadow));
    backfill.steps.push_back(BackfillStep(cp, shadow, Apply(cp.forward, col), col));
    std::string shadow_raw = Identifier(name + "__dbarch_new");
    std::string old_raw = Identifier(name + "__dbarch_old");
    std::vector<std::string> index_swap, index_unswap;
    std::vector<OnlineStep> index_restore;
    for (const catalog::Index* i : cp.indexes) {
      catalog::Index copy =
          IndexOn(*i, name, shadow_raw, Identifier(i->name.name + "__dbarch_new"));
      OnlineStep build = Step(ObjectKind::kIndex, copy.name.Quoted(),
                              "create index concurrently on the shadow column",
                              kShareUpdateExclusive, {Concurrently(report::IndexSql(copy))});
      build.scans = true;
      build.in_transaction = false;
      build.long_running = true;
      build.note = "a failed build leaves an INVALID index: drop it and run the step again";
      backfill.steps.push_back(build);
      OnlineStep drop =
          Step(ObjectKind::kIndex, copy.name.Quoted(), "drop the shadow index",
               kShareUpdateExclusive, {"DROP INDEX CONCURRENTLY IF EXISTS " + copy.name.Quoted()});
      drop.in_transaction = false;
      backfill.rollback.push_back(drop);
      catalog::QualifiedName old_index{i->name.schema, Identifier(i->name.name + "__dbarch_old")};
      index_swap.push_back("ALTER INDEX " + i->name.Quoted() + " RENAME TO " +
                           QuoteIdent(old_index.name));
      index_swap.push_back("ALTER INDEX " + copy.name.Quoted() + " RENAME TO " +
                           QuoteIdent(i->name.name));
      index_unswap.push_back("ALTER INDEX " + i->name.Quoted() + " RENAME TO " +
                             QuoteIdent(copy.name.name));
      index_unswap.push_back("ALTER INDEX " + old_index.Quoted() + " RENAME TO " +
                             QuoteIdent(i->name.name));
      catalog::Index back = IndexOn(*i, name, old_raw, old_index.name);
      OnlineStep rebuild = Step(ObjectKind::kIndex, old_index.Quoted(),
                                "create index concurrently on the old column",
                                kShareUpdateExclusive, {Concurrently(report::IndexSql(back))});
      rebuild.scans = true;
      rebuild.in_transaction = false;
      rebuild.long_running = true;
      index_restore.push_back(rebuild);
    }
    std::string check = QuoteIdent(Identifier(cp.to_table->name.name + "_" + name + "_not_null"));
    if (cp.to_column->not_null) {
      OnlineStep add = Step(
          ObjectKind::kConstraint, n.table + "." + check, "add not-null check not valid",
          kAccessExclusive,
          {alter + " ADD CONSTRAINT " + check + " CHECK (" + shadow + " IS NOT NULL) NOT VALID"});
      OnlineStep validate =
          Step(ObjectKind::kConstraint, n.table + "." + check, "validate not-null check",
               kShareUpdateExclusive, {alter + " VALIDATE CONSTRAINT " + check});
      validate.scans = true;
      validate.long_running = true;
      backfill.steps.push_back(add);
      backfill.steps.push_back(validate);
      backfill.rollback.push_back(Step(ObjectKind::kConstraint, n.table + "." + check,
                                       "drop the not-null check", kAccessExclusive,
                                       {alter + " DROP CONSTRAINT IF EXISTS " + check}));
    }
    // The switch: one transaction.
    std::vector<std::string> switch_sql;
    if (cp.to_column->not_null) {
      switch_sql.push_back(alter + " ALTER COLUMN " + shadow + " SET NOT NULL");
      switch_sql.push_back(alter + " DROP CONSTRAINT " + check);
    }
    if (!cp.from_column->default_expr.empty()) {
      switch_sql.push_back(alter + " ALTER COLUMN " + col + " DROP DEFAULT");
    }
    if (cp.from_column->not_null) {
      switch_sql.push_back(
          Ignore("ban-drop-not-null", "the old column, filled by the trigger, is dropped later") +
          alter + " ALTER COLUMN " + col + " DROP NOT NULL");
    }
    std::string swap_reason =
        "the names are swapped in one transaction: the column keeps existing under its name";
    switch_sql.push_back(Ignore("renaming-column", swap_reason) + alter + " RENAME COLUMN " + col +
                         " TO " + old);
    switch_sql.push_back(Ignore("renaming-column", swap_reason) + alter + " RENAME COLUMN " +
                         shadow + " TO " + col);
    for (const std::string& stmt : index_swap) switch_sql.push_back(stmt);
    if (!cp.to_column->default_expr.empty()) {
      switch_sql.push_back(alter + " ALTER COLUMN " + col + " SET DEFAULT " +
                           cp.to_column->default_expr);
    }
    switch_sql.push_back(SyncFunction(n.function, backward_body));
    OnlineStep s = Step(ObjectKind::kColumn, object,
                        "swap " + col + " and the shadow column in one transaction",
                        kAccessExclusive, switch_sql);
    s.note = "catalog changes only (SET NOT NULL uses the validated check); readers of " + col +
             " see the new type from here on";
    sw.steps.push_back(s);
    // Back to "after the backfill": names swapped back, the defaults where they were, NOT
    // NULL on the shadow column back to its validated check, the forward sync.
    std::vector<std::string> unswitch = {
        Ignore("renaming-column", swap_reason) + alter + " RENAME COLUMN " + col + " TO " + shadow,
        Ignore("renaming-column", swap_reason) + alter + " RENAME COLUMN " + old + " TO " + col};
    for (const std::string& stmt : index_unswap) unswitch.push_back(stmt);
    if (!cp.to_column->default_expr.empty()) {
      unswitch.push_back(alter + " ALTER COLUMN " + shadow + " DROP DEFAULT");
    }
    if (!cp.from_column->default_expr.empty()) {
      unswitch.push_back(alter + " ALTER COLUMN " + col + " SET DEFAULT " +
                         cp.from_column->default_expr);
    }
    std::vector<std::string> validations;
    std::string old_check =
        QuoteIdent(Identifier(cp.to_table->name.name + "_" + name + "_old_not_null"));
    if (cp.to_column->not_null) {
      unswitch.push_back(alter + " ADD CONSTRAINT " + check + " CHECK (" + shadow +
                         " IS NOT NULL) NOT VALID");
      unswitch.push_back(
          Ignore("ban-drop-not-null", "rollback: the validated check below holds it instead") +
          alter + " ALTER COLUMN " + shadow + " DROP NOT NULL");
      validations.push_back(alter + " VALIDATE CONSTRAINT " + check);
    }
    if (cp.from_column->not_null) {
      // The old column was filled by the trigger all along, so its check validates; NOT NULL
      // goes through the check so that no step scans under ACCESS EXCLUSIVE lock.
      unswitch.push_back(alter + " ADD CONSTRAINT " + old_check + " CHECK (" + col +
                         " IS NOT NULL) NOT VALID");
      validations.push_back(alter + " VALIDATE CONSTRAINT " + old_check);
    }
    std::vector<std::string> finish;
    if (cp.from_column->not_null) {
      finish.push_back(alter + " ALTER COLUMN " + col + " SET NOT NULL");
      finish.push_back(alter + " DROP CONSTRAINT " + old_check);
    }
    finish.push_back(SyncFunction(n.function, forward_body));
    if (validations.empty()) {
      for (std::string& f : finish) unswitch.push_back(std::move(f));
      finish.clear();
    }
    sw.rollback.push_back(
        Step(ObjectKind::kColumn, object, "swap the names back", kAccessExclusive, unswitch));
    for (const std::string& v : validations) {
      OnlineStep vs = Step(ObjectKind::kConstraint, n.table, "validate not-null check",
                           kShareUpdateExclusive, {v});
      vs.scans = true;
      vs.long_running = true;
      sw.rollback.push_back(vs);
    }
    if (!finish.empty()) {
      sw.rollback.push_back(Step(ObjectKind::kColumn, object,
                                 "restore NOT NULL and the forward sync", kAccessExclusive,
                                 finish));
    }
    std::vector<std::string> contract_sql = {
        "DROP TRIGGER " + n.trigger + " ON " + n.table, "DROP FUNCTION " + n.function + "()",
        Ignore("ban-drop-column", "the old column: no deployed code reads it after the switch") +
            alter + " DROP COLUMN " + old};
    OnlineStep k = Step(ObjectKind::kColumn, object, "drop the old column and the sync trigger",
                        kAccessExclusive, contract_sql);
    k.note = "catalog changes only; the lock is brief";
    contract.steps.push_back(k);
    // Back to "after the switch": the old column again, synced from the new one.
    std::vector<std::string> reexpand = {alter + " ADD COLUMN " + report::ColumnSql(old_copy),
                                         SyncFunction(n.function, backward_body), trigger};
    contract.rollback.push_back(Step(ObjectKind::kColumn, object, "add the old column back, synced",
                                     kAccessExclusive, reexpand));
    OnlineStep refill = BackfillStep(cp, old, Apply(cp.backward, col), col);
    contract.rollback.push_back(refill);
    for (OnlineStep& rebuild : index_restore) contract.rollback.push_back(std::move(rebuild));
  }

  const Catalog& from_;
  const Catalog& to_;
  OnlineOptions options_;
  std::map<std::string, ColumnPlan> column_plans_;
  std::vector<std::string> warnings_;
};

std::string Terminated(const std::string& stmt) {
  size_t last_line = stmt.rfind('\n');
  std::string_view tail =
      std::string_view(stmt).substr(last_line == std::string::npos ? 0 : last_line);
  return stmt + (tail.find("--") != std::string_view::npos ? "\n;" : ";");
}

std::string Notes(const OnlineStep& s) {
  std::string notes;
  auto add = [&](const std::string& n) { notes += (notes.empty() ? "" : ", ") + n; };
  add(s.lock.empty() ? "no lock on an existing table" : "lock " + s.lock);
  if (s.rewrites) add("rewrites");
  if (s.scans) add("scans");
  if (!s.in_transaction) add("outside a transaction");
  if (s.long_running) add("no statement_timeout");
  return notes;
}

std::string StepsSql(const OnlinePlan& plan, const std::vector<OnlineStep>& steps) {
  std::string out;
  std::string timeout = "SET statement_timeout = " + QuoteLiteral(plan.options.statement_timeout);
  for (const OnlineStep& s : steps) {
    out += "-- " + s.what + " (" + Notes(s) + ")\n";
    if (!s.note.empty()) out += "--   " + s.note + "\n";
    if (s.sql.empty()) continue;
    if (!s.psql_variable.empty()) {
      // Run only when psql is given the value; else a warning and nothing changes.
      const std::string& v = s.psql_variable;
      out += "-- the secret is not copied into this script; run it with psql -v " + v + "=...\n";
      out += "\\if :{?" + v + "}\n";
      for (const std::string& stmt : s.sql) out += Terminated(stmt) + "\n";
      out += "\\else\n\\warn 'psql variable " + v + " is not set: " + s.object +
             " keeps its password'\n\\endif\n";
      continue;
    }
    if (s.long_running) out += "SET statement_timeout = 0;\n";
    bool wrap = s.in_transaction && s.sql.size() > 1;
    if (wrap) out += "BEGIN;\n";
    for (const std::string& stmt : s.sql) out += Terminated(stmt) + "\n";
    if (wrap) out += "COMMIT;\n";
    if (s.long_running) out += timeout + ";\n";
  }
  return out;
}

std::string Header(const OnlinePlan& plan) {
  return "SET lock_timeout = " + QuoteLiteral(plan.options.lock_timeout) +
         ";\nSET statement_timeout = " + QuoteLiteral(plan.options.statement_timeout) + ";\n";
}

nlohmann::ordered_json StepJson(const OnlineStep& s) {
  nlohmann::ordered_json j;
  j["kind"] = catalog::ObjectKindName(s.kind);
  j["object"] = s.object;
  j["what"] = s.what;
  j["lock"] = s.lock.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s.lock);
  j["rewrites"] = s.rewrites;
  j["scans"] = s.scans;
  j["in_transaction"] = s.in_transaction;
  j["long_running"] = s.long_running;
  j["sql"] = s.sql;
  j["note"] = s.note.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s.note);
  if (!s.psql_variable.empty()) j["psql_variable"] = s.psql_variable;
  return j;
}

}  // namespace

OnlinePlan MakeOnlinePlan(const catalog::Catalog& from, const catalog::Catalog& to,
                          const DiffResult& up, const OnlineOptions& options) {
  OnlinePlan plan = Planner(from, to, options).Run(up);
  for (const std::string& w : up.warnings) plan.warnings.push_back(w);
  return plan;
}

std::string FormatOnlinePhaseSql(const OnlinePlan& plan, size_t phase, bool rollback) {
  const OnlinePhase& p = plan.phases.at(phase);
  const std::vector<OnlineStep>& steps = rollback ? p.rollback : p.steps;
  if (steps.empty()) return "";
  return Header(plan) + StepsSql(plan, steps);
}

std::string FormatOnlineSql(const OnlinePlan& plan) {
  std::string out;
  if (plan.phases.empty()) return out;
  for (const std::string& w : plan.warnings) out += "-- warning: " + w + "\n";
  out += "-- dbarch online plan: " + std::to_string(plan.phases.size()) +
         " phase(s). Run each phase as its own script (psql -v ON_ERROR_STOP=1, no -1/--single-"
         "transaction).\n"
         "-- A step that fails with \"canceling statement due to lock timeout\" changed nothing: "
         "wait and run it again.\n"
         "-- A phase that fails midway: run its rollback (below it) or fix the cause and re-run "
         "the steps that did not complete.\n";
  for (size_t i = 0; i < plan.phases.size(); ++i) {
    const OnlinePhase& p = plan.phases[i];
    out += "\n-- ==== phase " + std::to_string(i + 1) + ": " + p.name + " ====\n-- " + p.purpose +
           "\n";
    out += FormatOnlinePhaseSql(plan, i, false);
    if (!p.rollback.empty()) {
      out += "-- rollback of phase " + std::to_string(i + 1) + " (" + p.name + "):\n";
      std::string undo = FormatOnlinePhaseSql(plan, i, true);
      size_t pos = 0;
      while (pos < undo.size()) {
        size_t end = undo.find('\n', pos);
        if (end == std::string::npos) end = undo.size();
        std::string line = undo.substr(pos, end - pos);
        out += "--   " + line + "\n";
        pos = end + 1;
      }
    }
  }
  return out;
}

std::string FormatOnlineText(const OnlinePlan& plan) {
  std::string out;
  if (plan.phases.empty()) out += "no differences\n";
  for (size_t i = 0; i < plan.phases.size(); ++i) {
    const OnlinePhase& p = plan.phases[i];
    out += "phase " + std::to_string(i + 1) + ": " + p.name + " - " + p.purpose + "\n";
    for (const OnlineStep& s : p.steps) {
      out += "  " + s.what + ": " + s.object + " (" + Notes(s) + ")\n";
      if (!s.note.empty()) out += "    " + s.note + "\n";
    }
    for (const OnlineStep& s : p.rollback) {
      out += "  rollback: " + s.what + ": " + s.object + "\n";
    }
  }
  for (const std::string& w : plan.warnings) out += "warning: " + w + "\n";
  return out;
}

std::string FormatOnlineJson(const OnlinePlan& plan) {
  nlohmann::ordered_json phases = nlohmann::ordered_json::array();
  for (const OnlinePhase& p : plan.phases) {
    nlohmann::ordered_json j;
    j["name"] = p.name;
    j["purpose"] = p.purpose;
    j["steps"] = nlohmann::ordered_json::array();
    for (const OnlineStep& s : p.steps) j["steps"].push_back(StepJson(s));
    j["rollback"] = nlohmann::ordered_json::array();
    for (const OnlineStep& s : p.rollback) j["rollback"].push_back(StepJson(s));
    phases.push_back(std::move(j));
  }
  nlohmann::ordered_json out;
  out["online"] = true;
  out["lock_timeout"] = plan.options.lock_timeout;
  out["statement_timeout"] = plan.options.statement_timeout;
  out["phases"] = std::move(phases);
  out["warnings"] = plan.warnings;
  return out.dump(2) + "\n";
}

}  // namespace dbarch::diff
