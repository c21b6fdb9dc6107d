#include "security/access_spec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>

#include "base/check.h"
#include "base/strings.h"
#include "base/yaml_span.h"

namespace dbarch::security {
namespace {

using catalog::QualifiedName;

// Parsing state: the file's path for positions and the catalog names are resolved against.
class Parser {
 public:
  Parser(const std::string& path, const catalog::Catalog& catalog)
      : path_(path), catalog_(catalog) {}

  Result<AccessSpec> Parse(const std::string& text);

 private:
  Status Error(const YAML::Node& node, std::string message) const {
    Status st = Status::InvalidArgument(std::move(message));
    if (node.IsDefined() && node.Mark().line >= 0) {
      return std::move(st).WithSpan(SpanOfYamlMark(path_, node.Mark()));
    }
    return st;
  }
  Status UnknownKey(const YAML::Node& key, const std::string& where,
                    const std::vector<std::string>& known) const {
    std::string name = key.as<std::string>();
    std::string message = "unknown key \"" + name + "\" in " + where;
    std::string close = ClosestMatch(name, known);
    if (!close.empty()) message += ", did you mean \"" + close + "\"?";
    return Error(key, message);
  }
  Status CheckKeys(const YAML::Node& map, const std::string& where,
                   const std::vector<std::string>& known) const {
    for (const auto& kv : map) {
      std::string name = kv.first.as<std::string>();
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        return UnknownKey(kv.first, where, known);
      }
    }
    return Status::OK();
  }
  Result<std::string> Scalar(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar()) return Error(node, what + ": expected a single value");
    return node.as<std::string>();
  }
  // A scalar or a list of scalars.
  Result<std::vector<std::string>> List(const YAML::Node& node, const std::string& what) const {
    std::vector<std::string> out;
    if (node.IsScalar()) {
      out.push_back(node.as<std::string>());
      return out;
    }
    if (!node.IsSequence()) return Error(node, what + ": expected a value or a list");
    for (const auto& item : node) {
      if (!item.IsScalar()) return Error(item, what + ": expected a list of values");
      out.push_back(item.as<std::string>());
    }
    return out;
  }
  Result<QualifiedName> Relation(const YAML::Node& node, const std::string& text) const;
  Status CheckRoleName(const YAML::Node& node, const std::string& name) const;
  Status ParseTenant(const YAML::Node& node, AccessSpec& spec) const;
  Status ParsePersonal(const YAML::Node& node, AccessSpec& spec) const;
  Status ParseAudit(const YAML::Node& node, AccessSpec& spec) const;
  Status ParseRole(const YAML::Node& key, const YAML::Node& node, AccessSpec& spec) const;
  Status ParseRead(const YAML::Node& item, AccessRole& role) const;
  Status ParseWrite(const YAML::Node& item, AccessRole& role) const;
  Status ParseHost(const YAML::Node& node, const std::string& cidr) const;
  Status ResolveTenant(const YAML::Node& node, TenantSpec& tenant) const;
  Status CheckRole(const YAML::Node& node, const AccessSpec& spec, const AccessRole& role) const;
  std::vector<std::string> RelationNames() const;
  std::vector<QualifiedName> RelationsOfSchema(const std::string& schema) const;
  bool IsView(const QualifiedName& name) const { return catalog_.views.count(name) > 0; }

  const std::string& path_;
  const catalog::Catalog& catalog_;
};

std::string Display(const QualifiedName& q) { return q.schema + "." + q.name; }

std::string Qualified(const QualifiedName& q) {
  return ForceQuoteIdent(q.schema) + "." + ForceQuoteIdent(q.name);
}

bool IsPlainName(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!(std::islower(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.emplace_back(Trim(s.substr(start, pos == std::string_view::npos ? pos : pos - start)));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

std::vector<std::string> RelationsKeys(const catalog::Catalog& c) {
  std::vector<std::string> out;
  for (const auto& [name, t] : c.tables) out.push_back(Display(name));
  for (const auto& [name, v] : c.views) out.push_back(Display(name));
  return out;
}

std::vector<std::string> Parser::RelationNames() const { return RelationsKeys(catalog_); }

std::vector<QualifiedName> Parser::RelationsOfSchema(const std::string& schema) const {
  std::vector<QualifiedName> out;
  for (const auto& [name, t] : catalog_.tables) {
    if (name.schema == schema) out.push_back(name);
  }
  for (const auto& [name, v] : catalog_.views) {
    if (name.schema == schema) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<QualifiedName> Parser::Relation(const YAML::Node& node, const std::string& text) const {
  QualifiedName q;
  size_t dot = text.find('.');
  if (dot == std::string::npos) {
    q = {"public", text};
  } else {
    q = {text.substr(0, dot), text.substr(dot + 1)};
  }
  if (catalog_.tables.count(q) || catalog_.views.count(q)) return q;
  std::string message = "relation \"" + Display(q) + "\" does not exist in the schema";
  std::string close = ClosestMatch(Display(q), RelationNames());
  if (!close.empty()) message += ", did you mean \"" + close + "\"?";
  return Error(node, message);
}

Status Parser::CheckRoleName(const YAML::Node& node, const std::string& name) const {
  if (!IsPlainName(name)) {
    return Error(node, "role name \"" + name +
                           "\": expected a lower-case name of letters, digits and _ (at most 63)");
  }
  if (StartsWith(name, "pg_")) return Error(node, "role name \"" + name + "\": pg_ is reserved");
  return Status::OK();
}

Status Parser::ParseHost(const YAML::Node& node, const std::string& cidr) const {
  size_t slash = cidr.find('/');
  if (slash == std::string::npos) {
    return Error(node, "host \"" + cidr + "\": expected an address range such as 10.0.1.0/24");
  }
  std::string addr = cidr.substr(0, slash);
  std::string bits = cidr.substr(slash + 1);
  bool v6 = addr.find(':') != std::string::npos;
  int max_bits = v6 ? 128 : 32;
  int min_bits = v6 ? 48 : 16;
  int n = -1;
  if (!bits.empty() && bits.size() <= 3 &&
      std::all_of(bits.begin(), bits.end(), [](char c) { return std::isdigit(c) != 0; })) {
    n = std::stoi(bits);
  }
  if (n < 0 || n > max_bits) {
    return Error(node,
                 "host \"" + cidr + "\": the prefix length must be 0.." + std::to_string(max_bits));
  }
  if (!v6) {
    std::vector<std::string> parts = Split(addr, '.');
    bool ok = parts.size() == 4;
    for (const std::string& p : parts) {
      ok = ok && !p.empty() && p.size() <= 3 &&
           std::all_of(p.begin(), p.end(), [](char c) { return std::isdigit(c) != 0; }) &&
           std::stoi(p) <= 255;
    }
    if (!ok) return Error(node, "host \"" + cidr + "\": not an IPv4 address");
  } else if (!std::all_of(addr.begin(), addr.end(),
                          [](char c) { return std::isxdigit(c) != 0 || c == ':'; })) {
    return Error(node, "host \"" + cidr + "\": not an IPv6 address");
  }
  if (n < min_bits) {
    return Error(node, "host \"" + cidr + "\" is too wide: at most a /" + std::to_string(min_bits) +
                           " may log in; list the application's own subnets");
  }
  return Status::OK();
}

Status Parser::ParseRead(const YAML::Node& item, AccessRole& role) const {
  if (!item.IsScalar())
    return Error(item,
                 "read: expected \"schema.table\", \"schema.*\" or "
                 "\"schema.table(col, ...)\"");
  std::string text = item.as<std::string>();
  std::vector<std::string> columns;
  size_t paren = text.find('(');
  if (paren != std::string::npos) {
    if (text.back() != ')')
      return Error(item, "read \"" + text +
                             "\": missing \")\" (inside [a, b] quote an entry "
                             "with columns: \"schema.table(a, b)\")");
    columns = Split(std::string_view(text).substr(paren + 1, text.size() - paren - 2), ',');
    text = std::string(Trim(text.substr(0, paren)));
  }
  if (EndsWith(text, ".*")) {
    std::string schema = text.substr(0, text.size() - 2);
    if (!columns.empty()) return Error(item, "read \"" + text + "\": columns need one table");
    std::vector<QualifiedName> rels = RelationsOfSchema(schema);
    if (rels.empty()) {
      std::vector<std::string> schemas;
      for (const auto& [name, s] : catalog_.schemas) schemas.push_back(name);
      std::string message = "schema \"" + schema + "\" has no tables in the schema";
      std::string close = ClosestMatch(schema, schemas);
      if (!close.empty()) message += ", did you mean \"" + close + "\"?";
      return Error(item, message);
    }
    for (const QualifiedName& q : rels) {
      TableAccess& a = role.tables[q];
      a.table = q;
      a.select = true;
      a.select_columns.clear();
    }
    role.read_schemas.push_back(schema);
    return Status::OK();
  }
  DBARCH_ASSIGN_OR_RETURN(QualifiedName q, Relation(item, text));
  std::vector<std::string> known;
  if (const catalog::Table* t = catalog_.FindTable(q)) {
    for (const auto& c : t->columns) known.push_back(c.name);
  } else {
    known = catalog_.views.at(q).columns;
  }
  for (const std::string& c : columns) {
    if (std::find(known.begin(), known.end(), c) == known.end()) {
      std::string message =
          "column \"" + c + "\" of relation \"" + Display(q) + "\" does not exist";
      std::string close = ClosestMatch(c, known);
      if (!close.empty()) message += ", did you mean \"" + close + "\"?";
      return Error(item, message);
    }
  }
  TableAccess& a = role.tables[q];
  a.table = q;
  if (a.select && a.select_columns.empty()) return Status::OK();  // already whole
  a.select = true;
  if (columns.empty()) {
    a.select_columns.clear();
  } else {
    for (const std::string& c : columns) {
      if (std::find(a.select_columns.begin(), a.select_columns.end(), c) ==
          a.select_columns.end()) {
        a.select_columns.push_back(c);
      }
    }
  }
  return Status::OK();
}

Status Parser::ParseWrite(const YAML::Node& item, AccessRole& role) const {
  std::string text;
  std::vector<std::string> ops = {"insert", "update", "delete"};
  YAML::Node where = item;
  if (item.IsScalar()) {
    text = item.as<std::string>();
  } else if (item.IsMap() && item.size() == 1) {
    auto kv = *item.begin();
    text = kv.first.as<std::string>();
    where = kv.first;
    DBARCH_ASSIGN_OR_RETURN(ops, List(kv.second, "write " + text));
    for (size_t i = 0; i < ops.size(); ++i) {
      if (ops[i] != "insert" && ops[i] != "update" && ops[i] != "delete") {
        std::string message =
            "write " + text + ": unknown operation \"" + ops[i] + "\" (insert, update or delete)";
        return Error(kv.second.IsSequence() ? kv.second[i] : kv.second, message);
      }
    }
  } else {
    return Error(item,
                 "write: expected \"schema.table\", \"schema.*\" or "
                 "{schema.table: [insert, update, delete]}");
  }
  std::vector<QualifiedName> rels;
  if (EndsWith(text, ".*")) {
    std::string schema = text.substr(0, text.size() - 2);
    for (const QualifiedName& q : RelationsOfSchema(schema)) {
      if (!IsView(q)) rels.push_back(q);
    }
    if (rels.empty()) return Error(where, "schema \"" + schema + "\" has no tables in the schema");
    if (ops.size() == 3) role.write_schemas.push_back(schema);
  } else {
    DBARCH_ASSIGN_OR_RETURN(QualifiedName q, Relation(where, text));
    if (IsView(q)) return Error(where, "write " + text + ": views are read-only here");
    rels.push_back(q);
  }
  for (const QualifiedName& q : rels) {
    TableAccess& a = role.tables[q];
    a.table = q;
    for (const std::string& op : ops) {
      if (op == "insert") a.insert = true;
      if (op == "update") a.update = true;
      if (op == "delete") a.remove = true;
    }
  }
  return Status::OK();
}

Status Parser::ParseRole(const YAML::Node& key, const YAML::Node& node, AccessSpec& spec) const {
  AccessRole role;
  role.key = key.as<std::string>();
  role.where = SpanOfYamlMark(path_, key.Mark());
  if (!IsPlainName(role.key)) {
    return Error(key, "role \"" + role.key +
                          "\": expected a lower-case name of letters, "
                          "digits and _");
  }
  role.group = spec.prefix.empty() ? role.key : spec.prefix + "_" + role.key;
  DBARCH_RETURN_IF_ERROR(CheckRoleName(key, role.group));
  if (!node.IsMap()) return Error(node, "role " + role.key + ": expected a map");
  DBARCH_RETURN_IF_ERROR(CheckKeys(node, "role " + role.key,
                                   {"login", "hosts", "read", "write", "execute", "tenant",
                                    "personal_data", "owner", "connection_limit"}));
  if (node["login"]) {
    DBARCH_ASSIGN_OR_RETURN(role.logins, List(node["login"], "login"));
    for (const std::string& l : role.logins)
      DBARCH_RETURN_IF_ERROR(CheckRoleName(node["login"], l));
  }
  if (node["hosts"]) {
    DBARCH_ASSIGN_OR_RETURN(role.hosts, List(node["hosts"], "hosts"));
    for (size_t i = 0; i < role.hosts.size(); ++i) {
      DBARCH_RETURN_IF_ERROR(
          ParseHost(node["hosts"].IsSequence() ? node["hosts"][i] : node["hosts"], role.hosts[i]));
    }
  }
  if (node["owner"]) {
    DBARCH_ASSIGN_OR_RETURN(std::string v, Scalar(node["owner"], "owner"));
    if (v != "true" && v != "false") return Error(node["owner"], "owner: expected true or false");
    role.owner = v == "true";
  }
  if (node["tenant"]) {
    DBARCH_ASSIGN_OR_RETURN(std::string v, Scalar(node["tenant"], "tenant"));
    if (v == "isolated")
      role.tenant = TenantAccess::kIsolated;
    else if (v == "all")
      role.tenant = TenantAccess::kAll;
    else
      return Error(node["tenant"], "tenant: expected isolated or all, got \"" + v + "\"");
  }
  if (role.owner) role.tenant = TenantAccess::kAll;
  if (node["personal_data"]) {
    DBARCH_ASSIGN_OR_RETURN(std::string v, Scalar(node["personal_data"], "personal_data"));
    if (v == "clear")
      role.personal_clear = true;
    else if (v == "masked")
      role.personal_clear = false;
    else
      return Error(node["personal_data"],
                   "personal_data: expected clear or masked, got \"" + v + "\"");
  }
  if (role.owner) role.personal_clear = true;
  if (node["connection_limit"]) {
    DBARCH_ASSIGN_OR_RETURN(std::string v, Scalar(node["connection_limit"], "connection_limit"));
    if (v.empty() || v.size() > 6 ||
        !std::all_of(v.begin(), v.end(), [](char c) { return std::isdigit(c) != 0; })) {
      return Error(node["connection_limit"], "connection_limit: expected a number");
    }
    role.connection_limit = std::stoi(v);
  }
  for (const char* field : {"read", "write", "execute"}) {
    YAML::Node list = node[field];
    if (!list) continue;
    if (!list.IsSequence()) return Error(list, std::string(field) + ": expected a list");
    for (const auto& item : list) {
      if (std::string(field) == "read") {
        DBARCH_RETURN_IF_ERROR(ParseRead(item, role));
      } else if (std::string(field) == "write") {
        DBARCH_RETURN_IF_ERROR(ParseWrite(item, role));
      } else {
        DBARCH_ASSIGN_OR_RETURN(std::string text, Scalar(item, "execute"));
        if (!EndsWith(text, ".*") || !catalog_.schemas.count(text.substr(0, text.size() - 2))) {
          return Error(item, "execute \"" + text +
                                 "\": expected \"schema.*\" of a schema in the "
                                 "schema model");
        }
        role.execute_schemas.push_back(text.substr(0, text.size() - 2));
      }
    }
  }
  for (const std::string& l : role.logins) {
    if (l == role.group) {
      return Error(node["login"], "login role \"" + l + "\" has the name of the group role of " +
                                      role.key + ": give the login its own name");
    }
  }
  for (const AccessRole& other : spec.roles) {
    if (other.key == role.key) return Error(key, "role \"" + role.key + "\" is defined twice");
    if (std::find(other.logins.begin(), other.logins.end(), role.group) != other.logins.end()) {
      return Error(
          key, "group role \"" + role.group + "\" is already a login role of role " + other.key);
    }
    for (const std::string& l : role.logins) {
      if (l == other.group ||
          std::find(other.logins.begin(), other.logins.end(), l) != other.logins.end()) {
        return Error(node["login"],
                     "login role \"" + l + "\" is already used by role " + other.key);
      }
    }
  }
  spec.roles.push_back(std::move(role));
  return Status::OK();
}

Status Parser::ParseTenant(const YAML::Node& node, AccessSpec& spec) const {
  if (!node.IsMap()) return Error(node, "tenant: expected a map");
  DBARCH_RETURN_IF_ERROR(CheckKeys(node, "tenant", {"column", "root", "setting", "shared"}));
  TenantSpec t;
  if (!node["column"]) return Error(node, "tenant: needs column (the tenant column's name)");
  if (!node["root"]) return Error(node, "tenant: needs root (the tenant table)");
  DBARCH_ASSIGN_OR_RETURN(t.column, Scalar(node["column"], "tenant.column"));
  DBARCH_ASSIGN_OR_RETURN(std::string root, Scalar(node["root"], "tenant.root"));
  DBARCH_ASSIGN_OR_RETURN(t.root, Relation(node["root"], root));
  const catalog::Table* rt = catalog_.FindTable(t.root);
  if (rt == nullptr) return Error(node["root"], "tenant.root: \"" + root + "\" is not a table");
  for (const catalog::Constraint& c : rt->constraints) {
    if (c.kind == catalog::ConstraintKind::kPrimaryKey && c.columns.size() == 1) {
      t.root_key = c.columns[0];
      t.key_type = rt->FindColumn(t.root_key)->type;
    }
  }
  if (t.root_key.empty()) {
    return Error(node["root"],
                 "tenant.root: table \"" + root + "\" needs a one-column primary key");
  }
  if (node["setting"]) {
    DBARCH_ASSIGN_OR_RETURN(t.setting, Scalar(node["setting"], "tenant.setting"));
    size_t dot = t.setting.find('.');
    if (dot == std::string::npos || !IsPlainName(t.setting.substr(0, dot)) ||
        !IsPlainName(t.setting.substr(dot + 1))) {
      return Error(node["setting"],
                   "tenant.setting: expected a custom setting such as "
                   "app.tenant_id");
    }
  }
  if (node["shared"]) {
    DBARCH_ASSIGN_OR_RETURN(std::vector<std::string> shared, List(node["shared"], "tenant.shared"));
    for (size_t i = 0; i < shared.size(); ++i) {
      YAML::Node at = node["shared"].IsSequence() ? node["shared"][i] : node["shared"];
      DBARCH_ASSIGN_OR_RETURN(QualifiedName q, Relation(at, shared[i]));
      t.shared.push_back(q);
    }
  }
  DBARCH_RETURN_IF_ERROR(ResolveTenant(node["column"], t));
  spec.tenant = std::move(t);
  return Status::OK();
}

Status Parser::ResolveTenant(const YAML::Node& node, TenantSpec& t) const {
  std::map<QualifiedName, TenantTable> isolated;
  auto shared = [&](const QualifiedName& q) {
    return std::find(t.shared.begin(), t.shared.end(), q) != t.shared.end();
  };
  isolated[t.root] = TenantTable{t.root, TenantPath::kRoot, t.root_key, {}};
  for (const auto& [name, table] : catalog_.tables) {
    if (name == t.root || shared(name)) continue;
    if (table.FindColumn(t.column) != nullptr) {
      isolated[name] = TenantTable{name, TenantPath::kColumn, t.column, {}};
    }
  }
  if (isolated.size() == 1) {
    return Error(node, "tenant.column: no table has a column \"" + t.column + "\"");
  }
  // Breadth first along NOT NULL foreign keys, so each table takes its shortest path; a
  // partition follows its parent.
  bool changed = true;
  while (changed) {
    changed = false;
    std::map<QualifiedName, TenantTable> round;
    for (const auto& [name, table] : catalog_.tables) {
      if (isolated.count(name) || shared(name)) continue;
      if (table.partition_of && isolated.count(*table.partition_of)) {
        TenantTable copy = isolated.at(*table.partition_of);
        copy.table = name;
        round[name] = copy;
        continue;
      }
      for (const catalog::Constraint& c : table.constraints) {
        if (c.kind != catalog::ConstraintKind::kForeignKey || !isolated.count(c.ref_table))
          continue;
        bool not_null =
            std::all_of(c.columns.begin(), c.columns.end(), [&](const std::string& col) {
              const catalog::Column* column = table.FindColumn(col);
              return column != nullptr && column->not_null;
            });
        if (!not_null) continue;
        const TenantTable& parent = isolated.at(c.ref_table);
        TenantTable tt;
        tt.table = name;
        if (parent.kind == TenantPath::kRoot && c.ref_columns.size() == 1 &&
            c.ref_columns[0] == t.root_key) {
          tt.kind = TenantPath::kColumn;  // the foreign key holds the tenant id itself
          tt.column = c.columns[0];
        } else {
          tt.kind = TenantPath::kForeignKey;
          tt.hops.push_back(ForeignKeyHop{c.columns, c.ref_table, c.ref_columns});
          tt.hops.insert(tt.hops.end(), parent.hops.begin(), parent.hops.end());
          tt.column = parent.column;
        }
        round[name] = tt;
        break;
      }
    }
    for (auto& [name, tt] : round) {
      isolated[name] = std::move(tt);
      changed = true;
    }
  }
  for (auto& [name, tt] : isolated) t.tables.push_back(std::move(tt));
  return Status::OK();
}

Status Parser::ParsePersonal(const YAML::Node& node, AccessSpec& spec) const {
  if (!node.IsMap())
    return Error(node, "personal_data: expected a map of schema.table.column: mask");
  static const std::vector<std::pair<std::string, MaskMethod>> kMasks = {
      {"email", MaskMethod::kEmail},   {"partial", MaskMethod::kPartial},
      {"redact", MaskMethod::kRedact}, {"hash", MaskMethod::kHash},
      {"year", MaskMethod::kYear},     {"null", MaskMethod::kNull}};
  for (const auto& kv : node) {
    std::string text = kv.first.as<std::string>();
    size_t dot = text.rfind('.');
    if (dot == std::string::npos) {
      return Error(kv.first, "personal_data \"" + text + "\": expected schema.table.column");
    }
    DBARCH_ASSIGN_OR_RETURN(QualifiedName q, Relation(kv.first, text.substr(0, dot)));
    const catalog::Table* table = catalog_.FindTable(q);
    if (table == nullptr) return Error(kv.first, "personal_data: \"" + Display(q) + "\" is a view");
    std::string column = text.substr(dot + 1);
    if (table->FindColumn(column) == nullptr) {
      std::vector<std::string> known;
      for (const auto& c : table->columns) known.push_back(c.name);
      std::string message =
          "column \"" + column + "\" of relation \"" + Display(q) + "\" does not exist";
      std::string close = ClosestMatch(column, known);
      if (!close.empty()) message += ", did you mean \"" + close + "\"?";
      return Error(kv.first, message);
    }
    // `null` in YAML is a null node, not the string "null".
    std::string mask = kv.second.IsNull() ? "null" : kv.second.as<std::string>();
    auto it =
        std::find_if(kMasks.begin(), kMasks.end(), [&](const auto& m) { return m.first == mask; });
    if (it == kMasks.end()) {
      std::vector<std::string> names;
      for (const auto& m : kMasks) names.push_back(m.first);
      std::string message = "unknown mask \"" + mask + "\" (" + Join(names, ", ") + ")";
      std::string close = ClosestMatch(mask, names);
      if (!close.empty()) message += ", did you mean \"" + close + "\"?";
      return Error(kv.second, message);
    }
    spec.personal.push_back(PersonalColumn{q, column, it->second});
  }
  std::sort(spec.personal.begin(), spec.personal.end(), [](const auto& a, const auto& b) {
    return std::tie(a.table, a.column) < std::tie(b.table, b.column);
  });
  return Status::OK();
}

Status Parser::ParseAudit(const YAML::Node& node, AccessSpec& spec) const {
  if (!node.IsMap()) return Error(node, "audit: expected a map");
  DBARCH_RETURN_IF_ERROR(CheckKeys(node, "audit", {"log", "tables", "roles"}));
  static const std::vector<std::string> kClasses = {"read", "write", "function", "role",
                                                    "ddl",  "misc",  "misc_set", "all"};
  if (node["log"]) {
    DBARCH_ASSIGN_OR_RETURN(spec.audit.log, List(node["log"], "audit.log"));
    for (size_t i = 0; i < spec.audit.log.size(); ++i) {
      const std::string& c = spec.audit.log[i];
      if (std::find(kClasses.begin(), kClasses.end(), c) == kClasses.end()) {
        std::string message = "audit.log: unknown pgaudit class \"" + c + "\"";
        std::string close = ClosestMatch(c, kClasses);
        if (!close.empty()) message += ", did you mean \"" + close + "\"?";
        return Error(node["log"].IsSequence() ? node["log"][i] : node["log"], message);
      }
    }
  }
  if (node["tables"]) {
    DBARCH_ASSIGN_OR_RETURN(std::vector<std::string> tables, List(node["tables"], "audit.tables"));
    for (size_t i = 0; i < tables.size(); ++i) {
      YAML::Node at = node["tables"].IsSequence() ? node["tables"][i] : node["tables"];
      DBARCH_ASSIGN_OR_RETURN(QualifiedName q, Relation(at, tables[i]));
      spec.audit.tables.push_back(q);
    }
  }
  if (node["roles"]) {
    DBARCH_ASSIGN_OR_RETURN(spec.audit.roles, List(node["roles"], "audit.roles"));
  }
  return Status::OK();
}

Status Parser::CheckRole(const YAML::Node& node, const AccessSpec& spec,
                         const AccessRole& role) const {
  if (!spec.tenant || role.tenant != TenantAccess::kIsolated) return Status::OK();
  for (const auto& [name, access] : role.tables) {
    const TenantTable* tt = spec.tenant->Find(name);
    if (tt == nullptr) continue;
    if (!role.personal_clear && !spec.PersonalColumnsOf(name).empty() && access.select) {
      return Error(node, "role " + role.key + " reads personal data of \"" + Display(name) +
                             "\" masked and is tenant-isolated: masked views run as their "
                             "owner, who sees every tenant; make it personal_data: clear or "
                             "tenant: all");
    }
    for (const ForeignKeyHop& hop : tt->hops) {
      auto it = role.tables.find(hop.parent);
      if (it == role.tables.end() || !it->second.select) {
        return Error(node, "role " + role.key + " uses \"" + Display(name) +
                               "\", whose tenant check reads \"" + Display(hop.parent) +
                               "\": add it to the role's read list");
      }
    }
  }
  return Status::OK();
}

Result<AccessSpec> Parser::Parse(const std::string& text) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return Status::InvalidArgument("invalid YAML: " + e.msg)
        .WithSpan(SpanOfYamlMark(path_, e.mark));
  }
  AccessSpec spec;
  spec.path = path_;
  try {
    if (!root.IsMap()) return Error(root, "expected a map with database, roles, ...");
    DBARCH_RETURN_IF_ERROR(CheckKeys(
        root, "the access spec",
        {"database", "prefix", "listen_addresses", "tenant", "personal_data", "audit", "roles"}));
    if (!root["database"]) return Error(root, "the access spec needs database (for pg_hba.conf)");
    DBARCH_ASSIGN_OR_RETURN(spec.database, Scalar(root["database"], "database"));
    if (root["prefix"]) {
      DBARCH_ASSIGN_OR_RETURN(spec.prefix, Scalar(root["prefix"], "prefix"));
      if (!IsPlainName(spec.prefix)) {
        return Error(root["prefix"], "prefix: expected a lower-case name of letters, digits and _");
      }
    }
    if (root["listen_addresses"]) {
      DBARCH_ASSIGN_OR_RETURN(spec.listen_addresses,
                              Scalar(root["listen_addresses"], "listen_addresses"));
      if (spec.listen_addresses == "*" || spec.listen_addresses == "0.0.0.0") {
        return Error(root["listen_addresses"],
                     "listen_addresses: name the interfaces clients reach, not every one");
      }
    }
    if (root["personal_data"]) DBARCH_RETURN_IF_ERROR(ParsePersonal(root["personal_data"], spec));
    if (root["tenant"]) DBARCH_RETURN_IF_ERROR(ParseTenant(root["tenant"], spec));
    if (root["audit"]) DBARCH_RETURN_IF_ERROR(ParseAudit(root["audit"], spec));
    YAML::Node roles = root["roles"];
    if (!roles || !roles.IsMap() || roles.size() == 0) {
      return Error(roles ? roles : root, "the access spec needs roles: a map of role names");
    }
    for (const auto& kv : roles) DBARCH_RETURN_IF_ERROR(ParseRole(kv.first, kv.second, spec));
    int owners = 0;
    for (const AccessRole& r : spec.roles) owners += r.owner ? 1 : 0;
    if (owners != 1) {
      return Error(roles,
                   "exactly one role needs owner: true (the role that owns the schema and "
                   "runs migrations); found " +
                       std::to_string(owners));
    }
    size_t i = 0;
    for (const auto& kv : roles) DBARCH_RETURN_IF_ERROR(CheckRole(kv.first, spec, spec.roles[i++]));
    for (size_t k = 0; k < spec.audit.roles.size(); ++k) {
      const std::string& key = spec.audit.roles[k];
      if (spec.FindRole(key) == nullptr) {
        std::vector<std::string> keys;
        for (const AccessRole& r : spec.roles) keys.push_back(r.key);
        std::string message = "audit.roles: unknown role \"" + key + "\"";
        std::string close = ClosestMatch(key, keys);
        if (!close.empty()) message += ", did you mean \"" + close + "\"?";
        YAML::Node list = root["audit"]["roles"];
        return Error(list.IsSequence() ? list[k] : list, message);
      }
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("access spec: " + e.msg).WithSpan(SpanOfYamlMark(path_, e.mark));
  }
  return spec;
}

}  // namespace

std::string_view MaskMethodName(MaskMethod m) {
  switch (m) {
    case MaskMethod::kEmail:
      return "email";
    case MaskMethod::kPartial:
      return "partial";
    case MaskMethod::kRedact:
      return "redact";
    case MaskMethod::kHash:
      return "hash";
    case MaskMethod::kYear:
      return "year";
    case MaskMethod::kNull:
      return "null";
  }
  return "?";
}

const TenantTable* TenantSpec::Find(const catalog::QualifiedName& table) const {
  for (const TenantTable& t : tables) {
    if (t.table == table) return &t;
  }
  return nullptr;
}

const AccessRole& AccessSpec::owner() const {
  for (const AccessRole& r : roles) {
    if (r.owner) return r;
  }
  DBARCH_CHECK(false, "an access spec without an owner role passed validation");
  return roles.front();
}

const AccessRole* AccessSpec::FindRole(std::string_view key) const {
  for (const AccessRole& r : roles) {
    if (r.key == key) return &r;
  }
  return nullptr;
}

std::vector<const PersonalColumn*> AccessSpec::PersonalColumnsOf(
    const catalog::QualifiedName& table) const {
  std::vector<const PersonalColumn*> out;
  for (const PersonalColumn& p : personal) {
    if (p.table == table) out.push_back(&p);
  }
  return out;
}

std::vector<std::string> AccessSpec::Schemas() const {
  std::set<std::string> out;
  for (const AccessRole& r : roles) {
    for (const auto& [name, a] : r.tables) out.insert(name.schema);
    out.insert(r.execute_schemas.begin(), r.execute_schemas.end());
  }
  if (tenant) {
    for (const TenantTable& t : tenant->tables) out.insert(t.table.schema);
  }
  return {out.begin(), out.end()};
}

Result<AccessSpec> ParseAccessSpec(const std::string& path, const std::string& text,
                                   const catalog::Catalog& catalog) {
  Parser parser(path, catalog);
  return parser.Parse(text);
}

Result<AccessSpec> LoadAccessSpec(const std::string& path, const catalog::Catalog& catalog) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read access spec " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseAccessSpec(path, buffer.str(), catalog);
}

std::string TenantOfRowSql(const TenantTable& t, const std::string& row_ref) {
  if (t.hops.empty()) return row_ref + "." + ForceQuoteIdent(t.column);
  // (SELECT tN.col FROM p1 t1 JOIN p2 t2 ON ... WHERE t1.key = row.fk)
  std::string from;
  for (size_t i = 0; i < t.hops.size(); ++i) {
    const ForeignKeyHop& h = t.hops[i];
    std::string alias = "\"dbarch_t" + std::to_string(i + 1) + "\"";
    if (i == 0) {
      from = Qualified(h.parent) + " AS " + alias;
    } else {
      std::string prev_alias = "\"dbarch_t" + std::to_string(i) + "\"";
      std::vector<std::string> on;
      for (size_t k = 0; k < h.columns.size(); ++k) {
        on.push_back(alias + "." + ForceQuoteIdent(h.parent_columns[k]) + " = " + prev_alias + "." +
                     ForceQuoteIdent(h.columns[k]));
      }
      from += " JOIN " + Qualified(h.parent) + " AS " + alias + " ON " + Join(on, " AND ");
    }
  }
  const ForeignKeyHop& first = t.hops.front();
  std::vector<std::string> where;
  for (size_t k = 0; k < first.columns.size(); ++k) {
    where.push_back("\"dbarch_t1\"." + ForceQuoteIdent(first.parent_columns[k]) + " = " + row_ref +
                    "." + ForceQuoteIdent(first.columns[k]));
  }
  std::string last = "\"dbarch_t" + std::to_string(t.hops.size()) + "\"";
  return "(SELECT " + last + "." + ForceQuoteIdent(t.column) + " FROM " + from + " WHERE " +
         Join(where, " AND ") + ")";
}

std::string TenantPredicateSql(const TenantSpec& spec, const TenantTable& t) {
  std::string tenant =
      "NULLIF(current_setting(" + QuoteLiteral(spec.setting) + ", true), '')::" + spec.key_type;
  std::string self = ForceQuoteIdent(t.table.name);
  if (t.hops.empty()) return self + "." + ForceQuoteIdent(t.column) + " = " + tenant;
  return TenantOfRowSql(t, self) + " = " + tenant;
}

}  // namespace dbarch::security
