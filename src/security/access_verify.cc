#include "security/access_verify.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "base/strings.h"
#include "datagen/load.h"
#include "datagen/plan.h"
#include "datagen/spec.h"
#include "pg/connection.h"
#include "security/audit.h"

namespace dbarch::security {
namespace {

using catalog::QualifiedName;
using Clock = std::chrono::steady_clock;

// Everything the generated SQL sets, as one text: role attributes, memberships and settings,
// ACLs of the database, schemas, relations, columns, sequences and functions, default ACLs,
// RLS flags and policies, view definitions and owners. Equal after the first and the second
// run means the SQL is idempotent.
constexpr const char* kAccessStateSql = R"sql(
SELECT concat_ws(E'\n',
  (SELECT string_agg(format('%s %s %s %s %s %s', rolname, rolcanlogin, rolinherit, rolbypassrls,
                            rolconnlimit, rolcreaterole), ',' ORDER BY rolname)
     FROM pg_roles WHERE rolname NOT LIKE 'pg\_%'),
  (SELECT string_agg(format('%s>%s', roleid::regrole, member::regrole), ',' ORDER BY 1)
     FROM pg_auth_members),
  (SELECT string_agg(format('%s %s', setrole, setconfig), ',' ORDER BY 1) FROM pg_db_role_setting),
  (SELECT datacl::text FROM pg_database WHERE datname = current_database()),
  (SELECT string_agg(format('%s %s %s', nspname, nspowner::regrole, nspacl), ',' ORDER BY nspname)
     FROM pg_namespace),
  (SELECT string_agg(format('%s %s %s %s %s %s', c.oid::regclass, c.relowner::regrole, c.relacl,
                            c.relrowsecurity, c.relforcerowsecurity,
                            CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid) END),
                     ',' ORDER BY c.oid::regclass::text)
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'),
  (SELECT string_agg(format('%s.%s %s', attrelid::regclass, attname, attacl), ',' ORDER BY 1)
     FROM pg_attribute WHERE attacl IS NOT NULL),
  (SELECT string_agg(format('%s %s', oid::regprocedure, proacl), ',' ORDER BY 1)
     FROM pg_proc WHERE pronamespace > 16384),
  (SELECT string_agg(format('%s %s %s %s', defaclrole::regrole, defaclnamespace, defaclobjtype,
                            defaclacl), ',' ORDER BY 1) FROM pg_default_acl),
  (SELECT string_agg(format('%s %s %s %s %s %s', polrelid::regclass, polname, polcmd, polroles,
                            pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid)),
                     ',' ORDER BY 1) FROM pg_policy))
)sql";

int64_t MsSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

std::string Q(std::string_view ident) { return ForceQuoteIdent(ident); }
std::string QN(const QualifiedName& q) { return Q(q.schema) + "." + Q(q.name); }
std::string Display(const QualifiedName& q) { return q.schema + "." + q.name; }

// A row picked by the administrator session: its key values and, for tenant tables, its
// tenant and the whole row as JSON (to attempt an insert of a copy).
struct SampleRow {
  std::vector<std::string> key;  // values of the key columns, as text
  std::string tenant;
  std::string json;
};

// What the administrator knows about one relation before the roles try it.
struct Probe {
  QualifiedName name;
  bool is_view = false;
  bool masked_view = false;
  QualifiedName base;                       // masked views: the table they mask
  std::vector<std::string> key;             // key columns ("" none)
  std::string write_column;                 // a column that INSERT/UPDATE may name
  std::vector<std::string> insert_columns;  // columns a copied row is inserted with
  const TenantTable* tenant = nullptr;
  std::optional<SampleRow> row_a, row_b;  // two rows of different tenants
};

std::vector<std::string> KeyColumns(const catalog::Catalog& catalog, const QualifiedName& name) {
  const catalog::Table* t = catalog.FindTable(name);
  while (t != nullptr) {
    for (const catalog::Constraint& c : t->constraints) {
      if (c.kind == catalog::ConstraintKind::kPrimaryKey) return c.columns;
    }
    // A partition's key is its parent's.
    t = t->partition_of ? catalog.FindTable(*t->partition_of) : nullptr;
  }
  return {};
}

std::string KeyMatchSql(const std::vector<std::string>& key,
                        const std::vector<std::string>& values) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < key.size(); ++i) {
    parts.push_back(Q(key[i]) + "::text = " + QuoteLiteral(values[i]));
  }
  return Join(parts, " AND ");
}

class Verifier {
 public:
  Verifier(pg::Connection& admin, const AccessSpec& spec, const catalog::Catalog& catalog,
           const VerifyOptions& options)
      : admin_(admin), spec_(spec), catalog_(catalog), options_(options) {}

  Status Prepare(VerifyResult& result, const SecureArtifacts& artifacts);
  Status InstallHba(VerifyResult& result, const std::string& lines);
  Status Run(VerifyResult& result);

 private:
  // Login cells: each login to the verified database over SSL and without, to another
  // database, and a login role the spec does not name; through the generated pg_hba.conf.
  Status CheckLogins(VerifyResult& result);
  // Outcome of one TCP login: allowed (over SSL, with the authentication method and the
  // pg_hba.conf line in the detail), rejected (by pg_hba.conf) or error.
  std::pair<std::string, std::string> TryLogin(const std::string& login,
                                               const std::string& password,
                                               const std::string& database,
                                               const std::string& sslmode);
  // Writes `text` as pg_hba.conf, reloads, and waits until `loaded` holds (a login that only
  // the new file decides). Errors: kIO, kConnection when the reload is not seen in time.
  Status ReloadHba(const std::string& text, const std::function<bool()>& loaded);
  Status ProveAuditLog(VerifyResult& result);
  // The server log from byte `offset` on.
  std::string LogSince(uintmax_t offset) const;
  uintmax_t LogSize() const;
  Status Sample(Probe& p);
  void AddCells(const AccessRole& role, const std::string& login, VerifyResult& result);
  // A TCP session as `login` with the password Prepare gave it.
  Result<pg::Connection> Login(const std::string& login);
  // Runs `sql` in a transaction that is rolled back: allowed, denied or error.
  std::pair<std::string, std::string> Attempt(pg::Connection& conn, const std::string& sql);
  std::pair<std::string, std::string> Visible(pg::Connection& conn, const std::string& tenant,
                                              const std::string& sql);

  pg::Connection& admin_;
  const AccessSpec& spec_;
  const catalog::Catalog& catalog_;
  const VerifyOptions& options_;
  std::vector<Probe> probes_;
  std::map<std::pair<QualifiedName, std::string>, std::pair<SampleRow, std::string>> personal_;
  std::map<std::string, std::string> passwords_;
  std::vector<std::string> schemas_;
  std::vector<std::string> future_schemas_;  // hold a table created after the SQL ran
  std::string database_;                     // the verified database
  std::string hba_text_;                     // the pg_hba.conf installed for the logins
  bool hba_installed_ = false;               // logins go through the generated lines
  std::map<std::string, std::vector<AccessCell>> login_cells_;  // by login
};

// A word of a pg_hba.conf line as the server reads it: split at blanks outside quotes.
std::vector<std::string> HbaFields(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == ' ' || c == '\t')) {
      if (!field.empty()) out.push_back(field);
      field.clear();
      continue;
    }
    field += c;
  }
  if (!field.empty()) out.push_back(field);
  return out;
}

bool IsHbaRejection(std::string_view message) {
  return message.find("pg_hba.conf") != std::string_view::npos;
}

Status Verifier::Sample(Probe& p) {
  if (p.masked_view || p.key.empty()) return Status::OK();
  std::vector<std::string> key_text;
  for (const std::string& k : p.key) key_text.push_back("r." + Q(k) + "::text");
  if (p.tenant != nullptr) {
    std::string tenant = TenantOfRowSql(*p.tenant, "r");
    std::string sql = "SELECT (" + tenant + ")::text, row_to_json(r)::text, " +
                      Join(key_text, ", ") + " FROM " + QN(p.name) + " AS r WHERE (" + tenant +
                      ") IS NOT NULL ORDER BY 1, 3";
    DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, admin_.Exec(sql));
    for (int i = 0; i < r.rows(); ++i) {
      SampleRow row;
      row.tenant = std::string(r.Get(i, 0));
      row.json = std::string(r.Get(i, 1));
      for (size_t k = 0; k < p.key.size(); ++k) row.key.emplace_back(r.Get(i, 2 + k));
      if (!p.row_a) {
        p.row_a = row;
      } else if (row.tenant != p.row_a->tenant) {
        p.row_b = row;
        break;
      }
    }
  }
  for (const PersonalColumn* pc : spec_.PersonalColumnsOf(p.name)) {
    std::string sql = "SELECT r." + Q(pc->column) + "::text, " + Join(key_text, ", ") + " FROM " +
                      QN(p.name) + " AS r WHERE r." + Q(pc->column) +
                      " IS NOT NULL ORDER BY 2 LIMIT 1";
    DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, admin_.Exec(sql));
    if (r.rows() == 0) continue;
    SampleRow row;
    for (size_t k = 0; k < p.key.size(); ++k) row.key.emplace_back(r.Get(0, 1 + k));
    personal_[{p.name, pc->column}] = {row, std::string(r.Get(0, 0))};
  }
  return Status::OK();
}

uintmax_t Verifier::LogSize() const {
  std::error_code ec;
  uintmax_t size = std::filesystem::file_size(options_.server_log, ec);
  return ec ? 0 : size;
}

std::string Verifier::LogSince(uintmax_t offset) const {
  std::ifstream in(options_.server_log, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Status Verifier::ReloadHba(const std::string& text, const std::function<bool()>& loaded) {
  {
    std::ofstream out(options_.hba_file, std::ios::trunc);
    out << text;
    if (!out.flush()) return Status::IOError("writing " + options_.hba_file);
  }
  DBARCH_RETURN_IF_ERROR(admin_.ExecScript("SELECT pg_reload_conf()"));
  // The postmaster reloads on SIGHUP, after this call returns: poll a login whose outcome
  // only the new file decides.
  auto deadline = Clock::now() + std::chrono::seconds(15);
  while (!loaded()) {
    if (Clock::now() > deadline) {
      return Status::Connection("the server did not reload " + options_.hba_file + " within 15 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::OK();
}

Status Verifier::InstallHba(VerifyResult& result, const std::string& lines) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult info,
      admin_.Exec("SELECT current_user, current_database(), current_setting('ssl')"));
  std::string admin_user(info.Get(0, 0));
  database_ = std::string(info.Get(0, 1));
  if (info.Get(0, 2) != "on") {
    return Status::InvalidArgument(
        "the server runs with ssl = off: the generated pg_hba.conf lines are hostssl, so "
        "logins cannot be verified (start it with ssl = on)");
  }
  std::string original;
  {
    std::ifstream in(options_.hba_file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    original = text.str();
  }
  // The verifier's own session first, then the generated lines: as generated to have the
  // server parse them, then as a client on this machine meets them (every range becomes
  // 127.0.0.1/32, the spec's database the verified one) for the logins.
  const std::string own =
      "# dbarch secure --verify: the verifier's own session on the Unix socket\n"
      "local all " +
      HbaName(admin_user) + " trust\n";
  {
    std::ofstream out(options_.hba_file, std::ios::trunc);
    out << own << "# the generated lines, as generated\n" << lines;
    if (!out.flush()) return Status::IOError("writing " + options_.hba_file);
  }
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      admin_.Exec("SELECT line_number, error FROM pg_hba_file_rules WHERE error IS NOT NULL "
                  "ORDER BY 1"));
  for (int i = 0; i < r.rows(); ++i) {
    result.hba_errors.push_back("line " + std::to_string(r.GetInt(i, 0) - 3) + ": " +
                                std::string(r.Get(i, 1)));
  }
  result.hba_checked = true;
  if (!result.hba_errors.empty()) {
    // The server would keep its old rules: put the file back and test no login through it.
    std::ofstream out(options_.hba_file, std::ios::trunc);
    out << original;
    if (!out.flush()) return Status::IOError("writing " + options_.hba_file);
    result.notes.push_back("pg_hba.conf: the generated lines have errors, logins not checked");
    return Status::OK();
  }
  std::string text = own + "# the generated lines; address ranges replaced by 127.0.0.1/32\n";
  std::istringstream in(lines);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f = HbaFields(line);
    if (f.size() == 5 && (f[0] == "host" || f[0] == "hostssl" || f[0] == "hostnossl")) {
      if (f[1] == HbaName(spec_.database)) f[1] = HbaName(database_);
      if (f[3] != "0.0.0.0/0" && f[3] != "::/0" && f[3] != "all") f[3] = "127.0.0.1/32";
      line = Join(f, " ");
    }
    text += line + "\n";
  }
  // Loaded once the sandbox's superuser can no longer log in over TCP without SSL: no
  // generated line lets it.
  DBARCH_RETURN_IF_ERROR(ReloadHba(text, [&] {
    pg::ConnectOptions connect;
    connect.conninfo = options_.tcp_conninfo + " sslmode=disable";
    auto c = pg::Connection::Open(connect);
    return !c.ok() && IsHbaRejection(c.status().message());
  }));
  std::istringstream installed(text);
  for (std::string line; std::getline(installed, line);) result.hba_lines.push_back(line);
  hba_text_ = text;
  hba_installed_ = true;
  return Status::OK();
}

Status Verifier::Prepare(VerifyResult& result, const SecureArtifacts& artifacts) {
  const std::string& sql = artifacts.sql;
  auto start = Clock::now();
  if (!options_.server_log.empty()) {
    Status loaded = admin_.ExecScript("CREATE EXTENSION IF NOT EXISTS pgaudit");
    if (!loaded.ok()) {
      return Status::InvalidArgument("loading pgaudit: " + loaded.message())
          .WithHint(
              "the server needs shared_preload_libraries = 'pgaudit' (Debian: "
              "postgresql-15-pgaudit)");
    }
  }
  datagen::Spec data;
  data.seed = options_.seed;
  data.default_rows = options_.rows_per_table;
  DBARCH_ASSIGN_OR_RETURN(datagen::Plan plan, datagen::BuildPlan(catalog_, data));
  DBARCH_ASSIGN_OR_RETURN(datagen::GenerateStats stats, datagen::LoadIntoServer(admin_, plan));
  result.rows_loaded = stats.rows;
  result.load_ms = MsSince(start);

  start = Clock::now();
  std::string state[2];
  for (int run = 1; run <= 2; ++run) {
    Status applied = admin_.ExecScript(sql);
    if (!applied.ok()) {
      return Status::InvalidArgument("applying the generated SQL (run " + std::to_string(run) +
                                     "): " + applied.message());
    }
    DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, admin_.Exec(kAccessStateSql));
    state[run - 1] = std::string(r.Get(0, 0));
  }
  result.idempotent = state[0] == state[1];
  // Random passwords only for this disposable server; SCRAM is PostgreSQL 15's default.
  std::random_device rd;
  for (const AccessRole& role : spec_.roles) {
    for (const std::string& login : role.logins) {
      std::string pw;
      for (int i = 0; i < 4; ++i) pw += std::to_string(rd());
      passwords_[login] = pw;
      DBARCH_RETURN_IF_ERROR(
          admin_.ExecScript("ALTER ROLE " + Q(login) + " PASSWORD " + QuoteLiteral(pw)));
    }
  }
  result.apply_ms = MsSince(start);
  if (!options_.hba_file.empty()) DBARCH_RETURN_IF_ERROR(InstallHba(result, artifacts.pg_hba));

  schemas_ = spec_.Schemas();
  std::set<std::string> in(schemas_.begin(), schemas_.end());
  for (const auto& [name, t] : catalog_.tables) {
    if (!in.count(name.schema)) continue;
    Probe p;
    p.name = name;
    p.key = KeyColumns(catalog_, name);
    for (const catalog::Column& c : t.columns) {
      if (!c.generated_expr.empty()) continue;
      if (c.identity == catalog::IdentityKind::kNone && p.write_column.empty())
        p.write_column = c.name;
      if (c.identity != catalog::IdentityKind::kAlways) p.insert_columns.push_back(c.name);
    }
    if (spec_.tenant) p.tenant = spec_.tenant->Find(name);
    DBARCH_RETURN_IF_ERROR(Sample(p));
    if (p.tenant != nullptr && p.key.empty()) {
      result.notes.push_back("table " + Display(name) + ": no primary key, tenant cells skipped");
    } else if (p.tenant != nullptr && !p.row_b) {
      result.notes.push_back("table " + Display(name) +
                             ": no two rows of different tenants, tenant cells skipped");
    }
    probes_.push_back(std::move(p));
  }
  for (const auto& [name, v] : catalog_.views) {
    if (!in.count(name.schema)) continue;
    Probe p;
    p.name = name;
    p.is_view = true;
    probes_.push_back(std::move(p));
  }
  std::set<QualifiedName> masked;
  for (const PersonalColumn& pc : spec_.personal) {
    for (const AccessRole& role : spec_.roles) {
      auto it = role.tables.find(pc.table);
      if (!role.owner && !role.personal_clear && it != role.tables.end() && it->second.select) {
        masked.insert(pc.table);
      }
    }
  }
  for (const QualifiedName& base : masked) {
    Probe p;
    p.name = {AccessSpec::MaskedSchema(base.schema), base.name};
    p.is_view = true;
    p.masked_view = true;
    p.base = base;
    p.key = KeyColumns(catalog_, base);
    schemas_.push_back(p.name.schema);
    probes_.push_back(std::move(p));
  }
  std::sort(schemas_.begin(), schemas_.end());
  schemas_.erase(std::unique(schemas_.begin(), schemas_.end()), schemas_.end());
  std::sort(probes_.begin(), probes_.end(),
            [](const Probe& a, const Probe& b) { return a.name < b.name; });
  return Status::OK();
}

Result<pg::Connection> Verifier::Login(const std::string& login) {
  pg::ConnectOptions connect;
  connect.conninfo = options_.tcp_conninfo + (hba_installed_ ? " sslmode=require" : "") +
                     " user=" + ConninfoValue(login) +
                     " password=" + ConninfoValue(passwords_.at(login));
  connect.read_only = false;
  connect.application_name = "dbarch secure --verify";
  return pg::Connection::Open(connect);
}

std::pair<std::string, std::string> Verifier::Attempt(pg::Connection& conn,
                                                      const std::string& sql) {
  std::pair<std::string, std::string> out{"allowed", ""};
  Status begun = conn.ExecScript("BEGIN");
  if (!begun.ok()) return {"error", begun.message()};
  auto r = conn.Exec(sql);
  if (!r.ok()) {
    std::string state = conn.last_sqlstate();
    std::string message(r.status().message());
    if (message.find("row-level security") != std::string::npos) {
      out = {"rejected", message};
    } else if (state == "42501") {
      out = {"denied", message};
    } else {
      out = {"error", message};
    }
  }
  (void)conn.ExecScript("ROLLBACK");
  return out;
}

// Runs a count query with the tenant setting `tenant` ("" resets it): visible, hidden or
// denied.
std::pair<std::string, std::string> Verifier::Visible(pg::Connection& conn,
                                                      const std::string& tenant,
                                                      const std::string& sql) {
  const std::string& setting = spec_.tenant->setting;
  Status set = tenant.empty() ? conn.ExecScript("RESET " + setting)
                              : conn.ExecScript("SET " + setting + " = " + QuoteLiteral(tenant));
  if (!set.ok()) return {"error", set.message()};
  auto r = conn.Exec(sql);
  if (!r.ok()) {
    if (conn.last_sqlstate() == "42501") return {"denied", r.status().message()};
    return {"error", r.status().message()};
  }
  return {r->GetInt(0, 0) > 0 ? "visible" : "hidden", ""};
}

void Verifier::AddCells(const AccessRole& role, const std::string& login, VerifyResult& result) {
  auto add = [&](const std::string& object, const std::string& check, const std::string& expected) {
    AccessCell c;
    c.role = role.key;
    c.login = login;
    c.object = object;
    c.check = check;
    c.expected = expected;
    result.cells.push_back(c);
    return result.cells.size() - 1;
  };
  auto yes = [](bool b) { return b ? std::string("allowed") : std::string("denied"); };
  auto logins = login_cells_.find(login);
  if (logins != login_cells_.end()) {
    result.cells.insert(result.cells.end(), logins->second.begin(), logins->second.end());
  }
  // The probes and their SQL, run below on the role's connection.
  std::vector<
      std::pair<size_t, std::function<std::pair<std::string, std::string>(pg::Connection&)>>>
      runs;
  for (const Probe& p : probes_) {
    const QualifiedName& table = p.masked_view ? p.base : p.name;
    auto it = role.tables.find(table);
    const TableAccess* a = it == role.tables.end() ? nullptr : &it->second;
    bool masked_reader = !role.owner && !role.personal_clear && a != nullptr && a->select &&
                         !spec_.PersonalColumnsOf(table).empty();
    std::string obj = Display(p.name);
    std::string name = QN(p.name);
    bool select = role.owner || (p.masked_view ? masked_reader
                                               : a != nullptr && a->select &&
                                                     a->select_columns.empty() && !masked_reader);
    size_t i = add(obj, "select", yes(select));
    runs.push_back({i, [this, name](pg::Connection& c) {
                      return Attempt(c, "SELECT * FROM " + name + " LIMIT 0");
                    }});
    if (p.is_view) {
      if (p.masked_view && masked_reader) {
        for (const PersonalColumn* pc : spec_.PersonalColumnsOf(p.base)) {
          auto s = personal_.find({p.base, pc->column});
          if (s == personal_.end() || p.key.empty()) continue;
          size_t k = add(obj + "." + pc->column, "read masked", "masked");
          std::string sql = "SELECT " + Q(pc->column) + "::text FROM " + name + " WHERE " +
                            KeyMatchSql(p.key, s->second.first.key);
          std::string clear = s->second.second;
          runs.push_back(
              {k, [this, sql, clear](pg::Connection& c) -> std::pair<std::string, std::string> {
                 auto r = c.Exec(sql);
                 if (!r.ok()) {
                   return {c.last_sqlstate() == "42501" ? "denied" : "error",
                           std::string(r.status().message())};
                 }
                 if (r->rows() == 0) return {"hidden", "no row"};
                 if (!r->IsNull(0, 0) && r->Get(0, 0) == clear) return {"clear", ""};
                 return {"masked", ""};
               }});
        }
      }
      continue;
    }
    if (!p.write_column.empty()) {
      std::string col = Q(p.write_column);
      i = add(obj, "insert", yes(role.owner || (a != nullptr && a->insert)));
      runs.push_back({i, [this, name, col](pg::Connection& c) {
                        return Attempt(
                            c, "INSERT INTO " + name + " (" + col + ") SELECT NULL WHERE false");
                      }});
      i = add(obj, "update", yes(role.owner || (a != nullptr && a->update)));
      runs.push_back({i, [this, name, col](pg::Connection& c) {
                        return Attempt(c, "UPDATE " + name + " SET " + col + " = NULL WHERE false");
                      }});
    }
    i = add(obj, "delete", yes(role.owner || (a != nullptr && a->remove)));
    runs.push_back({i, [this, name](pg::Connection& c) {
                      return Attempt(c, "DELETE FROM " + name + " WHERE false");
                    }});
    bool reads = role.owner || (a != nullptr && a->select);
    // Personal columns, read directly.
    for (const PersonalColumn* pc : spec_.PersonalColumnsOf(p.name)) {
      if (!reads) continue;
      bool listed = role.owner || a->select_columns.empty() ||
                    std::find(a->select_columns.begin(), a->select_columns.end(), pc->column) !=
                        a->select_columns.end();
      size_t k = add(obj + "." + pc->column, "read column",
                     yes(listed && (role.owner || role.personal_clear)));
      std::string sql = "SELECT " + Q(pc->column) + " FROM " + name + " LIMIT 0";
      runs.push_back({k, [this, sql](pg::Connection& c) { return Attempt(c, sql); }});
    }
    // Tenant isolation.
    if (p.tenant == nullptr || !p.row_b || !reads) continue;
    bool key_readable = role.owner || a->select_columns.empty() || masked_reader;
    if (!key_readable) continue;
    bool isolated = role.tenant == TenantAccess::kIsolated;
    std::string count_a =
        "SELECT count(*) FROM " + name + " WHERE " + KeyMatchSql(p.key, p.row_a->key);
    std::string count_b =
        "SELECT count(*) FROM " + name + " WHERE " + KeyMatchSql(p.key, p.row_b->key);
    std::string tenant_a = p.row_a->tenant;
    i = add(obj, "own tenant", "visible");
    runs.push_back({i, [this, tenant_a, count_a](pg::Connection& c) {
                      return Visible(c, tenant_a, count_a);
                    }});
    i = add(obj, "other tenant", isolated ? "hidden" : "visible");
    runs.push_back({i, [this, tenant_a, count_b](pg::Connection& c) {
                      return Visible(c, tenant_a, count_b);
                    }});
    i = add(obj, "no tenant set", isolated ? "hidden" : "visible");
    runs.push_back({i, [this, count_a](pg::Connection& c) { return Visible(c, "", count_a); }});
    if (!isolated) continue;
    if (a->insert && !p.insert_columns.empty()) {
      std::vector<std::string> cols;
      for (const std::string& col : p.insert_columns) cols.push_back(Q(col));
      std::string sql = "INSERT INTO " + name + " (" + Join(cols, ", ") + ") SELECT " +
                        Join(cols, ", ") + " FROM json_populate_record(NULL::" + name + ", " +
                        QuoteLiteral(p.row_b->json) + "::json)";
      i = add(obj, "insert other tenant", "rejected");
      runs.push_back(
          {i, [this, tenant_a, sql](pg::Connection& c) -> std::pair<std::string, std::string> {
             Status set =
                 c.ExecScript("SET " + spec_.tenant->setting + " = " + QuoteLiteral(tenant_a));
             if (!set.ok()) return {"error", set.message()};
             return Attempt(c, sql);
           }});
    }
    if (a->update && p.tenant->kind == TenantPath::kColumn) {
      std::string sql = "UPDATE " + name + " SET " + Q(p.tenant->column) + " = " +
                        QuoteLiteral(p.row_b->tenant) + " WHERE " +
                        KeyMatchSql(p.key, p.row_a->key);
      i = add(obj, "update other tenant", "rejected");
      runs.push_back(
          {i, [this, tenant_a, sql](pg::Connection& c) -> std::pair<std::string, std::string> {
             Status set =
                 c.ExecScript("SET " + spec_.tenant->setting + " = " + QuoteLiteral(tenant_a));
             if (!set.ok()) return {"error", set.message()};
             return Attempt(c, sql);
           }});
    }
  }
  // Tables the owner created after the SQL ran: default privileges must reach them.
  for (const std::string& s : future_schemas_) {
    bool reads = role.owner ||
                 (role.personal_clear && std::find(role.read_schemas.begin(), role.read_schemas.end(),
                                                   s) != role.read_schemas.end());
    size_t i = add("schema " + s, "select future table", yes(reads));
    std::string sql = "SELECT * FROM " + Q(s) + ".\"dbarch_verify_future\" LIMIT 0";
    runs.push_back({i, [this, sql](pg::Connection& c) { return Attempt(c, sql); }});
  }
  for (const std::string& s : schemas_) {
    size_t i = add("schema " + s, "create", yes(role.owner));
    std::string sql = "CREATE TABLE " + Q(s) + ".\"dbarch_verify_probe\" (i integer)";
    runs.push_back({i, [this, sql](pg::Connection& c) { return Attempt(c, sql); }});
  }

  auto conn = Login(login);
  for (auto& [index, run] : runs) {
    AccessCell& cell = result.cells[index];
    if (!conn.ok()) {
      cell.observed = "error";
      cell.detail = "login failed: " + std::string(conn.status().message());
      continue;
    }
    auto [observed, detail] = run(*conn);
    cell.observed = observed;
    if (observed != cell.expected) cell.detail = detail;
  }
}

std::pair<std::string, std::string> Verifier::TryLogin(const std::string& login,
                                                       const std::string& password,
                                                       const std::string& database,
                                                       const std::string& sslmode) {
  uintmax_t log_start = options_.server_log.empty() ? 0 : LogSize();
  pg::ConnectOptions connect;
  connect.conninfo = options_.tcp_conninfo + " dbname=" + ConninfoValue(database) +
                     " sslmode=" + sslmode + " user=" + ConninfoValue(login) +
                     " password=" + ConninfoValue(password);
  connect.read_only = false;
  connect.application_name = "dbarch secure --verify";
  auto conn = pg::Connection::Open(connect);
  if (!conn.ok()) {
    std::string message(conn.status().message());
    return {IsHbaRejection(message) ? "rejected" : "error", message};
  }
  // As the login itself: a login whose role setting switches to its group (the owner's)
  // would see its own pg_stat_ssl row without details.
  Status as_login = conn->ExecScript("SET ROLE NONE");
  if (!as_login.ok()) return {"error", as_login.message()};
  auto ssl = conn->Exec("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
  if (!ssl.ok()) return {"error", std::string(ssl.status().message())};
  if (ssl->rows() != 1 || !ssl->GetBool(0, 0)) return {"allowed without ssl", ""};
  if (options_.server_log.empty()) return {"allowed", "ssl"};
  // log_connections names the method and the pg_hba.conf line that admitted the session.
  std::string log = LogSince(log_start);
  std::string needle = "connection authenticated: identity=\"" + login + "\" method=";
  size_t at = log.find(needle);
  if (at == std::string::npos) return {"allowed", "ssl; no authentication line in the log"};
  size_t end = log.find('\n', at);
  std::string how =
      log.substr(at + needle.size(), end == std::string::npos ? end : end - at - needle.size());
  std::string method = how.substr(0, how.find(' '));
  size_t colon = how.rfind(':');
  std::string line = colon == std::string::npos ? "" : how.substr(colon + 1);
  if (!line.empty() && line.back() == ')') line.pop_back();
  std::string detail = "ssl, " + method + ", pg_hba.conf line " + line;
  if (method != "scram-sha-256") return {"allowed by " + method, detail};
  return {"allowed", detail};
}

Status Verifier::CheckLogins(VerifyResult& result) {
  std::string other_database = database_ == "postgres" ? "template1" : "postgres";
  auto cell = [&](const std::string& role, const std::string& login, const std::string& object,
                  const std::string& check, const std::string& expected,
                  std::pair<std::string, std::string> outcome) {
    AccessCell c;
    c.role = role;
    c.login = login;
    c.object = object;
    c.check = check;
    c.expected = expected;
    c.observed = outcome.first;
    c.detail = outcome.second;
    login_cells_[login].push_back(c);
  };
  for (const AccessRole& role : spec_.roles) {
    for (const std::string& login : role.logins) {
      const std::string& pw = passwords_.at(login);
      cell(role.key, login, "database " + database_, "login",
           role.hosts.empty() ? "rejected" : "allowed", TryLogin(login, pw, database_, "require"));
      cell(role.key, login, "database " + database_, "login without ssl", "rejected",
           TryLogin(login, pw, database_, "disable"));
      cell(role.key, login, "database " + other_database, "login", "rejected",
           TryLogin(login, pw, other_database, "require"));
    }
  }
  // A login role the spec does not name, with a valid password and CONNECT: pg_hba.conf
  // alone must keep it out.
  const std::string outsider = "dbarch_verify_outsider";
  std::string pw = "outsider-" + std::to_string(std::random_device{}());
  DBARCH_RETURN_IF_ERROR(admin_.ExecScript("SET log_statement = 'none'; CREATE ROLE " +
                                           Q(outsider) + " LOGIN PASSWORD " + QuoteLiteral(pw) +
                                           "; GRANT CONNECT ON DATABASE " + Q(database_) + " TO " +
                                           Q(outsider) + "; RESET log_statement"));
  cell("(not in the spec)", outsider, "database " + database_, "login", "rejected",
       TryLogin(outsider, pw, database_, "require"));
  DBARCH_RETURN_IF_ERROR(admin_.ExecScript("REVOKE CONNECT ON DATABASE " + Q(database_) + " FROM " +
                                           Q(outsider) + "; DROP ROLE " + Q(outsider)));
  // Logins the spec gives no host cannot log in over TCP at all; the matrix still needs them,
  // through lines added after the login checks.
  std::string extra;
  std::string first;
  for (const AccessRole& role : spec_.roles) {
    if (!role.hosts.empty()) continue;
    for (const std::string& login : role.logins) {
      extra +=
          "hostssl " + HbaName(database_) + " " + HbaName(login) + " 127.0.0.1/32 scram-sha-256\n";
      if (first.empty()) first = login;
    }
  }
  if (!extra.empty()) {
    result.notes.push_back(
        "pg_hba.conf: logins without hosts are rejected as the spec says; the verifier added "
        "loopback lines for them after the login checks to run their access matrix");
    hba_text_ +=
        "# dbarch secure --verify: for the access matrix of logins without hosts\n" + extra;
    DBARCH_RETURN_IF_ERROR(ReloadHba(hba_text_, [&] {
      return TryLogin(first, passwords_.at(first), database_, "require").first != "rejected";
    }));
  }
  return Status::OK();
}

Status Verifier::ProveAuditLog(VerifyResult& result) {
  std::set<QualifiedName> audited(spec_.audit.tables.begin(), spec_.audit.tables.end());
  int number = 0;
  for (const AccessRole& role : spec_.roles) {
    bool audited_role = std::find(spec_.audit.roles.begin(), spec_.audit.roles.end(), role.key) !=
                        spec_.audit.roles.end();
    std::vector<std::string> classes = SessionAuditClasses(spec_, audited_role);
    auto session_logs = [&](const std::string& c) {
      return std::find(classes.begin(), classes.end(), c) != classes.end() ||
             std::find(classes.begin(), classes.end(), "all") != classes.end();
    };
    // The statements: per role, a read and a write of an audited table and of another one
    // (where the role may), and for the owner a DDL and a GRANT.
    struct Statement {
      std::string what, log_class, sql;
      bool object = false;
    };
    std::vector<Statement> statements;
    bool read_done[2] = {false, false}, write_done[2] = {false, false};
    for (const Probe& p : probes_) {
      if (p.is_view) continue;
      const catalog::Table* t = catalog_.FindTable(p.name);
      if (t == nullptr || t->columns.empty()) continue;
      bool is_audited = audited.count(p.name) > 0;
      auto it = role.tables.find(p.name);
      const TableAccess* a = it == role.tables.end() ? nullptr : &it->second;
      // A column the role may read: masked readers and column lists exclude personal data.
      std::string column;
      if (role.owner || (a != nullptr && a->select)) {
        for (const catalog::Column& c : t->columns) {
          bool personal = false;
          for (const PersonalColumn* pc : spec_.PersonalColumnsOf(p.name)) {
            personal |= pc->column == c.name;
          }
          if (!role.owner && personal && !role.personal_clear) continue;
          if (!role.owner && a != nullptr && !a->select_columns.empty() &&
              std::find(a->select_columns.begin(), a->select_columns.end(), c.name) ==
                  a->select_columns.end()) {
            continue;
          }
          column = c.name;
          break;
        }
      }
      if (!column.empty() && !read_done[is_audited]) {
        read_done[is_audited] = true;
        statements.push_back({"select " + Display(p.name), "read",
                              "SELECT " + Q(column) + " FROM " + QN(p.name) + " LIMIT 0",
                              is_audited});
      }
      if (write_done[is_audited] || p.write_column.empty()) continue;
      std::string verb, write;
      if (role.owner || (a != nullptr && a->remove)) {
        verb = "delete";
        write = "DELETE FROM " + QN(p.name) + " WHERE false";
      } else if (a != nullptr && a->update) {
        verb = "update";
        write = "UPDATE " + QN(p.name) + " SET " + Q(p.write_column) + " = NULL WHERE false";
      } else if (a != nullptr && a->insert) {
        verb = "insert";
        write =
            "INSERT INTO " + QN(p.name) + " (" + Q(p.write_column) + ") SELECT NULL WHERE false";
      }
      if (write.empty()) continue;
      write_done[is_audited] = true;
      statements.push_back({verb + " " + Display(p.name), "write", write, is_audited});
    }
    auto table =
        std::find_if(probes_.begin(), probes_.end(), [](const Probe& p) { return !p.is_view; });
    if (role.owner && table != probes_.end()) {
      const std::string& schema = table->name.schema;
      statements.push_back({"create table in " + schema, "ddl",
                            "CREATE TABLE " + Q(schema) + ".\"dbarch_audit_probe\" (i integer)",
                            false});
      statements.push_back({"grant on " + Display(table->name), "role",
                            "GRANT SELECT ON " + QN(table->name) + " TO " + Q(role.group), false});
    }
    for (const std::string& login : role.logins) {
      auto conn = Login(login);
      for (const Statement& st : statements) {
        AuditProof proof;
        proof.role = role.key;
        proof.login = login;
        proof.statement = st.what;
        proof.log_class = st.log_class;
        proof.expect_session = session_logs(st.log_class);
        proof.expect_object = st.object && (st.log_class == "read" || st.log_class == "write");
        if (!conn.ok()) {
          proof.detail = "login failed: " + std::string(conn.status().message());
          result.audit_proof.push_back(proof);
          continue;
        }
        std::string marker = "/* dbarch audit proof " + std::to_string(++number) + " */";
        uintmax_t offset = LogSize();
        auto [observed, detail] = Attempt(*conn, marker + " " + st.sql);
        if (observed != "allowed") proof.detail = observed + ": " + detail;
        std::istringstream log(LogSince(offset));
        for (std::string line; std::getline(log, line);) {
          if (line.find(marker) == std::string::npos) continue;
          proof.session |= line.find("AUDIT: SESSION,") != std::string::npos;
          proof.object |= line.find("AUDIT: OBJECT,") != std::string::npos;
        }
        result.audit_proof.push_back(proof);
      }
    }
  }
  for (const AuditProof& p : result.audit_proof) result.audit_proof_mismatches += p.ok() ? 0 : 1;
  result.audit_log_checked = true;
  return Status::OK();
}

Status Verifier::Run(VerifyResult& result) {
  auto start = Clock::now();
  // The owner's login creates a table in each schema of the spec, as a migration would.
  const AccessRole& owner = spec_.owner();
  if (!owner.logins.empty()) {
    DBARCH_ASSIGN_OR_RETURN(pg::Connection conn, Login(owner.logins.front()));
    for (const std::string& s : spec_.Schemas()) {
      DBARCH_RETURN_IF_ERROR(conn.ExecScript("CREATE TABLE " + Q(s) +
                                             ".\"dbarch_verify_future\" (i integer)"));
      future_schemas_.push_back(s);
    }
  }
  if (hba_installed_) DBARCH_RETURN_IF_ERROR(CheckLogins(result));
  for (const AccessRole& role : spec_.roles) {
    for (const std::string& login : role.logins) AddCells(role, login, result);
  }
  auto outsider = login_cells_.find("dbarch_verify_outsider");
  if (outsider != login_cells_.end()) {
    result.cells.insert(result.cells.end(), outsider->second.begin(), outsider->second.end());
  }
  if (!options_.server_log.empty()) DBARCH_RETURN_IF_ERROR(ProveAuditLog(result));
  for (const std::string& s : future_schemas_) {
    DBARCH_RETURN_IF_ERROR(
        admin_.ExecScript("DROP TABLE " + Q(s) + ".\"dbarch_verify_future\""));
  }
  for (const AccessCell& c : result.cells) result.mismatches += c.ok() ? 0 : 1;
  result.matrix_ms = MsSince(start);

  AuditOptions audit;
  if (spec_.tenant) audit.tenant_columns.push_back(spec_.tenant->column);
  // The roles the spec lets see personal data in clear; any other reader is a finding.
  for (const AccessRole& role : spec_.roles) {
    if (role.owner || role.personal_clear) audit.personal_data_readers.push_back(role.group);
  }
  DBARCH_ASSIGN_OR_RETURN(AuditReport report, RunAudit(admin_, audit));
  result.audit_findings = static_cast<int>(report.findings.size());
  for (const AuditFinding& f : report.findings) {
    if (f.severity == Severity::kError) {
      result.audit_errors.push_back(std::string(f.rule->id) + " " + f.object + ": " + f.message);
    } else {
      result.audit_others.push_back(std::string(SeverityName(f.severity)) + " " +
                                    std::string(f.rule->id) + " " + f.object);
    }
  }
  return Status::OK();
}

}  // namespace

std::string ConninfoValue(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

Result<VerifyResult> VerifyAccess(pg::Connection& admin, const AccessSpec& spec,
                                  const catalog::Catalog& catalog, const SecureArtifacts& artifacts,
                                  const VerifyOptions& options) {
  Verifier v(admin, spec, catalog, options);
  VerifyResult result;
  DBARCH_RETURN_IF_ERROR(v.Prepare(result, artifacts));
  DBARCH_RETURN_IF_ERROR(v.Run(result));
  return result;
}

}  // namespace dbarch::security
