// `dbarch health --emit-alert-rules` end to end: the rule file against its golden and
// `promtool check rules` (Debian's prometheus package); thresholds from dbarch.yaml and
// flags; and, on a sandbox with planted problems, Debian's postgres_exporter 0.11 run against
// it: every metric a rule uses must be among the metrics it exports (and the textfile rules'
// metrics among those of `dbarch health --format prometheus`), and `promtool test rules` fed
// with those very samples must fire the alerts of the planted problems and no others.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/run_dbarch.h"
#include "pg/connection.h"
#include "sandbox/sandbox.h"
#include "sandbox/test_util.h"

namespace dbarch::cli_test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPromtool = "/usr/bin/promtool";
constexpr const char* kExporter = "/usr/bin/prometheus-postgres-exporter";
constexpr const char* kExporterQueries =
    "/usr/share/doc/prometheus-postgres-exporter/examples/queries.yaml";

// Runs a program with arguments, returning its exit code and combined output.
RunResult RunProgram(const std::vector<std::string>& args) {
  std::string command;
  for (const std::string& a : args) {
    std::string quoted = "'";
    for (char c : a) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    command += quoted + "' ";
  }
  command += "2>&1";
  RunResult r;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// The body of GET /metrics on 127.0.0.1:port, or "" when nothing answers.
std::string Scrape(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "";
  }
  std::string request = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return "";
  }
  std::string response;
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) response.append(buf, static_cast<size_t>(n));
  close(fd);
  size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? "" : response.substr(body + 4);
}

// postgres_exporter as a child process, stopped by the destructor.
class Exporter {
 public:
  Exporter(const std::string& dsn, int port) {
    pid_ = fork();
    if (pid_ == 0) {
      setenv("DATA_SOURCE_NAME", dsn.c_str(), 1);
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(port);
      std::string queries = std::string("--extend.query-path=") + kExporterQueries;
      execl(kExporter, kExporter, listen.c_str(), queries.c_str(), "--log.level=error",
            static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  Exporter(const Exporter&) = delete;
  Exporter& operator=(const Exporter&) = delete;
  ~Exporter() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }

 private:
  pid_t pid_ = -1;
};

// "name{labels}" -> value of every sample of an exposition text (NaN samples skipped).
std::map<std::string, double> Samples(const std::string& exposition) {
  std::map<std::string, double> out;
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    double v = std::strtod(line.c_str() + space + 1, nullptr);
    if (std::isnan(v) || std::isinf(v)) continue;
    out[line.substr(0, space)] = v;
  }
  return out;
}

// The metric names of an exposition text, NaN samples included (a metric is exported even
// while its value is unknown, e.g. stats_reset of a database never reset).
std::set<std::string> MetricNames(const std::string& exposition) {
  std::set<std::string> names;
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    names.insert(line.substr(0, line.find_first_of("{ ")));
  }
  return names;
}

// The metric names the rule file's expressions use, with the given prefix.
std::set<std::string> RuleMetrics(const std::string& yaml, const std::string& prefix) {
  std::set<std::string> names;
  std::regex expr_line("expr: \"(.*)\"");
  std::regex name("\\b(" + prefix + "[a-z0-9_]+)");
  std::istringstream in(yaml);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, expr_line)) continue;
    std::string expr = m[1];
    for (auto it = std::sregex_iterator(expr.begin(), expr.end(), name);
         it != std::sregex_iterator(); ++it) {
      names.insert((*it)[1]);
    }
  }
  return names;
}

RunResult EmitRules(const fs::path& dir, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"health", "--emit-alert-rules", (dir / "rules.yml").string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return RunDbarch(args, dir.string());
}

TEST(CliHealthAlerts, RulesMatchTheGoldenAndPassPromtool) {
  TempDir dir;  // no dbarch.yaml above it: the default thresholds
  RunResult r = EmitRules(dir.path());
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  std::string yaml = ReadFile(dir.path() / "rules.yml");
  fs::path golden = fs::path(SourceDir()) / "test/cli/expected/health_alert_rules.yml";
  if (RewritingGoldens()) {
    std::ofstream(golden, std::ios::binary) << yaml;
  } else {
    EXPECT_EQ(yaml, ReadFile(golden)) << "rewrite with DBARCH_REWRITE_GOLDEN=1 and review";
  }
  RunResult check = RunProgram({kPromtool, "check", "rules", (dir.path() / "rules.yml").string()});
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_NE(check.out.find("SUCCESS: 43 rules found"), std::string::npos) << check.out;
  // Standard output works too, and is the same file.
  RunResult out = RunDbarch({"health", "--emit-alert-rules", "-"}, dir.path().string());
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(out.out, yaml);
}

TEST(CliHealthAlerts, ThresholdsFollowDbarchYamlAndFlags) {
  TempDir dir;
  std::ofstream(dir.path() / "dbarch.yaml")
      << "health:\n  connections: { warning: 70 }\n  sequences: { warning: 90, critical: 90 }\n";
  RunResult r = EmitRules(dir.path(), {"--threshold", "temp_files=:5368709120"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  std::string yaml = ReadFile(dir.path() / "rules.yml");
  EXPECT_NE(yaml.find("pg_settings_superuser_reserved_connections) >= 70\""), std::string::npos);
  EXPECT_NE(yaml.find("pg_settings_superuser_reserved_connections) >= 95\""), std::string::npos);
  // Equal thresholds: only the critical rule.
  EXPECT_NE(yaml.find("dbarch_health_value{check=\\\"sequences\\\"} >= 90\""), std::string::npos)
      << yaml;
  EXPECT_EQ(yaml.find("dbarch_health_value{check=\\\"sequences\\\"} >= 85\""), std::string::npos);
  EXPECT_NE(yaml.find("increase(pg_stat_database_temp_bytes[1d]) >= 5368709120\""),
            std::string::npos);
  RunResult check = RunProgram({kPromtool, "check", "rules", (dir.path() / "rules.yml").string()});
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_NE(check.out.find("SUCCESS: 42 rules found"), std::string::npos) << check.out;
  // A misspelt check in the configuration is bad input, as for the checks themselves.
  std::ofstream(dir.path() / "dbarch.yaml") << "health:\n  sequence: { warning: 90 }\n";
  r = EmitRules(dir.path());
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_NE(r.err.find("did you mean \"sequences\""), std::string::npos) << r.err;
}

// Planted: a session idle in transaction, an inactive replication slot, a table with dead
// tuples and autovacuum off, a sequence at 96 %, a table without a primary key, statistics
// reset in another database.
TEST(CliHealthAlerts, PostgresExporterExportsEveryMetricAndThePlantedProblemsFire) {
  ASSERT_EQ(access(kExporter, X_OK), 0) << "run scripts/install-deps.sh";
  // A sandbox of its own: replication slots need wal_level = replica.
  sandbox::SandboxOptions box_options = sandbox::test_util::TestOptions();
  box_options.settings = {{"wal_level", "replica"}, {"max_wal_senders", "5"}};
  auto box = sandbox::Sandbox::Start(box_options);
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  ASSERT_TRUE((*box)->CreateDatabase("cli_health_alerts").ok());
  const std::string dsn = (*box)->ConnInfo() + " dbname=cli_health_alerts";
  {
    pg::ConnectOptions plant;
    plant.conninfo = dsn;
    plant.read_only = false;
    auto conn = pg::Connection::Open(plant);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    Status planted = conn->ExecScript(
        "CREATE TABLE dead (id int PRIMARY KEY) WITH (autovacuum_enabled = off);"
        "INSERT INTO dead SELECT generate_series(1, 5000);"
        "DELETE FROM dead;"
        "CREATE SEQUENCE nearly_done MAXVALUE 100; SELECT setval('nearly_done', 96);"
        "CREATE TABLE events (kind text);"
        "SELECT pg_create_physical_replication_slot('dbarch_alerts_slot', true)");
    ASSERT_TRUE(planted.ok()) << planted.ToString();
    // Statistics reset in another database (a reset here would clear the dead tuples).
    pg::ConnectOptions other = plant;
    other.conninfo = (*box)->ConnInfo();
    auto postgres = pg::Connection::Open(other);
    ASSERT_TRUE(postgres.ok()) << postgres.status().ToString();
    ASSERT_TRUE(postgres->ExecScript("SELECT pg_stat_reset()").ok());
  }
  ASSERT_FALSE(dsn.empty());
  pg::ConnectOptions options;
  options.conninfo = dsn;
  options.read_only = false;
  auto idle = pg::Connection::Open(options);
  ASSERT_TRUE(idle.ok()) << idle.status().ToString();
  ASSERT_TRUE(idle->ExecScript("BEGIN; SELECT count(*) FROM events").ok());
  auto admin = pg::Connection::Open(options);
  ASSERT_TRUE(admin.ok());
  // The deleting session's statistics reach pg_stat_user_tables within a second or so.
  for (int i = 0; i < 100; ++i) {
    auto dead = admin->Exec("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'dead'");
    ASSERT_TRUE(dead.ok());
    if (dead->rows() == 1 && dead->GetInt(0, 0) > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // idle for more than 1 s

  const int port = FreePort();
  Exporter exporter(dsn + " sslmode=disable", port);
  std::string exposition;
  // pg_up is 1 once the exporter has connected.
  for (int i = 0; i < 100 && exposition.find("\npg_up 1\n") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    exposition = Scrape(port);
  }
  ASSERT_NE(exposition.find("\npg_up 1\n"), std::string::npos)
      << exposition.substr(std::min(exposition.size(), exposition.find("\npg_")), 3000);
  std::map<std::string, double> samples = Samples(exposition);
  ASSERT_FALSE(samples.empty());

  TempDir dir;
  RunResult r = EmitRules(dir.path(), {"--threshold", "idle_in_transaction=1:100000"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  std::string yaml = ReadFile(dir.path() / "rules.yml");

  // Every postgres_exporter metric a rule uses is exported by the exporter itself.
  std::set<std::string> exported = MetricNames(exposition);
  std::set<std::string> used = RuleMetrics(yaml, "pg_");
  EXPECT_GE(used.size(), 15u);
  for (const std::string& m : used) EXPECT_EQ(exported.count(m), 1u) << m << " is not exported";
  // The textfile rules' metrics are those dbarch health writes.
  RunResult health =
      RunDbarch({"health", "--dsn", dsn, "--format", "prometheus"}, dir.path().string());
  std::map<std::string, double> dbarch_samples = Samples(health.out);
  std::set<std::string> dbarch_metrics = MetricNames(health.out);
  for (const std::string& m : RuleMetrics(yaml, "dbarch_")) {
    EXPECT_EQ(dbarch_metrics.count(m), 1u) << m << " is not written by dbarch health";
  }

  // promtool test rules on these very samples, constant for 20 minutes. Annotations are
  // templates of the values; check rules validated them, the alerts are compared by labels.
  std::string rules_no_annotations;
  {
    std::istringstream in(yaml);
    std::string line;
    bool skipping = false;
    while (std::getline(in, line)) {
      if (line == "        annotations:") {
        skipping = true;
        continue;
      }
      if (skipping && line.rfind("          ", 0) == 0) continue;
      skipping = false;
      rules_no_annotations += line + "\n";
    }
  }
  std::ofstream(dir.path() / "labels_only.yml") << rules_no_annotations;
  std::string test =
      "rule_files:\n  - labels_only.yml\nevaluation_interval: 1m\ntests:\n"
      "  - interval: 1m\n    input_series:\n";
  auto add_series = [&test](const std::map<std::string, double>& from) {
    for (const auto& [series, value] : from) {
      std::string quoted;
      for (char c : series) quoted += c == '\'' ? std::string("''") : std::string(1, c);
      char v[64];
      std::snprintf(v, sizeof v, "%.6f", value);
      test += "      - series: '" + quoted + "'\n        values: '" + v + "+0x20'\n";
    }
  };
  add_series(samples);
  add_series(dbarch_samples);
  const size_t at = exposition.find("\npg_settings_max_connections{server=\"") + 37;
  const std::string server = exposition.substr(at, exposition.find('"', at) - at);
  test += "    alert_rule_test:\n";
  auto expect = [&test](const std::string& alert, const std::vector<std::string>& labels) {
    test += "      - eval_time: 20m\n        alertname: " + alert + "\n        exp_alerts:\n";
    for (const std::string& l : labels) test += "          - exp_labels: {" + l + "}\n";
    if (labels.empty()) test.replace(test.size() - 1, 1, " []\n");
  };
  const std::string srv = "server: '" + server + "'";
  expect("PostgresIdleInTransaction",
         {"severity: warning, check: idle_in_transaction, datname: cli_health_alerts, state: "
          "'idle in transaction', " +
          srv});
  expect("PostgresReplicationSlotInactive",
         {"severity: warning, check: replication_slots, slot_name: "
          "dbarch_alerts_slot, " +
          srv});
  const std::string dead =
      "check: autovacuum_debt, datname: cli_health_alerts, schemaname: "
      "public, relname: dead, " +
      srv;
  expect("PostgresAutovacuumBehind", {"severity: warning, " + dead, "severity: critical, " + dead});
  const std::string seq = "check: sequences, object: 'sequence public.nearly_done', unit: '%'";
  expect("PostgresSequenceExhaustion", {"severity: warning, " + seq, "severity: critical, " + seq});
  expect("PostgresStatsRecentlyReset",
         {"severity: warning, check: stats_reset, datid: '5', datname: postgres, " + srv});
  // The clean parts stay quiet.
  for (const char* quiet :
       {"PostgresConnections", "PostgresLongTransactions", "PostgresReplicationSlotRetainedWal",
        "PostgresArchivingFailing", "PostgresCheckpointsRequested", "PostgresXidWraparound",
        "PostgresInvalidIndexes", "DbarchHealthCheckUnknown"}) {
    expect(quiet, {});
  }
  std::ofstream(dir.path() / "alerts_test.yml") << test;
  RunResult promtool =
      RunProgram({kPromtool, "test", "rules", (dir.path() / "alerts_test.yml").string()});
  EXPECT_EQ(promtool.exit_code, 0) << promtool.out << "\n"
                                   << test.substr(test.find("alert_rule_test"));
  EXPECT_NE(promtool.out.find("SUCCESS"), std::string::npos) << promtool.out;

  ASSERT_TRUE(idle->ExecScript("ROLLBACK").ok());
}

}  // namespace
}  // namespace dbarch::cli_test
