#include "diff/verify.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "base/strings.h"
#include "diff/verify_sources.h"
#include "pg/introspect.h"
#include "report/catalog_sql.h"
#include "sql/parser.h"

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

bool IsCreateRole(std::string_view stmt) {
  std::string head;
  for (char c : stmt.substr(0, 24)) head += static_cast<char>(std::toupper(c));
  return head.rfind("CREATE ROLE", 0) == 0 || head.rfind("CREATE USER", 0) == 0 ||
         head.rfind("CREATE GROUP", 0) == 0;
}

// Runs a side's original text statement by statement, as psql would (each statement on its
// own). A CREATE ROLE of a role that exists is passed over: the roles are created first
// (cluster-wide, shared by both sides). Errors: the statement and the server's message.
Status LoadOriginal(pg::Connection& conn, const VerifySource& source) {
  (void)conn.Exec("SET check_function_bodies = false");
  for (const SourceFile& file : source.scripts) {
    DBARCH_ASSIGN_OR_RETURN(std::vector<sql::StatementRange> ranges, sql::SplitStatements(file));
    for (const sql::StatementRange& r : ranges) {
      std::string_view stmt = std::string_view(file.text()).substr(r.begin, r.end - r.begin);
      auto done = conn.Exec(stmt);
      if (done.ok()) continue;
      if (conn.last_sqlstate() == "42710" && IsCreateRole(stmt)) continue;
      return Status::InvalidArgument(file.name() + ":" + std::to_string(file.Locate(r.begin).line) +
                                     ": " + FirstLine(std::string(stmt)) + ": " +
                                     done.status().message());
    }
  }
  // A dump empties the search_path for its session.
  (void)conn.Exec("RESET ALL");
  return Status::OK();
}

// The lines of a pg_dump --schema-only text that matter for a comparison: without comments,
// blank lines and psql meta-commands (\restrict carries a random key).
std::vector<std::string> DumpLines(const std::string& dump) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < dump.size()) {
    size_t end = dump.find('\n', pos);
    if (end == std::string::npos) end = dump.size();
    std::string line = dump.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty() || line.rfind("--", 0) == 0 || line.rfind("\\", 0) == 0) continue;
    out.push_back(line);
  }
  return out;
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

// The lines of two dumps that differ, as "pg_dump: ..." lines (at most 10 of each side, then
// a count); a dump with the same lines in another order gives one line saying where.
std::vector<std::string> DumpDifferences(const std::vector<std::string>& got,
                                         const std::vector<std::string>& want) {
  std::vector<std::string> out;
  if (got == want) return out;
  std::multiset<std::string> a(got.begin(), got.end()), b(want.begin(), want.end());
  std::vector<std::string> only_got, only_want;
  for (const std::string& l : got) {
    auto it = b.find(l);
    if (it == b.end()) {
      only_got.push_back(l);
    } else {
      b.erase(it);
    }
  }
  for (const std::string& l : want) {
    auto it = a.find(l);
    if (it == a.end()) {
      only_want.push_back(l);
    } else {
      a.erase(it);
    }
  }
  auto list = [&](const std::vector<std::string>& lines, const char* what) {
    for (size_t i = 0; i < lines.size() && i < 10; ++i) {
      out.push_back(std::string("pg_dump: ") + what + ": " + FirstLine(lines[i]));
    }
    if (lines.size() > 10) {
      out.push_back("pg_dump: " + std::to_string(lines.size() - 10) + " more line(s) " + what);
    }
  };
  list(only_got, "only in the migrated database");
  list(only_want, "only in the expected schema");
  if (out.empty()) {
    size_t i = 0;
    while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
    out.push_back("pg_dump: the same lines in another order, from \"" +
                  FirstLine(i < got.size() ? got[i] : "") + "\"");
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
  if (!result.from_loaded_from.empty())
    out += "verify: FROM loaded from " + result.from_loaded_from + "\n";
  if (!result.to_loaded_from.empty())
    out += "verify: TO loaded from " + result.to_loaded_from + "\n";
  for (const std::string& n : result.notes) out += "verify: " + n + "\n";
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
    if (!s.psql_variable.empty()) continue;  // needs psql and the secret (as UpStatements)
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
  // A second copy of FROM, left as loaded: what down must give back, dump for dump.
  std::string ref_db = options.database_prefix + "_from_ref";
  Databases cleanup{admin, {}};
  auto recreate = [&](const std::string& db) -> Status {
    (void)admin.Exec("DROP DATABASE IF EXISTS " + QuoteIdent(db) + " WITH (FORCE)");
    auto created = admin.Exec("CREATE DATABASE " + QuoteIdent(db));
    if (!created.ok()) return created.status();
    if (std::find(cleanup.names.begin(), cleanup.names.end(), db) == cleanup.names.end())
      cleanup.names.push_back(db);
    return Status::OK();
  };
  auto conninfo = [&](const std::string& db) {
    return server_conninfo + " dbname=" + QuoteLiteral(db);
  };
  VerifyResult result;
  result.online = online != nullptr;
  // Each side from its original text when given, else (or when that fails) from the model.
  auto load_side = [&](const std::string& db, const VerifySource& source,
                       const catalog::Catalog& model, const std::string& what,
                       std::string& loaded_from) -> Status {
    DBARCH_RETURN_IF_ERROR(recreate(db));
    std::string fallback = source.description.empty() ? "not given" : source.description;
    if (!source.empty()) {
      DBARCH_ASSIGN_OR_RETURN(pg::Connection conn, Open(conninfo(db)));
      Status st = LoadOriginal(conn, source);
      if (st.ok()) {
        loaded_from = source.description;
        return Status::OK();
      }
      fallback = source.description + " failed to load: " + st.message();
      DBARCH_RETURN_IF_ERROR(recreate(db));  // whatever loaded before the failure goes
    }
    DBARCH_ASSIGN_OR_RETURN(pg::Connection conn, Open(conninfo(db)));
    DBARCH_RETURN_IF_ERROR(Load(conn, WithoutRoles(model), what));
    loaded_from = "dbarch's model (the original text " + fallback + ")";
    return Status::OK();
  };
  DBARCH_RETURN_IF_ERROR(
      load_side(from_db, options.from_source, from, "FROM", result.from_loaded_from));
  DBARCH_RETURN_IF_ERROR(load_side(to_db, options.to_source, to, "TO", result.to_loaded_from));
  std::string ref_loaded;
  DBARCH_RETURN_IF_ERROR(load_side(ref_db, options.from_source, from, "FROM", ref_loaded));
  DBARCH_ASSIGN_OR_RETURN(pg::Connection from_conn, Open(conninfo(from_db)));
  DBARCH_ASSIGN_OR_RETURN(pg::Connection to_conn, Open(conninfo(to_db)));
  // The expected schemas as this server shows them (one normal form on both sides).
  DBARCH_ASSIGN_OR_RETURN(catalog::Catalog want_from, Read(from_conn));
  DBARCH_ASSIGN_OR_RETURN(catalog::Catalog want_to, Read(to_conn));
  // The dumps to compare with; without pg_dump the comparison is left out (and said so).
  bool dumps = true;
  auto dump_of = [&](const std::string& db) -> std::vector<std::string> {
    if (!dumps) return {};
    auto d = PgDumpSchema(conninfo(db), options.pg_dump_path);
    if (!d.ok()) {
      dumps = false;
      result.notes.push_back("pg_dump comparison skipped: " + d.status().message());
      return {};
    }
    return DumpLines(*d);
  };
  std::vector<std::string> want_to_dump = dump_of(to_db);
  std::vector<std::string> want_from_dump = dump_of(ref_db);
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
  if (dumps) {
    for (std::string& d : DumpDifferences(dump_of(from_db), want_to_dump))
      result.up.differences.push_back(std::move(d));
  }
  RunStatements(from_conn, down.UpStatements(), result.down);
  if (!result.down.applied) return result;
  DBARCH_ASSIGN_OR_RETURN(catalog::Catalog back, Read(from_conn));
  result.down.differences = Differences(back, want_from);
  if (dumps) {
    for (std::string& d : DumpDifferences(dump_of(from_db), want_from_dump))
      result.down.differences.push_back(std::move(d));
  }
  return result;
}

}  // namespace dbarch::diff
