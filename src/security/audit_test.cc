#include "security/audit.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pg/connection.h"
#include "sandbox/test_util.h"

namespace dbarch::security {
namespace {

using sandbox::test_util::SharedSandbox;

// Most audit rules look at the whole cluster (roles, pg_hba.conf, settings), so a test that
// plants a problem, or asserts that one is absent, owns a private server: it then passes
// alone, under --gtest_filter, in any order and in one process with every other test.
std::unique_ptr<sandbox::Sandbox> Private(
    sandbox::SandboxOptions options = sandbox::test_util::TestOptions()) {
  auto box = sandbox::Sandbox::Start(options);
  EXPECT_TRUE(box.ok()) << box.status().ToString();
  if (!box.ok()) std::abort();  // every caller needs the server
  return std::move(box).value();
}

pg::Connection Connect(const sandbox::Sandbox& box, const std::string& db, bool read_only = false,
                       const std::string& extra = "") {
  pg::ConnectOptions options;
  options.conninfo = box.ConnInfo() + " dbname=" + db + extra;
  options.read_only = read_only;
  options.statement_timeout_ms = 20000;
  auto conn = pg::Connection::Open(options);
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  if (!conn.ok()) std::abort();
  return std::move(conn).value();
}

// The shared sandbox, for tests that only read.
pg::Connection Connect(const std::string& db, bool read_only = false) {
  auto box = SharedSandbox();
  EXPECT_TRUE(box.ok()) << box.status().ToString();
  if (!box.ok()) std::abort();
  return Connect(**box, db, read_only);
}

std::set<std::string> Rules(const AuditReport& report) {
  std::set<std::string> rules;
  for (const AuditFinding& f : report.findings) rules.insert(std::string(f.rule->id));
  return rules;
}

// Runs the audit on database `db` of `box` (read-only session).
AuditReport Audit(const sandbox::Sandbox& box, const std::string& db,
                  const AuditOptions& options = AuditOptions{}, const std::string& extra = "") {
  pg::Connection conn = Connect(box, db, /*read_only=*/true, extra);
  auto report = RunAudit(conn, options);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  if (!report.ok()) std::abort();
  return std::move(report).value();
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
  auto box = Private();
  // The cluster as initdb and the sandbox leave it, nothing added.
  AuditReport fresh = Audit(*box, "postgres");
  EXPECT_EQ(Rules(fresh), (std::set<std::string>{"hba-trust", "ssl-off", "log-connections",
                                                 "log-disconnections", "log-statement",
                                                 "log-line-prefix", "data-checksums",
                                                 "pgaudit-not-loaded"}))
      << Describe(fresh);
  EXPECT_TRUE(fresh.skipped.empty()) << Describe(fresh);
  ASSERT_TRUE(box->CreateDatabase("audit_clean").ok());
  {
    pg::Connection setup = Connect(*box, "audit_clean");
    // A well-kept schema: owned by a role that cannot log in, RLS forced on the tenant
    // table, hashed passwords, no personal data in clear; DDL logged in this database.
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
  AuditReport report = Audit(*box, "audit_clean");
  EXPECT_EQ(Rules(report),
            (std::set<std::string>{"hba-trust", "ssl-off", "log-connections", "log-disconnections",
                                   "log-line-prefix", "data-checksums", "pgaudit-not-loaded"}))
      << Describe(report);
  EXPECT_TRUE(report.skipped.empty()) << Describe(report);
  EXPECT_EQ(report.rules_run, static_cast<int>(AllAuditRules().size()));
  // Trust on the Unix socket is reachable only from this host: a warning, not an error.
  for (const AuditFinding* f : Find(report, "hba-trust")) {
    EXPECT_EQ(f->severity, Severity::kWarning) << f->message;
  }
  ASSERT_EQ(Find(report, "ssl-off").size(), 1u);
  EXPECT_EQ(Find(report, "ssl-off")[0]->severity, Severity::kInfo);
}

TEST(Audit, EveryPlantedProblemIsFound) {
  auto box = Private();
  ASSERT_TRUE(box->CreateDatabase("audit_planted").ok());
  {
    // Read through pg_hba_file_rules, which parses the file on disk: no reload needed.
    std::ofstream out(box->data_dir() + "/pg_hba.conf", std::ios::app);
    out << "host all all 0.0.0.0/0 trust\n"
           "host all all 10.0.0.0/8 password\n"
           "hostssl all all 192.168.0.0/16 md5\n"
           "host all all all scram-sha-256\n";
  }
  // A tablespace directory inside the data directory, owned by the server's OS user.
  std::string inside = box->data_dir() + "/inside_ts";
  ASSERT_EQ(system(("mkdir -p '" + inside + "' && chown postgres '" + inside + "'").c_str()), 0);
  pg::Connection setup = Connect(*box, "audit_planted");
  (void)setup.Exec("CREATE TABLESPACE inside_ts LOCATION '" + inside + "'");
  Exec(setup,
       // Roles.
       "CREATE ROLE audit_su SUPERUSER LOGIN;"
       "CREATE ROLE audit_creator LOGIN CREATEDB PASSWORD 'Secret-1';"
       "CREATE ROLE audit_rolemaker LOGIN CREATEROLE PASSWORD 'Secret-4' VALID UNTIL 'infinity';"
       "CREATE ROLE audit_replicator LOGIN REPLICATION PASSWORD 'Secret-5' VALID UNTIL 'infinity';"
       "CREATE ROLE audit_bypass LOGIN BYPASSRLS PASSWORD 'Secret-6' VALID UNTIL 'infinity';"
       "CREATE ROLE audit_group NOLOGIN CREATEDB CREATEROLE BYPASSRLS;"
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
       // An untrusted procedural language (no TRUSTED), on plpgsql's own handler.
       "CREATE FUNCTION my_handler() RETURNS language_handler AS '$libdir/plpgsql', "
       "'plpgsql_call_handler' LANGUAGE c;"
       "CREATE LANGUAGE my_untrusted_pl HANDLER my_handler;"
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
       "card text, ref text, mobile_number text);"
       "INSERT INTO contacts SELECT g, 'user' || g || '@example.com', 'call me', NULL, "
       "'4111 1111 1111 1111', lpad(g::text, 3, '0') || '-45-6789', '+1 415 555 ' || "
       "lpad(g::text, 4, '0') FROM generate_series(1, 50) g;"
       // Emails in a column of a domain over text.
       "CREATE DOMAIN mail AS text CHECK (VALUE LIKE '%@%');"
       "CREATE TABLE subscribers (id int PRIMARY KEY, addr mail);"
       "INSERT INTO subscribers SELECT g, 's' || g || '@example.net' "
       "FROM generate_series(1, 20) g;"
       // Lookalikes that are not personal data: order codes, Luhn-invalid numbers.
       "CREATE TABLE orders (id int PRIMARY KEY, code text, number text);"
       "INSERT INTO orders SELECT g, 'ORD-' || g, '4111 1111 1111 1112' "
       "FROM generate_series(1, 50) g;"
       "CREATE TABLE logins (id int PRIMARY KEY, password text);"
       "INSERT INTO logins VALUES (1, 'hunter2'), (2, 'correct horse');"
       "CREATE TABLE hashed (id int PRIMARY KEY, password text);"
       "INSERT INTO hashed VALUES (1, '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA');"
       // Settings for this database only.
       "ALTER DATABASE audit_planted SET password_encryption = 'md5'");

  AuditReport report = Audit(*box, "audit_planted");
  std::string all = Describe(report);
  EXPECT_TRUE(report.skipped.empty()) << all;

  auto expect_one = [&](std::string_view rule, std::string_view object, Severity severity) {
    auto found = Find(report, rule, object);
    ASSERT_EQ(found.size(), 1u) << rule << " " << object << "\n" << all;
    EXPECT_EQ(found[0]->severity, severity) << rule << " " << object;
    EXPECT_FALSE(found[0]->fix.empty());
  };
  expect_one("extra-superuser", "role audit_su", Severity::kError);
  expect_one("login-role-privileged", "role audit_creator", Severity::kWarning);
  expect_one("login-role-privileged", "role audit_rolemaker", Severity::kWarning);
  expect_one("login-role-privileged", "role audit_replicator", Severity::kWarning);
  expect_one("login-role-privileged", "role audit_bypass", Severity::kWarning);
  // A group role with those attributes cannot log in: not a finding.
  EXPECT_TRUE(Find(report, "login-role-privileged", "audit_group").empty()) << all;
  EXPECT_TRUE(Find(report, "extra-superuser", "audit_creator").empty()) << all;
  expect_one("login-without-password", "role audit_nopass", Severity::kWarning);
  expect_one("md5-password", "role audit_md5", Severity::kWarning);
  expect_one("password-never-expires", "role audit_md5", Severity::kInfo);
  EXPECT_TRUE(Find(report, "password-never-expires", "audit_app").empty()) << all;
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
  expect_one("untrusted-language", "language my_untrusted_pl", Severity::kWarning);
  EXPECT_TRUE(Find(report, "untrusted-language", "plpgsql").empty()) << all;
  expect_one("risky-extension", "extension dblink", Severity::kWarning);
  expect_one("policy-without-rls", "table public.ignored_policy", Severity::kError);
  expect_one("rls-not-forced", "table public.owned_by_app", Severity::kWarning);
  expect_one("tenant-table-without-rls", "table public.invoices", Severity::kWarning);
  EXPECT_TRUE(Find(report, "tenant-table-without-rls", "owned_by_app").empty()) << all;
  expect_one("personal-data-plaintext", "column public.contacts.contact", Severity::kWarning);
  expect_one("personal-data-plaintext", "column public.contacts.phone", Severity::kWarning);
  expect_one("personal-data-plaintext", "column public.contacts.card", Severity::kWarning);
  expect_one("personal-data-plaintext", "column public.contacts.ref", Severity::kWarning);
  EXPECT_NE(Find(report, "personal-data-plaintext", "contacts.ref")[0]->message.find(
                "national identifiers"),
            std::string::npos)
      << all;
  expect_one("personal-data-plaintext", "column public.subscribers.addr", Severity::kWarning);
  expect_one("personal-data-plaintext", "column public.contacts.mobile_number", Severity::kWarning);
  EXPECT_TRUE(Find(report, "personal-data-plaintext", "contacts.note").empty()) << all;
  EXPECT_TRUE(Find(report, "personal-data-plaintext", "public.orders").empty()) << all;
  expect_one("plaintext-password-column", "column public.logins.password", Severity::kError);
  EXPECT_TRUE(Find(report, "plaintext-password-column", "hashed").empty()) << all;
  int trust_errors = 0;
  for (const AuditFinding* f : Find(report, "hba-trust")) {
    if (f->severity != Severity::kError) continue;
    ++trust_errors;
    EXPECT_NE(f->message.find("0.0.0.0"), std::string::npos) << f->message;
  }
  EXPECT_EQ(trust_errors, 1) << all;
  expect_one("tablespace-in-data-directory", "tablespace inside_ts", Severity::kWarning);
  expect_one("password-encryption-md5", "setting password_encryption", Severity::kWarning);
  auto weak = Find(report, "hba-weak-method");
  ASSERT_EQ(weak.size(), 2u) << all;
  EXPECT_EQ(weak[0]->severity, Severity::kError);  // password: clear text
  EXPECT_EQ(weak[1]->severity, Severity::kWarning);  // md5
  auto wide = Find(report, "hba-wide-open");
  ASSERT_EQ(wide.size(), 2u) << all;  // 0.0.0.0/0 and `all`
  auto nossl = Find(report, "hba-host-without-ssl");
  EXPECT_EQ(nossl.size(), 3u) << all;  // the three host lines; hostssl and loopback are fine
}

// The rules a fresh cluster trips (pg_hba.conf trust, SSL, logging, checksums, pgaudit) are
// quiet on a cluster configured as CIS asks; only what this test cannot change remains.
TEST(Audit, HardenedClusterIsQuiet) {
  sandbox::SandboxOptions options = sandbox::test_util::TestOptions();
  options.ssl = true;
  options.data_checksums = true;
  options.settings = {{"log_connections", "on"},
                      {"log_disconnections", "on"},
                      {"log_statement", "ddl"},
                      {"log_line_prefix", "%m [%p] %q%u@%d "},
                      {"shared_preload_libraries", "pgaudit"}};
  auto box = Private(options);
  {
    // No trust anywhere: SCRAM on the socket too, SSL over TCP.
    pg::Connection admin = Connect(*box, "postgres");
    std::ofstream out(box->data_dir() + "/pg_hba.conf", std::ios::trunc);
    out << "local all all scram-sha-256\nhostssl all all 127.0.0.1/32 scram-sha-256\n";
    out.close();
    Exec(admin, "SELECT pg_reload_conf()");
  }
  // Reloaded once the socket asks for a password.
  for (int i = 0; i < 500; ++i) {
    pg::ConnectOptions probe;
    probe.conninfo = box->ConnInfo();
    if (!pg::Connection::Open(probe).ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::string password = " password=" + box->password();
  AuditOptions required;
  required.require_audit_logging = true;
  AuditReport report = Audit(*box, "postgres", required, password);
  EXPECT_TRUE(report.findings.empty()) << Describe(report);
  EXPECT_TRUE(report.skipped.empty()) << Describe(report);
}

TEST(Audit, ListeningOnEveryAddress) {
  // Planted: a server listening on every address. Its private network namespace keeps it
  // unreachable from outside while the audit reads the setting through the Unix socket.
  for (const char* everywhere : {"*", "0.0.0.0"}) {
    sandbox::SandboxOptions options = sandbox::test_util::TestOptions();
    options.listen_addresses = everywhere;
    options.private_network = true;
    auto box = Private(options);
    AuditReport report = Audit(*box, "postgres");
    auto found = Find(report, "listen-all-addresses");
    ASSERT_EQ(found.size(), 1u) << everywhere << "\n" << Describe(report);
    EXPECT_EQ(found[0]->object, "setting listen_addresses");
    EXPECT_EQ(found[0]->severity, Severity::kInfo);
    EXPECT_NE(found[0]->message.find(everywhere), std::string::npos) << found[0]->message;
    // SSL off is no longer only a loopback matter.
    auto ssl = Find(report, "ssl-off");
    ASSERT_EQ(ssl.size(), 1u) << Describe(report);
    EXPECT_EQ(ssl[0]->severity, Severity::kWarning);
  }
  // Clean: the default sandbox listens on loopback only.
  auto box = Private();
  AuditReport report = Audit(*box, "postgres");
  EXPECT_TRUE(Find(report, "listen-all-addresses").empty()) << Describe(report);
}

TEST(Audit, PgauditNotLoadedWhereAuditIsRequired) {
  AuditOptions required;
  required.require_audit_logging = true;
  // Planted: no pgaudit in shared_preload_libraries (another library is).
  sandbox::SandboxOptions without = sandbox::test_util::TestOptions();
  without.settings = {{"shared_preload_libraries", "pg_stat_statements"}};
  auto box = Private(without);
  AuditReport report = Audit(*box, "postgres", required);
  auto found = Find(report, "pgaudit-not-loaded");
  ASSERT_EQ(found.size(), 1u) << Describe(report);
  EXPECT_EQ(found[0]->severity, Severity::kWarning);
  EXPECT_NE(found[0]->message.find("pg_stat_statements"), std::string::npos);
  // Without the requirement it is information only.
  report = Audit(*box, "postgres");
  found = Find(report, "pgaudit-not-loaded");
  ASSERT_EQ(found.size(), 1u) << Describe(report);
  EXPECT_EQ(found[0]->severity, Severity::kInfo);
  // Clean: pgaudit really loaded (next to another library), and usable.
  sandbox::SandboxOptions with = sandbox::test_util::TestOptions();
  with.settings = {{"shared_preload_libraries", "pg_stat_statements,pgaudit"}};
  auto audited = Private(with);
  {
    pg::Connection admin = Connect(*audited, "postgres");
    Exec(admin, "CREATE EXTENSION pgaudit");
  }
  report = Audit(*audited, "postgres", required);
  EXPECT_TRUE(Find(report, "pgaudit-not-loaded").empty()) << Describe(report);
}

TEST(Audit, PersonalDataReadableByRolesThatDoNotNeedIt) {
  auto box = Private();
  ASSERT_TRUE(box->CreateDatabase("audit_readers").ok());
  {
    pg::Connection setup = Connect(*box, "audit_readers");
    Exec(setup,
         "CREATE ROLE readers_owner NOLOGIN;"
         "CREATE ROLE readers_support NOLOGIN;"
         "CREATE ROLE readers_agent LOGIN IN ROLE readers_support;"
         "CREATE ROLE readers_app LOGIN;"
         "CREATE ROLE readers_reporting LOGIN;"
         "CREATE ROLE readers_masked LOGIN;"
         "CREATE TABLE customers (id int PRIMARY KEY, email text, note text);"
         "INSERT INTO customers SELECT g, 'c' || g || '@example.org', 'vip' "
         "FROM generate_series(1, 30) g;"
         "ALTER TABLE customers OWNER TO readers_owner;"
         "GRANT SELECT ON customers TO readers_support, readers_app, readers_reporting;"
         // Column privileges without the email: not a reader of it.
         "GRANT SELECT (id, note) ON customers TO readers_masked;");
  }
  // Without a list every login reader is information for a review.
  AuditReport review = Audit(*box, "audit_readers", AuditOptions{{"personal-data-readable"}});
  std::set<std::string> objects;
  for (const AuditFinding& f : review.findings) {
    EXPECT_EQ(f.severity, Severity::kInfo) << f.object;
    objects.insert(f.object);
  }
  EXPECT_EQ(objects,
            (std::set<std::string>{"column public.customers.email read by readers_agent",
                                   "column public.customers.email read by readers_app",
                                   "column public.customers.email read by readers_reporting"}))
      << Describe(review);
  // With the roles that need it (a login, and a group for its members): the rest is a warning.
  AuditOptions options;
  options.only = {"personal-data-readable"};
  options.personal_data_readers = {"readers_app", "readers_support"};
  AuditReport planted = Audit(*box, "audit_readers", options);
  ASSERT_EQ(planted.findings.size(), 1u) << Describe(planted);
  EXPECT_EQ(planted.findings[0].object, "column public.customers.email read by readers_reporting");
  EXPECT_EQ(planted.findings[0].severity, Severity::kWarning);
  EXPECT_NE(planted.findings[0].fix.find("REVOKE SELECT ON public.customers FROM "
                                         "readers_reporting"),
            std::string::npos)
      << planted.findings[0].fix;
  // Clean: the reporting login loses the column.
  {
    pg::Connection setup = Connect(*box, "audit_readers");
    Exec(setup,
         "REVOKE SELECT ON customers FROM readers_reporting;"
         "GRANT SELECT (id, note) ON customers TO readers_reporting");
  }
  AuditReport clean = Audit(*box, "audit_readers", options);
  EXPECT_TRUE(clean.findings.empty()) << Describe(clean);
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
