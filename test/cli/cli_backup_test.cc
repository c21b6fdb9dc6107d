// `dbarch backup` end to end: plan from given figures (golden text and JSON), plan from a
// live server, the files it proposes, exit codes; verify as a real pgBackRest PITR on a
// sandbox, its JSON fed back into plan --measured, and the live --dsn check.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/run_dbarch.h"
#include "sandbox/test_util.h"

namespace dbarch::cli_test {
namespace {

const std::vector<std::string> kGivenPlan = {"backup",     "plan",     "--db-size", "200GB",
                                             "--wal-rate", "20GB/day", "--rpo",     "5min",
                                             "--rto",      "2h"};

void ExpectGolden(const std::string& actual, const std::string& name) {
  std::filesystem::path path = std::filesystem::path(SourceDir()) / "test/cli/expected" / name;
  if (RewritingGoldens()) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  EXPECT_EQ(actual, ReadFile(path)) << "golden " << path << " (DBARCH_REWRITE_GOLDEN=1 rewrites)";
}

std::vector<std::string> With(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

TEST(CliBackup, PlanFromGivenFiguresMatchesTheGoldens) {
  RunResult text = RunDbarch(kGivenPlan);
  EXPECT_EQ(text.exit_code, 0) << Describe(text);
  ExpectGolden(text.out, "backup_plan.txt");
  RunResult json = RunDbarch(With(kGivenPlan, {"--format", "json"}));
  EXPECT_EQ(json.exit_code, 0) << Describe(json);
  ExpectGolden(json.out, "backup_plan.json");
  nlohmann::json j = nlohmann::json::parse(json.out);
  EXPECT_TRUE(j["meets_objectives"]);
  EXPECT_EQ(j["checks"][1]["objective"], "RTO");
  EXPECT_LE(j["estimates"]["recovery_s"].get<int64_t>(), 7200);
}

TEST(CliBackup, PlanWritesEachProposedFile) {
  RunResult conf = RunDbarch(With(kGivenPlan, {"--format", "pgbackrest", "--stanza", "shop"}));
  EXPECT_EQ(conf.exit_code, 0) << Describe(conf);
  EXPECT_EQ(conf.out.rfind("[global]\nrepo1-path=/var/lib/pgbackrest\n", 0), 0u) << conf.out;
  EXPECT_NE(conf.out.find("\n[shop]\npg1-path="), std::string::npos) << conf.out;
  RunResult pg = RunDbarch(With(kGivenPlan, {"--format", "conf", "--stanza", "shop"}));
  EXPECT_NE(pg.out.find("archive_command = 'pgbackrest --stanza=shop archive-push %p'"),
            std::string::npos)
      << pg.out;
  EXPECT_NE(pg.out.find("archive_mode = 'on'"), std::string::npos) << pg.out;
  RunResult cron = RunDbarch(With(kGivenPlan, {"--format", "cron", "--stanza", "shop"}));
  EXPECT_NE(cron.out.find("\n0 1 * * 0 postgres pgbackrest --stanza=shop --type=full backup\n"),
            std::string::npos)
      << cron.out;
}

TEST(CliBackup, PlanThatCannotMeetAnObjectiveExitsOne) {
  RunResult r = RunDbarch({"backup", "plan", "--db-size", "2TB", "--wal-rate", "1GB/day", "--rpo",
                           "0", "--rto", "10min", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["meets_objectives"]);
  EXPECT_FALSE(j["checks"][0]["met"]);  // RPO 0: needs synchronous replication
  EXPECT_FALSE(j["checks"][1]["met"]);  // RTO below the time to copy 2 TB back
}

TEST(CliBackup, UsageErrorsExitTwo) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"backup"},
           {"backup", "plan"},
           {"backup", "plan", "--db-size", "10GB"},
           {"backup", "plan", "--db-size", "10GB", "--wal-rate", "1GB/day", "--rpo", "soon"},
           {"backup", "plan", "--db-size", "huge", "--wal-rate", "1GB/day"},
           {"backup", "plan", "--db-size", "10GB", "--wal-rate", "1GB/day", "--stanza", "a b"},
           {"backup", "verify", "--rows", "5"},
           {"backup", "verify", "--stanza", "main"},
           {"backup", "verify", "--target", "yesterday"},
       }) {
    RunResult r = RunDbarch(args);
    EXPECT_EQ(r.exit_code, 2) << Describe(r);
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(CliBackup, PlanReadsALiveServerWithoutPrintingItsPassword) {
  auto box = sandbox::test_util::SharedSandbox();
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  const std::string dsn = (*box)->TcpConnInfo();
  const std::string password = dsn.substr(dsn.find("password=") + 9);
  RunResult r = RunDbarch({"backup", "plan", "--dsn", dsn, "--sample", "1", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out.find(password), std::string::npos);
  EXPECT_EQ(r.err.find(password), std::string::npos);
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["facts"]["source"].get<std::string>().rfind("server 127.0.0.1:", 0), 0u);
  EXPECT_GT(j["facts"]["database_bytes"].get<int64_t>(), 1000000);
  EXPECT_EQ(j["settings"][0]["name"], "wal_level");
  EXPECT_EQ(j["settings"][0]["current"], "minimal");
  EXPECT_EQ(j["settings"][0]["recommended"], "replica");
  EXPECT_TRUE(j["settings"][0]["needs_restart"]);

  RunResult down = RunDbarch(
      {"backup", "plan", "--dsn", "host=127.0.0.1 port=1 password=hunter2 connect_timeout=2"});
  EXPECT_EQ(down.exit_code, 4) << Describe(down);
  EXPECT_EQ(down.err.find("hunter2"), std::string::npos) << down.err;
}

TEST(CliBackup, VerifyRestoresToTheTargetAndFeedsThePlan) {
  TempDir dir;
  const std::string out = (dir.path() / "verify.json").string();
  RunResult r =
      RunDbarch({"backup", "verify", "--rows", "1000", "--sandbox-dir",
                 sandbox::test_util::TestOptions().base_dir, "--format", "json", "-o", out});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  nlohmann::json j = nlohmann::json::parse(ReadFile(out));
  EXPECT_TRUE(j["passed"]);
  EXPECT_TRUE(j["failure"].is_null());
  ASSERT_EQ(j["tables"].size(), 3u);
  for (const auto& t : j["tables"]) {
    EXPECT_TRUE(t["matches"]) << t.dump();
    EXPECT_EQ(t["restored_rows"], t["rows_at_target"]);
  }
  EXPECT_EQ(j["rows_lost"], 0);
  EXPECT_GT(j["measured"]["backup_bytes_per_s"].get<double>(), 0);

  RunResult plan = RunDbarch(With(kGivenPlan, {"--measured", out, "--format", "json"}));
  EXPECT_LE(plan.exit_code, 1) << Describe(plan);
  nlohmann::json p = nlohmann::json::parse(plan.out);
  EXPECT_EQ(p["throughput"]["source"], "measured by backup verify (" + out + "); the rest assumed");
  EXPECT_DOUBLE_EQ(p["throughput"]["backup_bytes_per_s"].get<double>(),
                   j["measured"]["backup_bytes_per_s"].get<double>());

  RunResult bad = RunDbarch(With(kGivenPlan, {"--measured", "/nonexistent.json"}));
  EXPECT_EQ(bad.exit_code, 4) << Describe(bad);
}

// Processes whose command line mentions `needle`.
std::vector<std::string> ProcessesMentioning(const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmd = ReadFile(entry.path() / "cmdline");
    for (char& c : cmd) {
      if (c == '\0') c = ' ';
    }
    if (cmd.find(needle) != std::string::npos) found.push_back(pid + ": " + cmd);
  }
  return found;
}

// SIGINT while the restored server recovers and SIGTERM while pgBackRest restores: the
// servers, pgBackRest and its workers end, and the sandbox directory is removed.
TEST(CliBackup, InterruptedVerifyLeavesNothingBehind) {
  struct Case {
    int signal;
    std::string wait_for;  // a path under the sandbox directory
  };
  for (const Case& c : {Case{SIGINT, "restore/postgres.log"}, Case{SIGTERM, "restore/data"}}) {
    // A private parent (tmpfs when available, as for the other sandbox tests) that the
    // server's OS user can traverse to reach the sandbox inside it.
    std::string tmpl = sandbox::test_util::TestOptions().base_dir + "/dbarch-bk-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    struct RemoveAtEnd {
      std::filesystem::path p;
      ~RemoveAtEnd() {
        std::error_code ignored;
        std::filesystem::remove_all(p, ignored);
      }
      const std::filesystem::path& path() const { return p; }
    } parent{tmpl};
    std::filesystem::permissions(parent.path(), std::filesystem::perms::owner_all |
                                                    std::filesystem::perms::group_exec |
                                                    std::filesystem::perms::others_exec);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int null_fd = open("/dev/null", O_WRONLY);
      dup2(null_fd, 1);
      dup2(null_fd, 2);
      std::string binary = DBARCH_BINARY;
      std::string dir = parent.path().string();
      execl(binary.c_str(), binary.c_str(), "backup", "verify", "--rows", "2000", "--sandbox-dir",
            dir.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    bool reached = false;
    bool exited = false;
    int status = 0;
    for (int i = 0; i < 1200 && !reached && !exited; ++i) {  // up to 120 s
      for (const auto& e : std::filesystem::directory_iterator(parent.path())) {
        if (std::filesystem::exists(e.path() / c.wait_for)) reached = true;
      }
      exited = waitpid(pid, &status, WNOHANG) == pid;
      if (!reached && !exited) usleep(50 * 1000);
    }
    ASSERT_FALSE(exited) << "verify ended before " << c.wait_for << ", status " << status;
    EXPECT_TRUE(reached) << c.wait_for;
    kill(pid, c.signal);
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == c.signal) << status;
    EXPECT_TRUE(std::filesystem::is_empty(parent.path())) << parent.path();
    EXPECT_EQ(ProcessesMentioning(parent.path().string()), std::vector<std::string>{});
  }
}

TEST(CliBackup, LiveCheckFlagsAServerWithoutArchiving) {
  auto dsn = sandbox::test_util::SharedConnInfo();
  ASSERT_TRUE(dsn.ok()) << dsn.status().ToString();
  RunResult r = RunDbarch({"backup", "verify", "--dsn", *dsn});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(r.out.rfind("dbarch backup verify --dsn: PROBLEMS\n  problem: archive_mode is off", 0),
            0u)
      << r.out;
  r = RunDbarch({"backup", "verify", "--dsn", *dsn, "--format", "json"});
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["ok"]);
  EXPECT_EQ(j["archiving"]["archive_mode"], "off");
  EXPECT_FALSE(j["backups"]["checked"]);
}

}  // namespace
}  // namespace dbarch::cli_test
