// `dbarch workload` end to end: the crafted logs of test/fixtures/logs/ in each format give
// the golden text and JSON reports, standard input reads like a file, --emit-workload writes
// a workload file, and bad input ends with the documented exit codes.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/run_dbarch.h"

namespace dbarch::cli_test {
namespace {

namespace fs = std::filesystem;

void ExpectGolden(const RunResult& r, const std::string& name) {
  fs::path golden = fs::path(SourceDir()) / "test/cli/expected" / name;
  if (RewritingGoldens()) {
    std::ofstream(golden, std::ios::binary) << r.out;
    GTEST_SKIP() << "rewrote " << golden << " (review the diff)";
  }
  std::string expected = ReadFile(golden);
  ASSERT_FALSE(expected.empty()) << golden << " missing; run with DBARCH_REWRITE_GOLDEN=1";
  EXPECT_TRUE(r.out == expected) << "stdout differs from " << golden
                                 << " (DBARCH_REWRITE_GOLDEN=1 rewrites it; review the diff)\n"
                                 << r.out;
}

struct GoldenCase {
  std::string log;
  std::vector<std::string> extra;
  std::string golden;
  std::string warning;  // the malformed-lines warning on stderr
};

TEST(CliWorkload, CraftedLogsMatchGoldens) {
  std::vector<GoldenCase> cases = {
      {"test/fixtures/logs/q_prefix.log",
       {},
       "workload_q_prefix.txt",
       "dbarch: warning: 2 malformed line(s); the first at test/fixtures/logs/q_prefix.log:8\n"},
      {"test/fixtures/logs/q_prefix.log",
       {"--format", "json"},
       "workload_q_prefix.json",
       "dbarch: warning: 2 malformed line(s); the first at test/fixtures/logs/q_prefix.log:8\n"},
      {"test/fixtures/logs/x_prefix.log",
       {"--format", "json", "--prefix", "%t [%p-%l] %x user=%u,db=%d,app=%a "},
       "workload_x_prefix.json",
       "dbarch: warning: 2 malformed line(s); the first at test/fixtures/logs/x_prefix.log:8\n"},
      {"test/fixtures/logs/q_prefix.csv",
       {"--format", "json"},
       "workload_csvlog.json",
       "dbarch: warning: 1 malformed line(s); the first at test/fixtures/logs/q_prefix.csv:22\n"},
      {"test/fixtures/logs/q_prefix.json",
       {},
       "workload_jsonlog.txt",
       "dbarch: warning: 1 malformed line(s); the first at test/fixtures/logs/q_prefix.json:20\n"},
  };
  for (const GoldenCase& c : cases) {
    SCOPED_TRACE(c.golden);
    std::vector<std::string> args = {"workload", c.log};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    RunResult r = RunDbarch(args);
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_EQ(r.err, c.warning);
    ExpectGolden(r, c.golden);
  }
}

TEST(CliWorkload, StandardInputReadsLikeTheFile) {
  RunResult file = RunDbarch({"workload", "test/fixtures/logs/q_prefix.log", "--format", "json"});
  ASSERT_EQ(file.exit_code, 0) << Describe(file);
  std::string command = "cd '" + SourceDir() + "' && '" + DBARCH_BINARY +
                        "' workload - --format json < test/fixtures/logs/q_prefix.log 2>/dev/null";
  FILE* p = popen(command.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_EQ(pclose(p), 0);
  auto a = nlohmann::json::parse(file.out);
  auto b = nlohmann::json::parse(out);
  EXPECT_EQ(a["groups"], b["groups"]);
  EXPECT_EQ(a["summary"]["statements"], b["summary"]["statements"]);
  EXPECT_EQ(b["summary"]["files"], nlohmann::json::array({"-"}));
  EXPECT_EQ(b["summary"]["malformed"][0]["file"], "<stdin>");
}

TEST(CliWorkload, EmitsAWorkloadFile) {
  TempDir tmp;
  fs::path out = tmp.path() / "from_log.sql";
  RunResult r = RunDbarch({"workload", "test/fixtures/logs/q_prefix.csv", "--emit-workload",
                           out.string(), "--emit-top", "3", "-o", (tmp.path() / "r.txt").string()});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "");
  std::string text = ReadFile(out);
  EXPECT_EQ(text,
            "-- workload read from server logs by dbarch workload: the top 3 query groups by "
            "total time;\n"
            "-- weight = calls in the logs, params = the values of one logged statement\n\n"
            "-- name: log 5ad18d634ed060d7\n"
            "-- weight: 1\n"
            "-- params: '10 minutes'\n"
            "SELECT count(*) FROM orders WHERE created_at > now() - $1::interval;\n\n"
            "-- name: log be8612ee557f89f7\n"
            "-- weight: 1\n"
            "SELECT * FROM orders ORDER BY total;\n\n"
            "-- name: log 6f8569b88a32638a\n"
            "-- weight: 2\n"
            "-- params: '99', NULL\n"
            "SELECT total FROM orders WHERE customer_id = $1 AND status = $2;\n\n");
}

// -o to a path that is not a regular file (a FIFO here, /dev/null in scripts) writes into
// it; it must never be replaced by a regular file.
TEST(CliWorkload, OutputToAFifoKeepsTheFifo) {
  TempDir tmp;
  fs::path fifo = tmp.path() / "out.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] {
    std::ifstream in(fifo, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    received = ss.str();
  });
  RunResult r = RunDbarch({"workload", "test/fixtures/logs/q_prefix.json", "-o", fifo.string()});
  reader.join();
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(received.rfind("Log: 1 file(s)", 0), 0u) << received.substr(0, 100);
  EXPECT_EQ(fs::status(fifo).type(), fs::file_type::fifo);
}

TEST(CliWorkload, BadInputExitCodes) {
  TempDir tmp;
  fs::path junk = tmp.path() / "junk.log";
  std::ofstream(junk) << "hello\nworld\n";
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string stderr_has;
  };
  std::vector<Case> cases = {
      {{"workload"}, 2, "logs is required"},
      {{"workload", "test/fixtures/logs/q_prefix.log", "--format", "html"}, 2, "--format"},
      {{"workload", "-", "-"}, 2, "standard input"},
      {{"workload", "test/fixtures/logs/no_such.log"}, 4, "cannot open"},
      {{"workload", junk.string()}, 3, "could not detect the log_line_prefix"},
      {{"workload", "test/fixtures/logs/q_prefix.log", "--prefix", "%m %k"},
       3,
       "unknown escape '%k'"},
      {{"workload", junk.string(), "--prefix", "%m ", "--emit-workload",
        (tmp.path() / "w.sql").string()},
       3,
       "no SELECT, INSERT, UPDATE, DELETE or MERGE"},
  };
  for (const Case& c : cases) {
    RunResult r = RunDbarch(c.args);
    std::string what = "dbarch";
    for (const std::string& a : c.args) what += " " + a;
    EXPECT_EQ(r.exit_code, c.exit_code) << what << "\n" << Describe(r);
    EXPECT_EQ(r.out, "") << what;
    EXPECT_NE(r.err.find(c.stderr_has), std::string::npos) << what << "\n" << Describe(r);
  }
}

}  // namespace
}  // namespace dbarch::cli_test
