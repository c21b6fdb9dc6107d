// `dbarch secure` end to end: the marketplace example's access matrix proven on a sandbox
// (--verify), the outputs of --out-dir, the schema read from a live database, and errors in
// the spec reported at their file:line:col with exit code 3.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/run_dbarch.h"
#include "sandbox/test_util.h"

namespace dbarch::cli_test {
namespace {

const std::string kSchema = "examples/marketplace/schema.sql";
const std::string kSpec = "examples/marketplace/access.yaml";

TEST(CliSecure, VerifyProvesTheMarketplaceMatrix) {
  RunResult r =
      RunDbarch({"secure", "--schema", kSchema, "--spec", kSpec, "--verify", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  nlohmann::json j = nlohmann::json::parse(r.out);
  const auto& v = j["verify"];
  EXPECT_EQ(v["mismatches"], 0);
  EXPECT_EQ(v["idempotent"], true);
  EXPECT_TRUE(v["audit_errors"].empty()) << v["audit_errors"].dump();
  EXPECT_GT(v["cells"].size(), 500u);
  std::set<std::string> logins;
  int tenant_cells = 0;
  for (const auto& c : v["cells"]) {
    EXPECT_EQ(c["expected"], c["observed"]) << c.dump();
    logins.insert(c["login"].get<std::string>());
    if (c["check"] == "other tenant") ++tenant_cells;
    if (c["login"] == "mkt_analyst_alice" && c["object"] == "shop.users.email") {
      EXPECT_EQ(c["observed"], "denied");
    }
  }
  // The four logins of the spec, and a login the spec does not name (rejected by pg_hba.conf).
  EXPECT_EQ(logins, (std::set<std::string>{"mkt_analyst_alice", "mkt_app_svc", "mkt_dashboard",
                                           "mkt_migrator", "dbarch_verify_outsider"}));
  EXPECT_GT(tenant_cells, 40);
  int login_cells = 0;
  for (const auto& c : v["cells"]) login_cells += c["check"] == "login" ? 1 : 0;
  EXPECT_EQ(login_cells, 9);  // each login to its database and to another one, the outsider
  EXPECT_TRUE(v["hba_errors"].empty());
  // pgaudit was loaded and every audited statement left the lines the spec implies.
  const auto& audit_log = v["audit_log"];
  EXPECT_EQ(audit_log["checked"], true);
  EXPECT_EQ(audit_log["mismatches"], 0);
  int session = 0, object = 0;
  for (const auto& st : audit_log["statements"]) {
    EXPECT_EQ(st["expected"], st["observed"]) << st.dump();
    session += st["observed"]["session"].get<bool>() ? 1 : 0;
    object += st["observed"]["object"].get<bool>() ? 1 : 0;
  }
  EXPECT_GT(session, 0);
  EXPECT_GT(object, 0);
  EXPECT_LT(session + object, 2 * static_cast<int>(audit_log["statements"].size()));
  EXPECT_EQ(j["design"]["roles"].size(), 4u);
  EXPECT_NE(j["artifacts"]["sql"].get<std::string>().find("FORCE ROW LEVEL SECURITY"),
            std::string::npos);
}

TEST(CliSecure, TextReportShowsTheMatrix) {
  RunResult r = RunDbarch({"secure", "--schema", kSchema, "--spec", kSpec, "--verify", "--format",
                           "text", "--rows", "10"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  std::filesystem::path golden =
      std::filesystem::path(SourceDir()) / "test/golden/secure/marketplace.report.txt";
  if (RewritingGoldens()) {
    std::ofstream(golden, std::ios::binary) << r.out;
  } else {
    EXPECT_EQ(r.out, ReadFile(golden)) << "DBARCH_REWRITE_GOLDEN=1 rewrites " << golden;
  }
  EXPECT_NE(r.out.find(" 0 mismatches"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("role analyst (login mkt_analyst_alice):"), std::string::npos);
  EXPECT_NE(r.out.find("shop_masked.users.email        read masked          masked"),
            std::string::npos);
  EXPECT_NE(r.out.find("audit of the result: "), std::string::npos);
  EXPECT_NE(r.out.find("  mkt_app_svc          select shop.payments             read   no       "
                       "yes\n"),
            std::string::npos)
      << r.out;
}

TEST(CliSecure, OutDirHoldsEveryOutput) {
  TempDir dir;
  RunResult r =
      RunDbarch({"secure", "--schema", kSchema, "--spec", kSpec, "--out-dir", dir.path().string()});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  RunResult sql = RunDbarch({"secure", "--schema", kSchema, "--spec", kSpec});
  ASSERT_EQ(sql.exit_code, 0) << Describe(sql);
  EXPECT_EQ(ReadFile(dir.path() / "secure.sql"), sql.out);
  EXPECT_EQ(
      ReadFile(dir.path() / "pg_hba.conf"),
      ReadFile(std::filesystem::path(SourceDir()) / "test/golden/secure/marketplace.pg_hba.conf"));
  EXPECT_EQ(ReadFile(dir.path() / "postgresql.conf"),
            ReadFile(std::filesystem::path(SourceDir()) /
                     "test/golden/secure/marketplace.postgresql.conf"));
  EXPECT_NE(ReadFile(dir.path() / "report.txt").find("tenant isolation on app.tenant_id"),
            std::string::npos);
  nlohmann::json j = nlohmann::json::parse(ReadFile(dir.path() / "report.json"));
  EXPECT_FALSE(j.contains("verify"));
}

TEST(CliSecure, SchemaFromALiveDatabase) {
  std::string dsn = sandbox::test_util::CreateDatabaseWith(
      "cli_secure", ReadFile(std::filesystem::path(SourceDir()) / kSchema));
  ASSERT_FALSE(dsn.empty());
  RunResult live = RunDbarch(
      {"secure", "--dsn", dsn, "--spec", kSpec, "--verify", "--format", "json", "--rows", "10"});
  ASSERT_EQ(live.exit_code, 0) << Describe(live);
  nlohmann::json j = nlohmann::json::parse(live.out);
  EXPECT_EQ(j["verify"]["mismatches"], 0);
  EXPECT_EQ(j["design"]["tenant"]["tables"].size(), 15u);
}

TEST(CliSecure, SpecErrorsHaveTheirPosition) {
  TempDir dir;
  std::string spec = ReadFile(std::filesystem::path(SourceDir()) / kSpec);
  size_t pos = spec.find("      - shop.carts\n");
  ASSERT_NE(pos, std::string::npos);
  spec.replace(pos, 19, "      - shop.cart\n");
  std::string path = (dir.path() / "access.yaml").string();
  std::ofstream(path) << spec;
  RunResult r = RunDbarch({"secure", "--schema", kSchema, "--spec", path});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_NE(r.err.find(path + ":40:9: error: relation \"shop.cart\" does not exist in the schema, "
                              "did you mean \"shop.carts\"?"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(CliSecure, UsageErrors) {
  EXPECT_EQ(RunDbarch({"secure", "--schema", kSchema}).exit_code, 2);
  EXPECT_EQ(RunDbarch({"secure", "--spec", kSpec}).exit_code, 2);
  EXPECT_EQ(
      RunDbarch({"secure", "--schema", kSchema, "--spec", kSpec, "--format", "xml"}).exit_code, 2);
  RunResult missing = RunDbarch({"secure", "--schema", kSchema, "--spec", "nope.yaml"});
  EXPECT_EQ(missing.exit_code, 4) << Describe(missing);
}

}  // namespace
}  // namespace dbarch::cli_test
