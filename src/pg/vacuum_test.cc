// VacuumLoaded against a real server: a freshly loaded database in the sandbox (which
// commits asynchronously) ends with every page of its tables and materialized views marked
// all-visible; a snapshot older than the load keeps pages unmarked, which is reported, not
// an error.
#include "pg/vacuum.h"

#include <gtest/gtest.h>

#include <string>

#include "sandbox/test_util.h"

namespace dbarch::pg {
namespace {

// Two tables, a materialized view and a run of small transactions after them, as a data
// generator leaves a database.
constexpr const char* kLoad = R"sql(
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, note text);
INSERT INTO orders SELECT g, g % 1000, md5(g::text) FROM generate_series(1, 60000) g;
CREATE TABLE lines AS SELECT g AS id, g % 60000 + 1 AS order_id FROM generate_series(1, 90000) g;
CREATE MATERIALIZED VIEW per_customer AS SELECT customer_id, count(*) FROM orders GROUP BY 1;
)sql";

Connection Open(const std::string& conninfo) {
  ConnectOptions options;
  options.conninfo = conninfo;
  options.read_only = false;
  auto conn = Connection::Open(options);
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  return std::move(*conn);
}

// "relname relallvisible/relpages" of the user's relations not fully marked, or "".
std::string Unmarked(Connection& conn) {
  auto r = conn.Exec(
      "SELECT coalesce(string_agg(relname || ' ' || relallvisible || '/' || relpages, ', ' "
      "ORDER BY relname), '') FROM pg_class WHERE relnamespace = 'public'::regnamespace AND "
      "relkind IN ('r', 'm') AND relallvisible < relpages");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::string(r->Get(0, 0)) : "?";
}

TEST(VacuumLoaded, MarksEveryPageOfALoadedDatabaseAndAnalyzes) {
  const std::string conninfo = sandbox::test_util::CreateDatabaseWith("vacuum_loaded", kLoad);
  ASSERT_FALSE(conninfo.empty());
  Connection conn = Open(conninfo);
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(conn.ExecScript("INSERT INTO lines VALUES (" + std::to_string(100000 + i) +
                                ", 1)")
                    .ok());
  }
  auto stats = VacuumLoaded(conn, /*analyze=*/true);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->unmarked_pages, 0);
  EXPECT_GE(stats->passes, 1);
  EXPECT_EQ(Unmarked(conn), "");
  auto pages = conn.Exec(
      "SELECT sum(relpages) FILTER (WHERE relname IN ('orders', 'lines', 'per_customer')) "
      "FROM pg_class");
  ASSERT_TRUE(pages.ok());
  EXPECT_GT(pages->GetInt(0, 0), 500);  // the check above looked at real pages
  // The first pass analyzed: the planner's statistics exist.
  auto analyzed = conn.Exec(
      "SELECT count(DISTINCT tablename) FROM pg_stats WHERE schemaname = 'public' AND "
      "tablename IN ('orders', 'lines', 'per_customer')");
  ASSERT_TRUE(analyzed.ok());
  EXPECT_EQ(analyzed->GetInt(0, 0), 3);
}

TEST(VacuumLoaded, AnOlderSnapshotLeavesPagesUnmarkedAndIsReported) {
  const std::string conninfo = sandbox::test_util::CreateDatabaseWith("vacuum_held", "");
  ASSERT_FALSE(conninfo.empty());
  Connection holder = Open(conninfo);
  // A snapshot taken before the load: the load's rows are not visible to it, so no page
  // holding them can be marked all-visible while it is open.
  ASSERT_TRUE(holder.ExecScript("BEGIN ISOLATION LEVEL REPEATABLE READ").ok());
  ASSERT_TRUE(holder.Exec("SELECT count(*) FROM pg_class").ok());
  Connection conn = Open(conninfo);
  ASSERT_TRUE(conn.ExecScript(kLoad).ok());
  auto stats = VacuumLoaded(conn, /*analyze=*/false);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->passes, 4);
  EXPECT_GT(stats->unmarked_pages, 100);
  EXPECT_NE(Unmarked(conn), "");
  // Once the snapshot is gone, the same call marks everything.
  ASSERT_TRUE(holder.ExecScript("COMMIT").ok());
  stats = VacuumLoaded(conn, /*analyze=*/false);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->unmarked_pages, 0);
  EXPECT_EQ(Unmarked(conn), "");
}

}  // namespace
}  // namespace dbarch::pg
