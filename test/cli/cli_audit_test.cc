// `dbarch audit` end to end: formats, exit codes and flags on a sandbox with two planted
// problems (a SECURITY DEFINER function without a pinned search_path, passwords in clear).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli/run_dbarch.h"
#include "pg/connection.h"
#include "sandbox/test_util.h"

namespace dbarch::cli_test {
namespace {

std::string PlantedDsn() {
  static std::string dsn = sandbox::test_util::CreateDatabaseWith(
      "cli_audit",
      "CREATE FUNCTION definer() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1';"
      "CREATE TABLE logins (id int PRIMARY KEY, password text);"
      "INSERT INTO logins VALUES (1, 'hunter2')");
  return dsn;
}

TEST(CliAudit, JsonFindingsInLintsShape) {
  RunResult r = RunDbarch({"audit", "--dsn", PlantedDsn(), "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_GE(j["findings"].size(), 2u);
  EXPECT_EQ(j["findings"][0]["severity"], "error");
  bool definer = false, password = false;
  for (const auto& f : j["findings"]) {
    for (const char* key : {"rule", "severity", "message", "object", "fix", "cis"}) {
      EXPECT_TRUE(f.contains(key)) << key;
    }
    if (f["rule"] == "security-definer-search-path") {
      definer = true;
      EXPECT_EQ(f["object"], "function definer()");
      EXPECT_EQ(f["fix"], "ALTER FUNCTION definer() SET search_path = pg_catalog, pg_temp;");
    }
    if (f["rule"] == "plaintext-password-column") password = true;
  }
  EXPECT_TRUE(definer && password) << r.out;
  EXPECT_EQ(j["summary"]["errors"], 2) << r.out;
  EXPECT_EQ(j["summary"]["rules_not_run"], 0);
}

TEST(CliAudit, OneRuleSarifAndMarkdown) {
  RunResult r = RunDbarch({"audit", "--dsn", PlantedDsn(), "--rule",
                           "security-definer-search-path", "--format", "sarif"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  nlohmann::json s = nlohmann::json::parse(r.out);
  EXPECT_EQ(s["version"], "2.1.0");
  ASSERT_EQ(s["runs"][0]["results"].size(), 1u);
  EXPECT_EQ(s["runs"][0]["results"][0]["ruleId"], "security-definer-search-path");
  EXPECT_EQ(s["runs"][0]["results"][0]["level"], "error");
  EXPECT_EQ(s["runs"][0]["results"][0]["locations"][0]["logicalLocations"][0]
             ["fullyQualifiedName"],
            "cli_audit: function definer()");

  r = RunDbarch({"audit", "--dsn", PlantedDsn(), "--rule", "plaintext-password-column",
                 "--format", "markdown"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("| error | `plaintext-password-column` | column public.logins.password |"),
            std::string::npos)
      << r.out;
}

TEST(CliAudit, PersonalDataReaders) {
  std::string dsn = sandbox::test_util::CreateDatabaseWith(
      "cli_audit_readers",
      "CREATE ROLE cli_audit_reader LOGIN;"
      "CREATE TABLE people (id int PRIMARY KEY, email text);"
      "INSERT INTO people SELECT g, 'p' || g || '@example.com' FROM generate_series(1, 10) g;"
      "GRANT SELECT ON people TO cli_audit_reader");
  ASSERT_FALSE(dsn.empty());
  RunResult r = RunDbarch({"audit", "--dsn", dsn, "--rule", "personal-data-readable",
                           "--personal-data-readers", "someone_else,another", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["findings"].size(), 1u) << r.out;
  EXPECT_EQ(j["findings"][0]["severity"], "warning");
  EXPECT_EQ(j["findings"][0]["object"], "column public.people.email read by cli_audit_reader");
  r = RunDbarch({"audit", "--dsn", dsn, "--rule", "personal-data-readable",
                 "--personal-data-readers", "cli_audit_reader"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(CliAudit, FailOnAndUsage) {
  RunResult r = RunDbarch({"audit", "--dsn", PlantedDsn(), "--rule", "ssl-off"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;  // ssl off on a loopback-only server is info
  r = RunDbarch({"audit", "--dsn", PlantedDsn(), "--rule", "ssl-off", "--fail-on", "info"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  r = RunDbarch({"audit", "--dsn", PlantedDsn(), "--fail-on", "none"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunDbarch({"audit", "--dsn", PlantedDsn(), "--rule", "ssl-of"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did you mean \"ssl-off\""), std::string::npos) << r.err;
  r = RunDbarch({"audit"});
  EXPECT_EQ(r.exit_code, 2);
  r = RunDbarch({"audit", "--dsn", "host=127.0.0.1 port=1 password=hunter2 connect_timeout=2"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
  r = RunDbarch({"audit", "--list-rules"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("hba-trust (server, error)"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace dbarch::cli_test
