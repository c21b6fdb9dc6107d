// CatalogBuilder: policies, roles, grants, default privileges, comments and owners.
// See builder_impl.h.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
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

Status CatalogBuilder::Impl::CreatePolicy(const PgQuery__CreatePolicyStmt* s) {
  DBARCH_ASSIGN_OR_RETURN(QualifiedName table, FindTableName(s->table));
  Policy p;
  p.name = s->policy_name;
  p.permissive = s->permissive;
  p.command = Upper(s->cmd_name != nullptr ? s->cmd_name : "all");
  for (const Node* r : Nodes(s->n_roles, s->roles)) {
    std::string n = RoleName(r->role_spec);
    p.roles.push_back(n == "PUBLIC" ? "public" : n);
  }
  // PUBLIC among other roles is PUBLIC alone: the server ignores the others (with a warning).
  if (p.roles.empty() || std::find(p.roles.begin(), p.roles.end(), "public") != p.roles.end()) {
    p.roles = {"public"};
  }
  std::sort(p.roles.begin(), p.roles.end());
  hints_ = HintsFor(cat_.tables[table]);
  if (s->qual != nullptr) {
    DBARCH_ASSIGN_OR_RETURN(p.using_expr, CanonicalOrError(s->qual, false, &hints_));
  }
  if (s->with_check != nullptr) {
    DBARCH_ASSIGN_OR_RETURN(p.check_expr, CanonicalOrError(s->with_check, false, &hints_));
  }
  Table& t = cat_.tables[table];
  for (const Policy& x : t.policies) {
    if (x.name == p.name) {
      return Error(Status::InvalidArgument("policy \"" + p.name + "\" for table \"" + table.Quoted() + "\" already exists"), -1);
    }
  }
  t.policies.push_back(p);
  return Status::OK();
}

Status CatalogBuilder::Impl::AlterPolicy(const PgQuery__AlterPolicyStmt* s) {
  DBARCH_ASSIGN_OR_RETURN(QualifiedName table, FindTableName(s->table));
  Table& t = cat_.tables[table];
  for (Policy& p : t.policies) {
    if (p.name != s->policy_name) continue;
    if (s->n_roles > 0) {
      p.roles.clear();
      for (const Node* r : Nodes(s->n_roles, s->roles)) {
        std::string n = RoleName(r->role_spec);
        p.roles.push_back(n == "PUBLIC" ? "public" : n);
      }
      if (std::find(p.roles.begin(), p.roles.end(), "public") != p.roles.end()) {
        p.roles = {"public"};
      }
      std::sort(p.roles.begin(), p.roles.end());
    }
    hints_ = HintsFor(cat_.tables[table]);
  if (s->qual != nullptr) {
    DBARCH_ASSIGN_OR_RETURN(p.using_expr, CanonicalOrError(s->qual, false, &hints_));
  }
    if (s->with_check != nullptr) {
    DBARCH_ASSIGN_OR_RETURN(p.check_expr, CanonicalOrError(s->with_check, false, &hints_));
  }
    return Status::OK();
  }
  std::vector<std::string> names;
  for (const Policy& p : t.policies) names.push_back(p.name);
  return NotFound("policy", s->policy_name, -1, names);
}



namespace {

// 64-bit FNV-1a of `text`, as 16 hex digits: tells two passwords apart without keeping them.
std::string Fingerprint(std::string_view text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  static const char* kHex = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<size_t>(i)] = kHex[h & 15];
  return out;
}

// Whether a PASSWORD literal is already a hash the server stores as given.
bool IsPasswordHash(std::string_view p) {
  if (p.rfind("SCRAM-SHA-256$", 0) == 0) return true;
  if (p.size() != 35 || p.rfind("md5", 0) != 0) return false;
  for (char c : p.substr(3)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// VALID UNTIL as UTC "YYYY-MM-DD HH:MM:SS+00" ("" for 'infinity'). Reads a date, an optional
// time (fractions dropped) and an optional zone (Z, UTC, +HH, +HH:MM, +HHMM); without a zone
// the value is taken as UTC. Anything else is kept as written.
std::string NormalizeValidUntil(std::string_view v) {
  std::string t(Trim(v));
  std::string lower;
  for (char c : t) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "infinity") return "";
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, off_min = 0;
  size_t i = 0;
  auto num = [&](size_t digits, int& out) {
    if (i + digits > t.size()) return false;
    out = 0;
    for (size_t k = 0; k < digits; ++k) {
      char c = t[i + k];
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    i += digits;
    return true;
  };
  auto lit = [&](char c) {
    if (i < t.size() && t[i] == c) {
      ++i;
      return true;
    }
    return false;
  };
  if (!num(4, y) || !lit('-') || !num(2, mo) || !lit('-') || !num(2, d)) return t;
  if (lit(' ') || lit('T')) {
    if (!num(2, h) || !lit(':') || !num(2, mi)) return t;
    if (lit(':') && !num(2, se)) return t;
    if (lit('.')) {
      while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    }
  }
  while (i < t.size() && t[i] == ' ') ++i;
  std::string zone = lower.substr(i);
  if (zone == "z" || zone == "utc" || zone == "gmt" || zone.empty()) {
    off_min = 0;
  } else if (zone[0] == '+' || zone[0] == '-') {
    int sign = zone[0] == '-' ? -1 : 1;
    i += 1;
    int oh = 0, om = 0;
    if (!num(2, oh)) return t;
    if (lit(':')) {
      if (!num(2, om)) return t;
    } else if (i < t.size() && !num(2, om)) {
      return t;
    }
    if (i != t.size()) return t;
    off_min = sign * (oh * 60 + om);
  } else {
    return t;
  }
  // Days since 1970-01-01 of a civil date (proleptic Gregorian), and back.
  auto days_from_civil = [](int yy, int mm, int dd) {
    yy -= mm <= 2;
    const int era = (yy >= 0 ? yy : yy - 399) / 400;
    const int yoe = yy - era * 400;
    const int doy = (153 * (mm + (mm > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<int64_t>(era) * 146097 + doe - 719468;
  };
  int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off_min * 60;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2);
  char buf[128];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld+00",
                static_cast<long long>(year), static_cast<long long>(month),
                static_cast<long long>(day), static_cast<long long>(rem / 3600),
                static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  return buf;
}

void ApplyRoleOptions(Role& r, sql::NodeRange options, std::vector<std::string>* members) {
  for (const Node* o : options) {
    const PgQuery__DefElem* d = o->def_elem;
    std::string_view k = d->defname;
    if (k == "canlogin") r.login = DefElemBool(d);
    else if (k == "superuser") r.superuser = DefElemBool(d);
    else if (k == "createdb") r.create_db = DefElemBool(d);
    else if (k == "createrole") r.create_role = DefElemBool(d);
    else if (k == "inherit") r.inherit = DefElemBool(d);
    else if (k == "isreplication") r.replication = DefElemBool(d);
    else if (k == "bypassrls") r.bypass_rls = DefElemBool(d);
    else if (k == "connectionlimit") r.connection_limit = sql::IntVal(d->arg, -1);
    else if (k == "addroleto") {
      for (const Node* n : Nodes(d->arg->list->n_items, d->arg->list->items)) {
        r.member_of.push_back(n->role_spec->rolename);
      }
    } else if (k == "rolemembers" && members != nullptr) {
      for (const Node* n : Nodes(d->arg->list->n_items, d->arg->list->items)) {
        members->push_back(n->role_spec->rolename);
      }
    } else if (k == "validUntil")
      r.valid_until = NormalizeValidUntil(sql::StrVal(d->arg));
    else if (k == "password") {
      // Kept only as a hash literal given as such; clear text only as a fingerprint.
      r.password_hash.clear();
      r.password_fingerprint.clear();
      if (d->arg == nullptr) {
        r.password = RolePassword::kNone;
      } else if (IsPasswordHash(sql::StrVal(d->arg))) {
        r.password = RolePassword::kHash;
        r.password_hash = std::string(sql::StrVal(d->arg));
      } else {
        r.password = RolePassword::kClearText;
        r.password_fingerprint = Fingerprint(sql::StrVal(d->arg));
      }
    }
  }
  std::sort(r.member_of.begin(), r.member_of.end());
}

}  // namespace

Status CatalogBuilder::Impl::CreateRole(const PgQuery__CreateRoleStmt* s) {
  std::string name = s->role;
  if (cat_.roles.count(name)) return Error(Status::InvalidArgument("role \"" + name + "\" already exists"), -1);
  Role r;
  r.name = name;
  r.login = s->stmt_type == PG_QUERY__ROLE_STMT_TYPE__ROLESTMT_USER;
  std::vector<std::string> members;
  ApplyRoleOptions(r, Nodes(s->n_options, s->options), &members);
  r.origin = MakeOrigin();
  cat_.roles[name] = r;
  std::erase(cat_.dropped_roles, name);
  for (const std::string& m : members) {
    if (cat_.roles.count(m)) {
      auto& mo = cat_.roles[m].member_of;
      mo.push_back(name);
      std::sort(mo.begin(), mo.end());
    }
  }
  return Status::OK();
}

Status CatalogBuilder::Impl::AlterRole(const PgQuery__AlterRoleStmt* s) {
  std::string name = RoleName(s->role);
  if (!cat_.roles.count(name)) return KeepOther(stmt_->node, name);  // a role not in this schema
  ApplyRoleOptions(cat_.roles[name], Nodes(s->n_options, s->options), nullptr);
  return Status::OK();
}

Status CatalogBuilder::Impl::DropRole(const PgQuery__DropRoleStmt* s) {
  for (const Node* r : Nodes(s->n_roles, s->roles)) {
    std::string name = RoleName(r->role_spec);
    if (!cat_.roles.count(name)) {
      if (s->missing_ok) {
        // DROP ROLE IF EXISTS of a role this schema does not create: it must not exist.
        auto at = std::lower_bound(cat_.dropped_roles.begin(), cat_.dropped_roles.end(), name);
        if (at == cat_.dropped_roles.end() || *at != name) cat_.dropped_roles.insert(at, name);
        continue;
      }
      std::vector<std::string> names;
      for (const auto& [n, role] : cat_.roles) names.push_back(n);
      return NotFound("role", name, -1, names);
    }
    cat_.roles.erase(name);
    auto at = std::lower_bound(cat_.dropped_roles.begin(), cat_.dropped_roles.end(), name);
    if (at == cat_.dropped_roles.end() || *at != name) cat_.dropped_roles.insert(at, name);
  }
  return Status::OK();
}

Status CatalogBuilder::Impl::GrantRole(const PgQuery__GrantRoleStmt* s) {
  for (const Node* g : Nodes(s->n_grantee_roles, s->grantee_roles)) {
    std::string member = RoleName(g->role_spec);
    if (!cat_.roles.count(member)) return KeepOther(stmt_->node, member);
    auto& mo = cat_.roles[member].member_of;
    for (const Node* granted : Nodes(s->n_granted_roles, s->granted_roles)) {
      std::string role = granted->access_priv->priv_name;
      if (s->is_grant) {
        if (std::find(mo.begin(), mo.end(), role) == mo.end()) mo.push_back(role);
      } else {
        std::erase(mo, role);
      }
    }
    std::sort(mo.begin(), mo.end());
  }
  return Status::OK();
}

void CatalogBuilder::Impl::ApplyDefaultPrivileges(const char* object_type, ObjectKind kind,
                                                  const std::string& schema,
                                                  const std::string& object,
                                                  const std::string& owner) {
  for (const DefaultPrivilege& d : cat_.default_privileges) {
    if (d.object_type != object_type || d.role != owner) continue;
    if (!d.schema.empty() && d.schema != schema) continue;
    if (d.revokes_builtin) {
      // The object is created without the privilege PUBLIC would hold by default.
      RevokeBuiltin(Grant{kind, object, "", d.grantee, d.privilege, false});
      continue;
    }
    GrantOne(Grant{kind, object, "", d.grantee, d.privilege, d.with_grant_option});
  }
  std::sort(cat_.grants.begin(), cat_.grants.end());
}

Status CatalogBuilder::Impl::AlterDefaultPrivileges(const PgQuery__AlterDefaultPrivilegesStmt* s) {
  std::vector<std::string> roles;
  std::vector<std::string> schemas;
  for (const Node* o : Nodes(s->n_options, s->options)) {
    const PgQuery__DefElem* d = o->def_elem;
    for (const Node* item : Nodes(d->arg->list->n_items, d->arg->list->items)) {
      if (std::string_view(d->defname) == "roles") {
        roles.push_back(RoleName(item->role_spec));
      } else if (std::string_view(d->defname) == "schemas") {
        std::string schema(StrVal(item));
        DBARCH_RETURN_IF_ERROR(CheckSchemaExists(schema, -1));
        schemas.emplace_back(schema);
      }
    }
  }
  if (roles.empty()) roles.push_back(current_role_);
  if (schemas.empty()) schemas.emplace_back();
  const PgQuery__GrantStmt* g = s->action;
  std::string type;
  ObjectKind kind;
  switch (g->objtype) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE: type = "TABLES"; kind = ObjectKind::kTable; break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE: type = "SEQUENCES"; kind = ObjectKind::kSequence; break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: type = "FUNCTIONS"; kind = ObjectKind::kFunction; break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: type = "TYPES"; kind = ObjectKind::kType; break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: type = "SCHEMAS"; kind = ObjectKind::kSchema; break;
    default: return KeepOther(stmt_->node, "");
  }
  std::vector<std::string> privs;
  for (const Node* pn : Nodes(g->n_privileges, g->privileges)) privs.push_back(Upper(pn->access_priv->priv_name));
  if (privs.empty()) privs = AllPrivileges(kind, false);
  for (const std::string& role : roles) {
    for (const std::string& schema : schemas) {
      for (const Node* gn : Nodes(g->n_grantees, g->grantees)) {
        std::string grantee = RoleName(gn->role_spec);
        for (const std::string& priv : privs) {
          DefaultPrivilege d{role, schema, type, grantee, priv, g->grant_option != 0, false};
          auto same = [&](const DefaultPrivilege& x) {
            return x.role == d.role && x.schema == d.schema && x.object_type == d.object_type &&
                   x.grantee == d.grantee && x.privilege == d.privilege;
          };
          // PUBLIC's built-in EXECUTE / USAGE, and the privileges the role holds on what it
          // creates: a global entry takes them away and gives them back; one IN SCHEMA only
          // adds to the global ones.
          bool builtin = (grantee == "PUBLIC" && ((type == "FUNCTIONS" && priv == "EXECUTE") ||
                                                  (type == "TYPES" && priv == "USAGE"))) ||
                         (grantee == role && IsOwnerPrivilege(kind, priv));
          if (g->is_grant) {
            // Granting back a built-in default undoes its revocation.
            size_t before = cat_.default_privileges.size();
            std::erase_if(cat_.default_privileges, [&](const DefaultPrivilege& x) { return same(x) && x.revokes_builtin; });
            if (builtin && (before != cat_.default_privileges.size() || schema.empty())) continue;
            if (std::none_of(cat_.default_privileges.begin(), cat_.default_privileges.end(), same)) {
              cat_.default_privileges.push_back(d);
            }
          } else {
            size_t before = cat_.default_privileges.size();
            if (g->grant_option) {
              for (DefaultPrivilege& x : cat_.default_privileges) {
                if (same(x)) x.with_grant_option = false;
              }
              continue;
            }
            std::erase_if(cat_.default_privileges, same);
            if (before == cat_.default_privileges.size() && builtin && schema.empty()) {
              d.revokes_builtin = true;
              cat_.default_privileges.push_back(d);
            }
          }
        }
      }
    }
  }
  std::sort(cat_.default_privileges.begin(), cat_.default_privileges.end());
  return Status::OK();
}

void CatalogBuilder::Impl::GrantOne(Grant g) {
  for (Grant& x : cat_.grants) {
    if (x.object_kind == g.object_kind && x.object == g.object && x.column == g.column &&
        x.grantee == g.grantee && x.privilege == g.privilege) {
      x.with_grant_option |= g.with_grant_option;
      return;
    }
  }
  cat_.grants.push_back(std::move(g));
}

bool CatalogBuilder::Impl::IsBuiltinPublicPrivilege(ObjectKind kind, const std::string& object,
                                                    const std::string& privilege) const {
  switch (kind) {
    case ObjectKind::kFunction:
    case ObjectKind::kProcedure:
      return privilege == "EXECUTE";
    case ObjectKind::kType:
    case ObjectKind::kDomain:
      return privilege == "USAGE";
    case ObjectKind::kSchema:
      // The schema public (as the server creates it, and as a dump names it: one dropped and
      // created again is taken for it).
      return privilege == "USAGE" && object == QuoteIdent("public");
    case ObjectKind::kLanguage:
      return privilege == "USAGE";
    case ObjectKind::kDatabase:
      return privilege == "CONNECT" || privilege == "TEMPORARY";
    default:
      return false;
  }
}

bool CatalogBuilder::Impl::IsOwnerPrivilege(ObjectKind kind, const std::string& privilege) {
  std::vector<std::string> all = AllPrivileges(kind, false);
  return std::find(all.begin(), all.end(), privilege) != all.end();
}

void CatalogBuilder::Impl::TransferOwnerPrivileges(ObjectKind kind, const std::string& object,
                                                   const std::string& from, const std::string& to) {
  if (from == to) return;
  auto on = [&](const Grant& g) { return g.object_kind == kind && g.object == object; };
  // What the new owner was granted on the whole object is now part of its owner's entry.
  std::set<std::string> held;
  std::erase_if(cat_.grants, [&](const Grant& g) {
    if (!on(g) || !g.column.empty() || g.grantee != to) return false;
    held.insert(g.privilege);
    return true;
  });
  std::vector<Grant> revoked;
  std::erase_if(cat_.revoked_defaults, [&](const Grant& g) {
    if (!on(g) || g.grantee != from) return false;
    revoked.push_back(g);
    return true;
  });
  for (Grant g : revoked) {
    if (held.count(g.privilege)) continue;
    g.grantee = to;
    RevokeBuiltin(g);
  }
  // Column grants of the old owner, and the grant options it was given explicitly on the
  // whole object, become the new owner's.
  std::vector<Grant> columns;
  std::erase_if(cat_.grants, [&](const Grant& g) {
    if (!on(g) || g.grantee != from || (g.column.empty() && !g.with_grant_option)) return false;
    columns.push_back(g);
    return true;
  });
  for (Grant g : columns) {
    g.grantee = to;
    GrantOne(g);
  }
  std::sort(cat_.grants.begin(), cat_.grants.end());
}

void CatalogBuilder::Impl::RevokeBuiltin(const Grant& g) {
  auto& r = cat_.revoked_defaults;
  auto at = std::lower_bound(r.begin(), r.end(), g);
  if (at == r.end() || *at != g) r.insert(at, g);
}

void CatalogBuilder::Impl::RestoreBuiltin(const Grant& g) { std::erase(cat_.revoked_defaults, g); }

void CatalogBuilder::Impl::RevokeOne(const Grant& g, bool grant_option_only) {
  for (auto it = cat_.grants.begin(); it != cat_.grants.end();) {
    bool match = it->object_kind == g.object_kind && it->object == g.object &&
                 it->grantee == g.grantee && it->privilege == g.privilege &&
                 (it->column == g.column || g.column.empty());
    if (match && grant_option_only) {
      it->with_grant_option = false;
      ++it;
    } else if (match) {
      it = cat_.grants.erase(it);
    } else {
      ++it;
    }
  }
}

void CatalogBuilder::Impl::DropGrantsOn(ObjectKind kind, const std::string& object) {
  std::erase_if(cat_.grants, [&](const Grant& g) { return g.object_kind == kind && g.object == object; });
  std::erase_if(cat_.revoked_defaults,
                [&](const Grant& g) { return g.object_kind == kind && g.object == object; });
}

void CatalogBuilder::Impl::RenameGrantsOn(ObjectKind kind, const std::string& from, const std::string& to) {
  bool renamed = false;
  for (Grant& g : cat_.grants) {
    if (g.object_kind == kind && g.object == from) {
      g.object = to;
      renamed = true;
    }
  }
  if (renamed) std::sort(cat_.grants.begin(), cat_.grants.end());
  renamed = false;
  for (Grant& g : cat_.revoked_defaults) {
    if (g.object_kind == kind && g.object == from) {
      g.object = to;
      renamed = true;
    }
  }
  if (renamed) std::sort(cat_.revoked_defaults.begin(), cat_.revoked_defaults.end());
}

Status CatalogBuilder::Impl::GrantPrivileges(const PgQuery__GrantStmt* s) {
  ObjectKind kind;
  switch (s->objtype) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE: kind = ObjectKind::kTable; break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE: kind = ObjectKind::kSequence; break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: kind = ObjectKind::kFunction; break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: kind = ObjectKind::kSchema; break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: kind = ObjectKind::kType; break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_LANGUAGE: kind = ObjectKind::kLanguage; break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_DATABASE: kind = ObjectKind::kDatabase; break;
    default: return KeepOther(stmt_->node, "");
  }
  if (s->targtype == PG_QUERY__GRANT_TARGET_TYPE__ACL_TARGET_DEFAULTS) return KeepOther(stmt_->node, "");
  // Objects named by the statement, as the model spells them, with their kind and owner (a
  // GRANT ... ON TABLE may name a sequence). Languages and the database are taken to be
  // owned by the role that runs the DDL (the model does not hold their owners).
  struct Target {
    ObjectKind kind;
    std::string object;
    std::string owner;
  };
  std::vector<Target> objects;
  if (s->targtype == PG_QUERY__GRANT_TARGET_TYPE__ACL_TARGET_ALL_IN_SCHEMA) {
    for (const Node* sn : Nodes(s->n_objects, s->objects)) {
      std::string schema(StrVal(sn));
      DBARCH_RETURN_IF_ERROR(CheckSchemaExists(schema, -1));
      if (kind == ObjectKind::kTable) {
        for (const auto& [q, t] : cat_.tables)
          if (q.schema == schema) objects.push_back({kind, q.Quoted(), t.owner});
        for (const auto& [q, v] : cat_.views)
          if (q.schema == schema) objects.push_back({kind, q.Quoted(), v.owner});
      } else if (kind == ObjectKind::kSequence) {
        for (const auto& [q, sq] : cat_.sequences)
          if (q.schema == schema) objects.push_back({kind, q.Quoted(), sq.owner});
      } else if (kind == ObjectKind::kFunction) {
        // ALL FUNCTIONS takes aggregates but not procedures, ALL PROCEDURES only procedures,
        // ALL ROUTINES both.
        const bool functions = s->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE;
        const bool procedures = s->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION;
        for (const auto& [key, f] : cat_.functions)
          if (f.name.schema == schema && (f.is_procedure ? procedures : functions))
            objects.push_back({kind, key, f.owner});
      }
    }
  } else {
    for (const Node* o : Nodes(s->n_objects, s->objects)) {
      switch (kind) {
        case ObjectKind::kTable:
        case ObjectKind::kSequence: {
          const PgQuery__RangeVar* rv = o->range_var;
          std::vector<std::string> parts;
          if (rv->schemaname != nullptr && *rv->schemaname != '\0') parts.push_back(rv->schemaname);
          parts.push_back(rv->relname);
          bool seq = kind == ObjectKind::kSequence;
          DBARCH_ASSIGN_OR_RETURN(QualifiedName q, FindRelation(parts, rv->location, "relation", !seq, !seq, true, false));
          // GRANT ... ON TABLE works on sequences too; the object keeps its own kind.
          Target t{kind, q.Quoted(), ""};
          if (auto it = cat_.sequences.find(q); it != cat_.sequences.end()) {
            t.kind = ObjectKind::kSequence;
            t.owner = it->second.owner;
          } else if (auto id = identity_seqs_.find(q); id != identity_seqs_.end()) {
            t.kind = ObjectKind::kSequence;
            t.owner = cat_.tables[id->second.first].owner;
          } else if (auto tb = cat_.tables.find(q); tb != cat_.tables.end()) {
            t.owner = tb->second.owner;
          } else if (auto v = cat_.views.find(q); v != cat_.views.end()) {
            t.owner = v->second.owner;
          }
          objects.push_back(std::move(t));
          break;
        }
        case ObjectKind::kFunction: {
          DBARCH_ASSIGN_OR_RETURN(std::string key, FunctionKey(o->object_with_args, false, -1));
          objects.push_back({kind, key, cat_.functions[key].owner});
          break;
        }
        case ObjectKind::kSchema: {
          std::string schema(StrVal(o));
          DBARCH_RETURN_IF_ERROR(CheckSchemaExists(schema, -1));
          std::string owner = cat_.schemas[schema].owner;
          // The schema public as the server creates it belongs to pg_database_owner (a dump
          // names no other owner for it, so the model's "" stands for that role there).
          if (schema == "public" && owner.empty()) owner = "pg_database_owner";
          objects.push_back({kind, QuoteIdent(schema), owner});
          break;
        }
        case ObjectKind::kType: {
          DBARCH_ASSIGN_OR_RETURN(QualifiedName q, FindTypeName(NameParts(o), -1));
          objects.push_back({kind, q.Quoted(), cat_.types[q].owner});
          break;
        }
        case ObjectKind::kLanguage: {
          // Languages are not objects of the model: any name is taken as the server has it.
          // Not the built-in internal, c and sql, whose privileges pg_dump does not write
          // (a database and its dump would differ): kept as a statement not modelled.
          std::string language(StrVal(o));
          if (language == "internal" || language == "c" || language == "sql")
            return KeepOther(stmt_->node, language);
          auto owner = cat_.language_owners.find(language);
          objects.push_back({kind, QuoteIdent(language),
                             owner == cat_.language_owners.end() ? "" : owner->second});
          break;
        }
        case ObjectKind::kDatabase:
          // Whatever name the file gives, the database the schema is loaded into.
          objects.push_back({kind, kCurrentDatabase, cat_.database_owner.value_or("")});
          break;
        default: break;
      }
    }
  }
  std::vector<std::string> grantees;
  for (const Node* g : Nodes(s->n_grantees, s->grantees)) grantees.push_back(RoleName(g->role_spec));
  for (const Target& target : objects) {
    const std::string& object = target.object;
    const ObjectKind kind = target.kind;
    for (const std::string& grantee : grantees) {
      auto each = [&](const std::string& priv, const std::string& column) {
        Grant g{kind, object, column, grantee, priv, s->grant_option != 0};
        if (grantee == target.owner && column.empty() && IsOwnerPrivilege(kind, priv)) {
          // The owner holds every privilege by default (and its grant options, always): a
          // REVOKE takes one away, also from its columns; a GRANT gives it back. A grant
          // option given to the owner explicitly is listed by the ACL (pg_dump writes it as
          // GRANT ... TO owner WITH GRANT OPTION), so it is kept as a grant to the owner
          // until REVOKE GRANT OPTION FOR (or REVOKE) takes it.
          g.with_grant_option = false;
          if (s->is_grant) {
            RestoreBuiltin(g);
            if (s->grant_option) {
              g.with_grant_option = true;
              GrantOne(g);
            }
          } else if (!s->grant_option) {
            RevokeBuiltin(g);
            RevokeOne(g, false);
          } else {
            std::erase(cat_.grants, Grant{kind, object, "", grantee, priv, true});
          }
          return;
        }
        if (grantee == "PUBLIC" && column.empty() && IsBuiltinPublicPrivilege(kind, object, priv)) {
          // PUBLIC's built-in privilege: the ACL either holds it (as by default) or not.
          g.with_grant_option = false;
          if (s->is_grant) {
            RestoreBuiltin(g);
          } else if (!s->grant_option) {
            RevokeBuiltin(g);
          }
          return;
        }
        if (s->is_grant) {
          GrantOne(g);
        } else {
          RevokeOne(g, s->grant_option);
        }
      };
      if (s->n_privileges == 0) {
        for (const std::string& p : AllPrivileges(kind, false)) each(p, "");
        continue;
      }
      for (const Node* pn : Nodes(s->n_privileges, s->privileges)) {
        const PgQuery__AccessPriv* ap = pn->access_priv;
        std::vector<std::string> cols = sql::StrList(ap->cols, ap->n_cols);
        std::vector<std::string> privs;
        if (ap->priv_name == nullptr || *ap->priv_name == '\0') {
          privs = AllPrivileges(kind, !cols.empty());
        } else {
          std::string p = Upper(ap->priv_name);
          privs.push_back(p == "TEMP" ? "TEMPORARY" : p);
        }
        for (const std::string& p : privs) {
          if (cols.empty()) {
            each(p, "");
          } else {
            for (const std::string& c : cols) each(p, c);
          }
        }
      }
    }
  }
  std::sort(cat_.grants.begin(), cat_.grants.end());
  return Status::OK();
}

Status CatalogBuilder::Impl::Comment(const PgQuery__CommentStmt* s) {
  std::string text = s->comment != nullptr ? s->comment : "";
  std::vector<std::string> parts = NameParts(s->object);
  auto rel = [&](std::vector<std::string> p, bool tables, bool views, bool seqs, bool idx) {
    return FindRelation(p, -1, "relation", tables, views, seqs, idx);
  };
  switch (s->objtype) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX: {
      if (s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX &&
          !rel(parts, false, false, false, true).ok()) {
        // An index the server cloned on a partition for its parent's keeps its own comment.
        std::vector<std::string> schemas =
            parts.size() >= 2 ? std::vector<std::string>{parts[parts.size() - 2]} : search_path_;
        for (const std::string& schema : schemas) {
          Clone* c = FindClone(schema, TruncateIdentifier(parts.back()));
          if (c != nullptr && !c->constraint) {
            c->comment = text;
            return Status::OK();
          }
        }
      }
      DBARCH_ASSIGN_OR_RETURN(QualifiedName q, rel(parts, true, true, true, true));
      if (identity_seqs_.count(q)) return KeepOther(stmt_->node, q.name);  // not modelled
      if (cat_.tables.count(q)) cat_.tables[q].comment = text;
      else if (cat_.views.count(q)) cat_.views[q].comment = text;
      else if (cat_.sequences.count(q)) cat_.sequences[q].comment = text;
      else cat_.indexes[q].comment = text;
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN: {
      std::string column = parts.back();
      parts.pop_back();
      Result<QualifiedName> found = rel(parts, true, true, false, false);
      if (!found.ok()) {
        // An attribute of a composite type: valid, but its comment is not modelled.
        Result<QualifiedName> type = FindTypeName(parts, -1);
        auto it = type.ok() ? cat_.types.find(*type) : cat_.types.end();
        if (it != cat_.types.end() && it->second.kind == TypeKind::kComposite) {
          return KeepOther(stmt_->node, type->name + "." + column);
        }
        return found.status();
      }
      QualifiedName q = *found;
      if (cat_.views.count(q)) {
        if (text.empty()) {
          cat_.views[q].column_comments.erase(column);
        } else {
          cat_.views[q].column_comments[column] = text;
        }
        return Status::OK();
      }
      Column* c = cat_.tables[q].FindColumn(column);
      if (c == nullptr) return NotFound("column", column, -1, {});
      c->comment = text;
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT:
    case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
    case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY: {
      std::string name = parts.back();
      parts.pop_back();
      DBARCH_ASSIGN_OR_RETURN(QualifiedName q, rel(parts, true, false, false, false));
      Table& t = cat_.tables[q];
      if (s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT) {
        for (Constraint& c : t.constraints) if (c.name == name) { c.comment = text; return Status::OK(); }
        // A key the server cloned on a partition for its parent's keeps its own comment.
        QualifiedName owner;
        Clone* clone = FindClone(q.schema, name, &owner);
        if (clone != nullptr && clone->constraint && owner == q) {
          clone->comment = text;
          return Status::OK();
        }
        return NotFound("constraint", name, -1, {});
      }
      if (s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER) {
        for (Trigger& tr : t.triggers) if (tr.name == name) { tr.comment = text; return Status::OK(); }
        return NotFound("trigger", name, -1, {});
      }
      for (Policy& p : t.policies) if (p.name == name) { p.comment = text; return Status::OK(); }
      return NotFound("policy", name, -1, {});
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: {
      DBARCH_ASSIGN_OR_RETURN(QualifiedName q, FindTypeName(parts, -1));
      cat_.types[q].comment = text;
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_AGGREGATE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: {
      DBARCH_ASSIGN_OR_RETURN(std::string key, FunctionKey(s->object->object_with_args, false, -1));
      cat_.functions[key].comment = text;
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: {
      std::string schema(StrVal(s->object));
      DBARCH_RETURN_IF_ERROR(CheckSchemaExists(schema, -1));
      cat_.schemas[schema].comment = text;
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_ROLE: {
      std::string role(StrVal(s->object));
      if (!cat_.roles.count(role)) return KeepOther(stmt_->node, role);
      cat_.roles[role].comment = text;
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLLATION: {
      DBARCH_ASSIGN_OR_RETURN(QualifiedName q, FindCollation(parts, -1));
      cat_.collations[q].comment = text;
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMCONSTRAINT: {
      // object: List(TypeName, String constraint)
      const PgQuery__List* l = s->object->list;
      DBARCH_ASSIGN_OR_RETURN(QualifiedName q, FindTypeName(NameParts(l->items[0]), -1));
      std::string name(StrVal(l->items[1]));
      for (DomainConstraint& c : cat_.types[q].constraints) {
        if (c.name == name) {
          c.comment = text;
          return Status::OK();
        }
      }
      return NotFound("constraint", name, -1, {});
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_EXTENSION: {
      std::string name(StrVal(s->object));
      auto it = cat_.extensions.find(name);
      if (it == cat_.extensions.end()) return KeepOther(stmt_->node, name);  // built in
      it->second.comment = text;  // "" (IS NULL) removes the control file's comment
      return Status::OK();
    }
    default:
      return KeepOther(stmt_->node, Join(parts, "."));
  }
}

Status CatalogBuilder::Impl::AlterOwner(const PgQuery__AlterOwnerStmt* s) {
  std::string owner = RoleName(s->newowner);
  switch (s->object_type) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: {
      std::string schema(StrVal(s->object));
      DBARCH_RETURN_IF_ERROR(CheckSchemaExists(schema, -1));
      std::string before = cat_.schemas[schema].owner;
      if (schema == "public" && before.empty()) before = "pg_database_owner";
      TransferOwnerPrivileges(ObjectKind::kSchema, QuoteIdent(schema), before, owner);
      cat_.schemas[schema].owner = owner;
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: {
      DBARCH_ASSIGN_OR_RETURN(QualifiedName q, FindTypeName(NameParts(s->object), -1));
      TransferOwnerPrivileges(ObjectKind::kType, q.Quoted(), cat_.types[q].owner, owner);
      cat_.types[q].owner = owner;
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_AGGREGATE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: {
      DBARCH_ASSIGN_OR_RETURN(std::string key, FunctionKey(s->object->object_with_args, false, -1));
      TransferOwnerPrivileges(ObjectKind::kFunction, key, cat_.functions[key].owner, owner);
      cat_.functions[key].owner = owner;
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLLATION: {
      DBARCH_ASSIGN_OR_RETURN(QualifiedName q, FindCollation(NameParts(s->object), -1));
      cat_.collations[q].owner = owner;
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_DATABASE:
      // Whatever name the file gives, the database the schema is loaded into.
      TransferOwnerPrivileges(ObjectKind::kDatabase, kCurrentDatabase,
                              cat_.database_owner.value_or(""), owner);
      cat_.database_owner = owner;
      return Status::OK();
    case PG_QUERY__OBJECT_TYPE__OBJECT_LANGUAGE: {
      // As for privileges: not the built-in internal, c and sql.
      std::string language(StrVal(s->object));
      if (language == "internal" || language == "c" || language == "sql")
        return KeepOther(stmt_->node, language);
      auto before = cat_.language_owners.find(language);
      TransferOwnerPrivileges(ObjectKind::kLanguage, QuoteIdent(language),
                              before == cat_.language_owners.end() ? "" : before->second, owner);
      cat_.language_owners[language] = owner;
      return Status::OK();
    }
    default:
      // Objects the model does not hold (text search objects...):
      // giving one to the role that runs the DDL changes nothing a server would show.
      if (owner.empty()) return Status::OK();
      return KeepOther(stmt_->node, owner);
  }
}

}  // namespace dbarch::catalog
