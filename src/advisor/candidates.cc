#include "advisor/candidates.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "base/strings.h"
#include "sql/arena.h"
#include "sql/ast.h"
#include "sql/expr_normalizer.h"
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

// Functions whose call is an aggregate: never part of an index expression.
bool IsAggregateName(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "count",    "sum",     "avg",   "min",       "max",      "array_agg", "string_agg",
      "bool_and", "bool_or", "every", "jsonb_agg", "json_agg", "stddev",    "variance"};
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

const Node* StripCasts(const Node* n) {
  while (n != nullptr && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) n = n->type_cast->arg;
  return n;
}

// character(n) / bpchar, the blank-padded type (not character varying).
bool IsBlankPaddedChar(std::string_view type) {
  return type == "bpchar" ||
         (StartsWith(type, "character") && !StartsWith(type, "character varying"));
}

// A cast to text or varchar (written `::text`, `::varchar(n)`, `CAST(... AS character varying)`).
bool CastsToText(const PgQuery__TypeCast* cast) {
  if (cast->type_name == nullptr || cast->type_name->n_names == 0) return false;
  const Node* last = cast->type_name->names[cast->type_name->n_names - 1];
  if (last->node_case != PG_QUERY__NODE__NODE_STRING) return false;
  std::string_view name = sql::StrVal(last);
  return name == "text" || name == "varchar";
}

bool IsLiteral(const Node* n) {
  n = StripCasts(n);
  return n != nullptr && n->node_case == PG_QUERY__NODE__NODE_A_CONST && !n->a_const->isnull;
}

// The text of a constant or parameter pattern, when known (a string literal, or $n with a
// sample value).
std::optional<std::string> KnownText(const Node* n, const workload::Query& query) {
  n = StripCasts(n);
  if (n == nullptr) return std::nullopt;
  if (n->node_case == PG_QUERY__NODE__NODE_A_CONST &&
      n->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL && n->a_const->sval != nullptr) {
    return std::string(n->a_const->sval->sval);
  }
  if (n->node_case == PG_QUERY__NODE__NODE_PARAM_REF) {
    int i = n->param_ref->number - 1;
    if (i >= 0 && i < static_cast<int>(query.params.size()) && query.params[i]) {
      return *query.params[i];
    }
  }
  return std::nullopt;
}

// A primary key or unique column of its own, or a column of a foreign key: its values
// identify rows (or their parents), they do not classify them.
bool IsKeyLike(const catalog::Table& table, const std::string& column) {
  for (const catalog::Constraint& c : table.constraints) {
    bool keyed = c.kind == catalog::ConstraintKind::kPrimaryKey ||
                 c.kind == catalog::ConstraintKind::kUnique;
    if (keyed && c.columns.size() == 1 && c.columns[0] == column) return true;
    if (c.kind == catalog::ConstraintKind::kForeignKey &&
        std::find(c.columns.begin(), c.columns.end(), column) != c.columns.end()) {
      return true;
    }
  }
  return false;
}

class Extractor {
 public:
  Extractor(const catalog::Catalog& catalog, const workload::Query& query)
      : catalog_(catalog), query_(query) {}

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
  // The FROM / USING items of an UPDATE / DELETE and its WHERE, read like a SELECT's.
  void WriteReads(Node* const* items, size_t n_items, const Node* where, Scope& scope);
  void WithClause(const PgQuery__WithClause* with, const Scope* parent);
  bool HasColumnRef(const Node* n) const;
  // An expression (not a bare column) whose column references all resolve to one FROM
  // entry, without subqueries or aggregates: its canonical text without qualifiers.
  struct ExprMatch {
    Resolved resolved;  // the FROM entry and table (column: one of the expression's)
    IndexKey key;
  };
  std::optional<ExprMatch> OneTableExpression(const Node* n, const Scope& scope);
  // Canonical text of `n` with every column reference cut to its column name.
  std::optional<std::string> UnqualifiedText(const Node* n);
  void ConstantPredicates(const Node* n, const Scope& scope);
  void GinPredicate(const PgQuery__AExpr* e, std::string_view op, const Scope& scope);
  void Mark(const Resolved& r, ColumnUse use) {
    uses_[{r.table->name, r.column}] |= static_cast<uint32_t>(use);
  }
  void MarkExpression(const Resolved& r, IndexKey key, ColumnUse use) {
    expressions_[{r.table->name, std::move(key)}] |= static_cast<uint32_t>(use);
  }
  const catalog::Column* ColumnOf(const Resolved& r) const { return r.table->FindColumn(r.column); }

  const catalog::Catalog& catalog_;
  const workload::Query& query_;
  sql::Arena arena_;  // copies of expressions being rewritten
  std::map<std::pair<catalog::QualifiedName, std::string>, SortOrder> orders_;
  std::map<std::pair<catalog::QualifiedName, IndexKey>, uint32_t> expressions_;
  std::set<ConstantPredicate> predicates_;
  std::set<GinTarget> gin_;
  std::set<PrefixSearch> prefixes_;
  std::set<TopNSort> top_n_;
  bool grouped_ = false;
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

bool Extractor::HasColumnRef(const Node* n) const {
  if (n == nullptr) return false;
  bool found = false;
  auto check = [&](const Node* x) {
    if (x->node_case == PG_QUERY__NODE__NODE_COLUMN_REF ||
        x->node_case == PG_QUERY__NODE__NODE_SUB_LINK) {
      found = true;  // a subquery counts: it is not a constant
    }
    return !found;
  };
  if (check(n)) WalkChildren(n, check);
  return found;
}

std::optional<std::string> Extractor::UnqualifiedText(const Node* n) {
  Node* copy = arena_.Copy(n);
  auto strip = [&](const Node* x) {
    if (x->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
      PgQuery__ColumnRef* ref = x->column_ref;
      if (ref->n_fields > 1) {
        ref->fields = &ref->fields[ref->n_fields - 1];
        ref->n_fields = 1;
      }
      return false;
    }
    return true;
  };
  if (strip(copy)) WalkChildren(copy, strip);
  Result<std::string> text = sql::CanonicalExpr(copy, sql::ExprContext::kGeneric);
  if (!text.ok()) return std::nullopt;
  return std::move(*text);
}

std::optional<Extractor::ExprMatch> Extractor::OneTableExpression(const Node* n,
                                                                  const Scope& scope) {
  if (n == nullptr || StripCasts(n)->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
    return std::nullopt;  // a bare column is not an expression key
  }
  std::optional<Resolved> first;
  std::vector<std::string> columns;
  bool ok = true;
  auto visit = [&](const Node* x) {
    if (!ok) return false;
    switch (x->node_case) {
      case PG_QUERY__NODE__NODE_COLUMN_REF: {
        std::optional<Resolved> r = Resolve(x, scope);
        if (!r || (first && r->entry != first->entry)) {
          ok = false;
        } else {
          if (!first) first = r;
          columns.push_back(r->column);
        }
        return false;
      }
      case PG_QUERY__NODE__NODE_SUB_LINK:
      case PG_QUERY__NODE__NODE_PARAM_REF:
        ok = false;
        return false;
      case PG_QUERY__NODE__NODE_FUNC_CALL: {
        const PgQuery__FuncCall* f = x->func_call;
        if (f->over != nullptr || f->agg_star ||
            IsAggregateName(LastName(f->funcname, f->n_funcname))) {
          ok = false;
        }
        return ok;
      }
      default:
        return true;
    }
  };
  if (visit(n)) WalkChildren(n, visit);
  if (!ok || !first) return std::nullopt;
  std::optional<std::string> text = UnqualifiedText(n);
  if (!text) return std::nullopt;
  return ExprMatch{*first, IndexKey::Expression(std::move(*text), std::move(columns))};
}

void Extractor::GinPredicate(const PgQuery__AExpr* e, std::string_view op, const Scope& scope) {
  const bool like = e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_LIKE ||
                    e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE;
  if (like || op == "~" || op == "~*") {
    if (like && op != "~~" && op != "~~*") return;  // NOT LIKE
    std::optional<Resolved> l = Resolve(e->lexpr, scope);
    if (!l || HasColumnRef(e->rexpr)) return;
    if ((like && op == "~~") || op == "~") {
      // A pattern with a literal prefix is a B-tree range (text_pattern_ops), not trigram
      // work; an unknown pattern may well start with a wildcard.
      std::optional<std::string> pattern = KnownText(e->rexpr, query_);
      bool prefix = false;
      if (pattern && like) {
        prefix = !pattern->empty() && (*pattern)[0] != '%' && (*pattern)[0] != '_';
      } else if (pattern) {
        // A regular expression anchored at the start, then a literal character.
        prefix = pattern->size() >= 2 && (*pattern)[0] == '^' &&
                 std::string_view("\\.^$*+?()[]{}|").find((*pattern)[1]) == std::string_view::npos;
      }
      if (prefix) {
        const catalog::Column* col = ColumnOf(*l);
        if (col == nullptr) return;
        std::string opclass = StartsWith(col->type, "character varying") ? "varchar_pattern_ops"
                              : StartsWith(col->type, "character")       ? "bpchar_pattern_ops"
                              : col->type == "text"                      ? "text_pattern_ops"
                                                                         : "";
        if (opclass.empty()) return;
        bool column_c = col->collation == "C" || col->collation == "POSIX";
        prefixes_.insert(PrefixSearch{l->table->name, l->column, opclass, column_c});
        return;
      }
    }
    // gin_trgm_ops is an operator class of text (varchar and domains over text coerce to it
    // without a function). A character(n) column has its own LIKE operators (bpchar ~~ text)
    // that no text operator class serves, and CREATE INDEX refuses gin_trgm_ops on it; only a
    // query that compares the column cast to text can use an index on that cast.
    const catalog::Column* col = ColumnOf(*l);
    if (col != nullptr && IsBlankPaddedChar(col->type)) {
      const Node* lhs = e->lexpr;
      if (lhs == nullptr || lhs->node_case != PG_QUERY__NODE__NODE_TYPE_CAST ||
          !CastsToText(lhs->type_cast) || StripCasts(lhs->type_cast->arg) != lhs->type_cast->arg) {
        return;
      }
      std::optional<std::string> text = UnqualifiedText(lhs);
      if (!text) return;
      IndexKey key = IndexKey::Expression(std::move(*text), {l->column});
      key.opclass = "gin_trgm_ops";
      gin_.insert(GinTarget{l->table->name, std::move(key), "trigram"});
      return;
    }
    IndexKey key = IndexKey::Column(l->column);
    key.opclass = "gin_trgm_ops";
    gin_.insert(GinTarget{l->table->name, std::move(key), "trigram"});
    return;
  }
  if (op == "@>" || op == "&&" || op == "<@") {
    std::optional<Resolved> l = Resolve(e->lexpr, scope);
    if (!l || HasColumnRef(e->rexpr)) return;
    const catalog::Column* col = ColumnOf(*l);
    if (col == nullptr) return;
    IndexKey key = IndexKey::Column(l->column);
    if (col->type == "jsonb" && op == "@>") {
      key.opclass = "jsonb_path_ops";
      gin_.insert(GinTarget{l->table->name, std::move(key), "jsonb containment"});
    } else if (col->type.size() > 2 && col->type.compare(col->type.size() - 2, 2, "[]") == 0) {
      gin_.insert(GinTarget{l->table->name, std::move(key), "array"});
    }
    return;
  }
  if (op == "@@") {
    for (const Node* side : {e->lexpr, e->rexpr}) {
      const Node* x = StripCasts(side);
      if (x == nullptr) continue;
      if (x->node_case == PG_QUERY__NODE__NODE_FUNC_CALL &&
          LastName(x->func_call->funcname, x->func_call->n_funcname) == "to_tsvector") {
        if (std::optional<ExprMatch> m = OneTableExpression(x, scope)) {
          gin_.insert(GinTarget{m->resolved.table->name, std::move(m->key), "full text"});
        }
      } else if (std::optional<Resolved> r = Resolve(x, scope)) {
        const catalog::Column* col = ColumnOf(*r);
        if (col != nullptr && col->type == "tsvector") {
          gin_.insert(GinTarget{r->table->name, IndexKey::Column(r->column), "full text"});
        }
      }
    }
  }
}

void Extractor::ConstantPredicates(const Node* n, const Scope& scope) {
  if (n == nullptr) return;
  if (n->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR &&
      n->bool_expr->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR) {
    for (const Node* a : Nodes(n->bool_expr->n_args, n->bool_expr->args)) {
      ConstantPredicates(a, scope);
    }
    return;
  }
  std::optional<Resolved> column;
  bool equality = false;
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_A_EXPR: {
      const PgQuery__AExpr* e = n->a_expr;
      if (e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP || LastName(e->name, e->n_name) != "=") {
        return;
      }
      if (IsLiteral(e->rexpr)) {
        column = Resolve(e->lexpr, scope);
      } else if (IsLiteral(e->lexpr)) {
        column = Resolve(e->rexpr, scope);
      }
      // A literal compared with a key is a sample value of a parameter, not a class of rows.
      if (column && IsKeyLike(*column->table, column->column)) return;
      equality = true;
      break;
    }
    case PG_QUERY__NODE__NODE_NULL_TEST:
      column = Resolve(n->null_test->arg, scope);
      break;
    case PG_QUERY__NODE__NODE_COLUMN_REF:
      column = Resolve(n, scope);
      if (column && (ColumnOf(*column) == nullptr || ColumnOf(*column)->type != "boolean")) {
        return;
      }
      break;
    case PG_QUERY__NODE__NODE_BOOL_EXPR: {
      const PgQuery__BoolExpr* b = n->bool_expr;
      if (b->boolop != PG_QUERY__BOOL_EXPR_TYPE__NOT_EXPR || b->n_args != 1) return;
      const Node* arg = b->args[0];
      if (arg->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return;
      column = Resolve(arg, scope);
      if (column && (ColumnOf(*column) == nullptr || ColumnOf(*column)->type != "boolean")) {
        return;
      }
      break;
    }
    default:
      return;
  }
  if (!column) return;
  std::optional<std::string> text = UnqualifiedText(n);
  if (!text) return;
  predicates_.insert(
      ConstantPredicate{column->table->name, std::move(*text), column->column, equality});
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
        case PG_QUERY__A__EXPR__KIND__AEXPR_LIKE:
        case PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE:
          GinPredicate(e, op, scope);
          return;
        case PG_QUERY__A__EXPR__KIND__AEXPR_OP: {
          if (!IsEqOrRangeOp(op)) {
            GinPredicate(e, op, scope);
            return;
          }
          const ColumnUse use = op == "=" ? ColumnUse::kEquality : ColumnUse::kRange;
          std::optional<Resolved> l = Resolve(e->lexpr, scope);
          std::optional<Resolved> r = Resolve(e->rexpr, scope);
          if (!l && !r) {
            // An expression of one table compared with a constant or parameter.
            if (!HasColumnRef(e->rexpr)) {
              if (std::optional<ExprMatch> m = OneTableExpression(e->lexpr, scope)) {
                MarkExpression(m->resolved, std::move(m->key), use);
              }
            } else if (!HasColumnRef(e->lexpr)) {
              if (std::optional<ExprMatch> m = OneTableExpression(e->rexpr, scope)) {
                MarkExpression(m->resolved, std::move(m->key), use);
              }
            }
            return;
          }
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
          if (l && !RefersTo(e->rexpr, l->entry, scope)) {
            Mark(*l, ColumnUse::kIn);
          } else if (!l && !HasColumnRef(e->rexpr)) {
            if (std::optional<ExprMatch> m = OneTableExpression(e->lexpr, scope)) {
              MarkExpression(m->resolved, std::move(m->key), ColumnUse::kIn);
            }
          }
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
  for (const Node* q : quals) ConstantPredicates(q, scope);
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
  if (s->n_group_clause > 0) grouped_ = true;
  for (const Node* g : Nodes(s->n_group_clause, s->group_clause)) {
    // GROUP BY prefers input columns over output aliases (PostgreSQL's rule).
    if (std::optional<Resolved> r = Resolve(g, scope)) Mark(*r, ColumnUse::kGroupBy);
    References(g, scope);
  }
  // A LIMIT under ORDER BY whose keys are all columns of one table: a top-N sort.
  std::optional<TopNSort> top_n;
  if (s->limit_count != nullptr && s->n_sort_clause > 0) top_n.emplace();
  for (const Node* o : Nodes(s->n_sort_clause, s->sort_clause)) {
    if (o->node_case != PG_QUERY__NODE__NODE_SORT_BY) {
      top_n.reset();
      continue;
    }
    const Node* key = o->sort_by->node;
    // ORDER BY prefers output aliases over input columns: follow a bare alias to its value.
    if (key != nullptr && key->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
        key->column_ref->n_fields == 1) {
      auto it = output_aliases.find(sql::StrVal(key->column_ref->fields[0]));
      if (it != output_aliases.end()) key = it->second;
    }
    if (std::optional<Resolved> r = Resolve(key, scope)) {
      Mark(*r, ColumnUse::kOrderBy);
      SortOrder order;
      order.descending = o->sort_by->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
      if (o->sort_by->sortby_nulls == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_FIRST) {
        order.nulls = order.descending ? NullsOrder::kDefault : NullsOrder::kFirst;
      } else if (o->sort_by->sortby_nulls == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_LAST) {
        order.nulls = order.descending ? NullsOrder::kLast : NullsOrder::kDefault;
      }
      orders_.emplace(std::make_pair(r->table->name, r->column), order);  // first one wins
      if (top_n && (top_n->keys.empty() || top_n->table == r->table->name)) {
        top_n->table = r->table->name;
        top_n->keys.emplace_back(r->column, order);
      } else {
        top_n.reset();
      }
    } else {
      top_n.reset();
    }
    References(key, scope);
  }
  if (top_n) top_n_.insert(std::move(*top_n));
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
  WriteReads(s->from_clause, s->n_from_clause, s->where_clause, scope);
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
  WriteReads(s->using_clause, s->n_using_clause, s->where_clause, scope);
  return Status::OK();
}

void Extractor::WriteReads(Node* const* items, size_t n_items, const Node* where,
                           Scope& scope) {
  tables_.insert(write_->table);  // the statement finds its rows by reading the target
  std::vector<const Node*> quals;
  for (const Node* item : Nodes(n_items, items)) AddFromItem(item, nullptr, scope, quals);
  quals.push_back(where);
  for (const Node* q : quals) {
    Predicate(q, scope);
    Subqueries(q, scope);
    References(q, scope);
  }
}

QueryColumns Extractor::Finish() const {
  QueryColumns out;
  out.tables.assign(tables_.begin(), tables_.end());
  for (const auto& [key, uses] : uses_) {
    IndexableColumn c{key.first, key.second, uses, {}};
    if (auto it = orders_.find(key); it != orders_.end()) c.order = it->second;
    out.columns.push_back(std::move(c));
  }
  out.referenced.assign(referenced_.begin(), referenced_.end());
  out.write = write_;
  for (const auto& [key, uses] : expressions_) {
    out.expressions.push_back(IndexableExpression{key.first, key.second, uses});
  }
  out.predicates.assign(predicates_.begin(), predicates_.end());
  out.prefixes.assign(prefixes_.begin(), prefixes_.end());
  out.top_n.assign(top_n_.begin(), top_n_.end());
  out.grouped = grouped_;
  out.gin.assign(gin_.begin(), gin_.end());
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
  Extractor extractor(catalog, query);
  for (const std::string& setup : query.setup) {
    DBARCH_RETURN_IF_ERROR(ParseAndAnalyze(query, setup, /*timed=*/false, extractor));
  }
  DBARCH_RETURN_IF_ERROR(ParseAndAnalyze(query, query.sql, /*timed=*/true, extractor));
  return extractor.Finish();
}

namespace {

// One possible key element of a table: a column or an expression, with how the query uses it.
struct Element {
  IndexKey key;
  bool equality_like = false;
  std::vector<std::string> columns;  // the columns it reads
};

// A B-tree read backwards yields every key element in the opposite order (DESC NULLS FIRST
// for ASC NULLS LAST...): a key and its mirror serve the same ORDER BYs, so keys are
// written with an ascending first element ((placed_at DESC) alone is (placed_at)).
void CanonicalDirection(IndexDef& def) {
  if (def.keys.empty() || !def.keys[0].descending) return;
  for (IndexKey& k : def.keys) {
    const bool nulls_first =
        k.nulls == NullsOrder::kDefault ? k.descending : k.nulls == NullsOrder::kFirst;
    const bool desc = !k.descending;
    k.descending = desc;
    k.nulls = !nulls_first == desc ? NullsOrder::kDefault
              : !nulls_first       ? NullsOrder::kFirst
                                   : NullsOrder::kLast;
  }
}

// Keys of width 1..max_width from `elements` whose leading elements are equality-like,
// appended to `out` with `predicate` (may be empty).
void AddKeys(const catalog::QualifiedName& table, const std::vector<const Element*>& elements,
             const ConstantPredicate* predicate, int max_width, std::vector<IndexDef>& out) {
  std::vector<size_t> key;
  std::function<void()> extend = [&]() {
    IndexDef def;
    def.table = table;
    def.keys.reserve(key.size());
    for (size_t k : key) def.keys.push_back(elements[k]->key);
    if (predicate != nullptr) {
      def.predicate = predicate->sql;
      def.predicate_columns = {predicate->column};
    }
    CanonicalDirection(def);
    out.push_back(std::move(def));
    if (static_cast<int>(key.size()) >= max_width) return;
    // Only an equality-like element may be followed by another key element.
    if (!elements[key.back()]->equality_like) return;
    for (size_t k = 0; k < elements.size(); ++k) {
      if (std::find(key.begin(), key.end(), k) != key.end()) continue;
      key.push_back(k);
      extend();
      key.pop_back();
    }
  };
  for (size_t k = 0; k < elements.size(); ++k) {
    key.assign(1, k);
    extend();
  }
}

}  // namespace

std::vector<IndexDef> CandidateIndexes(const QueryColumns& columns, int max_width) {
  CandidateOptions options;
  options.max_width = max_width;
  return CandidateIndexes(columns, options);
}

std::vector<IndexDef> CandidateIndexes(const QueryColumns& columns,
                                       const CandidateOptions& options) {
  std::vector<IndexDef> out;
  if (options.max_width < 1) return out;
  std::map<catalog::QualifiedName, std::vector<Element>> by_table;
  for (const IndexableColumn& c : columns.columns) {
    Element e;
    e.equality_like = c.IsEqualityLike();
    // A column the query sorts by (and does not pin by equality) mirrors the ORDER BY, so
    // the index yields the rows in that order without a backward scan or a sort.
    if (c.Has(ColumnUse::kOrderBy) && !e.equality_like) {
      e.key = IndexKey::Column(c.column, c.order.descending, c.order.nulls);
    } else {
      e.key = IndexKey::Column(c.column);
    }
    e.columns = {c.column};
    by_table[c.table].push_back(std::move(e));
  }
  for (const PrefixSearch& p : columns.prefixes) {
    // A range the B-tree serves only in the C order: under another collation the key takes
    // the type's pattern operator class (LIKE 'abc%' becomes >= 'abc' AND < 'abd' on it).
    Element e;
    e.key = IndexKey::Column(p.column);
    if (!p.column_collation_is_c && !options.default_collation_is_c) {
      e.key.opclass = p.pattern_opclass;
    }
    e.columns = {p.column};
    by_table[p.table].push_back(std::move(e));
  }
  for (const IndexableExpression& x : columns.expressions) {
    Element e;
    e.key = x.key;
    e.equality_like = (x.uses & (static_cast<uint32_t>(ColumnUse::kEquality) |
                                 static_cast<uint32_t>(ColumnUse::kIn))) != 0;
    e.columns = x.key.expression_columns;
    by_table[x.table].push_back(std::move(e));
  }
  // Keys a top-N composite makes redundant for this query (by Key()): left out below.
  std::set<std::string> superseded;
  for (const TopNSort& t : columns.top_n) {
    std::vector<std::string> equality;
    for (const IndexableColumn& c : columns.columns) {
      if (c.table != t.table || !c.IsEqualityLike() || c.Has(ColumnUse::kOrderBy)) continue;
      equality.push_back(c.column);  // sorted by name
    }
    const int room = options.max_width - static_cast<int>(t.keys.size());
    if (equality.empty() || room < 1) continue;
    if (static_cast<int>(equality.size()) > room) equality.resize(room);
    IndexDef def = IndexDef::OnColumns(t.table, equality);
    for (size_t i = 1; i < equality.size(); ++i) {
      superseded.insert(
          IndexDef::OnColumns(t.table, {equality.begin(), equality.begin() + i}).Key());
    }
    superseded.insert(IndexDef::OnColumns(t.table, {equality.front()}).Key());
    IndexDef sort_only;
    sort_only.table = t.table;
    for (const auto& [column, order] : t.keys) {
      def.keys.push_back(IndexKey::Column(column, order.descending, order.nulls));
      sort_only.keys.push_back(IndexKey::Column(column, order.descending, order.nulls));
    }
    CanonicalDirection(sort_only);
    superseded.insert(sort_only.Key());
    CanonicalDirection(def);
    out.push_back(std::move(def));
  }
  for (const auto& [table, elements] : by_table) {
    std::vector<const Element*> all;
    all.reserve(elements.size());
    for (const Element& e : elements) all.push_back(&e);
    AddKeys(table, all, nullptr, options.max_width, out);
    if (!superseded.empty()) {
      out.erase(std::remove_if(out.begin(), out.end(),
                               [&](const IndexDef& d) { return superseded.count(d.Key()) > 0; }),
                out.end());
    }
    // Partial indexes: the other elements, WHERE the constant predicate.
    for (const ConstantPredicate& p : columns.predicates) {
      if (p.table != table) continue;
      if (p.equality) {
        auto st = options.physical.find({p.table, p.column});
        if (st != options.physical.end() && st->second.n_distinct != 0) {
          double distinct = st->second.n_distinct > 0
                                ? st->second.n_distinct
                                : -st->second.n_distinct * st->second.table_rows;
          if (distinct > options.categorical_max_distinct) continue;
        }
      }
      std::vector<const Element*> others;
      for (const Element& e : elements) {
        if (std::find(e.columns.begin(), e.columns.end(), p.column) == e.columns.end()) {
          others.push_back(&e);
        }
      }
      AddKeys(table, others, &p, options.max_width, out);
    }
  }
  // A join key with the one or two other columns the query reads from its table as INCLUDE:
  // the inner side of a nested loop then runs as an index-only scan. Without them each outer
  // row costs a heap visit per match, which the planner often prices above a hash join over
  // the whole table, so the plain key is never chosen and AddCoveringColumns never reaches
  // the covering one (sales of a category: order_lines (product_id) INCLUDE (quantity),
  // estimated 11x cheaper than the hash join that the plain key leaves in place).
  for (const IndexableColumn& c : columns.columns) {
    if (!c.Has(ColumnUse::kJoin)) continue;
    std::vector<std::string> others;
    for (const auto& [table, column] : columns.referenced) {
      if (table == c.table && column != c.column) others.push_back(column);
    }
    if (others.empty() || others.size() > 2) continue;
    IndexDef def = IndexDef::OnColumns(c.table, {c.column});
    def.include = std::move(others);
    out.push_back(std::move(def));
  }
  // In a report (a query with GROUP BY), a range column with the one to three other columns
  // the query reads from its table as INCLUDE, when no other column of that table narrows
  // the rows: a report over a date range
  // (`WHERE placed_at >= $1 AND placed_at < $2 GROUP BY day, status` with sum(total)) then
  // runs as an index-only scan. The plain range key leaves a heap visit per row, which on a
  // table not stored in the column's order is priced near the sequential scan, and the
  // covering step after the search adds INCLUDE only where the added bytes buy as much as the
  // search's least efficient step did, which a wide report seldom does: measured on 300,000
  // orders in random physical order, 30 days of two years, 39.0 ms with no index, 23.4 ms
  // with (placed_at), 10.3 ms with (placed_at) INCLUDE (status, total).
  for (const IndexableColumn& c : columns.columns) {
    if (!columns.grouped) break;
    if (!c.Has(ColumnUse::kRange) || c.IsEqualityLike()) continue;
    // One range column of the table and no equality: several ranges (TPC-H q06) leave the
    // choice of the leading one to the plain keys.
    const bool narrowed =
        std::any_of(columns.columns.begin(), columns.columns.end(), [&](const IndexableColumn& o) {
          return o.table == c.table && o.column != c.column &&
                 (o.IsEqualityLike() || o.Has(ColumnUse::kRange));
        });
    if (narrowed) continue;
    std::vector<std::string> others;
    for (const auto& [table, column] : columns.referenced) {
      if (table == c.table && column != c.column) others.push_back(column);
    }
    if (others.empty() || others.size() > 3) continue;
    IndexDef def = IndexDef::OnColumns(c.table, {c.column});
    def.include = std::move(others);
    out.push_back(std::move(def));
  }
  for (const GinTarget& g : columns.gin) {
    IndexDef def;
    def.table = g.table;
    def.method = IndexMethod::kGin;
    def.keys = {g.key};
    out.push_back(std::move(def));
  }
  for (const IndexableColumn& c : columns.columns) {
    if (c.uses != static_cast<uint32_t>(ColumnUse::kEquality)) continue;
    auto it = options.physical.find({c.table, c.column});
    if (it == options.physical.end() || it->second.avg_width < options.hash_min_avg_width) {
      continue;
    }
    IndexDef def = IndexDef::OnColumns(c.table, {c.column});
    def.method = IndexMethod::kHash;
    out.push_back(std::move(def));
  }
  if (!options.physical.empty()) {
    for (const IndexableColumn& c : columns.columns) {
      if (!c.Has(ColumnUse::kRange)) continue;
      auto it = options.physical.find({c.table, c.column});
      if (it == options.physical.end()) continue;
      const ColumnPhysicalStats& st = it->second;
      if (!(std::fabs(st.correlation) > options.brin_min_correlation)) continue;
      if (st.table_rows < options.brin_min_rows && st.table_pages < options.brin_min_pages) {
        continue;
      }
      IndexDef def = IndexDef::OnColumns(c.table, {c.column});
      def.method = IndexMethod::kBrin;
      out.push_back(std::move(def));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const IndexDef& a, const IndexDef& b) { return a.Key() < b.Key(); });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace dbarch::advisor
