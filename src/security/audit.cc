#include "security/audit.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <string>
#include <utility>

#include "base/strings.h"
#include "pg/connection.h"

namespace dbarch::security {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "info";
}

bool ParseSeverity(std::string_view text, Severity* out) {
  if (text == "info") *out = Severity::kInfo;
  else if (text == "warning") *out = Severity::kWarning;
  else if (text == "error") *out = Severity::kError;
  else return false;
  return true;
}

namespace {

constexpr std::string_view kCisAdminPrivileges =
    "CIS PostgreSQL 15: Ensure excessive administrative privileges are revoked";
constexpr std::string_view kCisFunctionPrivileges =
    "CIS PostgreSQL 15: Ensure excessive function privileges are revoked";
constexpr std::string_view kCisDmlPrivileges =
    "CIS PostgreSQL 15: Ensure excessive DML privileges are revoked";
constexpr std::string_view kCisRls =
    "CIS PostgreSQL 15: Ensure Row Level Security (RLS) is configured correctly";
constexpr std::string_view kCisHost =
    "CIS PostgreSQL 15: Ensure login via \"host\" TCP/IP Socket is configured correctly";
constexpr std::string_view kCisLocal =
    "CIS PostgreSQL 15: Ensure login via \"local\" UNIX Domain Socket is configured correctly";

}  // namespace

const std::vector<AuditRuleInfo>& AllAuditRules() {
  static const std::vector<AuditRuleInfo> kRules = {
      // Roles.
      {"extra-superuser", "roles", "a superuser other than the bootstrap superuser",
       "a superuser bypasses every privilege check, RLS included; each one is a full "
       "compromise of the cluster if its password leaks",
       kCisAdminPrivileges, Severity::kError},
      {"login-role-privileged", "roles",
       "a login role with CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS",
       "an application or person logging in should not be able to create roles or databases, "
       "read the WAL stream or skip row-level security",
       kCisAdminPrivileges, Severity::kWarning},
      {"login-without-password", "roles", "a login role without a password",
       "it can log in only where pg_hba.conf trusts it, peer-authenticates it or uses a "
       "certificate; with trust or a later hba change it logs in with nothing",
       kCisLocal, Severity::kWarning},
      {"md5-password", "roles", "a password stored as an MD5 hash",
       "MD5 hashes are salted only with the role name and replayable with pass-the-hash; "
       "SCRAM-SHA-256 is not",
       "CIS PostgreSQL 15: Ensure passwords are stored with scram-sha-256", Severity::kWarning},
      {"password-never-expires", "roles", "a login role with a password and no VALID UNTIL",
       "where a password policy asks for rotation, a password that never expires defeats it",
       "", Severity::kInfo},
      {"owner-role-logs-in", "roles", "a login role that owns application tables",
       "the owner may ALTER and DROP its tables and is exempt from non-forced row-level "
       "security: an application should log in as a role that owns nothing",
       kCisAdminPrivileges, Severity::kInfo},
      // Privileges.
      {"public-schema-create", "privileges", "CREATE on a schema granted to PUBLIC",
       "any role may create objects there, including functions and operators that shadow "
       "others' through search_path (CVE-2018-1058)",
       "CIS PostgreSQL 15: Ensure the public schema is protected", Severity::kError},
      {"public-table-privileges", "privileges", "privileges on a table or view granted to PUBLIC",
       "every role, present and future, gets them", kCisDmlPrivileges, Severity::kWarning},
      {"public-execute-security-definer", "privileges",
       "EXECUTE on a SECURITY DEFINER function left to PUBLIC (the default for functions)",
       "any role may run it with its owner's privileges", kCisFunctionPrivileges,
       Severity::kWarning},
      {"grant-all", "privileges", "ALL privileges on a table granted to a role that does not own it",
       "TRUNCATE, TRIGGER and REFERENCES are rarely needed; least privilege grants what the role "
       "uses",
       kCisDmlPrivileges, Severity::kInfo},
      {"default-privileges-public", "privileges", "default privileges that grant to PUBLIC",
       "every object created later is open to every role", kCisDmlPrivileges, Severity::kWarning},
      // Functions.
      {"security-definer-search-path", "functions",
       "a SECURITY DEFINER function without a pinned search_path",
       "a caller can put its own schema first in search_path and make the function run the "
       "caller's operators or functions with the owner's privileges",
       kCisFunctionPrivileges, Severity::kError},
      {"security-definer-superuser-owned", "functions",
       "a SECURITY DEFINER function owned by a superuser",
       "any flaw in it runs as a superuser; own it by a role with just the privileges it needs",
       kCisFunctionPrivileges, Severity::kWarning},
      {"untrusted-language", "functions", "functions or languages that run outside the sandbox",
       "untrusted languages (plpython3u, plperlu, C) can read and write server files and run "
       "programs as the server's OS user",
       "", Severity::kWarning},
      {"risky-extension", "functions", "an extension that reaches outside the database",
       "dblink and postgres_fdw connect out as the server, file_fdw reads server files, adminpack "
       "writes them",
       "CIS PostgreSQL 15: Ensure unused PostgreSQL extensions are removed", Severity::kWarning},
      // Row-level security.
      {"policy-without-rls", "rls", "policies on a table whose row-level security is off",
       "policies do nothing until ENABLE ROW LEVEL SECURITY: every row is visible", kCisRls,
       Severity::kError},
      {"rls-not-forced", "rls", "row-level security not forced on a table owned by a login role",
       "the table owner bypasses non-forced RLS; an application that logs in as the owner sees "
       "every tenant",
       kCisRls, Severity::kWarning},
      {"tenant-table-without-rls", "rls", "a table with a tenant column and no row-level security",
       "isolation between tenants then rests on every query remembering its WHERE clause",
       kCisRls, Severity::kWarning},
      // Data.
      {"personal-data-plaintext", "data", "personal data stored in plain text",
       "emails, phone numbers, card numbers and national identifiers readable by anyone with "
       "SELECT on the table: a breach discloses them as they are",
       "", Severity::kWarning},
      {"personal-data-readable", "data",
       "personal data readable by login roles that do not need it",
       "every role that can read a column of emails, phone numbers, card numbers or national "
       "identifiers in clear widens who discloses them; roles that only need the rest of the "
       "row should get column privileges or a masking view",
       kCisDmlPrivileges, Severity::kWarning},
      {"plaintext-password-column", "data", "passwords stored in plain text",
       "a password column whose values are not hashes gives every reader every user's password",
       "", Severity::kError},
      // Server.
      {"hba-trust", "server", "pg_hba.conf lines with the trust method",
       "trust lets anyone who can reach the socket or address log in as any role it names, "
       "without a password",
       kCisLocal, Severity::kError},
      {"hba-weak-method", "server", "pg_hba.conf lines with password or md5",
       "password sends the password in clear text; md5 accepts replayed MD5 hashes",
       kCisHost, Severity::kWarning},
      {"hba-wide-open", "server", "pg_hba.conf lines open to every address",
       "0.0.0.0/0 or ::/0 lets the whole network try to log in", kCisHost, Severity::kWarning},
      {"hba-host-without-ssl", "server", "pg_hba.conf host lines that accept unencrypted connections",
       "a host (not hostssl) line lets passwords and data cross the network unencrypted",
       kCisHost, Severity::kWarning},
      {"ssl-off", "server", "SSL is off",
       "connections over TCP carry queries, results and (with password auth) passwords in clear",
       "CIS PostgreSQL 15: Ensure SSL is enabled and configured correctly", Severity::kWarning},
      {"password-encryption-md5", "server", "new passwords are stored as MD5",
       "password_encryption = md5 stores every new or changed password as a replayable hash",
       "CIS PostgreSQL 15: Ensure passwords are stored with scram-sha-256", Severity::kWarning},
      {"listen-all-addresses", "server", "the server listens on every network interface",
       "listen_addresses = '*' exposes the port on every interface; pg_hba.conf is then the only "
       "barrier",
       "", Severity::kInfo},
      {"log-connections", "server", "connections are not logged",
       "without log_connections there is no record of who logged in, from where",
       "CIS PostgreSQL 15: Ensure 'log_connections' is enabled", Severity::kWarning},
      {"log-disconnections", "server", "disconnections are not logged",
       "without log_disconnections session durations cannot be reconstructed",
       "CIS PostgreSQL 15: Ensure 'log_disconnections' is enabled", Severity::kWarning},
      {"log-statement", "server", "DDL is not logged",
       "log_statement = none leaves no trace of schema and privilege changes",
       "CIS PostgreSQL 15: Ensure 'log_statement' is set correctly", Severity::kWarning},
      {"log-line-prefix", "server", "log lines do not name the user and database",
       "a log_line_prefix without %u and %d cannot attribute an action to a role",
       "CIS PostgreSQL 15: Ensure 'log_line_prefix' is set correctly", Severity::kWarning},
      {"data-checksums", "server", "data checksums are off",
       "without checksums silent storage corruption is read back as if it were data",
       "CIS PostgreSQL 15: Ensure Data Cluster have checksum enabled", Severity::kInfo},
      {"tablespace-in-data-directory", "server", "a tablespace inside the data directory",
       "backups, pg_upgrade and file-level tools treat the data directory as one unit; a "
       "tablespace inside it is copied twice or lost",
       "CIS PostgreSQL 15: Ensure tablespace location is not inside the PGDATA",
       Severity::kWarning},
      {"pgaudit-not-loaded", "server", "pgaudit is not loaded",
       "object- and session-level audit logging needs pgaudit in shared_preload_libraries",
       "CIS PostgreSQL 15: Ensure the PostgreSQL Audit Extension (pgAudit) is enabled",
       Severity::kInfo},
  };
  return kRules;
}

const AuditRuleInfo* FindAuditRule(std::string_view id) {
  for (const AuditRuleInfo& r : AllAuditRules()) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

bool LuhnValid(std::string_view text) {
  int sum = 0;
  int n = 0;
  for (auto it = text.rbegin(); it != text.rend(); ++it) {
    char c = *it;
    if (c == ' ' || c == '-') continue;
    if (c < '0' || c > '9') return false;
    int d = c - '0';
    if (n % 2 == 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    ++n;
  }
  return n >= 13 && n <= 19 && sum % 10 == 0;
}

namespace {

constexpr const char* kUserSchemas =
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
    "AND n.nspname NOT LIKE 'pg_temp_%'";
// Not part of an extension (its objects are the extension's business, not the user's).
std::string NotExtensionMember(const char* classid, const char* oid) {
  return std::string("NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '") + classid +
         "'::regclass AND d.objid = " + oid + " AND d.deptype = 'e')";
}

std::string Str(const pg::QueryResult& r, int row, int col) {
  return r.IsNull(row, col) ? std::string() : std::string(r.Get(row, col));
}

struct Context {
  pg::Connection& conn;
  const AuditOptions& options;
  const AuditRuleInfo* rule;
  AuditReport& report;

  void Add(std::string object, std::string message, std::string fix) {
    Add(rule->severity, std::move(object), std::move(message), std::move(fix));
  }
  void Add(Severity severity, std::string object, std::string message, std::string fix) {
    report.findings.push_back(
        {rule, severity, std::move(object), std::move(message), std::move(fix)});
  }
  Result<pg::QueryResult> Query(const std::string& sql) { return conn.Exec(sql); }
  Result<std::string> Setting(const std::string& name) {
    DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r,
                            conn.ExecParams("SELECT current_setting($1, true)", {name}));
    return Str(r, 0, 0);
  }
};

// Roles ------------------------------------------------------------------------------------

Status ExtraSuperuser(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      ctx.Query("SELECT rolname, rolcanlogin FROM pg_roles WHERE rolsuper AND oid <> 10 "
                "ORDER BY rolname"));
  for (int i = 0; i < r.rows(); ++i) {
    std::string role = Str(r, i, 0);
    ctx.Add("role " + role,
            fmt::format("{} is a superuser{}", role, r.GetBool(i, 1) ? " and can log in" : ""),
            "ALTER ROLE " + QuoteIdent(role) + " NOSUPERUSER;");
  }
  return Status::OK();
}

Status LoginRolePrivileged(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      ctx.Query("SELECT rolname, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls "
                "FROM pg_roles WHERE rolcanlogin AND NOT rolsuper AND rolname NOT LIKE 'pg\\_%' "
                "AND (rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls) "
                "ORDER BY rolname"));
  const char* names[] = {"CREATEROLE", "CREATEDB", "REPLICATION", "BYPASSRLS"};
  for (int i = 0; i < r.rows(); ++i) {
    std::string role = Str(r, i, 0);
    std::vector<std::string> has, revoke;
    for (int k = 0; k < 4; ++k) {
      if (r.GetBool(i, k + 1)) {
        has.emplace_back(names[k]);
        revoke.push_back(std::string("NO") + names[k]);
      }
    }
    ctx.Add("role " + role,
            fmt::format("login role {} has {}", role, Join(has, ", ")),
            "ALTER ROLE " + QuoteIdent(role) + " " + Join(revoke, " ") + ";");
  }
  return Status::OK();
}

Status LoginWithoutPassword(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      ctx.Query("SELECT rolname FROM pg_authid WHERE rolcanlogin AND rolpassword IS NULL "
                "AND oid <> 10 AND rolname NOT LIKE 'pg\\_%' ORDER BY rolname"));
  for (int i = 0; i < r.rows(); ++i) {
    std::string role = Str(r, i, 0);
    ctx.Add("role " + role, fmt::format("login role {} has no password", role),
            "ALTER ROLE " + QuoteIdent(role) +
                " PASSWORD '...';  -- or NOLOGIN, or certificate/peer authentication only");
  }
  return Status::OK();
}

Status Md5Password(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      ctx.Query("SELECT rolname FROM pg_authid WHERE rolpassword LIKE 'md5%' ORDER BY rolname"));
  for (int i = 0; i < r.rows(); ++i) {
    std::string role = Str(r, i, 0);
    ctx.Add("role " + role, fmt::format("the password of {} is stored as an MD5 hash", role),
            "SET password_encryption = 'scram-sha-256'; ALTER ROLE " + QuoteIdent(role) +
                " PASSWORD '...';  -- the same or a new password, hashed with SCRAM");
  }
  return Status::OK();
}

Status PasswordNeverExpires(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      ctx.Query("SELECT rolname FROM pg_authid WHERE rolcanlogin AND rolpassword IS NOT NULL "
                "AND rolvaliduntil IS NULL AND oid <> 10 ORDER BY rolname"));
  for (int i = 0; i < r.rows(); ++i) {
    std::string role = Str(r, i, 0);
    ctx.Add("role " + role, fmt::format("the password of {} never expires", role),
            "ALTER ROLE " + QuoteIdent(role) + " VALID UNTIL '<date>';");
  }
  return Status::OK();
}

Status OwnerRoleLogsIn(Context& ctx) {
  std::string sql = std::string(
                        "SELECT r.rolname, count(*) FROM pg_class c "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "JOIN pg_roles r ON r.oid = c.relowner "
                        "WHERE c.relkind IN ('r', 'p') AND r.rolcanlogin AND NOT r.rolsuper AND ") +
                    kUserSchemas + " AND " + NotExtensionMember("pg_class", "c.oid") +
                    " GROUP BY r.rolname ORDER BY r.rolname";
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.Query(sql));
  for (int i = 0; i < r.rows(); ++i) {
    std::string role = Str(r, i, 0);
    ctx.Add("role " + role,
            fmt::format("login role {} owns {} tables", role, Str(r, i, 1)),
            "CREATE ROLE app_owner NOLOGIN; REASSIGN OWNED BY " + QuoteIdent(role) +
                " TO app_owner;  -- then grant the login role only what it uses");
  }
  return Status::OK();
}

// Privileges -------------------------------------------------------------------------------

Status PublicSchemaCreate(Context& ctx) {
  std::string sql = std::string(
                        "SELECT n.nspname FROM pg_namespace n WHERE "
                        "has_schema_privilege('public', n.oid, 'CREATE') AND ") +
                    kUserSchemas + " ORDER BY 1";
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.Query(sql));
  for (int i = 0; i < r.rows(); ++i) {
    std::string schema = Str(r, i, 0);
    ctx.Add("schema " + schema, fmt::format("every role may create objects in schema {}", schema),
            "REVOKE CREATE ON SCHEMA " + QuoteIdent(schema) + " FROM PUBLIC;");
  }
  return Status::OK();
}

Status PublicTablePrivileges(Context& ctx) {
  std::string sql =
      std::string(
          "SELECT n.nspname, c.relname, string_agg(a.privilege_type, ', ' ORDER BY "
          "a.privilege_type), bool_or(a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', "
          "'TRUNCATE')) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, "
          "aclexplode(c.relacl) a WHERE a.grantee = 0 AND c.relkind IN ('r', 'p', 'v', 'm', "
          "'f') AND ") +
      kUserSchemas + " GROUP BY 1, 2 ORDER BY 1, 2";
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.Query(sql));
  for (int i = 0; i < r.rows(); ++i) {
    std::string name = QuoteIdent(Str(r, i, 0)) + "." + QuoteIdent(Str(r, i, 1));
    ctx.Add(r.GetBool(i, 3) ? Severity::kError : Severity::kWarning,
            "table " + Str(r, i, 0) + "." + Str(r, i, 1),
            fmt::format("PUBLIC has {} on {}", Str(r, i, 2), name),
            "REVOKE ALL ON " + name + " FROM PUBLIC;  -- grant the roles that need it instead");
  }
  return Status::OK();
}

Status PublicExecuteSecurityDefiner(Context& ctx) {
  std::string sql = std::string(
                        "SELECT p.oid::regprocedure::text FROM pg_proc p "
                        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.prosecdef AND "
                        "has_function_privilege('public', p.oid, 'EXECUTE') AND ") +
                    kUserSchemas + " AND " + NotExtensionMember("pg_proc", "p.oid") +
                    " ORDER BY 1";
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.Query(sql));
  for (int i = 0; i < r.rows(); ++i) {
    std::string fn = Str(r, i, 0);
    ctx.Add("function " + fn,
            fmt::format("every role may execute SECURITY DEFINER function {}", fn),
            "REVOKE EXECUTE ON FUNCTION " + fn +
                " FROM PUBLIC;  -- and GRANT EXECUTE to the roles that call it");
  }
  return Status::OK();
}

Status GrantAll(Context& ctx) {
  std::string sql =
      std::string(
          "SELECT n.nspname, c.relname, g.rolname FROM pg_class c "
          "JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a "
          "JOIN pg_roles g ON g.oid = a.grantee "
          "WHERE c.relkind IN ('r', 'p') AND a.grantee <> c.relowner AND NOT g.rolsuper AND ") +
      kUserSchemas +
      " GROUP BY 1, 2, 3 HAVING count(DISTINCT a.privilege_type) = 7 ORDER BY 1, 2, 3";
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.Query(sql));
  for (int i = 0; i < r.rows(); ++i) {
    std::string name = QuoteIdent(Str(r, i, 0)) + "." + QuoteIdent(Str(r, i, 1));
    std::string role = Str(r, i, 2);
    ctx.Add("table " + Str(r, i, 0) + "." + Str(r, i, 1),
            fmt::format("{} has ALL privileges on {}", role, name),
            "REVOKE TRUNCATE, REFERENCES, TRIGGER ON " + name + " FROM " + QuoteIdent(role) +
                ";  -- keep what it uses");
  }
  return Status::OK();
}

Status DefaultPrivilegesPublic(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      ctx.Query("SELECT pg_get_userbyid(d.defaclrole), coalesce(n.nspname, ''), "
                "CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' "
                "WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' ELSE 'SCHEMAS' END, "
                "string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) "
                "FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace, "
                "aclexplode(d.defaclacl) a WHERE a.grantee = 0 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"));
  for (int i = 0; i < r.rows(); ++i) {
    std::string role = Str(r, i, 0);
    std::string schema = Str(r, i, 1);
    std::string kind = Str(r, i, 2);
    std::string in_schema = schema.empty() ? "" : " IN SCHEMA " + QuoteIdent(schema);
    ctx.Add("default privileges of " + role + (schema.empty() ? "" : " in " + schema),
            fmt::format("{} created later by {}{} are granted {} to PUBLIC", ToLower(kind),
                        role, schema.empty() ? "" : " in schema " + schema, Str(r, i, 3)),
            "ALTER DEFAULT PRIVILEGES FOR ROLE " + QuoteIdent(role) + in_schema +
                " REVOKE ALL ON " + kind + " FROM PUBLIC;");
  }
  return Status::OK();
}

// Functions --------------------------------------------------------------------------------

Status SecurityDefinerSearchPath(Context& ctx) {
  std::string sql =
      std::string(
          "SELECT p.oid::regprocedure::text FROM pg_proc p "
          "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.prosecdef AND NOT EXISTS ("
          "SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\\_path=%') AND ") +
      kUserSchemas + " AND " + NotExtensionMember("pg_proc", "p.oid") + " ORDER BY 1";
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.Query(sql));
  for (int i = 0; i < r.rows(); ++i) {
    std::string fn = Str(r, i, 0);
    ctx.Add("function " + fn,
            fmt::format("SECURITY DEFINER function {} runs with the caller's search_path", fn),
            "ALTER FUNCTION " + fn + " SET search_path = pg_catalog, pg_temp;");
  }
  return Status::OK();
}

Status SecurityDefinerSuperuserOwned(Context& ctx) {
  std::string sql = std::string(
                        "SELECT p.oid::regprocedure::text, r.rolname FROM pg_proc p "
                        "JOIN pg_namespace n ON n.oid = p.pronamespace "
                        "JOIN pg_roles r ON r.oid = p.proowner WHERE p.prosecdef AND "
                        "r.rolsuper AND ") +
                    kUserSchemas + " AND " + NotExtensionMember("pg_proc", "p.oid") +
                    " ORDER BY 1";
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.Query(sql));
  for (int i = 0; i < r.rows(); ++i) {
    std::string fn = Str(r, i, 0);
    ctx.Add("function " + fn,
            fmt::format("SECURITY DEFINER function {} is owned by superuser {}", fn, Str(r, i, 1)),
            "ALTER FUNCTION " + fn + " OWNER TO <a role with only the privileges it needs>;");
  }
  return Status::OK();
}

Status UntrustedLanguage(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult langs,
      ctx.Query("SELECT lanname FROM pg_language WHERE lanispl AND NOT lanpltrusted "
                "ORDER BY 1"));
  for (int i = 0; i < langs.rows(); ++i) {
    std::string lang = Str(langs, i, 0);
    ctx.Add("language " + lang, fmt::format("untrusted language {} is installed", lang),
            "DROP EXTENSION " + QuoteIdent(lang) + ";  -- if nothing needs it");
  }
  std::string sql = std::string(
                        "SELECT p.oid::regprocedure::text, l.lanname FROM pg_proc p "
                        "JOIN pg_namespace n ON n.oid = p.pronamespace "
                        "JOIN pg_language l ON l.oid = p.prolang "
                        "WHERE NOT l.lanpltrusted AND l.lanname <> 'internal' AND ") +
                    kUserSchemas + " AND " + NotExtensionMember("pg_proc", "p.oid") +
                    " ORDER BY 1";
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.Query(sql));
  for (int i = 0; i < r.rows(); ++i) {
    std::string fn = Str(r, i, 0);
    ctx.Add("function " + fn,
            fmt::format("function {} is written in untrusted language {}", fn, Str(r, i, 1)),
            "-- review it; revoke EXECUTE from roles that do not need it: REVOKE EXECUTE ON "
            "FUNCTION " +
                fn + " FROM PUBLIC;");
  }
  return Status::OK();
}

Status RiskyExtension(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      ctx.Query("SELECT extname FROM pg_extension WHERE extname IN ('dblink', 'postgres_fdw', "
                "'file_fdw', 'adminpack') ORDER BY 1"));
  for (int i = 0; i < r.rows(); ++i) {
    std::string ext = Str(r, i, 0);
    ctx.Add("extension " + ext, fmt::format("extension {} is installed", ext),
            "DROP EXTENSION " + QuoteIdent(ext) + ";  -- if unused; else restrict its functions");
  }
  return Status::OK();
}

// Row-level security -----------------------------------------------------------------------

Status PolicyWithoutRls(Context& ctx) {
  std::string sql = std::string(
                        "SELECT n.nspname, c.relname, string_agg(p.polname, ', ' ORDER BY "
                        "p.polname) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE NOT c.relrowsecurity AND ") +
                    kUserSchemas + " GROUP BY 1, 2 ORDER BY 1, 2";
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.Query(sql));
  for (int i = 0; i < r.rows(); ++i) {
    std::string name = QuoteIdent(Str(r, i, 0)) + "." + QuoteIdent(Str(r, i, 1));
    ctx.Add("table " + Str(r, i, 0) + "." + Str(r, i, 1),
            fmt::format("policies {} on {} have no effect: row-level security is off",
                        Str(r, i, 2), name),
            "ALTER TABLE " + name + " ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;");
  }
  return Status::OK();
}

Status RlsNotForced(Context& ctx) {
  std::string sql = std::string(
                        "SELECT n.nspname, c.relname, r.rolname FROM pg_class c "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "JOIN pg_roles r ON r.oid = c.relowner WHERE c.relrowsecurity AND "
                        "NOT c.relforcerowsecurity AND r.rolcanlogin AND NOT r.rolsuper AND ") +
                    kUserSchemas + " ORDER BY 1, 2";
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.Query(sql));
  for (int i = 0; i < r.rows(); ++i) {
    std::string name = QuoteIdent(Str(r, i, 0)) + "." + QuoteIdent(Str(r, i, 1));
    ctx.Add("table " + Str(r, i, 0) + "." + Str(r, i, 1),
            fmt::format("{} is owned by login role {}, which bypasses its policies", name,
                        Str(r, i, 2)),
            "ALTER TABLE " + name + " FORCE ROW LEVEL SECURITY;");
  }
  return Status::OK();
}

Status TenantTableWithoutRls(Context& ctx) {
  if (ctx.options.tenant_columns.empty()) return Status::OK();
  std::string list;
  for (const std::string& c : ctx.options.tenant_columns) {
    list += (list.empty() ? "" : ", ") + QuoteLiteral(c);
  }
  std::string sql =
      std::string(
          "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), "
          "c.relrowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
          "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attname IN (") +
      list + ") AND (NOT c.relrowsecurity OR NOT EXISTS (SELECT 1 FROM pg_policy p WHERE " +
      "p.polrelid = c.oid)) AND " + kUserSchemas + " ORDER BY 1, 2, 3";
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.Query(sql));
  std::string last;
  for (int i = 0; i < r.rows(); ++i) {
    std::string key = Str(r, i, 0) + "." + Str(r, i, 1);
    if (key == last) continue;  // one finding per table
    last = key;
    std::string name = QuoteIdent(Str(r, i, 0)) + "." + QuoteIdent(Str(r, i, 1));
    std::string col = QuoteIdent(Str(r, i, 2));
    ctx.Add("table " + key,
            fmt::format("{} has tenant column {} but {}", name, Str(r, i, 2),
                        r.GetBool(i, 4) ? "no policy (RLS on: no row is visible)"
                                        : "no row-level security"),
            "ALTER TABLE " + name + " ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY; "
            "CREATE POLICY tenant_isolation ON " + name + " USING (" + col +
                " = current_setting('app.tenant_id')::" + Str(r, i, 3) + ");");
  }
  return Status::OK();
}

// Personal data ----------------------------------------------------------------------------

enum class DataKind { kNone, kEmail, kPhone, kCard, kNationalId };

const char* DataKindName(DataKind k) {
  switch (k) {
    case DataKind::kEmail:
      return "email addresses";
    case DataKind::kPhone:
      return "phone numbers";
    case DataKind::kCard:
      return "payment card numbers (Luhn-valid)";
    case DataKind::kNationalId:
      return "national identifiers (SSN format)";
    case DataKind::kNone:
      break;
  }
  return "personal data";
}

DataKind Classify(const std::string& v) {
  static const std::regex email(R"(^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$)");
  static const std::regex ssn(R"(^\d{3}-\d{2}-\d{4}$)");
  static const std::regex phone(R"(^\+?[0-9 ()\-.]{7,20}$)");
  if (v.size() > 254) return DataKind::kNone;
  if (std::regex_match(v, email)) return DataKind::kEmail;
  if (std::regex_match(v, ssn)) return DataKind::kNationalId;
  int digits = 0;
  for (char c : v) digits += std::isdigit(static_cast<unsigned char>(c)) ? 1 : 0;
  if (digits >= 13 && digits <= 19 && LuhnValid(v)) return DataKind::kCard;
  if (digits >= 9 && digits <= 15 && std::regex_match(v, phone)) return DataKind::kPhone;
  return DataKind::kNone;
}

// A column name that says what it holds.
DataKind KindByName(const std::string& name) {
  std::string n = ToLower(name);
  auto has = [&](const char* w) { return n.find(w) != std::string::npos; };
  if (has("email") || has("e_mail")) return DataKind::kEmail;
  if (has("phone") || has("mobile") || n == "tel") return DataKind::kPhone;
  if (has("card_number") || has("credit_card") || n == "pan" || has("cardnumber")) {
    return DataKind::kCard;
  }
  if (has("ssn") || has("social_security") || has("national_id") || has("passport") ||
      has("tax_id")) {
    return DataKind::kNationalId;
  }
  return DataKind::kNone;
}

bool LooksHashed(const std::string& v) {
  static const std::regex hex(R"(^(md5)?[0-9a-fA-F]{32,128}$)");
  return v.rfind("$2a$", 0) == 0 || v.rfind("$2b$", 0) == 0 || v.rfind("$2y$", 0) == 0 ||
         v.rfind("$argon2", 0) == 0 || v.rfind("$scrypt", 0) == 0 || v.rfind("$pbkdf2", 0) == 0 ||
         v.rfind("pbkdf2_", 0) == 0 || v.rfind("SCRAM-SHA-256$", 0) == 0 ||
         v.rfind("$6$", 0) == 0 || v.rfind("$5$", 0) == 0 || v.rfind("$1$", 0) == 0 ||
         std::regex_match(v, hex);
}

struct TextColumn {
  std::string schema, table, column;
  double rows = 0;
};

// Up to `limit` non-null values of a column, read from a sample of the table.
Result<std::vector<std::string>> SampleValues(Context& ctx, const TextColumn& c, int limit) {
  std::string name = QuoteIdent(c.schema) + "." + QuoteIdent(c.table);
  std::string col = QuoteIdent(c.column);
  // Small tables are read from the start; large ones through a block sample big enough to
  // hold about `limit` rows, so the audit reads kilobytes, not the table.
  std::string from = name;
  if (c.rows > 20.0 * limit) {
    double pct = std::min(100.0, std::max(0.01, 100.0 * 5 * limit / c.rows));
    from = fmt::format("{} TABLESAMPLE SYSTEM ({:.4f})", name, pct);
  }
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r,
                          ctx.Query(fmt::format("SELECT {}::text FROM {} WHERE {} IS NOT NULL "
                                                "LIMIT {}",
                                                col, from, col, limit)));
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(Str(r, i, 0));
  return out;
}

Result<std::vector<TextColumn>> TextColumns(Context& ctx) {
  std::string sql =
      std::string(
          "SELECT n.nspname, c.relname, a.attname, greatest(c.reltuples, 0)::float8 "
          "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
          "WHERE c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition AND "
          // Text types, and domains over them (CREATE DOMAIN email AS text ...).
          "(a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype) OR EXISTS "
          "(SELECT 1 FROM pg_type d WHERE d.oid = a.atttypid AND d.typtype = 'd' AND "
          "d.typbasetype IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype))) AND "
          "has_table_privilege(c.oid, 'SELECT') AND ") +
      kUserSchemas + " AND " + NotExtensionMember("pg_class", "c.oid") +
      " ORDER BY 1, 2, a.attnum LIMIT 2000";
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.Query(sql));
  std::vector<TextColumn> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({Str(r, i, 0), Str(r, i, 1), Str(r, i, 2), std::strtod(Str(r, i, 3).c_str(), nullptr)});
  }
  return out;
}

// A text column judged to hold personal data, and why.
struct PersonalColumnFound {
  TextColumn column;
  std::string what;  // "45 of 50 sampled values are email addresses", "its name says ..."
};

// The text columns that hold personal data: most sampled values of one kind, or a name that
// says so (sample_rows = 0: names only). Password columns are left to
// plaintext-password-column.
Result<std::vector<PersonalColumnFound>> FindPersonalColumns(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(std::vector<TextColumn> columns, TextColumns(ctx));
  std::vector<PersonalColumnFound> out;
  for (const TextColumn& c : columns) {
    std::string lower = ToLower(c.column);
    if (lower.find("password") != std::string::npos || lower == "passwd" || lower == "pwd") {
      continue;  // plaintext-password-column's business
    }
    DataKind by_name = KindByName(c.column);
    DataKind found = DataKind::kNone;
    int matched = 0;
    size_t sampled = 0;
    if (ctx.options.sample_rows > 0) {
      DBARCH_ASSIGN_OR_RETURN(std::vector<std::string> values,
                              SampleValues(ctx, c, ctx.options.sample_rows));
      sampled = values.size();
      std::map<DataKind, int> counts;
      for (const std::string& v : values) ++counts[Classify(v)];
      for (const auto& [kind, n] : counts) {
        if (kind != DataKind::kNone && n > matched) {
          matched = n;
          found = kind;
        }
      }
      // Most sampled values must be of one kind: a comment that mentions an email is not
      // an email column.
      if (matched * 2 < static_cast<int>(sampled)) found = DataKind::kNone;
    }
    if (found == DataKind::kNone && by_name == DataKind::kNone) continue;
    out.push_back({c, found != DataKind::kNone
                          ? fmt::format("{} of {} sampled values are {}", matched, sampled,
                                        DataKindName(found))
                          : fmt::format("its name says {}", DataKindName(by_name))});
  }
  return out;
}

Status PersonalDataPlaintext(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(std::vector<PersonalColumnFound> found, FindPersonalColumns(ctx));
  for (const PersonalColumnFound& p : found) {
    const TextColumn& c = p.column;
    std::string name = QuoteIdent(c.schema) + "." + QuoteIdent(c.table);
    ctx.Add("column " + c.schema + "." + c.table + "." + c.column,
            fmt::format("column {}.{} holds personal data in plain text: {}", name,
                        QuoteIdent(c.column), p.what),
            "-- restrict who reads it (column privileges or a masking view: see dbarch secure), "
            "or store it encrypted (pgcrypto)");
  }
  return Status::OK();
}

Status PersonalDataReadable(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(std::vector<PersonalColumnFound> found, FindPersonalColumns(ctx));
  for (const PersonalColumnFound& p : found) {
    const TextColumn& c = p.column;
    std::string name = QuoteIdent(c.schema) + "." + QuoteIdent(c.table);
    // Login roles, other than superusers and the owner (and its members), that may SELECT
    // the column: through a table or column grant, a group, or PUBLIC.
    DBARCH_ASSIGN_OR_RETURN(
        pg::QueryResult r,
        ctx.conn.ExecParams(
            "SELECT r.rolname FROM pg_roles r, pg_class t WHERE t.oid = $1::regclass "
            "AND r.rolcanlogin AND NOT r.rolsuper AND r.rolname NOT LIKE 'pg\\_%' "
            "AND NOT pg_has_role(r.oid, t.relowner, 'USAGE') "
            "AND has_column_privilege(r.oid, t.oid, $2, 'SELECT') ORDER BY 1",
            {name, c.column}));
    for (int i = 0; i < r.rows(); ++i) {
      std::string role = Str(r, i, 0);
      bool allowed = false;
      for (const std::string& reader : ctx.options.personal_data_readers) {
        DBARCH_ASSIGN_OR_RETURN(
            pg::QueryResult member,
            ctx.conn.ExecParams("SELECT pg_has_role($1, oid, 'MEMBER') FROM pg_roles "
                                "WHERE rolname = $2",
                                {role, reader}));
        allowed |= member.rows() == 1 && member.GetBool(0, 0);
      }
      if (allowed) continue;
      bool listed = !ctx.options.personal_data_readers.empty();
      ctx.Add(listed ? Severity::kWarning : Severity::kInfo,
              "column " + c.schema + "." + c.table + "." + c.column + " read by " + role,
              fmt::format("login role {} can read column {}.{} ({}){}", role, name,
                          QuoteIdent(c.column), p.what,
                          listed ? ", and is not among the roles that need personal data" : ""),
              "REVOKE SELECT ON " + name + " FROM " + QuoteIdent(role) +
                  ";  -- or from the group or PUBLIC it reads through; then GRANT SELECT "
                  "(<the other columns>) ON " +
                  name + " TO " + QuoteIdent(role) + ", or give it a masking view (dbarch secure)");
    }
  }
  return Status::OK();
}

Status PlaintextPasswordColumn(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(std::vector<TextColumn> columns, TextColumns(ctx));
  for (const TextColumn& c : columns) {
    std::string lower = ToLower(c.column);
    bool named = lower.find("password") != std::string::npos || lower == "passwd" ||
                 lower == "pwd" || lower == "pass";
    if (!named || lower.find("hash") != std::string::npos ||
        lower.find("digest") != std::string::npos) {
      continue;
    }
    DBARCH_ASSIGN_OR_RETURN(std::vector<std::string> values, SampleValues(ctx, c, 50));
    int plain = 0;
    for (const std::string& v : values) plain += LooksHashed(v) ? 0 : 1;
    std::string name = QuoteIdent(c.schema) + "." + QuoteIdent(c.table);
    std::string object = "column " + c.schema + "." + c.table + "." + c.column;
    std::string fix =
        "-- store a slow salted hash instead: UPDATE " + name + " SET " + QuoteIdent(c.column) +
        " = crypt(" + QuoteIdent(c.column) + ", gen_salt('bf')) (pgcrypto), and verify with "
        "crypt(input, stored) = stored";
    if (values.empty()) {
      ctx.Add(Severity::kWarning, object,
              fmt::format("column {}.{} is named like a password and holds text; no rows to "
                          "check whether the values are hashes",
                          name, QuoteIdent(c.column)),
              fix);
    } else if (plain > 0) {
      ctx.Add(object,
              fmt::format("column {}.{} stores passwords in plain text: {} of {} sampled values "
                          "are not hashes",
                          name, QuoteIdent(c.column), plain, values.size()),
              fix);
    }
  }
  return Status::OK();
}

// Server -----------------------------------------------------------------------------------

struct HbaLine {
  int line = 0;
  std::string type, database, user, address, netmask, method, error;
};

Result<std::vector<HbaLine>> HbaLines(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      ctx.Query("SELECT line_number, type, array_to_string(database, ','), "
                "array_to_string(user_name, ','), coalesce(address, ''), coalesce(netmask, ''), "
                "coalesce(auth_method, ''), coalesce(error, '') FROM pg_hba_file_rules "
                "ORDER BY line_number"));
  std::vector<HbaLine> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({static_cast<int>(r.GetInt(i, 0)), Str(r, i, 1), Str(r, i, 2), Str(r, i, 3),
                   Str(r, i, 4), Str(r, i, 5), Str(r, i, 6), Str(r, i, 7)});
  }
  return out;
}

std::string Describe(const HbaLine& l) {
  std::string out = l.type + " " + l.database + " " + l.user;
  if (!l.address.empty()) out += " " + l.address + (l.netmask.empty() ? "" : "/" + l.netmask);
  return out + " " + l.method;
}

bool IsLoopback(const HbaLine& l) {
  return l.address == "127.0.0.1" || l.address == "::1" || l.address == "localhost";
}

bool IsEverywhere(const HbaLine& l) {
  return l.address == "all" || l.netmask == "0.0.0.0" || l.netmask == "::" ||
         l.address == "0.0.0.0" || l.address == "::";
}

Status HbaTrust(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(std::vector<HbaLine> lines, HbaLines(ctx));
  for (const HbaLine& l : lines) {
    if (l.method != "trust") continue;
    // A Unix socket or loopback line is reachable only from this host: a warning.
    bool local = l.type == "local" || IsLoopback(l);
    ctx.Add(local ? Severity::kWarning : Severity::kError,
            fmt::format("pg_hba.conf line {}", l.line),
            fmt::format("'{}' lets {} log in as {} without a password",
                        Describe(l), local ? "any local user" : "anyone who reaches the address",
                        l.user == "all" ? "any role" : l.user),
            l.type == "local" ? "use peer (local) or scram-sha-256 instead of trust, then SELECT "
                                "pg_reload_conf();"
                              : "use scram-sha-256 instead of trust, then SELECT pg_reload_conf();");
  }
  return Status::OK();
}

Status HbaWeakMethod(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(std::vector<HbaLine> lines, HbaLines(ctx));
  for (const HbaLine& l : lines) {
    if (l.method != "password" && l.method != "md5") continue;
    ctx.Add(l.method == "password" ? Severity::kError : Severity::kWarning,
            fmt::format("pg_hba.conf line {}", l.line),
            fmt::format("'{}' uses {}", Describe(l),
                        l.method == "password" ? "clear-text passwords" : "MD5 authentication"),
            "use scram-sha-256 (after re-setting MD5 passwords under password_encryption = "
            "'scram-sha-256'), then SELECT pg_reload_conf();");
  }
  return Status::OK();
}

Status HbaWideOpen(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(std::vector<HbaLine> lines, HbaLines(ctx));
  for (const HbaLine& l : lines) {
    if (l.type == "local" || !IsEverywhere(l) || l.method == "reject") continue;
    ctx.Add(fmt::format("pg_hba.conf line {}", l.line),
            fmt::format("'{}' accepts connections from every address", Describe(l)),
            "narrow the address to the application's network (e.g. 10.0.0.0/8), then SELECT "
            "pg_reload_conf();");
  }
  return Status::OK();
}

Status HbaHostWithoutSsl(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(std::vector<HbaLine> lines, HbaLines(ctx));
  for (const HbaLine& l : lines) {
    if ((l.type != "host" && l.type != "hostnossl") || IsLoopback(l) || l.method == "reject") {
      continue;
    }
    ctx.Add(fmt::format("pg_hba.conf line {}", l.line),
            fmt::format("'{}' accepts connections without SSL", Describe(l)),
            "change host to hostssl (with ssl = on), then SELECT pg_reload_conf();");
  }
  return Status::OK();
}

Status SslOff(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(std::string ssl, ctx.Setting("ssl"));
  if (ssl == "on") return Status::OK();
  DBARCH_ASSIGN_OR_RETURN(std::string listen, ctx.Setting("listen_addresses"));
  bool only_local = listen.empty() || listen == "localhost" || listen == "127.0.0.1" ||
                    listen == "::1" || listen == "127.0.0.1,::1" || listen == "localhost,::1";
  ctx.Add(only_local ? Severity::kInfo : Severity::kWarning, "setting ssl",
          fmt::format("ssl is off (listen_addresses = '{}')", listen),
          "ssl = on, with ssl_cert_file and ssl_key_file, in postgresql.conf; SELECT "
          "pg_reload_conf();");
  return Status::OK();
}

Status PasswordEncryptionMd5(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(std::string v, ctx.Setting("password_encryption"));
  if (v != "md5") return Status::OK();
  ctx.Add("setting password_encryption", "password_encryption = md5",
          "ALTER SYSTEM SET password_encryption = 'scram-sha-256'; SELECT pg_reload_conf();");
  return Status::OK();
}

Status ListenAllAddresses(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(std::string v, ctx.Setting("listen_addresses"));
  if (v != "*" && v != "0.0.0.0" && v != "::" && v != "0.0.0.0,::") return Status::OK();
  ctx.Add("setting listen_addresses", fmt::format("listen_addresses = '{}'", v),
          "listen_addresses = '<the interfaces clients use>' in postgresql.conf (restart)");
  return Status::OK();
}

Status OffSetting(Context& ctx, const char* name) {
  DBARCH_ASSIGN_OR_RETURN(std::string v, ctx.Setting(name));
  if (v == "on") return Status::OK();
  ctx.Add(std::string("setting ") + name, fmt::format("{} = {}", name, v),
          fmt::format("ALTER SYSTEM SET {} = on; SELECT pg_reload_conf();", name));
  return Status::OK();
}

Status LogConnections(Context& ctx) { return OffSetting(ctx, "log_connections"); }
Status LogDisconnections(Context& ctx) { return OffSetting(ctx, "log_disconnections"); }

Status LogStatement(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(std::string v, ctx.Setting("log_statement"));
  if (v != "none") return Status::OK();
  ctx.Add("setting log_statement", "log_statement = none",
          "ALTER SYSTEM SET log_statement = 'ddl'; SELECT pg_reload_conf();");
  return Status::OK();
}

Status LogLinePrefix(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(std::string v, ctx.Setting("log_line_prefix"));
  bool user = v.find("%u") != std::string::npos;
  bool db = v.find("%d") != std::string::npos;
  if (user && db) return Status::OK();
  ctx.Add("setting log_line_prefix",
          fmt::format("log_line_prefix = '{}' lacks {}", v,
                      !user && !db ? "%u and %d" : !user ? "%u" : "%d"),
          "ALTER SYSTEM SET log_line_prefix = '%m [%p] %q%u@%d '; SELECT pg_reload_conf();");
  return Status::OK();
}

Status DataChecksums(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(std::string v, ctx.Setting("data_checksums"));
  if (v == "on") return Status::OK();
  ctx.Add("setting data_checksums", "data_checksums = off",
          "stop the server and run pg_checksums --enable -D <data directory> (PostgreSQL 12+), "
          "or initdb --data-checksums for a new cluster");
  return Status::OK();
}

Status TablespaceInDataDirectory(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      ctx.Query("SELECT spcname, pg_tablespace_location(oid), current_setting('data_directory') "
                "FROM pg_tablespace WHERE pg_tablespace_location(oid) <> '' ORDER BY 1"));
  for (int i = 0; i < r.rows(); ++i) {
    std::string location = Str(r, i, 1);
    std::string data = Str(r, i, 2);
    if (location.rfind(data + "/", 0) != 0) continue;
    std::string name = Str(r, i, 0);
    ctx.Add("tablespace " + name,
            fmt::format("tablespace {} is at {}, inside the data directory {}", name, location,
                        data),
            "CREATE TABLESPACE <new> LOCATION '<outside the data directory>'; move its objects "
            "(ALTER TABLE ... SET TABLESPACE), then DROP TABLESPACE " +
                QuoteIdent(name) + ";");
  }
  return Status::OK();
}

Status PgauditNotLoaded(Context& ctx) {
  DBARCH_ASSIGN_OR_RETURN(std::string v, ctx.Setting("shared_preload_libraries"));
  if (v.find("pgaudit") != std::string::npos) return Status::OK();
  ctx.Add(ctx.options.require_audit_logging ? Severity::kWarning : Severity::kInfo,
          "setting shared_preload_libraries",
          fmt::format("shared_preload_libraries = '{}' does not load pgaudit", v),
          "install pgaudit (Debian: postgresql-15-pgaudit), add it to shared_preload_libraries "
          "(restart), CREATE EXTENSION pgaudit, and set pgaudit.log (e.g. 'ddl, role')");
  return Status::OK();
}

struct RuleFn {
  std::string_view id;
  Status (*run)(Context&);
};

constexpr RuleFn kRuleFns[] = {
    {"extra-superuser", ExtraSuperuser},
    {"login-role-privileged", LoginRolePrivileged},
    {"login-without-password", LoginWithoutPassword},
    {"md5-password", Md5Password},
    {"password-never-expires", PasswordNeverExpires},
    {"owner-role-logs-in", OwnerRoleLogsIn},
    {"public-schema-create", PublicSchemaCreate},
    {"public-table-privileges", PublicTablePrivileges},
    {"public-execute-security-definer", PublicExecuteSecurityDefiner},
    {"grant-all", GrantAll},
    {"default-privileges-public", DefaultPrivilegesPublic},
    {"security-definer-search-path", SecurityDefinerSearchPath},
    {"security-definer-superuser-owned", SecurityDefinerSuperuserOwned},
    {"untrusted-language", UntrustedLanguage},
    {"risky-extension", RiskyExtension},
    {"policy-without-rls", PolicyWithoutRls},
    {"rls-not-forced", RlsNotForced},
    {"tenant-table-without-rls", TenantTableWithoutRls},
    {"personal-data-plaintext", PersonalDataPlaintext},
    {"personal-data-readable", PersonalDataReadable},
    {"plaintext-password-column", PlaintextPasswordColumn},
    {"hba-trust", HbaTrust},
    {"hba-weak-method", HbaWeakMethod},
    {"hba-wide-open", HbaWideOpen},
    {"hba-host-without-ssl", HbaHostWithoutSsl},
    {"ssl-off", SslOff},
    {"password-encryption-md5", PasswordEncryptionMd5},
    {"listen-all-addresses", ListenAllAddresses},
    {"log-connections", LogConnections},
    {"log-disconnections", LogDisconnections},
    {"log-statement", LogStatement},
    {"log-line-prefix", LogLinePrefix},
    {"data-checksums", DataChecksums},
    {"tablespace-in-data-directory", TablespaceInDataDirectory},
    {"pgaudit-not-loaded", PgauditNotLoaded},
};

}  // namespace

Result<AuditReport> RunAudit(pg::Connection& conn, const AuditOptions& options) {
  for (const std::string& id : options.only) {
    if (FindAuditRule(id) == nullptr) {
      return Status::InvalidArgument("unknown audit rule \"" + id + "\"");
    }
  }
  AuditReport report;
  report.server = conn.DisplayName();
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult info,
      conn.Exec("SELECT current_setting('server_version'), current_database(), session_user"));
  report.server_version = Str(info, 0, 0);
  report.database = Str(info, 0, 1);
  report.session_user = Str(info, 0, 2);
  for (const RuleFn& fn : kRuleFns) {
    if (!options.only.empty() &&
        std::find(options.only.begin(), options.only.end(), fn.id) == options.only.end()) {
      continue;
    }
    const AuditRuleInfo* rule = FindAuditRule(fn.id);
    Context ctx{conn, options, rule, report};
    size_t before = report.findings.size();
    Status st = fn.run(ctx);
    if (!st.ok()) {
      if (st.code() == StatusCode::kConnection) return st;
      report.findings.resize(before);  // a rule is all or nothing
      std::string reason = st.message();
      if (conn.last_sqlstate() == "42501") reason = "permission denied: " + reason;
      report.skipped.push_back({rule, reason});
      continue;
    }
    ++report.rules_run;
  }
  std::map<const AuditRuleInfo*, size_t> order;
  for (size_t i = 0; i < AllAuditRules().size(); ++i) order[&AllAuditRules()[i]] = i;
  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [&](const AuditFinding& a, const AuditFinding& b) {
                     if (a.severity != b.severity) return a.severity > b.severity;
                     if (a.rule != b.rule) return order[a.rule] < order[b.rule];
                     return a.object < b.object;
                   });
  return report;
}

}  // namespace dbarch::security
