// `dbarch health` end to end: a server with planted problems, every output format, the
// Nagios exit codes, thresholds from flags and dbarch.yaml, and size snapshots.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/run_dbarch.h"
#include "pg/connection.h"
#include "sandbox/test_util.h"

namespace dbarch::cli_test {
namespace {

// The shared sandbox with a database holding one critical problem (a sequence at 96 % of
// its range) and one warning (a table without a primary key); its conninfo.
std::string PlantedDsn() {
  static std::string dsn = sandbox::test_util::CreateDatabaseWith(
      "cli_health",
      "CREATE SEQUENCE nearly_done MAXVALUE 100; SELECT setval('nearly_done', 96);"
      "CREATE TABLE events (kind text)");
  return dsn;
}

TEST(CliHealth, NagiosLineAndExitCodeFollowTheWorstFinding) {
  RunResult r = RunDbarch({"health", "--dsn", PlantedDsn(), "--format", "nagios"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;  // CRITICAL
  EXPECT_EQ(r.out.rfind("POSTGRES_HEALTH CRITICAL - 1 critical, 1 warning", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("'sequences sequence public.nearly_done'=95.9596%;85;95"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\nWARNING missing_primary_key table public.events: no primary key"),
            std::string::npos)
      << r.out;

  // Only the warning's check: exit 1, WARNING.
  r = RunDbarch({"health", "--dsn", PlantedDsn(), "--format", "nagios", "--check",
                 "missing_primary_key"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("POSTGRES_HEALTH WARNING", 0), 0u) << r.out;

  // A higher critical threshold for the one check: WARNING only (96 % >= 85 %).
  r = RunDbarch({"health", "--dsn", PlantedDsn(), "--format", "nagios", "--check", "sequences",
                 "--critical", "99"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("=95.9596%;85;99"), std::string::npos) << r.out;
}

TEST(CliHealth, UnreachableServerIsNagiosUnknown) {
  RunResult r = RunDbarch({"health", "--dsn", "host=127.0.0.1 port=1 connect_timeout=2",
                           "--format", "nagios"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("POSTGRES_HEALTH UNKNOWN - ", 0), 0u) << r.out;
  r = RunDbarch({"health", "--dsn", "host=127.0.0.1 port=1 password=hunter2 connect_timeout=2"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
}

TEST(CliHealth, JsonHasFindingsChecksAndSummary) {
  RunResult r = RunDbarch({"health", "--dsn", PlantedDsn(), "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;  // findings at or above the default --fail-on critical
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["findings"].size(), 2u) << r.out;
  EXPECT_EQ(j["findings"][0]["check"], "sequences");
  EXPECT_EQ(j["findings"][0]["severity"], "critical");
  EXPECT_EQ(j["findings"][0]["object"], "sequence public.nearly_done");
  EXPECT_EQ(j["findings"][0]["warning"], 85);
  EXPECT_EQ(j["findings"][0]["critical"], 95);
  EXPECT_EQ(j["findings"][1]["check"], "missing_primary_key");
  EXPECT_EQ(j["summary"]["severity"], "critical");
  EXPECT_EQ(j["summary"]["critical"], 1);
  EXPECT_EQ(j["summary"]["warning"], 1);
  EXPECT_EQ(j["summary"]["unknown"], 0);
  EXPECT_EQ(j["checks"].size(), 24u);

  r = RunDbarch({"health", "--dsn", PlantedDsn(), "--format", "json", "--fail-on", "never"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(CliHealth, PrometheusExposition) {
  RunResult r = RunDbarch({"health", "--dsn", PlantedDsn(), "--format", "prometheus"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("# TYPE dbarch_health_status gauge\n"), std::string::npos);
  EXPECT_NE(r.out.find("dbarch_health_status{check=\"sequences\"} 2\n"), std::string::npos);
  EXPECT_NE(r.out.find("dbarch_health_status{check=\"connections\"} 0\n"), std::string::npos);
  EXPECT_NE(r.out.find("dbarch_health_value{check=\"sequences\",object=\"sequence "
                       "public.nearly_done\",unit=\"%\"} 95.9596\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("dbarch_health_threshold{check=\"sequences\",level=\"critical\"} 95\n"),
            std::string::npos);
}

TEST(CliHealth, ThresholdsFromDbarchYaml) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "dbarch_health_yaml";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "dbarch.yaml") << "health:\n  sequences: { warning: 97, critical: 99 }\n";
  RunResult r = RunDbarch({"health", "--dsn", PlantedDsn(), "--format", "nagios", "--check",
                           "sequences"},
                          dir.string());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("=95.9596%;97;99"), std::string::npos) << r.out;

  std::ofstream(dir / "dbarch.yaml") << "health:\n  sequence: { warning: 97 }\n";
  r = RunDbarch({"health", "--dsn", PlantedDsn()}, dir.string());
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("dbarch.yaml:2:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean \"sequences\""), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

TEST(CliHealth, SizesSavedAndReadBack) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "dbarch_health_sizes";
  std::filesystem::create_directories(dir);
  std::string sizes = (dir / "sizes.json").string();
  RunResult r = RunDbarch({"health", "--dsn", PlantedDsn(), "--check", "disk_usage",
                           "--save-sizes", sizes});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::ifstream in(sizes);
  nlohmann::json saved = nlohmann::json::parse(in);
  EXPECT_GT(saved["database_bytes"]["cli_health"].get<int64_t>(), 0);
  r = RunDbarch({"health", "--dsn", PlantedDsn(), "--check", "disk_usage", "--since", sizes,
                 "--volume-size", "100GB", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  // Same second or later: either a forecast or the note asking for more time between them.
  EXPECT_EQ(j["checks"][0]["check"], "disk_usage");

  std::ofstream(sizes) << "{\"taken_at_unix_s\": \"yesterday\"}";
  r = RunDbarch({"health", "--dsn", PlantedDsn(), "--since", sizes});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("taken_at_unix_s"), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

// The value of `key` in a keyword=value conninfo, or "".
std::string ConninfoValue(const std::string& conninfo, const std::string& key) {
  size_t at = conninfo.find(key + "=");
  if (at == std::string::npos) return "";
  at += key.size() + 1;
  return conninfo.substr(at, conninfo.find(' ', at) - at);
}

// Both tools judge the planted sequence the same with the same thresholds (check_postgres
// comes from Debian's check-postgres, installed by scripts/install-deps.sh).
TEST(CliHealth, SequenceVerdictAgreesWithCheckPostgres) {
  std::string dsn = PlantedDsn();
  std::string command = "check_postgres --action=sequence --warning=85% --critical=95% --host=" +
                        ConninfoValue(dsn, "host") + " --port=" + ConninfoValue(dsn, "port") +
                        " --dbuser=" + ConninfoValue(dsn, "user") + " --db=cli_health 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buf[4096];
  while (fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  int status = pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status)) << out;
  EXPECT_EQ(WEXITSTATUS(status), 2) << out;  // CRITICAL
  EXPECT_NE(out.find("POSTGRES_SEQUENCE CRITICAL"), std::string::npos) << out;

  RunResult r = RunDbarch({"health", "--dsn", dsn, "--format", "nagios", "--check", "sequences"});
  EXPECT_EQ(r.exit_code, WEXITSTATUS(status)) << r.out;
}

TEST(CliHealth, UsageErrors) {
  RunResult r = RunDbarch({"health"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = RunDbarch({"health", "--dsn", "x", "--check", "sequnces"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("did you mean \"sequences\""), std::string::npos) << r.err;
  r = RunDbarch({"health", "--dsn", "x", "--warning", "3"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = RunDbarch({"health", "--list-checks"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("idle_in_transaction"), std::string::npos);
  EXPECT_NE(r.out.find("warning >= 85 %, critical >= 95 %"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace dbarch::cli_test
