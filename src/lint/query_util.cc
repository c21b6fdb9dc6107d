#include "lint/query_util.h"

#include <algorithm>

#include "base/strings.h"
#include "lint/rule_util.h"
#include "sql/expr_normalizer.h"
#include "sql/parser.h"

namespace dbarch::lint {

namespace {

using sql::Node;
using sql::Nodes;

std::string_view Str(const char* s) {
  return s == nullptr ? std::string_view() : std::string_view(s);
}

// Columns every table has besides its own (PostgreSQL's system columns).
bool IsSystemColumn(std::string_view c) {
  return c == "ctid" || c == "xmin" || c == "xmax" || c == "cmin" || c == "cmax" || c == "tableoid";
}

bool IsSystemSchema(std::string_view s) {
  return s == "pg_catalog" || s == "information_schema" || s == "pg_toast" ||
         StartsWith(s, "pg_temp");
}

// A view's recorded output columns can be incomplete when its query expands `*` over
// something the catalog builder cannot see (functions, CTEs); then they are not trusted.
bool ViewColumnsReliable(const catalog::View& v) {
  if (v.columns.empty()) return false;
  const std::string& d = v.definition;
  for (size_t i = d.find('*'); i != std::string::npos; i = d.find('*', i + 1)) {
    bool agg_star = i > 0 && d[i - 1] == '(' && i + 1 < d.size() && d[i + 1] == ')';
    if (!agg_star) return false;
  }
  return true;
}

void Rename(std::vector<std::string_view>& names, const PgQuery__Alias* alias) {
  if (alias == nullptr) return;
  for (size_t i = 0; i < alias->n_colnames && i < names.size(); ++i) {
    names[i] = sql::StrVal(alias->colnames[i]);
  }
  // More aliases than columns: the server rejects it; keep the names anyway.
  for (size_t i = names.size(); i < alias->n_colnames; ++i) {
    names.emplace_back(sql::StrVal(alias->colnames[i]));
  }
}

// "column1", "column2", ...: the output names of VALUES lists ("" past 100 columns).
std::string_view ValuesColumnName(size_t i) {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> v;
    for (int k = 1; k <= 100; ++k) v.push_back("column" + std::to_string(k));
    return v;
  }();
  return i < kNames.size() ? std::string_view(kNames[i]) : std::string_view();
}

}  // namespace

// ---- expressions --------------------------------------------------------------------------

std::string_view OperatorName(const PgQuery__AExpr* e) {
  if (e == nullptr || e->n_name == 0) return {};
  return sql::StrVal(e->name[e->n_name - 1]);
}

std::string_view FuncName(const PgQuery__FuncCall* f) {
  if (f == nullptr || f->n_funcname == 0) return {};
  return sql::StrVal(f->funcname[f->n_funcname - 1]);
}

bool IsNullConst(const Node* n) {
  if (n == nullptr) return false;
  if (n->node_case == PG_QUERY__NODE__NODE_A_CONST) return n->a_const->isnull;
  if (n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) return IsNullConst(n->type_cast->arg);
  return false;
}

bool IsConstant(const Node* n) {
  if (n == nullptr) return true;
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_A_CONST:
    case PG_QUERY__NODE__NODE_PARAM_REF:
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION:
      return true;
    case PG_QUERY__NODE__NODE_TYPE_CAST:
      return IsConstant(n->type_cast->arg);
    case PG_QUERY__NODE__NODE_A_EXPR:
      return IsConstant(n->a_expr->lexpr) && IsConstant(n->a_expr->rexpr);
    case PG_QUERY__NODE__NODE_FUNC_CALL: {
      const PgQuery__FuncCall* f = n->func_call;
      if (f->agg_star || f->over != nullptr || f->n_agg_order > 0) return false;
      for (const Node* a : Nodes(f->n_args, f->args)) {
        if (!IsConstant(a)) return false;
      }
      return true;
    }
    case PG_QUERY__NODE__NODE_LIST:
      for (const Node* a : Nodes(n->list->n_items, n->list->items)) {
        if (!IsConstant(a)) return false;
      }
      return true;
    case PG_QUERY__NODE__NODE_A_ARRAY_EXPR:
      for (const Node* a : Nodes(n->a_array_expr->n_elements, n->a_array_expr->elements)) {
        if (!IsConstant(a)) return false;
      }
      return true;
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
      for (const Node* a : Nodes(n->coalesce_expr->n_args, n->coalesce_expr->args)) {
        if (!IsConstant(a)) return false;
      }
      return true;
    case PG_QUERY__NODE__NODE_COLLATE_CLAUSE:
      return IsConstant(n->collate_clause->arg);
    default:
      return false;
  }
}

int StartLocation(const Node* n) {
  int best = -1;
  WalkNodes(n, [&](const Node* x) {
    int at = sql::NodeLocation(x);
    if (at >= 0 && (best < 0 || at < best)) best = at;
    return true;
  });
  return best;
}

void Conjuncts(const Node* where, std::vector<const Node*>& out) {
  if (where == nullptr) return;
  if (where->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR &&
      where->bool_expr->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR) {
    for (const Node* a : Nodes(where->bool_expr->n_args, where->bool_expr->args)) Conjuncts(a, out);
    return;
  }
  out.push_back(where);
}

void WalkLevelExpr(const Node* root, const std::function<bool(const Node*)>& fn) {
  if (root == nullptr) return;
  if (root->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) return;
  if (!fn(root)) return;
  if (root->node_case == PG_QUERY__NODE__NODE_SUB_LINK) {
    WalkLevelExpr(root->sub_link->testexpr, fn);
    return;
  }
  sql::ForEachChildNode(&root->base, [&](Node* const& child) { WalkLevelExpr(child, fn); });
}

namespace {

// SQL text for the simple expressions most findings quote (columns, literals, parameters,
// casts, function calls and binary operators over them), without the round trip through
// libpg_query's deparser. False when `n` needs the real deparser.
bool FastText(const Node* n, bool unqualified, std::string& out, int depth) {
  if (n == nullptr || depth > 4) return false;
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_COLUMN_REF: {
      const PgQuery__ColumnRef* c = n->column_ref;
      size_t first = unqualified && c->n_fields > 1 ? c->n_fields - 1 : 0;
      for (size_t i = first; i < c->n_fields; ++i) {
        if (i > first) out += '.';
        if (c->fields[i]->node_case == PG_QUERY__NODE__NODE_A_STAR) {
          out += '*';
        } else {
          out += QuoteIdent(sql::StrVal(c->fields[i]));
        }
      }
      return true;
    }
    case PG_QUERY__NODE__NODE_A_CONST: {
      const PgQuery__AConst* c = n->a_const;
      if (c->isnull) {
        out += "NULL";
        return true;
      }
      switch (c->val_case) {
        case PG_QUERY__A__CONST__VAL_IVAL:
          out += std::to_string(c->ival->ival);
          return true;
        case PG_QUERY__A__CONST__VAL_FVAL:
          out += c->fval->fval;
          return true;
        case PG_QUERY__A__CONST__VAL_SVAL:
          out += QuoteLiteral(c->sval->sval);
          return true;
        case PG_QUERY__A__CONST__VAL_BOOLVAL:
          out += c->boolval->boolval ? "true" : "false";
          return true;
        default:
          return false;
      }
    }
    case PG_QUERY__NODE__NODE_PARAM_REF:
      out += "$" + std::to_string(n->param_ref->number);
      return true;
    case PG_QUERY__NODE__NODE_TYPE_CAST: {
      const PgQuery__TypeName* t = n->type_cast->type_name;
      if (t == nullptr || t->n_names == 0 || t->n_typmods > 0 || t->n_array_bounds > 0 ||
          t->setof || t->pct_type) {
        return false;
      }
      const Node* arg = n->type_cast->arg;
      bool simple = arg != nullptr && (arg->node_case == PG_QUERY__NODE__NODE_COLUMN_REF ||
                                       arg->node_case == PG_QUERY__NODE__NODE_A_CONST ||
                                       arg->node_case == PG_QUERY__NODE__NODE_PARAM_REF ||
                                       arg->node_case == PG_QUERY__NODE__NODE_FUNC_CALL);
      if (!simple || !FastText(arg, unqualified, out, depth + 1)) return false;
      std::string_view name = sql::StrVal(t->names[t->n_names - 1]);
      static const std::pair<const char*, const char*> kSpelling[] = {
          {"int4", "integer"},
          {"int8", "bigint"},
          {"int2", "smallint"},
          {"float8", "double precision"},
          {"float4", "real"},
          {"bool", "boolean"},
          {"varchar", "character varying"},
          {"bpchar", "character"}};
      for (const auto& [from, to] : kSpelling) {
        if (name == from) name = to;
      }
      out += "::";
      out += name == "character varying" || name == "double precision" ? std::string(name)
                                                                       : QuoteIdent(name);
      return true;
    }
    case PG_QUERY__NODE__NODE_FUNC_CALL: {
      const PgQuery__FuncCall* f = n->func_call;
      if (f->over != nullptr || f->agg_filter != nullptr || f->n_agg_order > 0 || f->agg_distinct ||
          f->func_variadic || f->agg_within_group || f->n_funcname != 1 ||
          f->funcformat != PG_QUERY__COERCION_FORM__COERCE_EXPLICIT_CALL) {
        return false;
      }
      out += QuoteIdent(FuncName(f));
      out += '(';
      if (f->agg_star) out += '*';
      for (size_t i = 0; i < f->n_args; ++i) {
        if (i > 0) out += ", ";
        if (!FastText(f->args[i], unqualified, out, depth + 1)) return false;
      }
      out += ')';
      return true;
    }
    case PG_QUERY__NODE__NODE_A_EXPR: {
      const PgQuery__AExpr* e = n->a_expr;
      if (e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP || e->n_name != 1 || e->lexpr == nullptr ||
          e->rexpr == nullptr) {
        return false;
      }
      // Operands that are themselves operators need the deparser's parenthesization.
      for (const Node* side : {e->lexpr, e->rexpr}) {
        if (side->node_case == PG_QUERY__NODE__NODE_A_EXPR ||
            side->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR) {
          return false;
        }
      }
      if (!FastText(e->lexpr, unqualified, out, depth + 1)) return false;
      out += ' ';
      out += OperatorName(e);
      out += ' ';
      return FastText(e->rexpr, unqualified, out, depth + 1);
    }
    default:
      return false;
  }
}

}  // namespace

std::string DeparseOr(const Node* expr, std::string_view fallback) {
  if (expr == nullptr) return std::string(fallback);
  std::string fast;
  if (FastText(expr, false, fast, 0)) return fast;
  auto r = sql::DeparseExpr(expr);
  return r.ok() ? *r : std::string(fallback);
}

std::string UnqualifiedText(const Node* expr) {
  std::string fast;
  if (FastText(expr, true, fast, 0)) return fast;
  return UnqualifiedCanonical(expr);
}

std::string_view FigureColname(const Node* n) {
  if (n == nullptr) return {};
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_COLUMN_REF: {
      const PgQuery__ColumnRef* c = n->column_ref;
      return c->n_fields == 0 ? std::string_view() : sql::StrVal(c->fields[c->n_fields - 1]);
    }
    case PG_QUERY__NODE__NODE_A_INDIRECTION: {
      const PgQuery__AIndirection* ind = n->a_indirection;
      for (size_t i = ind->n_indirection; i > 0; --i) {
        std::string_view s = sql::StrVal(ind->indirection[i - 1]);
        if (!s.empty()) return s;
      }
      return FigureColname(ind->arg);
    }
    case PG_QUERY__NODE__NODE_FUNC_CALL:
      return FuncName(n->func_call);
    case PG_QUERY__NODE__NODE_A_EXPR:
      return n->a_expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF ? "nullif" : "";
    case PG_QUERY__NODE__NODE_TYPE_CAST: {
      std::string_view inner = FigureColname(n->type_cast->arg);
      if (!inner.empty()) return inner;
      const PgQuery__TypeName* t = n->type_cast->type_name;
      return t != nullptr && t->n_names > 0 ? sql::StrVal(t->names[t->n_names - 1]) : "";
    }
    case PG_QUERY__NODE__NODE_COLLATE_CLAUSE:
      return FigureColname(n->collate_clause->arg);
    case PG_QUERY__NODE__NODE_CASE_EXPR:
      return "case";
    case PG_QUERY__NODE__NODE_A_ARRAY_EXPR:
      return "array";
    case PG_QUERY__NODE__NODE_ROW_EXPR:
      return "row";
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
      return "coalesce";
    case PG_QUERY__NODE__NODE_MIN_MAX_EXPR:
      return n->min_max_expr->op == PG_QUERY__MIN_MAX_OP__IS_GREATEST ? "greatest" : "least";
    case PG_QUERY__NODE__NODE_GROUPING_FUNC:
      return "grouping";
    case PG_QUERY__NODE__NODE_SUB_LINK:
      switch (n->sub_link->sub_link_type) {
        case PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK:
          return "exists";
        case PG_QUERY__SUB_LINK_TYPE__ARRAY_SUBLINK:
          return "array";
        case PG_QUERY__SUB_LINK_TYPE__EXPR_SUBLINK: {
          const Node* sub = n->sub_link->subselect;
          if (sub != nullptr && sub->node_case == PG_QUERY__NODE__NODE_SELECT_STMT &&
              sub->select_stmt->n_target_list > 0) {
            const PgQuery__ResTarget* rt = sub->select_stmt->target_list[0]->res_target;
            if (rt->name != nullptr && *rt->name != '\0') return rt->name;
            return FigureColname(rt->val);
          }
          return "";
        }
        default:
          return "";
      }
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION:
      switch (n->sqlvalue_function->op) {
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_DATE:
          return "current_date";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIME:
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIME_N:
          return "current_time";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP:
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP_N:
          return "current_timestamp";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME:
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME_N:
          return "localtime";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP:
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP_N:
          return "localtimestamp";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_ROLE:
          return "current_role";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_USER:
          return "current_user";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_USER:
          return "user";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_SESSION_USER:
          return "session_user";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_CATALOG:
          return "current_catalog";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_SCHEMA:
          return "current_schema";
        default:
          return "";
      }
    default:
      return "";
  }
}

// ---- statements and text ----------------------------------------------------------------

bool SchemaKnown(const StatementContext& ctx) {
  return ctx.has_schema && ctx.catalog != nullptr &&
         (!ctx.catalog->tables.empty() || !ctx.catalog->views.empty());
}

const Node* QueryOf(const Node* stmt) {
  if (stmt == nullptr) return nullptr;
  switch (stmt->node_case) {
    case PG_QUERY__NODE__NODE_SELECT_STMT:
    case PG_QUERY__NODE__NODE_INSERT_STMT:
    case PG_QUERY__NODE__NODE_UPDATE_STMT:
    case PG_QUERY__NODE__NODE_DELETE_STMT:
      return stmt;
    case PG_QUERY__NODE__NODE_EXPLAIN_STMT:
      return QueryOf(stmt->explain_stmt->query);
    case PG_QUERY__NODE__NODE_VIEW_STMT:
      return stmt->view_stmt->query;
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
      return stmt->create_table_as_stmt->query;
    case PG_QUERY__NODE__NODE_PREPARE_STMT:
      return stmt->prepare_stmt->query;
    case PG_QUERY__NODE__NODE_DECLARE_CURSOR_STMT:
      return stmt->declare_cursor_stmt->query;
    case PG_QUERY__NODE__NODE_COPY_STMT:
      return stmt->copy_stmt->query;
    default:
      return nullptr;
  }
}

std::string DisplayName(const catalog::QualifiedName& q) {
  return q.schema == "public" || q.schema.empty() ? q.name : q.schema + "." + q.name;
}

size_t FindTopLevel(std::string_view text, std::string_view needle) {
  auto is_word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  int depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\'' || c == '"') {
      size_t close = text.find(c, i + 1);
      if (close == std::string_view::npos) return std::string_view::npos;
      i = close;
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth != 0 || i + needle.size() > text.size()) continue;
    bool match = true;
    for (size_t k = 0; k < needle.size() && match; ++k) {
      char a = text[i + k];
      if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
      char b = needle[k];
      if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
      match = a == b;
    }
    if (!match) continue;
    if (is_word(needle.front()) && i > 0 && is_word(text[i - 1])) continue;
    if (is_word(needle.back()) && i + needle.size() < text.size() &&
        is_word(text[i + needle.size()])) {
      continue;
    }
    return i;
  }
  return std::string_view::npos;
}

std::string WithTargetList(const Node* select, std::string_view targets) {
  if (select == nullptr || select->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) return "";
  const PgQuery__SelectStmt* s = select->select_stmt;
  if (s->with_clause != nullptr || s->larg != nullptr || s->n_values_lists > 0) return "";
  auto text = sql::DeparseStatement(select);
  if (!text.ok() || !StartsWith(*text, "SELECT ")) return "";
  size_t from = FindTopLevel(*text, "FROM");
  if (from == std::string::npos) return "SELECT " + std::string(targets);
  return "SELECT " + std::string(targets) + " " + text->substr(from);
}

std::string UnqualifiedCanonical(const Node* expr) {
  auto canon = sql::CanonicalExpr(expr, sql::ExprContext::kGeneric);
  if (!canon.ok()) return "";
  std::string text = *canon;
  std::vector<std::string> prefixes;
  WalkNodes(expr, [&](const Node* n) {
    if (n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return true;
    const PgQuery__ColumnRef* c = n->column_ref;
    if (c->n_fields < 2) return true;
    std::string prefix;
    for (size_t i = 0; i + 1 < c->n_fields; ++i)
      prefix += QuoteIdent(sql::StrVal(c->fields[i])) + ".";
    prefixes.push_back(std::move(prefix));
    return true;
  });
  auto ident_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '"' || c == '$' || c == '.';
  };
  for (const std::string& p : prefixes) {
    for (size_t at = text.find(p); at != std::string::npos; at = text.find(p, at)) {
      if (at > 0 && ident_char(text[at - 1])) {
        at += p.size();
        continue;
      }
      text.erase(at, p.size());
    }
  }
  return text;
}

bool HasIndexLeadingWith(const catalog::Catalog& catalog, const catalog::Table& table,
                         std::string_view column) {
  for (const catalog::Constraint& c : table.constraints) {
    if ((c.kind == catalog::ConstraintKind::kPrimaryKey ||
         c.kind == catalog::ConstraintKind::kUnique) &&
        !c.columns.empty() && c.columns.front() == column) {
      return true;
    }
    if (c.kind == catalog::ConstraintKind::kExclude && !c.exclude_keys.empty() &&
        c.exclude_keys.front().column == column) {
      return true;
    }
  }
  for (const auto& [name, idx] : catalog.indexes) {
    if (idx.table == table.name && !idx.keys.empty() && idx.keys.front().column == column)
      return true;
  }
  return false;
}

std::vector<std::string> IdentifierWords(std::string_view name) {
  std::vector<std::string> out;
  std::string cur;
  char prev = 0;
  for (char c : name) {
    bool upper = c >= 'A' && c <= 'Z';
    bool alnum = upper || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum || (upper && prev >= 'a' && prev <= 'z')) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    }
    if (alnum) cur += upper ? static_cast<char>(c - 'A' + 'a') : c;
    prev = c;
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

bool CoversUniqueKey(const catalog::Catalog& catalog, const catalog::Table& table,
                     const std::vector<std::string_view>& columns) {
  auto has = [&](std::string_view c) {
    return std::find(columns.begin(), columns.end(), c) != columns.end();
  };
  auto covers = [&](const std::vector<std::string>& key) {
    if (key.empty()) return false;
    for (const std::string& k : key) {
      if (!has(k)) return false;
    }
    return true;
  };
  for (const catalog::Constraint& c : table.constraints) {
    if ((c.kind == catalog::ConstraintKind::kPrimaryKey ||
         c.kind == catalog::ConstraintKind::kUnique) &&
        covers(c.columns)) {
      return true;
    }
  }
  for (const auto& [name, idx] : catalog.indexes) {
    if (idx.table != table.name || !idx.unique || !idx.predicate.empty()) continue;
    std::vector<std::string> key;
    for (const catalog::IndexKey& k : idx.keys) {
      if (k.column.empty()) break;
      key.push_back(k.column);
    }
    if (key.size() == idx.keys.size() && covers(key)) return true;
  }
  return false;
}

bool ContainsNoCase(std::string_view text, std::string_view needle) {
  if (needle.empty()) return true;
  for (size_t i = 0; i + needle.size() <= text.size(); ++i) {
    size_t k = 0;
    for (; k < needle.size(); ++k) {
      char c = text[i + k];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != needle[k]) break;
    }
    if (k == needle.size()) return true;
  }
  return false;
}

// ---- scopes -------------------------------------------------------------------------------

bool RangeItem::HasColumn(std::string_view column) const {
  if (table != nullptr && IsSystemColumn(column)) return true;
  if (use_columns) {
    for (std::string_view c : columns) {
      if (c == column) return true;
    }
    return false;
  }
  if (table != nullptr) {
    for (const catalog::Column& c : table->columns) {
      if (c.name == column) return true;
    }
    return false;
  }
  if (view != nullptr) {
    for (const std::string& c : view->columns) {
      if (c == column) return true;
    }
    return false;
  }
  if (sequence != nullptr) {
    return column == "last_value" || column == "log_cnt" || column == "is_called";
  }
  return false;
}

const catalog::Column* RangeItem::TableColumn(std::string_view column) const {
  if (table == nullptr) return nullptr;
  if (use_columns) {
    for (size_t i = 0; i < columns.size() && i < table->columns.size(); ++i) {
      if (columns[i] == column) return &table->columns[i];
    }
    return nullptr;
  }
  for (const catalog::Column& c : table->columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

void RangeItem::AppendColumns(std::vector<std::string_view>& out) const {
  if (use_columns) {
    out.insert(out.end(), columns.begin(), columns.end());
  } else if (table != nullptr) {
    for (const catalog::Column& c : table->columns) out.push_back(c.name);
  } else if (view != nullptr) {
    out.insert(out.end(), view->columns.begin(), view->columns.end());
  } else if (sequence != nullptr) {
    out.insert(out.end(), {"last_value", "log_cnt", "is_called"});
  }
}

const CteFrame::Def* CteFrame::Find(std::string_view name) const {
  for (const CteFrame* f = this; f != nullptr; f = f->parent) {
    for (const Def& d : f->defs) {
      if (d.name == name) return &d;
    }
  }
  return nullptr;
}

ColumnResolution ResolveColumnRef(const Scope& scope, const PgQuery__ColumnRef* ref,
                                  const std::vector<std::string_view>* output_names,
                                  const catalog::Catalog* catalog) {
  ColumnResolution r;
  size_t n = ref->n_fields;
  if (n == 0) return r;
  bool star = ref->fields[n - 1]->node_case == PG_QUERY__NODE__NODE_A_STAR;
  if (n == 1) {
    if (star) {
      r.status = ColumnStatus::kFound;
      return r;
    }
    std::string_view c = sql::StrVal(ref->fields[0]);
    bool open = false;
    for (const Scope* s = &scope; s != nullptr; s = s->parent) {
      for (const RangeItem& item : s->items) {
        if (item.open) {
          open = true;
        } else if (item.HasColumn(c)) {
          r.status = ColumnStatus::kFound;
          r.item = &item;
          return r;
        }
      }
    }
    if (output_names != nullptr &&
        std::find(output_names->begin(), output_names->end(), c) != output_names->end()) {
      r.status = ColumnStatus::kFound;
      return r;
    }
    for (const Scope* s = &scope; s != nullptr; s = s->parent) {
      for (const RangeItem& item : s->items) {
        if (item.name == c) {
          r.status = ColumnStatus::kFound;
          r.item = &item;
          r.whole_row = true;
          return r;
        }
      }
    }
    r.status = open ? ColumnStatus::kUnsure : ColumnStatus::kNoSuchColumn;
    return r;
  }
  if (n > 3) return r;
  std::string_view qualifier = sql::StrVal(ref->fields[n - 2]);
  std::string_view schema = n == 3 ? sql::StrVal(ref->fields[0]) : std::string_view();
  const RangeItem* found = nullptr;
  bool nameless_open = false;
  for (const Scope* s = &scope; s != nullptr && found == nullptr; s = s->parent) {
    for (const RangeItem& item : s->items) {
      if (item.name.empty() && item.open) nameless_open = true;
      if (item.name != qualifier) continue;
      if (n == 3 && item.schema != schema) continue;
      found = &item;
      break;
    }
  }
  if (found == nullptr) {
    r.status = n == 2 && !nameless_open ? ColumnStatus::kNoSuchQualifier : ColumnStatus::kUnsure;
    return r;
  }
  r.item = found;
  if (star) {
    r.status = ColumnStatus::kFound;
    return r;
  }
  std::string_view c = sql::StrVal(ref->fields[n - 1]);
  if (found->open || found->HasColumn(c)) {
    r.status = found->open ? ColumnStatus::kUnsure : ColumnStatus::kFound;
    return r;
  }
  // t.f may be functional notation for f(t).
  if (catalog != nullptr) {
    for (const auto& [sig, f] : catalog->functions) {
      if (f.name.name == c) {
        r.status = ColumnStatus::kUnsure;
        return r;
      }
    }
  }
  r.status = ColumnStatus::kNoSuchColumn;
  return r;
}

TableColumnRef FindTableColumn(const Scope& scope, const PgQuery__ColumnRef* ref) {
  TableColumnRef out;
  ColumnResolution r = ResolveColumnRef(scope, ref, nullptr, nullptr);
  if (r.status != ColumnStatus::kFound || r.item == nullptr || r.whole_row) return out;
  const PgQuery__Node* last = ref->fields[ref->n_fields - 1];
  if (last->node_case == PG_QUERY__NODE__NODE_A_STAR) return out;
  out.column = r.item->TableColumn(sql::StrVal(last));
  if (out.column != nullptr) out.item = r.item;
  return out;
}

std::vector<const Node*> LevelPredicates(const Level& level) {
  std::vector<const Node*> out;
  std::function<void(const Node*)> joins = [&](const Node* f) {
    if (f == nullptr || f->node_case != PG_QUERY__NODE__NODE_JOIN_EXPR) return;
    joins(f->join_expr->larg);
    joins(f->join_expr->rarg);
    if (f->join_expr->quals != nullptr) out.push_back(f->join_expr->quals);
  };
  if (level.select != nullptr) {
    for (const Node* f : Nodes(level.select->n_from_clause, level.select->from_clause)) joins(f);
    if (level.select->where_clause != nullptr) out.push_back(level.select->where_clause);
  } else if (level.update != nullptr) {
    for (const Node* f : Nodes(level.update->n_from_clause, level.update->from_clause)) joins(f);
    if (level.update->where_clause != nullptr) out.push_back(level.update->where_clause);
  } else if (level.del != nullptr) {
    for (const Node* f : Nodes(level.del->n_using_clause, level.del->using_clause)) joins(f);
    if (level.del->where_clause != nullptr) out.push_back(level.del->where_clause);
  }
  return out;
}

// ---- the analyzer -------------------------------------------------------------------------

QueryAnalyzer::QueryAnalyzer(const catalog::Catalog& catalog, Hooks hooks)
    : catalog_(catalog), hooks_(std::move(hooks)) {}

void QueryAnalyzer::Run(const Node* stmt) {
  if (stmt == nullptr) return;
  report_relations_ = true;
  switch (stmt->node_case) {
    case PG_QUERY__NODE__NODE_SELECT_STMT:
    case PG_QUERY__NODE__NODE_INSERT_STMT:
    case PG_QUERY__NODE__NODE_UPDATE_STMT:
    case PG_QUERY__NODE__NODE_DELETE_STMT:
      Stmt(stmt, nullptr, nullptr, false);
      break;
    case PG_QUERY__NODE__NODE_EXPLAIN_STMT:
      Run(stmt->explain_stmt->query);
      break;
    case PG_QUERY__NODE__NODE_VIEW_STMT:
      report_relations_ = false;
      Stmt(stmt->view_stmt->query, nullptr, nullptr, false);
      break;
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
      report_relations_ =
          stmt->create_table_as_stmt->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW;
      Stmt(stmt->create_table_as_stmt->query, nullptr, nullptr, false);
      break;
    case PG_QUERY__NODE__NODE_PREPARE_STMT:
      Stmt(stmt->prepare_stmt->query, nullptr, nullptr, false);
      break;
    case PG_QUERY__NODE__NODE_DECLARE_CURSOR_STMT:
      Stmt(stmt->declare_cursor_stmt->query, nullptr, nullptr, false);
      break;
    case PG_QUERY__NODE__NODE_COPY_STMT:
      if (stmt->copy_stmt->query != nullptr) Stmt(stmt->copy_stmt->query, nullptr, nullptr, false);
      break;
    default:
      break;
  }
  report_relations_ = true;
}

Scope QueryAnalyzer::BuildScope(const PgQuery__SelectStmt* select, const Scope* outer,
                                const CteFrame* ctes) {
  Scope scope;
  scope.parent = outer;
  ++silent_;
  CteFrame frame;
  if (select->with_clause != nullptr) ctes = With(select->with_clause, outer, ctes, frame);
  for (size_t i = 0; i < select->n_from_clause; ++i)
    AddFrom(select->from_clause[i], i, scope, ctes);
  --silent_;
  return scope;
}

Columns QueryAnalyzer::Stmt(const Node* n, const Scope* outer, const CteFrame* ctes,
                            bool want_columns) {
  if (n == nullptr) return Columns{{}, true};
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_SELECT_STMT:
      return Select(n->select_stmt, outer, ctes, want_columns);
    case PG_QUERY__NODE__NODE_INSERT_STMT:
      return Insert(n->insert_stmt, outer, ctes, want_columns);
    case PG_QUERY__NODE__NODE_UPDATE_STMT:
      return Update(n->update_stmt, outer, ctes, want_columns);
    case PG_QUERY__NODE__NODE_DELETE_STMT:
      return Delete(n->delete_stmt, outer, ctes, want_columns);
    default:
      return Columns{{}, true};
  }
}

const CteFrame* QueryAnalyzer::With(const PgQuery__WithClause* w, const Scope* outer,
                                    const CteFrame* ctes, CteFrame& frame) {
  frame.parent = ctes;
  frame.defs.clear();
  for (const Node* c : Nodes(w->n_ctes, w->ctes)) {
    if (c->node_case != PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR) continue;
    frame.defs.push_back(CteFrame::Def{Str(c->common_table_expr->ctename), Columns{{}, true}});
  }
  // Each body sees every name of the clause (its own while recursive, later ones leniently:
  // a forward reference is an error we leave to the server); names not computed yet are open.
  size_t i = 0;
  for (const Node* c : Nodes(w->n_ctes, w->ctes)) {
    if (c->node_case != PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR) continue;
    const PgQuery__CommonTableExpr* cte = c->common_table_expr;
    Columns cols = Stmt(cte->ctequery, outer, &frame, true);
    for (size_t k = 0; k < cte->n_aliascolnames; ++k) {
      std::string_view name = sql::StrVal(cte->aliascolnames[k]);
      if (k < cols.names.size()) {
        cols.names[k] = name;
      } else {
        cols.names.push_back(name);
      }
    }
    // SEARCH and CYCLE add columns of their own.
    if (cte->search_clause != nullptr && !Str(cte->search_clause->search_seq_column).empty()) {
      cols.names.push_back(Str(cte->search_clause->search_seq_column));
    }
    if (cte->cycle_clause != nullptr) {
      if (!Str(cte->cycle_clause->cycle_mark_column).empty())
        cols.names.push_back(Str(cte->cycle_clause->cycle_mark_column));
      if (!Str(cte->cycle_clause->cycle_path_column).empty())
        cols.names.push_back(Str(cte->cycle_clause->cycle_path_column));
    }
    frame.defs[i++].columns = std::move(cols);
  }
  return &frame;
}

Columns QueryAnalyzer::Select(const PgQuery__SelectStmt* s, const Scope* outer,
                              const CteFrame* ctes, bool want_columns) {
  if (s == nullptr) return Columns{{}, true};
  CteFrame frame;
  if (s->with_clause != nullptr) ctes = With(s->with_clause, outer, ctes, frame);
  bool check = silent_ == 0;

  if (s->larg != nullptr && s->rarg != nullptr) {  // UNION / INTERSECT / EXCEPT
    bool sorted = check && hooks_.column && s->n_sort_clause > 0;
    Columns left = Select(s->larg, outer, ctes, want_columns || sorted);
    Select(s->rarg, outer, ctes, false);
    if (sorted) {
      // ORDER BY of a set operation sees only the output column names.
      Scope names;
      names.parent = outer;
      RangeItem out;
      out.use_columns = true;
      out.columns = left.names;
      out.open = left.open;
      names.items.push_back(std::move(out));
      for (const Node* sb : Nodes(s->n_sort_clause, s->sort_clause))
        Expr(sb, &names, ctes, nullptr);
    }
    Expr(s->limit_offset, outer, ctes, nullptr);
    Expr(s->limit_count, outer, ctes, nullptr);
    return left;
  }

  if (s->n_values_lists > 0) {
    Exprs(Nodes(s->n_values_lists, s->values_lists), outer, ctes, nullptr);
    Expr(s->limit_offset, outer, ctes, nullptr);
    Expr(s->limit_count, outer, ctes, nullptr);
    Columns cols;
    if (!want_columns) return cols;
    const Node* first = s->values_lists[0];
    size_t n = first->node_case == PG_QUERY__NODE__NODE_LIST ? first->list->n_items : 0;
    for (size_t i = 0; i < n; ++i) {
      std::string_view name = ValuesColumnName(i);
      if (name.empty()) cols.open = true;
      cols.names.push_back(name);
    }
    return cols;
  }

  Scope scope;
  scope.parent = outer;
  for (size_t i = 0; i < s->n_from_clause; ++i) AddFrom(s->from_clause[i], i, scope, ctes);

  Columns out;
  if (want_columns) {
    for (const Node* t : Nodes(s->n_target_list, s->target_list)) {
      const PgQuery__ResTarget* rt = t->res_target;
      if (rt->name != nullptr && *rt->name != '\0') {
        out.names.emplace_back(rt->name);
        continue;
      }
      const Node* v = rt->val;
      if (v != nullptr && v->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
        const PgQuery__ColumnRef* c = v->column_ref;
        if (c->n_fields > 0 &&
            c->fields[c->n_fields - 1]->node_case == PG_QUERY__NODE__NODE_A_STAR) {
          std::string_view rel = c->n_fields >= 2 ? sql::StrVal(c->fields[c->n_fields - 2]) : "";
          bool matched = false;
          for (const RangeItem& item : scope.items) {
            if (!rel.empty() && item.name != rel) continue;
            matched = true;
            if (item.open) out.open = true;
            item.AppendColumns(out.names);
          }
          if (!matched) out.open = true;
          continue;
        }
      }
      std::string_view name = FigureColname(v);
      out.names.push_back(name.empty() ? std::string_view("?column?") : name);
    }
  }
  if (!check) return out;

  if (hooks_.level) {
    Level level;
    level.kind = LevelKind::kSelect;
    level.select = s;
    level.scope = &scope;
    level.ctes = ctes;
    hooks_.level(level);
  }
  // Output-column names, which ORDER BY / GROUP BY / DISTINCT ON may use.
  std::vector<std::string_view> output_names;
  if (hooks_.column &&
      (s->n_group_clause > 0 || s->n_sort_clause > 0 || s->n_distinct_clause > 0)) {
    for (const Node* t : Nodes(s->n_target_list, s->target_list)) {
      const PgQuery__ResTarget* rt = t->res_target;
      output_names.push_back(rt->name != nullptr && *rt->name != '\0' ? std::string_view(rt->name)
                                                                      : FigureColname(rt->val));
    }
  }
  for (const Node* t : Nodes(s->n_target_list, s->target_list)) {
    Expr(t->res_target->val, &scope, ctes, nullptr);
  }
  Expr(s->where_clause, &scope, ctes, nullptr);
  Exprs(Nodes(s->n_group_clause, s->group_clause), &scope, ctes, &output_names);
  Expr(s->having_clause, &scope, ctes, nullptr);
  Exprs(Nodes(s->n_window_clause, s->window_clause), &scope, ctes, nullptr);
  Exprs(Nodes(s->n_sort_clause, s->sort_clause), &scope, ctes, &output_names);
  Exprs(Nodes(s->n_distinct_clause, s->distinct_clause), &scope, ctes, &output_names);
  Expr(s->limit_offset, &scope, ctes, nullptr);
  Expr(s->limit_count, &scope, ctes, nullptr);
  return out;
}

Columns QueryAnalyzer::Returning(sql::NodeRange list, const Scope* scope, const CteFrame* ctes,
                                 bool want_columns) {
  Columns out;
  for (const Node* t : list) {
    if (!want_columns) break;
    const PgQuery__ResTarget* rt = t->res_target;
    if (rt->name != nullptr && *rt->name != '\0') {
      out.names.emplace_back(rt->name);
      continue;
    }
    const Node* v = rt->val;
    if (v != nullptr && v->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
      const PgQuery__ColumnRef* c = v->column_ref;
      if (c->fields[c->n_fields - 1]->node_case == PG_QUERY__NODE__NODE_A_STAR) {
        for (const RangeItem& item : scope->items) {
          if (c->n_fields >= 2 && item.name != sql::StrVal(c->fields[c->n_fields - 2])) continue;
          if (item.open) out.open = true;
          item.AppendColumns(out.names);
        }
        continue;
      }
    }
    std::string_view name = FigureColname(v);
    out.names.push_back(name.empty() ? std::string_view("?column?") : name);
  }
  if (silent_ == 0) {
    for (const Node* t : list) Expr(t->res_target->val, scope, ctes, nullptr);
  }
  return out;
}

void QueryAnalyzer::CheckTargetColumn(const RangeItem& target, std::string_view column,
                                      int location) {
  if (silent_ > 0 || !hooks_.unknown_target_column || target.open) return;
  if (target.table == nullptr && target.view == nullptr) return;
  if (!target.HasColumn(column)) hooks_.unknown_target_column(target, column, location);
}

Columns QueryAnalyzer::Insert(const PgQuery__InsertStmt* s, const Scope* outer,
                              const CteFrame* ctes, bool want_columns) {
  CteFrame frame;
  if (s->with_clause != nullptr) ctes = With(s->with_clause, outer, ctes, frame);
  RangeItem target = RelationItem(s->relation, nullptr);  // a DML target is never a CTE
  for (const Node* c : Nodes(s->n_cols, s->cols)) {
    const PgQuery__ResTarget* rt = c->res_target;
    CheckTargetColumn(target, Str(rt->name), rt->location);
    if (silent_ == 0) Exprs(Nodes(rt->n_indirection, rt->indirection), outer, ctes, nullptr);
  }
  // The source query does not see the target table.
  Stmt(s->select_stmt, outer, ctes, false);

  Scope scope;
  scope.parent = outer;
  scope.items.push_back(target);
  if (silent_ == 0 && hooks_.level) {
    Level level;
    level.kind = LevelKind::kInsert;
    level.insert = s;
    level.scope = &scope;
    level.ctes = ctes;
    hooks_.level(level);
  }
  if (const PgQuery__OnConflictClause* oc = s->on_conflict_clause; oc != nullptr && silent_ == 0) {
    if (oc->infer != nullptr) {
      for (const Node* e : Nodes(oc->infer->n_index_elems, oc->infer->index_elems)) {
        if (e->node_case != PG_QUERY__NODE__NODE_INDEX_ELEM) continue;
        const PgQuery__IndexElem* ie = e->index_elem;
        if (ie->name != nullptr && *ie->name != '\0') {
          // IndexElem carries no location; point at the ON CONFLICT clause.
          CheckTargetColumn(target, ie->name, oc->location);
        } else {
          Expr(ie->expr, &scope, ctes, nullptr);
        }
      }
      Expr(oc->infer->where_clause, &scope, ctes, nullptr);
    }
    Scope update_scope;
    update_scope.parent = outer;
    update_scope.items.push_back(target);
    RangeItem excluded = target;
    excluded.name = "excluded";
    excluded.schema = {};
    update_scope.items.push_back(std::move(excluded));
    for (const Node* t : Nodes(oc->n_target_list, oc->target_list)) {
      const PgQuery__ResTarget* rt = t->res_target;
      CheckTargetColumn(target, Str(rt->name), rt->location);
      Expr(rt->val, &update_scope, ctes, nullptr);
    }
    Expr(oc->where_clause, &update_scope, ctes, nullptr);
  }
  return Returning(Nodes(s->n_returning_list, s->returning_list), &scope, ctes, want_columns);
}

Columns QueryAnalyzer::Update(const PgQuery__UpdateStmt* s, const Scope* outer,
                              const CteFrame* ctes, bool want_columns) {
  CteFrame frame;
  if (s->with_clause != nullptr) ctes = With(s->with_clause, outer, ctes, frame);
  Scope scope;
  scope.parent = outer;
  scope.items.push_back(RelationItem(s->relation, nullptr));  // never a CTE
  for (size_t i = 0; i < s->n_from_clause; ++i) AddFrom(s->from_clause[i], i + 1, scope, ctes);
  const RangeItem target = scope.items.front();
  if (silent_ == 0) {
    if (hooks_.level) {
      Level level;
      level.kind = LevelKind::kUpdate;
      level.update = s;
      level.scope = &scope;
      level.ctes = ctes;
      hooks_.level(level);
    }
    for (const Node* t : Nodes(s->n_target_list, s->target_list)) {
      const PgQuery__ResTarget* rt = t->res_target;
      CheckTargetColumn(target, Str(rt->name), rt->location);
      Exprs(Nodes(rt->n_indirection, rt->indirection), &scope, ctes, nullptr);
      Expr(rt->val, &scope, ctes, nullptr);
    }
    Expr(s->where_clause, &scope, ctes, nullptr);
  }
  return Returning(Nodes(s->n_returning_list, s->returning_list), &scope, ctes, want_columns);
}

Columns QueryAnalyzer::Delete(const PgQuery__DeleteStmt* s, const Scope* outer,
                              const CteFrame* ctes, bool want_columns) {
  CteFrame frame;
  if (s->with_clause != nullptr) ctes = With(s->with_clause, outer, ctes, frame);
  Scope scope;
  scope.parent = outer;
  scope.items.push_back(RelationItem(s->relation, nullptr));  // never a CTE
  for (size_t i = 0; i < s->n_using_clause; ++i) AddFrom(s->using_clause[i], i + 1, scope, ctes);
  const RangeItem target = scope.items.front();
  if (silent_ == 0) {
    if (hooks_.level) {
      Level level;
      level.kind = LevelKind::kDelete;
      level.del = s;
      level.scope = &scope;
      level.ctes = ctes;
      hooks_.level(level);
    }
    Expr(s->where_clause, &scope, ctes, nullptr);
  }
  return Returning(Nodes(s->n_returning_list, s->returning_list), &scope, ctes, want_columns);
}

void QueryAnalyzer::AddFrom(const Node* f, size_t top, Scope& scope, const CteFrame* ctes) {
  if (f == nullptr) return;
  switch (f->node_case) {
    case PG_QUERY__NODE__NODE_RANGE_VAR: {
      RangeItem item = RelationItem(f->range_var, ctes);
      item.top = top;
      scope.items.push_back(std::move(item));
      return;
    }
    case PG_QUERY__NODE__NODE_RANGE_SUBSELECT: {
      const PgQuery__RangeSubselect* rs = f->range_subselect;
      // Lateral or not, the subquery sees the items before it (a non-lateral reference is
      // an error we leave to the server).
      Columns cols = Stmt(rs->subquery, &scope, ctes, true);
      RangeItem item;
      item.name = rs->alias != nullptr ? Str(rs->alias->aliasname) : std::string_view();
      item.use_columns = true;
      item.columns = std::move(cols.names);
      item.open = cols.open;
      Rename(item.columns, rs->alias);
      item.top = top;
      item.location = StartLocation(f);
      scope.items.push_back(std::move(item));
      return;
    }
    case PG_QUERY__NODE__NODE_RANGE_FUNCTION: {
      const PgQuery__RangeFunction* rf = f->range_function;
      if (silent_ == 0) Exprs(Nodes(rf->n_functions, rf->functions), &scope, ctes, nullptr);
      RangeItem item;
      item.open = true;
      if (rf->alias != nullptr) {
        item.name = Str(rf->alias->aliasname);
      } else if (rf->n_functions == 1 && rf->functions[0]->node_case == PG_QUERY__NODE__NODE_LIST &&
                 rf->functions[0]->list->n_items > 0) {
        item.name = FigureColname(rf->functions[0]->list->items[0]);
      }
      item.top = top;
      item.location = StartLocation(f);
      scope.items.push_back(std::move(item));
      return;
    }
    case PG_QUERY__NODE__NODE_JOIN_EXPR: {
      const PgQuery__JoinExpr* j = f->join_expr;
      size_t first = scope.items.size();
      AddFrom(j->larg, top, scope, ctes);
      AddFrom(j->rarg, top, scope, ctes);
      if (silent_ == 0) Expr(j->quals, &scope, ctes, nullptr);
      if (j->alias != nullptr || j->join_using_alias != nullptr) {
        RangeItem joined;
        joined.use_columns = true;
        joined.top = top;
        if (j->join_using_alias != nullptr) {
          RangeItem using_item;
          using_item.name = Str(j->join_using_alias->aliasname);
          using_item.use_columns = true;
          using_item.top = top;
          for (const Node* u : Nodes(j->n_using_clause, j->using_clause)) {
            using_item.columns.push_back(sql::StrVal(u));
          }
          scope.items.push_back(std::move(using_item));
        }
        if (j->alias != nullptr) {
          joined.name = Str(j->alias->aliasname);
          for (size_t i = first; i < scope.items.size(); ++i) {
            if (scope.items[i].open) joined.open = true;
            scope.items[i].AppendColumns(joined.columns);
          }
          Rename(joined.columns, j->alias);
          scope.items.push_back(std::move(joined));
        }
      }
      return;
    }
    case PG_QUERY__NODE__NODE_RANGE_TABLE_SAMPLE: {
      const PgQuery__RangeTableSample* ts = f->range_table_sample;
      AddFrom(ts->relation, top, scope, ctes);
      if (silent_ == 0) {
        Exprs(Nodes(ts->n_args, ts->args), &scope, ctes, nullptr);
        Expr(ts->repeatable, &scope, ctes, nullptr);
      }
      return;
    }
    case PG_QUERY__NODE__NODE_RANGE_TABLE_FUNC: {
      const PgQuery__RangeTableFunc* tf = f->range_table_func;
      if (silent_ == 0) {
        Expr(tf->docexpr, &scope, ctes, nullptr);
        Expr(tf->rowexpr, &scope, ctes, nullptr);
      }
      RangeItem item;
      item.open = true;
      item.name = tf->alias != nullptr ? Str(tf->alias->aliasname) : std::string_view();
      item.top = top;
      item.location = tf->location;
      scope.items.push_back(std::move(item));
      return;
    }
    default: {
      RangeItem item;
      item.open = true;
      item.top = top;
      scope.items.push_back(std::move(item));
      return;
    }
  }
}

bool QueryAnalyzer::KnownOutsideModel(const PgQuery__RangeVar* rv) const {
  std::string_view name = Str(rv->relname);
  // Relations of extensions the catalog does not list one by one.
  if (catalog_.extensions.count("postgis") &&
      (name == "spatial_ref_sys" || name == "geometry_columns" || name == "geography_columns")) {
    return true;
  }
  // Temporary tables, CREATE TABLE AS, SELECT INTO, foreign tables, tables made by DO blocks:
  // kept as statements the model does not interpret. Any such statement naming the relation
  // makes it "maybe exists".
  std::string lower_name = ToLower(name);
  for (const catalog::OtherObject& o : catalog_.others) {
    if (o.name == name) return true;
    if (o.kind == "InsertStmt" || o.kind == "UpdateStmt" || o.kind == "DeleteStmt" ||
        o.kind == "VariableSetStmt" || o.kind == "ExplainStmt") {
      continue;
    }
    std::string sql = ToLower(o.sql);
    if (o.kind == "SelectStmt" && sql.find("into") == std::string::npos) continue;
    if (sql.find(lower_name) != std::string::npos) return true;
  }
  return false;
}

std::string QueryAnalyzer::SuggestRelation(const PgQuery__RangeVar* rv,
                                           const CteFrame* ctes) const {
  std::vector<std::string> candidates;
  std::string_view schema = Str(rv->schemaname);
  auto add = [&](const catalog::QualifiedName& q) {
    if (!schema.empty()) {
      if (q.schema == schema) candidates.push_back(q.schema + "." + q.name);
    } else {
      candidates.push_back(q.schema == "public" ? q.name : q.schema + "." + q.name);
    }
  };
  for (const auto& [q, t] : catalog_.tables) add(q);
  for (const auto& [q, v] : catalog_.views) add(q);
  if (schema.empty()) {
    for (const CteFrame* f = ctes; f != nullptr; f = f->parent) {
      for (const CteFrame::Def& d : f->defs) candidates.emplace_back(d.name);
    }
  }
  std::string written(Str(rv->relname));
  if (written.size() <= 2) return "";  // everything is "close" to a one- or two-letter name
  if (!schema.empty()) written = std::string(schema) + "." + written;
  return ClosestMatch(written, candidates);
}

RangeItem QueryAnalyzer::RelationItem(const PgQuery__RangeVar* rv, const CteFrame* ctes) {
  RangeItem item;
  if (rv == nullptr) {
    item.open = true;
    return item;
  }
  item.range_var = rv;
  item.location = rv->location;
  std::string_view relname = Str(rv->relname);
  std::string_view schema = Str(rv->schemaname);
  item.name = rv->alias != nullptr ? Str(rv->alias->aliasname) : relname;
  if (schema.empty() && ctes != nullptr) {
    if (const CteFrame::Def* d = ctes->Find(relname)) {
      item.is_cte = true;
      item.use_columns = true;
      item.columns = d->columns.names;
      item.open = d->columns.open;
      Rename(item.columns, rv->alias);
      return item;
    }
  }
  if (!Str(rv->catalogname).empty() || IsSystemSchema(schema) ||
      (schema.empty() && StartsWith(relname, "pg_"))) {
    item.open = true;
    return item;
  }
  const catalog::QualifiedName* found = nullptr;
  catalog::QualifiedName resolved;
  if (auto q = ResolveRelation(catalog_, rv)) {
    resolved = *q;
    found = &resolved;
  }
  if (found == nullptr) {
    // Not in public: the session's search_path may reach another schema. One unambiguous
    // match is taken; anything else is left open.
    if (schema.empty()) {
      int matches = 0;
      auto consider = [&](const catalog::QualifiedName& q) {
        if (q.name == relname) {
          ++matches;
          resolved = q;
        }
      };
      for (const auto& [q, t] : catalog_.tables) consider(q);
      for (const auto& [q, v] : catalog_.views) consider(q);
      for (const auto& [q, s] : catalog_.sequences) consider(q);
      if (matches == 1) {
        found = &resolved;
      } else if (matches > 1) {
        item.open = true;
        return item;
      }
    } else {
      catalog::QualifiedName q{std::string(schema), std::string(relname)};
      if (catalog_.sequences.count(q)) {
        resolved = q;
        found = &resolved;
      }
    }
    if (found == nullptr && schema.empty()) {
      catalog::QualifiedName q{"public", std::string(relname)};
      if (catalog_.sequences.count(q)) {
        resolved = q;
        found = &resolved;
      }
    }
  }
  if (found != nullptr) {
    if (auto t = catalog_.tables.find(*found); t != catalog_.tables.end()) {
      item.table = &t->second;
      item.schema = rv->alias != nullptr ? std::string_view() : std::string_view(t->first.schema);
    } else if (auto v = catalog_.views.find(*found); v != catalog_.views.end()) {
      item.view = &v->second;
      item.open = !ViewColumnsReliable(v->second);
      item.schema = rv->alias != nullptr ? std::string_view() : std::string_view(v->first.schema);
    } else if (auto s = catalog_.sequences.find(*found); s != catalog_.sequences.end()) {
      item.sequence = &s->second;
      item.schema = rv->alias != nullptr ? std::string_view() : std::string_view(s->first.schema);
    } else {
      item.open = true;
    }
    if (rv->alias != nullptr && rv->alias->n_colnames > 0 && !item.open) {
      std::vector<std::string_view> names;
      item.AppendColumns(names);
      Rename(names, rv->alias);
      item.columns = std::move(names);
      item.use_columns = true;
    }
    return item;
  }
  item.open = true;
  if (KnownOutsideModel(rv)) return item;
  if (silent_ == 0 && report_relations_ && hooks_.unknown_relation) {
    hooks_.unknown_relation(rv, SuggestRelation(rv, ctes));
  }
  return item;
}

void QueryAnalyzer::Exprs(sql::NodeRange list, const Scope* scope, const CteFrame* ctes,
                          const std::vector<std::string_view>* output_names) {
  for (const Node* n : list) Expr(n, scope, ctes, output_names);
}

void QueryAnalyzer::Expr(const Node* n, const Scope* scope, const CteFrame* ctes,
                         const std::vector<std::string_view>* output_names) {
  if (n == nullptr || silent_ > 0) return;
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_COLUMN_REF:
      if (hooks_.column && scope != nullptr) {
        hooks_.column(n->column_ref,
                      ResolveColumnRef(*scope, n->column_ref, output_names, &catalog_), *scope);
      }
      return;
    case PG_QUERY__NODE__NODE_SUB_LINK:
      Expr(n->sub_link->testexpr, scope, ctes, nullptr);
      Stmt(n->sub_link->subselect, scope, ctes, false);
      return;
    case PG_QUERY__NODE__NODE_SELECT_STMT:
    case PG_QUERY__NODE__NODE_INSERT_STMT:
    case PG_QUERY__NODE__NODE_UPDATE_STMT:
    case PG_QUERY__NODE__NODE_DELETE_STMT:
      Stmt(n, scope, ctes, false);
      return;
    default:
      sql::ForEachChildNode(&n->base,
                            [&](Node* const& child) { Expr(child, scope, ctes, output_names); });
  }
}

}  // namespace dbarch::lint
