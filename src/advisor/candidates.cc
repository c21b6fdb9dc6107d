#include "advisor/candidates.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "base/strings.h"
#include "sql/ast.h"
#include "sql/parser.h"

namespace dbarch::advisor {
namespace {

using sql::Node;
using sql::Nodes;

// One FROM item as seen by name resolution.
struct RangeEntry {
  std::string alias;                      // the name it is referenced by
  const catalog::Table* table = nullptr;  // null: subquery, CTE, function, unknown relation
};

// The FROM items of one query level, and the level it is nested in (for correlated names).
struct Scope {
  std::vector<RangeEntry> entries;
  const Scope* parent = nullptr;
};

struct Resolved {
  const RangeEntry* entry = nullptr;
  const catalog::Table* table = nullptr;
  std::string column;
};

bool IsEqOrRangeOp(std::string_view op) {
  return op == "=" || op == "<" || op == ">" || op == "<=" || op == ">=";
}

std::string_view LastName(Node* const* items, size_t n) {
  if (n == 0) return {};
  return sql::StrVal(items[n - 1]);
}

// Calls fn on every node below `n` (not `n` itself) in the same query level: SubLink
// subselects are not entered. Return false from fn to skip a node's children.
void WalkChildren(const Node* n, const std::function<bool(const Node*)>& fn) {
  if (n == nullptr) return;
  sql::ForEachChildNode(&n->base, [&](Node* const& child) {
    if (child == nullptr) return;
    if (child->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) return;
    if (fn(child)) WalkChildren(child, fn);
  });
}

class Extractor {
 public:
  explicit Extractor(const catalog::Catalog& catalog) : catalog_(catalog) {}

  void Select(const PgQuery__SelectStmt* s, const Scope* parent);
  // The timed statement is an INSERT / UPDATE / DELETE: its target and what it reads.
  // kNotSupported when the target is not a catalog table.
  Status Insert(const PgQuery__InsertStmt* s);
  Status Update(const PgQuery__UpdateStmt* s);
  Status Delete(const PgQuery__DeleteStmt* s);
  QueryColumns Finish() const;

 private:
  void AddFromItem(const Node* item, const Scope* parent, Scope& scope,
                   std::vector<const Node*>& quals);
  std::optional<Resolved> Resolve(const Node* n, const Scope& scope) const;
  void Predicate(const Node* n, const Scope& scope);
  void Subqueries(const Node* n, const Scope& scope);
  void References(const Node* n, const Scope& scope);
  bool RefersTo(const Node* n, const RangeEntry* entry, const Scope& scope) const;
  // The write target's scope entry; sets write_. kNotSupported for an unknown table.
  Status Target(const PgQuery__RangeVar* rv, WriteKind kind, Scope& scope);
  void WithClause(const PgQuery__WithClause* with, const Scope* parent);
  void Mark(const Resolved& r, ColumnUse use) {
    uses_[{r.table->name, r.column}] |= static_cast<uint32_t>(use);
  }

  const catalog::Catalog& catalog_;
  std::set<std::string> cte_names_;
  std::set<catalog::QualifiedName> tables_;
  std::map<std::pair<catalog::QualifiedName, std::string>, uint32_t> uses_;
  std::set<std::pair<catalog::QualifiedName, std::string>> referenced_;
  std::optional<WriteTarget> write_;
};

void Extractor::AddFromItem(const Node* item, const Scope* parent, Scope& scope,
                            std::vector<const Node*>& quals) {
  switch (item->node_case) {
    case PG_QUERY__NODE__NODE_RANGE_VAR: {
      const PgQuery__RangeVar* rv = item->range_var;
      std::string alias = rv->alias != nullptr && rv->alias->aliasname[0] != '\0'
                              ? rv->alias->aliasname
                              : rv->relname;
      const catalog::Table* table = nullptr;
      bool is_cte = rv->schemaname[0] == '\0' && cte_names_.count(rv->relname) != 0;
      if (!is_cte) {
        catalog::QualifiedName name{rv->schemaname[0] != '\0' ? rv->schemaname : "public",
                                    rv->relname};
        table = catalog_.FindTable(name);
        if (table != nullptr) tables_.insert(table->name);
      }
      scope.entries.push_back(RangeEntry{std::move(alias), table});
      return;
    }
    case PG_QUERY__NODE__NODE_JOIN_EXPR: {
      const PgQuery__JoinExpr* j = item->join_expr;
      if (j->larg != nullptr) AddFromItem(j->larg, parent, scope, quals);
      if (j->rarg != nullptr) AddFromItem(j->rarg, parent, scope, quals);
      if (j->quals != nullptr) quals.push_back(j->quals);
      return;
    }
    case PG_QUERY__NODE__NODE_RANGE_SUBSELECT: {
      const PgQuery__RangeSubselect* rs = item->range_subselect;
      // LATERAL subqueries would see the FROM items before them; resolving them against the
      // outer level only is conservative (their correlated columns stay unresolved).
      if (rs->subquery != nullptr && rs->subquery->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
        Select(rs->subquery->select_stmt, parent);
      }
      scope.entries.push_back(
          RangeEntry{rs->alias != nullptr ? rs->alias->aliasname : std::string(), nullptr});
      return;
    }
    default:
      // Functions, VALUES, table samples...: names through them stay unresolved.
      scope.entries.push_back(RangeEntry{});
      return;
  }
}

std::optional<Resolved> Extractor::Resolve(const Node* n, const Scope& scope) const {
  while (n != nullptr && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) n = n->type_cast->arg;
  if (n == nullptr || n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return std::nullopt;
  const PgQuery__ColumnRef* ref = n->column_ref;
  std::vector<std::string_view> fields;
  for (const Node* f : Nodes(ref->n_fields, ref->fields)) {
    if (f->node_case != PG_QUERY__NODE__NODE_STRING) return std::nullopt;  // a.*
    fields.push_back(sql::StrVal(f));
  }
  if (fields.empty() || fields.size() > 3) return std::nullopt;
  const std::string column(fields.back());
  if (fields.size() == 1) {
    for (const Scope* s = &scope; s != nullptr; s = s->parent) {
      const RangeEntry* match = nullptr;
      int matches = 0;
      bool opaque = false;
      for (const RangeEntry& e : s->entries) {
        if (e.table == nullptr) {
          opaque = true;
        } else if (e.table->FindColumn(column) != nullptr) {
          match = &e;
          ++matches;
        }
      }
      if (matches == 1) return Resolved{match, match->table, column};
      if (matches > 1 || opaque) return std::nullopt;  // ambiguous, or maybe a subquery's
    }
    return std::nullopt;
  }
  const std::string_view qualifier = fields[fields.size() - 2];
  for (const Scope* s = &scope; s != nullptr; s = s->parent) {
    for (const RangeEntry& e : s->entries) {
      if (e.alias != qualifier) continue;
      if (e.table == nullptr || e.table->FindColumn(column) == nullptr) return std::nullopt;
      return Resolved{&e, e.table, column};
    }
  }
  return std::nullopt;
}

bool Extractor::RefersTo(const Node* n, const RangeEntry* entry, const Scope& scope) const {
  bool found = false;
  auto check = [&](const Node* x) {
    if (x->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
      std::optional<Resolved> r = Resolve(x, scope);
      if (r && r->entry == entry) found = true;
      return false;
    }
    return !found;
  };
  if (check(n)) WalkChildren(n, check);
  return found;
}

void Extractor::Predicate(const Node* n, const Scope& scope) {
  if (n == nullptr) return;
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_BOOL_EXPR: {
      const PgQuery__BoolExpr* b = n->bool_expr;
      // Under OR each arm can still use an index (BitmapOr); under NOT nothing can.
      if (b->boolop == PG_QUERY__BOOL_EXPR_TYPE__NOT_EXPR) return;
      for (const Node* a : Nodes(b->n_args, b->args)) Predicate(a, scope);
      return;
    }
    case PG_QUERY__NODE__NODE_A_EXPR: {
      const PgQuery__AExpr* e = n->a_expr;
      std::string_view op = LastName(e->name, e->n_name);
      switch (e->kind) {
        case PG_QUERY__A__EXPR__KIND__AEXPR_OP: {
          if (!IsEqOrRangeOp(op)) return;
          const ColumnUse use = op == "=" ? ColumnUse::kEquality : ColumnUse::kRange;
          std::optional<Resolved> l = Resolve(e->lexpr, scope);
          std::optional<Resolved> r = Resolve(e->rexpr, scope);
          if (l && r) {
            if (l->entry == r->entry) return;  // l_commitdate < l_receiptdate: no index key
            Mark(*l, op == "=" ? ColumnUse::kJoin : ColumnUse::kRange);
            Mark(*r, op == "=" ? ColumnUse::kJoin : ColumnUse::kRange);
          } else if (l) {
            if (!RefersTo(e->rexpr, l->entry, scope)) Mark(*l, use);
          } else if (r) {
            if (!RefersTo(e->lexpr, r->entry, scope)) Mark(*r, use);
          }
          return;
        }
        case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY:
        case PG_QUERY__A__EXPR__KIND__AEXPR_IN: {
          if (op != "=") return;  // NOT IN, <> ANY
          std::optional<Resolved> l = Resolve(e->lexpr, scope);
          if (l && !RefersTo(e->rexpr, l->entry, scope)) Mark(*l, ColumnUse::kIn);
          return;
        }
        case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
        case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM: {
          std::optional<Resolved> l = Resolve(e->lexpr, scope);
          if (l && !RefersTo(e->rexpr, l->entry, scope)) Mark(*l, ColumnUse::kRange);
          return;
        }
        default:
          return;
      }
    }
    case PG_QUERY__NODE__NODE_NULL_TEST: {
      if (n->null_test->nulltesttype != PG_QUERY__NULL_TEST_TYPE__IS_NULL) return;
      if (std::optional<Resolved> r = Resolve(n->null_test->arg, scope)) {
        Mark(*r, ColumnUse::kIsNull);
      }
      return;
    }
    case PG_QUERY__NODE__NODE_SUB_LINK: {
      const PgQuery__SubLink* s = n->sub_link;
      // x IN (SELECT ...): a semi-join on x. oper_name is empty for IN, "=" for = ANY.
      if (s->sub_link_type != PG_QUERY__SUB_LINK_TYPE__ANY_SUBLINK) return;
      std::string_view op = LastName(s->oper_name, s->n_oper_name);
      if (!op.empty() && op != "=") return;
      if (std::optional<Resolved> r = Resolve(s->testexpr, scope)) Mark(*r, ColumnUse::kJoin);
      return;
    }
    default:
      return;
  }
}

void Extractor::Subqueries(const Node* n, const Scope& scope) {
  if (n == nullptr) return;
  auto visit = [&](const Node* x) {
    if (x->node_case == PG_QUERY__NODE__NODE_SUB_LINK) {
      const PgQuery__SubLink* s = x->sub_link;
      if (s->subselect != nullptr && s->subselect->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
        Select(s->subselect->select_stmt, &scope);
      }
    }
    return true;  // WalkChildren never enters the subselect itself
  };
  if (visit(n)) WalkChildren(n, visit);
}

void Extractor::References(const Node* n, const Scope& scope) {
  if (n == nullptr) return;
  auto visit = [&](const Node* x) {
    if (x->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return true;
    if (std::optional<Resolved> r = Resolve(x, scope)) {
      referenced_.emplace(r->table->name, r->column);
    }
    return false;
  };
  if (visit(n)) WalkChildren(n, visit);
}

void Extractor::Select(const PgQuery__SelectStmt* s, const Scope* parent) {
  if (s == nullptr) return;
  if (s->larg != nullptr || s->rarg != nullptr) {  // UNION / INTERSECT / EXCEPT
    Select(s->larg, parent);
    Select(s->rarg, parent);
    return;
  }
  WithClause(s->with_clause, parent);
  Scope scope;
  scope.parent = parent;
  std::vector<const Node*> quals;
  for (const Node* item : Nodes(s->n_from_clause, s->from_clause)) {
    AddFromItem(item, parent, scope, quals);
  }
  // Entries are complete: pointers into scope.entries stay valid from here on.
  quals.push_back(s->where_clause);
  quals.push_back(s->having_clause);
  for (const Node* q : quals) {
    Predicate(q, scope);
    Subqueries(q, scope);
    References(q, scope);
  }
  std::map<std::string, const Node*, std::less<>> output_aliases;
  for (const Node* t : Nodes(s->n_target_list, s->target_list)) {
    if (t->node_case != PG_QUERY__NODE__NODE_RES_TARGET) continue;
    Subqueries(t->res_target->val, scope);
    References(t->res_target->val, scope);
    if (t->res_target->name[0] != '\0') output_aliases[t->res_target->name] = t->res_target->val;
  }
  for (const Node* g : Nodes(s->n_group_clause, s->group_clause)) {
    // GROUP BY prefers input columns over output aliases (PostgreSQL's rule).
    if (std::optional<Resolved> r = Resolve(g, scope)) Mark(*r, ColumnUse::kGroupBy);
    References(g, scope);
  }
  for (const Node* o : Nodes(s->n_sort_clause, s->sort_clause)) {
    if (o->node_case != PG_QUERY__NODE__NODE_SORT_BY) continue;
    const Node* key = o->sort_by->node;
    // ORDER BY prefers output aliases over input columns: follow a bare alias to its value.
    if (key != nullptr && key->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
        key->column_ref->n_fields == 1) {
      auto it = output_aliases.find(sql::StrVal(key->column_ref->fields[0]));
      if (it != output_aliases.end()) key = it->second;
    }
    if (std::optional<Resolved> r = Resolve(key, scope)) Mark(*r, ColumnUse::kOrderBy);
    References(key, scope);
  }
}

void Extractor::WithClause(const PgQuery__WithClause* with, const Scope* parent) {
  if (with == nullptr) return;
  for (const Node* c : Nodes(with->n_ctes, with->ctes)) {
    if (c->node_case != PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR) continue;
    const PgQuery__CommonTableExpr* cte = c->common_table_expr;
    cte_names_.insert(cte->ctename);
    if (cte->ctequery != nullptr && cte->ctequery->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
      Select(cte->ctequery->select_stmt, parent);
    }
  }
}

Status Extractor::Target(const PgQuery__RangeVar* rv, WriteKind kind, Scope& scope) {
  catalog::QualifiedName name{rv->schemaname[0] != '\0' ? rv->schemaname : "public", rv->relname};
  const catalog::Table* table = catalog_.FindTable(name);
  if (table == nullptr) {
    return Status::NotSupported("writes " + name.Quoted() + ", which is not a table of the schema");
  }
  write_ = WriteTarget{table->name, kind, {}};
  std::string alias = rv->alias != nullptr && rv->alias->aliasname[0] != '\0'
                          ? rv->alias->aliasname
                          : rv->relname;
  scope.entries.push_back(RangeEntry{std::move(alias), table});
  return Status::OK();
}

Status Extractor::Insert(const PgQuery__InsertStmt* s) {
  WithClause(s->with_clause, nullptr);
  Scope none;
  DBARCH_RETURN_IF_ERROR(Target(s->relation, WriteKind::kInsert, none));
  // INSERT ... SELECT reads through its SELECT; VALUES lists read nothing indexable.
  if (s->select_stmt != nullptr && s->select_stmt->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
    Select(s->select_stmt->select_stmt, nullptr);
  }
  return Status::OK();
}

Status Extractor::Update(const PgQuery__UpdateStmt* s) {
  WithClause(s->with_clause, nullptr);
  Scope scope;
  DBARCH_RETURN_IF_ERROR(Target(s->relation, WriteKind::kUpdate, scope));
  tables_.insert(write_->table);  // the UPDATE finds its rows by reading the target
  std::vector<const Node*> quals;
  for (const Node* item : Nodes(s->n_from_clause, s->from_clause)) {
    AddFromItem(item, nullptr, scope, quals);
  }
  quals.push_back(s->where_clause);
  for (const Node* q : quals) {
    Predicate(q, scope);
    Subqueries(q, scope);
    References(q, scope);
  }
  std::set<std::string> assigned;
  for (const Node* t : Nodes(s->n_target_list, s->target_list)) {
    if (t->node_case != PG_QUERY__NODE__NODE_RES_TARGET) continue;
    assigned.insert(t->res_target->name);
    Subqueries(t->res_target->val, scope);
    References(t->res_target->val, scope);
  }
  write_->set_columns.assign(assigned.begin(), assigned.end());
  return Status::OK();
}

Status Extractor::Delete(const PgQuery__DeleteStmt* s) {
  WithClause(s->with_clause, nullptr);
  Scope scope;
  DBARCH_RETURN_IF_ERROR(Target(s->relation, WriteKind::kDelete, scope));
  tables_.insert(write_->table);
  std::vector<const Node*> quals;
  for (const Node* item : Nodes(s->n_using_clause, s->using_clause)) {
    AddFromItem(item, nullptr, scope, quals);
  }
  quals.push_back(s->where_clause);
  for (const Node* q : quals) {
    Predicate(q, scope);
    Subqueries(q, scope);
    References(q, scope);
  }
  return Status::OK();
}

QueryColumns Extractor::Finish() const {
  QueryColumns out;
  out.tables.assign(tables_.begin(), tables_.end());
  for (const auto& [key, uses] : uses_) {
    out.columns.push_back(IndexableColumn{key.first, key.second, uses});
  }
  out.referenced.assign(referenced_.begin(), referenced_.end());
  out.write = write_;
  return out;
}

Status ParseAndAnalyze(const workload::Query& query, const std::string& text, bool timed,
                       Extractor& extractor) {
  SourceFile file(query.span.file.empty() ? query.name : query.span.file, text);
  Result<sql::ParseTree> tree = sql::ParseTree::Parse(file);
  if (!tree.ok()) return std::move(tree).TakeStatus().WithContext("query \"" + query.name + "\"");
  for (const sql::Statement& st : tree->statements()) {
    const Node* n = st.node;
    if (n->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
      extractor.Select(n->select_stmt, nullptr);
    } else if (!timed && n->node_case == PG_QUERY__NODE__NODE_VIEW_STMT) {
      const Node* q = n->view_stmt->query;
      if (q != nullptr && q->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
        extractor.Select(q->select_stmt, nullptr);
      }
    } else if (timed && (n->node_case == PG_QUERY__NODE__NODE_INSERT_STMT ||
                         n->node_case == PG_QUERY__NODE__NODE_UPDATE_STMT ||
                         n->node_case == PG_QUERY__NODE__NODE_DELETE_STMT)) {
      Status st = n->node_case == PG_QUERY__NODE__NODE_INSERT_STMT
                      ? extractor.Insert(n->insert_stmt)
                  : n->node_case == PG_QUERY__NODE__NODE_UPDATE_STMT
                      ? extractor.Update(n->update_stmt)
                      : extractor.Delete(n->delete_stmt);
      if (!st.ok()) return std::move(st).WithSpan(query.span);
    } else if (timed) {
      return Status::NotSupported("query \"" + query.name +
                                  "\" is not a SELECT, INSERT, UPDATE or DELETE")
          .WithSpan(query.span);
    }
  }
  return Status::OK();
}

}  // namespace

bool IndexableColumn::IsEqualityLike() const {
  return Has(ColumnUse::kEquality) || Has(ColumnUse::kIn) || Has(ColumnUse::kIsNull) ||
         Has(ColumnUse::kJoin);
}

std::string ColumnUseNames(uint32_t uses) {
  static constexpr std::pair<ColumnUse, const char*> kNames[] = {
      {ColumnUse::kEquality, "eq"},   {ColumnUse::kRange, "range"}, {ColumnUse::kIn, "in"},
      {ColumnUse::kIsNull, "null"},   {ColumnUse::kJoin, "join"},   {ColumnUse::kGroupBy, "group"},
      {ColumnUse::kOrderBy, "order"},
  };
  std::vector<std::string> parts;
  for (const auto& [use, name] : kNames) {
    if ((uses & static_cast<uint32_t>(use)) != 0) parts.emplace_back(name);
  }
  return Join(parts, ",");
}

Result<QueryColumns> ExtractIndexableColumns(const workload::Query& query,
                                             const catalog::Catalog& catalog) {
  Extractor extractor(catalog);
  for (const std::string& setup : query.setup) {
    DBARCH_RETURN_IF_ERROR(ParseAndAnalyze(query, setup, /*timed=*/false, extractor));
  }
  DBARCH_RETURN_IF_ERROR(ParseAndAnalyze(query, query.sql, /*timed=*/true, extractor));
  return extractor.Finish();
}

std::vector<IndexDef> CandidateIndexes(const QueryColumns& columns, int max_width) {
  std::vector<IndexDef> out;
  if (max_width < 1) return out;
  // columns are sorted by table: handle one table's run at a time.
  for (size_t begin = 0; begin < columns.columns.size();) {
    size_t end = begin;
    while (end < columns.columns.size() &&
           columns.columns[end].table == columns.columns[begin].table) {
      ++end;
    }
    const catalog::QualifiedName& table = columns.columns[begin].table;
    std::vector<size_t> key;
    std::function<void()> extend = [&]() {
      IndexDef def{table, {}, {}};
      for (size_t k : key) def.columns.push_back(columns.columns[k].column);
      out.push_back(std::move(def));
      if (static_cast<int>(key.size()) >= max_width) return;
      // Only an equality-like column may be followed by another key column.
      if (!columns.columns[key.back()].IsEqualityLike()) return;
      for (size_t k = begin; k < end; ++k) {
        if (std::find(key.begin(), key.end(), k) != key.end()) continue;
        key.push_back(k);
        extend();
        key.pop_back();
      }
    };
    for (size_t k = begin; k < end; ++k) {
      key.assign(1, k);
      extend();
    }
    begin = end;
  }
  std::sort(out.begin(), out.end(),
            [](const IndexDef& a, const IndexDef& b) { return a.Key() < b.Key(); });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace dbarch::advisor
