#include "datagen/plan.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "base/strings.h"
#include "sql/ast.h"
#include "sql/parser.h"

namespace dbarch::datagen {

namespace {

using catalog::Catalog;
using catalog::Column;
using catalog::ConstraintKind;
using catalog::QualifiedName;
using catalog::Table;
using sql::Node;

// --- time -------------------------------------------------------------------------------

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// --- types --------------------------------------------------------------------------------

// "numeric(12,2)" -> {"numeric", {12, 2}}.
std::pair<std::string, std::vector<int>> SplitTypmods(std::string_view type) {
  size_t open = type.find('(');
  if (open == std::string_view::npos) return {std::string(type), {}};
  size_t close = type.find(')', open);
  std::string base = std::string(Trim(type.substr(0, open)));
  std::string rest = close == std::string_view::npos ? "" : std::string(Trim(type.substr(close + 1)));
  if (!rest.empty()) base += " " + rest;  // "timestamp(3) with time zone"
  std::vector<int> mods;
  std::string_view inside = type.substr(open + 1, close - open - 1);
  size_t pos = 0;
  while (pos < inside.size()) {
    size_t comma = inside.find(',', pos);
    if (comma == std::string_view::npos) comma = inside.size();
    mods.push_back(std::atoi(std::string(Trim(inside.substr(pos, comma - pos))).c_str()));
    pos = comma + 1;
  }
  return {base, mods};
}

const catalog::Type* FindType(const Catalog& cat, std::string_view spelled) {
  std::string name(spelled);
  // Strip quotes of a simple quoted name.
  auto unquote = [](std::string s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
    return s;
  };
  size_t dot = name.find('.');
  if (dot != std::string::npos) {
    auto it = cat.types.find(QualifiedName{unquote(name.substr(0, dot)), unquote(name.substr(dot + 1))});
    return it == cat.types.end() ? nullptr : &it->second;
  }
  name = unquote(name);
  auto it = cat.types.find(QualifiedName{"public", name});
  if (it != cat.types.end()) return &it->second;
  for (const auto& [q, t] : cat.types) {
    if (q.name == name) return &t;
  }
  return nullptr;
}

// Fills kind, bounds and lengths from a (non-domain, non-enum) base type spelling.
void ClassifyBuiltin(std::string_view spelled, ColumnPlan& c) {
  auto [base, mods] = SplitTypmods(spelled);
  if (base == "integer" || base == "int4" || base == "int") {
    c.kind = ValueKind::kInt;
    c.int_bytes = 4;
  } else if (base == "bigint" || base == "int8") {
    c.kind = ValueKind::kInt;
    c.int_bytes = 8;
  } else if (base == "smallint" || base == "int2") {
    c.kind = ValueKind::kInt;
    c.int_bytes = 2;
  } else if (base == "numeric" || base == "decimal") {
    c.kind = ValueKind::kNumeric;
    if (!mods.empty()) c.precision = mods[0];
    c.scale = mods.size() > 1 ? mods[1] : (mods.empty() ? -1 : 0);
  } else if (base == "real" || base == "double precision" || base == "float4" || base == "float8") {
    c.kind = ValueKind::kFloat;
  } else if (base == "text" || base == "character varying" || base == "varchar" ||
             base == "citext" || base == "name") {
    c.kind = ValueKind::kText;
    if (!mods.empty()) c.max_length = mods[0];
  } else if (base == "character" || base == "char" || base == "bpchar") {
    c.kind = ValueKind::kText;
    c.max_length = mods.empty() ? 1 : mods[0];
  } else if (base == "boolean" || base == "bool") {
    c.kind = ValueKind::kBool;
  } else if (base == "date") {
    c.kind = ValueKind::kDate;
  } else if (StartsWith(base, "timestamp") && base.find("with time zone") != std::string::npos &&
             base.find("without") == std::string::npos) {
    c.kind = ValueKind::kTimestampTz;
  } else if (StartsWith(base, "timestamp")) {
    c.kind = ValueKind::kTimestamp;
  } else if (StartsWith(base, "time") && EndsWith(base, "with time zone")) {
    c.kind = ValueKind::kTimeTz;
  } else if (StartsWith(base, "time")) {
    c.kind = ValueKind::kTime;
  } else if (base == "interval") {
    c.kind = ValueKind::kInterval;
  } else if (base == "uuid") {
    c.kind = ValueKind::kUuid;
  } else if (base == "json" || base == "jsonb") {
    c.kind = ValueKind::kJson;
  } else if (base == "bytea") {
    c.kind = ValueKind::kBytea;
  } else if (base == "inet") {
    c.kind = ValueKind::kInet;
  } else if (base == "cidr") {
    c.kind = ValueKind::kCidr;
  } else if (base == "macaddr") {
    c.kind = ValueKind::kMacaddr;
  } else if (base == "macaddr8") {
    c.kind = ValueKind::kMacaddr8;
  } else if (base == "bit") {
    c.kind = ValueKind::kBit;
    c.bits = mods.empty() ? 1 : mods[0];
  } else if (base == "bit varying" || base == "varbit") {
    c.kind = ValueKind::kBit;
    c.max_length = mods.empty() ? 32 : mods[0];
  } else if (base == "money") {
    c.kind = ValueKind::kMoney;
  } else if (base == "tsvector") {
    c.kind = ValueKind::kTsvector;
  } else if (base == "tsquery") {
    c.kind = ValueKind::kTsquery;
  } else if (base == "xml") {
    c.kind = ValueKind::kXml;
  } else if (base == "point") {
    c.kind = ValueKind::kPoint;
  } else if (base == "line") {
    c.kind = ValueKind::kLine;
  } else if (base == "lseg") {
    c.kind = ValueKind::kLseg;
  } else if (base == "box") {
    c.kind = ValueKind::kBox;
  } else if (base == "path") {
    c.kind = ValueKind::kPath;
  } else if (base == "polygon") {
    c.kind = ValueKind::kPolygon;
  } else if (base == "circle") {
    c.kind = ValueKind::kCircle;
  } else if (base == "pg_lsn") {
    c.kind = ValueKind::kPgLsn;
  } else if (base == "oid") {
    c.kind = ValueKind::kInt;
    c.int_bytes = 4;
    if (!c.lo) c.lo = 1;
  } else if (base == "\"char\"") {
    c.kind = ValueKind::kText;  // the one-byte internal type
    c.max_length = 1;
  } else if (base == "regclass" || base == "regtype" || base == "regnamespace" ||
             base == "jsonpath") {
    // Names that exist in every database (and for jsonpath, paths that always parse).
    c.kind = ValueKind::kText;
    c.choices = base == "regclass"  ? std::vector<std::string>{"pg_class", "pg_type", "pg_proc"}
                : base == "regtype" ? std::vector<std::string>{"integer", "text", "boolean", "date"}
                : base == "regnamespace"
                    ? std::vector<std::string>{"pg_catalog", "public"}
                    : std::vector<std::string>{"$.id", "$.items[*].price", "$.name"};
  } else {
    // Built-in ranges and multiranges, by their subtype.
    static const std::pair<const char*, const char*> kRanges[] = {
        {"int4", "integer"},
        {"int8", "bigint"},
        {"num", "numeric"},
        {"date", "date"},
        {"ts", "timestamp without time zone"},
        {"tstz", "timestamp with time zone"}};
    for (const auto& [prefix, subtype] : kRanges) {
      bool range = base == std::string(prefix) + "range";
      bool multi = base == std::string(prefix) + "multirange";
      if (!range && !multi) continue;
      c.kind = range ? ValueKind::kRange : ValueKind::kMultirange;
      ColumnPlan sub;
      sub.name = c.name;
      sub.type = subtype;
      ClassifyBuiltin(subtype, sub);
      c.fields = {std::move(sub)};
      return;
    }
    c.kind = ValueKind::kUnsupported;
    c.unsupported = base;
  }
}

// --- names ------------------------------------------------------------------------------

bool Has(std::string_view name, std::string_view part) { return name.find(part) != std::string_view::npos; }

TextKind TextKindFromName(std::string_view n) {
  if (Has(n, "email")) return TextKind::kEmail;
  if (Has(n, "phone") || Has(n, "mobile") || Has(n, "fax")) return TextKind::kPhone;
  if (n == "first_name" || n == "firstname" || n == "given_name") return TextKind::kFirstName;
  if (n == "last_name" || n == "lastname" || n == "surname" || n == "family_name") return TextKind::kLastName;
  if (n == "name" || Has(n, "full_name") || Has(n, "display_name") || Has(n, "contact_name") ||
      Has(n, "recipient")) {
    return TextKind::kFullName;
  }
  if (Has(n, "username") || Has(n, "login") || Has(n, "handle")) return TextKind::kUsername;
  if (Has(n, "street") || Has(n, "address") || Has(n, "line1") || Has(n, "line2")) return TextKind::kStreet;
  if (Has(n, "city") || Has(n, "town")) return TextKind::kCity;
  if (Has(n, "country")) return TextKind::kCountryCode;
  if (Has(n, "zip") || Has(n, "postal") || Has(n, "postcode")) return TextKind::kPostalCode;
  if (Has(n, "url") || Has(n, "website") || Has(n, "link")) return TextKind::kUrl;
  if (Has(n, "currency")) return TextKind::kCurrency;
  if (Has(n, "slug")) return TextKind::kSlug;
  if (Has(n, "sku") || Has(n, "code") || Has(n, "reference") || Has(n, "number") || Has(n, "token") ||
      EndsWith(n, "_no") || EndsWith(n, "_nr") || Has(n, "tracking")) {
    return TextKind::kCode;
  }
  if (Has(n, "hash") || Has(n, "digest") || Has(n, "checksum")) return TextKind::kHash;
  if (Has(n, "description") || Has(n, "body") || Has(n, "note") || Has(n, "comment") ||
      Has(n, "text") || Has(n, "content") || Has(n, "message") || Has(n, "summary") ||
      Has(n, "title") || Has(n, "subject") || Has(n, "bio")) {
    return TextKind::kSentence;
  }
  return TextKind::kWord;
}

TextKind TextKindFromSpec(std::string_view k, TextKind fallback) {
  if (k == "name" || k == "full_name") return TextKind::kFullName;
  if (k == "first_name") return TextKind::kFirstName;
  if (k == "last_name") return TextKind::kLastName;
  if (k == "email") return TextKind::kEmail;
  if (k == "phone") return TextKind::kPhone;
  if (k == "address" || k == "street") return TextKind::kStreet;
  if (k == "city") return TextKind::kCity;
  if (k == "country") return TextKind::kCountryCode;
  if (k == "postal_code" || k == "zip") return TextKind::kPostalCode;
  if (k == "url") return TextKind::kUrl;
  if (k == "sentence" || k == "text" || k == "paragraph") return TextKind::kSentence;
  if (k == "code") return TextKind::kCode;
  if (k == "word") return TextKind::kWord;
  if (k == "slug") return TextKind::kSlug;
  if (k == "username") return TextKind::kUsername;
  return fallback;
}

// Numeric defaults from the name, for columns without bounds.
void NumericDefaultsFromName(std::string_view n, ColumnPlan& c) {
  auto set = [&](double lo, double hi) {
    if (!c.lo) c.lo = lo;
    if (!c.hi) c.hi = hi;
  };
  if (Has(n, "price") || Has(n, "amount") || Has(n, "total") || Has(n, "cost") ||
      Has(n, "balance") || Has(n, "fee") || Has(n, "salary")) {
    set(0, 1000);
  } else if (Has(n, "quantity") || Has(n, "qty") || Has(n, "count")) {
    set(1, 20);
  } else if (Has(n, "rating") || Has(n, "stars")) {
    set(1, 5);
  } else if (Has(n, "age")) {
    set(18, 90);
  } else if (Has(n, "percent") || Has(n, "pct")) {
    set(0, 100);
  } else if (Has(n, "rate") || Has(n, "ratio")) {
    set(0, 1);
  } else if (Has(n, "year")) {
    set(1990, 2025);
  } else if (Has(n, "lat")) {
    set(-90, 90);
  } else if (Has(n, "lon") || Has(n, "lng")) {
    set(-180, 180);
  }
}

// --- CHECK analysis ------------------------------------------------------------------------

class CheckAnalyzer {
 public:
  CheckAnalyzer(TablePlan& t, std::string value_column)
      : t_(t), value_column_(std::move(value_column)) {}

  // Applies the constraints of `expr_text` it understands; false when some part was not.
  bool Apply(const std::string& expr_text) {
    SourceFile file("check", "SELECT " + expr_text);
    auto tree = sql::ParseTree::Parse(file);
    if (!tree.ok() || tree->statements().size() != 1) return false;
    const Node* stmt = tree->statements()[0].node;
    if (stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT ||
        stmt->select_stmt->n_target_list != 1) {
      return false;
    }
    return Walk(stmt->select_stmt->target_list[0]->res_target->val);
  }

 private:
  static const Node* StripCast(const Node* n) {
    while (n != nullptr && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) n = n->type_cast->arg;
    return n;
  }

  int Column(const Node* n) const {
    n = StripCast(n);
    if (n == nullptr || n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return -1;
    const PgQuery__ColumnRef* cr = n->column_ref;
    const Node* last = cr->fields[cr->n_fields - 1];
    if (last->node_case != PG_QUERY__NODE__NODE_STRING) return -1;
    std::string name = last->string->sval;
    if (!value_column_.empty() && name == "value") name = value_column_;
    for (size_t i = 0; i < t_.columns.size(); ++i) {
      if (t_.columns[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }

  // A constant as text (numbers, strings, booleans); nullopt for anything else.
  static std::optional<std::string> Constant(const Node* n) {
    n = StripCast(n);
    if (n == nullptr || n->node_case != PG_QUERY__NODE__NODE_A_CONST) return std::nullopt;
    const PgQuery__AConst* c = n->a_const;
    if (c->isnull) return std::nullopt;
    switch (c->val_case) {
      case PG_QUERY__A__CONST__VAL_IVAL:
        return std::to_string(c->ival->ival);
      case PG_QUERY__A__CONST__VAL_FVAL:
        return std::string(c->fval->fval);
      case PG_QUERY__A__CONST__VAL_SVAL:
        return std::string(c->sval->sval);
      case PG_QUERY__A__CONST__VAL_BOOLVAL:
        return std::string(c->boolval->boolval ? "true" : "false");
      default:
        return std::nullopt;
    }
  }

  // The constant as a number in the column's terms (timestamps/dates as epoch seconds).
  std::optional<double> NumberFor(int col, const std::string& text) const {
    ValueKind k = t_.columns[col].kind;
    if (k == ValueKind::kDate || k == ValueKind::kTimestamp || k == ValueKind::kTimestampTz) {
      return ParseTimestamp(text);
    }
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str()) return std::nullopt;
    return v;
  }

  static std::string Op(const PgQuery__AExpr* e) {
    return e->n_name > 0 ? std::string(sql::StrVal(e->name[e->n_name - 1])) : "";
  }

  static std::string Flip(const std::string& op) {
    if (op == "<") return ">";
    if (op == ">") return "<";
    if (op == "<=") return ">=";
    if (op == ">=") return "<=";
    return op;
  }

  bool Bound(int col, const std::string& op, const std::string& value) {
    ColumnPlan& c = t_.columns[col];
    if (op == "=") {
      c.choices = {value};
      return true;
    }
    if (op == "<>" || op == "!=") {
      c.not_equal.push_back(value);
      return true;
    }
    std::optional<double> v = NumberFor(col, value);
    if (!v) return false;
    if (op == ">" || op == ">=") {
      if (!c.lo || *v > *c.lo || (*v == *c.lo && op == ">")) {
        c.lo = *v;
        c.lo_exclusive = op == ">";
      }
      return true;
    }
    if (op == "<" || op == "<=") {
      if (!c.hi || *v < *c.hi || (*v == *c.hi && op == "<")) {
        c.hi = *v;
        c.hi_exclusive = op == "<";
      }
      return true;
    }
    return false;
  }

  // target = a + b - c ... over columns; false if not that shape.
  bool SumTerms(const Node* n, int sign, std::vector<std::pair<int, int>>& terms) const {
    n = StripCast(n);
    if (n == nullptr) return false;
    int col = Column(n);
    if (col >= 0) {
      terms.emplace_back(col, sign);
      return true;
    }
    if (n->node_case != PG_QUERY__NODE__NODE_A_EXPR || n->a_expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP) {
      return false;
    }
    std::string op = Op(n->a_expr);
    if (op != "+" && op != "-") return false;
    if (!SumTerms(n->a_expr->lexpr, sign, terms)) return false;
    return SumTerms(n->a_expr->rexpr, op == "+" ? sign : -sign, terms);
  }

  // Rough preference among OR branches: 0 = useless to enforce, higher = better.
  int Usefulness(const Node* n) const {
    n = StripCast(n);
    if (n == nullptr) return 0;
    if (n->node_case == PG_QUERY__NODE__NODE_NULL_TEST) {
      return n->null_test->nulltesttype == PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL ? 2 : 0;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_A_EXPR && n->a_expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP) {
      std::string op = Op(n->a_expr);
      if ((op == "<>" || op == "=") && Column(n->a_expr->lexpr) >= 0 && Constant(n->a_expr->rexpr)) return 1;
    }
    return 3;
  }

  bool Walk(const Node* n) {
    n = StripCast(n);
    if (n == nullptr) return false;
    switch (n->node_case) {
      case PG_QUERY__NODE__NODE_BOOL_EXPR: {
        const PgQuery__BoolExpr* b = n->bool_expr;
        if (b->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR) {
          bool all = true;
          for (size_t i = 0; i < b->n_args; ++i) all = Walk(b->args[i]) && all;
          return all;
        }
        if (b->boolop == PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR) {
          // Enforce one branch: the most useful one that is understood.
          std::vector<const Node*> order(b->args, b->args + b->n_args);
          std::stable_sort(order.begin(), order.end(), [&](const Node* x, const Node* y) {
            return Usefulness(x) > Usefulness(y);
          });
          for (const Node* branch : order) {
            TablePlan saved = t_;
            if (Walk(branch)) return true;
            t_ = std::move(saved);
          }
          return false;
        }
        return false;
      }
      case PG_QUERY__NODE__NODE_NULL_TEST: {
        int col = Column(n->null_test->arg);
        if (col < 0) return false;
        if (n->null_test->nulltesttype == PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL) {
          t_.columns[col].null_fraction = 0;
          forced_not_null_.insert(col);
        } else {
          t_.columns[col].null_fraction = 1;
        }
        return true;
      }
      case PG_QUERY__NODE__NODE_A_EXPR: {
        const PgQuery__AExpr* e = n->a_expr;
        std::string op = Op(e);
        if (e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY && op == "=") {
          int col = Column(e->lexpr);
          const Node* arr = StripCast(e->rexpr);
          if (col < 0 || arr == nullptr || arr->node_case != PG_QUERY__NODE__NODE_A_ARRAY_EXPR) return false;
          std::vector<std::string> values;
          for (size_t i = 0; i < arr->a_array_expr->n_elements; ++i) {
            auto v = Constant(arr->a_array_expr->elements[i]);
            if (!v) return false;
            values.push_back(*v);
          }
          t_.columns[col].choices = values;
          return true;
        }
        if (e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_IN) {
          int col = Column(e->lexpr);
          if (col < 0 || e->rexpr == nullptr || e->rexpr->node_case != PG_QUERY__NODE__NODE_LIST) return false;
          std::vector<std::string> values;
          for (size_t i = 0; i < e->rexpr->list->n_items; ++i) {
            auto v = Constant(e->rexpr->list->items[i]);
            if (!v) return false;
            values.push_back(*v);
          }
          t_.columns[col].choices = values;
          return true;
        }
        if (e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN) {
          int col = Column(e->lexpr);
          if (col < 0 || e->rexpr == nullptr || e->rexpr->node_case != PG_QUERY__NODE__NODE_LIST ||
              e->rexpr->list->n_items != 2) {
            return false;
          }
          const Node* lo = e->rexpr->list->items[0];
          const Node* hi = e->rexpr->list->items[1];
          bool ok = true;
          if (auto v = Constant(lo)) ok = Bound(col, ">=", *v) && ok;
          else if (int c2 = Column(lo); c2 >= 0) t_.rules.push_back({RowRule::kLessEqual, c2, col, -1, {}});
          else ok = false;
          if (auto v = Constant(hi)) ok = Bound(col, "<=", *v) && ok;
          else if (int c2 = Column(hi); c2 >= 0) t_.rules.push_back({RowRule::kLessEqual, col, c2, -1, {}});
          else ok = false;
          return ok;
        }
        if (e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP) return false;
        int lc = Column(e->lexpr);
        int rc = Column(e->rexpr);
        auto lv = Constant(e->lexpr);
        auto rv = Constant(e->rexpr);
        if (op == "~" && lc >= 0 && rv) return Regex(lc, *rv);
        if (lc >= 0 && rv) return Bound(lc, op, *rv);
        if (rc >= 0 && lv) return Bound(rc, Flip(op), *lv);
        if (lc >= 0 && rc >= 0) {
          if (op == "<=") t_.rules.push_back({RowRule::kLessEqual, lc, rc, -1, {}});
          else if (op == "<") t_.rules.push_back({RowRule::kLess, lc, rc, -1, {}});
          else if (op == ">=") t_.rules.push_back({RowRule::kLessEqual, rc, lc, -1, {}});
          else if (op == ">") t_.rules.push_back({RowRule::kLess, rc, lc, -1, {}});
          else if (op == "<>" || op == "!=") t_.rules.push_back({RowRule::kNotEqual, lc, rc, -1, {}});
          else return false;
          return true;
        }
        if (op == "=" && lc >= 0) {
          RowRule r;
          r.kind = RowRule::kSum;
          r.target = lc;
          if (!SumTerms(e->rexpr, +1, r.terms)) return false;
          t_.rules.push_back(std::move(r));
          return true;
        }
        // char_length(col) op n, length(col) op n
        const Node* l = StripCast(e->lexpr);
        if (l != nullptr && l->node_case == PG_QUERY__NODE__NODE_FUNC_CALL && rv && l->func_call->n_args == 1) {
          std::string fn = ToLower(sql::StrVal(l->func_call->funcname[l->func_call->n_funcname - 1]));
          int col = Column(l->func_call->args[0]);
          if (col >= 0 && (fn == "char_length" || fn == "length" || fn == "character_length" || fn == "octet_length")) {
            int v = std::atoi(rv->c_str());
            ColumnPlan& c = t_.columns[col];
            if (op == ">") c.min_length = std::max(c.min_length, v + 1);
            else if (op == ">=") c.min_length = std::max(c.min_length, v);
            else if (op == "<") c.max_length = c.max_length < 0 ? v - 1 : std::min(c.max_length, v - 1);
            else if (op == "<=") c.max_length = c.max_length < 0 ? v : std::min(c.max_length, v);
            else if (op == "=") c.min_length = c.max_length = v;
            else return false;
            return true;
          }
          // position('@' in email) > 1: true of every generated email.
          if (fn == "position" && l->func_call->n_args == 2) return true;
        }
        return false;
      }
      default:
        return false;
    }
  }

  // ^...$ made of literals, [classes], \d \w, with ? * + {n} {n,m}; alternation and groups
  // are not supported.
  bool Regex(int col, const std::string& pattern) {
    std::vector<RegexAtom> atoms;
    size_t i = 0;
    if (i < pattern.size() && pattern[i] == '^') ++i;
    else return false;  // unanchored: anything containing a match passes; keep it simple
    while (i < pattern.size()) {
      char ch = pattern[i];
      if (ch == '$' && i + 1 == pattern.size()) {
        ++i;
        break;
      }
      RegexAtom a;
      if (ch == '[') {
        size_t close = pattern.find(']', i + 1);
        if (close == std::string::npos) return false;
        std::string body = pattern.substr(i + 1, close - i - 1);
        if (!body.empty() && body[0] == '^') return false;
        for (size_t k = 0; k < body.size(); ++k) {
          if (k + 2 < body.size() && body[k + 1] == '-') {
            for (char x = body[k]; x <= body[k + 2]; ++x) a.chars += x;
            k += 2;
          } else if (body[k] == '\\' && k + 1 < body.size()) {
            a.chars += body[++k];
          } else {
            a.chars += body[k];
          }
        }
        i = close + 1;
      } else if (ch == '\\' && i + 1 < pattern.size()) {
        char e = pattern[i + 1];
        if (e == 'd') a.chars = "0123456789";
        else if (e == 'w') a.chars = "abcdefghijklmnopqrstuvwxyz0123456789_";
        else a.chars = std::string(1, e);
        i += 2;
      } else if (ch == '(' || ch == ')' || ch == '|' || ch == '.' || ch == '$') {
        return false;
      } else {
        a.chars = std::string(1, ch);
        ++i;
      }
      if (i < pattern.size()) {
        char q = pattern[i];
        if (q == '?') { a.min = 0; a.max = 1; ++i; }
        else if (q == '*') { a.min = 0; a.max = 8; ++i; }
        else if (q == '+') { a.min = 1; a.max = 8; ++i; }
        else if (q == '{') {
          size_t close = pattern.find('}', i);
          if (close == std::string::npos) return false;
          std::string body = pattern.substr(i + 1, close - i - 1);
          size_t comma = body.find(',');
          a.min = std::atoi(body.substr(0, comma).c_str());
          a.max = comma == std::string::npos ? a.min
                  : comma + 1 < body.size() ? std::atoi(body.substr(comma + 1).c_str())
                                            : a.min + 8;
          i = close + 1;
        }
      }
      if (a.chars.empty()) return false;
      atoms.push_back(std::move(a));
    }
    if (i != pattern.size()) return false;
    t_.columns[col].regex = std::move(atoms);
    return true;
  }

  TablePlan& t_;
  std::string value_column_;
  std::set<int> forced_not_null_;
};

// --- type resolution ---------------------------------------------------------------------

// Fills `c` (kind, bounds, lengths, choices, fields) from the type spelling `type`: arrays,
// domains (their NOT NULL into `not_null`, their CHECK expressions into `checks`, to be applied
// by the caller on the column), enums, composites and ranges, down to the built-in types.
// A nested composite field or range subtype gets its own domains' CHECKs applied here.
void ResolveType(const Catalog& cat, std::string type, ColumnPlan& c, bool& not_null,
                 std::vector<std::string>& checks, int depth) {
  if (depth > 16) {
    c.kind = ValueKind::kUnsupported;
    c.unsupported = type;
    return;
  }
  while (EndsWith(type, "[]")) {
    c.array = true;
    type = std::string(Trim(type.substr(0, type.size() - 2)));
  }
  const catalog::Type* user = FindType(cat, SplitTypmods(type).first);
  if (user == nullptr) {
    // The multirange of a user range type: named like the range with "range" turned into
    // "multirange", or with "_multirange" appended.
    size_t at = type.rfind("multirange");
    if (at != std::string::npos) {
      std::string range = EndsWith(type, "_multirange") ? type.substr(0, type.size() - 11)
                                                        : type.substr(0, at) + "range" + type.substr(at + 10);
      const catalog::Type* r = FindType(cat, range);
      if (r != nullptr && r->kind == catalog::TypeKind::kRange) {
        ResolveType(cat, range, c, not_null, checks, depth + 1);
        if (c.kind == ValueKind::kRange) c.kind = ValueKind::kMultirange;
        return;
      }
    }
    ClassifyBuiltin(type, c);
    return;
  }
  switch (user->kind) {
    case catalog::TypeKind::kDomain:
      if (user->not_null) not_null = true;
      for (const auto& dc : user->constraints) checks.push_back(dc.expression);
      ResolveType(cat, user->base_type, c, not_null, checks, depth + 1);
      return;
    case catalog::TypeKind::kEnum:
      c.kind = ValueKind::kText;
      c.choices = user->labels;
      return;
    case catalog::TypeKind::kComposite:
    case catalog::TypeKind::kRange: {
      c.kind = user->kind == catalog::TypeKind::kRange ? ValueKind::kRange : ValueKind::kComposite;
      std::vector<std::pair<std::string, std::string>> parts;  // (name, type)
      if (user->kind == catalog::TypeKind::kRange) {
        parts.emplace_back(c.name, user->base_type);
      } else {
        for (const auto& a : user->attributes) parts.emplace_back(a.name, a.type);
      }
      for (const auto& [name, part_type] : parts) {
        // A one-column table for the field, so that its domains' CHECKs apply to it alone.
        TablePlan field_table;
        ColumnPlan f;
        f.name = name;
        f.type = part_type;
        bool field_not_null = false;
        std::vector<std::string> field_checks;
        ResolveType(cat, part_type, f, field_not_null, field_checks, depth + 1);
        if (f.kind == ValueKind::kInt || f.kind == ValueKind::kNumeric ||
            f.kind == ValueKind::kFloat) {
          NumericDefaultsFromName(ToLower(name), f);
        }
        f.text_kind = TextKindFromName(ToLower(name));
        field_table.columns.push_back(std::move(f));
        for (const std::string& expr : field_checks) CheckAnalyzer(field_table, name).Apply(expr);
        ColumnPlan& done = field_table.columns[0];
        if (done.kind == ValueKind::kUnsupported) {
          c.kind = ValueKind::kUnsupported;
          c.unsupported = done.unsupported;
          return;
        }
        c.fields.push_back(std::move(done));
      }
      return;
    }
  }
}

// --- partial unique indexes ---------------------------------------------------------------

// `n` without the casts around it.
const Node* StripCasts(const Node* n) {
  while (n != nullptr && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) n = n->type_cast->arg;
  return n;
}

// The index in `t.columns` of the column `n` names (through casts), or -1.
int ColumnIndexOf(const TablePlan& t, const Node* n) {
  n = StripCasts(n);
  if (n == nullptr || n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return -1;
  const PgQuery__ColumnRef* cr = n->column_ref;
  const Node* last = cr->fields[cr->n_fields - 1];
  if (last->node_case != PG_QUERY__NODE__NODE_STRING) return -1;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (t.columns[i].name == last->string->sval) return static_cast<int>(i);
  }
  return -1;
}

// The row condition of a partial unique index: `flag`, `col = constant`, `col IS NULL`.
TablePlan::UniqueWhen ReadUniqueWhen(const TablePlan& t, const std::string& text) {
  TablePlan::UniqueWhen out;
  SourceFile file("predicate", "SELECT " + text);
  auto tree = sql::ParseTree::Parse(file);
  if (!tree.ok() || tree->statements().size() != 1) return out;
  const Node* stmt = tree->statements()[0].node;
  if (stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT || stmt->select_stmt->n_target_list != 1) return out;
  auto strip = [](const Node* n) { return StripCasts(n); };
  auto column = [&](const Node* n) { return ColumnIndexOf(t, n); };
  const Node* e = strip(stmt->select_stmt->target_list[0]->res_target->val);
  if (e == nullptr) return out;
  int col = column(e);
  if (col >= 0 && t.columns[col].kind == ValueKind::kBool) {
    out.column = col;
    out.value = "t";
  } else if (e->node_case == PG_QUERY__NODE__NODE_NULL_TEST &&
             e->null_test->nulltesttype == PG_QUERY__NULL_TEST_TYPE__IS_NULL) {
    out.column = column(e->null_test->arg);
    out.value = "\\N";
  } else if (e->node_case == PG_QUERY__NODE__NODE_A_EXPR && e->a_expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP &&
             e->a_expr->n_name == 1 && sql::StrVal(e->a_expr->name[0]) == "=") {
    const Node* c = strip(e->a_expr->rexpr);
    int lhs = column(e->a_expr->lexpr);
    if (lhs >= 0 && c != nullptr && c->node_case == PG_QUERY__NODE__NODE_A_CONST && !c->a_const->isnull) {
      switch (c->a_const->val_case) {
        case PG_QUERY__A__CONST__VAL_SVAL: out.value = c->a_const->sval->sval; break;
        case PG_QUERY__A__CONST__VAL_IVAL: out.value = std::to_string(c->a_const->ival->ival); break;
        case PG_QUERY__A__CONST__VAL_BOOLVAL: out.value = c->a_const->boolval->boolval ? "t" : "f"; break;
        default: return out;
      }
      out.column = lhs;
    }
  }
  return out;
}

// --- exclusion keys ----------------------------------------------------------------------

// An expression key of an EXCLUDE constraint that the generator can still honour.
struct ExclusionExpr {
  int column = -1;                     // COALESCE(col, 'c'): equality on col, NULL counting as c
  std::optional<std::string> null_as;
  int from = -1, to = -1;              // <range type>(from, to [, 'bounds']) over two columns
  bool upper_inclusive = false;
};

ExclusionExpr ReadExclusionExpr(const TablePlan& t, const std::string& text) {
  ExclusionExpr out;
  SourceFile file("exclude", "SELECT " + text);
  auto tree = sql::ParseTree::Parse(file);
  if (!tree.ok() || tree->statements().size() != 1) return out;
  const Node* stmt = tree->statements()[0].node;
  if (stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT || stmt->select_stmt->n_target_list != 1) return out;
  auto strip = [](const Node* n) { return StripCasts(n); };
  auto column = [&](const Node* n) { return ColumnIndexOf(t, n); };
  auto text_constant = [&](const Node* n) -> std::optional<std::string> {
    n = strip(n);
    if (n == nullptr || n->node_case != PG_QUERY__NODE__NODE_A_CONST || n->a_const->isnull ||
        n->a_const->val_case != PG_QUERY__A__CONST__VAL_SVAL) {
      return std::nullopt;
    }
    return std::string(n->a_const->sval->sval);
  };
  const Node* e = strip(stmt->select_stmt->target_list[0]->res_target->val);
  if (e == nullptr) return out;
  if (e->node_case == PG_QUERY__NODE__NODE_COALESCE_EXPR && e->coalesce_expr->n_args == 2) {
    int col = column(e->coalesce_expr->args[0]);
    auto c = text_constant(e->coalesce_expr->args[1]);
    if (col >= 0 && c) {
      out.column = col;
      out.null_as = *c;
    }
    return out;
  }
  if (e->node_case != PG_QUERY__NODE__NODE_FUNC_CALL) return out;
  const PgQuery__FuncCall* f = e->func_call;
  std::string fn = ToLower(sql::StrVal(f->funcname[f->n_funcname - 1]));
  static const std::set<std::string> kRangeFunctions = {"daterange", "tsrange", "tstzrange",
                                                        "int4range", "int8range", "numrange"};
  if (!kRangeFunctions.count(fn) || f->n_args < 2 || f->n_args > 3) return out;
  int from = column(f->args[0]);
  int to = column(f->args[1]);
  std::string bounds = "[)";
  if (f->n_args == 3) {
    auto b = text_constant(f->args[2]);
    if (!b) return out;
    bounds = *b;
  }
  auto plain_number = [&](int col) {
    if (col < 0) return false;
    const ColumnPlan& c = t.columns[col];
    bool number = c.kind == ValueKind::kDate || c.kind == ValueKind::kTimestamp ||
                  c.kind == ValueKind::kTimestampTz || c.kind == ValueKind::kInt || c.kind == ValueKind::kNumeric;
    return number && !c.array && c.choices.empty() && c.fk < 0 && !c.sequence;
  };
  if (plain_number(from) && plain_number(to) && from != to) {
    out.from = from;
    out.to = to;
    out.upper_inclusive = bounds.size() == 2 && bounds[1] == ']';
  }
  return out;
}

// --- partitions ----------------------------------------------------------------------------

// The literals inside "( ... )" after `keyword` in a partition bound.
std::vector<std::string> BoundLiterals(std::string_view bound, std::string_view keyword) {
  std::vector<std::string> out;
  size_t at = bound.find(keyword);
  if (at == std::string_view::npos) return out;
  size_t open = bound.find('(', at);
  if (open == std::string_view::npos) return out;
  std::string cur;
  bool in_quote = false;
  for (size_t i = open + 1; i < bound.size(); ++i) {
    char c = bound[i];
    if (in_quote) {
      if (c == '\'' && i + 1 < bound.size() && bound[i + 1] == '\'') {
        cur += '\'';
        ++i;
      } else if (c == '\'') {
        in_quote = false;
      } else {
        cur += c;
      }
      continue;
    }
    if (c == '\'') {
      in_quote = true;
    } else if (c == ',' || c == ')') {
      out.push_back(std::string(Trim(cur)));
      cur.clear();
      if (c == ')') break;
    } else {
      cur += c;
    }
  }
  // Drop casts written after literals ("'x'::date").
  for (std::string& s : out) {
    size_t cast = s.find("::");
    if (cast != std::string::npos) s = std::string(Trim(s.substr(0, cast)));
  }
  return out;
}

// --- ordering ------------------------------------------------------------------------------

}  // namespace

std::optional<double> ParseTimestamp(std::string_view text) {
  std::string t(Trim(text));
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  double s = 0;
  size_t pos = 0;
  auto num = [&](int digits, int& out) {
    if (pos + digits > t.size()) return false;
    out = 0;
    for (int k = 0; k < digits; ++k) {
      char c = t[pos + k];
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    pos += digits;
    return true;
  };
  if (!num(4, y) || pos >= t.size() || t[pos++] != '-' || !num(2, mo) || pos >= t.size() ||
      t[pos++] != '-' || !num(2, d)) {
    return std::nullopt;
  }
  if (pos < t.size() && (t[pos] == ' ' || t[pos] == 'T')) {
    ++pos;
    if (!num(2, h) || pos >= t.size() || t[pos++] != ':' || !num(2, mi)) return std::nullopt;
    if (pos < t.size() && t[pos] == ':') {
      ++pos;
      size_t end = pos;
      while (end < t.size() && (std::isdigit(static_cast<unsigned char>(t[end])) || t[end] == '.')) ++end;
      s = std::atof(t.substr(pos, end - pos).c_str());
      pos = end;
    }
  }
  double offset = 0;
  if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
    int sign = t[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!num(2, oh)) return std::nullopt;
    if (pos < t.size() && t[pos] == ':') ++pos;
    if (pos < t.size()) num(2, om);
    offset = sign * (oh * 3600.0 + om * 60.0);
  }
  double days = static_cast<double>(DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)));
  return days * 86400.0 + h * 3600.0 + mi * 60.0 + s - offset;
}

Result<Plan> BuildPlan(const Catalog& cat, const Spec& spec) {
  Plan plan;
  plan.seed = spec.seed;

  // Which tables get rows: plain and partitioned tables (partitions are filled through
  // their root), not partitions themselves.
  std::vector<const Table*> tables;
  for (const auto& [q, t] : cat.tables) {
    if (t.partition_of) continue;
    tables.push_back(&t);
  }

  // Resolve the spec's table names.
  std::map<QualifiedName, const TableSpec*> table_specs;
  for (const auto& [name, ts] : spec.tables) {
    const Table* found = nullptr;
    size_t dot = name.find('.');
    for (const Table* t : tables) {
      bool match = dot == std::string::npos ? t->name.name == name
                                            : t->name.schema == name.substr(0, dot) &&
                                                  t->name.name == name.substr(dot + 1);
      if (match && (found == nullptr || t->name.schema == "public")) found = t;
    }
    if (found == nullptr) {
      std::vector<std::string> names;
      for (const Table* t : tables) {
        names.push_back(t->name.name);
        if (t->name.schema != "public") names.push_back(t->name.schema + "." + t->name.name);
      }
      Status st = Status::InvalidArgument("unknown table \"" + name + "\" in the spec");
      std::string close = ClosestMatch(name, names);
      return close.empty() ? st : std::move(st).WithHint("did you mean \"" + close + "\"?");
    }
    table_specs[found->name] = &ts;
  }

  // --- per table plans
  std::map<QualifiedName, TablePlan> plans;
  std::vector<std::string> unsupported;  // "table.column of type t", every one of them
  for (const Table* t : tables) {
    TablePlan tp;
    tp.name = t->name;
    const TableSpec* ts = table_specs.count(t->name) ? table_specs[t->name] : nullptr;
    tp.rows = ts != nullptr && ts->rows ? *ts->rows : spec.default_rows;
    std::vector<std::string> domain_checks;  // (column index, expression) pairs below
    std::vector<std::pair<int, std::string>> domain_exprs;
    for (const Column& col : t->columns) {
      ColumnPlan c;
      c.name = col.name;
      c.type = col.type;
      c.null_fraction = col.not_null ? 0 : 0.05;
      bool not_null = col.not_null;
      std::vector<std::string> checks;
      ResolveType(cat, col.type, c, not_null, checks, 0);
      for (std::string& expr : checks)
        domain_exprs.emplace_back(static_cast<int>(tp.columns.size()), std::move(expr));
      if (not_null) c.null_fraction = 0;
      std::string lname = ToLower(col.name);
      c.text_kind = TextKindFromName(lname);
      if (c.kind == ValueKind::kInt || c.kind == ValueKind::kNumeric || c.kind == ValueKind::kFloat) {
        NumericDefaultsFromName(lname, c);
      }
      if (!col.generated_expr.empty()) c.omitted = true;
      if (col.identity != catalog::IdentityKind::kNone) {
        c.sequence = true;
        c.seq_start = col.identity_options.start;
        c.seq_increment = col.identity_options.increment == 0 ? 1 : col.identity_options.increment;
        c.null_fraction = 0;
      } else if (StartsWith(col.default_expr, "nextval(")) {
        c.sequence = true;
        c.serial = true;
        c.null_fraction = 0;
      }
      // Time columns: increasing with insert order by default for "created"-like names.
      if ((c.kind == ValueKind::kTimestamp || c.kind == ValueKind::kTimestampTz || c.kind == ValueKind::kDate) &&
          (Has(lname, "created") || Has(lname, "inserted") || Has(lname, "occurred") ||
           Has(lname, "logged") || Has(lname, "registered") || Has(lname, "placed") || lname == "ts" ||
           Has(lname, "recorded"))) {
        c.distribution = Distribution::kTimeSeries;
      }
      if ((Has(lname, "deleted") || Has(lname, "cancelled") || Has(lname, "canceled") ||
           Has(lname, "archived")) && !not_null) {
        c.null_fraction = 0.9;
      }
      tp.columns.push_back(std::move(c));
    }

    // Keys.
    for (const auto& k : t->constraints) {
      if (k.kind != ConstraintKind::kPrimaryKey && k.kind != ConstraintKind::kUnique) continue;
      std::vector<int> cols;
      for (const std::string& n : k.columns) {
        for (size_t i = 0; i < tp.columns.size(); ++i) {
          if (tp.columns[i].name == n) cols.push_back(static_cast<int>(i));
        }
      }
      if (k.kind == ConstraintKind::kPrimaryKey) {
        for (int i : cols) tp.columns[i].null_fraction = 0;
      }
      if (cols.size() == 1) {
        tp.columns[cols[0]].unique = true;
      } else if (!cols.empty()) {
        tp.unique_sets.push_back(cols);
      }
    }
    for (const auto& [q, idx] : cat.indexes) {
      if (idx.table != t->name || !idx.unique) continue;
      std::vector<int> cols;
      bool plain = true;
      for (const auto& key : idx.keys) {
        if (key.column.empty()) plain = false;
        for (size_t i = 0; i < tp.columns.size(); ++i) {
          if (tp.columns[i].name == key.column) cols.push_back(static_cast<int>(i));
        }
      }
      if (!plain) {
        tp.warnings.push_back("unique expression index " + idx.name.Quoted() + " is not taken into account");
        continue;
      }
      if (!idx.predicate.empty() && !cols.empty()) {
        tp.unique_sets.push_back(cols);
        tp.unique_when.resize(tp.unique_sets.size() - 1);
        tp.unique_when.push_back(ReadUniqueWhen(tp, idx.predicate));
        continue;
      }
      if (cols.size() == 1) tp.columns[cols[0]].unique = true;
      else if (!cols.empty()) tp.unique_sets.push_back(cols);
    }
    tp.unique_when.resize(tp.unique_sets.size());

    // Foreign keys: the table's own and, for a partitioned table, those its partitions
    // declare themselves (pg_dump output keeps them per partition): rows are generated
    // through the root, so each must satisfy every partition's keys.
    std::vector<const catalog::Constraint*> foreign_keys;
    std::function<void(const Table&)> collect = [&](const Table& table) {
      for (const auto& k : table.constraints) {
        if (k.kind != ConstraintKind::kForeignKey) continue;
        bool known = std::any_of(foreign_keys.begin(), foreign_keys.end(),
                                 [&](const catalog::Constraint* f) {
                                   return f->columns == k.columns && f->ref_table == k.ref_table &&
                                          f->ref_columns == k.ref_columns;
                                 });
        if (!known) foreign_keys.push_back(&k);
      }
      if (table.partition_key.empty()) return;
      for (const auto& [q, child] : cat.tables) {
        if (child.partition_of && *child.partition_of == table.name) collect(child);
      }
    };
    collect(*t);
    for (const catalog::Constraint* kp : foreign_keys) {
      const catalog::Constraint& k = *kp;
      ForeignKeyPlan fk;
      fk.name = k.name;
      fk.parent = k.ref_table;
      fk.parent_columns = k.ref_columns;
      fk.self = k.ref_table == t->name;
      fk.nullable = true;
      for (const std::string& n : k.columns) {
        for (size_t i = 0; i < tp.columns.size(); ++i) {
          if (tp.columns[i].name == n) {
            fk.columns.push_back(static_cast<int>(i));
            if (tp.columns[i].null_fraction == 0) fk.nullable = false;
          }
        }
      }
      if (fk.columns.size() != k.columns.size()) continue;
      const auto* parent = cat.FindTable(k.ref_table);
      if (parent == nullptr) {
        return Status::InvalidArgument("foreign key " + k.name + " of " + t->name.Quoted() +
                                       " references unknown table " + k.ref_table.Quoted());
      }
      if (fk.parent_columns.empty()) {
        for (const auto& pk : parent->constraints) {
          if (pk.kind == ConstraintKind::kPrimaryKey) fk.parent_columns = pk.columns;
        }
      }
      if (fk.columns.size() == 1 && tp.columns[fk.columns[0]].unique) fk.unique = true;
      // A composite key that is also unique ((tenant_id, user_id) of a tenant-scoped 1:1):
      // each parent row once, as for a single column.
      for (size_t u = 0; u < tp.unique_sets.size() && !fk.unique; ++u) {
        if (u < tp.unique_when.size() && tp.unique_when[u].column >= 0) continue;  // partial
        std::vector<int> a = tp.unique_sets[u];
        std::vector<int> b = fk.columns;
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        if (a == b) fk.unique = true;
      }
      fk.distribution = fk.unique ? Distribution::kUniform : Distribution::kZipf;
      tp.fks.push_back(std::move(fk));
    }
    // A column in several foreign keys (tenant_id in (tenant_id) -> tenants and in
    // (tenant_id, order_id) -> orders (tenant_id, id)) takes its value from the one with the
    // most columns; the generator then draws the others' parent rows among those that agree
    // with the values already drawn (generator.cc), so every key holds at once.
    for (size_t f = 0; f < tp.fks.size(); ++f) {
      for (size_t p = 0; p < tp.fks[f].columns.size(); ++p) {
        ColumnPlan& c = tp.columns[tp.fks[f].columns[p]];
        if (c.fk >= 0 && tp.fks[c.fk].columns.size() >= tp.fks[f].columns.size()) continue;
        c.fk = static_cast<int>(f);
        c.fk_position = static_cast<int>(p);
        c.sequence = false;  // a key that is also a foreign key takes the parent's values
      }
    }

    // Exclusion constraints: equality keys plus one overlap (&&) on a range column.
    for (const auto& k : t->constraints) {
      if (k.kind != ConstraintKind::kExclude) continue;
      ExclusionPlan ex;
      ex.name = k.name;
      bool understood = !k.exclude_keys.empty();
      for (const catalog::IndexKey& key : k.exclude_keys) {
        int col = -1;
        for (size_t i = 0; i < tp.columns.size(); ++i) {
          if (!key.column.empty() && tp.columns[i].name == key.column) col = static_cast<int>(i);
        }
        if (col < 0 && !key.expression.empty()) {
          ExclusionExpr e = ReadExclusionExpr(tp, key.expression);
          if (key.exclude_operator == "=" && e.column >= 0) {
            ex.equal_columns.push_back(e.column);
            ex.equal_null_as.push_back(e.null_as);
          } else if (key.exclude_operator == "&&" && e.from >= 0 && ex.range_column < 0 && ex.from_column < 0) {
            ex.from_column = e.from;
            ex.to_column = e.to;
            ex.upper_inclusive = e.upper_inclusive;
          } else {
            understood = false;
          }
          continue;
        }
        if (col < 0) {
          understood = false;
        } else if (key.exclude_operator == "=") {
          ex.equal_columns.push_back(col);
          ex.equal_null_as.push_back(std::nullopt);
        } else if (key.exclude_operator == "&&" && ex.range_column < 0 && !tp.columns[col].array &&
                   (tp.columns[col].kind == ValueKind::kRange ||
                    tp.columns[col].kind == ValueKind::kMultirange)) {
          ex.range_column = col;
        } else {
          understood = false;
        }
      }
      if (understood && (ex.range_column >= 0 || ex.from_column >= 0)) {
        tp.exclusions.push_back(std::move(ex));
      } else {
        tp.warnings.push_back(
            "EXCLUDE constraint " + QuoteIdent(k.name) +
            " is not understood (only k WITH =, ..., range WITH &&): the server may reject rows");
      }
    }

    // CHECK constraints (table and domain).
    for (const auto& k : t->constraints) {
      if (k.kind != ConstraintKind::kCheck) continue;
      CheckAnalyzer an(tp, "");
      if (!an.Apply(k.expression)) {
        tp.warnings.push_back("CHECK " + QuoteIdent(k.name) + " (" + k.expression +
                              ") is only partly understood: the server may reject rows");
      }
    }
    for (const auto& [col, expr] : domain_exprs) {
      CheckAnalyzer an(tp, tp.columns[col].name);
      if (!an.Apply(expr)) {
        tp.warnings.push_back("domain check (" + expr + ") of column " + QuoteIdent(tp.columns[col].name) +
                              " is only partly understood");
      }
    }

    // A composite key with a free column (not a foreign key, no value list): making that
    // column unique makes the whole key unique without rejections (shipments (carrier,
    // tracking_no): tracking numbers do not repeat). Keys made only of foreign keys and
    // value lists are deduplicated by rejection instead.
    auto free_column = [&](const std::vector<int>& set) {
      for (int col : set) {
        const ColumnPlan& c = tp.columns[col];
        bool is_fk = false;
        for (const auto& k : t->constraints) {
          if (k.kind == ConstraintKind::kForeignKey &&
              std::find(k.columns.begin(), k.columns.end(), c.name) != k.columns.end()) {
            is_fk = true;
          }
        }
        if (!is_fk && c.choices.empty() && !c.sequence &&
            (c.kind == ValueKind::kText || c.kind == ValueKind::kUuid ||
             (c.kind == ValueKind::kInt && c.int_bytes >= 4))) {
          return col;
        }
      }
      return -1;
    };
    for (const std::vector<int>& set : tp.unique_sets) {
      bool covered = false;
      for (int col : set) covered = covered || tp.columns[col].unique || tp.columns[col].sequence;
      if (covered) continue;
      int col = free_column(set);
      if (col >= 0) tp.columns[col].unique = true;
    }

    // Partitions: the key column takes values inside the existing partitions' bounds.
    tp.partitioned = !t->partition_key.empty();
    if (!t->partition_key.empty()) {
      PartitionPlan pp;
      std::vector<double> range_rows;  // rows of each range's partition; -1 not known
      std::string key = t->partition_key;
      size_t open = key.find('(');
      size_t close = key.rfind(')');
      std::string col = open == std::string::npos ? "" : std::string(Trim(key.substr(open + 1, close - open - 1)));
      for (size_t i = 0; i < tp.columns.size(); ++i) {
        if (tp.columns[i].name == col) pp.column = static_cast<int>(i);
      }
      bool has_default = false;
      pp.list = StartsWith(key, "LIST");
      bool hash = StartsWith(key, "HASH");
      // Leaf partitions, recursively.
      std::function<void(const QualifiedName&)> leaves = [&](const QualifiedName& parent) {
        for (const auto& [q, child] : cat.tables) {
          if (!child.partition_of || *child.partition_of != parent) continue;
          if (!child.partition_key.empty()) {
            leaves(q);
          }
          if (child.partition_bound == "DEFAULT") {
            has_default = true;
            continue;
          }
          if (pp.column < 0 || parent != t->name) continue;
          if (pp.list) {
            for (const std::string& v : BoundLiterals(child.partition_bound, "IN")) pp.values.push_back(v);
          } else if (!hash) {
            auto from = BoundLiterals(child.partition_bound, "FROM");
            auto to = BoundLiterals(child.partition_bound, "TO");
            if (from.size() != 1 || to.size() != 1) continue;
            auto num = [&](const std::string& s) -> std::optional<double> {
              ValueKind k = tp.columns[pp.column].kind;
              if (k == ValueKind::kDate || k == ValueKind::kTimestamp || k == ValueKind::kTimestampTz) {
                return ParseTimestamp(s);
              }
              char* end = nullptr;
              double v = std::strtod(s.c_str(), &end);
              if (end == s.c_str()) return std::nullopt;
              return v;
            };
            auto lo = num(from[0]);
            auto hi = num(to[0]);
            if (lo && hi) {
              pp.ranges.emplace_back(*lo, *hi);
              auto w = spec.partition_rows.find(q.schema + "." + q.name);
              range_rows.push_back(w != spec.partition_rows.end() ? static_cast<double>(w->second) : -1);
            }
          }
        }
      };
      leaves(t->name);
      {
        // Sorted by bound, the weights (rows per partition, when known for all) with them.
        std::vector<std::pair<std::pair<double, double>, double>> both;
        for (size_t r = 0; r < pp.ranges.size(); ++r) both.push_back({pp.ranges[r], range_rows[r]});
        std::sort(both.begin(), both.end());
        double total = 0;
        bool known = !both.empty();
        for (const auto& b : both) {
          known = known && b.second >= 0;
          total += std::max(b.second, 0.0);
        }
        pp.ranges.clear();
        for (const auto& b : both) {
          pp.ranges.push_back(b.first);
          if (known && total > 0) pp.weights.push_back(b.second / total);
        }
      }
      bool usable = pp.column >= 0 && !has_default && !hash && (pp.list ? !pp.values.empty() : !pp.ranges.empty());
      if (usable) {
        if (pp.list) {
          tp.columns[pp.column].choices = pp.values;
        } else {
          tp.columns[pp.column].partition_ranges = 0;
        }
        tp.partition = std::move(pp);
      } else if (!has_default && !hash && pp.column >= 0) {
        tp.warnings.push_back("partition bounds of " + t->name.Quoted() + " not understood; rows may find no partition");
      } else if (pp.column < 0 && !has_default && !hash) {
        tp.warnings.push_back("partition key " + t->partition_key + " is an expression or several columns; rows may find no partition");
      }
    }

    // The spec's column settings win.
    if (ts != nullptr) {
      for (const auto& [name, cs] : ts->columns) {
        int found = -1;
        for (size_t i = 0; i < tp.columns.size(); ++i) {
          if (tp.columns[i].name == name) found = static_cast<int>(i);
        }
        if (found < 0) {
          std::vector<std::string> names;
          for (const auto& c : tp.columns) names.push_back(c.name);
          Status st = Status::InvalidArgument("unknown column \"" + name + "\" of " + t->name.Quoted() + " in the spec");
          std::string close = ClosestMatch(name, names);
          return close.empty() ? st : std::move(st).WithHint("did you mean \"" + close + "\"?");
        }
        ColumnPlan& c = tp.columns[found];
        if (cs.distribution != Distribution::kDefault) {
          c.distribution = cs.distribution;
          if (c.fk >= 0) tp.fks[c.fk].distribution = cs.distribution;
        }
        if (cs.zipf_s) {
          c.zipf_s = *cs.zipf_s;
          if (c.fk >= 0) tp.fks[c.fk].zipf_s = *cs.zipf_s;
        }
        auto num = [&](const std::string& s) -> std::optional<double> {
          if (c.kind == ValueKind::kDate || c.kind == ValueKind::kTimestamp || c.kind == ValueKind::kTimestampTz) {
            return ParseTimestamp(s);
          }
          char* end = nullptr;
          double v = std::strtod(s.c_str(), &end);
          if (end == s.c_str()) return std::nullopt;
          return v;
        };
        if (cs.min) {
          c.lo = num(*cs.min);
          c.lo_exclusive = false;
        }
        if (cs.max) {
          c.hi = num(*cs.max);
          c.hi_exclusive = false;
        }
        if (cs.mean) c.mean = *cs.mean;
        if (cs.stddev) c.stddev = *cs.stddev;
        if (cs.n_distinct) c.n_distinct = *cs.n_distinct;
        if (cs.null_fraction) {
          if (*cs.null_fraction > 0 && (t->FindColumn(name)->not_null || c.unique)) {
            return Status::InvalidArgument("column \"" + name + "\" of " + t->name.Quoted() +
                                           " is NOT NULL: null_fraction must be 0");
          }
          c.null_fraction = *cs.null_fraction;
        }
        if (!cs.values.empty()) {
          c.choices = cs.values;
          c.choice_weights = cs.weights;
        }
        if (!cs.kind.empty()) c.text_kind = TextKindFromSpec(cs.kind, c.text_kind);
        if (cs.length) c.text_length = *cs.length;
      }
    }
    for (const ColumnPlan& c : tp.columns) {
      // A column no value can be made for is an error before any row is written; only an
      // explicit `null_fraction: 1` in the spec (on a nullable column) lets it stay NULL.
      if (c.kind == ValueKind::kUnsupported && !c.omitted && c.null_fraction < 1) {
        std::string nested =
            c.unsupported.empty() || c.unsupported == c.type ? "" : " (of " + c.unsupported + ")";
        unsupported.push_back(t->name.Quoted() + "." + QuoteIdent(c.name) + " of type " + c.type +
                              nested);
      }
    }
    plans[t->name] = std::move(tp);
  }
  if (!unsupported.empty()) {
    return Status::NotSupported("cannot generate values for column" +
                                std::string(unsupported.size() > 1 ? "s " : " ") +
                                Join(unsupported, ", "))
        .WithHint("a nullable column can be left NULL with `null_fraction: 1` in the spec");
  }

  // --- order: parents before children (Kahn), breaking cycles at nullable foreign keys.
  for (auto& [q, tp] : plans) {
    for (ForeignKeyPlan& fk : tp.fks) {
      auto it = plans.find(fk.parent);
      if (it == plans.end()) {
        // The parent is a partition (filled through its root) or not generated.
        const Table* p = cat.FindTable(fk.parent);
        while (p != nullptr && p->partition_of) p = cat.FindTable(*p->partition_of);
        if (p != nullptr && plans.count(p->name)) {
          fk.parent = p->name;
          it = plans.find(fk.parent);
        }
      }
      if (it != plans.end()) it->second.referenced = true;
    }
  }
  std::set<QualifiedName> done;
  std::vector<QualifiedName> remaining;
  for (const auto& [q, tp] : plans) remaining.push_back(q);
  while (!remaining.empty()) {
    bool progress = false;
    for (size_t i = 0; i < remaining.size();) {
      TablePlan& tp = plans[remaining[i]];
      bool ready = true;
      for (const ForeignKeyPlan& fk : tp.fks) {
        if (fk.self || fk.broken) continue;
        if (plans.count(fk.parent) && !done.count(fk.parent)) ready = false;
      }
      if (ready) {
        done.insert(tp.name);
        plan.tables.push_back(std::move(tp));
        plans.erase(remaining[i]);
        remaining.erase(remaining.begin() + static_cast<long>(i));
        progress = true;
      } else {
        ++i;
      }
    }
    if (progress) continue;
    // A cycle: every waiting table waits for another waiting one, so following those
    // edges from any of them runs into a cycle. Break it at a nullable foreign key on it.
    bool broke = false;
    {
      std::vector<std::pair<QualifiedName, size_t>> path;  // (table, fk index) edges
      std::map<QualifiedName, size_t> seen;                // table -> position in path
      QualifiedName cur = remaining.front();
      while (!seen.count(cur)) {
        seen[cur] = path.size();
        TablePlan& tp = plans[cur];
        size_t edge = SIZE_MAX;
        for (size_t f = 0; f < tp.fks.size(); ++f) {
          const ForeignKeyPlan& fk = tp.fks[f];
          if (fk.self || fk.broken || done.count(fk.parent) || !plans.count(fk.parent)) continue;
          edge = f;
          break;
        }
        if (edge == SIZE_MAX) break;  // cannot happen: it would have been ready
        path.emplace_back(cur, edge);
        cur = tp.fks[edge].parent;
      }
      if (seen.count(cur)) {
        for (size_t k = seen[cur]; k < path.size() && !broke; ++k) {
          TablePlan& tp = plans[path[k].first];
          // Any nullable key of this table towards a waiting table on the cycle will do.
          for (ForeignKeyPlan& fk : tp.fks) {
            if (fk.self || fk.broken || done.count(fk.parent) || !plans.count(fk.parent) || !fk.nullable) continue;
            if (!seen.count(fk.parent) || seen[fk.parent] < seen[cur]) continue;
            fk.broken = true;
            tp.warnings.push_back("foreign key " + QuoteIdent(fk.name) + " closes a cycle: left NULL");
            broke = true;
            break;
          }
        }
      }
    }
    if (!broke) {
      std::vector<std::string> names;
      for (const QualifiedName& q : remaining) names.push_back(q.Quoted());
      return Status::NotSupported("the foreign keys of " + Join(names, ", ") +
                                  " form a cycle of NOT NULL columns: no fill order exists");
    }
  }
  return plan;
}

}  // namespace dbarch::datagen
