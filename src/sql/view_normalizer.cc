#include "sql/view_normalizer.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "base/strings.h"
#include "sql/arena.h"
#include "sql/parser.h"

namespace dbarch::sql {

namespace {

// One output or range column: its visible name and internal type ("" = unknown).
struct Col {
  std::string name;
  std::string type;
};

// A range in FROM (or a CTE reference) as the normaliser sees it.
struct Entry {
  std::string visible;               // the name references qualify with (alias, else relation name)
  std::string canon;                 // r1, r2, ...
  bool positional = false;           // subquery, CTE, VALUES: columns written cK
  bool known = false;                // columns known
  std::vector<Col> cols;             // visible column names (alias column lists applied)
  std::vector<std::string> printed;  // the names written in the normal form
  std::string rel_schema, rel_name;  // the relation a table or view range reads
};

struct ColumnAt {
  size_t entry;
  size_t col;
};

struct Cte {
  std::string name;
  bool known = false;
  std::vector<Col> cols;
};

struct Scope {
  const Scope* parent = nullptr;
  std::vector<Entry> entries;
  std::vector<std::pair<std::string, ColumnAt>> merged;  // USING / NATURAL join columns
  std::vector<ColumnAt> star;                            // what `*` expands to
  std::vector<Cte> ctes;
};

std::string_view LastTypeName(const PgQuery__TypeName* t) {
  if (t == nullptr || t->n_names == 0) return {};
  return StrVal(t->names[t->n_names - 1]);
}

int NumericRank(std::string_view t) {
  if (t == "int2") return 1;
  if (t == "int4") return 2;
  if (t == "int8") return 3;
  if (t == "numeric") return 4;
  if (t == "float4") return 5;
  if (t == "float8") return 6;
  return 0;
}

// True when PostgreSQL has an implicit cast from `from` to `to` that it inserts by itself
// (pg_cast castcontext 'i') among the types views commonly mix.
bool IsImplicitWidening(std::string_view from, std::string_view to) {
  if (from.empty() || from == to) return false;
  int rf = NumericRank(from), rt = NumericRank(to);
  if (rf > 0 && rt > 0) return rf < rt;
  if (from == "date") return to == "timestamp" || to == "timestamptz";
  if (from == "timestamp") return to == "timestamptz";
  if (from == "varchar" || from == "bpchar" || from == "name") return to == "text";
  return false;
}

bool IsTextLike(std::string_view t) { return t == "varchar" || t == "bpchar" || t == "name"; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// '2024-01-01 00:00:00+00' -> '2024-01-01'; '2024-01-01 10:00:00+00' -> '2024-01-01 10:00:00'.
// The server prints a date/timestamp constant in its output form (ISO, UTC in our sandboxes);
// a written literal is usually shorter.
std::string NormalizeDateLiteral(std::string_view s) {
  auto digits = [&](size_t at, size_t n) {
    if (at + n > s.size()) return false;
    for (size_t i = at; i < at + n; ++i) {
      if (!IsDigit(s[i])) return false;
    }
    return true;
  };
  if (!(digits(0, 4) && s.size() >= 10 && s[4] == '-' && digits(5, 2) && s[7] == '-' &&
        digits(8, 2))) {
    return std::string(s);
  }
  std::string date(s.substr(0, 10));
  std::string_view rest = s.substr(10);
  std::string time;
  if (!rest.empty() && (rest[0] == ' ' || rest[0] == 'T') && rest.size() >= 9) {
    std::string_view t = rest.substr(1);
    if (!(t.size() >= 8 && IsDigit(t[0]) && IsDigit(t[1]) && t[2] == ':' && IsDigit(t[3]) &&
          IsDigit(t[4]) && t[5] == ':' && IsDigit(t[6]) && IsDigit(t[7]))) {
      return std::string(s);
    }
    size_t end = 8;
    if (end < t.size() && t[end] == '.') {
      ++end;
      while (end < t.size() && IsDigit(t[end])) ++end;
    }
    time = std::string(t.substr(0, end));
    rest = t.substr(end);
  }
  if (rest == "+00" || rest == "+00:00" || rest == "Z") rest = {};
  if (!rest.empty()) return std::string(s);
  if (time == "00:00:00") time.clear();
  return time.empty() ? date : date + " " + time;
}

// '1 hour' -> '01:00:00', '1 week' -> '7 days', '2 months' -> '2 mons': an interval literal in
// the server's output form (IntervalStyle postgres) when it is a list of "<integer> <unit>"
// pairs; anything else is returned unchanged.
std::string NormalizeIntervalLiteral(std::string_view s) {
  long years = 0, months = 0, days = 0, seconds = 0;
  size_t i = 0;
  bool any = false;
  auto skip = [&] {
    while (i < s.size() && s[i] == ' ') ++i;
  };
  skip();
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == start || i - start > 6) return std::string(s);
    long n = std::atol(std::string(s.substr(start, i - start)).c_str());
    skip();
    start = i;
    std::string lowered;  // units are case-insensitive ('1 YEAR')
    while (i < s.size() && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'))) {
      lowered += static_cast<char>(s[i] | 0x20);
      ++i;
    }
    std::string_view unit = lowered;
    if (unit.size() > 1 && unit.back() == 's') unit.remove_suffix(1);
    if (unit == "year") {
      years += n;
    } else if (unit == "month" || unit == "mon") {
      months += n;
    } else if (unit == "week") {
      days += 7 * n;
    } else if (unit == "day") {
      days += n;
    } else if (unit == "hour") {
      seconds += 3600 * n;
    } else if (unit == "minute" || unit == "min") {
      seconds += 60 * n;
    } else if (unit == "second" || unit == "sec") {
      seconds += n;
    } else {
      return std::string(s);
    }
    any = true;
    skip();
  }
  if (!any) return std::string(s);
  std::vector<std::string> parts;
  auto count = [&](long v, const char* one, const char* many) {
    if (v != 0) parts.push_back(std::to_string(v) + " " + (v == 1 ? one : many));
  };
  count(years, "year", "years");
  count(months, "mon", "mons");
  count(days, "day", "days");
  if (seconds != 0 || parts.empty()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02ld:%02ld:%02ld", seconds / 3600, seconds / 60 % 60,
                  seconds % 60);
    parts.push_back(buf);
  }
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : " ") + p;
  return out;
}

bool IsConstKind(const Node* n, PgQuery__AConst__ValCase kind) {
  return n != nullptr && n->node_case == PG_QUERY__NODE__NODE_A_CONST && !n->a_const->isnull &&
         n->a_const->val_case == kind;
}

class Normalizer {
 public:
  Normalizer(Arena& arena, const QueryHints& hints) : arena_(arena), hints_(hints) {}

  // Column `column` of relation schema.name whose references Query() records (by location in
  // the parsed text) in `refs`, with the locations of unnamed targets that are such a
  // reference in `bare_targets`.
  struct Watch {
    std::string schema, name, column;
    std::vector<int> refs;
    std::vector<int> bare_targets;
  };
  void WatchColumn(Watch* watch) { watch_ = watch; }

  // Rewrites the query in *slot (a SelectStmt node) in place; returns its output columns.
  std::vector<Col> Query(Node** slot, const Scope* parent) {
    Node* n = *slot;
    if (n == nullptr || n->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) {
      if (n != nullptr) Generic(n, parent);
      return {};
    }
    return Select(n->select_stmt, parent);
  }

 private:
  std::string NextAlias() { return "r" + std::to_string(++next_alias_); }

  PgQuery__Alias* MakeAlias(const std::string& name) {
    auto* a = arena_.New<PgQuery__Alias>(PG_QUERY__ALIAS__INIT);
    a->aliasname = arena_.Strdup(name);
    return a;
  }

  Node* MakeRef(const std::string& qualifier, const std::string* column, int location) {
    auto* ref = arena_.New<PgQuery__ColumnRef>(PG_QUERY__COLUMN_REF__INIT);
    ref->n_fields = 2;
    ref->fields = MakeNodeArray(arena_, 2);
    ref->fields[0] = MakeString(arena_, qualifier);
    if (column != nullptr) {
      ref->fields[1] = MakeString(arena_, *column);
    } else {
      auto* star = arena_.New<PgQuery__AStar>(PG_QUERY__A__STAR__INIT);
      auto* sn = arena_.New<Node>(PG_QUERY__NODE__INIT);
      sn->node_case = PG_QUERY__NODE__NODE_A_STAR;
      sn->a_star = star;
      ref->fields[1] = sn;
    }
    ref->location = location;
    auto* node = arena_.New<Node>(PG_QUERY__NODE__INIT);
    node->node_case = PG_QUERY__NODE__NODE_COLUMN_REF;
    node->column_ref = ref;
    return node;
  }

  Node* RefTo(const Scope* scope, ColumnAt at, int location) {
    const Entry& e = scope->entries[at.entry];
    if (watch_ != nullptr && location >= 0 && e.rel_name == watch_->name &&
        e.rel_schema == watch_->schema && e.printed[at.col] == watch_->column) {
      watch_->refs.push_back(location);
    }
    Node* ref = MakeRef(e.canon, &e.printed[at.col], location);
    types_[ref->column_ref] = e.cols[at.col].type;
    return ref;
  }

  // The visible output name of a target, as the parser figures it (enough to match ORDER BY
  // names and references into subqueries).
  static std::string OutputName(const PgQuery__ResTarget* rt) {
    if (rt->name != nullptr && *rt->name != '\0') return rt->name;
    const Node* v = rt->val;
    while (v != nullptr && v->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) {
      if (v->type_cast->arg != nullptr &&
          (v->type_cast->arg->node_case == PG_QUERY__NODE__NODE_COLUMN_REF ||
           v->type_cast->arg->node_case == PG_QUERY__NODE__NODE_FUNC_CALL)) {
        v = v->type_cast->arg;
      } else {
        return std::string(LastTypeName(v->type_cast->type_name));
      }
    }
    if (v == nullptr) return "?column?";
    if (v->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
      const PgQuery__ColumnRef* c = v->column_ref;
      if (c->n_fields > 0 && c->fields[c->n_fields - 1]->node_case == PG_QUERY__NODE__NODE_STRING) {
        return std::string(StrVal(c->fields[c->n_fields - 1]));
      }
    }
    if (v->node_case == PG_QUERY__NODE__NODE_FUNC_CALL && v->func_call->n_funcname > 0) {
      return std::string(StrVal(v->func_call->funcname[v->func_call->n_funcname - 1]));
    }
    if (v->node_case == PG_QUERY__NODE__NODE_CASE_EXPR) return "case";
    if (v->node_case == PG_QUERY__NODE__NODE_COALESCE_EXPR) return "coalesce";
    return "?column?";
  }

  std::vector<Col> Select(PgQuery__SelectStmt* s, const Scope* parent) {
    Scope scope;
    scope.parent = parent;
    if (s->with_clause != nullptr) {
      for (Node* c : Nodes(s->with_clause->n_ctes, s->with_clause->ctes)) {
        if (c == nullptr || c->node_case != PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR) continue;
        PgQuery__CommonTableExpr* cte = c->common_table_expr;
        std::vector<std::string> renamed = StrList(cte->aliascolnames, cte->n_aliascolnames);
        Cte entry;
        entry.name = cte->ctename;
        // A recursive CTE reads itself: register it first with the columns it declares.
        if (s->with_clause->recursive) {
          entry.known = !renamed.empty();
          for (const std::string& r : renamed) entry.cols.push_back({r, ""});
          scope.ctes.push_back(entry);
        }
        std::vector<Col> cols = Query(&cte->ctequery, &scope);
        for (size_t i = 0; i < renamed.size() && i < cols.size(); ++i) cols[i].name = renamed[i];
        entry.known = true;
        entry.cols = std::move(cols);
        if (s->with_clause->recursive) {
          scope.ctes.back() = std::move(entry);
        } else {
          scope.ctes.push_back(std::move(entry));
        }
      }
    }
    if (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE && s->larg != nullptr) {
      Node left = PG_QUERY__NODE__INIT;
      left.node_case = PG_QUERY__NODE__NODE_SELECT_STMT;
      left.select_stmt = s->larg;
      Node* lp = &left;
      std::vector<Col> cols = Query(&lp, &scope);
      if (s->rarg != nullptr) {
        Node right = PG_QUERY__NODE__INIT;
        right.node_case = PG_QUERY__NODE__NODE_SELECT_STMT;
        right.select_stmt = s->rarg;
        Node* rp = &right;
        Query(&rp, &scope);
      }
      for (size_t i = 0; i < s->n_sort_clause; ++i) Expr(&s->sort_clause[i], &scope);
      Expr(&s->limit_offset, &scope);
      Expr(&s->limit_count, &scope);
      return cols;
    }
    if (s->n_values_lists > 0) {
      std::vector<Col> cols;
      for (size_t r = 0; r < s->n_values_lists; ++r) {
        Node* row = s->values_lists[r];
        if (row == nullptr || row->node_case != PG_QUERY__NODE__NODE_LIST) continue;
        for (size_t i = 0; i < row->list->n_items; ++i) {
          Expr(&row->list->items[i], &scope);
          if (r == 0)
            cols.push_back({"column" + std::to_string(i + 1), TypeOf(row->list->items[i])});
        }
      }
      return cols;
    }
    for (size_t i = 0; i < s->n_from_clause; ++i) {
      std::vector<ColumnAt> cols = FromItem(&s->from_clause[i], scope);
      scope.star.insert(scope.star.end(), cols.begin(), cols.end());
    }

    // Targets: `*` expanded, expressions normalised, names dropped.
    std::vector<Node*> targets;
    std::vector<Col> cols;
    std::vector<std::string> names;
    for (Node* t : Nodes(s->n_target_list, s->target_list)) {
      if (t == nullptr || t->node_case != PG_QUERY__NODE__NODE_RES_TARGET) continue;
      PgQuery__ResTarget* rt = t->res_target;
      std::vector<ColumnAt> star;
      if (ExpandStar(rt->val, scope, &star)) {
        for (ColumnAt at : star) {
          Node* ref = RefTo(&scope, at, -1);
          auto* nrt = arena_.New<PgQuery__ResTarget>(PG_QUERY__RES_TARGET__INIT);
          nrt->val = ref;
          nrt->location = -1;
          auto* node = arena_.New<Node>(PG_QUERY__NODE__INIT);
          node->node_case = PG_QUERY__NODE__NODE_RES_TARGET;
          node->res_target = nrt;
          targets.push_back(node);
          const Col& c = scope.entries[at.entry].cols[at.col];
          cols.push_back(c);
          names.push_back(c.name);
        }
        continue;
      }
      if (ExpandCompositeStar(rt, scope, &targets, &cols, &names)) continue;
      std::string name = OutputName(rt);
      size_t watched = watch_ != nullptr ? watch_->refs.size() : 0;
      bool bare = (rt->name == nullptr || *rt->name == '\0') && rt->val != nullptr &&
                  rt->val->node_case == PG_QUERY__NODE__NODE_COLUMN_REF;
      Expr(&rt->val, &scope);
      if (watch_ != nullptr && bare && watch_->refs.size() > watched) {
        watch_->bare_targets.push_back(rt->location);
      }
      rt->name = nullptr;
      targets.push_back(t);
      cols.push_back({name, TypeOf(rt->val)});
      names.push_back(name);
    }
    s->n_target_list = targets.size();
    s->target_list = MakeNodeArray(arena_, targets.size());
    for (size_t i = 0; i < targets.size(); ++i) s->target_list[i] = targets[i];

    Expr(&s->where_clause, &scope);
    for (size_t i = 0; i < s->n_group_clause; ++i) {
      SortGroupItem(&s->group_clause[i], scope, targets, names, /*is_order=*/false);
    }
    Expr(&s->having_clause, &scope);
    for (size_t i = 0; i < s->n_window_clause; ++i) Expr(&s->window_clause[i], &scope);
    for (size_t i = 0; i < s->n_distinct_clause; ++i) {
      if (s->distinct_clause[i] == nullptr || s->distinct_clause[i]->node_case == 0) continue;
      SortGroupItem(&s->distinct_clause[i], scope, targets, names, /*is_order=*/false);
    }
    for (size_t i = 0; i < s->n_sort_clause; ++i) {
      SortGroupItem(&s->sort_clause[i], scope, targets, names, /*is_order=*/true);
    }
    Expr(&s->limit_offset, &scope);
    Expr(&s->limit_count, &scope);
    return cols;
  }

  // A GROUP BY / ORDER BY / DISTINCT ON item: an ordinal or (ORDER BY first, GROUP BY after
  // input columns) an output name stands for the target expression.
  void SortGroupItem(Node** slot, const Scope& scope, const std::vector<Node*>& targets,
                     const std::vector<std::string>& names, bool is_order) {
    Node** item = slot;
    if (*item != nullptr && (*item)->node_case == PG_QUERY__NODE__NODE_SORT_BY) {
      item = &(*item)->sort_by->node;
    }
    Node* n = *item;
    if (n == nullptr) return;
    if (n->node_case == PG_QUERY__NODE__NODE_GROUPING_SET) {  // ROLLUP (1, 2), GROUPING SETS
      PgQuery__GroupingSet* g = n->grouping_set;
      for (size_t i = 0; i < g->n_content; ++i) {
        SortGroupItem(&g->content[i], scope, targets, names, is_order);
      }
      return;
    }
    auto target_copy = [&](size_t k) {
      Node* val = targets[k]->res_target->val;
      Node* copy = arena_.Copy(val);
      CopyTypes(val, copy);
      return copy;
    };
    if (IsConstKind(n, PG_QUERY__A__CONST__VAL_IVAL)) {
      int k = n->a_const->ival->ival;
      if (k >= 1 && static_cast<size_t>(k) <= targets.size()) {
        *item = target_copy(k - 1);
        return;
      }
    }
    if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && n->column_ref->n_fields == 1 &&
        n->column_ref->fields[0]->node_case == PG_QUERY__NODE__NODE_STRING) {
      std::string name(StrVal(n->column_ref->fields[0]));
      bool input = FindBare(&scope, name).has_value();
      if (is_order || !input) {
        size_t match = names.size();
        for (size_t k = 0; k < names.size(); ++k) {
          if (names[k] == name) {
            match = k;
            break;
          }
        }
        if (match < names.size()) {
          *item = target_copy(match);
          return;
        }
      }
    }
    Expr(item, &scope);
  }

  // Types recorded for column references travel with a copy of the tree.
  void CopyTypes(const Node* from, const Node* to) {
    if (from == nullptr || to == nullptr || from->node_case != to->node_case) return;
    if (from->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
      auto it = types_.find(from->column_ref);
      if (it != types_.end()) types_[to->column_ref] = it->second;
      return;
    }
    std::vector<const Node*> a, b;
    ForEachChildNode(&from->base, [&](Node* const& c) { a.push_back(c); });
    ForEachChildNode(&to->base, [&](Node* const& c) { b.push_back(c); });
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) CopyTypes(a[i], b[i]);
  }

  // (f(x)).* as a whole target: one (f(x)).field target per field of the composite type f
  // returns, as the server expands it. False when the fields are not known.
  bool ExpandCompositeStar(PgQuery__ResTarget* rt, const Scope& scope, std::vector<Node*>* targets,
                           std::vector<Col>* cols, std::vector<std::string>* names) {
    Node* v = rt->val;
    if (v == nullptr || v->node_case != PG_QUERY__NODE__NODE_A_INDIRECTION ||
        !hints_.composite_columns) {
      return false;
    }
    PgQuery__AIndirection* ind = v->a_indirection;
    if (ind->n_indirection != 1 || ind->indirection[0]->node_case != PG_QUERY__NODE__NODE_A_STAR ||
        ind->arg == nullptr || ind->arg->node_case != PG_QUERY__NODE__NODE_FUNC_CALL) {
      return false;
    }
    std::vector<std::string> fields = hints_.composite_columns(ind->arg->func_call);
    if (fields.empty()) return false;
    Expr(&ind->arg, &scope);
    for (const std::string& field : fields) {
      auto* x = arena_.New<PgQuery__AIndirection>(PG_QUERY__A__INDIRECTION__INIT);
      x->arg = arena_.Copy(ind->arg);
      CopyTypes(ind->arg, x->arg);
      x->n_indirection = 1;
      x->indirection = MakeNodeArray(arena_, 1);
      x->indirection[0] = MakeString(arena_, field);
      auto* xn = arena_.New<Node>(PG_QUERY__NODE__INIT);
      xn->node_case = PG_QUERY__NODE__NODE_A_INDIRECTION;
      xn->a_indirection = x;
      auto* nrt = arena_.New<PgQuery__ResTarget>(PG_QUERY__RES_TARGET__INIT);
      nrt->val = xn;
      nrt->location = -1;
      auto* node = arena_.New<Node>(PG_QUERY__NODE__INIT);
      node->node_case = PG_QUERY__NODE__NODE_RES_TARGET;
      node->res_target = nrt;
      targets->push_back(node);
      cols->push_back({field, ""});
      names->push_back(field);
    }
    return true;
  }

  // `*` or `t.*` as a whole target: the columns it stands for. False when `val` is not a
  // star or its range's columns are not known (then it stays as written).
  bool ExpandStar(const Node* val, const Scope& scope, std::vector<ColumnAt>* out) {
    if (val == nullptr || val->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return false;
    const PgQuery__ColumnRef* c = val->column_ref;
    if (c->n_fields == 0 || c->fields[c->n_fields - 1]->node_case != PG_QUERY__NODE__NODE_A_STAR) {
      return false;
    }
    if (c->n_fields == 1) {
      if (scope.star.empty()) return false;
      for (const Entry& e : scope.entries) {
        if (!e.known) return false;
      }
      *out = scope.star;
      return true;
    }
    std::string q(StrVal(c->fields[c->n_fields - 2]));
    for (size_t e = 0; e < scope.entries.size(); ++e) {
      if (scope.entries[e].visible != q) continue;
      if (!scope.entries[e].known) return false;
      for (size_t k = 0; k < scope.entries[e].cols.size(); ++k) out->push_back({e, k});
      return true;
    }
    return false;
  }

  Entry& AddEntry(Scope& scope, std::string visible) {
    Entry& e = scope.entries.emplace_back();
    e.visible = std::move(visible);
    e.canon = NextAlias();
    return e;
  }

  const Cte* FindCte(const Scope* scope, const std::string& name) {
    for (; scope != nullptr; scope = scope->parent) {
      for (const Cte& c : scope->ctes) {
        if (c.name == name) return &c;
      }
    }
    return nullptr;
  }

  // Adds the ranges of one FROM item to `scope`; returns the columns `*` expands to.
  std::vector<ColumnAt> FromItem(Node** slot, Scope& scope) {
    Node* n = *slot;
    std::vector<ColumnAt> out;
    if (n == nullptr) return out;
    switch (n->node_case) {
      case PG_QUERY__NODE__NODE_RANGE_VAR: {
        PgQuery__RangeVar* rv = n->range_var;
        bool qualified = rv->schemaname != nullptr && *rv->schemaname != '\0';
        std::string relname = rv->relname != nullptr ? rv->relname : "";
        std::string visible = rv->alias != nullptr ? rv->alias->aliasname : relname;
        std::vector<std::string> renamed;
        if (rv->alias != nullptr) renamed = StrList(rv->alias->colnames, rv->alias->n_colnames);
        const Cte* cte = qualified ? nullptr : FindCte(&scope, relname);
        std::optional<QueryRelation> rel;
        if (cte == nullptr && hints_.relation) {
          std::vector<std::string> parts;
          if (qualified) parts.push_back(rv->schemaname);
          parts.push_back(relname);
          rel = hints_.relation(parts);
        }
        size_t index = scope.entries.size();
        Entry& e = AddEntry(scope, visible);
        if (cte != nullptr) {
          e.positional = true;
          e.known = cte->known;
          e.cols = cte->cols;
          for (size_t i = 0; i < e.cols.size(); ++i)
            e.printed.push_back("c" + std::to_string(i + 1));
        } else if (rel.has_value()) {
          e.known = true;
          for (const auto& [name, type] : rel->columns) {
            e.cols.push_back({name, type});
            e.printed.push_back(name);
          }
          e.rel_schema = rel->schema;
          e.rel_name = rel->name;
          rv->schemaname = arena_.Strdup(rel->schema);
          rv->relname = arena_.Strdup(rel->name);
          rv->catalogname = nullptr;
        }
        for (size_t i = 0; i < renamed.size() && i < e.cols.size(); ++i)
          e.cols[i].name = renamed[i];
        rv->alias = MakeAlias(e.canon);
        for (size_t k = 0; k < e.cols.size(); ++k) out.push_back({index, k});
        break;
      }
      case PG_QUERY__NODE__NODE_RANGE_SUBSELECT: {
        PgQuery__RangeSubselect* r = n->range_subselect;
        std::string visible = r->alias != nullptr ? r->alias->aliasname : "";
        std::vector<std::string> renamed;
        if (r->alias != nullptr) renamed = StrList(r->alias->colnames, r->alias->n_colnames);
        std::vector<Col> cols = Query(&r->subquery, &scope);
        size_t index = scope.entries.size();
        Entry& e = AddEntry(scope, visible);
        e.positional = true;
        e.known = true;
        e.cols = std::move(cols);
        for (size_t i = 0; i < renamed.size() && i < e.cols.size(); ++i)
          e.cols[i].name = renamed[i];
        for (size_t i = 0; i < e.cols.size(); ++i) e.printed.push_back("c" + std::to_string(i + 1));
        r->alias = MakeAlias(e.canon);
        for (size_t k = 0; k < e.cols.size(); ++k) out.push_back({index, k});
        break;
      }
      case PG_QUERY__NODE__NODE_RANGE_FUNCTION: {
        PgQuery__RangeFunction* r = n->range_function;
        std::string fname;
        std::string ftype;
        for (size_t i = 0; i < r->n_functions; ++i) {
          Node* item = r->functions[i];
          if (item == nullptr || item->node_case != PG_QUERY__NODE__NODE_LIST) continue;
          if (item->list->n_items > 0) {
            Node** call = &item->list->items[0];
            if (*call != nullptr && (*call)->node_case == PG_QUERY__NODE__NODE_FUNC_CALL &&
                (*call)->func_call->n_funcname > 0) {
              const PgQuery__FuncCall* f = (*call)->func_call;
              fname = std::string(StrVal(f->funcname[f->n_funcname - 1]));
            }
            Expr(call, &scope);
            ftype = TypeOf(*call);
          }
        }
        std::string visible = r->alias != nullptr ? r->alias->aliasname : fname;
        std::vector<std::string> names;
        if (r->alias != nullptr) names = StrList(r->alias->colnames, r->alias->n_colnames);
        if (names.empty()) {
          for (const Node* d : Nodes(r->n_coldeflist, r->coldeflist)) {
            if (d->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
              names.push_back(d->column_def->colname);
          }
        }
        // A function without a column list is taken to return one column named after the
        // range, as a scalar function does (the server prints g(g)).
        bool scalar = names.empty() && r->n_functions == 1 && !r->ordinality;
        if (scalar) names.push_back(visible);
        size_t index = scope.entries.size();
        Entry& e = AddEntry(scope, visible);
        e.known = true;
        for (const std::string& name : names) {
          e.cols.push_back({name, scalar ? ftype : ""});
          e.printed.push_back(name);
        }
        r->alias = MakeAlias(e.canon);
        for (size_t k = 0; k < e.cols.size(); ++k) out.push_back({index, k});
        break;
      }
      case PG_QUERY__NODE__NODE_JOIN_EXPR: {
        PgQuery__JoinExpr* j = n->join_expr;
        std::vector<ColumnAt> left = FromItem(&j->larg, scope);
        std::vector<ColumnAt> right = FromItem(&j->rarg, scope);
        std::vector<std::string> using_names = StrList(j->using_clause, j->n_using_clause);
        auto name_of = [&](ColumnAt at) { return scope.entries[at.entry].cols[at.col].name; };
        if (j->is_natural) {
          for (ColumnAt l : left) {
            for (ColumnAt r : right) {
              if (name_of(l) == name_of(r)) using_names.push_back(name_of(l));
            }
          }
        }
        auto in_using = [&](const std::string& name) {
          for (const std::string& u : using_names) {
            if (u == name) return true;
          }
          return false;
        };
        for (const std::string& u : using_names) {
          for (ColumnAt l : left) {
            if (name_of(l) == u) {
              out.push_back(l);
              scope.merged.emplace_back(u, l);
              break;
            }
          }
        }
        for (ColumnAt l : left) {
          if (!in_using(name_of(l))) out.push_back(l);
        }
        for (ColumnAt r : right) {
          if (!in_using(name_of(r))) out.push_back(r);
        }
        Expr(&j->quals, &scope);
        break;
      }
      default:
        Generic(n, &scope);
        break;
    }
    return out;
  }

  // A bare column name resolved in `scope` or an enclosing one.
  std::optional<std::pair<const Scope*, ColumnAt>> FindBare(const Scope* scope,
                                                            const std::string& name) {
    for (; scope != nullptr; scope = scope->parent) {
      for (const auto& [merged, at] : scope->merged) {
        if (merged == name) return std::make_pair(scope, at);
      }
      for (size_t e = 0; e < scope->entries.size(); ++e) {
        const Entry& entry = scope->entries[e];
        for (size_t k = 0; k < entry.cols.size(); ++k) {
          if (entry.cols[k].name == name) return std::make_pair(scope, ColumnAt{e, k});
        }
      }
    }
    return std::nullopt;
  }

  std::optional<std::pair<const Scope*, size_t>> FindRange(const Scope* scope,
                                                           const std::string& name) {
    for (; scope != nullptr; scope = scope->parent) {
      for (size_t e = 0; e < scope->entries.size(); ++e) {
        if (scope->entries[e].visible == name) return std::make_pair(scope, e);
      }
    }
    return std::nullopt;
  }

  void ColumnRef(Node** slot, const Scope* scope) {
    PgQuery__ColumnRef* c = (*slot)->column_ref;
    size_t n = c->n_fields;
    if (n == 0) return;
    int loc = c->location;
    bool star = c->fields[n - 1]->node_case == PG_QUERY__NODE__NODE_A_STAR;
    for (size_t i = 0; i + (star ? 1 : 0) < n; ++i) {
      if (c->fields[i]->node_case != PG_QUERY__NODE__NODE_STRING) return;
    }
    if (star) {
      if (n < 2) return;
      auto range = FindRange(scope, std::string(StrVal(c->fields[n - 2])));
      if (range) *slot = MakeRef(range->first->entries[range->second].canon, nullptr, loc);
      return;
    }
    if (n == 1) {
      std::string name(StrVal(c->fields[0]));
      if (auto found = FindBare(scope, name)) {
        *slot = RefTo(found->first, found->second, loc);
        return;
      }
      // A whole-row reference to a range (row_to_json(t)), printed t.* by the server.
      if (auto range = FindRange(scope, name)) {
        *slot = MakeRef(range->first->entries[range->second].canon, nullptr, loc);
        return;
      }
      // The only range of the query, with columns the model does not know.
      if (scope != nullptr && scope->entries.size() == 1 && !scope->entries[0].known) {
        *slot = MakeRef(scope->entries[0].canon, &name, loc);
      }
      return;
    }
    // q.col, schema.q.col, db.schema.q.col: the range named q.
    std::string q(StrVal(c->fields[n - 2]));
    std::string col(StrVal(c->fields[n - 1]));
    auto range = FindRange(scope, q);
    if (!range) return;
    const Entry& e = range->first->entries[range->second];
    for (size_t k = 0; k < e.cols.size(); ++k) {
      if (e.cols[k].name == col) {
        *slot = RefTo(range->first, {range->second, k}, loc);
        return;
      }
    }
    *slot = MakeRef(e.canon, &col, loc);
  }

  void Generic(Node* n, const Scope* scope) {
    ForEachChildNode(&n->base,
                     [&](Node* const& child) { Expr(const_cast<Node**>(&child), scope); });
  }

  // The cast in *slot is one the server may have added by itself: drop it.
  void TypeCast(Node** slot, const Scope* scope) {
    PgQuery__TypeCast* c = (*slot)->type_cast;
    Expr(&c->arg, scope);
    Node* arg = c->arg;
    if (arg == nullptr || c->type_name == nullptr) return;
    std::string_view target = LastTypeName(c->type_name);
    bool array = c->type_name->n_array_bounds > 0;
    if (arg->node_case == PG_QUERY__NODE__NODE_A_CONST) {
      const PgQuery__AConst* k = arg->a_const;
      if (k->isnull) {
        *slot = arg;
        return;
      }
      if (k->val_case == PG_QUERY__A__CONST__VAL_SVAL) {
        // '-1'::integer is how the server prints a negative constant.
        std::string_view v = k->sval->sval;
        if (!array && NumericRank(target) > 0 && IsDecimalNumber(v)) {
          if (v.find('.') == std::string_view::npos && v.size() < 10) {
            *slot = MakeIntConst(arena_, std::atoi(std::string(v).c_str()));
          } else {
            *slot = MakeFloatConst(arena_, v);
          }
          return;
        }
        *slot = arg;
        return;
      }
      if ((k->val_case == PG_QUERY__A__CONST__VAL_IVAL ||
           k->val_case == PG_QUERY__A__CONST__VAL_FVAL) &&
          !array && NumericRank(target) > 0) {
        *slot = arg;
        return;
      }
      return;
    }
    if (arg->node_case == PG_QUERY__NODE__NODE_A_ARRAY_EXPR && array && AllLiterals(arg)) {
      *slot = arg;
      return;
    }
    std::string from = TypeOf(arg);
    if (!array && target == "text" && IsTextLike(from)) {
      *slot = arg;
      return;
    }
    // A cast to the type the value already has: a domain-typed column passed where its base
    // type is expected is printed (price)::numeric by the server.
    if (!array && c->type_name->n_typmods == 0 && !from.empty() && from == target) *slot = arg;
  }

  static bool AllLiterals(const Node* n) {
    if (n == nullptr) return false;
    if (n->node_case == PG_QUERY__NODE__NODE_A_CONST) return true;
    if (n->node_case == PG_QUERY__NODE__NODE_A_ARRAY_EXPR) {
      for (const Node* e : Nodes(n->a_array_expr->n_elements, n->a_array_expr->elements)) {
        if (!AllLiterals(e)) return false;
      }
      return true;
    }
    return false;
  }

  // f(a, VARIADIC ARRAY[b, c]) -> f(a, b, c): the server prints a call of a variadic function
  // with its variadic arguments gathered into an array. VARIADIC applies only to a variadic
  // parameter, so both spellings call the same function with the same arguments. An empty
  // ARRAY[] is kept (f(a) may resolve to another function).
  void ExpandVariadicArray(PgQuery__FuncCall* f) {
    if (!f->func_variadic || f->n_args == 0) return;
    const Node* last = f->args[f->n_args - 1];
    if (last == nullptr || last->node_case != PG_QUERY__NODE__NODE_A_ARRAY_EXPR) return;
    const PgQuery__AArrayExpr* a = last->a_array_expr;
    if (a->n_elements == 0) return;
    for (const Node* e : Nodes(a->n_elements, a->elements)) {
      // A nested ARRAY[...] element is a row of a multi-dimensional array, not an argument.
      if (e == nullptr || e->node_case == PG_QUERY__NODE__NODE_A_ARRAY_EXPR) return;
    }
    size_t n = f->n_args - 1 + a->n_elements;
    Node** args = MakeNodeArray(arena_, n);
    for (size_t i = 0; i + 1 < f->n_args; ++i) args[i] = f->args[i];
    for (size_t i = 0; i < a->n_elements; ++i) args[f->n_args - 1 + i] = a->elements[i];
    f->args = args;
    f->n_args = n;
    f->func_variadic = false;
  }

  // (x)::T where T is a type x's type widens to implicitly: returns x's type.
  std::string WideningFrom(const Node* n) {
    if (n == nullptr || n->node_case != PG_QUERY__NODE__NODE_TYPE_CAST) return "";
    const PgQuery__TypeCast* c = n->type_cast;
    if (c->type_name == nullptr || c->type_name->n_array_bounds > 0 ||
        c->type_name->n_typmods > 0) {
      return "";
    }
    std::string from = TypeOf(c->arg);
    return IsImplicitWidening(from, LastTypeName(c->type_name)) ? from : "";
  }

  // Operands of a binary operator. The server coerces the narrower operand to the other's
  // type ((qty)::numeric * 2.5): such a cast is dropped. When both operands have one type and
  // one is cast (int / int::numeric), the cast picks the operator and is kept, on the left.
  void BinaryCasts(Node** l, Node** r) {
    std::string lf = WideningFrom(*l), rf = WideningFrom(*r);
    if (lf.empty() && rf.empty()) return;
    std::string target = std::string(LastTypeName((!lf.empty() ? *l : *r)->type_cast->type_name));
    Node* lcast = !lf.empty() ? *l : nullptr;
    std::string lt = !lf.empty() ? lf : TypeOf(*l);
    std::string rt = !rf.empty() ? rf : TypeOf(*r);
    if (lt.empty() || rt.empty()) return;
    if (!lf.empty()) *l = (*l)->type_cast->arg;
    if (!rf.empty()) *r = (*r)->type_cast->arg;
    if (lt != rt) return;
    // Same type on both sides: keep one cast, on the left.
    if (lcast == nullptr) {
      auto* tc = arena_.New<PgQuery__TypeCast>(PG_QUERY__TYPE_CAST__INIT);
      tc->type_name = arena_.New<PgQuery__TypeName>(PG_QUERY__TYPE_NAME__INIT);
      tc->type_name->n_names = 2;
      tc->type_name->names = MakeNodeArray(arena_, 2);
      tc->type_name->names[0] = MakeString(arena_, "pg_catalog");
      tc->type_name->names[1] = MakeString(arena_, target);
      tc->type_name->typemod = -1;
      tc->type_name->location = -1;
      tc->location = -1;
      lcast = arena_.New<Node>(PG_QUERY__NODE__INIT);
      lcast->node_case = PG_QUERY__NODE__NODE_TYPE_CAST;
      lcast->type_cast = tc;
    }
    lcast->type_cast->arg = *l;
    *l = lcast;
  }

  void Expr(Node** slot, const Scope* scope) {
    Node* n = *slot;
    if (n == nullptr) return;
    switch (n->node_case) {
      case PG_QUERY__NODE__NODE_COLUMN_REF:
        ColumnRef(slot, scope);
        return;
      case PG_QUERY__NODE__NODE_SUB_LINK: {
        PgQuery__SubLink* s = n->sub_link;
        Expr(&s->testexpr, scope);
        Query(&s->subselect, scope);
        return;
      }
      case PG_QUERY__NODE__NODE_TYPE_CAST:
        TypeCast(slot, scope);
        return;
      case PG_QUERY__NODE__NODE_A_CONST:
        if (n->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL && !n->a_const->isnull) {
          std::string v = NormalizeIntervalLiteral(NormalizeDateLiteral(n->a_const->sval->sval));
          if (v != n->a_const->sval->sval) n->a_const->sval->sval = arena_.Strdup(v);
        }
        return;
      case PG_QUERY__NODE__NODE_A_EXPR: {
        PgQuery__AExpr* e = n->a_expr;
        Expr(&e->lexpr, scope);
        Expr(&e->rexpr, scope);
        if (e->lexpr != nullptr && e->rexpr != nullptr &&
            (e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP ||
             e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_DISTINCT ||
             e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT)) {
          BinaryCasts(&e->lexpr, &e->rexpr);
        }
        return;
      }
      case PG_QUERY__NODE__NODE_FUNC_CALL: {
        PgQuery__FuncCall* f = n->func_call;
        ExpandVariadicArray(f);
        Generic(n, scope);
        for (size_t i = 0; i < f->n_args; ++i) {
          if (!WideningFrom(f->args[i]).empty()) f->args[i] = f->args[i]->type_cast->arg;
        }
        return;
      }
      case PG_QUERY__NODE__NODE_CASE_EXPR: {
        Generic(n, scope);
        // The server prints a CASE without ELSE with ELSE NULL (its cast dropped above).
        const Node* d = n->case_expr->defresult;
        if (d != nullptr && d->node_case == PG_QUERY__NODE__NODE_A_CONST && d->a_const->isnull) {
          n->case_expr->defresult = nullptr;
        }
        return;
      }
      case PG_QUERY__NODE__NODE_SELECT_STMT:
        Query(slot, scope);
        return;
      case PG_QUERY__NODE__NODE_COLLATE_CLAUSE: {
        // `x COLLATE public.german` (pg_dump's spelling) is `x COLLATE german`: collations of
        // public and pg_catalog are written bare.
        PgQuery__CollateClause* c = n->collate_clause;
        if (c->n_collname == 2) {
          std::string_view q = StrVal(c->collname[0]);
          if (q == "public" || q == "pg_catalog") {
            ++c->collname;
            c->n_collname = 1;
          }
        }
        Generic(n, scope);
        return;
      }
      default:
        Generic(n, scope);
        return;
    }
  }

 public:
  // The internal type of an already normalised expression, "" when not inferred.
  std::string TypeOf(const Node* n) {
    if (n == nullptr) return "";
    switch (n->node_case) {
      case PG_QUERY__NODE__NODE_COLUMN_REF: {
        auto it = types_.find(n->column_ref);
        return it == types_.end() ? "" : it->second;
      }
      case PG_QUERY__NODE__NODE_A_CONST: {
        const PgQuery__AConst* c = n->a_const;
        if (c->isnull) return "";
        if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL) return "int4";
        if (c->val_case == PG_QUERY__A__CONST__VAL_FVAL) return "numeric";
        if (c->val_case == PG_QUERY__A__CONST__VAL_BOOLVAL) return "bool";
        return "";
      }
      case PG_QUERY__NODE__NODE_TYPE_CAST: {
        const PgQuery__TypeName* t = n->type_cast->type_name;
        if (t == nullptr || t->n_array_bounds > 0) return "";
        return std::string(LastTypeName(t));
      }
      case PG_QUERY__NODE__NODE_FUNC_CALL: {
        const PgQuery__FuncCall* f = n->func_call;
        if (f->n_funcname == 0) return "";
        std::string_view name = StrVal(f->funcname[f->n_funcname - 1]);
        std::string a0 = f->n_args > 0 ? TypeOf(f->args[0]) : "";
        std::string a1 = f->n_args > 1 ? TypeOf(f->args[1]) : "";
        if (name == "count" || name == "row_number" || name == "rank" || name == "dense_rank") {
          return "int8";
        }
        if (name == "sum") {
          if (a0 == "int2" || a0 == "int4") return "int8";
          if (a0 == "int8" || a0 == "numeric") return "numeric";
          if (a0 == "float4" || a0 == "float8" || a0 == "interval") return a0;
          return "";
        }
        if (name == "avg") {
          if (a0 == "int2" || a0 == "int4" || a0 == "int8" || a0 == "numeric") return "numeric";
          if (a0 == "float4" || a0 == "float8") return "float8";
          return "";
        }
        if (name == "min" || name == "max" || name == "abs" || name == "first_value" ||
            name == "last_value" || name == "lag" || name == "lead") {
          return a0;
        }
        if (name == "round" || name == "trunc") {
          return a0 == "numeric" || a0 == "float8" ? a0 : "";
        }
        if (name == "date_trunc") {
          if (a1 == "timestamp" || a1 == "timestamptz" || a1 == "interval") return a1;
          return a1 == "date" ? "timestamptz" : "";
        }
        if (name == "now" || name == "clock_timestamp" || name == "statement_timestamp" ||
            name == "transaction_timestamp") {
          return "timestamptz";
        }
        if (name == "lower" || name == "upper" || name == "btrim" || name == "ltrim" ||
            name == "rtrim" || name == "concat" || name == "concat_ws" || name == "substr" ||
            name == "replace" || name == "left" || name == "right" || name == "initcap" ||
            name == "to_char" || name == "string_agg" || name == "md5") {
          return "text";
        }
        if (name == "length" || name == "char_length" || name == "strpos") return "int4";
        return "";
      }
      case PG_QUERY__NODE__NODE_A_EXPR: {
        const PgQuery__AExpr* e = n->a_expr;
        std::string_view op = e->n_name > 0 ? StrVal(e->name[e->n_name - 1]) : "";
        if (e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP) return "bool";
        if (op == "=" || op == "<>" || op == "<" || op == ">" || op == "<=" || op == ">=" ||
            op == "~~" || op == "!~~" || op == "~~*" || op == "!~~*") {
          return "bool";
        }
        if (op == "||") {
          std::string l = TypeOf(e->lexpr), r = TypeOf(e->rexpr);
          return (l == "text" || IsTextLike(l) || r == "text" || IsTextLike(r)) ? "text" : "";
        }
        if (op == "+" || op == "-" || op == "*" || op == "/" || op == "%") {
          std::string l = TypeOf(e->lexpr), r = e->lexpr == nullptr ? "" : TypeOf(e->rexpr);
          if (e->lexpr == nullptr) return TypeOf(e->rexpr);  // unary minus
          int rl = NumericRank(l), rr = NumericRank(r);
          if (rl > 0 && rr > 0) {
            if ((rl == 4 && rr >= 5) || (rr == 4 && rl >= 5)) return "float8";
            return rl >= rr ? l : r;
          }
          if (l == "date" && (r == "int4" || r == "int2")) return "date";
          if (l == "date" && r == "date" && op == "-") return "int4";
          return "";
        }
        return "";
      }
      case PG_QUERY__NODE__NODE_BOOL_EXPR:
      case PG_QUERY__NODE__NODE_NULL_TEST:
      case PG_QUERY__NODE__NODE_BOOLEAN_TEST:
        return "bool";
      case PG_QUERY__NODE__NODE_COALESCE_EXPR:
        for (const Node* a : Nodes(n->coalesce_expr->n_args, n->coalesce_expr->args)) {
          std::string t = TypeOf(a);
          if (!t.empty()) return t;
        }
        return "";
      case PG_QUERY__NODE__NODE_MIN_MAX_EXPR:
        for (const Node* a : Nodes(n->min_max_expr->n_args, n->min_max_expr->args)) {
          std::string t = TypeOf(a);
          if (!t.empty()) return t;
        }
        return "";
      case PG_QUERY__NODE__NODE_CASE_EXPR: {
        for (const Node* w : Nodes(n->case_expr->n_args, n->case_expr->args)) {
          if (w->node_case != PG_QUERY__NODE__NODE_CASE_WHEN) continue;
          std::string t = TypeOf(w->case_when->result);
          if (!t.empty() && t != "int4") return t;
        }
        return TypeOf(n->case_expr->defresult);
      }
      case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION:
        switch (n->sqlvalue_function->op) {
          case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_DATE:
            return "date";
          case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP:
          case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP_N:
            return "timestamptz";
          case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP:
          case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP_N:
            return "timestamp";
          default:
            return "";
        }
      default:
        return "";
    }
  }

 private:
  Arena& arena_;
  const QueryHints& hints_;
  Watch* watch_ = nullptr;
  int next_alias_ = 0;
  std::unordered_map<const PgQuery__ColumnRef*, std::string> types_;
};

}  // namespace

Result<std::string> NormalizeViewQuery(const Node* query, const QueryHints& hints,
                                       std::vector<std::string>* column_types) {
  if (column_types != nullptr) column_types->clear();
  if (query == nullptr) return std::string();
  Arena arena;
  Node* copy = arena.Copy(query);
  if (copy == nullptr) return Status::Internal("could not copy a view's query");
  CanonicalizeTreeInPlace(arena, &copy, hints.expr);
  Normalizer normalizer(arena, hints);
  std::vector<Col> cols = normalizer.Query(&copy, nullptr);
  if (column_types != nullptr) {
    for (const Col& c : cols) column_types->push_back(c.type);
  }
  return DeparseStatement(copy);
}

Result<std::string> NormalizeViewQueryText(std::string_view sql, const QueryHints& hints) {
  SourceFile file("<view>", std::string(sql));
  DBARCH_ASSIGN_OR_RETURN(ParseTree tree, ParseTree::Parse(file));
  if (tree.statements().size() != 1 ||
      tree.statements()[0].node->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) {
    return Status::ParseError("not a single SELECT: " + std::string(sql));
  }
  return NormalizeViewQuery(tree.statements()[0].node, hints);
}

namespace {

void RenameAt(Arena& arena, Node* n, const std::vector<int>& refs,
              const std::vector<int>& bare_targets, const std::string& from,
              const std::string& to) {
  if (n == nullptr) return;
  auto has = [](const std::vector<int>& v, int x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  if (n->node_case == PG_QUERY__NODE__NODE_RES_TARGET &&
      has(bare_targets, n->res_target->location) &&
      (n->res_target->name == nullptr || *n->res_target->name == '\0')) {
    n->res_target->name = arena.Strdup(from);  // the view's column keeps its name
  }
  if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && has(refs, n->column_ref->location)) {
    PgQuery__ColumnRef* c = n->column_ref;
    c->fields[c->n_fields - 1] = MakeString(arena, to);
  }
  ForEachChildNode(&n->base,
                   [&](Node* const& c) { RenameAt(arena, c, refs, bare_targets, from, to); });
}

}  // namespace

std::string RenameColumnInViewQuery(const std::string& definition, const QueryHints& hints,
                                    const std::string& schema, const std::string& relation,
                                    const std::string& from, const std::string& to) {
  SourceFile file("<view>", definition);
  auto tree = ParseTree::Parse(file);
  if (!tree.ok() || tree->statements().size() != 1 ||
      tree->statements()[0].node->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) {
    return definition;
  }
  Arena arena;
  Node* original = arena.Copy(tree->statements()[0].node);
  Node* scratch = arena.Copy(tree->statements()[0].node);
  if (original == nullptr || scratch == nullptr) return definition;
  Normalizer::Watch watch{schema, relation, from, {}, {}};
  Normalizer normalizer(arena, hints);
  normalizer.WatchColumn(&watch);
  normalizer.Query(&scratch, nullptr);
  if (watch.refs.empty()) return definition;
  RenameAt(arena, original, watch.refs, watch.bare_targets, from, to);
  auto text = DeparseStatement(original);
  return text.ok() ? *text : definition;
}

namespace {

void CollectAliases(const Node* n, const std::string& schema, const std::string& relation,
                    std::vector<std::string>* aliases) {
  if (n == nullptr) return;
  if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
    const PgQuery__RangeVar* rv = n->range_var;
    if (rv->schemaname != nullptr && schema == rv->schemaname && rv->relname != nullptr &&
        relation == rv->relname && rv->alias != nullptr) {
      aliases->push_back(rv->alias->aliasname);
    }
  }
  ForEachChildNode(&n->base, [&](Node* const& c) { CollectAliases(c, schema, relation, aliases); });
}

bool RenameRefs(Arena& arena, Node* n, const std::vector<std::string>& aliases,
                const std::string& from, const std::string& to) {
  if (n == nullptr) return false;
  bool changed = false;
  if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && n->column_ref->n_fields == 2) {
    PgQuery__ColumnRef* c = n->column_ref;
    if (c->fields[1]->node_case == PG_QUERY__NODE__NODE_STRING && StrVal(c->fields[1]) == from) {
      for (const std::string& a : aliases) {
        if (StrVal(c->fields[0]) == a) {
          c->fields[1] = MakeString(arena, to);
          changed = true;
          break;
        }
      }
    }
  }
  ForEachChildNode(&n->base, [&](Node* const& c) {
    changed = RenameRefs(arena, c, aliases, from, to) || changed;
  });
  return changed;
}

}  // namespace

std::string RenameColumnInViewNormalForm(const std::string& normal_form, const std::string& schema,
                                         const std::string& relation, const std::string& from,
                                         const std::string& to) {
  if (normal_form.find(from) == std::string::npos) return normal_form;
  SourceFile file("<view>", normal_form);
  auto tree = ParseTree::Parse(file);
  if (!tree.ok() || tree->statements().size() != 1) return normal_form;
  Arena arena;
  Node* copy = arena.Copy(tree->statements()[0].node);
  if (copy == nullptr) return normal_form;
  std::vector<std::string> aliases;
  CollectAliases(copy, schema, relation, &aliases);
  if (aliases.empty() || !RenameRefs(arena, copy, aliases, from, to)) return normal_form;
  auto text = DeparseStatement(copy);
  return text.ok() ? *text : normal_form;
}

}  // namespace dbarch::sql
