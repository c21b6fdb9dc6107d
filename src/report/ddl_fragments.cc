#include "report/ddl_fragments.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "base/strings.h"
#include "catalog/naming.h"
#include "sql/expr_normalizer.h"

namespace dbarch::report {

using catalog::Column;
using catalog::Constraint;
using catalog::ConstraintKind;
using catalog::Function;
using catalog::FunctionArg;
using catalog::IdentityKind;
using catalog::Index;
using catalog::IndexKey;
using catalog::Policy;
using catalog::QualifiedName;
using catalog::SequenceOptions;
using catalog::Trigger;

std::string SqlType(std::string_view type) {
  // format_type() prints a length-less bpchar as "character"; in DDL that word means
  // character(1), so write the internal name that keeps "no length".
  if (type == "character") return "bpchar";
  if (type == "character[]") return "bpchar[]";
  return std::string(type);
}

std::string SqlDottedName(std::string_view dotted) {
  size_t dot = dotted.find('.');
  if (dot == std::string_view::npos) return QuoteIdent(dotted);
  return ::dbarch::QualifiedName(dotted.substr(0, dot), dotted.substr(dot + 1));
}

std::string SqlRole(std::string_view role) {
  if (role.empty()) return "CURRENT_USER";
  if (role == "PUBLIC" || role == "public") return "PUBLIC";
  return QuoteIdent(role);
}

std::string GrantTarget(const catalog::Catalog& cat, catalog::ObjectKind kind,
                        const std::string& object) {
  using catalog::ObjectKind;
  switch (kind) {
    case ObjectKind::kSequence:
      return "SEQUENCE " + object;
    case ObjectKind::kFunction:
    case ObjectKind::kProcedure: {
      auto it = cat.functions.find(object);
      bool procedure =
          it != cat.functions.end() ? it->second.is_procedure : kind == ObjectKind::kProcedure;
      return (procedure ? "PROCEDURE " : "FUNCTION ") + object;
    }
    case ObjectKind::kSchema:
      return "SCHEMA " + object;
    case ObjectKind::kLanguage:
      return "LANGUAGE " + object;
    case ObjectKind::kDatabase:
      return "DATABASE " + object;
    case ObjectKind::kType:
    case ObjectKind::kDomain: {
      for (const auto& [q, t] : cat.types) {
        if (t.kind == catalog::TypeKind::kDomain && q.Quoted() == object) return "DOMAIN " + object;
      }
      return "TYPE " + object;
    }
    default:
      return "TABLE " + object;
  }
}

std::string PrivilegeSql(const catalog::Catalog& cat, catalog::ObjectKind kind,
                         const std::string& object, std::string_view verb_privileges,
                         std::string_view role_clause) {
  if (kind != catalog::ObjectKind::kDatabase) {
    return std::string(verb_privileges) + " ON " + GrantTarget(cat, kind, object) + " " +
           std::string(role_clause);
  }
  // format() reads % as a directive: the rest of the statement has them doubled.
  auto escape = [](std::string_view text) {
    std::string out;
    for (char c : text) out += c == '%' ? std::string("%%") : std::string(1, c);
    return out;
  };
  std::string statement = escape(verb_privileges) + " ON DATABASE %I " + escape(role_clause);
  return "DO " + DollarQuote("BEGIN EXECUTE format(" + QuoteLiteral(statement) +
                             ", current_database()); END");
}

std::string DatabaseOwnerSql(const std::string& owner) {
  std::string statement = "ALTER DATABASE %I OWNER TO ";
  for (char c : SqlRole(owner)) statement += c == '%' ? std::string("%%") : std::string(1, c);
  return "DO " + DollarQuote("BEGIN EXECUTE format(" + QuoteLiteral(statement) +
                             ", current_database()); END");
}

std::string SqlOptions(const std::vector<std::pair<std::string, std::string>>& options) {
  std::string out;
  for (const auto& [name, value] : options) {
    if (!out.empty()) out += ", ";
    // Option names are plain lower-case words, possibly with a namespace (toast.x).
    size_t dot = name.find('.');
    out += dot == std::string::npos
               ? QuoteIdent(name)
               : QuoteIdent(name.substr(0, dot)) + "." + QuoteIdent(name.substr(dot + 1));
    out += "=" + QuoteLiteral(value);
  }
  return out;
}

std::string SqlIdentList(const std::vector<std::string>& idents) {
  std::string out;
  for (const std::string& i : idents) {
    if (!out.empty()) out += ", ";
    out += QuoteIdent(i);
  }
  return out;
}

int64_t SequenceTypeMin(std::string_view type) {
  if (type == "smallint") return INT16_MIN;
  if (type == "integer") return INT32_MIN;
  return INT64_MIN;
}

int64_t SequenceTypeMax(std::string_view type) {
  if (type == "smallint") return INT16_MAX;
  if (type == "integer") return INT32_MAX;
  return INT64_MAX;
}

std::string SqlSequenceOptions(const SequenceOptions& o, bool with_type) {
  std::vector<std::string> parts;
  if (with_type && o.data_type != "bigint") parts.push_back("AS " + SqlType(o.data_type));
  if (o.increment != 1) parts.push_back("INCREMENT BY " + std::to_string(o.increment));
  bool ascending = o.increment > 0;
  int64_t default_min = ascending ? 1 : SequenceTypeMin(o.data_type);
  int64_t default_max = ascending ? SequenceTypeMax(o.data_type) : -1;
  if (o.min_value != default_min) parts.push_back("MINVALUE " + std::to_string(o.min_value));
  if (o.max_value != default_max) parts.push_back("MAXVALUE " + std::to_string(o.max_value));
  // The server's default start is the (actual) minimum ascending, maximum descending.
  if (o.start != (ascending ? o.min_value : o.max_value)) {
    parts.push_back("START WITH " + std::to_string(o.start));
  }
  if (o.cache != 1) parts.push_back("CACHE " + std::to_string(o.cache));
  if (o.cycle) parts.push_back("CYCLE");
  return Join(parts, " ");
}

std::string_view FkActionSql(char action) {
  switch (action) {
    case 'r':
      return "RESTRICT";
    case 'c':
      return "CASCADE";
    case 'n':
      return "SET NULL";
    case 'd':
      return "SET DEFAULT";
    default:
      return "NO ACTION";
  }
}

std::string_view FkMatchSql(char match) {
  switch (match) {
    case 'f':
      return "FULL";
    case 'p':
      return "PARTIAL";
    default:
      return "SIMPLE";
  }
}

std::string ColumnSql(const Column& c, const catalog::QualifiedName& table) {
  std::string out = QuoteIdent(c.name) + " " + SqlType(c.type);
  if (!c.collation.empty()) out += " COLLATE " + SqlDottedName(c.collation);
  if (!c.compression.empty()) out += " COMPRESSION " + QuoteIdent(c.compression);
  if (!c.generated_expr.empty()) {
    out += " GENERATED ALWAYS AS (" + c.generated_expr + ") STORED";
  } else if (c.identity != IdentityKind::kNone) {
    out += c.identity == IdentityKind::kAlways ? " GENERATED ALWAYS AS IDENTITY"
                                               : " GENERATED BY DEFAULT AS IDENTITY";
    SequenceOptions o = c.identity_options;
    o.data_type = c.type;  // an identity sequence has its column's type
    std::string opts = SqlSequenceOptions(o, false);
    if (!table.name.empty() && !c.identity_sequence.empty() &&
        c.identity_sequence != catalog::MakeObjectName(table.name, c.name, "seq")) {
      // Qualified: an unqualified SEQUENCE NAME goes to the first schema of search_path.
      opts = "SEQUENCE NAME " + catalog::QualifiedName{table.schema, c.identity_sequence}.Quoted() +
             (opts.empty() ? "" : " ") + opts;
    }
    if (!opts.empty()) out += " (" + opts + ")";
  } else if (!c.default_text.empty()) {
    out += " DEFAULT " + c.default_text;  // the casts the server keeps (model.h)
  } else if (!c.default_expr.empty()) {
    out += " DEFAULT " + c.default_expr;
    // The model drops a cast on a whole default; an empty ARRAY[] needs it for its type.
    if (c.default_expr == "ARRAY[]") out += "::" + SqlType(c.type);
  }
  if (c.not_null) out += " NOT NULL";
  return out;
}

std::string IndexKeySql(const IndexKey& k) {
  std::string out = !k.column.empty() ? QuoteIdent(k.column) : "(" + k.expression + ")";
  if (!k.collation.empty()) out += " COLLATE " + SqlDottedName(k.collation);
  if (!k.opclass.empty()) {
    out += " " + SqlDottedName(k.opclass);
    if (!k.opclass_params.empty()) out += " (" + SqlOptions(k.opclass_params) + ")";
  }
  if (k.descending) out += " DESC";
  // Only a non-default NULLS placement is written: ASC puts NULLs last, DESC first.
  if (k.nulls_first != k.descending) out += k.nulls_first ? " NULLS FIRST" : " NULLS LAST";
  if (!k.exclude_operator.empty()) {
    out += " WITH ";
    size_t dot = k.exclude_operator.find('.');
    out += dot == std::string::npos ? k.exclude_operator
                                    : "OPERATOR(" + QuoteIdent(k.exclude_operator.substr(0, dot)) +
                                          "." + k.exclude_operator.substr(dot + 1) + ")";
  }
  return out;
}

namespace {

std::string IndexTail(const std::vector<std::string>& include,
                      const std::vector<std::pair<std::string, std::string>>& options) {
  std::string out;
  if (!include.empty()) out += " INCLUDE (" + SqlIdentList(include) + ")";
  if (!options.empty()) out += " WITH (" + SqlOptions(options) + ")";
  return out;
}

std::string KeyList(const std::vector<IndexKey>& keys) {
  std::string out;
  for (const IndexKey& k : keys) {
    if (!out.empty()) out += ", ";
    out += IndexKeySql(k);
  }
  return out;
}

}  // namespace

std::string ConstraintBodySql(const Constraint& c, bool with_not_valid) {
  std::string out;
  switch (c.kind) {
    case ConstraintKind::kPrimaryKey:
      out = "PRIMARY KEY (" + SqlIdentList(c.columns) + ")" + IndexTail(c.include, c.index_options);
      break;
    case ConstraintKind::kUnique:
      out = "UNIQUE";
      if (c.nulls_not_distinct) out += " NULLS NOT DISTINCT";
      out += " (" + SqlIdentList(c.columns) + ")" + IndexTail(c.include, c.index_options);
      break;
    case ConstraintKind::kCheck:
      out = "CHECK (" + sql::DdlExprText(c.expression) + ")";
      if (c.no_inherit) out += " NO INHERIT";
      break;
    case ConstraintKind::kForeignKey:
      out = "FOREIGN KEY (" + SqlIdentList(c.columns) + ") REFERENCES " + c.ref_table.Quoted();
      if (!c.ref_columns.empty()) out += "(" + SqlIdentList(c.ref_columns) + ")";
      if (c.match != 's') out += " MATCH " + std::string(FkMatchSql(c.match));
      if (c.on_update != 'a') out += " ON UPDATE " + std::string(FkActionSql(c.on_update));
      if (c.on_delete != 'a') {
        out += " ON DELETE " + std::string(FkActionSql(c.on_delete));
        if (!c.on_delete_columns.empty()) out += " (" + SqlIdentList(c.on_delete_columns) + ")";
      }
      break;
    case ConstraintKind::kExclude:
      out = "EXCLUDE USING " + QuoteIdent(c.exclude_method.empty() ? "btree" : c.exclude_method) +
            " (" + KeyList(c.exclude_keys) + ")" + IndexTail(c.include, c.index_options);
      if (!c.exclude_predicate.empty()) out += " WHERE (" + c.exclude_predicate + ")";
      break;
  }
  if (c.deferrable) out += " DEFERRABLE";
  if (c.initially_deferred) out += " INITIALLY DEFERRED";
  if (c.not_valid && with_not_valid) out += " NOT VALID";
  return out;
}

std::string IndexSql(const Index& index) {
  std::string out = index.unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ";
  out += QuoteIdent(index.name.name) + " ON " + index.table.Quoted();
  if (index.method != "btree") out += " USING " + QuoteIdent(index.method);
  out += " (" + KeyList(index.keys) + ")";
  if (!index.include.empty()) out += " INCLUDE (" + SqlIdentList(index.include) + ")";
  if (index.nulls_not_distinct) out += " NULLS NOT DISTINCT";
  if (!index.options.empty()) out += " WITH (" + SqlOptions(index.options) + ")";
  if (!index.predicate.empty()) out += " WHERE (" + index.predicate + ")";
  return out;
}

std::string TriggerSql(const QualifiedName& table, const Trigger& t) {
  std::string out = t.constraint ? "CREATE CONSTRAINT TRIGGER " : "CREATE TRIGGER ";
  out += QuoteIdent(t.name) + " " + t.timing + " ";
  for (size_t i = 0; i < t.events.size(); ++i) {
    if (i > 0) out += " OR ";
    out += t.events[i];
    if (t.events[i] == "UPDATE" && !t.update_columns.empty()) {
      out += " OF " + SqlIdentList(t.update_columns);
    }
  }
  out += " ON " + table.Quoted();
  if (t.constraint) {
    if (t.deferrable) out += " DEFERRABLE";
    if (t.initially_deferred) out += " INITIALLY DEFERRED";
  }
  if (!t.referencing_old.empty() || !t.referencing_new.empty()) {
    out += " REFERENCING";
    if (!t.referencing_old.empty()) out += " OLD TABLE AS " + QuoteIdent(t.referencing_old);
    if (!t.referencing_new.empty()) out += " NEW TABLE AS " + QuoteIdent(t.referencing_new);
  }
  out += t.for_each_row ? " FOR EACH ROW" : " FOR EACH STATEMENT";
  if (!t.when.empty()) out += " WHEN (" + t.when + ")";
  out += " EXECUTE FUNCTION " + t.function.Quoted() + "(";
  for (size_t i = 0; i < t.arguments.size(); ++i) {
    if (i > 0) out += ", ";
    out += QuoteLiteral(t.arguments[i]);
  }
  out += ")";
  return out;
}

std::string PolicySql(const QualifiedName& table, const Policy& p) {
  std::string out = "CREATE POLICY " + QuoteIdent(p.name) + " ON " + table.Quoted();
  if (!p.permissive) out += " AS RESTRICTIVE";
  if (p.command != "ALL") out += " FOR " + p.command;
  if (!(p.roles.size() == 1 && SqlRole(p.roles[0]) == "PUBLIC") && !p.roles.empty()) {
    out += " TO ";
    for (size_t i = 0; i < p.roles.size(); ++i) {
      if (i > 0) out += ", ";
      out += SqlRole(p.roles[i]);
    }
  }
  if (!p.using_expr.empty()) out += " USING (" + p.using_expr + ")";
  if (!p.check_expr.empty()) out += " WITH CHECK (" + p.check_expr + ")";
  return out;
}

std::string FunctionArgsSql(const Function& f) {
  std::string out = "(";
  bool first = true;
  for (const FunctionArg& a : f.args) {
    if (a.mode == "TABLE") continue;
    if (!first) out += ", ";
    first = false;
    if (a.mode != "IN") out += a.mode + " ";
    if (!a.name.empty()) out += QuoteIdent(a.name) + " ";
    out += SqlType(a.type);
    if (!a.default_expr.empty()) out += " DEFAULT " + a.default_expr;
  }
  out += ")";
  return out;
}

std::string DollarQuote(std::string_view body) {
  std::string tag = "$$";
  for (int i = 0; body.find(tag) != std::string_view::npos; ++i) {
    tag = i == 0 ? "$body$" : "$body" + std::to_string(i) + "$";
  }
  std::string out = tag;
  out += body;
  out += tag;
  return out;
}

bool HasSqlStandardBody(const Function& f) {
  return f.language == "sql" &&
         (StartsWith(f.body, "BEGIN ATOMIC") || StartsWith(f.body, "RETURN "));
}

std::string RoutineWhat(const Function& f) {
  if (f.aggregate) {
    return "AGGREGATE " + (f.args.empty() ? f.name.Quoted() + "(*)" : f.Signature());
  }
  return (f.is_procedure ? "PROCEDURE " : "FUNCTION ") + f.Signature();
}

namespace {

std::string AggregateArgSql(const FunctionArg& a) {
  std::string out = a.mode == "VARIADIC" ? "VARIADIC " : "";
  if (!a.name.empty()) out += QuoteIdent(a.name) + " ";
  return out + SqlType(a.type);
}

}  // namespace

std::string AggregateSql(const Function& f) {
  const catalog::Aggregate& a = *f.aggregate;
  std::string args;
  if (f.args.empty() && a.kind == 'n') {
    args = "*";
  } else if (a.kind == 'n') {
    for (const FunctionArg& arg : f.args) {
      args += (args.empty() ? "" : ", ") + AggregateArgSql(arg);
    }
  } else {
    size_t direct = std::min(f.args.size(), static_cast<size_t>(std::max(a.direct_args, 0)));
    std::vector<std::string> before, after;
    for (size_t i = 0; i < f.args.size(); ++i) {
      (i < direct ? before : after).push_back(AggregateArgSql(f.args[i]));
    }
    // A VARIADIC last direct argument stands for the aggregated ones too (the server keeps it
    // once); it is written on both sides.
    if (after.empty() && !before.empty()) after.push_back(before.back());
    args = Join(before, ", ") + (before.empty() ? "ORDER BY " : " ORDER BY ") + Join(after, ", ");
  }
  std::vector<std::string> opts;
  opts.push_back("SFUNC = " + a.sfunc.Quoted());
  opts.push_back("STYPE = " + SqlType(a.stype));
  if (a.sspace != 0) opts.push_back("SSPACE = " + std::to_string(a.sspace));
  if (!a.finalfunc.name.empty()) {
    opts.push_back("FINALFUNC = " + a.finalfunc.Quoted());
    if (a.final_extra) opts.push_back("FINALFUNC_EXTRA");
    if (!a.final_modify.empty()) opts.push_back("FINALFUNC_MODIFY = " + a.final_modify);
  }
  if (!a.combinefunc.name.empty()) opts.push_back("COMBINEFUNC = " + a.combinefunc.Quoted());
  if (!a.serialfunc.name.empty()) opts.push_back("SERIALFUNC = " + a.serialfunc.Quoted());
  if (!a.deserialfunc.name.empty()) opts.push_back("DESERIALFUNC = " + a.deserialfunc.Quoted());
  if (a.initcond) opts.push_back("INITCOND = " + QuoteLiteral(*a.initcond));
  if (!a.msfunc.name.empty()) opts.push_back("MSFUNC = " + a.msfunc.Quoted());
  if (!a.minvfunc.name.empty()) opts.push_back("MINVFUNC = " + a.minvfunc.Quoted());
  if (!a.mstype.empty()) opts.push_back("MSTYPE = " + SqlType(a.mstype));
  if (a.msspace != 0) opts.push_back("MSSPACE = " + std::to_string(a.msspace));
  if (!a.mfinalfunc.name.empty()) {
    opts.push_back("MFINALFUNC = " + a.mfinalfunc.Quoted());
    if (a.mfinal_extra) opts.push_back("MFINALFUNC_EXTRA");
    if (!a.mfinal_modify.empty()) {
      opts.push_back("MFINALFUNC_MODIFY = " + a.mfinal_modify);
    }
  }
  if (a.minitcond) opts.push_back("MINITCOND = " + QuoteLiteral(*a.minitcond));
  if (!a.sortop.empty()) opts.push_back("SORTOP = " + a.sortop);
  if (f.parallel != "UNSAFE") opts.push_back("PARALLEL = " + f.parallel);
  if (a.kind == 'h') opts.push_back("HYPOTHETICAL");
  return "CREATE AGGREGATE " + f.name.Quoted() + "(" + args + ") (\n    " + Join(opts, ",\n    ") +
         "\n)";
}

std::string FunctionSql(const Function& f) {
  if (f.aggregate) return AggregateSql(f);
  std::string out = f.is_procedure ? "CREATE PROCEDURE " : "CREATE FUNCTION ";
  out += f.name.Quoted() + FunctionArgsSql(f);
  if (!f.is_procedure) {
    std::vector<std::string> table_args;
    for (const FunctionArg& a : f.args) {
      if (a.mode == "TABLE") table_args.push_back(QuoteIdent(a.name) + " " + SqlType(a.type));
    }
    if (!table_args.empty()) {
      out += " RETURNS TABLE(" + Join(table_args, ", ") + ")";
    } else if (!f.returns.empty()) {
      out += " RETURNS ";
      if (f.returns_set) out += "SETOF ";
      out += SqlType(f.returns);
    }
  }
  out += " LANGUAGE " + QuoteIdent(f.language);
  if (!f.is_procedure) {
    if (f.volatility != "VOLATILE") out += " " + f.volatility;
    if (f.strict) out += " STRICT";
    if (f.leakproof) out += " LEAKPROOF";
    if (f.parallel != "UNSAFE") out += " PARALLEL " + f.parallel;
    if (!f.cost.empty()) out += " COST " + f.cost;
    if (!f.rows.empty()) out += " ROWS " + f.rows;
  }
  if (f.security_definer) out += " SECURITY DEFINER";
  for (const auto& [name, value] : f.config) {
    out += " SET " + QuoteIdent(name);
    if (value == "FROM CURRENT") {
      out += " FROM CURRENT";
      continue;
    }
    out += " TO ";
    // The model keeps a list value joined by ", " (search_path = a, b).
    std::string_view rest = value;
    bool first = true;
    while (true) {
      size_t comma = rest.find(", ");
      if (!first) out += ", ";
      first = false;
      out += QuoteLiteral(rest.substr(0, comma));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 2);
    }
  }
  if (HasSqlStandardBody(f)) {
    out += "\n" + f.body;
  } else if ((f.language == "c" || f.language == "internal") &&
             f.body.find(", ") != std::string::npos) {
    // C functions: AS 'object_file', 'link_symbol', kept joined by ", ".
    size_t comma = f.body.find(", ");
    out += "\nAS " + QuoteLiteral(f.body.substr(0, comma)) + ", " +
           QuoteLiteral(f.body.substr(comma + 2));
  } else {
    out += "\nAS " + DollarQuote(f.body);
  }
  return out;
}

std::string OriginLocation(const catalog::Origin& origin) {
  const SourceSpan& s = origin.span;
  if (s.file.empty()) return "";
  // Objects read from a server point into a dump the user never sees: no line numbers.
  if (s.line == 0 || s.file == "<server>") return s.file;
  return s.file + ":" + std::to_string(s.line) + ":" + std::to_string(s.column);
}

}  // namespace dbarch::report
