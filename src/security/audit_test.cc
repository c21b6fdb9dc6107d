#include "security/audit.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pg/connection.h"
#include "sandbox/test_util.h"

namespace dbarch::security {
namespace {

using sandbox::test_util::SharedSandbox;

pg::Connection Connect(const std::string& db, bool read_only = false) {
  auto box = SharedSandbox();
  EXPECT_TRUE(box.ok()) << box.status().ToString();
  pg::ConnectOptions options;
  options.conninfo = (*box)->ConnInfo() + " dbname=" + db;
  options.read_only = read_only;
  options.statement_timeout_ms = 20000;
  auto conn = pg::Connection::Open(options);
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  return std::move(conn).value();
}

void Exec(pg::Connection& conn, const std::string& sql) {
  auto r = conn.Exec(sql);
  ASSERT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
}

std::string Describe(const AuditReport& report) {
  std::string out;
  for (const AuditFinding& f : report.findings) {
    out += std::string(SeverityName(f.severity)) + " " + std::string(f.rule->id) + " " +
           f.object + ": " + f.message + "\n";
  }
  for (const AuditSkipped& s : report.skipped) {
    out += "skipped " + std::string(s.rule->id) + ": " + s.reason + "\n";
  }
  return out;
}

// The findings of `rule` whose object contains `object`.
std::vector<const AuditFinding*> Find(const AuditReport& report, std::string_view rule,
                                      std::string_view object = "") {
  std::vector<const AuditFinding*> out;
  for (const AuditFinding& f : report.findings) {
    if (f.rule->id == rule && f.object.find(object) != std::string::npos) out.push_back(&f);
  }
  return out;
}

// What a fresh PostgreSQL 15 cluster (as the sandbox sets it up) leaves open, and nothing
// else: trust on the Unix socket, SSL off (listening on loopback only), the default logging
// settings and no pgaudit.
TEST(Audit, FreshClusterListsOnlyWhatTheDefaultsLeaveOpen) {
  auto box = SharedSandbox();
  ASSERT_TRUE(box.ok());
  ASSERT_TRUE((*box)->CreateDatabase("audit_clean").ok());
  {
    pg::Connection setup = Connect("audit_clean");
    // A well-kept schema: owned by a role that cannot log in, RLS forced on the tenant
    // table, hashed passwords, no personal data in clear.
    Exec(setup,
         "CREATE ROLE audit_clean_owner NOLOGIN;"
         "CREATE TABLE users (id bigint PRIMARY KEY, password text NOT NULL, tenant_id int);"
         "INSERT INTO users VALUES (1, '$2b$12$abcdefghijklmnopqrstuuJ8dXZJ0r0qyq7d6sQp4c0sF6vS0s2', 1);"
         "ALTER TABLE users ENABLE ROW LEVEL SECURITY;"
         "CREATE POLICY tenant ON users USING (tenant_id = current_setting('app.tenant_id')::int);"
         "ALTER TABLE users OWNER TO audit_clean_owner;"
         "CREATE FUNCTION safe() RETURNS int LANGUAGE sql SECURITY DEFINER "
         "SET search_path = pg_catalog, pg_temp AS 'SELECT 1';"
         "ALTER FUNCTION safe() OWNER TO audit_clean_owner;"
         "REVOKE EXECUTE ON FUNCTION safe() FROM PUBLIC;"
         "ALTER DATABASE audit_clean SET log_statement = 'ddl'");
  }
  pg::Connection conn = Connect("audit_clean", /*read_only=*/true);
  auto report = RunAudit(conn, AuditOptions{});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  std::set<std::string> rules;
  for (const AuditFinding& f : report->findings) rules.insert(std::string(f.rule->id));
  EXPECT_EQ(rules, (std::set<std::string>{"hba-trust", "ssl-off", "log-connections",
                                          "log-disconnections", "log-line-prefix",
                                          "data-checksums", "pgaudit-not-loaded"}))
      << Describe(*report);
  EXPECT_TRUE(report->skipped.empty()) << Describe(*report);
  EXPECT_EQ(report->rules_run, static_cast<int>(AllAuditRules().size()));
  // Trust on the Unix socket is reachable only from this host: a warning, not an error.
  for (const AuditFinding* f : Find(*report, "hba-trust")) {
    EXPECT_EQ(f->severity, Severity::kWarning) << f->message;
  }
  ASSERT_EQ(Find(*report, "ssl-off").size(), 1u);
  EXPECT_EQ(Find(*report, "ssl-off")[0]->severity, Severity::kInfo);
}

TEST(Audit, EveryPlantedProblemIsFound) {
  auto box = SharedSandbox();
  ASSERT_TRUE(box.ok());
  ASSERT_TRUE((*box)->CreateDatabase("audit_planted").ok());
  std::string hba_path = (*box)->data_dir() + "/pg_hba.conf";
  std::string hba_before;
  {
    std::ifstream in(hba_path);
    std::ostringstream s;
    s << in.rdbuf();
    hba_before = s.str();
  }
  {
    std::ofstream out(hba_path, std::ios::app);
    out << "host all all 0.0.0.0/0 trust\n"
           "host all all 10.0.0.0/8 password\n"
           "hostssl all all 192.168.0.0/16 md5\n";
  }
  // A tablespace directory inside the data directory, owned by the server's OS user.
  std::string inside = (*box)->data_dir() + "/inside_ts";
  ASSERT_EQ(system(("mkdir -p '" + inside + "' && chown postgres '" + inside + "'").c_str()), 0);
  pg::Connection setup = Connect("audit_planted");
  (void)setup.Exec("CREATE TABLESPACE inside_ts LOCATION '" + inside + "'");
  Exec(setup,
       // Roles.
       "CREATE ROLE audit_su SUPERUSER LOGIN;"
       "CREATE ROLE audit_creator LOGIN CREATEDB PASSWORD 'Secret-1';"
       "CREATE ROLE audit_nopass LOGIN;"
       "SET password_encryption = 'md5';"
       "CREATE ROLE audit_md5 LOGIN PASSWORD 'Secret-2';"
       "RESET password_encryption;"
       "CREATE ROLE audit_app LOGIN PASSWORD 'Secret-3' VALID UNTIL '2100-01-01';"
       "CREATE ROLE audit_reader NOLOGIN;"
       // Privileges.
       "CREATE SCHEMA open_schema; GRANT CREATE ON SCHEMA open_schema TO PUBLIC;"
       "CREATE TABLE readable (id int PRIMARY KEY); GRANT SELECT ON readable TO PUBLIC;"
       "CREATE TABLE writable (id int PRIMARY KEY); GRANT INSERT ON writable TO PUBLIC;"
       "CREATE TABLE everything (id int PRIMARY KEY); GRANT ALL ON everything TO audit_reader;"
       "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;"
       // Functions.
       "CREATE FUNCTION definer() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1';"
       "CREATE FUNCTION my_digest(bytea, text) RETURNS bytea AS '$libdir/pgcrypto', "
       "'pg_digest' LANGUAGE c IMMUTABLE STRICT;"
       "CREATE EXTENSION dblink;"
       // Row-level security.
       "CREATE TABLE ignored_policy (id int PRIMARY KEY);"
       "CREATE POLICY nobody ON ignored_policy USING (false);"
       "CREATE TABLE owned_by_app (id int PRIMARY KEY, tenant_id int);"
       "ALTER TABLE owned_by_app ENABLE ROW LEVEL SECURITY;"
       "CREATE POLICY tenant ON owned_by_app USING (tenant_id = 1);"
       "ALTER TABLE owned_by_app OWNER TO audit_app;"
       "CREATE TABLE invoices (id int PRIMARY KEY, org_id int NOT NULL, total numeric);"
       // Personal data: emails in a column whose name does not say so, a phone column by
       // name, card numbers; a password column in clear and one with hashes.
       "CREATE TABLE contacts (id int PRIMARY KEY, contact text, note text, phone text, "
       "card text);"
       "INSERT INTO contacts SELECT g, 'user' || g || '@example.com', 'call me', NULL, "
       "'4111 1111 1111 1111' FROM generate_series(1, 50) g;"
       "CREATE TABLE logins (id int PRIMARY KEY, password text);"
       "INSERT INTO logins VALUES (1, 'hunter2'), (2, 'correct horse');"
       "CREATE TABLE hashed (id int PRIMARY KEY, password text);"
       "INSERT INTO hashed VALUES (1, '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA');"
       // Settings for this database only.
       "ALTER DATABASE audit_planted SET password_encryption = 'md5'");

  pg::Connection conn = Connect("audit_planted", /*read_only=*/true);
  auto report = RunAudit(conn, AuditOptions{});

  // Put the cluster back before asserting: other tests share it.
  {
    std::ofstream out(hba_path, std::ios::trunc);
    out << hba_before;
  }
  Exec(setup,
       "DROP EXTENSION dblink; DROP TABLE owned_by_app; "
       "ALTER DEFAULT PRIVILEGES REVOKE SELECT ON TABLES FROM PUBLIC;"
       "REVOKE ALL ON everything FROM audit_reader;"
       "DROP ROLE audit_su, audit_creator, audit_nopass, audit_md5, audit_app, audit_reader");
  Exec(setup, "DROP TABLESPACE inside_ts");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  std::string all = Describe(*report);
  EXPECT_TRUE(report->skipped.empty()) << all;

  auto expect_one = [&](std::string_view rule, std::string_view object, Severity severity) {
    auto found = Find(*report, rule, object);
    ASSERT_EQ(found.size(), 1u) << rule << " " << object << "\n" << all;
    EXPECT_EQ(found[0]->severity, severity) << rule << " " << object;
    EXPECT_FALSE(found[0]->fix.empty());
  };
  expect_one("extra-superuser", "role audit_su", Severity::kError);
  expect_one("login-role-privileged", "role audit_creator", Severity::kWarning);
  expect_one("login-without-password", "role audit_nopass", Severity::kWarning);
  expect_one("md5-password", "role audit_md5", Severity::kWarning);
  expect_one("password-never-expires", "role audit_md5", Severity::kInfo);
  EXPECT_TRUE(Find(*report, "password-never-expires", "audit_app").empty()) << all;
  expect_one("owner-role-logs-in", "role audit_app", Severity::kInfo);
  expect_one("public-schema-create", "schema open_schema", Severity::kError);
  expect_one("public-table-privileges", "table public.readable", Severity::kWarning);
  expect_one("public-table-privileges", "table public.writable", Severity::kError);
  expect_one("grant-all", "table public.everything", Severity::kInfo);
  expect_one("default-privileges-public", "default privileges of postgres", Severity::kWarning);
  expect_one("public-execute-security-definer", "function definer()", Severity::kWarning);
  expect_one("security-definer-search-path", "function definer()", Severity::kError);
  expect_one("security-definer-superuser-owned", "function definer()", Severity::kWarning);
  expect_one("untrusted-language", "function my_digest(bytea,text)", Severity::kWarning);
  expect_one("risky-extension", "extension dblink", Severity::kWarning);
  expect_one("policy-without-rls", "table public.ignored_policy", Severity::kError);
  expect_one("rls-not-forced", "table public.owned_by_app", Severity::kWarning);
  expect_one("tenant-table-without-rls", "table public.invoices", Severity::kWarning);
  EXPECT_TRUE(Find(*report, "tenant-table-without-rls", "owned_by_app").empty()) << all;
  expect_one("personal-data-plaintext", "column public.contacts.contact", Severity::kWarning);
  expect_one("personal-data-plaintext", "column public.contacts.phone", Severity::kWarning);
  expect_one("personal-data-plaintext", "column public.contacts.card", Severity::kWarning);
  EXPECT_TRUE(Find(*report, "personal-data-plaintext", "contacts.note").empty()) << all;
  expect_one("plaintext-password-column", "column public.logins.password", Severity::kError);
  EXPECT_TRUE(Find(*report, "plaintext-password-column", "hashed").empty()) << all;
  int trust_errors = 0;
  for (const AuditFinding* f : Find(*report, "hba-trust")) {
    if (f->severity != Severity::kError) continue;
    ++trust_errors;
    EXPECT_NE(f->message.find("0.0.0.0"), std::string::npos) << f->message;
  }
  EXPECT_EQ(trust_errors, 1) << all;
  expect_one("tablespace-in-data-directory", "tablespace inside_ts", Severity::kWarning);
  expect_one("password-encryption-md5", "setting password_encryption", Severity::kWarning);
  auto weak = Find(*report, "hba-weak-method");
  ASSERT_EQ(weak.size(), 2u) << all;
  EXPECT_EQ(weak[0]->severity, Severity::kError);  // password: clear text
  EXPECT_EQ(weak[1]->severity, Severity::kWarning);  // md5
  auto wide = Find(*report, "hba-wide-open");
  ASSERT_EQ(wide.size(), 1u) << all;
  auto nossl = Find(*report, "hba-host-without-ssl");
  EXPECT_EQ(nossl.size(), 2u) << all;  // the two host lines; hostssl and loopback are fine
}

TEST(Audit, UnknownRuleIsRefusedAndOnlyChosenRulesRun) {
  pg::Connection conn = Connect("postgres", /*read_only=*/true);
  AuditOptions options;
  options.only = {"ssl-off"};
  auto report = RunAudit(conn, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rules_run, 1);
  for (const AuditFinding& f : report->findings) EXPECT_EQ(f.rule->id, "ssl-off");
  options.only = {"ssl-of"};
  EXPECT_EQ(RunAudit(conn, options).status().code(), StatusCode::kInvalidArgument);
}

TEST(Audit, RulesThatNeedPrivilegesAreReportedAsNotRun) {
  {
    pg::Connection setup = Connect("postgres");
    Exec(setup, "CREATE ROLE audit_plain LOGIN");
  }
  auto box = SharedSandbox();
  pg::ConnectOptions options;
  options.conninfo = (*box)->ConnInfo() + " dbname=postgres user=audit_plain";
  auto conn = pg::Connection::Open(options);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto report = RunAudit(*conn, AuditOptions{});
  {
    pg::Connection setup = Connect("postgres");
    Exec(setup, "DROP ROLE audit_plain");
  }
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  std::set<std::string> skipped;
  for (const AuditSkipped& s : report->skipped) skipped.insert(std::string(s.rule->id));
  // pg_authid and pg_hba_file_rules are for superusers.
  EXPECT_TRUE(skipped.count("md5-password")) << Describe(*report);
  EXPECT_TRUE(skipped.count("hba-trust")) << Describe(*report);
  for (const AuditSkipped& s : report->skipped) {
    EXPECT_NE(s.reason.find("permission denied"), std::string::npos) << s.reason;
  }
  EXPECT_EQ(report->rules_run + static_cast<int>(report->skipped.size()),
            static_cast<int>(AllAuditRules().size()));
}

TEST(AuditData, LuhnChecksum) {
  EXPECT_TRUE(LuhnValid("4111 1111 1111 1111"));
  EXPECT_TRUE(LuhnValid("5500-0000-0000-0004"));
  EXPECT_FALSE(LuhnValid("4111 1111 1111 1112"));
  EXPECT_FALSE(LuhnValid("1234"));
  EXPECT_FALSE(LuhnValid("4111x1111 1111 1111"));
}

}  // namespace
}  // namespace dbarch::security
