// Small parse-tree helpers shared by the CatalogBuilder files. See builder_util.h.
#include "catalog/builder_util.h"

#include <cstdio>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <functional>
#include <set>
#include <sstream>

#include "base/strings.h"
#include "catalog/builder_impl.h"
#include "catalog/builder_util.h"
#include "catalog/naming.h"
#include "sql/expr_normalizer.h"
#include "sql/parser.h"

namespace dbarch::catalog {

using sql::Node;
using sql::Nodes;
using sql::StrVal;

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

// WITH (fillfactor = 70, ...) options as name/value pairs in the order written (the order the
// server keeps). The server stores reloptions as "name=value" text, with booleans spelled as
// written: we lower-case.
void KeepToastOptionsLast(OptionList& options) {
  std::stable_partition(options.begin(), options.end(),
                        [](const auto& o) { return !o.first.starts_with("toast."); });
}

OptionList RelOptions(sql::NodeRange options) {
  OptionList out;
  for (const Node* n : options) {
    if (n->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
    const PgQuery__DefElem* d = n->def_elem;
    std::string name = d->defnamespace != nullptr && *d->defnamespace != '\0'
                           ? std::string(d->defnamespace) + "." + d->defname
                           : std::string(d->defname);
    std::string value = d->arg == nullptr ? "true" : ToLower(DefElemString(d));
    out.emplace_back(std::move(name), std::move(value));
  }
  KeepToastOptionsLast(out);
  return out;
}

std::string IdentitySequenceName(sql::NodeRange options) {
  for (const Node* n : options) {
    if (n->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
    const PgQuery__DefElem* d = n->def_elem;
    if (std::string_view(d->defname) != "sequence_name" || d->arg == nullptr) continue;
    std::vector<std::string> parts = NameParts(d->arg);
    if (!parts.empty()) return TruncateIdentifier(parts.back());
  }
  return "";
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

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int64_t* m, int64_t* d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp + (mp < 10 ? 3 : -9);
  *y = yoe + era * 400 + (*m <= 2);
}

// 'YYYY-MM-DD HH:MM:SS[.frac]+HH[:MM]' written with a UTC offset, as the server prints it
// with TimeZone = UTC ('... +00'). Returns `v` unchanged for any other form.
std::string TimestamptzInUtc(const std::string& v) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, consumed = 0;
  if (std::sscanf(v.c_str(), "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
                  &consumed) != 6) {
    return v;
  }
  size_t i = static_cast<size_t>(consumed);
  std::string frac;
  if (i < v.size() && v[i] == '.') {
    size_t j = i + 1;
    while (j < v.size() && v[j] >= '0' && v[j] <= '9') ++j;
    frac = v.substr(i, j - i);
    i = j;
  }
  if (i >= v.size() || (v[i] != '+' && v[i] != '-')) return v;
  int sign = v[i] == '-' ? -1 : 1;
  int oh = 0, om = 0, used = 0;
  std::string rest = v.substr(i + 1);
  if (std::sscanf(rest.c_str(), "%2d%n", &oh, &used) != 1) return v;
  size_t k = static_cast<size_t>(used);
  if (k < rest.size() && rest[k] == ':') {
    int more = 0;
    if (std::sscanf(rest.c_str() + k + 1, "%2d%n", &om, &more) != 1) return v;
    k += 1 + static_cast<size_t>(more);
  }
  if (k != rest.size()) return v;
  int64_t seconds = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
                    sign * (oh * 3600 + om * 60);
  int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  int64_t in_day = seconds - days * 86400;
  int64_t yy = 0, mm = 0, dd = 0;
  CivilFromDays(days, &yy, &mm, &dd);
  auto pad = [](int64_t v, size_t width) {
    std::string t = std::to_string(v);
    return std::string(t.size() < width ? width - t.size() : 0, '0') + t;
  };
  return pad(yy, 4) + "-" + pad(mm, 2) + "-" + pad(dd, 2) + " " + pad(in_day / 3600, 2) + ":" +
         pad(in_day / 60 % 60, 2) + ":" + pad(in_day % 60, 2) + frac + "+00";
}

}  // namespace

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
        // A bound written with another UTC offset prints in UTC (introspection reads with
        // TimeZone = UTC).
        if (StartsWith(key_type, "timestamp") && key_type.find(" with time zone") != std::string::npos) {
          v = TimestamptzInUtc(v);
        }
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

std::string FixLiteralDefault(const std::string& type, const std::string& def) {
  if (def.size() < 3 || def.front() != '\'' || def.back() != '\'' ||
      def.find('\'', 1) != def.size() - 1) {
    return def;
  }
  std::string v = def.substr(1, def.size() - 2);
  std::string internal = sql::InternalTypeName(type);
  bool integer_type = internal == "int2" || internal == "int4" || internal == "int8";
  if ((internal == "numeric" || integer_type) && !EndsWith(type, "]")) {
    // An integer string prints as the number ('7'::numeric and 7 both read back as 7).
    std::string_view digits = std::string_view(v).substr(!v.empty() && v[0] == '-' ? 1 : 0);
    bool integer = !digits.empty() && digits.size() < 10 &&
                   digits.find_first_not_of("0123456789") == std::string_view::npos &&
                   (digits.size() == 1 || digits[0] != '0');
    if (integer) return v;
    if (integer_type) return def;
  }
  if (internal == "numeric" && !EndsWith(type, "]")) {
    // A decimal with leading zeros ("007.5") keeps its quotes.
    size_t dot = v.find('.');
    bool leading_zero = v.size() > 1 && v[0] == '0' && v[1] != '.';
    bool plain =
        IsDecimalNumber(v) && v[0] >= '0' && v[0] <= '9' && v.back() >= '0' && v.back() <= '9';
    if (plain && dot != std::string::npos && !leading_zero) return v;
    return def;
  }
  if (type != "money") return def;
  // cash_in: an optional sign, "$", digits with "," separators, "." and decimals.
  bool negative = false;
  std::string digits, decimals;
  bool in_decimals = false;
  for (size_t i = 0; i < v.size(); ++i) {
    char ch = v[i];
    if (ch == '-' && digits.empty() && decimals.empty() && !negative) {
      negative = true;
    } else if (ch == '$' && digits.empty() && !in_decimals) {
    } else if (ch == ',' && !in_decimals) {
    } else if (ch == '.' && !in_decimals) {
      in_decimals = true;
    } else if (ch >= '0' && ch <= '9') {
      (in_decimals ? decimals : digits) += ch;
    } else {
      return def;
    }
  }
  if (digits.empty() && decimals.empty()) return def;
  if (digits.size() > 15) return def;
  int64_t cents = (digits.empty() ? 0 : std::stoll(digits)) * 100;
  decimals += "000";
  cents += (decimals[0] - '0') * 10 + (decimals[1] - '0') + (decimals[2] >= '5' ? 1 : 0);
  std::string whole = std::to_string(cents / 100);
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += ',';
    grouped += whole[i];
  }
  int64_t rest = cents % 100;
  std::string out = std::string(negative && cents != 0 ? "-" : "") + "$" + grouped + "." +
                    (rest < 10 ? "0" : "") + std::to_string(rest);
  return "'" + out + "'";
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


bool IsBuiltinTriggerFunction(const std::string& name) {
  return name == "tsvector_update_trigger" || name == "tsvector_update_trigger_column" ||
         name == "suppress_redundant_updates_trigger";
}

std::string Upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

// Every RangeVar a query reads (for View::relations), and the names of its CTEs.
void CollectNode(const Node* n, std::vector<const PgQuery__RangeVar*>& out, std::set<std::string>& ctes) {
  if (n == nullptr) return;
  if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
    out.push_back(n->range_var);
    return;
  }
  if (n->node_case == PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR) ctes.insert(n->common_table_expr->ctename);
  sql::ForEachChildNode(&n->base, [&](Node* const& child) { CollectNode(child, out, ctes); });
}

std::string DefElemText(const PgQuery__DefElem* d) {
  if (d->arg == nullptr) return "";
  switch (d->arg->node_case) {
    case PG_QUERY__NODE__NODE_STRING: return d->arg->string->sval;
    case PG_QUERY__NODE__NODE_INTEGER: return std::to_string(d->arg->integer->ival);
    case PG_QUERY__NODE__NODE_FLOAT: return d->arg->float_->fval;
    case PG_QUERY__NODE__NODE_BOOLEAN: return d->arg->boolean->boolval ? "true" : "false";
    case PG_QUERY__NODE__NODE_TYPE_NAME: {
      // Bare words such as check_option = local parse as type names.
      const PgQuery__TypeName* t = d->arg->type_name;
      return t->n_names > 0 ? std::string(StrVal(t->names[t->n_names - 1])) : "";
    }
    default: {
      auto s = sql::DeparseExpr(d->arg);
      return s.ok() ? *s : "";
    }
  }
}

bool DefElemBool(const PgQuery__DefElem* d) {
  if (d->arg == nullptr) return true;
  if (d->arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN) return d->arg->boolean->boolval;
  if (d->arg->node_case == PG_QUERY__NODE__NODE_INTEGER) return d->arg->integer->ival != 0;
  std::string v = ToLower(DefElemText(d));
  return v == "true" || v == "on" || v == "1" || v == "yes";
}

std::vector<std::string> AllPrivileges(ObjectKind kind, bool column_level) {
  switch (kind) {
    case ObjectKind::kTable:
      if (column_level) return {"INSERT", "REFERENCES", "SELECT", "UPDATE"};
      return {"DELETE", "INSERT", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE", "UPDATE"};
    case ObjectKind::kSequence: return {"SELECT", "UPDATE", "USAGE"};
    case ObjectKind::kFunction: return {"EXECUTE"};
    case ObjectKind::kSchema: return {"CREATE", "USAGE"};
    case ObjectKind::kType: return {"USAGE"};
    case ObjectKind::kLanguage: return {"USAGE"};
    case ObjectKind::kDatabase: return {"CONNECT", "CREATE", "TEMPORARY"};
    default: return {};
  }
}
}  // namespace dbarch::catalog
