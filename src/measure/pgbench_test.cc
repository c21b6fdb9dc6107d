#include "measure/pgbench.h"

#include <gtest/gtest.h>

#include <string>

#include "sandbox/sandbox.h"
#include "sandbox/test_util.h"

namespace dbarch::measure {
namespace {

// The summary as pgbench 15 prints it (values made up).
constexpr const char* kSummary =
    "pgbench (15.14 (Debian 15.14-0+deb12u1))\n"
    "transaction type: <builtin: select only>\n"
    "scaling factor: 1\n"
    "query mode: simple\n"
    "number of clients: 2\n"
    "number of threads: 2\n"
    "maximum number of tries: 1\n"
    "duration: 1 s\n"
    "number of transactions actually processed: 12345\n"
    "number of failed transactions: 0 (0.000%)\n"
    "latency average = 0.162 ms\n"
    "initial connection time = 4.512 ms\n"
    "tps = 12345.678901 (without initial connection time)\n";

TEST(Pgbench, ParsesTheSummary) {
  auto f = ParsePgbenchSummary(kSummary);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_DOUBLE_EQ(f->tps, 12345.678901);
  EXPECT_DOUBLE_EQ(f->latency_avg_ms, 0.162);
  EXPECT_EQ(f->transactions, 12345);
  EXPECT_EQ(f->failed, 0);
}

TEST(Pgbench, ASummaryWithoutTpsIsAParseError) {
  auto f = ParsePgbenchSummary("pgbench: error: connection to server failed\n");
  EXPECT_EQ(f.status().code(), StatusCode::kParseError);
  EXPECT_NE(f.status().message().find("tps"), std::string::npos);
}

TEST(Pgbench, InitAndRunBothScriptsOnASandbox) {
  auto box = sandbox::Sandbox::Start(sandbox::test_util::TestOptions());
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  ASSERT_TRUE((*box)->CreateDatabase("bench").ok());
  const std::string conninfo = (*box)->ConnInfo() + " dbname=bench";
  ASSERT_TRUE(InitPgbench("/usr/lib/postgresql/15/bin", conninfo, 1).ok());
  for (PgbenchScript script : {PgbenchScript::kTpcB, PgbenchScript::kSelectOnly}) {
    PgbenchOptions options;
    options.conninfo = conninfo;
    options.script = script;
    options.clients = 2;
    options.threads = 2;
    options.duration_s = 1;
    auto f = RunPgbench(options);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    EXPECT_GT(f->transactions, 0) << PgbenchScriptName(script);
    EXPECT_GT(f->tps, 0);
    EXPECT_GT(f->latency_avg_ms, 0);
    EXPECT_EQ(f->failed, 0);
  }
}

TEST(Pgbench, AFailedRunReportsPgbenchsOutput) {
  PgbenchOptions options;
  options.conninfo = "host=/nonexistent-socket-dir port=1 dbname=x user=postgres";
  options.duration_s = 1;
  auto f = RunPgbench(options);
  ASSERT_EQ(f.status().code(), StatusCode::kInternal);
  EXPECT_NE(f.status().message().find("connection"), std::string::npos) << f.status().message();
  options.bin_dir = "/nonexistent";
  EXPECT_EQ(RunPgbench(options).status().code(), StatusCode::kNotFound);
  options.clients = 0;
  EXPECT_EQ(RunPgbench(options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dbarch::measure
