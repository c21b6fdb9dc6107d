#include "security/access_verify.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "base/strings.h"
#include "catalog/builder.h"
#include "pg/connection.h"
#include "pg/introspect.h"
#include "sandbox/test_util.h"
#include "security/audit.h"

namespace dbarch::security {
namespace {

std::string SourceDir() {
  const char* env = std::getenv("DBARCH_SOURCE_DIR");
  return env != nullptr ? env : DBARCH_SOURCE_DIR;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A database of the shared sandbox holding the marketplace schema (no rows), its catalog as
// the server has it, and the example access spec resolved against it.
struct Marketplace {
  pg::Connection admin;
  catalog::Catalog catalog;
  AccessSpec spec;
  std::string tcp;
};

// Each test runs in a private sandbox: --verify creates cluster-wide roles and replaces
// pg_hba.conf, which other tests sharing a server must not see. Started as `dbarch secure
// --verify` starts its own: the spec's settings (pgaudit preloaded) and SSL.
std::unique_ptr<sandbox::Sandbox> StartPrivate() {
  auto files = catalog::ExpandSqlPaths({SourceDir() + "/examples/marketplace/schema.sql"});
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  if (!files.ok()) return nullptr;
  auto offline = catalog::BuildCatalogFromPaths(*files);
  EXPECT_TRUE(offline.ok()) << offline.status().ToString();
  if (!offline.ok()) return nullptr;
  auto spec = LoadAccessSpec(SourceDir() + "/examples/marketplace/access.yaml", *offline);
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  if (!spec.ok()) return nullptr;
  sandbox::SandboxOptions options = sandbox::test_util::TestOptions();
  options.settings = VerifiableSettings(*spec);
  options.ssl = true;
  auto box = sandbox::Sandbox::Start(options);
  EXPECT_TRUE(box.ok()) << box.status().ToString();
  return box.ok() ? std::move(box).value() : nullptr;
}

VerifyOptions OptionsFor(const sandbox::Sandbox& box, const std::string& db) {
  VerifyOptions options;
  options.tcp_conninfo = box.TcpConnInfo() + " dbname=" + db;
  options.hba_file = box.data_dir() + "/pg_hba.conf";
  options.server_log = box.log_path();
  return options;
}

const AuditProof* Proof(const VerifyResult& r, const std::string& login,
                        const std::string& statement) {
  for (const AuditProof& p : r.audit_proof) {
    if (p.login == login && p.statement == statement) return &p;
  }
  return nullptr;
}

std::optional<Marketplace> Load(sandbox::Sandbox& box, const std::string& db) {
  Status created = box.CreateDatabase(db);
  EXPECT_TRUE(created.ok()) << created.ToString();
  pg::ConnectOptions options;
  options.conninfo = box.ConnInfo() + " dbname=" + db;
  options.read_only = false;
  auto admin = pg::Connection::Open(options);
  EXPECT_TRUE(admin.ok()) << admin.status().ToString();
  if (!admin.ok()) return std::nullopt;
  Status loaded = admin->ExecScript(ReadFile(SourceDir() + "/examples/marketplace/schema.sql"));
  EXPECT_TRUE(loaded.ok()) << loaded.ToString();
  auto catalog = pg::IntrospectCatalog(*admin, pg::IntrospectOptions{});
  EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
  if (!catalog.ok()) return std::nullopt;
  auto spec = LoadAccessSpec(SourceDir() + "/examples/marketplace/access.yaml", *catalog);
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  if (!spec.ok()) return std::nullopt;
  return Marketplace{std::move(admin).value(), std::move(catalog).value(), std::move(spec).value(),
                     box.TcpConnInfo() + " dbname=" + db};
}

const AccessCell* Cell(const VerifyResult& r, const std::string& role, const std::string& object,
                       const std::string& check) {
  for (const AccessCell& c : r.cells) {
    if (c.role == role && c.object == object && c.check == check) return &c;
  }
  return nullptr;
}

std::string Mismatches(const VerifyResult& r) {
  std::string out;
  for (const AccessCell& c : r.cells) {
    if (!c.ok()) {
      out += c.login + " " + c.check + " " + c.object + ": expected " + c.expected + ", observed " +
             c.observed + " (" + c.detail + ")\n";
    }
  }
  for (const std::string& e : r.audit_errors) out += "audit: " + e + "\n";
  for (const AuditProof& p : r.audit_proof) {
    if (!p.ok()) {
      out += "audit log: " + p.login + " " + p.statement + ": expected " +
             std::to_string(p.expect_session) + std::to_string(p.expect_object) + ", observed " +
             std::to_string(p.session) + std::to_string(p.object) + " " + p.detail + "\n";
    }
  }
  for (const std::string& e : r.hba_errors) out += "pg_hba.conf: " + e + "\n";
  return out;
}

TEST(AccessVerify, MarketplaceMatrixHoldsAndAuditHasNoErrors) {
  auto box = StartPrivate();
  ASSERT_NE(box, nullptr);
  auto m = Load(*box, "marketplace");
  ASSERT_TRUE(m);
  SecureArtifacts artifacts = GenerateSecure(m->spec, m->catalog);
  auto result =
      VerifyAccess(m->admin, m->spec, m->catalog, artifacts, OptionsFor(*box, "marketplace"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->mismatches, 0) << Mismatches(*result);
  EXPECT_TRUE(result->idempotent);
  EXPECT_TRUE(result->hba_checked);
  EXPECT_TRUE(result->hba_errors.empty()) << Mismatches(*result);
  EXPECT_TRUE(result->audit_errors.empty()) << Mismatches(*result);
  // Every login went through the generated pg_hba.conf: each spec login connects over SSL
  // with SCRAM, nobody without SSL, nobody to another database, no role the spec omits.
  for (const std::string login :
       {"mkt_app_svc", "mkt_dashboard", "mkt_migrator", "mkt_analyst_alice"}) {
    int login_cells = 0;
    for (const AccessCell& c : result->cells) {
      if (c.login != login || c.check.rfind("login", 0) != 0) continue;
      ++login_cells;
      if (c.object == "database marketplace" && c.check == "login") {
        EXPECT_EQ(c.observed, "allowed") << login << " " << c.detail;
        EXPECT_NE(c.detail.find("ssl, scram-sha-256, pg_hba.conf line "), std::string::npos)
            << c.detail;
      } else {
        EXPECT_EQ(c.observed, "rejected") << login << " " << c.check << " " << c.object;
        EXPECT_NE(c.detail.find("pg_hba.conf"), std::string::npos) << c.detail;
      }
    }
    EXPECT_EQ(login_cells, 3) << login;
  }
  const AccessCell* outsider = Cell(*result, "(not in the spec)", "database marketplace", "login");
  ASSERT_NE(outsider, nullptr);
  EXPECT_EQ(outsider->observed, "rejected") << outsider->detail;
  // pgaudit: reads of the object-audited tables are logged for everyone, the analyst's
  // session is logged, DDL and GRANTs (the spec's log classes) for all; nothing else.
  EXPECT_TRUE(result->audit_log_checked);
  EXPECT_EQ(result->audit_proof_mismatches, 0) << Mismatches(*result);
  struct Logged {
    std::string login, statement;
    bool session, object;
  };
  for (const Logged& e : std::vector<Logged>{
           {"mkt_app_svc", "select ops.events", false, false},
           {"mkt_app_svc", "select shop.payments", false, true},
           {"mkt_app_svc", "insert shop.payments", false, true},
           {"mkt_dashboard", "select shop.addresses", false, false},
           {"mkt_analyst_alice", "select ops.events", true, false},
           {"mkt_analyst_alice", "select shop.users", true, true},
           {"mkt_migrator", "create table in ops", true, false},
           {"mkt_migrator", "select ops.api_keys", false, false},
           {"mkt_migrator", "delete shop.payments", false, true},
           {"mkt_migrator", "grant on ops.api_keys", true, false},
       }) {
    const AuditProof* p = Proof(*result, e.login, e.statement);
    ASSERT_NE(p, nullptr) << e.login << " " << e.statement;
    EXPECT_EQ(p->session, e.session) << e.login << " " << e.statement;
    EXPECT_EQ(p->object, e.object) << e.login << " " << e.statement;
    EXPECT_TRUE(p->detail.empty()) << p->detail;
  }
  EXPECT_TRUE(result->notes.empty());
  EXPECT_GT(result->cells.size(), 500u);
  // The cells the design is about, each checked by the server.
  struct Expect {
    std::string role, object, check, outcome;
  };
  for (const Expect& e : std::vector<Expect>{
           {"app", "shop.orders", "select", "allowed"},
           {"app", "shop.orders", "delete", "denied"},
           {"app", "shop.orders", "other tenant", "hidden"},
           {"app", "shop.orders", "no tenant set", "hidden"},
           {"app", "shop.orders", "update other tenant", "rejected"},
           {"app", "shop.payments", "insert other tenant", "rejected"},
           {"app", "shop.payments", "own tenant", "visible"},
           {"app", "shop.payments", "other tenant", "hidden"},
           {"app", "ops.events_2025_q1", "select", "denied"},
           {"app", "schema shop", "create", "denied"},
           {"readonly", "shop.orders", "insert", "denied"},
           {"readonly", "shop.users", "other tenant", "hidden"},
           {"readonly", "shop.users.email", "read column", "allowed"},
           {"migration", "shop.users", "other tenant", "visible"},
           {"migration", "schema shop", "create", "allowed"},
           {"analyst", "shop.users", "select", "denied"},
           {"analyst", "shop.users.email", "read column", "denied"},
           {"analyst", "shop_masked.users", "select", "allowed"},
           {"analyst", "shop_masked.users.email", "read masked", "masked"},
           {"analyst", "ops_masked.events.client_ip", "read masked", "masked"},
           {"analyst", "shop.orders", "other tenant", "visible"},
           {"analyst", "shop.orders", "update", "denied"},
           {"app", "schema shop", "select future table", "allowed"},
           {"readonly", "schema ops", "select future table", "denied"},
           {"analyst", "schema shop", "select future table", "denied"},
       }) {
    const AccessCell* c = Cell(*result, e.role, e.object, e.check);
    ASSERT_NE(c, nullptr) << e.role << " " << e.object << " " << e.check;
    EXPECT_EQ(c->observed, e.outcome) << e.role << " " << e.object << " " << e.check;
  }
  // The generated SQL applied twice left nothing open that the audit calls an error.
  auto audit = RunAudit(m->admin, AuditOptions{});
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  for (const AuditFinding& f : audit->findings) {
    EXPECT_NE(f.severity, Severity::kError) << f.rule->id << " " << f.object << ": " << f.message;
  }
}

TEST(AccessVerify, ABrokenDesignShowsInTheMatrix) {
  auto box = StartPrivate();
  ASSERT_NE(box, nullptr);
  auto m = Load(*box, "marketplace");
  ASSERT_TRUE(m);
  SecureArtifacts artifacts = GenerateSecure(m->spec, m->catalog);
  // Row-level security switched off for orders (its policies stay), and the analyst
  // given the email column in clear.
  for (const std::string line : {"ALTER TABLE \"shop\".\"orders\" ENABLE ROW LEVEL SECURITY;\n",
                                 "ALTER TABLE \"shop\".\"orders\" FORCE ROW LEVEL SECURITY;\n"}) {
    size_t pos = artifacts.sql.find(line);
    ASSERT_NE(pos, std::string::npos) << line;
    artifacts.sql.erase(pos, line.size());
  }
  size_t commit = artifacts.sql.rfind("COMMIT;");
  artifacts.sql.insert(commit,
                       "GRANT SELECT (\"email\") ON \"shop\".\"users\" TO \"mkt_analyst\";\n");
  // A statement whose second run undoes its first: the script is no longer idempotent.
  commit = artifacts.sql.rfind("COMMIT;");
  artifacts.sql.insert(
      commit,
      "DO $t$ BEGIN IF (SELECT relrowsecurity FROM pg_class WHERE oid = 'shop.coupons'::regclass) "
      "THEN ALTER TABLE shop.coupons DISABLE ROW LEVEL SECURITY; ELSE ALTER TABLE shop.coupons "
      "ENABLE ROW LEVEL SECURITY; END IF; END $t$;\n");
  // shop.payments no longer object-audited.
  const std::string audited =
      "GRANT SELECT, INSERT, UPDATE, DELETE ON \"shop\".\"payments\" TO \"mkt_auditor\";\n";
  size_t grant = artifacts.sql.find(audited);
  ASSERT_NE(grant, std::string::npos);
  artifacts.sql.erase(grant, audited.size());
  // The analyst's login line opened to every database.
  const std::string analyst = "hostssl marketplace mkt_analyst_alice";
  size_t hba = artifacts.pg_hba.find(analyst);
  ASSERT_NE(hba, std::string::npos);
  artifacts.pg_hba.replace(hba, analyst.size(), "hostssl all mkt_analyst_alice");
  auto result =
      VerifyAccess(m->admin, m->spec, m->catalog, artifacts, OptionsFor(*box, "marketplace"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->hba_errors.empty()) << Mismatches(*result);
  const AccessCell* other_db = Cell(*result, "analyst", "database postgres", "login");
  ASSERT_NE(other_db, nullptr);
  EXPECT_EQ(other_db->expected, "rejected");
  EXPECT_EQ(other_db->observed, "allowed");
  const AuditProof* payments = Proof(*result, "mkt_app_svc", "select shop.payments");
  ASSERT_NE(payments, nullptr);
  EXPECT_TRUE(payments->expect_object);
  EXPECT_FALSE(payments->object);
  EXPECT_GE(result->audit_proof_mismatches, 2);  // the read and the insert
  const AccessCell* leak = Cell(*result, "app", "shop.orders", "other tenant");
  ASSERT_NE(leak, nullptr);
  EXPECT_EQ(leak->expected, "hidden");
  EXPECT_EQ(leak->observed, "visible");
  const AccessCell* email = Cell(*result, "analyst", "shop.users.email", "read column");
  ASSERT_NE(email, nullptr);
  EXPECT_EQ(email->expected, "denied");
  EXPECT_EQ(email->observed, "allowed");
  EXPECT_GE(result->mismatches, 2);
  EXPECT_FALSE(result->idempotent);
  bool policy_without_rls = false;
  for (const std::string& e : result->audit_errors) {
    policy_without_rls |= e.rfind("policy-without-rls", 0) == 0;
  }
  EXPECT_TRUE(policy_without_rls) << Mismatches(*result);
  // The audit of the result knows who may read personal data from the spec.
  bool analyst_reads_email = false;
  for (const std::string& e : result->audit_others) {
    analyst_reads_email |=
        e == "warning personal-data-readable column shop.users.email read by mkt_analyst_alice";
  }
  EXPECT_TRUE(analyst_reads_email) << Join(result->audit_others, "\n");
}

TEST(AccessVerify, PgHbaLinesTheServerRefusesAreReportedAndNoLoginIsTriedThroughThem) {
  auto box = StartPrivate();
  ASSERT_NE(box, nullptr);
  auto m = Load(*box, "marketplace");
  ASSERT_TRUE(m);
  SecureArtifacts artifacts = GenerateSecure(m->spec, m->catalog);
  // An address the server cannot parse.
  artifacts.pg_hba += "hostssl marketplace mkt_app_svc 10.0.1.0/33 scram-sha-256\n";
  auto result =
      VerifyAccess(m->admin, m->spec, m->catalog, artifacts, OptionsFor(*box, "marketplace"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->hba_errors.size(), 1u) << Mismatches(*result);
  EXPECT_NE(result->hba_errors[0].find("10.0.1.0/33"), std::string::npos) << result->hba_errors[0];
  for (const AccessCell& c : result->cells) EXPECT_NE(c.check, "login") << c.login;
}

TEST(AccessVerify, PgauditMustBeLoaded) {
  // A server without pgaudit preloaded cannot prove the audit settings: an error, not a pass.
  auto box = sandbox::Sandbox::Start(sandbox::test_util::TestOptions());
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  auto m = Load(**box, "marketplace");
  ASSERT_TRUE(m);
  SecureArtifacts artifacts = GenerateSecure(m->spec, m->catalog);
  VerifyOptions options = OptionsFor(**box, "marketplace");
  options.hba_file.clear();
  auto result = VerifyAccess(m->admin, m->spec, m->catalog, artifacts, options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("pgaudit"), std::string::npos)
      << result.status().ToString();
}

}  // namespace
}  // namespace dbarch::security
