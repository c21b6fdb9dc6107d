#include "report/secure_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "base/strings.h"

namespace dbarch::report {
namespace {

using security::AccessCell;
using security::AccessRole;
using security::AccessSpec;
using security::TenantPath;
using security::TenantTable;

std::string Display(const catalog::QualifiedName& q) { return q.schema + "." + q.name; }

std::string TenantHow(const TenantTable& t) {
  switch (t.kind) {
    case TenantPath::kRoot:
      return "tenant table (" + t.column + ")";
    case TenantPath::kColumn:
      return "column " + t.column;
    case TenantPath::kForeignKey: {
      std::string out = "via";
      for (const security::ForeignKeyHop& h : t.hops) {
        out += " " + Join(h.columns, ",") + " -> " + Display(h.parent);
      }
      return out + "." + t.column;
    }
  }
  return "";
}

std::string Cell(const AccessCell& c) {
  if (c.ok()) return c.observed;
  return c.expected + "->" + c.observed + "!";
}

bool IsGridCheck(const std::string& check) {
  return check == "select" || check == "insert" || check == "update" || check == "delete";
}

}  // namespace

std::string SecureToText(const AccessSpec& spec, const security::VerifyResult* verify) {
  std::string out = "access design from " + spec.path + "\n\nroles:\n";
  for (const AccessRole& r : spec.roles) {
    int reads = 0, writes = 0;
    for (const auto& [name, a] : r.tables) {
      reads += a.select ? 1 : 0;
      writes += (a.insert || a.update || a.remove) ? 1 : 0;
    }
    out += fmt::format("  {:<10} group {:<16} login {:<16} {}tenant {}, personal data {}", r.key,
                       r.group, Join(r.logins, ","), r.owner ? "owner, " : "",
                       r.tenant == security::TenantAccess::kAll ? "all" : "isolated",
                       r.personal_clear ? "clear" : "masked");
    if (!r.owner) out += fmt::format(", reads {} writes {} relations", reads, writes);
    out += "\n";
  }
  if (spec.tenant) {
    out += "\ntenant isolation on " + spec.tenant->setting + " (tenant table " +
           Display(spec.tenant->root) + "):\n";
    for (const TenantTable& t : spec.tenant->tables) {
      out += fmt::format("  {:<28} {}\n", Display(t.table), TenantHow(t));
    }
  }
  if (!spec.personal.empty()) {
    out += "\npersonal data (masked for roles without personal_data: clear):\n";
    for (const security::PersonalColumn& p : spec.personal) {
      out += fmt::format("  {:<28} {}\n", Display(p.table) + "." + p.column,
                         security::MaskMethodName(p.mask));
    }
  }
  if (verify == nullptr) return out;
  out += fmt::format(
      "\naccess matrix: {} cells, {} mismatches (a mismatch shows expected->observed!)\n",
      verify->cells.size(), verify->mismatches);
  std::string role;
  std::map<std::string, std::map<std::string, const AccessCell*>> grid;
  std::vector<std::string> order;
  std::vector<const AccessCell*> others;
  auto flush = [&]() {
    if (role.empty()) return;
    if (!order.empty()) {
      out += fmt::format("  {:<30} {:<10} {:<10} {:<10} {:<10}\n", "relation", "select", "insert",
                         "update", "delete");
    }
    for (const std::string& obj : order) {
      auto& row = grid[obj];
      auto get = [&](const char* k) { return row.count(k) ? Cell(*row[k]) : std::string("-"); };
      out += fmt::format("  {:<30} {:<10} {:<10} {:<10} {:<10}\n", obj, get("select"),
                         get("insert"), get("update"), get("delete"));
    }
    for (const AccessCell* c : others) {
      out += fmt::format("  {:<30} {:<20} {}\n", c->object, c->check, Cell(*c));
    }
    grid.clear();
    order.clear();
    others.clear();
  };
  for (const AccessCell& c : verify->cells) {
    std::string key = c.role + " (login " + c.login + ")";
    if (key != role) {
      flush();
      role = key;
      out += "\nrole " + key + ":\n";
    }
    if (IsGridCheck(c.check)) {
      if (!grid.count(c.object)) order.push_back(c.object);
      grid[c.object][c.check] = &c;
    } else {
      others.push_back(&c);
    }
  }
  flush();
  bool header = false;
  for (const AccessCell& c : verify->cells) {
    if (c.ok()) continue;
    if (!header) out += "\nmismatches:\n";
    header = true;
    out += fmt::format("  {} {} {}: expected {}, observed {}: {}\n", c.login, c.check, c.object,
                       c.expected, c.observed, c.detail);
  }
  for (const std::string& n : verify->notes) out += "note: " + n + "\n";
  out += std::string("\nthe SQL applied twice: ") +
         (verify->idempotent ? "same roles, privileges, policies and views after both runs\n"
                             : "NOT idempotent: the second run changed roles, privileges, "
                               "policies or views\n");
  if (verify->hba_checked) {
    out += verify->hba_errors.empty()
               ? "pg_hba.conf lines: installed (address ranges as 127.0.0.1/32), reloaded, and "
                 "every login above went through them (ssl on)\n"
               : "pg_hba.conf lines: the server rejects " + Join(verify->hba_errors, "; ") + "\n";
  }
  if (verify->audit_log_checked) {
    out += fmt::format(
        "\naudit log (pgaudit loaded; AUDIT lines in the server log, expected->observed "
        "where they differ): {} statements, {} mismatches\n",
        verify->audit_proof.size(), verify->audit_proof_mismatches);
    out += fmt::format("  {:<20} {:<32} {:<6} {:<8} {}\n", "login", "statement", "class", "session",
                       "object");
    auto yes = [](bool b) { return std::string(b ? "yes" : "no"); };
    auto cell = [&](bool expected, bool observed) {
      return expected == observed ? yes(observed) : yes(expected) + "->" + yes(observed) + "!";
    };
    for (const security::AuditProof& p : verify->audit_proof) {
      out += fmt::format("  {:<20} {:<32} {:<6} {:<8} {}{}\n", p.login, p.statement, p.log_class,
                         cell(p.expect_session, p.session), cell(p.expect_object, p.object),
                         p.detail.empty() ? "" : " (" + p.detail + ")");
    }
  }
  out += fmt::format("\naudit of the result: {} findings, {} of severity error\n",
                     verify->audit_findings, verify->audit_errors.size());
  for (const std::string& e : verify->audit_errors) out += "  error " + e + "\n";
  for (const std::string& e : verify->audit_others) out += "  " + e + "\n";
  return out;
}

std::string SecureToJson(const AccessSpec& spec, const security::SecureArtifacts& artifacts,
                         const security::VerifyResult* verify) {
  nlohmann::ordered_json j;
  nlohmann::ordered_json design;
  design["spec"] = spec.path;
  design["database"] = spec.database;
  auto roles = nlohmann::ordered_json::array();
  for (const AccessRole& r : spec.roles) {
    nlohmann::ordered_json role;
    role["key"] = r.key;
    role["group"] = r.group;
    role["logins"] = r.logins;
    role["hosts"] = r.hosts;
    role["owner"] = r.owner;
    role["tenant"] = r.tenant == security::TenantAccess::kAll ? "all" : "isolated";
    role["personal_data"] = r.personal_clear ? "clear" : "masked";
    auto tables = nlohmann::ordered_json::array();
    for (const auto& [name, a] : r.tables) {
      nlohmann::ordered_json t;
      t["table"] = Display(name);
      std::vector<std::string> privs;
      if (a.select) privs.push_back("select");
      if (a.insert) privs.push_back("insert");
      if (a.update) privs.push_back("update");
      if (a.remove) privs.push_back("delete");
      t["privileges"] = privs;
      if (!a.select_columns.empty()) t["columns"] = a.select_columns;
      tables.push_back(t);
    }
    role["tables"] = tables;
    roles.push_back(role);
  }
  design["roles"] = roles;
  if (spec.tenant) {
    nlohmann::ordered_json tenant;
    tenant["column"] = spec.tenant->column;
    tenant["root"] = Display(spec.tenant->root);
    tenant["setting"] = spec.tenant->setting;
    auto tables = nlohmann::ordered_json::array();
    for (const TenantTable& t : spec.tenant->tables) {
      tables.push_back({{"table", Display(t.table)}, {"how", TenantHow(t)}});
    }
    tenant["tables"] = tables;
    design["tenant"] = tenant;
  }
  auto personal = nlohmann::ordered_json::array();
  for (const security::PersonalColumn& p : spec.personal) {
    personal.push_back({{"column", Display(p.table) + "." + p.column},
                        {"mask", std::string(security::MaskMethodName(p.mask))}});
  }
  design["personal_data"] = personal;
  j["design"] = design;
  j["artifacts"] = {{"sql", artifacts.sql},
                    {"pg_hba", artifacts.pg_hba},
                    {"postgresql_conf", artifacts.postgresql_conf}};
  if (verify != nullptr) {
    nlohmann::ordered_json v;
    auto cells = nlohmann::ordered_json::array();
    for (const AccessCell& c : verify->cells) {
      nlohmann::ordered_json cell;
      cell["role"] = c.role;
      cell["login"] = c.login;
      cell["object"] = c.object;
      cell["check"] = c.check;
      cell["expected"] = c.expected;
      cell["observed"] = c.observed;
      cell["ok"] = c.ok();
      if (!c.detail.empty()) cell["detail"] = c.detail;
      cells.push_back(cell);
    }
    v["cells"] = cells;
    v["mismatches"] = verify->mismatches;
    v["idempotent"] = verify->idempotent;
    v["hba_checked"] = verify->hba_checked;
    v["hba_errors"] = verify->hba_errors;
    v["hba_lines"] = verify->hba_lines;
    auto proof = nlohmann::ordered_json::array();
    for (const security::AuditProof& p : verify->audit_proof) {
      nlohmann::ordered_json row;
      row["role"] = p.role;
      row["login"] = p.login;
      row["statement"] = p.statement;
      row["class"] = p.log_class;
      row["expected"] = {{"session", p.expect_session}, {"object", p.expect_object}};
      row["observed"] = {{"session", p.session}, {"object", p.object}};
      row["ok"] = p.ok();
      if (!p.detail.empty()) row["detail"] = p.detail;
      proof.push_back(row);
    }
    v["audit_log"] = {{"checked", verify->audit_log_checked},
                      {"mismatches", verify->audit_proof_mismatches},
                      {"statements", proof}};
    v["notes"] = verify->notes;
    v["audit_findings"] = verify->audit_findings;
    v["audit_errors"] = verify->audit_errors;
    v["audit_others"] = verify->audit_others;
    v["rows_loaded"] = verify->rows_loaded;
    v["timings_ms"] = {
        {"load", verify->load_ms}, {"apply", verify->apply_ms}, {"matrix", verify->matrix_ms}};
    j["verify"] = v;
  }
  return j.dump(2) + "\n";
}

}  // namespace dbarch::report
