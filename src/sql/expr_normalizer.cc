#include "sql/expr_normalizer.h"

#include <pg_query.h>

#include <cstring>

#include "base/strings.h"
#include "sql/arena.h"
#include "sql/parser.h"

namespace dbarch::sql {

namespace {

// Which casts may be dropped at a position of the tree.
enum class Strip {
  kNone,
  kLiteral,         // casts of literals and of columns to text (comparison operands, defaults)
  kTextLiteral,     // casts of string literals to text-like types, typed NULLs (arguments)
  kNumericLiteral,  // casts of numeric literals (arithmetic against a non-literal)
  kTextCast,        // casts to text of anything (operands of ||)
};

// The hints of the expression being canonicalised (one per thread of work).
thread_local const ExprHints* current_hints = nullptr;

bool IsComparisonOp(std::string_view op) {
  return op == "=" || op == "<>" || op == "<" || op == ">" || op == "<=" || op == ">=" ||
         op == "~~" || op == "!~~" || op == "~~*" || op == "!~~*" || op == "~" || op == "~*" ||
         op == "!~" || op == "!~*" || op == "@>" || op == "<@" || op == "&&";
}

std::string_view LastName(const PgQuery__TypeName* t) {
  if (t == nullptr || t->n_names == 0) return {};
  return StrVal(t->names[t->n_names - 1]);
}

bool IsTextType(const PgQuery__TypeName* t) {
  std::string_view n = LastName(t);
  return n == "text" || n == "varchar" || n == "bpchar" || n == "name";
}

bool IsTextLikeLiteralTarget(const PgQuery__TypeName* t) {
  std::string_view n = LastName(t);
  return t->n_array_bounds == 0 &&
         (IsTextType(t) || n == "regclass" || n == "regconfig" || n == "regtype");
}

bool IsNumericType(const PgQuery__TypeName* t) {
  std::string_view n = LastName(t);
  return t->n_array_bounds == 0 && (n == "int2" || n == "int4" || n == "int8" ||
                                    n == "numeric" || n == "float4" || n == "float8");
}

bool IsLiteral(const Node* n) {
  if (n == nullptr) return false;
  if (n->node_case == PG_QUERY__NODE__NODE_A_CONST) return true;
  if (n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) return IsLiteral(n->type_cast->arg);
  if (n->node_case == PG_QUERY__NODE__NODE_A_ARRAY_EXPR) {
    for (const Node* e : Nodes(n->a_array_expr->n_elements, n->a_array_expr->elements)) {
      if (!IsLiteral(e)) return false;
    }
    return true;
  }
  return false;
}


// A string literal cast to a number ('-1'::integer, as the server prints negative
// constants) becomes the number itself.
Node* NumericFromString(Arena& arena, Node* lit) {
  if (lit->node_case != PG_QUERY__NODE__NODE_A_CONST ||
      lit->a_const->val_case != PG_QUERY__A__CONST__VAL_SVAL) {
    return lit;
  }
  std::string_view s = lit->a_const->sval->sval;
  if (!IsDecimalNumber(s)) return lit;
  if (s.find('.') == std::string_view::npos && s.size() < 10) {
    return MakeIntConst(arena, std::atoi(std::string(s).c_str()));
  }
  return MakeFloatConst(arena, s);
}

// Canonical spelling of built-in type names: the parser turns `integer` into
// pg_catalog.int4 but leaves `int4` or `timestamptz` as typed; the server prints the
// former. Both become pg_catalog.<internal name>.
void CanonicalTypeName(Arena& arena, PgQuery__TypeName* t) {
  if (t == nullptr || t->n_names == 0) return;
  std::string_view first = StrVal(t->names[0]);
  if (t->n_names == 2 && first == "public") {
    t->names[0] = t->names[1];
    t->n_names = 1;
    return;
  }
  if (t->n_names != 1) return;
  static constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
      {"int2", "int2"},       {"smallint", "int2"},    {"int4", "int4"},
      {"int", "int4"},        {"integer", "int4"},     {"int8", "int8"},
      {"bigint", "int8"},     {"float4", "float4"},    {"real", "float4"},
      {"float8", "float8"},   {"bool", "bool"},        {"boolean", "bool"},
      {"varchar", "varchar"}, {"bpchar", "bpchar"},    {"timestamp", "timestamp"},
      {"timestamptz", "timestamptz"}, {"time", "time"}, {"timetz", "timetz"},
      {"interval", "interval"}, {"numeric", "numeric"}, {"decimal", "numeric"},
      {"bit", "bit"},         {"varbit", "varbit"},
  };
  for (const auto& [alias, internal] : kAliases) {
    if (first == alias) {
      Node** names = MakeNodeArray(arena, 2);
      names[0] = MakeString(arena, "pg_catalog");
      names[1] = MakeString(arena, internal);
      t->names = names;
      t->n_names = 2;
      return;
    }
  }
}

void StripQualifier(Node**& names, size_t& n) {
  if (n == 2) {
    std::string_view q = StrVal(names[0]);
    if (q == "pg_catalog" || q == "public") {
      ++names;
      n = 1;
    }
  }
}

void Rewrite(Arena& arena, Node** slot, Strip strip);

// A column whose type the hints know and which is not text-like: its cast to text is a real
// conversion (bigint_col::text = ...), not the implicit one of a varchar column.
bool IsKnownNonTextColumn(const Node* n) {
  if (current_hints == nullptr || !current_hints->column_type || n == nullptr ||
      n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF || n->column_ref->n_fields != 1 ||
      n->column_ref->fields[0]->node_case != PG_QUERY__NODE__NODE_STRING) {
    return false;
  }
  std::string type = current_hints->column_type(StrVal(n->column_ref->fields[0]));
  return !type.empty() && type != "varchar" && type != "bpchar" && type != "text" && type != "name";
}

bool IsPlainTextCast(const PgQuery__TypeName* t) {
  return t != nullptr && LastName(t) == "text" && t->n_typmods == 0 && t->n_array_bounds == 0 &&
         (t->n_names == 1 || StrVal(t->names[0]) == "pg_catalog");
}

// A call of a built-in function that returns text.
bool ReturnsText(const Node* n) {
  if (n == nullptr || n->node_case != PG_QUERY__NODE__NODE_FUNC_CALL) return false;
  const PgQuery__FuncCall* f = n->func_call;
  if (f->n_funcname == 0 || f->over != nullptr) return false;
  if (f->n_funcname == 2 && StrVal(f->funcname[0]) != "pg_catalog") return false;
  if (f->n_funcname > 2) return false;
  std::string_view name = StrVal(f->funcname[f->n_funcname - 1]);
  static constexpr std::string_view kText[] = {"current_setting",
                                               "lower",
                                               "upper",
                                               "btrim",
                                               "ltrim",
                                               "rtrim",
                                               "concat",
                                               "concat_ws",
                                               "format",
                                               "replace",
                                               "md5",
                                               "initcap",
                                               "repeat",
                                               "reverse",
                                               "quote_ident",
                                               "quote_literal",
                                               "quote_nullable",
                                               "translate",
                                               "regexp_replace",
                                               "split_part",
                                               "lpad",
                                               "rpad",
                                               "to_hex",
                                               "array_to_string",
                                               "string_agg",
                                               "chr"};
  for (std::string_view t : kText) {
    if (name == t) return true;
  }
  return false;
}

bool IsCastOfTypedArray(const PgQuery__TypeCast* c) {
  const PgQuery__TypeName* t = c->type_name;
  if (t == nullptr || t->n_array_bounds != 1 || t->n_typmods != 0 || c->arg == nullptr ||
      c->arg->node_case != PG_QUERY__NODE__NODE_A_ARRAY_EXPR ||
      c->arg->a_array_expr->n_elements == 0) {
    return false;
  }
  for (const Node* e : Nodes(c->arg->a_array_expr->n_elements, c->arg->a_array_expr->elements)) {
    if (e == nullptr || e->node_case != PG_QUERY__NODE__NODE_TYPE_CAST) return false;
    const PgQuery__TypeName* et = e->type_cast->type_name;
    if (et == nullptr || et->n_array_bounds != 0 || et->n_typmods != 0 ||
        LastName(et) != LastName(t)) {
      return false;
    }
  }
  return true;
}

bool IsOverlapsSyntax(const PgQuery__FuncCall* f) {
  return f->funcformat == PG_QUERY__COERCION_FORM__COERCE_SQL_SYNTAX && f->n_funcname == 2 &&
         StrVal(f->funcname[1]) == "overlaps" && f->n_args == 4;
}

// f(x, VARIADIC ARRAY[a, b]) is the call f(x, a, b) of a variadic function; the server
// prints every such call with VARIADIC ARRAY[...].
void SpreadVariadicArray(Arena& arena, PgQuery__FuncCall* f) {
  if (!f->func_variadic || f->n_args == 0) return;
  Node* last = f->args[f->n_args - 1];
  if (last == nullptr || last->node_case != PG_QUERY__NODE__NODE_A_ARRAY_EXPR ||
      last->a_array_expr->n_elements == 0) {
    return;
  }
  size_t n = f->n_args - 1 + last->a_array_expr->n_elements;
  Node** args = MakeNodeArray(arena, n);
  for (size_t i = 0; i + 1 < f->n_args; ++i) args[i] = f->args[i];
  for (size_t i = 0; i < last->a_array_expr->n_elements; ++i) {
    args[f->n_args - 1 + i] = last->a_array_expr->elements[i];
  }
  f->args = args;
  f->n_args = n;
  f->func_variadic = false;
}

// interval '1.5' year: the value as the server stores it, truncated to the field ('1 year'),
// as a literal of plain interval. Only a non-negative number with one field qualifier.
void ResolveIntervalField(Arena& arena, PgQuery__TypeCast* c) {
  PgQuery__TypeName* t = c->type_name;
  if (LastName(t) != "interval" || t->n_typmods != 1 || t->n_array_bounds != 0 ||
      c->arg == nullptr || c->arg->node_case != PG_QUERY__NODE__NODE_A_CONST ||
      c->arg->a_const->val_case != PG_QUERY__A__CONST__VAL_SVAL) {
    return;
  }
  int mask = IntVal(t->typmods[0], -1);
  std::string_view v = c->arg->a_const->sval->sval;
  if (!IsDecimalNumber(v) || v.empty() || v[0] == '-') return;
  if (v.size() > 9) return;
  long whole = std::atol(std::string(v.substr(0, v.find('.'))).c_str());
  long years = 0, months = 0, days = 0, minutes = 0;
  switch (mask) {
    case 1 << 2:
      years = whole;
      break;  // YEAR
    case 1 << 1:
      months = whole;
      break;  // MONTH
    case 1 << 3:
      days = whole;
      break;  // DAY
    case 1 << 10:
      minutes = whole * 60;
      break;  // HOUR
    case 1 << 11:
      minutes = whole;
      break;  // MINUTE
    default:
      return;  // SECOND keeps fractions; ranges (YEAR TO MONTH...) are left as written
  }
  years += months / 12;
  months %= 12;
  // interval_out with IntervalStyle postgres: "1 year 2 mons", "3 days", "01:30:00".
  std::string out;
  auto part = [&](long n, const char* one, const char* many) {
    if (n == 0) return;
    if (!out.empty()) out += ' ';
    out += std::to_string(n) + " " + (n == 1 ? one : many);
  };
  part(years, "year", "years");
  part(months, "mon", "mons");
  part(days, "day", "days");
  if (minutes != 0 || out.empty()) {
    auto two = [](long n) { return (n < 10 ? "0" : "") + std::to_string(n); };
    if (!out.empty()) out += ' ';
    out += two(minutes / 60) + ":" + two(minutes % 60) + ":00";
  }
  c->arg = MakeStringConst(arena, out);
  t->typmods = nullptr;
  t->n_typmods = 0;
}

// A bare function name that resolves outside public and pg_catalog gets its schema, as the
// server prints it.
void QualifyFunction(Arena& arena, PgQuery__FuncCall* f) {
  if (current_hints == nullptr || !current_hints->function_schema || f->n_funcname != 1) return;
  std::string schema = current_hints->function_schema(StrVal(f->funcname[0]));
  if (schema.empty() || schema == "public" || schema == "pg_catalog") return;
  Node** names = MakeNodeArray(arena, 2);
  names[0] = MakeString(arena, schema);
  names[1] = f->funcname[0];
  f->funcname = names;
  f->n_funcname = 2;
}

// 'name'::regclass and nextval('name'): the relation as regclass output prints it.
void NormalizeRegclassLiteral(Arena& arena, Node* literal) {
  if (current_hints == nullptr || !current_hints->relation_name || literal == nullptr ||
      literal->node_case != PG_QUERY__NODE__NODE_A_CONST ||
      literal->a_const->val_case != PG_QUERY__A__CONST__VAL_SVAL) {
    return;
  }
  std::string name = current_hints->relation_name(literal->a_const->sval->sval);
  if (!name.empty()) literal->a_const->sval->sval = arena.Strdup(name);
}

bool IsTextLikeTypeName(std::string_view internal) {
  return internal == "varchar" || internal == "bpchar" || internal == "text" || internal == "name";
}

// (col)::text where col is already text-like: the implicit coercion the server prints when a
// varchar or char column is passed to a text parameter.
bool IsRelabelToText(const Node* n) {
  if (current_hints == nullptr || !current_hints->column_type || n == nullptr ||
      n->node_case != PG_QUERY__NODE__NODE_TYPE_CAST) {
    return false;
  }
  const PgQuery__TypeCast* c = n->type_cast;
  if (LastName(c->type_name) != "text" || c->type_name->n_array_bounds != 0 || c->arg == nullptr ||
      c->arg->node_case != PG_QUERY__NODE__NODE_COLUMN_REF || c->arg->column_ref->n_fields != 1 ||
      c->arg->column_ref->fields[0]->node_case != PG_QUERY__NODE__NODE_STRING) {
    return false;
  }
  return IsTextLikeTypeName(current_hints->column_type(StrVal(c->arg->column_ref->fields[0])));
}

// `arg` is `(col)::text` of a character(n) column passed to `f`, a built-in function with a
// character(n) overload of its own (length, octet_length, min, max...): without the cast the
// server calls that overload and prints no cast, so the written cast chooses another
// function and is kept. Elsewhere the server adds the cast itself, and it may be dropped.
bool KeepsBpcharCast(const PgQuery__FuncCall* f, const Node* arg) {
  if (f->n_funcname > 2 || (f->n_funcname == 2 && StrVal(f->funcname[0]) != "pg_catalog"))
    return false;
  std::string_view name = StrVal(f->funcname[f->n_funcname - 1]);
  if (name != "length" && name != "char_length" && name != "character_length" &&
      name != "octet_length" && name != "max" && name != "min") {
    return false;
  }
  std::string_view col = StrVal(arg->type_cast->arg->column_ref->fields[0]);
  return current_hints->column_type(col) == "bpchar";
}

// Rewrites every Node-typed child of a message (through its descriptor), so that rewrites
// reach expressions nested in any node type.
void RewriteChildren(Arena& arena, ProtobufCMessage* msg) {
  ForEachChildNode(msg, [&](Node* const& slot) {
    Rewrite(arena, const_cast<Node**>(&slot), Strip::kNone);
  });
}

// The hinted type of a plain column reference, or "".
std::string_view HintedColumnType(const Node* n) {
  if (current_hints == nullptr || n == nullptr || n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF ||
      n->column_ref->n_fields != 1 ||
      n->column_ref->fields[0]->node_case != PG_QUERY__NODE__NODE_STRING) {
    return "";
  }
  std::string_view col = StrVal(n->column_ref->fields[0]);
  for (const auto& [name, type] : current_hints->column_types) {
    if (name == col) return type;
  }
  return "";
}

bool IsPlainNumericCast(const Node* n) {
  return n != nullptr && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST &&
         n->type_cast->type_name->n_typmods == 0 && n->type_cast->type_name->n_array_bounds == 0 &&
         LastName(n->type_cast->type_name) == "numeric";
}

// An operand known to be numeric: a numeric column or a cast to numeric.
bool IsNumericOperand(const Node* n) {
  return HintedColumnType(n) == "numeric" || IsPlainNumericCast(n);
}

// int_col op numeric_operand: the server stores (int_col)::numeric op ...; the cast is the
// implicit one, so dropping it keeps the meaning and makes both spellings one.
void DropImplicitNumericCast(Node** side, const Node* other) {
  Node* s = *side;
  if (!IsPlainNumericCast(s)) return;
  std::string_view type = HintedColumnType(s->type_cast->arg);
  if ((type == "int2" || type == "int4" || type == "int8") && IsNumericOperand(other)) {
    *side = s->type_cast->arg;
  }
}

void RewriteAExpr(Arena& arena, Node** slot) {
  PgQuery__AExpr* e = (*slot)->a_expr;
  std::string_view op = e->n_name > 0 ? StrVal(e->name[e->n_name - 1]) : "";
  switch (e->kind) {
    case PG_QUERY__A__EXPR__KIND__AEXPR_IN: {
      // x IN (a, b) -> x = ANY (ARRAY[a, b]); x NOT IN (a, b) -> x <> ALL (ARRAY[a, b]).
      if (e->rexpr != nullptr && e->rexpr->node_case == PG_QUERY__NODE__NODE_LIST) {
        PgQuery__List* list = e->rexpr->list;
        if (list->n_items == 1) {
          // The server stores an IN list of one value as a plain comparison: x = 'a'.
          e->rexpr = list->items[0];
          e->kind = PG_QUERY__A__EXPR__KIND__AEXPR_OP;
          break;
        }
        e->rexpr = MakeArrayExpr(arena, list->items, list->n_items);
        e->kind = op == "<>" ? PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL
                             : PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY;
      }
      break;
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_LIKE:
    case PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE:
      e->kind = PG_QUERY__A__EXPR__KIND__AEXPR_OP;
      break;
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN: {
      if (e->rexpr == nullptr || e->rexpr->node_case != PG_QUERY__NODE__NODE_LIST ||
          e->rexpr->list->n_items != 2) {
        break;
      }
      Node* lo = e->rexpr->list->items[0];
      Node* hi = e->rexpr->list->items[1];
      bool negated = e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN;
      Node* left = MakeAExpr(arena, PG_QUERY__A__EXPR__KIND__AEXPR_OP, negated ? "<" : ">=",
                             e->lexpr, lo);
      Node* right = MakeAExpr(arena, PG_QUERY__A__EXPR__KIND__AEXPR_OP, negated ? ">" : "<=",
                              arena.Copy(e->lexpr), hi);
      *slot = MakeBoolExpr(arena,
                           negated ? PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR
                                   : PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR,
                           {left, right});
      Rewrite(arena, slot, Strip::kNone);
      return;
    }
    default:
      break;
  }
  bool comparison = (e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP ||
                     e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY ||
                     e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL ||
                     e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_DISTINCT ||
                     e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT) &&
                    IsComparisonOp(op);
  // Only operator names qualified as OPERATOR(pg_catalog.=) need their schema dropped.
  StripQualifier(e->name, e->n_name);
  if (comparison) {
    if (e->lexpr != nullptr) Rewrite(arena, &e->lexpr, Strip::kLiteral);
    if (e->rexpr != nullptr) Rewrite(arena, &e->rexpr, Strip::kLiteral);
    return;
  }
  bool arithmetic = e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP &&
                    (op == "+" || op == "-" || op == "*" || op == "/" || op == "%");
  // The jsonb path and key-list operators take text[]: the server prints the literal's type.
  if ((op == "#>" || op == "#>>" || op == "#-" || op == "?|" || op == "?&") &&
      e->rexpr != nullptr && e->rexpr->node_case == PG_QUERY__NODE__NODE_TYPE_CAST &&
      e->rexpr->type_cast->arg != nullptr &&
      e->rexpr->type_cast->arg->node_case == PG_QUERY__NODE__NODE_A_CONST &&
      e->rexpr->type_cast->arg->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL &&
      LastName(e->rexpr->type_cast->type_name) == "text" &&
      e->rexpr->type_cast->type_name->n_array_bounds == 1) {
    e->rexpr = e->rexpr->type_cast->arg;
  }
  if (op == "||") {
    if (e->lexpr != nullptr) Rewrite(arena, &e->lexpr, Strip::kTextCast);
    if (e->rexpr != nullptr) Rewrite(arena, &e->rexpr, Strip::kTextCast);
    return;
  }
  // The server casts a number to the type of the other operand: 9 -> (9)::numeric. Drop it
  // when the other operand is not itself a literal (so 1::numeric / 3 keeps its meaning).
  Strip left = arithmetic && !IsLiteral(e->rexpr) ? Strip::kNumericLiteral : Strip::kNone;
  Strip right = arithmetic && !IsLiteral(e->lexpr) ? Strip::kNumericLiteral : Strip::kNone;
  if (e->lexpr != nullptr) Rewrite(arena, &e->lexpr, left);
  if (e->rexpr != nullptr) Rewrite(arena, &e->rexpr, right);
  if (arithmetic && current_hints != nullptr && e->lexpr != nullptr && e->rexpr != nullptr) {
    DropImplicitNumericCast(&e->lexpr, e->rexpr);
    DropImplicitNumericCast(&e->rexpr, e->lexpr);
  }
}

// ROW(...)::composite: each field is coerced to its attribute's type, and the server prints a
// cast to that type on every literal field ('x'::text, 0::numeric(12,2), NULL::date,
// '-1'::integer), also inside a row without a cast of its own that stands for a composite
// attribute. Those casts carry no meaning, as on a whole default.
void RewriteCoercedRow(Arena& arena, PgQuery__RowExpr* row) {
  if (row->row_format == PG_QUERY__COERCION_FORM__COERCE_IMPLICIT_CAST)
    row->row_format = PG_QUERY__COERCION_FORM__COERCE_EXPLICIT_CALL;
  for (size_t i = 0; i < row->n_args; ++i) {
    Node* field = row->args[i];
    if (field != nullptr && field->node_case == PG_QUERY__NODE__NODE_ROW_EXPR) {
      RewriteCoercedRow(arena, field->row_expr);
    } else {
      Rewrite(arena, &row->args[i], Strip::kLiteral);
    }
  }
}

void Rewrite(Arena& arena, Node** slot, Strip strip) {
  Node* n = *slot;
  if (n == nullptr) return;
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_A_EXPR:
      RewriteAExpr(arena, slot);
      return;
    case PG_QUERY__NODE__NODE_TYPE_CAST: {
      PgQuery__TypeCast* c = n->type_cast;
      CanonicalTypeName(arena, c->type_name);
      ResolveIntervalField(arena, c);
      if (c->arg != nullptr && c->arg->node_case == PG_QUERY__NODE__NODE_ROW_EXPR) {
        RewriteCoercedRow(arena, c->arg->row_expr);
        return;
      }
      Rewrite(arena, &c->arg, strip);
      Node* arg = c->arg;
      if (arg == nullptr) return;
      // A text-returning built-in cast to text: the parser adds no node for a cast to the
      // type a value already has, so the server's text has no cast there.
      if (IsPlainTextCast(c->type_name) && ReturnsText(arg)) {
        *slot = arg;
        return;
      }
      // ARRAY[x::t, y::t]::t[]: the array already has that type, and the server prints no cast.
      if (IsCastOfTypedArray(c)) {
        *slot = arg;
        return;
      }
      bool drop = false;
      bool string_literal = arg->node_case == PG_QUERY__NODE__NODE_A_CONST &&
                            arg->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL;
      bool null_literal = arg->node_case == PG_QUERY__NODE__NODE_A_CONST && arg->a_const->isnull;
      bool numeric_literal = arg->node_case == PG_QUERY__NODE__NODE_A_CONST &&
                             (arg->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL ||
                              arg->a_const->val_case == PG_QUERY__A__CONST__VAL_FVAL);
      // 'x'::text is how the server prints every string literal used as text.
      if (string_literal && IsTextType(c->type_name) && c->type_name->n_array_bounds == 0) drop = true;
      if (strip == Strip::kLiteral) {
        drop = drop || IsLiteral(arg) ||
               (arg->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && IsTextType(c->type_name) &&
                !IsKnownNonTextColumn(arg));
      } else if (strip == Strip::kTextLiteral) {
        drop = drop || (string_literal && IsTextLikeLiteralTarget(c->type_name)) || null_literal;
      } else if (strip == Strip::kNumericLiteral) {
        drop = drop || numeric_literal ||
               (string_literal && IsNumericType(c->type_name) &&
                IsDecimalNumber(arg->a_const->sval->sval));
      } else if (strip == Strip::kTextCast) {
        drop = drop || IsTextType(c->type_name);
      }
      // A domain-typed column cast to its base type is a no-op the server writes out.
      if (!drop && current_hints != nullptr && arg->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
          arg->column_ref->n_fields == 1 && c->type_name->n_array_bounds == 0) {
        std::string_view col = StrVal(arg->column_ref->fields[0]);
        std::string_view target = LastName(c->type_name);
        for (const auto& [name, base] : current_hints->domain_columns) {
          if (name == col && base == target) drop = true;
        }
      }
      if (string_literal && LastName(c->type_name) == "regclass") NormalizeRegclassLiteral(arena, arg);
      if (drop) {
        *slot = IsNumericType(c->type_name) ? NumericFromString(arena, arg) : arg;
      }
      return;
    }
    case PG_QUERY__NODE__NODE_A_ARRAY_EXPR: {
      PgQuery__AArrayExpr* a = n->a_array_expr;
      for (size_t i = 0; i < a->n_elements; ++i) Rewrite(arena, &a->elements[i], strip);
      return;
    }
    case PG_QUERY__NODE__NODE_FUNC_CALL: {
      PgQuery__FuncCall* f = n->func_call;
      // (a, b) OVERLAPS (c, d) keeps its pg_catalog name: the deparser writes the SQL syntax
      // for it, which the server reads back as the same call.
      if (!IsOverlapsSyntax(f)) StripQualifier(f->funcname, f->n_funcname);
      QualifyFunction(arena, f);
      SpreadVariadicArray(arena, f);
      std::string_view fname = StrVal(f->funcname[f->n_funcname - 1]);
      for (size_t i = 0; i < f->n_args; ++i) {
        if (IsRelabelToText(f->args[i]) && !KeepsBpcharCast(f, f->args[i])) {
          f->args[i] = f->args[i]->type_cast->arg;
        }
        Rewrite(arena, &f->args[i], Strip::kTextLiteral);
      }
      if (f->n_args >= 1 && (fname == "nextval" || fname == "currval" || fname == "setval")) {
        NormalizeRegclassLiteral(arena, f->args[0]);
      }
      // ORDER BY, FILTER and OVER parts of an aggregate call.
      for (size_t i = 0; i < f->n_agg_order; ++i) Rewrite(arena, &f->agg_order[i], Strip::kNone);
      if (f->agg_filter != nullptr) Rewrite(arena, &f->agg_filter, Strip::kNone);
      return;
    }
    case PG_QUERY__NODE__NODE_A_CONST: {
      // B'0101' and X'1F' print as the plain literal '0101' / '00011111' on the server.
      if (n->a_const->val_case == PG_QUERY__A__CONST__VAL_BSVAL && n->a_const->bsval->bsval != nullptr) {
        std::string_view v = n->a_const->bsval->bsval;
        std::string bits;
        if (!v.empty() && (v[0] == 'b' || v[0] == 'B')) {
          bits = std::string(v.substr(1));
        } else if (!v.empty() && (v[0] == 'x' || v[0] == 'X')) {
          for (char h : v.substr(1)) {
            int d = (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : 0;
            for (int b = 3; b >= 0; --b) bits += ((d >> b) & 1) ? '1' : '0';
          }
        } else {
          return;
        }
        *slot = MakeStringConst(arena, bits);
      }
      return;
    }
    case PG_QUERY__NODE__NODE_TYPE_NAME:
      CanonicalTypeName(arena, n->type_name);
      return;
    case PG_QUERY__NODE__NODE_COLLATE_CLAUSE:
      // `x COLLATE public.german` (pg_dump's spelling) is `x COLLATE german`.
      StripQualifier(n->collate_clause->collname, n->collate_clause->n_collname);
      RewriteChildren(arena, &n->base);
      return;
    case PG_QUERY__NODE__NODE_ROW_EXPR:
      // (a, b) and ROW(a, b) are one row constructor; the server prints ROW(a, b).
      if (n->row_expr->row_format == PG_QUERY__COERCION_FORM__COERCE_IMPLICIT_CAST) {
        n->row_expr->row_format = PG_QUERY__COERCION_FORM__COERCE_EXPLICIT_CALL;
      }
      RewriteChildren(arena, &n->base);
      return;
    case PG_QUERY__NODE__NODE_A_INDIRECTION: {
      // ((c).a).b and (c).a.b select the same nested field; the server prints the latter.
      RewriteChildren(arena, &n->base);
      PgQuery__AIndirection* outer = n->a_indirection;
      Node* inner_node = outer->arg;
      if (inner_node == nullptr || inner_node->node_case != PG_QUERY__NODE__NODE_A_INDIRECTION)
        return;
      PgQuery__AIndirection* inner = inner_node->a_indirection;
      auto fields_only = [](const PgQuery__AIndirection* x) {
        for (size_t i = 0; i < x->n_indirection; ++i) {
          if (x->indirection[i]->node_case != PG_QUERY__NODE__NODE_STRING) return false;
        }
        return true;
      };
      if (!fields_only(inner) || !fields_only(outer)) return;
      size_t total = inner->n_indirection + outer->n_indirection;
      Node** merged = MakeNodeArray(arena, total);
      for (size_t i = 0; i < inner->n_indirection; ++i) merged[i] = inner->indirection[i];
      for (size_t i = 0; i < outer->n_indirection; ++i)
        merged[inner->n_indirection + i] = outer->indirection[i];
      outer->arg = inner->arg;
      outer->indirection = merged;
      outer->n_indirection = total;
      return;
    }
    default:
      RewriteChildren(arena, &n->base);
      return;
  }
}

bool NodeNeedsRewrite(const Node* n);

// True when `msg` holds anything Rewrite would change; a read-only walk that lets the common
// case skip the copy.
bool NeedsRewrite(const ProtobufCMessage* msg) {
  bool needs = false;
  ForEachChildNode(msg, [&](Node* const& child) { needs = needs || NodeNeedsRewrite(child); });
  return needs;
}

bool NodeNeedsRewrite(const Node* n) {
  if (n == nullptr) return false;
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_TYPE_CAST:
    case PG_QUERY__NODE__NODE_TYPE_NAME:
    case PG_QUERY__NODE__NODE_COLLATE_CLAUSE:
      return true;
    case PG_QUERY__NODE__NODE_A_EXPR: {
      const PgQuery__AExpr* e = n->a_expr;
      if (e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP &&
          e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY &&
          e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL &&
          e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_DISTINCT &&
          e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT) {
        return true;
      }
      return e->n_name > 1 || NodeNeedsRewrite(e->lexpr) || NodeNeedsRewrite(e->rexpr);
    }
    case PG_QUERY__NODE__NODE_ROW_EXPR:
      if (n->row_expr->row_format == PG_QUERY__COERCION_FORM__COERCE_IMPLICIT_CAST) return true;
      break;
    case PG_QUERY__NODE__NODE_A_INDIRECTION:
      if (n->a_indirection->arg != nullptr &&
          n->a_indirection->arg->node_case == PG_QUERY__NODE__NODE_A_INDIRECTION)
        return true;
      break;
    case PG_QUERY__NODE__NODE_FUNC_CALL: {
      const PgQuery__FuncCall* f = n->func_call;
      if (f->n_funcname != 1 || f->func_variadic) return true;
      std::string_view name = StrVal(f->funcname[0]);
      if (name == "nextval" || name == "currval" || name == "setval") return true;
      if (current_hints != nullptr && current_hints->function_schema) {
        std::string schema = current_hints->function_schema(name);
        if (!schema.empty() && schema != "public" && schema != "pg_catalog") return true;
      }
      break;
    }
    case PG_QUERY__NODE__NODE_A_CONST:
      return n->a_const->val_case == PG_QUERY__A__CONST__VAL_BSVAL;
    case PG_QUERY__NODE__NODE_COLUMN_REF:
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION:
    case PG_QUERY__NODE__NODE_STRING:
    case PG_QUERY__NODE__NODE_INTEGER:
      return false;
    default:
      break;
  }
  return NeedsRewrite(&n->base);
}

// The deparsed text of the simplest expressions, written directly (the same text
// libpg_query's deparser produces: parser_test.cc checks the two agree). Returns false
// when the expression is not one of them.
bool FastDeparse(const Node* n, std::string* out) {
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_A_CONST: {
      const PgQuery__AConst* c = n->a_const;
      if (c->isnull) {
        *out = "NULL";
        return true;
      }
      switch (c->val_case) {
        case PG_QUERY__A__CONST__VAL_IVAL: *out = std::to_string(c->ival->ival); return true;
        case PG_QUERY__A__CONST__VAL_FVAL: *out = c->fval->fval; return true;
        case PG_QUERY__A__CONST__VAL_BOOLVAL: *out = c->boolval->boolval ? "true" : "false"; return true;
        case PG_QUERY__A__CONST__VAL_SVAL: {
          std::string_view v = c->sval->sval;
          if (v.find('\\') != std::string_view::npos) return false;
          out->clear();
          out->reserve(v.size() + 2);
          *out += '\'';
          for (char ch : v) {
            if (ch == '\'') *out += '\'';
            *out += ch;
          }
          *out += '\'';
          return true;
        }
        default: return false;
      }
    }
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION: {
      static constexpr std::pair<PgQuery__SQLValueFunctionOp, const char*> kNames[] = {
          {PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_DATE, "current_date"},
          {PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP, "current_timestamp"},
          {PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIME, "current_time"},
          {PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP, "localtimestamp"},
          {PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME, "localtime"},
          {PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_USER, "current_user"},
          {PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_SESSION_USER, "session_user"},
      };
      for (const auto& [op, name] : kNames) {
        if (n->sqlvalue_function->op == op) {
          *out = name;
          return true;
        }
      }
      return false;
    }
    case PG_QUERY__NODE__NODE_FUNC_CALL: {
      // A call without arguments of a common built-in (column defaults: now(),
      // gen_random_uuid()...): the deparser writes the bare name and "()".
      static constexpr std::string_view kNames[] = {
          "now",          "clock_timestamp", "statement_timestamp", "transaction_timestamp",
          "timeofday",    "gen_random_uuid", "uuid_generate_v4",    "random",
          "txid_current", "pg_backend_pid"};
      const PgQuery__FuncCall* f = n->func_call;
      if (f->n_funcname != 1 || f->n_args != 0 || f->n_agg_order != 0 || f->agg_filter != nullptr ||
          f->over != nullptr || f->agg_within_group || f->agg_star || f->agg_distinct ||
          f->func_variadic || f->funcname[0]->node_case != PG_QUERY__NODE__NODE_STRING) {
        return false;
      }
      std::string_view name = f->funcname[0]->string->sval;
      for (std::string_view known : kNames) {
        if (name == known) {
          *out = std::string(name) + "()";
          return true;
        }
      }
      return false;
    }
    default:
      return false;
  }
}

// A default cast to another date/time type than its column's (a timestamp literal for a
// timestamptz column): the conversion happens when a row is inserted, in the session's time
// zone, so the server keeps the cast and so does the normal form.
bool KeepsTopCast(const Node* n) {
  if (current_hints == nullptr || current_hints->default_type.empty() || n == nullptr ||
      n->node_case != PG_QUERY__NODE__NODE_TYPE_CAST || n->type_cast->type_name == nullptr ||
      n->type_cast->type_name->n_array_bounds != 0) {
    return false;
  }
  auto temporal = [](std::string_view t) {
    return t == "timestamp" || t == "timestamptz" || t == "date" || t == "time" || t == "timetz";
  };
  std::string_view cast = LastName(n->type_cast->type_name);
  const std::string& column = current_hints->default_type;
  return temporal(cast) && temporal(column) && cast != column;
}

}  // namespace

std::string InternalTypeName(std::string_view name) {
  std::string_view base = name.substr(0, name.find('('));
  if (size_t b = base.find('['); b != std::string_view::npos) base = base.substr(0, b);
  // Typmods sit inside "timestamp(3) with time zone": take the words around them.
  std::string full(base);
  if (size_t close = name.find(')'); close != std::string_view::npos && name.find('(') != std::string_view::npos) {
    full += std::string(name.substr(close + 1));
    if (size_t b = full.find('['); b != std::string::npos) full = full.substr(0, b);
  }
  while (!full.empty() && full.back() == ' ') full.pop_back();
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"integer", "int4"}, {"bigint", "int8"}, {"smallint", "int2"}, {"real", "float4"},
      {"double precision", "float8"}, {"boolean", "bool"}, {"character varying", "varchar"},
      {"character", "bpchar"}, {"timestamp without time zone", "timestamp"},
      {"timestamp with time zone", "timestamptz"}, {"time without time zone", "time"},
      {"time with time zone", "timetz"}, {"bit varying", "varbit"}};
  for (const auto& [from, to] : kNames) {
    if (full == from) return std::string(to);
  }
  // A user type: drop its schema and quotes.
  if (size_t dot = full.rfind('.'); dot != std::string::npos) full = full.substr(dot + 1);
  if (full.size() >= 2 && full.front() == '"' && full.back() == '"') full = full.substr(1, full.size() - 2);
  return full;
}

Result<std::string> CanonicalExpr(const Node* expr, ExprContext context, const ExprHints* hints) {
  if (expr == nullptr) return std::string();
  struct HintScope {
    explicit HintScope(const ExprHints* h) : saved(current_hints) { current_hints = h; }
    ~HintScope() { current_hints = saved; }
    const ExprHints* saved;
  } scope(hints);
  std::string fast;
  if (FastDeparse(expr, &fast)) return fast;
  if (!NodeNeedsRewrite(expr)) return DeparseExpr(expr);
  Arena arena;
  Node* copy = arena.Copy(expr);
  if (copy == nullptr) return Status::Internal("could not copy an expression tree");
  Strip top = context == ExprContext::kDefault ? Strip::kLiteral : Strip::kNone;
  if (top == Strip::kLiteral && KeepsTopCast(copy)) top = Strip::kNone;
  Rewrite(arena, &copy, top);
  return DeparseExpr(copy);
}

void CanonicalizeTreeInPlace(Arena& arena, Node** tree, const ExprHints* hints) {
  if (tree == nullptr || *tree == nullptr) return;
  struct HintScope {
    explicit HintScope(const ExprHints* h) : saved(current_hints) { current_hints = h; }
    ~HintScope() { current_hints = saved; }
    const ExprHints* saved;
  } scope(hints);
  Rewrite(arena, tree, Strip::kNone);
}

namespace {

void ResugarInLists(Arena& arena, Node* n) {
  if (n == nullptr) return;
  if (n->node_case == PG_QUERY__NODE__NODE_A_EXPR) {
    PgQuery__AExpr* e = n->a_expr;
    std::string_view op = e->n_name > 0 ? StrVal(e->name[e->n_name - 1]) : "";
    bool any = e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY && op == "=";
    bool all = e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL && op == "<>";
    if ((any || all) && e->rexpr != nullptr &&
        e->rexpr->node_case == PG_QUERY__NODE__NODE_A_ARRAY_EXPR &&
        e->rexpr->a_array_expr->n_elements > 1) {
      // (One element stays an ARRAY: the server turns `x IN (a)` into `x = a`.)
      PgQuery__AArrayExpr* a = e->rexpr->a_array_expr;
      auto* list = arena.New<PgQuery__List>(PG_QUERY__LIST__INIT);
      list->n_items = a->n_elements;
      list->items = a->elements;
      auto* node = arena.New<Node>(PG_QUERY__NODE__INIT);
      node->node_case = PG_QUERY__NODE__NODE_LIST;
      node->list = list;
      e->rexpr = node;
      e->kind = PG_QUERY__A__EXPR__KIND__AEXPR_IN;
    }
  }
  ForEachChildNode(&n->base, [&](Node* const& child) { ResugarInLists(arena, child); });
}

}  // namespace

std::string DdlExprText(const std::string& canonical) {
  if (canonical.find("ARRAY[") == std::string::npos) return canonical;
  std::string text = "SELECT " + canonical;
  SourceFile file("<expression>", text);
  auto tree = ParseTree::Parse(file);
  if (!tree.ok() || tree->statements().size() != 1 ||
      tree->statements()[0].node->node_case != PG_QUERY__NODE__NODE_SELECT_STMT ||
      tree->statements()[0].node->select_stmt->n_target_list != 1) {
    return canonical;
  }
  Arena arena;
  Node* copy = arena.Copy(tree->statements()[0].node->select_stmt->target_list[0]->res_target->val);
  if (copy == nullptr) return canonical;
  ResugarInLists(arena, copy);
  auto out = DeparseExpr(copy);
  return out.ok() ? *out : canonical;
}

Result<std::string> CanonicalExprText(std::string_view expr_sql, ExprContext context,
                                      const ExprHints* hints) {
  std::string text = "SELECT ";
  text.append(expr_sql);
  SourceFile file("<expression>", text);
  auto tree = ParseTree::Parse(file);
  if (!tree.ok()) return tree.status();
  const auto& stmts = tree->statements();
  if (stmts.size() != 1 || stmts[0].node->node_case != PG_QUERY__NODE__NODE_SELECT_STMT ||
      stmts[0].node->select_stmt->n_target_list != 1) {
    return Status::ParseError("not a single expression: " + std::string(expr_sql));
  }
  const Node* target = stmts[0].node->select_stmt->target_list[0];
  return CanonicalExpr(target->res_target->val, context, hints);
}

}  // namespace dbarch::sql
