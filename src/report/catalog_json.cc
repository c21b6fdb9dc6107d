#include "report/catalog_json.h"

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "report/ddl_fragments.h"

namespace dbarch::report {

namespace {

using catalog::Catalog;
using catalog::Column;
using catalog::Constraint;
using catalog::ConstraintKind;
using catalog::IdentityKind;
using catalog::IndexKey;
using catalog::PartitionStrategy;
using catalog::QualifiedName;
using catalog::TypeKind;
using Json = nlohmann::ordered_json;
using Pairs = std::vector<std::pair<std::string, std::string>>;

// Setters that implement the omission rule of the header: nothing for a default value.
void Str(Json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}
void Flag(Json& j, const char* key, bool value, bool default_value = false) {
  if (value != default_value) j[key] = value;
}
void List(Json& j, const char* key, const std::vector<std::string>& values) {
  if (!values.empty()) j[key] = values;
}
void Options(Json& j, const char* key, const Pairs& options) {
  if (options.empty()) return;
  Json o = Json::object();
  for (const auto& [k, v] : options) o[k] = v;
  j[key] = std::move(o);
}
void Location(Json& j, const catalog::Origin& origin) {
  Str(j, "location", OriginLocation(origin));
}
void Name(Json& j, const QualifiedName& name) {
  j["schema"] = name.schema;
  j["name"] = name.name;
}

const char* ConstraintKindName(ConstraintKind kind) {
  switch (kind) {
    case ConstraintKind::kPrimaryKey:
      return "primary key";
    case ConstraintKind::kUnique:
      return "unique";
    case ConstraintKind::kCheck:
      return "check";
    case ConstraintKind::kForeignKey:
      return "foreign key";
    case ConstraintKind::kExclude:
      return "exclude";
  }
  return "constraint";
}

const char* TypeKindName(TypeKind kind) {
  switch (kind) {
    case TypeKind::kEnum:
      return "enum";
    case TypeKind::kComposite:
      return "composite";
    case TypeKind::kDomain:
      return "domain";
    case TypeKind::kRange:
      return "range";
  }
  return "type";
}

const char* StrategyName(PartitionStrategy s) {
  switch (s) {
    case PartitionStrategy::kRange:
      return "range";
    case PartitionStrategy::kList:
      return "list";
    case PartitionStrategy::kHash:
      return "hash";
    case PartitionStrategy::kNone:
      break;
  }
  return "";
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Json SequenceOptionsJson(const catalog::SequenceOptions& o) {
  Json j;
  j["data_type"] = o.data_type;
  j["start"] = o.start;
  j["increment"] = o.increment;
  j["min_value"] = o.min_value;
  j["max_value"] = o.max_value;
  j["cache"] = o.cache;
  j["cycle"] = o.cycle;
  return j;
}

Json ColumnJson(const Column& c) {
  Json j;
  j["name"] = c.name;
  j["type"] = c.type;
  Str(j, "collation", c.collation);
  Flag(j, "not_null", c.not_null);
  Str(j, "default", c.default_expr);
  Str(j, "generated", c.generated_expr);
  if (c.identity != IdentityKind::kNone) {
    j["identity"] = c.identity == IdentityKind::kAlways ? "always" : "by default";
    j["identity_options"] = SequenceOptionsJson(c.identity_options);
  }
  Str(j, "storage", c.storage);
  Str(j, "compression", c.compression);
  Str(j, "comment", c.comment);
  return j;
}

Json IndexKeyJson(const IndexKey& k) {
  Json j;
  Str(j, "column", k.column);
  Str(j, "expression", k.expression);
  Str(j, "collation", k.collation);
  Str(j, "opclass", k.opclass);
  Options(j, "opclass_params", k.opclass_params);
  Flag(j, "descending", k.descending);
  Flag(j, "nulls_first", k.nulls_first);
  Str(j, "exclude_operator", k.exclude_operator);
  return j;
}

Json KeysJson(const std::vector<IndexKey>& keys) {
  Json j = Json::array();
  for (const IndexKey& k : keys) j.push_back(IndexKeyJson(k));
  return j;
}

Json ConstraintJson(const Constraint& c) {
  Json j;
  j["name"] = c.name;
  j["kind"] = ConstraintKindName(c.kind);
  List(j, "columns", c.columns);
  Str(j, "expression", c.expression);
  Flag(j, "deferrable", c.deferrable);
  Flag(j, "initially_deferred", c.initially_deferred);
  Flag(j, "not_valid", c.not_valid);
  Flag(j, "no_inherit", c.no_inherit);
  Flag(j, "nulls_not_distinct", c.nulls_not_distinct);
  List(j, "include", c.include);
  Options(j, "index_options", c.index_options);
  if (c.kind == ConstraintKind::kForeignKey || !c.ref_table.name.empty()) {
    j["ref_table"] = c.ref_table.Quoted();
    List(j, "ref_columns", c.ref_columns);
    if (c.match != 's') j["match"] = Lower(FkMatchSql(c.match));
    if (c.on_update != 'a') j["on_update"] = Lower(FkActionSql(c.on_update));
    if (c.on_delete != 'a') j["on_delete"] = Lower(FkActionSql(c.on_delete));
    List(j, "on_delete_columns", c.on_delete_columns);
  }
  Str(j, "exclude_method", c.exclude_method);
  if (!c.exclude_keys.empty()) j["exclude_keys"] = KeysJson(c.exclude_keys);
  Str(j, "exclude_predicate", c.exclude_predicate);
  Str(j, "comment", c.comment);
  return j;
}

Json TableJson(const catalog::Table& t) {
  Json j;
  Name(j, t.name);
  Flag(j, "unlogged", t.unlogged);
  Json cols = Json::array();
  for (const Column& c : t.columns) cols.push_back(ColumnJson(c));
  j["columns"] = std::move(cols);
  if (!t.constraints.empty()) {
    Json a = Json::array();
    for (const Constraint& c : t.constraints) a.push_back(ConstraintJson(c));
    j["constraints"] = std::move(a);
  }
  if (!t.triggers.empty()) {
    Json a = Json::array();
    for (const catalog::Trigger& tr : t.triggers) {
      Json x;
      x["name"] = tr.name;
      x["timing"] = tr.timing;
      x["events"] = tr.events;
      List(x, "update_columns", tr.update_columns);
      x["level"] = tr.for_each_row ? "row" : "statement";
      Str(x, "when", tr.when);
      x["function"] = tr.function.Quoted();
      List(x, "arguments", tr.arguments);
      Flag(x, "constraint", tr.constraint);
      Flag(x, "deferrable", tr.deferrable);
      Flag(x, "initially_deferred", tr.initially_deferred);
      Str(x, "referencing_old", tr.referencing_old);
      Str(x, "referencing_new", tr.referencing_new);
      Flag(x, "enabled", tr.enabled, true);
      Str(x, "comment", tr.comment);
      a.push_back(std::move(x));
    }
    j["triggers"] = std::move(a);
  }
  if (!t.policies.empty()) {
    Json a = Json::array();
    for (const catalog::Policy& p : t.policies) {
      Json x;
      x["name"] = p.name;
      Flag(x, "permissive", p.permissive, true);
      if (p.command != "ALL") x["command"] = p.command;
      std::vector<std::string> roles;
      for (const std::string& r : p.roles) roles.push_back(r.empty() ? "CURRENT_USER" : r);
      List(x, "roles", roles);
      Str(x, "using", p.using_expr);
      Str(x, "check", p.check_expr);
      Str(x, "comment", p.comment);
      a.push_back(std::move(x));
    }
    j["policies"] = std::move(a);
  }
  Flag(j, "rls_enabled", t.rls_enabled);
  Flag(j, "rls_forced", t.rls_forced);
  if (t.partition_strategy != PartitionStrategy::kNone) {
    j["partition_strategy"] = StrategyName(t.partition_strategy);
  }
  Str(j, "partition_key", t.partition_key);
  if (t.partition_of) j["partition_of"] = t.partition_of->Quoted();
  Str(j, "partition_bound", t.partition_bound);
  if (!t.clones.empty()) {
    Json a = Json::array();
    for (const catalog::IndexClone& c : t.clones) {
      Json x;
      x["name"] = c.name;
      x["parent"] = c.parent_name;
      Flag(x, "constraint", c.constraint);
      Str(x, "comment", c.comment);
      a.push_back(std::move(x));
    }
    j["index_clones"] = std::move(a);
  }
  if (!t.inherits.empty()) {
    Json a = Json::array();
    for (const QualifiedName& q : t.inherits) a.push_back(q.Quoted());
    j["inherits"] = std::move(a);
  }
  if (t.of_type) j["of_type"] = t.of_type->Quoted();
  Options(j, "options", t.options);
  Str(j, "owner", t.owner);
  Str(j, "comment", t.comment);
  Location(j, t.origin);
  return j;
}

Json SummaryJson(const Catalog& cat) {
  size_t types = 0, domains = 0, functions = 0, procedures = 0, partitions = 0, views = 0,
         matviews = 0, columns = 0, constraints = 0, foreign_keys = 0, triggers = 0, policies = 0;
  for (const auto& [q, t] : cat.types) (t.kind == TypeKind::kDomain ? domains : types)++;
  for (const auto& [k, f] : cat.functions) (f.is_procedure ? procedures : functions)++;
  for (const auto& [q, v] : cat.views) (v.materialized ? matviews : views)++;
  for (const auto& [q, t] : cat.tables) {
    if (t.partition_of) ++partitions;
    columns += t.columns.size();
    constraints += t.constraints.size();
    for (const Constraint& c : t.constraints) {
      if (c.kind == ConstraintKind::kForeignKey) ++foreign_keys;
    }
    triggers += t.triggers.size();
    policies += t.policies.size();
  }
  Json j;
  j["schemas"] = cat.schemas.size();
  j["roles"] = cat.roles.size();
  j["extensions"] = cat.extensions.size();
  j["types"] = types;
  j["domains"] = domains;
  j["functions"] = functions;
  j["procedures"] = procedures;
  j["sequences"] = cat.sequences.size();
  j["tables"] = cat.tables.size();
  j["partitions"] = partitions;
  j["columns"] = columns;
  j["constraints"] = constraints;
  j["foreign_keys"] = foreign_keys;
  j["indexes"] = cat.indexes.size();
  j["views"] = views;
  j["materialized_views"] = matviews;
  j["triggers"] = triggers;
  j["policies"] = policies;
  j["grants"] = cat.grants.size();
  j["default_privileges"] = cat.default_privileges.size();
  j["others"] = cat.others.size();
  return j;
}

}  // namespace

std::string CatalogToJson(const Catalog& cat) {
  Json root;
  root["summary"] = SummaryJson(cat);

  Json schemas = Json::array();
  for (const auto& [name, s] : cat.schemas) {
    Json j;
    j["name"] = s.name;
    Str(j, "owner", s.owner);
    Str(j, "comment", s.comment);
    schemas.push_back(std::move(j));
  }
  root["schemas"] = std::move(schemas);

  Json roles = Json::array();
  for (const auto& [name, r] : cat.roles) {
    Json j;
    j["name"] = r.name;
    Flag(j, "login", r.login);
    Flag(j, "superuser", r.superuser);
    Flag(j, "create_db", r.create_db);
    Flag(j, "create_role", r.create_role);
    Flag(j, "inherit", r.inherit, true);
    Flag(j, "replication", r.replication);
    Flag(j, "bypass_rls", r.bypass_rls);
    if (r.connection_limit != -1) j["connection_limit"] = r.connection_limit;
    List(j, "member_of", r.member_of);
    Str(j, "comment", r.comment);
    roles.push_back(std::move(j));
  }
  root["roles"] = std::move(roles);

  Json extensions = Json::array();
  for (const auto& [name, e] : cat.extensions) {
    Json j;
    j["name"] = e.name;
    Str(j, "schema", e.schema);
    if (e.comment) j["comment"] = *e.comment;
    extensions.push_back(std::move(j));
  }
  root["extensions"] = std::move(extensions);

  Json types = Json::array();
  for (const auto& [q, t] : cat.types) {
    Json j;
    Name(j, t.name);
    j["kind"] = TypeKindName(t.kind);
    List(j, "labels", t.labels);
    if (!t.attributes.empty()) {
      Json a = Json::array();
      for (const catalog::TypeAttribute& at : t.attributes) {
        Json x;
        x["name"] = at.name;
        x["type"] = at.type;
        Str(x, "collation", at.collation);
        a.push_back(std::move(x));
      }
      j["attributes"] = std::move(a);
    }
    Str(j, "base_type", t.base_type);
    Str(j, "collation", t.collation);
    Flag(j, "not_null", t.not_null);
    Str(j, "default", t.default_expr);
    if (!t.constraints.empty()) {
      Json a = Json::array();
      for (const catalog::DomainConstraint& c : t.constraints) {
        Json x;
        x["name"] = c.name;
        x["expression"] = c.expression;
        Flag(x, "not_valid", c.not_valid);
        Str(x, "comment", c.comment);
        a.push_back(std::move(x));
      }
      j["constraints"] = std::move(a);
    }
    Str(j, "subtype_opclass", t.subtype_opclass);
    Str(j, "owner", t.owner);
    Str(j, "comment", t.comment);
    Location(j, t.origin);
    types.push_back(std::move(j));
  }
  root["types"] = std::move(types);

  Json functions = Json::array();
  for (const auto& [signature, f] : cat.functions) {
    Json j;
    j["signature"] = signature;
    Name(j, f.name);
    j["kind"] = f.aggregate ? "aggregate" : f.is_procedure ? "procedure" : "function";
    if (f.aggregate) {
      const catalog::Aggregate& a = *f.aggregate;
      Json x;
      x["aggkind"] = std::string(1, a.kind);
      if (a.kind != 'n') x["direct_args"] = a.direct_args;
      x["sfunc"] = a.sfunc.Quoted();
      x["stype"] = a.stype;
      if (!a.finalfunc.name.empty()) x["finalfunc"] = a.finalfunc.Quoted();
      if (a.initcond) x["initcond"] = *a.initcond;
      if (!a.combinefunc.name.empty()) x["combinefunc"] = a.combinefunc.Quoted();
      if (!a.msfunc.name.empty()) x["msfunc"] = a.msfunc.Quoted();
      if (!a.sortop.empty()) x["sortop"] = a.sortop;
      j["aggregate"] = std::move(x);
    }
    Json args = Json::array();
    for (const catalog::FunctionArg& a : f.args) {
      Json x;
      if (a.mode != "IN") x["mode"] = a.mode;
      Str(x, "name", a.name);
      x["type"] = a.type;
      Str(x, "default", a.default_expr);
      args.push_back(std::move(x));
    }
    if (!args.empty()) j["args"] = std::move(args);
    Str(j, "returns", f.returns);
    Flag(j, "returns_set", f.returns_set);
    j["language"] = f.language;
    if (f.volatility != "VOLATILE") j["volatility"] = f.volatility;
    Flag(j, "strict", f.strict);
    Flag(j, "security_definer", f.security_definer);
    Flag(j, "leakproof", f.leakproof);
    if (f.parallel != "UNSAFE") j["parallel"] = f.parallel;
    Str(j, "cost", f.cost);
    Str(j, "rows", f.rows);
    Options(j, "config", f.config);
    j["body"] = f.body;
    Str(j, "owner", f.owner);
    Str(j, "comment", f.comment);
    Location(j, f.origin);
    functions.push_back(std::move(j));
  }
  root["functions"] = std::move(functions);

  Json sequences = Json::array();
  for (const auto& [q, s] : cat.sequences) {
    Json j;
    Name(j, s.name);
    j["options"] = SequenceOptionsJson(s.options);
    if (s.owned_by_table) {
      j["owned_by"] = s.owned_by_table->Quoted() + "." + QuoteIdent(s.owned_by_column);
    }
    Flag(j, "unlogged", s.unlogged);
    Str(j, "owner", s.owner);
    Str(j, "comment", s.comment);
    Location(j, s.origin);
    sequences.push_back(std::move(j));
  }
  root["sequences"] = std::move(sequences);

  Json tables = Json::array();
  for (const auto& [q, t] : cat.tables) tables.push_back(TableJson(t));
  root["tables"] = std::move(tables);

  Json views = Json::array();
  for (const auto& [q, v] : cat.views) {
    Json j;
    Name(j, v.name);
    Flag(j, "materialized", v.materialized);
    List(j, "columns", v.columns);
    if (!v.relations.empty()) {
      Json a = Json::array();
      for (const QualifiedName& r : v.relations) a.push_back(r.Quoted());
      j["relations"] = std::move(a);
    }
    Options(j, "options", Pairs(v.options.begin(), v.options.end()));
    j["definition"] = v.definition;
    if (!v.column_comments.empty()) {
      Json o = Json::object();
      for (const auto& [c, text] : v.column_comments) o[c] = text;
      j["column_comments"] = std::move(o);
    }
    Str(j, "owner", v.owner);
    Str(j, "comment", v.comment);
    Location(j, v.origin);
    views.push_back(std::move(j));
  }
  root["views"] = std::move(views);

  Json indexes = Json::array();
  for (const auto& [q, i] : cat.indexes) {
    Json j;
    Name(j, i.name);
    j["table"] = i.table.Quoted();
    if (i.method != "btree") j["method"] = i.method;
    Flag(j, "unique", i.unique);
    Flag(j, "nulls_not_distinct", i.nulls_not_distinct);
    j["keys"] = KeysJson(i.keys);
    List(j, "include", i.include);
    Str(j, "predicate", i.predicate);
    Options(j, "options", i.options);
    Str(j, "comment", i.comment);
    indexes.push_back(std::move(j));
  }
  root["indexes"] = std::move(indexes);

  Json grants = Json::array();
  for (const catalog::Grant& g : cat.grants) {
    Json j;
    j["object_kind"] = catalog::ObjectKindName(g.object_kind);
    j["object"] = g.object;
    Str(j, "column", g.column);
    j["grantee"] = g.grantee.empty() ? "CURRENT_USER" : g.grantee;
    j["privilege"] = g.privilege;
    Flag(j, "with_grant_option", g.with_grant_option);
    grants.push_back(std::move(j));
  }
  root["grants"] = std::move(grants);

  Json revoked = Json::array();
  for (const catalog::Grant& g : cat.revoked_defaults) {
    Json j;
    j["object_kind"] = catalog::ObjectKindName(g.object_kind);
    j["object"] = g.object;
    j["grantee"] = g.grantee;
    j["privilege"] = g.privilege;
    revoked.push_back(std::move(j));
  }
  root["revoked_defaults"] = std::move(revoked);

  Json defaults = Json::array();
  for (const catalog::DefaultPrivilege& d : cat.default_privileges) {
    Json j;
    j["role"] = d.role.empty() ? "CURRENT_USER" : d.role;
    Str(j, "schema", d.schema);
    j["object_type"] = d.object_type;
    j["grantee"] = d.grantee.empty() ? "CURRENT_USER" : d.grantee;
    j["privilege"] = d.privilege;
    Flag(j, "with_grant_option", d.with_grant_option);
    Flag(j, "revokes_builtin", d.revokes_builtin);
    defaults.push_back(std::move(j));
  }
  root["default_privileges"] = std::move(defaults);

  Json others = Json::array();
  for (const catalog::OtherObject& o : cat.others) {
    Json j;
    j["kind"] = o.kind;
    Str(j, "name", o.name);
    Location(j, o.origin);
    j["sql"] = o.sql;
    others.push_back(std::move(j));
  }
  root["others"] = std::move(others);

  // Replacement of invalid UTF-8 keeps a dump of odd bytes from throwing.
  return root.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace dbarch::report
