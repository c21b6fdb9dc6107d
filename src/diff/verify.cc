#include "diff/verify.h"

#include <algorithm>
#include <set>

#include "base/strings.h"
#include "pg/introspect.h"
#include "report/catalog_sql.h"

namespace dbarch::diff {
namespace {

std::string FirstLine(const std::string& s) {
  // Skip leading comment lines (lint suppressions) so the line names the statement.
  size_t pos = 0;
  while (s.compare(pos, 2, "--") == 0) {
    size_t nl = s.find('\n', pos);
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  std::string line = s.substr(pos, s.find('\n', pos) - pos);
  if (line.size() > 200) line = line.substr(0, 200) + "...";
  return line;
}

Result<pg::Connection> Open(const std::string& conninfo) {
  pg::ConnectOptions options;
  options.conninfo = conninfo;
  options.read_only = false;
  options.statement_timeout_ms = 0;
  options.lock_timeout_ms = 0;
  options.application_name = "dbarch diff --verify";
  return pg::Connection::Open(options);
}

// The roles a schema names (owners, grantees): created on the server first, so that FROM and
// TO load there as they would on their own server.
std::set<std::string> RolesOf(const catalog::Catalog& cat) {
  std::set<std::string> out;
  for (const catalog::Grant& g : cat.grants) {
    if (g.grantee != "PUBLIC" && !g.grantee.empty()) out.insert(g.grantee);
  }
  for (const auto& [q, t] : cat.tables) {
    if (!t.owner.empty()) out.insert(t.owner);
    for (const catalog::Policy& p : t.policies) {
      for (const std::string& r : p.roles) {
        if (r != "public" && r != "current_user" && r != "session_user") out.insert(r);
      }
    }
  }
  for (const auto& [q, v] : cat.views) {
    if (!v.owner.empty()) out.insert(v.owner);
  }
  for (const auto& [q, s] : cat.sequences) {
    if (!s.owner.empty()) out.insert(s.owner);
  }
  for (const auto& [q, f] : cat.functions) {
    if (!f.owner.empty()) out.insert(f.owner);
  }
  for (const auto& [q, t] : cat.types) {
    if (!t.owner.empty()) out.insert(t.owner);
  }
  for (const auto& [q, s] : cat.schemas) {
    if (!s.owner.empty()) out.insert(s.owner);
  }
  for (const auto& [name, r] : cat.roles) out.insert(name);
  return out;
}

// The catalog without its roles: roles are cluster-wide, created once by Verify, and the
// comparison leaves them out.
catalog::Catalog WithoutRoles(const catalog::Catalog& cat) {
  catalog::Catalog out = cat;
  out.roles.clear();
  return out;
}

Status Load(pg::Connection& conn, const catalog::Catalog& cat, const std::string& what) {
  std::string script = "SET check_function_bodies = false;\n" + report::CatalogToSql(cat);
  Status st = conn.ExecScript(script);
  if (!st.ok()) {
    return Status::InvalidArgument("creating " + what +
                                   " on the verification server: " + st.message());
  }
  return Status::OK();
}

Result<catalog::Catalog> Read(pg::Connection& conn) {
  pg::IntrospectOptions options;
  options.include_roles = false;
  return pg::IntrospectCatalog(conn, options);
}

// What differs between the schema a script produced and the one expected.
std::vector<std::string> Differences(const catalog::Catalog& got, const catalog::Catalog& want) {
  DiffOptions options;
  options.allow_destructive = true;
  DiffResult d = Diff(got, want, options);
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const Change& c : d.changes) {
    std::string line = std::string(catalog::ObjectKindName(c.kind)) + " " + c.object;
    if (!seen.insert(line).second) continue;
    out.push_back(line + ": differs (" + (c.sql.empty() ? "" : FirstLine(c.sql.front())) + ")");
  }
  for (const std::string& w : d.warnings) out.push_back(w);
  // The whole column order: the diff compares the order of the columns both sides have, so
  // a column that up adds at the end where the target has it in the middle shows only here.
  for (const auto& [q, t] : want.tables) {
    auto it = got.tables.find(q);
    if (it == got.tables.end()) continue;
    std::vector<std::string> a, b;
    for (const catalog::Column& c : it->second.columns) a.push_back(QuoteIdent(c.name));
    for (const catalog::Column& c : t.columns) b.push_back(QuoteIdent(c.name));
    if (a != b && std::is_permutation(a.begin(), a.end(), b.begin(), b.end())) {
      out.push_back("table " + q.Quoted() + ": columns (" + Join(a, ", ") +
                    ") where the target has (" + Join(b, ", ") + ")");
    }
  }
  return out;
}

// Runs plain statements, each on its own (as psql does without --single-transaction).
void RunStatements(pg::Connection& conn, const std::vector<std::string>& statements,
                   VerifyDirection& out) {
  bool functions = false;
  for (const std::string& s : statements) {
    functions = functions || s.find("FUNCTION") != std::string::npos ||
                s.find("PROCEDURE") != std::string::npos;
  }
  if (functions) (void)conn.Exec("SET check_function_bodies = false");
  for (const std::string& s : statements) {
    auto r = conn.Exec(s);
    if (!r.ok()) {
      out.failed_statement = FirstLine(s);
      out.error = r.status().message();
      return;
    }
  }
  out.applied = true;
}

struct Databases {
  pg::Connection& admin;
  std::vector<std::string> names;
  ~Databases() {
    for (const std::string& n : names) {
      (void)admin.Exec("DROP DATABASE IF EXISTS " + QuoteIdent(n) + " WITH (FORCE)");
    }
  }
};

}  // namespace

std::string FormatVerifyText(const VerifyResult& result) {
  std::string out;
  for (const VerifyDirection* d : {&result.up, &result.down}) {
    bool up = d == &result.up;
    out += std::string("verify ") + (up ? "up" : "down") +
           (up && result.online ? " (online plan)" : "") + ": ";
    if (!d->applied && d->failed_statement.empty()) {
      out += "not run (up failed)\n";
      continue;
    }
    if (!d->applied) {
      out += "statement rejected\n  " + d->failed_statement + "\n  " + d->error + "\n";
      continue;
    }
    if (d->differences.empty()) {
      out += std::string("ok (") + (up ? "TO" : "FROM") + "'s schema)\n";
      continue;
    }
    out += std::to_string(d->differences.size()) + " difference(s) from " + (up ? "TO" : "FROM") +
           "\n";
    for (const std::string& line : d->differences) out += "  " + line + "\n";
  }
  return out;
}

Status RunOnlineSteps(pg::Connection& conn, const std::vector<OnlineStep>& steps) {
  for (const OnlineStep& s : steps) {
    bool wrap = s.in_transaction && s.sql.size() > 1;
    if (wrap) DBARCH_RETURN_IF_ERROR(conn.Exec("BEGIN").status());
    for (const std::string& stmt : s.sql) {
      auto r = conn.Exec(stmt);
      if (!r.ok()) {
        if (wrap) (void)conn.Exec("ROLLBACK");
        return Status::InvalidArgument(s.what + " " + s.object + ": " + FirstLine(stmt) + ": " +
                                       r.status().message());
      }
    }
    if (wrap) DBARCH_RETURN_IF_ERROR(conn.Exec("COMMIT").status());
  }
  return Status::OK();
}

Result<VerifyResult> Verify(const std::string& server_conninfo, const catalog::Catalog& from,
                            const catalog::Catalog& to, const DiffResult& up,
                            const DiffResult& down, const OnlinePlan* online,
                            const VerifyOptions& options) {
  DBARCH_ASSIGN_OR_RETURN(pg::Connection admin, Open(server_conninfo));
  std::set<std::string> roles = RolesOf(from);
  for (const std::string& r : RolesOf(to)) roles.insert(r);
  for (const std::string& r : roles) {
    // An existing role is fine: the server may be shared by several verifications.
    (void)admin.Exec("CREATE ROLE " + QuoteIdent(r));
  }
  std::string from_db = options.database_prefix + "_from";
  std::string to_db = options.database_prefix + "_to";
  Databases cleanup{admin, {}};
  for (const std::string& db : {from_db, to_db}) {
    (void)admin.Exec("DROP DATABASE IF EXISTS " + QuoteIdent(db) + " WITH (FORCE)");
    auto created = admin.Exec("CREATE DATABASE " + QuoteIdent(db));
    if (!created.ok()) return created.status();
    cleanup.names.push_back(db);
  }
  DBARCH_ASSIGN_OR_RETURN(pg::Connection from_conn,
                          Open(server_conninfo + " dbname=" + QuoteLiteral(from_db)));
  DBARCH_ASSIGN_OR_RETURN(pg::Connection to_conn,
                          Open(server_conninfo + " dbname=" + QuoteLiteral(to_db)));
  DBARCH_RETURN_IF_ERROR(Load(from_conn, WithoutRoles(from), "FROM"));
  DBARCH_RETURN_IF_ERROR(Load(to_conn, WithoutRoles(to), "TO"));
  // The expected schemas as this server shows them (one normal form on both sides).
  DBARCH_ASSIGN_OR_RETURN(catalog::Catalog want_from, Read(from_conn));
  DBARCH_ASSIGN_OR_RETURN(catalog::Catalog want_to, Read(to_conn));

  VerifyResult result;
  result.online = online != nullptr;
  if (online != nullptr) {
    result.up.applied = true;
    for (const OnlinePhase& phase : online->phases) {
      Status st = RunOnlineSteps(from_conn, phase.steps);
      if (!st.ok()) {
        result.up.applied = false;
        result.up.failed_statement = "phase " + phase.name;
        result.up.error = st.message();
        break;
      }
    }
    (void)from_conn.Exec("RESET ALL");
  } else {
    std::vector<std::string> statements = up.UpStatements();
    if (options.edit_up) options.edit_up(statements);
    RunStatements(from_conn, statements, result.up);
  }
  if (!result.up.applied) return result;
  DBARCH_ASSIGN_OR_RETURN(catalog::Catalog got, Read(from_conn));
  result.up.differences = Differences(got, want_to);
  RunStatements(from_conn, down.UpStatements(), result.down);
  if (!result.down.applied) return result;
  DBARCH_ASSIGN_OR_RETURN(catalog::Catalog back, Read(from_conn));
  result.down.differences = Differences(back, want_from);
  return result;
}

}  // namespace dbarch::diff
