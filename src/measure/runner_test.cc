// Runs workloads on the shared test sandbox (real PostgreSQL 15).
#include "measure/runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "base/source_span.h"
#include "measure/data_loader.h"
#include "pg/introspect.h"
#include "sandbox/test_util.h"
#include "workload/workload.h"

namespace dbarch::measure {
namespace {

workload::Workload Parse(const std::string& name, const std::string& text) {
  auto w = workload::ParseWorkload(SourceFile(name, text));
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  return w.ok() ? std::move(w).value() : workload::Workload{};
}

pg::Connection Connect() {
  auto conn = sandbox::test_util::ConnectToSharedSandbox();
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  return std::move(conn).value();
}

TEST(RunWorkload, MeasuresRowsPlanAndParams) {
  pg::Connection conn = Connect();
  ASSERT_TRUE(
      conn.ExecScript("DROP TABLE IF EXISTS rw_items; "
                      "CREATE TABLE rw_items (id int PRIMARY KEY, v text); "
                      "INSERT INTO rw_items SELECT g, 'v' || g FROM generate_series(1, 5000) g; "
                      "ANALYZE rw_items")
          .ok());
  workload::Workload w = Parse("w.sql",
                               "-- name: by id\n-- weight: 3\n-- params: 42\n"
                               "select v from rw_items where id = $1;\n"
                               "select count(*) from rw_items;\n");
  RunOptions options;
  options.runs = 3;
  auto m = RunWorkload(conn, w, options);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->queries.size(), 2u);
  const QueryMeasurement& q = m->queries[0];
  EXPECT_EQ(q.name, "by id");
  EXPECT_EQ(q.outcome, Outcome::kOk) << q.error;
  EXPECT_EQ(q.runs_ms.size(), 3u);
  EXPECT_EQ(q.rows, 1);
  ASSERT_TRUE(q.plan.has_value());
  EXPECT_EQ(q.plan->rows, 1);
  EXPECT_NE(std::find(q.plan->indexes.begin(), q.plan->indexes.end(), "rw_items_pkey"),
            q.plan->indexes.end());
  EXPECT_EQ(m->queries[1].rows, 1);
  EXPECT_TRUE(m->complete);
  EXPECT_DOUBLE_EQ(m->weighted_total_ms, 3 * q.median_ms + m->queries[1].median_ms);
}

TEST(RunWorkload, TimeoutSkipsRemainingRuns) {
  pg::Connection conn = Connect();
  workload::Workload w = Parse("slow.sql", "select pg_sleep(5);\nselect 1;\n");
  RunOptions options;
  options.runs = 5;
  options.timeout_ms = 200;
  auto m = RunWorkload(conn, w, options);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->queries[0].outcome, Outcome::kTimeout);
  EXPECT_TRUE(m->queries[0].runs_ms.empty());
  EXPECT_EQ(m->queries[1].outcome, Outcome::kOk);
  EXPECT_FALSE(m->complete);
}

TEST(RunWorkload, SetupAndTeardownAroundTheQuery) {
  pg::Connection conn = Connect();
  workload::Workload w = Parse("q15.sql",
                               "create view rw_v (a) as select 1;\nselect a from rw_v;\n"
                               "drop view rw_v;\n");
  auto m = RunWorkload(conn, w, RunOptions{});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->queries[0].outcome, Outcome::kOk) << m->queries[0].error;
  // The teardown dropped the view.
  auto left = conn.Exec("select count(*) from pg_views where viewname = 'rw_v'");
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->GetInt(0, 0), 0);
}

TEST(RunWorkload, ReadOnlyLiveSessionRollsBackAndReportsSetupErrors) {
  auto ro = sandbox::test_util::ConnectToSharedSandbox(/*read_only=*/true);
  ASSERT_TRUE(ro.ok());
  workload::Workload w = Parse("q15.sql",
                               "create view rw_ro (a) as select 1;\nselect a from rw_ro;\n"
                               "drop view rw_ro;\n");
  RunOptions options;
  options.rollback_each_query = true;
  auto m = RunWorkload(*ro, w, options);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->queries[0].outcome, Outcome::kError);
  EXPECT_NE(m->queries[0].error.find("read-only"), std::string::npos) << m->queries[0].error;
  // The session is usable afterwards (the failed transaction was rolled back).
  EXPECT_TRUE(ro->Exec("select 1").ok());
}

TEST(RunWorkload, ServerErrorIsAResultNotAFailure) {
  pg::Connection conn = Connect();
  workload::Workload w = Parse("e.sql", "select * from no_such_table;\nselect 1;\n");
  auto m = RunWorkload(conn, w, RunOptions{});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->queries[0].outcome, Outcome::kError);
  EXPECT_NE(m->queries[0].error.find("no_such_table"), std::string::npos);
  EXPECT_EQ(m->queries[1].outcome, Outcome::kOk);
}

TEST(LoadData, CopiesCsvAndTblParentsFirst) {
  pg::Connection conn = Connect();
  ASSERT_TRUE(conn.ExecScript("DROP SCHEMA IF EXISTS ld CASCADE; CREATE SCHEMA ld; "
                              "CREATE TABLE ld.parent (id int PRIMARY KEY, name text); "
                              "CREATE TABLE ld.child (id int, parent_id int REFERENCES ld.parent)")
                  .ok());
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "ld_data";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "ld.child.tbl") << "1|1\n2|2\n3|2\n";
  std::ofstream(dir / "ld.parent.csv") << "id,name\n1,\"a, b\"\n2,c\n";
  std::ofstream(dir / "README") << "not data\n";
  auto cat = pg::IntrospectCatalog(conn, pg::IntrospectOptions{.include_schemas = {"ld"}});
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();

  auto files = FindDataFiles(dir.string(), *cat);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].table.name, "parent");
  EXPECT_EQ((*files)[1].table.name, "child");

  LoadOptions options;
  options.data_dir = dir.string();
  bool generator_called = false;
  options.generate = [&](pg::Connection&, const catalog::Catalog& c) -> Result<int64_t> {
    generator_called = !c.tables.empty();
    return 0;
  };
  auto stats = LoadData(conn, *cat, options);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->files, 2);
  EXPECT_EQ(stats->rows_copied, 5);
  EXPECT_TRUE(generator_called);
  auto name = conn.Exec("select name from ld.parent where id = 1");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->Get(0, 0), "a, b");

  std::ofstream(dir / "nosuch.csv") << "x\n";
  auto bad = FindDataFiles(dir.string(), *cat);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dbarch::measure
