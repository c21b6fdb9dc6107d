#include "catalog/builder.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <functional>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "base/strings.h"
#include "catalog/builder_impl.h"
#include "catalog/naming.h"
#include "sql/expr_normalizer.h"

namespace dbarch::catalog {

using sql::Node;
using sql::Nodes;
using sql::StrVal;

namespace {

bool IsCascade(PgQuery__DropBehavior b) { return b == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE; }

std::vector<std::string> NameParts(const Node* node) {
  if (node == nullptr) return {};
  if (node->node_case == PG_QUERY__NODE__NODE_LIST) {
    return sql::StrList(node->list->items, node->list->n_items);
  }
  if (node->node_case == PG_QUERY__NODE__NODE_STRING) return {std::string(StrVal(node))};
  if (node->node_case == PG_QUERY__NODE__NODE_TYPE_NAME) {
    return sql::StrList(node->type_name->names, node->type_name->n_names);
  }
  return {};
}

std::string DefElemString(const PgQuery__DefElem* d) {
  if (d->arg == nullptr) return "";
  switch (d->arg->node_case) {
    case PG_QUERY__NODE__NODE_STRING: return d->arg->string->sval;
    case PG_QUERY__NODE__NODE_INTEGER: return std::to_string(d->arg->integer->ival);
    case PG_QUERY__NODE__NODE_FLOAT: return d->arg->float_->fval;
    case PG_QUERY__NODE__NODE_BOOLEAN: return d->arg->boolean->boolval ? "true" : "false";
    case PG_QUERY__NODE__NODE_TYPE_NAME: {
      return Join(sql::StrList(d->arg->type_name->names, d->arg->type_name->n_names), ".");
    }
    case PG_QUERY__NODE__NODE_A_CONST: {
      const PgQuery__AConst* c = d->arg->a_const;
      if (c->val_case == PG_QUERY__A__CONST__VAL_SVAL) return c->sval->sval;
      if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL) return std::to_string(c->ival->ival);
      if (c->val_case == PG_QUERY__A__CONST__VAL_FVAL) return c->fval->fval;
      if (c->val_case == PG_QUERY__A__CONST__VAL_BOOLVAL) {
        return c->boolval->boolval ? "true" : "false";
      }
      return "";
    }
    default: return "";
  }
}

// WITH (fillfactor = 70, ...) options as sorted name/value pairs. The server stores
// reloptions as "name=value" text, with booleans spelled as written: we lower-case.
std::vector<std::pair<std::string, std::string>> RelOptions(sql::NodeRange options) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Node* n : options) {
    if (n->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
    const PgQuery__DefElem* d = n->def_elem;
    std::string name = d->defnamespace != nullptr && *d->defnamespace != '\0'
                           ? std::string(d->defnamespace) + "." + d->defname
                           : std::string(d->defname);
    std::string value = d->arg == nullptr ? "true" : ToLower(DefElemString(d));
    out.emplace_back(std::move(name), std::move(value));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string ColumnRefName(const Node* n) {
  if (n == nullptr || n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return "";
  const PgQuery__ColumnRef* c = n->column_ref;
  if (c->n_fields == 0) return "";
  return std::string(StrVal(c->fields[c->n_fields - 1]));
}

// Distinct column names referenced in an expression (ColumnRef last fields).
void CollectColumnRefs(const Node* n, std::vector<std::string>& out) {
  if (n == nullptr) return;
  if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
    std::string name = ColumnRefName(n);
    if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end()) {
      out.push_back(name);
    }
    return;
  }
  sql::ForEachChildNode(&n->base, [&](Node* const& child) { CollectColumnRefs(child, out); });
}

int64_t TypeMax(const std::string& type) {
  if (type == "smallint") return 32767;
  if (type == "integer") return 2147483647;
  return INT64_MAX;
}

int64_t TypeMin(const std::string& type) {
  if (type == "smallint") return -32768;
  if (type == "integer") return -2147483648LL;
  return INT64_MIN;
}

bool ParseInt64(const Node* n, int64_t* out) {
  if (n == nullptr) return false;
  if (n->node_case == PG_QUERY__NODE__NODE_INTEGER) {
    *out = n->integer->ival;
    return true;
  }
  if (n->node_case == PG_QUERY__NODE__NODE_FLOAT) {
    *out = std::strtoll(n->float_->fval, nullptr, 10);
    return true;
  }
  if (n->node_case == PG_QUERY__NODE__NODE_A_CONST) {
    if (n->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
      *out = n->a_const->ival->ival;
      return true;
    }
    if (n->a_const->val_case == PG_QUERY__A__CONST__VAL_FVAL) {
      *out = std::strtoll(n->a_const->fval->fval, nullptr, 10);
      return true;
    }
  }
  return false;
}

// Boolean column defaults: the server stores 'f' as false.
std::string FixBooleanDefault(const std::string& type, const std::string& def) {
  if (type != "boolean") return def;
  std::string v = ToLower(def);
  if (v == "'t'" || v == "'true'" || v == "'y'" || v == "'yes'" || v == "'on'" || v == "'1'") {
    return "true";
  }
  if (v == "'f'" || v == "'false'" || v == "'n'" || v == "'no'" || v == "'off'" || v == "'0'") {
    return "false";
  }
  return def;
}

std::string PartitionDatum(const Node* n, const std::string& key_type) {
  if (n == nullptr) return "";
  if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
    std::string v = ToLower(ColumnRefName(n));
    if (v == "minvalue") return "MINVALUE";
    if (v == "maxvalue") return "MAXVALUE";
    return v;
  }
  if (n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) return PartitionDatum(n->type_cast->arg, key_type);
  if (n->node_case == PG_QUERY__NODE__NODE_A_CONST) {
    const PgQuery__AConst* c = n->a_const;
    if (c->isnull) return "NULL";
    switch (c->val_case) {
      case PG_QUERY__A__CONST__VAL_IVAL:
        // The server prints bounds in the key type's output form: quoted unless numeric.
        if (key_type == "integer" || key_type == "bigint" || key_type == "smallint" ||
            StartsWith(key_type, "numeric")) {
          return std::to_string(c->ival->ival);
        }
        return QuoteLiteral(std::to_string(c->ival->ival));
      case PG_QUERY__A__CONST__VAL_FVAL: return c->fval->fval;
      case PG_QUERY__A__CONST__VAL_BOOLVAL: return c->boolval->boolval ? "true" : "false";
      case PG_QUERY__A__CONST__VAL_SVAL: {
        std::string v = c->sval->sval;
        // A date given for a timestamp key prints with its time part.
        bool date_only = v.size() == 10 && v[4] == '-' && v[7] == '-';
        if (date_only && StartsWith(key_type, "timestamp")) {
          v += key_type.find("with time zone") != std::string::npos &&
                       key_type.find("without") == std::string::npos
                   ? " 00:00:00+00"
                   : " 00:00:00";
        }
        if (key_type == "integer" || key_type == "bigint" || key_type == "smallint") return v;
        return QuoteLiteral(v);
      }
      default: return "";
    }
  }
  auto text = sql::DeparseExpr(n);
  return text.ok() ? *text : "";
}

// PostgreSQL's output form of a time or interval literal (the server stores a default
// evaluated to the column type and prints it back): time '02:00' -> '02:00:00',
// interval '4 hours' -> '04:00:00', '1 day 2 hours' -> '1 day 02:00:00'. Returns `def`
// unchanged when it is not a plain literal it understands.
std::string FixTemporalDefault(const std::string& type, const std::string& def) {
  if (def.size() < 2 || def.front() != '\'' || def.back() != '\'' ||
      def.find('\'', 1) != def.size() - 1) {
    return def;
  }
  std::string v = def.substr(1, def.size() - 2);
  auto two = [](long n) { return (n < 10 ? "0" : "") + std::to_string(n); };
  if (StartsWith(type, "time") && !StartsWith(type, "timestamp")) {
    // HH:MM -> HH:MM:00
    if (v.size() == 5 && v[2] == ':' && isdigit(v[0]) && isdigit(v[1]) && isdigit(v[3]) && isdigit(v[4])) {
      return "'" + v + ":00'";
    }
    return def;
  }
  if (!StartsWith(type, "interval")) return def;
  long years = 0, months = 0, days = 0, seconds = 0;
  std::istringstream in(ToLower(v));
  std::string num;
  while (in >> num) {
    if (num.find(':') != std::string::npos) {
      int h = 0, m = 0, sec = 0;
      if (std::sscanf(num.c_str(), "%d:%d:%d", &h, &m, &sec) < 2) return def;
      seconds += h * 3600L + m * 60L + sec;
      continue;
    }
    char* end = nullptr;
    long n = std::strtol(num.c_str(), &end, 10);
    if (end == num.c_str() || *end != '\0') return def;
    std::string unit;
    if (!(in >> unit)) return def;
    if (StartsWith(unit, "year")) years += n;
    else if (StartsWith(unit, "mon")) months += n;
    else if (StartsWith(unit, "week")) days += 7 * n;
    else if (StartsWith(unit, "day")) days += n;
    else if (StartsWith(unit, "hour")) seconds += 3600 * n;
    else if (StartsWith(unit, "min")) seconds += 60 * n;
    else if (StartsWith(unit, "sec")) seconds += n;
    else return def;
  }
  years += months / 12;
  months %= 12;
  std::vector<std::string> parts;
  auto unit = [&](long n, const char* one, const char* many) {
    if (n != 0) parts.push_back(std::to_string(n) + " " + (n == 1 || n == -1 ? one : many));
  };
  unit(years, "year", "years");
  unit(months, "mon", "mons");
  unit(days, "day", "days");
  if (seconds != 0 || parts.empty()) {
    parts.push_back(two(seconds / 3600) + ":" + two(seconds % 3600 / 60) + ":" + two(seconds % 60));
  }
  return "'" + Join(parts, " ") + "'";
}

// Whether `opclass` is the default operator class of `method` for a column of `type`
// (format_type spelling): pg_get_indexdef leaves those out, so the model does too.
bool IsDefaultOpclass(const std::string& method, const std::string& type, std::string opclass) {
  if (size_t dot = opclass.rfind('.'); dot != std::string::npos) opclass = opclass.substr(dot + 1);
  bool array = EndsWith(type, "[]");
  std::string t = sql::InternalTypeName(type);
  static const std::set<std::string> kGeometric = {"point", "box", "polygon", "circle"};
  bool range = EndsWith(t, "range");
  if (method == "btree" || method == "hash") {
    return opclass == (array ? "array_ops" : t + "_ops") || (range && opclass == "range_ops") ||
           ((t == "cidr") && opclass == "inet_ops") || (t == "varchar" && opclass == "text_ops");
  }
  if (method == "gist") {
    if (t == "point" || t == "box" || t == "circle") return opclass == t + "_ops";
    if (t == "polygon") return opclass == "poly_ops";
    if (range) return opclass == "range_ops";
    if (t == "tsvector") return opclass == "tsvector_ops";
    return opclass == "gist_" + t + "_ops";  // hstore, btree_gist types
  }
  if (method == "gin") {
    if (array) return opclass == "array_ops";
    return opclass == t + "_ops" || opclass == "gin_" + t + "_ops";
  }
  if (method == "spgist") {
    if (t == "point") return opclass == "quad_point_ops";
    if (t == "polygon") return opclass == "poly_ops";
    if (range) return opclass == "range_ops";
    return opclass == t + "_ops" || (t == "cidr" && opclass == "inet_ops");
  }
  if (method == "brin") {
    if (t == "inet" || t == "cidr") return opclass == "inet_inclusion_ops";
    if (kGeometric.count(t)) return opclass == "box_inclusion_ops";
    if (range) return opclass == "range_inclusion_ops";
    return opclass == t + "_minmax_ops";
  }
  return false;
}

}  // namespace

Result<std::string> CanonicalOrError(const Node* expr, bool is_default,
                                     const sql::ExprHints* hints) {
  return sql::CanonicalExpr(expr, is_default ? sql::ExprContext::kDefault
                                             : sql::ExprContext::kGeneric, hints);
}

std::string CollationName(const std::vector<std::string>& parts) {
  if (parts.size() == 2 && (parts[0] == "pg_catalog" || parts[0] == "public")) return parts[1];
  return Join(parts, ".");
}

std::string FigureColname(const Node* n) {
  if (n == nullptr) return "";
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_COLUMN_REF: {
      const PgQuery__ColumnRef* c = n->column_ref;
      if (c->n_fields == 0) return "";
      const Node* last = c->fields[c->n_fields - 1];
      if (last->node_case == PG_QUERY__NODE__NODE_STRING) return last->string->sval;
      return "";
    }
    case PG_QUERY__NODE__NODE_A_INDIRECTION: {
      const PgQuery__AIndirection* ind = n->a_indirection;
      for (size_t i = ind->n_indirection; i > 0; --i) {
        const Node* x = ind->indirection[i - 1];
        if (x->node_case == PG_QUERY__NODE__NODE_STRING) return x->string->sval;
      }
      return FigureColname(ind->arg);
    }
    case PG_QUERY__NODE__NODE_FUNC_CALL: {
      const PgQuery__FuncCall* f = n->func_call;
      return f->n_funcname > 0 ? std::string(StrVal(f->funcname[f->n_funcname - 1])) : "";
    }
    case PG_QUERY__NODE__NODE_A_EXPR:
      if (n->a_expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF) return "nullif";
      return "";
    case PG_QUERY__NODE__NODE_TYPE_CAST: {
      std::string inner = FigureColname(n->type_cast->arg);
      if (!inner.empty()) return inner;
      const PgQuery__TypeName* t = n->type_cast->type_name;
      return t != nullptr && t->n_names > 0 ? std::string(StrVal(t->names[t->n_names - 1])) : "";
    }
    case PG_QUERY__NODE__NODE_COLLATE_CLAUSE: return FigureColname(n->collate_clause->arg);
    case PG_QUERY__NODE__NODE_CASE_EXPR: return "case";
    case PG_QUERY__NODE__NODE_A_ARRAY_EXPR: return "array";
    case PG_QUERY__NODE__NODE_ROW_EXPR: return "row";
    case PG_QUERY__NODE__NODE_COALESCE_EXPR: return "coalesce";
    case PG_QUERY__NODE__NODE_MIN_MAX_EXPR:
      return n->min_max_expr->op == PG_QUERY__MIN_MAX_OP__IS_GREATEST ? "greatest" : "least";
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION: {
      switch (n->sqlvalue_function->op) {
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_DATE: return "current_date";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIME:
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIME_N: return "current_time";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP:
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP_N: return "current_timestamp";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME:
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME_N: return "localtime";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP:
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP_N: return "localtimestamp";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_ROLE: return "current_role";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_USER: return "current_user";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_USER: return "user";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_SESSION_USER: return "session_user";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_CATALOG: return "current_catalog";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_SCHEMA: return "current_schema";
        default: return "";
      }
    }
    case PG_QUERY__NODE__NODE_SUB_LINK:
      if (n->sub_link->sub_link_type == PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK) return "exists";
      if (n->sub_link->sub_link_type == PG_QUERY__SUB_LINK_TYPE__ARRAY_SUBLINK) return "array";
      if (n->sub_link->sub_link_type == PG_QUERY__SUB_LINK_TYPE__EXPR_SUBLINK &&
          n->sub_link->subselect != nullptr &&
          n->sub_link->subselect->node_case == PG_QUERY__NODE__NODE_SELECT_STMT &&
          n->sub_link->subselect->select_stmt->n_target_list == 1) {
        const Node* t = n->sub_link->subselect->select_stmt->target_list[0];
        if (t->res_target->name != nullptr && *t->res_target->name != '\0') return t->res_target->name;
        return FigureColname(t->res_target->val);
      }
      return "";
    default: return "";
  }
}

namespace {

bool IsIdentByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '$' || (static_cast<unsigned char>(c) >= 0x80);
}

// Calls fn(begin, end, name) for each identifier token outside string literals.
template <typename Fn>
void ForEachIdentifier(const std::string& sql, Fn fn) {
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '\'') {
      ++i;
      while (i < sql.size()) {
        if (sql[i] == '\'' && i + 1 < sql.size() && sql[i + 1] == '\'') {
          i += 2;
        } else if (sql[i] == '\'') {
          ++i;
          break;
        } else {
          ++i;
        }
      }
    } else if (c == '"') {
      size_t b = i++;
      std::string name;
      while (i < sql.size()) {
        if (sql[i] == '"' && i + 1 < sql.size() && sql[i + 1] == '"') {
          name += '"';
          i += 2;
        } else if (sql[i] == '"') {
          ++i;
          break;
        } else {
          name += sql[i++];
        }
      }
      fn(b, i, name);
    } else if (IsIdentByte(c) && !(c >= '0' && c <= '9')) {
      size_t b = i;
      while (i < sql.size() && IsIdentByte(sql[i])) ++i;
      fn(b, i, ToLower(std::string_view(sql).substr(b, i - b)));
    } else if (c >= '0' && c <= '9') {
      while (i < sql.size() && (IsIdentByte(sql[i]) || sql[i] == '.')) ++i;
    } else {
      ++i;
    }
  }
}

}  // namespace

std::string ReplaceIdentifier(const std::string& sql, const std::string& from,
                              const std::string& to) {
  std::string out;
  size_t copied = 0;
  ForEachIdentifier(sql, [&](size_t b, size_t e, const std::string& name) {
    if (name != from) return;
    out.append(sql, copied, b - copied);
    out += QuoteIdent(to);
    copied = e;
  });
  out.append(sql, copied, std::string::npos);
  return out;
}

bool MentionsIdentifier(const std::string& sql, const std::string& ident) {
  bool found = false;
  ForEachIdentifier(sql, [&](size_t, size_t, const std::string& name) {
    if (name == ident) found = true;
  });
  return found;
}

// ---------------------------------------------------------------------------------------

CatalogBuilder::Impl::Impl(BuildOptions options)
    : options_(std::move(options)), search_path_(options_.search_path) {
  cat_.schemas["public"] = Schema{"public", "", ""};
}

Status CatalogBuilder::Impl::Error(Status st, int location) const {
  uint32_t offset = stmt_ != nullptr ? stmt_->begin : 0;
  if (location >= 0) offset = static_cast<uint32_t>(location);
  if (file_ == nullptr) return st;
  return std::move(st).WithSpan(file_->Span(offset, offset));
}

Status CatalogBuilder::Impl::NotFound(const std::string& what, const std::string& name,
                                      int location,
                                      const std::vector<std::string>& candidates) const {
  Status st = Status::NotFound(what + " \"" + name + "\" does not exist");
  std::string close = ClosestMatch(name, candidates);
  if (close.empty()) return Error(std::move(st), location);
  return Error(std::move(st).WithHint("did you mean \"" + close + "\"?"), location);
}

Origin CatalogBuilder::Impl::MakeOrigin() const {
  Origin o;
  if (file_ != nullptr && stmt_ != nullptr) o.span = file_->Span(stmt_->begin, stmt_->end);
  return o;
}

std::string CatalogBuilder::Impl::StatementText() const {
  if (file_ == nullptr || stmt_ == nullptr) return "";
  return file_->text().substr(stmt_->begin, stmt_->end - stmt_->begin);
}

void CatalogBuilder::Impl::EnsureSchema(const std::string& schema) {
  if (!cat_.schemas.count(schema)) cat_.schemas[schema] = Schema{schema, "", ""};
}

Status CatalogBuilder::Impl::CheckSchemaExists(const std::string& schema, int location) const {
  if (cat_.schemas.count(schema)) return Status::OK();
  std::vector<std::string> names;
  for (const auto& [n, s] : cat_.schemas) names.push_back(n);
  return NotFound("schema", schema, location, names);
}

Result<std::string> CatalogBuilder::Impl::CreationSchema(const char* schema, int location) const {
  if (schema != nullptr && *schema != '\0') {
    DBARCH_RETURN_IF_ERROR(CheckSchemaExists(schema, location));
    return std::string(schema);
  }
  for (const std::string& s : search_path_) {
    if (cat_.schemas.count(s)) return s;
  }
  return Error(Status::InvalidArgument("no schema has been selected to create in"), location);
}

Result<QualifiedName> CatalogBuilder::Impl::CreationName(const PgQuery__RangeVar* rv) const {
  DBARCH_ASSIGN_OR_RETURN(std::string schema, CreationSchema(rv->schemaname, rv->location));
  return QualifiedName{schema, TruncateIdentifier(rv->relname)};
}

Result<QualifiedName> CatalogBuilder::Impl::CreationName(const std::vector<std::string>& parts,
                                                         int location) const {
  if (parts.empty()) return Error(Status::InvalidArgument("missing object name"), location);
  const char* schema = parts.size() >= 2 ? parts[parts.size() - 2].c_str() : nullptr;
  DBARCH_ASSIGN_OR_RETURN(std::string s, CreationSchema(schema, location));
  return QualifiedName{s, TruncateIdentifier(parts.back())};
}

Result<QualifiedName> CatalogBuilder::Impl::FindRelation(const std::vector<std::string>& parts,
                                                         int location, const char* kind,
                                                         bool tables, bool views,
                                                         bool sequences, bool indexes) const {
  if (parts.empty()) return Error(Status::InvalidArgument("missing relation name"), location);
  auto exists = [&](const QualifiedName& q) {
    return (tables && cat_.tables.count(q)) || (views && cat_.views.count(q)) ||
           (sequences && (cat_.sequences.count(q) || identity_seqs_.count(q))) ||
           (indexes && cat_.indexes.count(q));
  };
  std::string name = TruncateIdentifier(parts.back());
  if (parts.size() >= 2) {
    QualifiedName q{parts[parts.size() - 2], name};
    if (exists(q)) return q;
  } else {
    for (const std::string& s : search_path_) {
      QualifiedName q{s, name};
      if (exists(q)) return q;
    }
  }
  std::vector<std::string> candidates;
  auto add = [&](const auto& map) {
    for (const auto& [q, obj] : map) candidates.push_back(q.name);
  };
  if (tables) add(cat_.tables);
  if (views) add(cat_.views);
  if (sequences) add(cat_.sequences);
  if (indexes) add(cat_.indexes);
  std::string shown = parts.size() >= 2 ? parts[parts.size() - 2] + "." + name : name;
  return NotFound(kind, shown, location, candidates);
}

Result<QualifiedName> CatalogBuilder::Impl::FindTableName(const PgQuery__RangeVar* rv) const {
  std::vector<std::string> parts;
  if (rv->schemaname != nullptr && *rv->schemaname != '\0') parts.push_back(rv->schemaname);
  parts.push_back(rv->relname);
  return FindRelation(parts, rv->location, "relation", true, false, false, false);
}

Result<QualifiedName> CatalogBuilder::Impl::FindTypeName(const std::vector<std::string>& parts,
                                                         int location) const {
  if (parts.empty()) return Error(Status::InvalidArgument("missing type name"), location);
  if (parts.size() >= 2) {
    QualifiedName q{parts[parts.size() - 2], parts.back()};
    if (cat_.types.count(q)) return q;
  } else {
    for (const std::string& s : search_path_) {
      QualifiedName q{s, parts.back()};
      if (cat_.types.count(q)) return q;
    }
  }
  std::vector<std::string> candidates;
  for (const auto& [q, t] : cat_.types) candidates.push_back(q.name);
  return NotFound("type", Join(parts, "."), location, candidates);
}

std::string CatalogBuilder::Impl::RoleName(const PgQuery__RoleSpec* r) const {
  if (r == nullptr) return "";
  switch (r->roletype) {
    case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_PUBLIC: return "PUBLIC";
    case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CSTRING: return r->rolename;
    case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CURRENT_USER:
    case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CURRENT_ROLE: return current_role_;
    default: return "";  // SESSION_USER: the loading role
  }
}

bool CatalogBuilder::Impl::RelationTaken(const std::string& schema, const std::string& name) const {
  auto it = relnames_.find(schema);
  return it != relnames_.end() && it->second.count(name) > 0;
}

bool CatalogBuilder::Impl::ConstraintTaken(const std::string& schema,
                                           const std::string& name) const {
  auto it = connames_.find(schema);
  return it != connames_.end() && it->second.count(name) > 0;
}

void CatalogBuilder::Impl::ReserveRelation(const std::string& schema, const std::string& name) {
  relnames_[schema].insert(name);
}
void CatalogBuilder::Impl::ReleaseRelation(const std::string& schema, const std::string& name) {
  relnames_[schema].erase(name);
}
void CatalogBuilder::Impl::ReserveConstraint(const std::string& schema, const std::string& name) {
  connames_[schema].insert(name);
}
void CatalogBuilder::Impl::ReleaseConstraint(const std::string& schema, const std::string& name) {
  connames_[schema].erase(name);
}

// format_type() spelling of a parsed type name. See model.h for the normal form.
Result<std::string> CatalogBuilder::Impl::TypeString(const PgQuery__TypeName* t) const {
  if (t == nullptr) return std::string();
  if (t->pct_type) {
    return Error(Status::NotSupported("%TYPE references are not supported"), t->location);
  }
  std::vector<std::string> names = sql::StrList(t->names, t->n_names);
  if (names.empty()) return Error(Status::InvalidArgument("empty type name"), t->location);
  bool catalog_type = names.size() == 2 && names[0] == "pg_catalog";
  std::string base = names.back();
  std::vector<int> mods;
  std::vector<std::string> raw_mods;
  for (const Node* m : Nodes(t->n_typmods, t->typmods)) {
    int v = sql::IntVal(m, INT32_MIN);
    mods.push_back(v);
    if (v != INT32_MIN) {
      raw_mods.push_back(std::to_string(v));
    } else {
      auto text = sql::DeparseExpr(m);
      raw_mods.push_back(text.ok() ? *text : "?");
    }
  }
  auto with_mods = [&](const std::string& name) {
    return raw_mods.empty() ? name : name + "(" + Join(raw_mods, ",") + ")";
  };
  std::string out;
  bool builtin = catalog_type || names.size() == 1;
  if (builtin) {
    static const std::map<std::string, std::string> kNames = {
        {"int2", "smallint"}, {"int4", "integer"}, {"int", "integer"}, {"int8", "bigint"},
        {"float4", "real"}, {"float8", "double precision"}, {"bool", "boolean"},
        {"varchar", "character varying"}, {"bpchar", "character"}, {"varbit", "bit varying"},
        {"decimal", "numeric"}, {"timestamptz", "timestamp with time zone"},
        {"timetz", "time with time zone"}, {"serial4", "serial"}, {"serial8", "bigserial"},
        {"serial2", "smallserial"}};
    std::string lower = base;
    auto it = kNames.find(lower);
    std::string name = it != kNames.end() ? it->second : lower;
    if (name == "numeric" && mods.size() == 1) {
      out = "numeric(" + raw_mods[0] + ",0)";
    } else if (name == "timestamp" || name == "time") {
      out = name + (raw_mods.empty() ? "" : "(" + raw_mods[0] + ")") + " without time zone";
    } else if (name == "timestamp with time zone" || name == "time with time zone") {
      std::string head = name.substr(0, name.find(' '));
      out = head + (raw_mods.empty() ? "" : "(" + raw_mods[0] + ")") + " with time zone";
    } else if (name == "interval") {
      out = "interval";
      if (!mods.empty()) {
        // typmods: field mask (INTERVAL_MASK bits), then precision.
        static const std::map<int, std::string> kFields = {
            {1 << 2, " year"}, {1 << 1, " month"}, {1 << 3, " day"}, {1 << 10, " hour"},
            {1 << 11, " minute"}, {1 << 12, " second"}, {(1 << 2) | (1 << 1), " year to month"},
            {(1 << 3) | (1 << 10), " day to hour"},
            {(1 << 3) | (1 << 10) | (1 << 11), " day to minute"},
            {(1 << 3) | (1 << 10) | (1 << 11) | (1 << 12), " day to second"},
            {(1 << 10) | (1 << 11), " hour to minute"},
            {(1 << 10) | (1 << 11) | (1 << 12), " hour to second"},
            {(1 << 11) | (1 << 12), " minute to second"}};
        auto f = kFields.find(mods[0]);
        if (f != kFields.end()) out += f->second;
        if (mods.size() > 1) out += "(" + raw_mods[1] + ")";
      }
    } else if (name == "character" && raw_mods.empty() && !catalog_type) {
      out = "character";  // bare user-typed "bpchar"
    } else if (!catalog_type && names.size() == 1) {
      // A user type name resolves through the search path: bare in public, else qualified.
      std::string shown = name;
      for (const std::string& s : search_path_) {
        if (cat_.types.count(QualifiedName{s, base})) {
          shown = s == "public" ? QuoteIdent(base) : QualifiedName{s, base}.Quoted();
          break;
        }
      }
      if (shown == name && name != base) shown = name;  // built-in alias
      else if (shown == name) shown = QuoteIdent(name) == name ? name : QuoteIdent(name);
      out = with_mods(shown);
    } else {
      out = with_mods(name);
    }
  } else {
    std::string schema = names[names.size() - 2];
    out = with_mods(schema == "public" ? QuoteIdent(base) : QualifiedName{schema, base}.Quoted());
  }
  if (t->n_array_bounds > 0) out += "[]";
  return out;
}

Status CatalogBuilder::Impl::KeepOther(const Node* node, const std::string& name) {
  std::string kind = "statement";
  for (unsigned i = 0; i < pg_query__node__descriptor.n_fields; ++i) {
    if (pg_query__node__descriptor.fields[i].id == static_cast<unsigned>(node->node_case)) {
      // "rule_stmt" -> "RuleStmt", the parse node's name.
      kind.clear();
      bool upper = true;
      for (const char* p = pg_query__node__descriptor.fields[i].name; *p != '\0'; ++p) {
        if (*p == '_') {
          upper = true;
        } else {
          kind += upper && *p >= 'a' && *p <= 'z' ? static_cast<char>(*p - 'a' + 'A') : *p;
          upper = false;
        }
      }
      break;
    }
  }
  if (!options_.keep_unsupported) {
    return Error(Status::NotSupported("statement " + kind + " is not modelled by dbarch"), -1);
  }
  OtherObject other{kind, name, StatementText(), {}, MakeOrigin()};
  if (search_path_ != std::vector<std::string>{"public"}) other.search_path = search_path_;
  cat_.others.push_back(std::move(other));
  return Status::OK();
}

Status CatalogBuilder::Impl::Apply(const SourceFile& file, const sql::Statement& stmt) {
  file_ = &file;
  stmt_ = &stmt;
  Status st = ApplyNode(stmt.node);
  stmt_ = nullptr;
  return st;
}

Status CatalogBuilder::Impl::ApplyNode(const Node* n) {
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT: return CreateSchema(n->create_schema_stmt);
    case PG_QUERY__NODE__NODE_CREATE_STMT: return CreateTable(n->create_stmt);
    case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT: return AlterTable(n->alter_table_stmt);
    case PG_QUERY__NODE__NODE_INDEX_STMT: return CreateIndex(n->index_stmt);
    case PG_QUERY__NODE__NODE_DROP_STMT: return Drop(n->drop_stmt);
    case PG_QUERY__NODE__NODE_RENAME_STMT: return Rename(n->rename_stmt);
    case PG_QUERY__NODE__NODE_ALTER_OBJECT_SCHEMA_STMT: return SetSchema(n->alter_object_schema_stmt);
    case PG_QUERY__NODE__NODE_VIEW_STMT: return CreateView(n->view_stmt);
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
      if (n->create_table_as_stmt->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW) {
        return CreateMatView(n->create_table_as_stmt);
      }
      return KeepOther(n, n->create_table_as_stmt->into->rel->relname);
    case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT: return CreateSequence(n->create_seq_stmt);
    case PG_QUERY__NODE__NODE_ALTER_SEQ_STMT: return AlterSequence(n->alter_seq_stmt);
    case PG_QUERY__NODE__NODE_CREATE_ENUM_STMT: return CreateEnum(n->create_enum_stmt);
    case PG_QUERY__NODE__NODE_ALTER_ENUM_STMT: return AlterEnum(n->alter_enum_stmt);
    case PG_QUERY__NODE__NODE_COMPOSITE_TYPE_STMT: return CreateComposite(n->composite_type_stmt);
    case PG_QUERY__NODE__NODE_CREATE_DOMAIN_STMT: return CreateDomain(n->create_domain_stmt);
    case PG_QUERY__NODE__NODE_ALTER_DOMAIN_STMT: return AlterDomain(n->alter_domain_stmt);
    case PG_QUERY__NODE__NODE_CREATE_RANGE_STMT: return CreateRange(n->create_range_stmt);
    case PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT: return CreateFunction(n->create_function_stmt);
    case PG_QUERY__NODE__NODE_ALTER_FUNCTION_STMT: return AlterFunction(n->alter_function_stmt);
    case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT: return CreateTrigger(n->create_trig_stmt);
    case PG_QUERY__NODE__NODE_CREATE_POLICY_STMT: return CreatePolicy(n->create_policy_stmt);
    case PG_QUERY__NODE__NODE_ALTER_POLICY_STMT: return AlterPolicy(n->alter_policy_stmt);
    case PG_QUERY__NODE__NODE_CREATE_EXTENSION_STMT: return CreateExtension(n->create_extension_stmt);
    case PG_QUERY__NODE__NODE_CREATE_ROLE_STMT: return CreateRole(n->create_role_stmt);
    case PG_QUERY__NODE__NODE_ALTER_ROLE_STMT: return AlterRole(n->alter_role_stmt);
    case PG_QUERY__NODE__NODE_DROP_ROLE_STMT: return DropRole(n->drop_role_stmt);
    case PG_QUERY__NODE__NODE_GRANT_ROLE_STMT: return GrantRole(n->grant_role_stmt);
    case PG_QUERY__NODE__NODE_GRANT_STMT: return GrantPrivileges(n->grant_stmt);
    case PG_QUERY__NODE__NODE_COMMENT_STMT: return Comment(n->comment_stmt);
    case PG_QUERY__NODE__NODE_ALTER_OWNER_STMT: return AlterOwner(n->alter_owner_stmt);
    case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT: return SetSearchPath(n->variable_set_stmt);
    case PG_QUERY__NODE__NODE_ALTER_DEFAULT_PRIVILEGES_STMT:
      return AlterDefaultPrivileges(n->alter_default_privileges_stmt);
    // Session and transaction control: no schema objects.
    case PG_QUERY__NODE__NODE_TRANSACTION_STMT:
    case PG_QUERY__NODE__NODE_VARIABLE_SHOW_STMT:
    case PG_QUERY__NODE__NODE_DISCARD_STMT:
    case PG_QUERY__NODE__NODE_LOCK_STMT:
    case PG_QUERY__NODE__NODE_CHECK_POINT_STMT:
      return Status::OK();
    case PG_QUERY__NODE__NODE_SELECT_STMT: {
      // pg_dump's SELECT pg_catalog.set_config('search_path', '', false).
      const PgQuery__SelectStmt* s = n->select_stmt;
      if (s->n_target_list == 1 && s->n_from_clause == 0) {
        const Node* v = s->target_list[0]->res_target->val;
        if (v != nullptr && v->node_case == PG_QUERY__NODE__NODE_FUNC_CALL &&
            FigureColname(v) == "set_config" && v->func_call->n_args >= 2 &&
            StrVal(v->func_call->args[0]) == "search_path") {
          search_path_.clear();
          std::string path(StrVal(v->func_call->args[1]));
          std::stringstream ss(path);
          std::string item;
          while (std::getline(ss, item, ',')) {
            std::string t(Trim(item));
            if (!t.empty()) search_path_.push_back(t);
          }
          return Status::OK();
        }
      }
      // SELECT ... INTO creates a table: kept even when queries are not.
      return options_.keep_queries || s->into_clause != nullptr ? KeepOther(n, "") : Status::OK();
    }
    case PG_QUERY__NODE__NODE_INSERT_STMT:
    case PG_QUERY__NODE__NODE_UPDATE_STMT:
    case PG_QUERY__NODE__NODE_DELETE_STMT:
    case PG_QUERY__NODE__NODE_MERGE_STMT:
    case PG_QUERY__NODE__NODE_COPY_STMT:
    case PG_QUERY__NODE__NODE_EXPLAIN_STMT:
      return options_.keep_queries ? KeepOther(n, "") : Status::OK();
    default:
      return KeepOther(n, "");
  }
}

Status CatalogBuilder::Impl::SetSearchPath(const PgQuery__VariableSetStmt* s) {
  if (s->name != nullptr && std::string_view(s->name) == "role") {
    std::string role = s->n_args > 0 ? std::string(StrVal(s->args[0])) : "";
    current_role_ = s->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE && role != "none" ? role : "";
    return Status::OK();
  }
  if (s->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_RESET_ALL) {
    current_role_.clear();
    search_path_ = options_.search_path;
    return Status::OK();
  }
  if (s->name == nullptr || std::string_view(s->name) != "search_path") return Status::OK();
  if (s->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_DEFAULT ||
      s->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_RESET) {
    search_path_ = options_.search_path;
    return Status::OK();
  }
  search_path_.clear();
  for (const Node* a : Nodes(s->n_args, s->args)) {
    std::string v(StrVal(a));
    if (!v.empty() && v != "$user" && v != "pg_catalog") search_path_.push_back(v);
  }
  return Status::OK();
}

Status CatalogBuilder::Impl::CreateSchema(const PgQuery__CreateSchemaStmt* s) {
  std::string name = s->schemaname != nullptr && *s->schemaname != '\0'
                         ? s->schemaname
                         : RoleName(s->authrole);
  if (cat_.schemas.count(name)) {
    if (s->if_not_exists) return Status::OK();
    return Error(Status::InvalidArgument("schema \"" + name + "\" already exists"), -1);
  }
  std::string owner = s->authrole != nullptr ? RoleName(s->authrole) : current_role_;
  cat_.schemas[name] = Schema{name, owner, ""};
  ApplyDefaultPrivileges("SCHEMAS", ObjectKind::kSchema, "", QuoteIdent(name), owner);
  if (s->n_schema_elts > 0) {
    std::vector<std::string> saved = search_path_;
    search_path_ = {name};
    for (const Node* e : Nodes(s->n_schema_elts, s->schema_elts)) {
      Status st = ApplyNode(e);
      if (!st.ok()) {
        search_path_ = saved;
        return st;
      }
    }
    search_path_ = saved;
  }
  return Status::OK();
}

Result<SequenceOptions> CatalogBuilder::Impl::ParseSequenceOptions(sql::NodeRange options,
                                                                   const SequenceOptions& base,
                                                                   std::string* owned_by) const {
  SequenceOptions o = base;
  bool has_min = false, has_max = false, has_start = false, type_changed = false;
  bool min_none = false, max_none = false;
  for (const Node* n : options) {
    if (n->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
    const PgQuery__DefElem* d = n->def_elem;
    std::string_view name = d->defname;
    int64_t v = 0;
    if (name == "as") {
      auto t = TypeString(d->arg->type_name);
      if (!t.ok()) return t.status();
      o.data_type = *t;
      type_changed = true;
    } else if (name == "increment") {
      if (ParseInt64(d->arg, &v)) o.increment = v;
    } else if (name == "minvalue") {
      if (d->arg == nullptr) {
        min_none = true;
      } else if (ParseInt64(d->arg, &v)) {
        o.min_value = v;
        has_min = true;
      }
    } else if (name == "maxvalue") {
      if (d->arg == nullptr) {
        max_none = true;
      } else if (ParseInt64(d->arg, &v)) {
        o.max_value = v;
        has_max = true;
      }
    } else if (name == "start") {
      if (ParseInt64(d->arg, &v)) {
        o.start = v;
        has_start = true;
      }
    } else if (name == "cache") {
      if (ParseInt64(d->arg, &v)) o.cache = v;
    } else if (name == "cycle") {
      o.cycle = d->arg == nullptr || DefElemString(d) == "true" || sql::IntVal(d->arg, 0) == 1;
    } else if (name == "owned_by" && owned_by != nullptr) {
      *owned_by = Join(NameParts(d->arg), ".");
    }
  }
  // Defaults as the server's init_params() sets them.
  bool fresh = base == SequenceOptions{} || type_changed;
  if (!has_min && (fresh || min_none)) {
    o.min_value = o.increment > 0 ? 1 : TypeMin(o.data_type);
  }
  if (!has_max && (fresh || max_none)) {
    o.max_value = o.increment > 0 ? TypeMax(o.data_type) : -1;
  }
  if (!has_start && fresh) o.start = o.increment > 0 ? o.min_value : o.max_value;
  return o;
}

Status CatalogBuilder::Impl::CreateTable(const PgQuery__CreateStmt* s) {
  const PgQuery__RangeVar* rv = s->relation;
  if (rv->relpersistence != nullptr && std::string_view(rv->relpersistence) == "t") {
    return KeepOther(stmt_->node, rv->relname);  // temporary tables are not schema
  }
  DBARCH_ASSIGN_OR_RETURN(QualifiedName name, CreationName(rv));
  if (cat_.tables.count(name) || RelationTaken(name.schema, name.name)) {
    if (s->if_not_exists) return Status::OK();
    return Error(Status::InvalidArgument("relation \"" + name.Quoted() + "\" already exists"),
                 rv->location);
  }
  Table table;
  if (s->of_typename != nullptr) {
    // A typed table: its columns are the composite type's attributes.
    DBARCH_ASSIGN_OR_RETURN(QualifiedName type_name,
                            FindTypeName(sql::StrList(s->of_typename->names, s->of_typename->n_names),
                                         s->of_typename->location));
    const Type& type = cat_.types[type_name];
    if (type.kind != TypeKind::kComposite) {
      return Error(Status::InvalidArgument("type \"" + type_name.Quoted() + "\" is not a composite type"),
                   s->of_typename->location);
    }
    table.of_type = type_name;
    for (const TypeAttribute& a : type.attributes) {
      Column c;
      c.name = a.name;
      c.type = a.type;
      c.collation = a.collation;
      table.columns.push_back(c);
    }
  }
  table.name = name;
  table.unlogged = rv->relpersistence != nullptr && std::string_view(rv->relpersistence) == "u";
  table.origin = MakeOrigin();
  table.options = RelOptions(Nodes(s->n_options, s->options));
  // WITH (oids = false) is accepted for old dumps and stores nothing.
  std::erase_if(table.options, [](const auto& p) { return p.first == "oids"; });
  table.owner = current_role_;

  // Inheritance: PARTITION OF parent, or INHERITS (a, b).
  for (const Node* p : Nodes(s->n_inh_relations, s->inh_relations)) {
    DBARCH_ASSIGN_OR_RETURN(QualifiedName parent, FindTableName(p->range_var));
    const Table* pt = cat_.FindTable(parent);
    for (const Column& c : pt->columns) {
      if (table.FindColumn(c.name) != nullptr) continue;
      Column copy = c;
      copy.identity = IdentityKind::kNone;
      copy.comment.clear();
      if (s->partbound == nullptr) copy.identity_options = SequenceOptions{};
      table.columns.push_back(copy);
    }
    if (s->partbound != nullptr) {
      table.partition_of = parent;
      // Inherited CHECK constraints are not local to the partition (see model.h).
    } else {
      table.inherits.push_back(parent);
    }
  }

  // Serial sequences are created (and named) before the table.
  std::vector<const PgQuery__Constraint*> deferred;  // table constraints, in order
  std::vector<std::pair<QualifiedName, uint32_t>> likes;  // LIKE source, options
  ReserveRelation(name.schema, name.name);
  for (const Node* e : Nodes(s->n_table_elts, s->table_elts)) {
    if (e->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
      Status st = AddColumn(table, e->column_def, true, deferred);
      if (!st.ok()) {
        ReleaseRelation(name.schema, name.name);
        return st;
      }
    } else if (e->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
      deferred.push_back(e->constraint);
    } else if (e->node_case == PG_QUERY__NODE__NODE_TABLE_LIKE_CLAUSE) {
      const PgQuery__TableLikeClause* like = e->table_like_clause;
      auto src = FindTableName(like->relation);
      if (!src.ok()) {
        ReleaseRelation(name.schema, name.name);
        return src.status();
      }
      // TableLikeOption bits (src/include/nodes/parsenodes.h); INCLUDING ALL sets them all.
      uint32_t o = like->options;
      bool comments = o & (1u << 0), defaults = o & (1u << 3), generated = o & (1u << 4),
           identity = o & (1u << 5);
      for (const Column& c : cat_.FindTable(*src)->columns) {
        Column copy = c;
        if (!comments) copy.comment.clear();
        if (!identity) {
          copy.identity = IdentityKind::kNone;
          copy.identity_options = SequenceOptions{};
        }
        if (!generated) copy.generated_expr.clear();
        if (!defaults) copy.default_expr.clear();
        table.columns.push_back(copy);
      }
      likes.emplace_back(*src, o);
    }
  }
  if (s->partspec != nullptr) {
    const PgQuery__PartitionSpec* ps = s->partspec;
    std::string strategy = ToLower(ps->strategy);
    table.partition_strategy = strategy == "range" ? PartitionStrategy::kRange
                               : strategy == "list" ? PartitionStrategy::kList
                                                    : PartitionStrategy::kHash;
    std::vector<std::string> parts;
    for (const Node* p : Nodes(ps->n_part_params, ps->part_params)) {
      const PgQuery__PartitionElem* pe = p->partition_elem;
      std::string item;
      if (pe->name != nullptr && *pe->name != '\0') {
        item = QuoteIdent(pe->name);
      } else {
        auto expr = CanonicalOrError(pe->expr, false, &hints_);
        if (!expr.ok()) return expr.status();
        item = "(" + *expr + ")";
      }
      if (pe->n_collation > 0) item += " COLLATE " + QuoteIdent(sql::StrList(pe->collation, pe->n_collation).back());
      if (pe->n_opclass > 0) item += " " + sql::StrList(pe->opclass, pe->n_opclass).back();
      parts.push_back(item);
    }
    std::string upper = strategy == "range" ? "RANGE" : strategy == "list" ? "LIST" : "HASH";
    table.partition_key = upper + " (" + Join(parts, ", ") + ")";
  }
  if (s->partbound != nullptr) {
    const PgQuery__PartitionBoundSpec* b = s->partbound;
    const Table* parent = cat_.FindTable(*table.partition_of);
    // The key's type decides how the server prints bound values.
    std::string key_type;
    if (parent != nullptr && !parent->partition_key.empty()) {
      std::string key = parent->partition_key;
      size_t open = key.find('(');
      std::string first = key.substr(open + 1, key.find_first_of(",)", open) - open - 1);
      if (!first.empty() && first[0] == '"') first = first.substr(1, first.size() - 2);
      if (const Column* c = parent->FindColumn(first)) key_type = c->type;
    }
    if (b->is_default) {
      table.partition_bound = "DEFAULT";
    } else if (b->strategy != nullptr && std::string_view(b->strategy) == "h") {
      table.partition_bound = "FOR VALUES WITH (modulus " + std::to_string(b->modulus) +
                              ", remainder " + std::to_string(b->remainder) + ")";
    } else if (b->strategy != nullptr && std::string_view(b->strategy) == "l") {
      std::vector<std::string> vals;
      for (const Node* d : Nodes(b->n_listdatums, b->listdatums)) vals.push_back(PartitionDatum(d, key_type));
      table.partition_bound = "FOR VALUES IN (" + Join(vals, ", ") + ")";
    } else {
      std::vector<std::string> lo, hi;
      for (const Node* d : Nodes(b->n_lowerdatums, b->lowerdatums)) lo.push_back(PartitionDatum(d, key_type));
      for (const Node* d : Nodes(b->n_upperdatums, b->upperdatums)) hi.push_back(PartitionDatum(d, key_type));
      table.partition_bound =
          "FOR VALUES FROM (" + Join(lo, ", ") + ") TO (" + Join(hi, ", ") + ")";
    }
  }
  auto [it, inserted] = cat_.tables.emplace(name, std::move(table));
  Table& t = it->second;
  hints_ = HintsFor(t);
  // Constraints are named in the order the server names them: CHECK first (when the table
  // is created), then the index-backed ones (PRIMARY KEY, UNIQUE, EXCLUDE), then FOREIGN KEY.
  std::vector<std::pair<const PgQuery__Constraint*, std::string>> all;
  for (const Node* e : Nodes(s->n_table_elts, s->table_elts)) {
    if (e->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF) continue;
    for (const Node* c : Nodes(e->column_def->n_constraints, e->column_def->constraints)) {
      all.emplace_back(c->constraint, e->column_def->colname);
    }
  }
  // Column constraints come first in the server's lists only when they appear first; keep
  // source order across columns and table constraints.
  std::vector<std::pair<const PgQuery__Constraint*, std::string>> ordered;
  size_t ci = 0;
  for (const Node* e : Nodes(s->n_table_elts, s->table_elts)) {
    if (e->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
      for (size_t k = 0; k < e->column_def->n_constraints; ++k) ordered.push_back(all[ci++]);
    } else if (e->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
      ordered.emplace_back(e->constraint, "");
    }
  }
  auto pass = [&](auto pred) -> Status {
    for (size_t i = 0; i < ordered.size(); ++i) {
      const PgQuery__Constraint* c = ordered[i].first;
      if (!pred(c->contype)) continue;
      // Deferrability attributes follow their constraint as separate items.
      PgQuery__Constraint merged = *c;
      for (size_t j = i + 1; j < ordered.size() && !ordered[j].second.empty() == !ordered[i].second.empty(); ++j) {
        PgQuery__ConstrType ty = ordered[j].first->contype;
        if (ty == PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRABLE) merged.deferrable = true;
        else if (ty == PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_NOT_DEFERRABLE) merged.deferrable = false;
        else if (ty == PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRED) merged.initdeferred = true;
        else if (ty == PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_IMMEDIATE) merged.initdeferred = false;
        else break;
      }
      DBARCH_RETURN_IF_ERROR(AddConstraint(t, &merged, true, ordered[i].second));
    }
    return Status::OK();
  };
  Status st = pass([](PgQuery__ConstrType ty) { return ty == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK; });
  if (st.ok()) {
    st = pass([](PgQuery__ConstrType ty) {
      return ty == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY ||
             ty == PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE ||
             ty == PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION;
    });
  }
  if (st.ok()) {
    st = pass([](PgQuery__ConstrType ty) { return ty == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN; });
  }
  if (!st.ok()) {
    cat_.tables.erase(name);
    ReleaseRelation(name.schema, name.name);
    return st;
  }
  (void)deferred;
  for (const auto& [src, opts] : likes) CopyLikeExtras(t, src, opts);
  // Identity columns copied by LIKE ... INCLUDING IDENTITY get their own sequences (columns
  // declared here registered theirs in AddColumn).
  for (const Column& c : t.columns) {
    if (likes.empty() || c.identity == IdentityKind::kNone) continue;
    std::string seq_name = ChooseName(name.name, c.name, "seq", [&](const std::string& n) {
      return RelationTaken(name.schema, n);
    });
    if (!identity_seqs_.count(QualifiedName{name.schema, seq_name}) &&
        std::none_of(identity_seqs_.begin(), identity_seqs_.end(), [&](const auto& kv) {
          return kv.second.first == name && kv.second.second == c.name;
        })) {
      ReserveRelation(name.schema, seq_name);
      identity_seqs_[QualifiedName{name.schema, seq_name}] = {name, c.name};
    }
  }
  ApplyDefaultPrivileges("TABLES", ObjectKind::kTable, name.schema, name.Quoted(), t.owner);
  for (const auto& [q, seq] : cat_.sequences) {
    if (seq.owned_by_table == name) {
      ApplyDefaultPrivileges("SEQUENCES", ObjectKind::kSequence, q.schema, q.Quoted(), t.owner);
    }
  }
  return Status::OK();
}

std::string CatalogBuilder::Impl::DomainBase(const std::string& type_name) const {
  // Type names are in the model's spelling: "price", "billing.price", "\"Price\"".
  std::string name = type_name;
  if (EndsWith(name, "[]")) return "";
  std::string schema = "public";
  size_t dot = std::string::npos;
  bool quoted = false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '"') quoted = !quoted;
    if (name[i] == '.' && !quoted) dot = i;
  }
  auto unquote = [](std::string v) {
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return v;
  };
  if (dot != std::string::npos) {
    schema = unquote(name.substr(0, dot));
    name = name.substr(dot + 1);
  }
  auto it = cat_.types.find(QualifiedName{schema, unquote(name)});
  if (it == cat_.types.end() || it->second.kind != TypeKind::kDomain) return "";
  std::string deeper = DomainBase(it->second.base_type);
  return !deeper.empty() ? deeper : sql::InternalTypeName(it->second.base_type);
}

sql::ExprHints CatalogBuilder::Impl::HintsFor(const Table& table, bool with_column_types) const {
  sql::ExprHints h;
  if (cat_.types.empty() && !with_column_types) return h;
  if (with_column_types) h.column_types.reserve(table.columns.size());
  for (const Column& c : table.columns) {
    std::string base = cat_.types.empty() ? std::string() : DomainBase(c.type);
    if (!base.empty()) h.domain_columns.emplace_back(c.name, base);
    if (with_column_types) h.column_types.emplace_back(c.name, !base.empty() ? base : sql::InternalTypeName(c.type));
  }
  return h;
}

Status CatalogBuilder::Impl::AddColumn(Table& table, const PgQuery__ColumnDef* def,
                                       bool in_create,
                                       std::vector<const PgQuery__Constraint*>& deferred) {
  // Column types matter only to a generated column's expression (the server's implicit
  // casts in mixed arithmetic); collecting them for every column would be quadratic.
  bool generated = false;
  for (const Node* c : Nodes(def->n_constraints, def->constraints)) {
    generated = generated || c->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED;
  }
  hints_ = HintsFor(table, generated);
  std::string colname = TruncateIdentifier(def->colname);
  Column* existing = table.FindColumn(colname);
  if (existing != nullptr && !table.partition_of && table.inherits.empty() && !table.of_type) {
    return Error(Status::InvalidArgument("column \"" + colname + "\" specified more than once"),
                 def->location);
  }
  Column col;
  if (existing != nullptr) col = *existing;  // partition/child refines an inherited column
  col.name = colname;
  if (def->type_name != nullptr) {
    DBARCH_ASSIGN_OR_RETURN(col.type, TypeString(def->type_name));
  }
  if (def->coll_clause != nullptr) {
    col.collation = CollationName(sql::StrList(def->coll_clause->collname, def->coll_clause->n_collname));
  }
  if (def->compression != nullptr) col.compression = def->compression;
  if (def->storage != nullptr && *def->storage != '\0') col.storage = ToLower(def->storage);
  if (def->is_not_null) col.not_null = true;
  if (def->raw_default != nullptr) {
    DBARCH_ASSIGN_OR_RETURN(col.default_expr, CanonicalOrError(def->raw_default, true, &hints_));
  }
  // serial types: an integer column fed by a sequence the column owns.
  static const std::map<std::string, std::string> kSerials = {
      {"serial", "integer"}, {"bigserial", "bigint"}, {"smallserial", "smallint"}};
  auto serial = kSerials.find(col.type);
  if (serial != kSerials.end()) {
    col.type = serial->second;
    col.not_null = true;
    std::string seq_name = ChooseName(table.name.name, colname, "seq", [&](const std::string& n) {
      return RelationTaken(table.name.schema, n);
    });
    Sequence seq;
    seq.name = QualifiedName{table.name.schema, seq_name};
    seq.options.data_type = col.type;
    seq.options.max_value = TypeMax(col.type);
    seq.owned_by_table = table.name;
    seq.owned_by_column = colname;
    seq.owner = table.owner;
    seq.origin = MakeOrigin();
    ReserveRelation(seq.name.schema, seq.name.name);
    cat_.sequences[seq.name] = seq;
    std::string regclass =
        seq.name.schema == "public" ? QuoteIdent(seq_name) : seq.name.Quoted();
    DBARCH_ASSIGN_OR_RETURN(col.default_expr,
                            sql::CanonicalExprText("nextval(" + QuoteLiteral(regclass) + "::regclass)",
                                                   sql::ExprContext::kDefault));
  }
  for (const Node* cn : Nodes(def->n_constraints, def->constraints)) {
    const PgQuery__Constraint* c = cn->constraint;
    switch (c->contype) {
      case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL: col.not_null = true; break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_NULL: col.not_null = false; break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT: {
        DBARCH_ASSIGN_OR_RETURN(col.default_expr, CanonicalOrError(c->raw_expr, true, &hints_));
        break;
      }
      case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED: {
        DBARCH_ASSIGN_OR_RETURN(col.generated_expr, CanonicalOrError(c->raw_expr, false, &hints_));
        break;
      }
      case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY: {
        col.identity = c->generated_when != nullptr && std::string_view(c->generated_when) == "a"
                           ? IdentityKind::kAlways
                           : IdentityKind::kByDefault;
        col.not_null = true;
        SequenceOptions base;
        base.data_type = col.type;
        base.max_value = TypeMax(col.type);
        base.min_value = 1;
        base.start = 1;
        DBARCH_ASSIGN_OR_RETURN(SequenceOptions o,
                                ParseSequenceOptions(Nodes(c->n_options, c->options), SequenceOptions{}, nullptr));
        // ParseSequenceOptions computed defaults for bigint; redo them for the column type.
        SequenceOptions typed = base;
        DBARCH_ASSIGN_OR_RETURN(typed, ParseSequenceOptions(Nodes(c->n_options, c->options), base, nullptr));
        bool any_min = false, any_max = false, any_start = false;
        for (const Node* on : Nodes(c->n_options, c->options)) {
          std::string_view n = on->def_elem->defname;
          any_min |= n == "minvalue";
          any_max |= n == "maxvalue";
          any_start |= n == "start";
        }
        if (!any_min) typed.min_value = typed.increment > 0 ? 1 : TypeMin(col.type);
        if (!any_max) typed.max_value = typed.increment > 0 ? TypeMax(col.type) : -1;
        if (!any_start) typed.start = typed.increment > 0 ? typed.min_value : typed.max_value;
        (void)o;
        col.identity_options = typed;
        std::string seq_name = ChooseName(table.name.name, colname, "seq", [&](const std::string& n) {
          return RelationTaken(table.name.schema, n);
        });
        ReserveRelation(table.name.schema, seq_name);
        identity_seqs_[QualifiedName{table.name.schema, seq_name}] = {table.name, colname};
        // The sequence is created with the table's owner: default privileges apply to it.
        ApplyDefaultPrivileges("SEQUENCES", ObjectKind::kSequence, table.name.schema,
                               QualifiedName{table.name.schema, seq_name}.Quoted(), table.owner);
        break;
      }
      case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY: col.not_null = true; break;
      default: break;  // CHECK/UNIQUE/FK/attributes: handled by the caller
    }
  }
  col.default_expr = FixTemporalDefault(col.type, FixBooleanDefault(col.type, col.default_expr));
  if (existing != nullptr) {
    *existing = col;
  } else {
    table.columns.push_back(col);
  }
  if (!in_create) {
    // ALTER TABLE ADD COLUMN: constraints take effect now, in order.
    for (const Node* cn : Nodes(def->n_constraints, def->constraints)) {
      PgQuery__ConstrType ty = cn->constraint->contype;
      if (ty == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK || ty == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY ||
          ty == PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE || ty == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN ||
          ty == PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION) {
        DBARCH_RETURN_IF_ERROR(AddConstraint(table, cn->constraint, false, colname));
      }
    }
  }
  (void)deferred;
  return Status::OK();
}

Status CatalogBuilder::Impl::AddConstraint(Table& table, const PgQuery__Constraint* c,
                                           bool in_create, const std::string& column) {
  const std::string& schema = table.name.schema;
  Constraint con;
  con.deferrable = c->deferrable;
  con.initially_deferred = c->initdeferred;
  if (con.initially_deferred) con.deferrable = true;
  std::vector<std::string> keys =
      column.empty() ? sql::StrList(c->keys, c->n_keys) : std::vector<std::string>{column};
  for (auto& k : keys) k = TruncateIdentifier(k);
  con.include = sql::StrList(c->including, c->n_including);
  con.index_options = RelOptions(Nodes(c->n_options, c->options));
  std::string given = c->conname != nullptr ? TruncateIdentifier(c->conname) : "";
  auto taken_con = [&](const std::string& n) { return ConstraintTaken(schema, n); };
  auto taken_rel_con = [&](const std::string& n) {
    return RelationTaken(schema, n) || ConstraintTaken(schema, n);
  };
  for (const std::string& k : keys) {
    if (table.FindColumn(k) == nullptr) {
      std::vector<std::string> names;
      for (const Column& col : table.columns) names.push_back(col.name);
      return NotFound("column", k, c->location, names);
    }
  }
  switch (c->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK: {
      con.kind = ConstraintKind::kCheck;
      DBARCH_ASSIGN_OR_RETURN(con.expression, CanonicalOrError(c->raw_expr, false, &hints_));
      con.no_inherit = c->is_no_inherit;
      con.not_valid = !in_create && c->skip_validation;
      std::vector<std::string> refs;
      CollectColumnRefs(c->raw_expr, refs);
      con.name = !given.empty() ? given
                                : ChooseName(table.name.name, refs.size() == 1 ? refs[0] : "",
                                             "check", taken_con);
      break;
    }
    case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
    case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE: {
      bool pk = c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY;
      con.kind = pk ? ConstraintKind::kPrimaryKey : ConstraintKind::kUnique;
      con.nulls_not_distinct = c->nulls_not_distinct;
      if (c->indexname != nullptr && *c->indexname != '\0') {
        // ADD ... USING INDEX: the index becomes the constraint and takes its name.
        QualifiedName idx{schema, c->indexname};
        auto it = cat_.indexes.find(idx);
        if (it == cat_.indexes.end()) {
          std::vector<std::string> names;
          for (const auto& [q, i] : cat_.indexes) names.push_back(q.name);
          return NotFound("index", c->indexname, c->location, names);
        }
        for (const IndexKey& k : it->second.keys) keys.push_back(k.column);
        con.include = it->second.include;
        con.nulls_not_distinct = it->second.nulls_not_distinct;
        con.index_options = it->second.options;
        ReleaseRelation(schema, idx.name);
        cat_.indexes.erase(it);
        con.name = !given.empty() ? given : idx.name;
      } else if (pk) {
        con.name = !given.empty() ? given : ChooseName(table.name.name, "", "pkey", taken_rel_con);
      } else {
        con.name = !given.empty() ? given
                                  : ChooseName(table.name.name, NameAddition(keys), "key", taken_rel_con);
      }
      con.columns = keys;
      if (pk) {
        for (const Constraint& other : table.constraints) {
          if (other.kind == ConstraintKind::kPrimaryKey) {
            return Error(Status::InvalidArgument("multiple primary keys for table \"" +
                                                 table.name.Quoted() + "\" are not allowed"),
                         c->location);
          }
        }
        for (const std::string& k : keys) table.FindColumn(k)->not_null = true;
      }
      ReserveRelation(schema, con.name);
      break;
    }
    case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION: {
      con.kind = ConstraintKind::kExclude;
      con.exclude_method = c->access_method != nullptr && *c->access_method != '\0' ? c->access_method : "btree";
      std::vector<std::string> colnames;
      for (const Node* ex : Nodes(c->n_exclusions, c->exclusions)) {
        // Each exclusion is a list (IndexElem, operator name list).
        const PgQuery__List* pair = ex->list;
        DBARCH_ASSIGN_OR_RETURN(IndexKey key, MakeIndexKey(pair->items[0]->index_elem));
        key.exclude_operator = Join(NameParts(pair->items[1]), ".");
        if (!key.column.empty() && !key.opclass.empty() && key.opclass_params.empty() &&
            table.FindColumn(key.column) != nullptr &&
            IsDefaultOpclass(con.exclude_method, table.FindColumn(key.column)->type, key.opclass)) {
          key.opclass.clear();
        }
        colnames.push_back(!key.column.empty() ? key.column
                                               : (FigureColname(pair->items[0]->index_elem->expr).empty()
                                                      ? "expr"
                                                      : FigureColname(pair->items[0]->index_elem->expr)));
        con.exclude_keys.push_back(key);
      }
      if (c->where_clause != nullptr) {
        DBARCH_ASSIGN_OR_RETURN(con.exclude_predicate, CanonicalOrError(c->where_clause, false, &hints_));
      }
      con.name = !given.empty() ? given
                                : ChooseName(table.name.name, NameAddition(colnames), "excl", taken_rel_con);
      ReserveRelation(schema, con.name);
      break;
    }
    case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN: {
      con.kind = ConstraintKind::kForeignKey;
      std::vector<std::string> fk = column.empty() ? sql::StrList(c->fk_attrs, c->n_fk_attrs)
                                                   : std::vector<std::string>{column};
      for (const std::string& k : fk) {
        if (table.FindColumn(k) == nullptr) {
          std::vector<std::string> names;
          for (const Column& col : table.columns) names.push_back(col.name);
          return NotFound("column", k, c->location, names);
        }
      }
      con.columns = fk;
      DBARCH_ASSIGN_OR_RETURN(con.ref_table, FindTableName(c->pktable));
      const Table* ref = con.ref_table == table.name ? &table : cat_.FindTable(con.ref_table);
      con.ref_columns = sql::StrList(c->pk_attrs, c->n_pk_attrs);
      if (con.ref_columns.empty()) {
        for (const Constraint& k : ref->constraints) {
          if (k.kind == ConstraintKind::kPrimaryKey) con.ref_columns = k.columns;
        }
        if (con.ref_columns.empty()) {
          return Error(Status::InvalidArgument("there is no primary key for referenced table \"" +
                                               con.ref_table.Quoted() + "\""),
                       c->location);
        }
      }
      for (const std::string& k : con.ref_columns) {
        if (ref->FindColumn(k) == nullptr) {
          std::vector<std::string> names;
          for (const Column& col : ref->columns) names.push_back(col.name);
          return NotFound("column", k, c->location, names);
        }
      }
      if (con.ref_columns.size() != con.columns.size()) {
        return Error(Status::InvalidArgument("number of referencing and referenced columns for "
                                             "foreign key disagree"),
                     c->location);
      }
      con.match = c->fk_matchtype != nullptr && *c->fk_matchtype != '\0' ? c->fk_matchtype[0] : 's';
      con.on_update = c->fk_upd_action != nullptr && *c->fk_upd_action != '\0' ? c->fk_upd_action[0] : 'a';
      con.on_delete = c->fk_del_action != nullptr && *c->fk_del_action != '\0' ? c->fk_del_action[0] : 'a';
      con.on_delete_columns = sql::StrList(c->fk_del_set_cols, c->n_fk_del_set_cols);
      con.not_valid = !in_create && c->skip_validation;
      con.name = !given.empty() ? given
                                : ChooseName(table.name.name, NameAddition(con.columns), "fkey", taken_con);
      break;
    }
    default:
      return Status::OK();
  }
  for (const Constraint& other : table.constraints) {
    if (other.name == con.name) {
      return Error(Status::InvalidArgument("constraint \"" + con.name + "\" for relation \"" +
                                           table.name.Quoted() + "\" already exists"),
                   c->location);
    }
  }
  ReserveConstraint(schema, con.name);
  table.constraints.push_back(std::move(con));
  return Status::OK();
}

Result<IndexKey> CatalogBuilder::Impl::MakeIndexKey(const PgQuery__IndexElem* e) const {
  IndexKey k;
  if (e->name != nullptr && *e->name != '\0') {
    k.column = e->name;
  } else {
    DBARCH_ASSIGN_OR_RETURN(k.expression, CanonicalOrError(e->expr, false, &hints_));
  }
  if (e->n_collation > 0) {
    k.collation = CollationName(sql::StrList(e->collation, e->n_collation));
  }
  if (e->n_opclass > 0) {
    std::vector<std::string> op = sql::StrList(e->opclass, e->n_opclass);
    k.opclass = op.size() == 2 && (op[0] == "pg_catalog" || op[0] == "public") ? op[1] : Join(op, ".");
  }
  for (const Node* o : Nodes(e->n_opclassopts, e->opclassopts)) {
    k.opclass_params.emplace_back(o->def_elem->defname, ToLower(DefElemString(o->def_elem)));
  }
  k.descending = e->ordering == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
  if (e->nulls_ordering == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_FIRST) {
    k.nulls_first = true;
  } else if (e->nulls_ordering == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_LAST) {
    k.nulls_first = false;
  } else {
    k.nulls_first = k.descending;
  }
  return k;
}

Status CatalogBuilder::Impl::CreateIndex(const PgQuery__IndexStmt* s) {
  std::vector<std::string> parts;
  if (s->relation->schemaname != nullptr && *s->relation->schemaname != '\0') parts.push_back(s->relation->schemaname);
  parts.push_back(s->relation->relname);
  // Indexes go on tables and materialized views.
  auto table_name = FindRelation(parts, s->relation->location, "relation", true, true, false, false);
  if (!table_name.ok()) return table_name.status();
  Index idx;
  idx.table = *table_name;
  idx.method = s->access_method != nullptr && *s->access_method != '\0' ? ToLower(s->access_method) : "btree";
  idx.unique = s->unique;
  idx.nulls_not_distinct = s->nulls_not_distinct;
  std::vector<std::string> colnames;
  const Table* table = cat_.FindTable(idx.table);
  hints_ = table != nullptr ? HintsFor(*table) : sql::ExprHints{};
  for (const Node* p : Nodes(s->n_index_params, s->index_params)) {
    DBARCH_ASSIGN_OR_RETURN(IndexKey key, MakeIndexKey(p->index_elem));
    if (!key.column.empty() && table != nullptr && table->FindColumn(key.column) == nullptr) {
      std::vector<std::string> names;
      for (const Column& c : table->columns) names.push_back(c.name);
      return NotFound("column", key.column, s->relation->location, names);
    }
    if (!key.column.empty() && !key.opclass.empty() && key.opclass_params.empty() && table != nullptr &&
        IsDefaultOpclass(idx.method, table->FindColumn(key.column)->type, key.opclass)) {
      key.opclass.clear();
    }
    std::string cn = p->index_elem->indexcolname != nullptr && *p->index_elem->indexcolname != '\0'
                         ? p->index_elem->indexcolname
                         : !key.column.empty() ? key.column : FigureColname(p->index_elem->expr);
    if (cn.empty()) cn = "expr";
    colnames.push_back(cn);
    idx.keys.push_back(std::move(key));
  }
  for (const Node* p : Nodes(s->n_index_including_params, s->index_including_params)) {
    idx.include.push_back(p->index_elem->name);
    colnames.push_back(p->index_elem->name);
  }
  if (s->where_clause != nullptr) {
    DBARCH_ASSIGN_OR_RETURN(idx.predicate, CanonicalOrError(s->where_clause, false, &hints_));
  }
  idx.options = RelOptions(Nodes(s->n_options, s->options));
  std::string schema = idx.table.schema;
  std::string name;
  if (s->idxname != nullptr && *s->idxname != '\0') {
    name = TruncateIdentifier(s->idxname);
    if (RelationTaken(schema, name)) {
      if (s->if_not_exists) return Status::OK();
      return Error(Status::InvalidArgument("relation \"" + name + "\" already exists"), -1);
    }
  } else {
    // ChooseIndexColumnNames makes duplicate column names unique with a number suffix.
    std::vector<std::string> unique_names;
    for (const std::string& cn : colnames) {
      std::string cur = cn;
      for (int i = 1; std::find(unique_names.begin(), unique_names.end(), cur) != unique_names.end(); ++i) {
        cur = cn + std::to_string(i);
      }
      unique_names.push_back(cur);
    }
    name = ChooseName(idx.table.name, NameAddition(unique_names), "idx",
                      [&](const std::string& n) { return RelationTaken(schema, n); });
  }
  idx.name = QualifiedName{schema, name};
  ReserveRelation(schema, name);
  cat_.indexes[idx.name] = std::move(idx);
  return Status::OK();
}

Status CatalogBuilder::Impl::AlterTable(const PgQuery__AlterTableStmt* s) {
  std::vector<std::string> parts;
  if (s->relation->schemaname != nullptr && *s->relation->schemaname != '\0') parts.push_back(s->relation->schemaname);
  parts.push_back(s->relation->relname);
  switch (s->objtype) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE: break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX: {
      auto name = FindRelation(parts, s->relation->location, "index", false, false, false, true);
      if (!name.ok()) return s->missing_ok ? Status::OK() : name.status();
      Index& idx = cat_.indexes[*name];
      for (const Node* c : Nodes(s->n_cmds, s->cmds)) {
        const PgQuery__AlterTableCmd* cmd = c->alter_table_cmd;
        if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions) {
          for (auto& o : RelOptions(Nodes(cmd->def->list->n_items, cmd->def->list->items))) {
            std::erase_if(idx.options, [&](const auto& p) { return p.first == o.first; });
            idx.options.push_back(o);
          }
          std::sort(idx.options.begin(), idx.options.end());
        } else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions) {
          for (const Node* o : Nodes(cmd->def->list->n_items, cmd->def->list->items)) {
            std::erase_if(idx.options, [&](const auto& p) { return p.first == o->def_elem->defname; });
          }
        } else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition) {
          // The partition's index becomes part of the parent's: no longer an index of its own.
          const PgQuery__RangeVar* child = cmd->def->partition_cmd->name;
          std::vector<std::string> cparts;
          if (child->schemaname != nullptr && *child->schemaname != '\0') cparts.push_back(child->schemaname);
          cparts.push_back(child->relname);
          DBARCH_ASSIGN_OR_RETURN(QualifiedName cname, FindRelation(cparts, child->location, "index", false, false, false, true));
          ReleaseRelation(cname.schema, cname.name);
          cat_.indexes.erase(cname);
        } else {
          return KeepOther(stmt_->node, name->name);
        }
      }
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE: {
      bool seq = s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE;
      auto name = FindRelation(parts, s->relation->location, seq ? "sequence" : "view", false,
                               !seq, seq, false);
      if (!name.ok()) return s->missing_ok ? Status::OK() : name.status();
      for (const Node* c : Nodes(s->n_cmds, s->cmds)) {
        const PgQuery__AlterTableCmd* cmd = c->alter_table_cmd;
        if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ChangeOwner) {
          if (seq) {
            cat_.sequences[*name].owner = RoleName(cmd->newowner);
          } else {
            cat_.views[*name].owner = RoleName(cmd->newowner);
          }
        } else if (!seq && (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions ||
                            cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions)) {
          View& v = cat_.views[*name];
          for (const Node* o : Nodes(cmd->def->list->n_items, cmd->def->list->items)) {
            std::string key = o->def_elem->defname;
            std::erase_if(v.options, [&](const auto& p) { return p.first == key; });
            if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions) {
              v.options.emplace_back(key, o->def_elem->arg == nullptr ? "true" : ToLower(DefElemString(o->def_elem)));
            }
          }
          std::sort(v.options.begin(), v.options.end());
        } else {
          return KeepOther(stmt_->node, name->name);
        }
      }
      return Status::OK();
    }
    default:
      return KeepOther(stmt_->node, s->relation->relname);
  }
  auto name = FindTableName(s->relation);
  if (!name.ok()) return s->missing_ok ? Status::OK() : name.status();
  Table& table = cat_.tables[*name];
  hints_ = HintsFor(table);
  for (const Node* c : Nodes(s->n_cmds, s->cmds)) {
    DBARCH_RETURN_IF_ERROR(AlterTableCmd(table, c->alter_table_cmd));
  }
  return Status::OK();
}

Status CatalogBuilder::Impl::AlterTableCmd(Table& table, const PgQuery__AlterTableCmd* cmd) {
  auto column = [&](const char* n) -> Result<Column*> {
    std::string name = n != nullptr ? n : "";
    Column* c = table.FindColumn(name);
    if (c == nullptr) {
      std::vector<std::string> names;
      for (const Column& col : table.columns) names.push_back(col.name);
      return NotFound("column", name, -1, names);
    }
    return c;
  };
  switch (cmd->subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumnRecurse: {
      const PgQuery__ColumnDef* def = cmd->def->column_def;
      if (table.FindColumn(def->colname) != nullptr) {
        if (cmd->missing_ok) return Status::OK();  // ADD COLUMN IF NOT EXISTS
        return Error(Status::InvalidArgument("column \"" + std::string(def->colname) +
                                             "\" of relation \"" + table.name.Quoted() +
                                             "\" already exists"),
                     def->location);
      }
      std::vector<const PgQuery__Constraint*> deferred;
      return AddColumn(table, def, false, deferred);
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumnRecurse: {
      if (table.FindColumn(cmd->name) == nullptr && cmd->missing_ok) return Status::OK();
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      std::string n = col->name;
      DropColumnDependents(table, n);
      std::erase_if(table.columns, [&](const Column& x) { return x.name == n; });
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault: {
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      if (cmd->def == nullptr) {
        col->default_expr.clear();
      } else {
        DBARCH_ASSIGN_OR_RETURN(col->default_expr, CanonicalOrError(cmd->def, true, &hints_));
        col->default_expr = FixTemporalDefault(col->type, FixBooleanDefault(col->type, col->default_expr));
      }
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull: {
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      col->not_null = true;
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull: {
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      col->not_null = false;
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType: {
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      const PgQuery__ColumnDef* def = cmd->def->column_def;
      DBARCH_ASSIGN_OR_RETURN(col->type, TypeString(def->type_name));
      if (def->coll_clause != nullptr) {
        col->collation = CollationName(sql::StrList(def->coll_clause->collname, def->coll_clause->n_collname));
      }
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStorage: {
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      col->storage = ToLower(StrVal(cmd->def));
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetCompression: {
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      col->compression = ToLower(StrVal(cmd->def));
      if (col->compression == "default") col->compression.clear();
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddIdentity: {
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      const PgQuery__Constraint* c = cmd->def->constraint;
      col->identity = c->generated_when != nullptr && std::string_view(c->generated_when) == "a"
                          ? IdentityKind::kAlways
                          : IdentityKind::kByDefault;
      col->not_null = true;
      SequenceOptions base;
      base.data_type = col->type;
      base.max_value = TypeMax(col->type);
      DBARCH_ASSIGN_OR_RETURN(col->identity_options,
                              ParseSequenceOptions(Nodes(c->n_options, c->options), base, nullptr));
      std::string seq_name = ChooseName(table.name.name, col->name, "seq", [&](const std::string& n) {
        return RelationTaken(table.name.schema, n);
      });
      ReserveRelation(table.name.schema, seq_name);
      identity_seqs_[QualifiedName{table.name.schema, seq_name}] = {table.name, col->name};
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropIdentity: {
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      col->identity = IdentityKind::kNone;
      col->identity_options = SequenceOptions{};
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetIdentity: {
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      for (const Node* o : Nodes(cmd->def->list->n_items, cmd->def->list->items)) {
        if (std::string_view(o->def_elem->defname) == "generated") {
          col->identity = sql::IntVal(o->def_elem->arg, 0) == 'a' ? IdentityKind::kAlways
                                                                   : IdentityKind::kByDefault;
        }
      }
      DBARCH_ASSIGN_OR_RETURN(col->identity_options,
                              ParseSequenceOptions(Nodes(cmd->def->list->n_items, cmd->def->list->items),
                                                   col->identity_options, nullptr));
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropExpression: {
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      col->generated_expr.clear();
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraintRecurse: {
      const PgQuery__Constraint* c = cmd->def->constraint;
      return AddConstraint(table, c, false, "");
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraintRecurse: {
      std::string n = cmd->name;
      auto it = std::find_if(table.constraints.begin(), table.constraints.end(),
                             [&](const Constraint& x) { return x.name == n; });
      if (it == table.constraints.end()) {
        if (cmd->missing_ok) return Status::OK();
        std::vector<std::string> names;
        for (const Constraint& x : table.constraints) names.push_back(x.name);
        return NotFound("constraint", n + "\" of relation \"" + table.name.Quoted(), -1, names);
      }
      if (it->kind == ConstraintKind::kPrimaryKey || it->kind == ConstraintKind::kUnique ||
          it->kind == ConstraintKind::kExclude) {
        ReleaseRelation(table.name.schema, n);
      }
      ReleaseConstraint(table.name.schema, n);
      table.constraints.erase(it);
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraintRecurse: {
      for (Constraint& x : table.constraints) {
        if (x.name == cmd->name) {
          x.not_valid = false;
          return Status::OK();
        }
      }
      std::vector<std::string> names;
      for (const Constraint& x : table.constraints) names.push_back(x.name);
      return NotFound("constraint", cmd->name, -1, names);
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterConstraint: {
      const PgQuery__Constraint* c = cmd->def->constraint;
      for (Constraint& x : table.constraints) {
        if (x.name == c->conname) {
          x.deferrable = c->deferrable;
          x.initially_deferred = c->initdeferred;
          return Status::OK();
        }
      }
      return NotFound("constraint", c->conname, c->location, {});
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ChangeOwner:
      table.owner = RoleName(cmd->newowner);
      return Status::OK();
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableRowSecurity: table.rls_enabled = true; return Status::OK();
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableRowSecurity: table.rls_enabled = false; return Status::OK();
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ForceRowSecurity: table.rls_forced = true; return Status::OK();
    case PG_QUERY__ALTER_TABLE_TYPE__AT_NoForceRowSecurity: table.rls_forced = false; return Status::OK();
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged: table.unlogged = false; return Status::OK();
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged: table.unlogged = true; return Status::OK();
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions: {
      for (const Node* o : Nodes(cmd->def->list->n_items, cmd->def->list->items)) {
        const PgQuery__DefElem* d = o->def_elem;
        std::string key = d->defnamespace != nullptr && *d->defnamespace != '\0'
                              ? std::string(d->defnamespace) + "." + d->defname
                              : std::string(d->defname);
        std::erase_if(table.options, [&](const auto& p) { return p.first == key; });
        if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions) {
          table.options.emplace_back(key, d->arg == nullptr ? "true" : ToLower(DefElemString(d)));
        }
      }
      std::sort(table.options.begin(), table.options.end());
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig: {
      for (Trigger& t : table.triggers) {
        if (t.name == cmd->name) {
          t.enabled = cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig;
          return Status::OK();
        }
      }
      std::vector<std::string> names;
      for (const Trigger& t : table.triggers) names.push_back(t.name);
      return NotFound("trigger", cmd->name, -1, names);
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition: {
      const PgQuery__PartitionCmd* pc = cmd->def->partition_cmd;
      DBARCH_ASSIGN_OR_RETURN(QualifiedName child, FindTableName(pc->name));
      // Re-use CREATE TABLE ... PARTITION OF bound rendering through a synthetic statement.
      PgQuery__CreateStmt cs = PG_QUERY__CREATE_STMT__INIT;
      (void)cs;
      Table& ct = cat_.tables[child];
      ct.partition_of = table.name;
      const PgQuery__PartitionBoundSpec* b = pc->bound;
      std::string key_type;
      if (!table.partition_key.empty()) {
        std::string key = table.partition_key;
        size_t open = key.find('(');
        std::string first = key.substr(open + 1, key.find_first_of(",)", open) - open - 1);
        if (!first.empty() && first[0] == '"') first = first.substr(1, first.size() - 2);
        if (const Column* kc = table.FindColumn(first)) key_type = kc->type;
      }
      if (b->is_default) {
        ct.partition_bound = "DEFAULT";
      } else if (b->strategy != nullptr && std::string_view(b->strategy) == "h") {
        ct.partition_bound = "FOR VALUES WITH (modulus " + std::to_string(b->modulus) +
                             ", remainder " + std::to_string(b->remainder) + ")";
      } else if (b->strategy != nullptr && std::string_view(b->strategy) == "l") {
        std::vector<std::string> vals;
        for (const Node* d : Nodes(b->n_listdatums, b->listdatums)) vals.push_back(PartitionDatum(d, key_type));
        ct.partition_bound = "FOR VALUES IN (" + Join(vals, ", ") + ")";
      } else {
        std::vector<std::string> lo, hi;
        for (const Node* d : Nodes(b->n_lowerdatums, b->lowerdatums)) lo.push_back(PartitionDatum(d, key_type));
        for (const Node* d : Nodes(b->n_upperdatums, b->upperdatums)) hi.push_back(PartitionDatum(d, key_type));
        ct.partition_bound = "FOR VALUES FROM (" + Join(lo, ", ") + ") TO (" + Join(hi, ", ") + ")";
      }
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition: {
      const PgQuery__PartitionCmd* pc = cmd->def->partition_cmd;
      DBARCH_ASSIGN_OR_RETURN(QualifiedName child, FindTableName(pc->name));
      Table& ct = cat_.tables[child];
      ct.partition_of.reset();
      ct.partition_bound.clear();
      // What the partition inherited from the parent (index clones, CHECK and FOREIGN KEY
      // constraints) becomes its own.
      for (const Constraint& c : table.constraints) {
        if (c.kind != ConstraintKind::kCheck && c.kind != ConstraintKind::kForeignKey) continue;
        if (std::any_of(ct.constraints.begin(), ct.constraints.end(),
                        [&](const Constraint& x) { return x.name == c.name; })) {
          continue;
        }
        Constraint copy = c;
        copy.comment.clear();
        ct.constraints.push_back(copy);
      }
      CopyIndexesTo(ct, table.name, true, true);
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddInherit: {
      DBARCH_ASSIGN_OR_RETURN(QualifiedName parent, FindTableName(cmd->def->range_var));
      table.inherits.push_back(parent);
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropInherit: {
      DBARCH_ASSIGN_OR_RETURN(QualifiedName parent, FindTableName(cmd->def->range_var));
      std::erase(table.inherits, parent);
      return Status::OK();
    }
    default:
      return KeepOther(stmt_->node, table.name.name);
  }
}

void CatalogBuilder::Impl::DropColumnDependents(Table& table, const std::string& column) {
  // Indexes and constraints that use the column go with it, as on the server.
  for (auto it = cat_.indexes.begin(); it != cat_.indexes.end();) {
    const Index& idx = it->second;
    bool uses = false;
    if (idx.table == table.name) {
      for (const IndexKey& k : idx.keys) {
        uses |= k.column == column || MentionsIdentifier(k.expression, column);
      }
      uses |= std::find(idx.include.begin(), idx.include.end(), column) != idx.include.end();
      uses |= MentionsIdentifier(idx.predicate, column);
    }
    if (uses) {
      ReleaseRelation(it->first.schema, it->first.name);
      it = cat_.indexes.erase(it);
    } else {
      ++it;
    }
  }
  std::erase_if(table.constraints, [&](const Constraint& c) {
    bool uses = std::find(c.columns.begin(), c.columns.end(), column) != c.columns.end() ||
                MentionsIdentifier(c.expression, column);
    if (uses) {
      ReleaseConstraint(table.name.schema, c.name);
      ReleaseRelation(table.name.schema, c.name);
    }
    return uses;
  });
  std::erase_if(cat_.grants, [&](const Grant& g) {
    return g.object_kind == ObjectKind::kTable && g.object == table.name.Quoted() && g.column == column;
  });
  for (auto it = cat_.sequences.begin(); it != cat_.sequences.end();) {
    if (it->second.owned_by_table == table.name && it->second.owned_by_column == column) {
      ReleaseRelation(it->first.schema, it->first.name);
      it = cat_.sequences.erase(it);
    } else {
      ++it;
    }
  }
}

Status CatalogBuilder::Impl::DropTable(const QualifiedName& name, bool cascade, int location) {
  // Foreign keys of other tables and views that depend on the table need CASCADE.
  for (auto& [tn, t] : cat_.tables) {
    if (tn == name) continue;
    for (const Constraint& c : t.constraints) {
      if (c.kind == ConstraintKind::kForeignKey && c.ref_table == name && !cascade) {
        return Error(Status::InvalidArgument("cannot drop table \"" + name.Quoted() +
                                             "\" because constraint \"" + c.name + "\" on table \"" +
                                             tn.Quoted() + "\" depends on it")
                         .WithHint("use DROP ... CASCADE to drop the dependent objects too"),
                     location);
      }
    }
    if (t.partition_of == name) {
      // Partitions are dropped with their parent.
    }
  }
  for (auto it = cat_.views.begin(); it != cat_.views.end();) {
    const auto& rels = it->second.relations;
    if (std::find(rels.begin(), rels.end(), name) != rels.end()) {
      if (!cascade) {
        return Error(Status::InvalidArgument("cannot drop table \"" + name.Quoted() +
                                             "\" because view \"" + it->first.Quoted() +
                                             "\" depends on it")
                         .WithHint("use DROP ... CASCADE to drop the dependent objects too"),
                     location);
      }
      ReleaseRelation(it->first.schema, it->first.name);
      it = cat_.views.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [tn, t] : cat_.tables) {
    std::erase_if(t.constraints, [&](const Constraint& c) {
      bool drop = c.kind == ConstraintKind::kForeignKey && c.ref_table == name && tn != name;
      if (drop) ReleaseConstraint(tn.schema, c.name);
      return drop;
    });
  }
  std::vector<QualifiedName> partitions;
  for (const auto& [tn, t] : cat_.tables) {
    if (t.partition_of == name) partitions.push_back(tn);
  }
  for (const QualifiedName& p : partitions) DBARCH_RETURN_IF_ERROR(DropTable(p, true, location));
  for (auto it = cat_.indexes.begin(); it != cat_.indexes.end();) {
    if (it->second.table == name) {
      ReleaseRelation(it->first.schema, it->first.name);
      it = cat_.indexes.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = cat_.sequences.begin(); it != cat_.sequences.end();) {
    if (it->second.owned_by_table == name) {
      ReleaseRelation(it->first.schema, it->first.name);
      it = cat_.sequences.erase(it);
    } else {
      ++it;
    }
  }
  Table& t = cat_.tables[name];
  for (const Constraint& c : t.constraints) {
    ReleaseConstraint(name.schema, c.name);
    ReleaseRelation(name.schema, c.name);
  }
  for (const Column& c : t.columns) {
    if (c.identity != IdentityKind::kNone) {
      ReleaseRelation(name.schema, MakeObjectName(name.name, c.name, "seq"));
    }
  }
  DropGrantsOn(ObjectKind::kTable, name.Quoted());
  ReleaseRelation(name.schema, name.name);
  cat_.tables.erase(name);
  return Status::OK();
}

Status CatalogBuilder::Impl::Drop(const PgQuery__DropStmt* s) {
  bool cascade = IsCascade(s->behavior);
  int loc = -1;
  for (const Node* obj : Nodes(s->n_objects, s->objects)) {
    std::vector<std::string> parts = NameParts(obj);
    switch (s->remove_type) {
      case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE: {
        auto name = FindRelation(parts, loc, "table", true, false, false, false);
        if (!name.ok()) {
          if (s->missing_ok) continue;
          return name.status();
        }
        DBARCH_RETURN_IF_ERROR(DropTable(*name, cascade, loc));
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
      case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW: {
        auto name = FindRelation(parts, loc, "view", false, true, false, false);
        if (!name.ok()) {
          if (s->missing_ok) continue;
          return name.status();
        }
        for (const auto& [vn, v] : cat_.views) {
          if (vn != *name && std::find(v.relations.begin(), v.relations.end(), *name) != v.relations.end() && !cascade) {
            return Error(Status::InvalidArgument("cannot drop view \"" + name->Quoted() +
                                                 "\" because view \"" + vn.Quoted() + "\" depends on it"),
                         loc);
          }
        }
        std::erase_if(cat_.views, [&](const auto& kv) {
          const auto& r = kv.second.relations;
          return kv.first != *name && std::find(r.begin(), r.end(), *name) != r.end();
        });
        std::erase_if(cat_.indexes, [&](const auto& kv) { return kv.second.table == *name; });
        DropGrantsOn(ObjectKind::kTable, name->Quoted());
        ReleaseRelation(name->schema, name->name);
        cat_.views.erase(*name);
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX: {
        auto name = FindRelation(parts, loc, "index", false, false, false, true);
        if (!name.ok()) {
          if (s->missing_ok) continue;
          return name.status();
        }
        ReleaseRelation(name->schema, name->name);
        cat_.indexes.erase(*name);
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE: {
        auto name = FindRelation(parts, loc, "sequence", false, false, true, false);
        if (!name.ok()) {
          if (s->missing_ok) continue;
          return name.status();
        }
        ReleaseRelation(name->schema, name->name);
        DropGrantsOn(ObjectKind::kSequence, name->Quoted());
        cat_.sequences.erase(*name);
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
      case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: {
        auto name = FindTypeName(parts, loc);
        if (!name.ok()) {
          if (s->missing_ok) continue;
          return name.status();
        }
        if (cat_.types[*name].kind == TypeKind::kComposite) ReleaseRelation(name->schema, name->name);
        for (const DomainConstraint& c : cat_.types[*name].constraints) ReleaseConstraint(name->schema, c.name);
        DropGrantsOn(ObjectKind::kType, name->Quoted());
        cat_.types.erase(*name);
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: {
        std::string schema = parts.empty() ? "" : parts.back();
        if (!cat_.schemas.count(schema)) {
          if (s->missing_ok) continue;
          return CheckSchemaExists(schema, loc);
        }
        bool empty = true;
        for (const auto& [q, t] : cat_.tables) empty &= q.schema != schema;
        for (const auto& [q, v] : cat_.views) empty &= q.schema != schema;
        for (const auto& [q, v] : cat_.types) empty &= q.schema != schema;
        for (const auto& [q, v] : cat_.sequences) empty &= q.schema != schema;
        for (const auto& [q, f] : cat_.functions) empty &= f.name.schema != schema;
        if (!empty && !cascade) {
          return Error(Status::InvalidArgument("cannot drop schema \"" + schema +
                                               "\" because other objects depend on it")
                           .WithHint("use DROP ... CASCADE to drop the dependent objects too"),
                       loc);
        }
        std::vector<QualifiedName> tables;
        for (const auto& [q, t] : cat_.tables) {
          if (q.schema == schema) tables.push_back(q);
        }
        for (const QualifiedName& q : tables) {
          if (cat_.tables.count(q)) DBARCH_RETURN_IF_ERROR(DropTable(q, true, loc));
        }
        std::erase_if(cat_.views, [&](const auto& kv) { return kv.first.schema == schema; });
        std::erase_if(cat_.types, [&](const auto& kv) { return kv.first.schema == schema; });
        std::erase_if(cat_.sequences, [&](const auto& kv) { return kv.first.schema == schema; });
        std::erase_if(cat_.indexes, [&](const auto& kv) { return kv.first.schema == schema; });
        std::erase_if(cat_.functions, [&](const auto& kv) { return kv.second.name.schema == schema; });
        relnames_.erase(schema);
        connames_.erase(schema);
        cat_.schemas.erase(schema);
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
      case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
      case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: {
        auto key = FunctionKey(obj->object_with_args,
                               s->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE, loc);
        if (!key.ok()) {
          if (s->missing_ok) continue;
          return key.status();
        }
        DropGrantsOn(ObjectKind::kFunction, *key);
        cat_.functions.erase(*key);
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_EXTENSION: {
        std::string name = parts.empty() ? "" : parts.back();
        if (!cat_.extensions.count(name)) {
          if (s->missing_ok || name == "plpgsql") continue;
          return NotFound("extension", name, loc, {});
        }
        cat_.extensions.erase(name);
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
      case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY: {
        bool trigger = s->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER;
        std::string obj_name = parts.back();
        parts.pop_back();
        auto table = FindRelation(parts, loc, "relation", true, false, false, false);
        if (!table.ok()) {
          if (s->missing_ok) continue;
          return table.status();
        }
        Table& t = cat_.tables[*table];
        size_t before = trigger ? t.triggers.size() : t.policies.size();
        if (trigger) {
          std::erase_if(t.triggers, [&](const Trigger& x) { return x.name == obj_name; });
        } else {
          std::erase_if(t.policies, [&](const Policy& x) { return x.name == obj_name; });
        }
        size_t after = trigger ? t.triggers.size() : t.policies.size();
        if (before == after && !s->missing_ok) {
          return NotFound(trigger ? "trigger" : "policy", obj_name, loc, {});
        }
        break;
      }
      default:
        return KeepOther(stmt_->node, Join(parts, "."));
    }
  }
  return Status::OK();
}

namespace {

void RenameRangeVars(Node* n, const QualifiedName& from, const QualifiedName& to,
                     std::deque<std::string>& strings) {
  if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
    PgQuery__RangeVar* rv = n->range_var;
    bool qualified = rv->schemaname != nullptr && *rv->schemaname != '\0';
    if (rv->relname != nullptr && from.name == rv->relname &&
        (!qualified || from.schema == rv->schemaname)) {
      rv->relname = strings.emplace_back(to.name).data();
      if (qualified || from.schema != to.schema) rv->schemaname = strings.emplace_back(to.schema).data();
    }
  }
  sql::ForEachChildNode(&n->base, [&](Node* const& child) { RenameRangeVars(child, from, to, strings); });
}

// The server keeps a view's query as a tree that points at relations by OID, so renaming
// or moving a relation renames it in the view's text too. Returns `definition` unchanged
// when it cannot be re-parsed (it always can: it is a deparse).
std::string RenameInViewQuery(const std::string& definition, const QualifiedName& from,
                              const QualifiedName& to) {
  SourceFile file("view", definition);
  auto tree = sql::ParseTree::Parse(file);
  if (!tree.ok() || tree->statements().size() != 1) return definition;
  std::deque<std::string> strings;
  Node* root = const_cast<Node*>(tree->statements()[0].node);
  RenameRangeVars(root, from, to, strings);
  auto text = sql::DeparseStatement(root);
  return text.ok() ? *text : definition;
}

}  // namespace

void CatalogBuilder::Impl::RenameTableReferences(const QualifiedName& from, const QualifiedName& to) {
  for (auto& [tn, t] : cat_.tables) {
    for (Constraint& c : t.constraints) {
      if (c.ref_table == from) c.ref_table = to;
    }
    if (t.partition_of == from) t.partition_of = to;
    for (QualifiedName& p : t.inherits) {
      if (p == from) p = to;
    }
  }
  for (auto& [q, idx] : cat_.indexes) {
    if (idx.table == from) idx.table = to;
  }
  for (auto& [q, s] : cat_.sequences) {
    if (s.owned_by_table == from) s.owned_by_table = to;
  }
  for (auto& [q, v] : cat_.views) {
    bool reads = false;
    for (QualifiedName& r : v.relations) {
      if (r == from) {
        r = to;
        reads = true;
      }
    }
    if (!reads) continue;
    std::sort(v.relations.begin(), v.relations.end());
    v.definition = RenameInViewQuery(v.definition, from, to);
  }
  RenameGrantsOn(ObjectKind::kTable, from.Quoted(), to.Quoted());
}

void CatalogBuilder::Impl::RenameColumnReferences(const QualifiedName& table, const std::string& from,
                                                  const std::string& to) {
  Table& t = cat_.tables[table];
  for (Constraint& c : t.constraints) {
    for (std::string& col : c.columns) {
      if (col == from) col = to;
    }
    for (std::string& col : c.include) {
      if (col == from) col = to;
    }
    for (IndexKey& k : c.exclude_keys) {
      if (k.column == from) k.column = to;
      k.expression = ReplaceIdentifier(k.expression, from, to);
    }
    c.expression = ReplaceIdentifier(c.expression, from, to);
  }
  for (Column& c : t.columns) {
    c.generated_expr = ReplaceIdentifier(c.generated_expr, from, to);
  }
  for (Policy& p : t.policies) {
    p.using_expr = ReplaceIdentifier(p.using_expr, from, to);
    p.check_expr = ReplaceIdentifier(p.check_expr, from, to);
  }
  for (Trigger& tr : t.triggers) {
    for (std::string& col : tr.update_columns) {
      if (col == from) col = to;
    }
  }
  for (auto& [tn, other] : cat_.tables) {
    for (Constraint& c : other.constraints) {
      if (c.kind == ConstraintKind::kForeignKey && c.ref_table == table) {
        for (std::string& col : c.ref_columns) {
          if (col == from) col = to;
        }
      }
    }
  }
  for (auto& [q, idx] : cat_.indexes) {
    if (idx.table != table) continue;
    for (IndexKey& k : idx.keys) {
      if (k.column == from) k.column = to;
      k.expression = ReplaceIdentifier(k.expression, from, to);
    }
    for (std::string& col : idx.include) {
      if (col == from) col = to;
    }
    idx.predicate = ReplaceIdentifier(idx.predicate, from, to);
  }
  for (auto& [q, s] : cat_.sequences) {
    if (s.owned_by_table == table && s.owned_by_column == from) s.owned_by_column = to;
  }
  for (Grant& g : cat_.grants) {
    if (g.object_kind == ObjectKind::kTable && g.object == table.Quoted() && g.column == from) g.column = to;
  }
  std::sort(cat_.grants.begin(), cat_.grants.end());
}

Status CatalogBuilder::Impl::Rename(const PgQuery__RenameStmt* s) {
  std::string newname = TruncateIdentifier(s->newname);
  auto rel_parts = [&]() {
    std::vector<std::string> parts;
    if (s->relation->schemaname != nullptr && *s->relation->schemaname != '\0') parts.push_back(s->relation->schemaname);
    parts.push_back(s->relation->relname);
    return parts;
  };
  switch (s->rename_type) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX: {
      auto name = FindRelation(rel_parts(), s->relation->location, "relation", true, true, true, true);
      if (!name.ok()) return s->missing_ok ? Status::OK() : name.status();
      QualifiedName to{name->schema, newname};
      if (RelationTaken(to.schema, to.name)) {
        return Error(Status::InvalidArgument("relation \"" + to.Quoted() + "\" already exists"), -1);
      }
      ReleaseRelation(name->schema, name->name);
      ReserveRelation(to.schema, to.name);
      if (auto t = cat_.tables.extract(*name)) {
        t.key() = to;
        t.mapped().name = to;
        cat_.tables.insert(std::move(t));
        RenameTableReferences(*name, to);
      } else if (auto v = cat_.views.extract(*name)) {
        v.key() = to;
        v.mapped().name = to;
        cat_.views.insert(std::move(v));
        RenameTableReferences(*name, to);
      } else if (auto q = cat_.sequences.extract(*name)) {
        q.key() = to;
        q.mapped().name = to;
        cat_.sequences.insert(std::move(q));
        RenameGrantsOn(ObjectKind::kSequence, name->Quoted(), to.Quoted());
        // nextval('seq') holds the sequence's OID: defaults follow the rename.
        auto regclass = [](const QualifiedName& n) {
          return QuoteLiteral(n.schema == "public" ? QuoteIdent(n.name) : n.Quoted());
        };
        std::string from_lit = regclass(*name);
        std::string to_lit = regclass(to);
        for (auto& [tn, t] : cat_.tables) {
          for (Column& c : t.columns) {
            for (size_t pos = c.default_expr.find(from_lit); pos != std::string::npos;
                 pos = c.default_expr.find(from_lit, pos + to_lit.size())) {
              c.default_expr.replace(pos, from_lit.size(), to_lit);
            }
          }
        }
      } else if (auto i = cat_.indexes.extract(*name)) {
        i.key() = to;
        i.mapped().name = to;
        cat_.indexes.insert(std::move(i));
      }
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN: {
      auto name = FindRelation(rel_parts(), s->relation->location, "relation", true, true, false, false);
      if (!name.ok()) return s->missing_ok ? Status::OK() : name.status();
      if (cat_.views.count(*name)) {
        View& v = cat_.views[*name];
        for (std::string& c : v.columns) {
          if (c == s->subname) c = newname;
        }
        return Status::OK();
      }
      Table& t = cat_.tables[*name];
      Column* c = t.FindColumn(s->subname);
      if (c == nullptr) {
        std::vector<std::string> names;
        for (const Column& col : t.columns) names.push_back(col.name);
        return NotFound("column", s->subname, -1, names);
      }
      c->name = newname;
      RenameColumnReferences(*name, s->subname, newname);
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT: {
      DBARCH_ASSIGN_OR_RETURN(QualifiedName name, FindTableName(s->relation));
      Table& t = cat_.tables[name];
      for (Constraint& c : t.constraints) {
        if (c.name == s->subname) {
          ReleaseConstraint(name.schema, c.name);
          if (c.kind == ConstraintKind::kPrimaryKey || c.kind == ConstraintKind::kUnique ||
              c.kind == ConstraintKind::kExclude) {
            ReleaseRelation(name.schema, c.name);
            ReserveRelation(name.schema, newname);
          }
          c.name = newname;
          ReserveConstraint(name.schema, newname);
          std::sort(t.constraints.begin(), t.constraints.end(),
                    [](const Constraint& a, const Constraint& b) { return a.name < b.name; });
          return Status::OK();
        }
      }
      std::vector<std::string> names;
      for (const Constraint& c : t.constraints) names.push_back(c.name);
      return NotFound("constraint", s->subname, -1, names);
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
    case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY: {
      DBARCH_ASSIGN_OR_RETURN(QualifiedName name, FindTableName(s->relation));
      Table& t = cat_.tables[name];
      if (s->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER) {
        for (Trigger& tr : t.triggers) {
          if (tr.name == s->subname) {
            tr.name = newname;
            return Status::OK();
          }
        }
        return NotFound("trigger", s->subname, -1, {});
      }
      for (Policy& p : t.policies) {
        if (p.name == s->subname) {
          p.name = newname;
          return Status::OK();
        }
      }
      return NotFound("policy", s->subname, -1, {});
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: {
      std::string from = StrVal(s->object).data();
      DBARCH_RETURN_IF_ERROR(CheckSchemaExists(from, -1));
      Catalog& c = cat_;
      auto move_map = [&](auto& map) {
        std::vector<QualifiedName> keys;
        for (const auto& [q, o] : map) {
          if (q.schema == from) keys.push_back(q);
        }
        for (const QualifiedName& q : keys) {
          auto node = map.extract(q);
          node.key().schema = newname;
          node.mapped().name.schema = newname;
          map.insert(std::move(node));
        }
        return keys;
      };
      for (const QualifiedName& q : move_map(c.tables)) RenameTableReferences(q, {newname, q.name});
      for (const QualifiedName& q : move_map(c.views)) RenameTableReferences(q, {newname, q.name});
      move_map(c.sequences);
      move_map(c.types);
      for (auto& [q, idx] : c.indexes) {
        (void)q;
        if (idx.table.schema == from) idx.table.schema = newname;
      }
      move_map(c.indexes);
      Schema sc = c.schemas[from];
      sc.name = newname;
      c.schemas.erase(from);
      c.schemas[newname] = sc;
      relnames_[newname] = relnames_[from];
      relnames_.erase(from);
      connames_[newname] = connames_[from];
      connames_.erase(from);
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: {
      DBARCH_ASSIGN_OR_RETURN(QualifiedName name, FindTypeName(NameParts(s->object), -1));
      auto node = cat_.types.extract(name);
      node.key().name = newname;
      node.mapped().name.name = newname;
      cat_.types.insert(std::move(node));
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE: {
      DBARCH_ASSIGN_OR_RETURN(std::string key, FunctionKey(s->object->object_with_args,
                                                           s->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE, -1));
      Function f = cat_.functions[key];
      cat_.functions.erase(key);
      f.name.name = newname;
      RenameGrantsOn(ObjectKind::kFunction, key, f.Signature());
      cat_.functions[f.Signature()] = f;
      return Status::OK();
    }
    default:
      return KeepOther(stmt_->node, newname);
  }
}

Status CatalogBuilder::Impl::SetSchema(const PgQuery__AlterObjectSchemaStmt* s) {
  std::string to_schema = s->newschema;
  DBARCH_RETURN_IF_ERROR(CheckSchemaExists(to_schema, -1));
  switch (s->object_type) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE: {
      std::vector<std::string> parts;
      if (s->relation->schemaname != nullptr && *s->relation->schemaname != '\0') parts.push_back(s->relation->schemaname);
      parts.push_back(s->relation->relname);
      auto name = FindRelation(parts, s->relation->location, "relation", true, true, true, false);
      if (!name.ok()) return s->missing_ok ? Status::OK() : name.status();
      QualifiedName to{to_schema, name->name};
      ReleaseRelation(name->schema, name->name);
      ReserveRelation(to.schema, to.name);
      if (auto t = cat_.tables.extract(*name)) {
        t.key() = to;
        t.mapped().name = to;
        // Indexes, owned sequences and constraints move with the table.
        for (const Constraint& c : t.mapped().constraints) {
          ReleaseConstraint(name->schema, c.name);
          ReserveConstraint(to.schema, c.name);
        }
        cat_.tables.insert(std::move(t));
        RenameTableReferences(*name, to);
        std::vector<QualifiedName> idx;
        for (const auto& [q, i] : cat_.indexes) {
          if (i.table == to) idx.push_back(q);
        }
        for (const QualifiedName& q : idx) {
          auto node = cat_.indexes.extract(q);
          node.key().schema = to_schema;
          node.mapped().name.schema = to_schema;
          cat_.indexes.insert(std::move(node));
        }
        std::vector<QualifiedName> seqs;
        for (const auto& [q, sq] : cat_.sequences) {
          if (sq.owned_by_table == to) seqs.push_back(q);
        }
        for (const QualifiedName& q : seqs) {
          auto node = cat_.sequences.extract(q);
          node.key().schema = to_schema;
          node.mapped().name.schema = to_schema;
          cat_.sequences.insert(std::move(node));
        }
      } else if (auto v = cat_.views.extract(*name)) {
        v.key() = to;
        v.mapped().name = to;
        cat_.views.insert(std::move(v));
        RenameTableReferences(*name, to);
      } else if (auto q = cat_.sequences.extract(*name)) {
        q.key() = to;
        q.mapped().name = to;
        cat_.sequences.insert(std::move(q));
      }
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: {
      DBARCH_ASSIGN_OR_RETURN(QualifiedName name, FindTypeName(NameParts(s->object), -1));
      auto node = cat_.types.extract(name);
      node.key().schema = to_schema;
      node.mapped().name.schema = to_schema;
      cat_.types.insert(std::move(node));
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE: {
      DBARCH_ASSIGN_OR_RETURN(std::string key, FunctionKey(s->object->object_with_args,
                                                           s->object_type == PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE, -1));
      Function f = cat_.functions[key];
      cat_.functions.erase(key);
      f.name.schema = to_schema;
      RenameGrantsOn(ObjectKind::kFunction, key, f.Signature());
      cat_.functions[f.Signature()] = f;
      return Status::OK();
    }
    default:
      return KeepOther(stmt_->node, to_schema);
  }
}

namespace {

// The name PostgreSQL derives from an index expression's canonical text (FigureIndexColname
// of the expression): the function name of a call, else "expr".
std::string ExpressionColname(const std::string& expr) {
  size_t paren = expr.find('(');
  if (paren == std::string::npos || paren == 0) return "expr";
  std::string head = expr.substr(0, paren);
  for (char c : head) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return "expr";
  }
  if (size_t dot = head.rfind('.'); dot != std::string::npos) head = head.substr(dot + 1);
  return head;
}

}  // namespace

void CatalogBuilder::Impl::CopyIndexesTo(Table& to, const QualifiedName& from, bool constraints,
                                         bool standalone) {
  const std::string& schema = to.name.schema;
  auto taken_rel_con = [&](const std::string& n) {
    return RelationTaken(schema, n) || ConstraintTaken(schema, n);
  };
  const Table* src = cat_.FindTable(from);
  if (src == nullptr) return;
  if (constraints) {
    for (const Constraint& c : src->constraints) {
      if (c.kind != ConstraintKind::kPrimaryKey && c.kind != ConstraintKind::kUnique &&
          c.kind != ConstraintKind::kExclude) {
        continue;
      }
      Constraint copy = c;
      copy.comment.clear();
      if (c.kind == ConstraintKind::kPrimaryKey) {
        copy.name = ChooseName(to.name.name, "", "pkey", taken_rel_con);
        for (const std::string& k : c.columns) {
          if (Column* col = to.FindColumn(k)) col->not_null = true;
        }
      } else if (c.kind == ConstraintKind::kUnique) {
        copy.name = ChooseName(to.name.name, NameAddition(c.columns), "key", taken_rel_con);
      } else {
        std::vector<std::string> names;
        for (const IndexKey& k : c.exclude_keys) names.push_back(!k.column.empty() ? k.column : ExpressionColname(k.expression));
        copy.name = ChooseName(to.name.name, NameAddition(names), "excl", taken_rel_con);
      }
      ReserveRelation(schema, copy.name);
      ReserveConstraint(schema, copy.name);
      to.constraints.push_back(copy);
    }
  }
  if (standalone) {
    std::vector<Index> copies;
    for (const auto& [q, idx] : cat_.indexes) {
      if (idx.table != from) continue;
      Index copy = idx;
      copy.table = to.name;
      copy.comment.clear();
      std::vector<std::string> names;
      for (const IndexKey& k : idx.keys) names.push_back(!k.column.empty() ? k.column : ExpressionColname(k.expression));
      for (const std::string& inc : idx.include) names.push_back(inc);
      copies.push_back(std::move(copy));
      copies.back().name.name = "";
      copies.back().name.schema = schema;
      // Named below, after the loop, so the map is not modified while iterating.
      copies.back().comment = NameAddition(names);
    }
    for (Index& copy : copies) {
      std::string addition = copy.comment;
      copy.comment.clear();
      copy.name.name = ChooseName(to.name.name, addition, "idx",
                                  [&](const std::string& n) { return RelationTaken(schema, n); });
      ReserveRelation(schema, copy.name.name);
      cat_.indexes[copy.name] = copy;
    }
  }
}

void CatalogBuilder::Impl::CopyLikeExtras(Table& to, const QualifiedName& from, uint32_t options) {
  const Table* src = cat_.FindTable(from);
  if (src == nullptr) return;
  bool constraints = options & (1u << 2);
  bool indexes = options & (1u << 6);
  if (constraints) {
    // CHECK constraints keep their names.
    for (const Constraint& c : src->constraints) {
      if (c.kind != ConstraintKind::kCheck) continue;
      Constraint copy = c;
      copy.comment = (options & 1u) ? c.comment : "";
      ReserveConstraint(to.name.schema, copy.name);
      to.constraints.push_back(copy);
    }
  }
  if (indexes) CopyIndexesTo(to, from, true, true);
}

Catalog CatalogBuilder::Impl::Finish() {
  for (auto& [q, t] : cat_.tables) {
    std::sort(t.constraints.begin(), t.constraints.end(),
              [](const Constraint& a, const Constraint& b) { return a.name < b.name; });
    std::sort(t.triggers.begin(), t.triggers.end(),
              [](const Trigger& a, const Trigger& b) { return a.name < b.name; });
    std::sort(t.policies.begin(), t.policies.end(),
              [](const Policy& a, const Policy& b) { return a.name < b.name; });
  }
  for (auto& [q, t] : cat_.types) {
    std::sort(t.constraints.begin(), t.constraints.end(),
              [](const DomainConstraint& a, const DomainConstraint& b) { return a.name < b.name; });
  }
  std::sort(cat_.grants.begin(), cat_.grants.end());
  cat_.grants.erase(std::unique(cat_.grants.begin(), cat_.grants.end()), cat_.grants.end());
  Catalog out = std::move(cat_);
  cat_ = Catalog{};
  cat_.schemas["public"] = Schema{"public", "", ""};
  relnames_.clear();
  connames_.clear();
  return out;
}

// ---------------------------------------------------------------------------------------

CatalogBuilder::CatalogBuilder(BuildOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
CatalogBuilder::~CatalogBuilder() = default;

Status CatalogBuilder::ApplyFile(const SourceFile& file) {
  auto tree = sql::ParseTree::Parse(file);
  if (!tree.ok()) return tree.status();
  for (const sql::Statement& stmt : tree->statements()) {
    DBARCH_RETURN_IF_ERROR(impl_->Apply(file, stmt));
  }
  return Status::OK();
}

Status CatalogBuilder::ApplyStatement(const SourceFile& file, const sql::Statement& stmt) {
  return impl_->Apply(file, stmt);
}

const Catalog& CatalogBuilder::catalog() const { return impl_->cat_; }

void CatalogBuilder::Reset(Catalog catalog) { impl_->Reset(std::move(catalog)); }

void CatalogBuilder::Impl::Reset(Catalog catalog) {
  cat_ = std::move(catalog);
  relnames_.clear();
  connames_.clear();
  for (const auto& [q, t] : cat_.tables) {
    ReserveRelation(q.schema, q.name);
    for (const Constraint& c : t.constraints) {
      ReserveConstraint(q.schema, c.name);
      if (c.kind == ConstraintKind::kPrimaryKey || c.kind == ConstraintKind::kUnique ||
          c.kind == ConstraintKind::kExclude) {
        ReserveRelation(q.schema, c.name);
      }
    }
    for (const Column& c : t.columns) {
      if (c.identity != IdentityKind::kNone) {
        ReserveRelation(q.schema, MakeObjectName(q.name, c.name, "seq"));
      }
    }
  }
  identity_seqs_.clear();
  for (const auto& [q, t] : cat_.tables) {
    for (const Column& c : t.columns) {
      if (c.identity != IdentityKind::kNone) {
        identity_seqs_[QualifiedName{q.schema, MakeObjectName(q.name, c.name, "seq")}] = {q, c.name};
      }
    }
  }
  for (const auto& [q, v] : cat_.views) ReserveRelation(q.schema, q.name);
  for (const auto& [q, s] : cat_.sequences) ReserveRelation(q.schema, q.name);
  for (const auto& [q, i] : cat_.indexes) ReserveRelation(q.schema, q.name);
  for (const auto& [q, t] : cat_.types) {
    if (t.kind == TypeKind::kComposite) ReserveRelation(q.schema, q.name);
    for (const DomainConstraint& c : t.constraints) ReserveConstraint(q.schema, c.name);
  }
}

Catalog CatalogBuilder::Finish() { return impl_->Finish(); }

Result<SourceFile> ReadSourceFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read \"" + path + "\": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IOError("error reading \"" + path + "\"");
  return SourceFile(path, ss.str());
}

Result<std::vector<std::string>> ExpandSqlPaths(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(p, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".sql") {
          found.push_back(it->path().string());
        }
      }
      if (ec) return Status::IOError("cannot list \"" + p + "\": " + ec.message());
      std::sort(found.begin(), found.end());
      if (found.empty()) return Status::InvalidArgument("no .sql files in directory \"" + p + "\"");
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      files.push_back(p);
    } else {
      return Status::IOError("cannot read \"" + p + "\": no such file or directory");
    }
  }
  return files;
}

Status ApplyPaths(CatalogBuilder& builder, const std::vector<std::string>& paths) {
  DBARCH_ASSIGN_OR_RETURN(std::vector<std::string> files, ExpandSqlPaths(paths));
  for (const std::string& f : files) {
    DBARCH_ASSIGN_OR_RETURN(SourceFile file, ReadSourceFile(f));
    DBARCH_RETURN_IF_ERROR(builder.ApplyFile(file));
  }
  return Status::OK();
}

Result<Catalog> BuildCatalogFromPaths(const std::vector<std::string>& paths,
                                      const BuildOptions& options) {
  CatalogBuilder builder(options);
  DBARCH_RETURN_IF_ERROR(ApplyPaths(builder, paths));
  return builder.Finish();
}

}  // namespace dbarch::catalog
