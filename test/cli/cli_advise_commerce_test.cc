// `dbarch advise --dsn --verify` end to end on a commerce database playing a live server
// (test/fixtures/advise/commerce.sql: eleven tables with primary and foreign keys only, skewed
// and correlated data, ICU collation), against an expert's index set written down beforehand
// (commerce_expert.sql). The workload's eleven queries each need another index kind. dbarch's
// recommended DDL is applied to the live server and every query timed (the best of 5 runs
// after a warm-up, client wall clock: the least disturbed by other load on the machine), then the
// same for the expert set:
//   - at least 9 of 11 queries at least 5x faster,
//   - none more than 1.1x (and 0.5 ms) slower,
//   - the whole workload's speed-up at least 80 % of the expert set's.
// Scale 1 (300,000 orders, 900,000 order lines, 500,000 events, 190 MB) by default;
// DBARCH_COMMERCE_SCALE=10 (bench/advise_commerce.sh) runs the millions-of-rows version.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/source_span.h"
#include "catalog/builder.h"
#include "cli/run_dbarch.h"
#include "pg/vacuum.h"
#include "sandbox/test_util.h"
#include "workload/workload.h"

namespace dbarch::cli_test {
namespace {

using Json = nlohmann::json;

const std::string kDir = "test/fixtures/advise/";

int Scale() {
  const char* env = std::getenv("DBARCH_COMMERCE_SCALE");
  int scale = env != nullptr ? std::atoi(env) : 1;
  return scale > 0 ? scale : 1;
}

// The best wall-clock milliseconds of each query (one warm-up, then `runs` runs).
std::vector<double> Measure(pg::Connection& conn, const workload::Workload& w, int runs) {
  std::vector<double> best;
  for (const workload::Query& q : w.queries) {
    std::vector<double> times;
    for (int i = 0; i <= runs; ++i) {
      auto start = std::chrono::steady_clock::now();
      auto r = q.has_params ? conn.ExecParams(q.sql, q.params) : conn.Exec(q.sql);
      double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      EXPECT_TRUE(r.ok()) << q.name << ": " << r.status().ToString();
      if (i > 0) times.push_back(ms);
    }
    best.push_back(*std::min_element(times.begin(), times.end()));
  }
  return best;
}

double Total(const workload::Workload& w, const std::vector<double>& ms) {
  double total = 0;
  for (size_t i = 0; i < ms.size(); ++i) total += w.queries[i].weight * ms[i];
  return total;
}

// The statements of a DDL text, split at ";\n" (dbarch's DDL, the expert file), comments and
// blank lines left out.
std::vector<std::string> Statements(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    if (line.rfind("--", 0) == 0 || line.empty()) continue;
    current += (current.empty() ? "" : " ") + line;
    if (!current.empty() && current.back() == ';') {
      current.pop_back();
      out.push_back(current);
      current.clear();
    }
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

// The indexes created since `before` (oids above it) on the live server: dropped between the
// measured sets.
void DropIndexesAbove(pg::Connection& conn, int64_t before) {
  auto r = conn.Exec(
      "SELECT string_agg(c.oid::regclass::text, ', ') FROM pg_index i JOIN pg_class c ON c.oid "
      "= i.indexrelid WHERE c.oid > " +
      std::to_string(before) + " AND c.relnamespace = 'public'::regnamespace");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  if (!r->IsNull(0, 0)) {
    ASSERT_TRUE(conn.ExecScript("DROP INDEX " + std::string(r->Get(0, 0))).ok());
  }
}

// Hides (or shows again) the indexes created since `before` from the planner, as `advise
// --verify` does: an index that is not valid is not planned with, and showing it again
// costs no rebuild.
void SetHidden(pg::Connection& conn, int64_t before, bool hidden) {
  Status st = conn.ExecScript(std::string("UPDATE pg_catalog.pg_index SET indisvalid = ") +
                              (hidden ? "false" : "true") +
                              " WHERE indexrelid > " + std::to_string(before));
  ASSERT_TRUE(st.ok()) << st.ToString();
}

// The query's plan without costs: what a failure message shows of a slower query.
std::string Plan(pg::Connection& conn, const workload::Query& q) {
  const std::string sql = "EXPLAIN (COSTS OFF) " + q.sql;
  auto r = q.has_params ? conn.ExecParams(sql, q.params) : conn.Exec(sql);
  if (!r.ok()) return r.status().ToString() + "\n";
  std::string out;
  for (int row = 0; row < r->rows(); ++row) out += std::string(r->Get(row, 0)) + "\n";
  return out;
}

TEST(CliAdviseCommerce, LiveServerElevenIndexKindsAgainstAnExpertSet) {
  const int scale = Scale();
  sandbox::SandboxOptions options = sandbox::test_util::TestOptions();
  if (scale > 1) options = sandbox::SandboxOptions();  // gigabytes: on disk, not in /dev/shm
  auto box = sandbox::Sandbox::Start(options);
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  pg::ConnectOptions connect;
  connect.conninfo = (*box)->ConnInfo();
  connect.read_only = false;
  connect.statement_timeout_ms = 0;
  auto conn = pg::Connection::Open(connect);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto schema = catalog::ReadSourceFile(SourceDir() + "/" + kDir + "commerce.sql");
  ASSERT_TRUE(schema.ok());
  auto t0 = std::chrono::steady_clock::now();
  Status st = conn->ExecScript(schema->text());
  ASSERT_TRUE(st.ok()) << st.ToString();
  st = conn->ExecScript("CALL commerce_load(" + std::to_string(scale) + ")");
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(conn->ExecScript("DROP PROCEDURE commerce_load(int); CREATE EXTENSION hypopg").ok());
  // As an autovacuumed server stands: statistics, and every page marked all-visible (the
  // covering indexes of "sales by category" and "revenue by day" are planned as index-only
  // scans only over such pages).
  auto vacuumed = pg::VacuumLoaded(*conn, /*analyze=*/true);
  ASSERT_TRUE(vacuumed.ok()) << vacuumed.status().ToString();
  ASSERT_EQ(vacuumed->unmarked_pages, 0) << vacuumed->passes << " VACUUM passes";
  auto oid = conn->Exec("SELECT max(oid)::bigint FROM pg_class");
  ASSERT_TRUE(oid.ok());
  const int64_t last_oid = oid->GetInt(0, 0);
  auto size = conn->Exec("SELECT pg_database_size(current_database())");
  ASSERT_TRUE(size.ok());
  std::fprintf(stderr, "scale %d: %.0f MB loaded in %.1f s\n", scale,
               static_cast<double>(size->GetInt(0, 0)) / 1e6,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());

  auto w = workload::LoadWorkload({SourceDir() + "/" + kDir + "commerce_workload.sql"});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(w->queries.size(), 11u);
  const int runs = 5;
  std::vector<double> before = Measure(*conn, *w, runs);

  t0 = std::chrono::steady_clock::now();
  RunResult r =
      RunDbarch({"advise", "--dsn", (*box)->TcpConnInfo(), "--workload",
                 kDir + "commerce_workload.sql", "--verify", "--sample-mb",
                 std::to_string(std::min(64 * scale, 256)), "--runs", "3", "--format", "json"});
  const double advise_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  Json j = Json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded()) << Describe(r);
  std::string ddl;
  int kept = 0;
  for (const Json& idx : j["indexes"]) {
    std::fprintf(stderr, "%s %s: %s (size %.1f MB, HypoPG %.1f MB)\n",
                 idx["dropped"].get<bool>() ? "dropped" : "recommended",
                 idx["name"].get<std::string>().c_str(),
                 idx["dropped"].get<bool>() ? idx["drop_reason"].get<std::string>().c_str()
                                            : idx["ddl"].get<std::string>().c_str(),
                 idx["size_bytes"].get<double>() / 1e6,
                 idx["hypopg_size_bytes"].get<double>() / 1e6);
    if (idx["dropped"].get<bool>()) continue;
    ++kept;
    ddl += idx["ddl"].get<std::string>() + ";\n";
  }
  ASSERT_GT(kept, 0) << r.out;

  for (const std::string& stmt : Statements(ddl)) {
    Status built = conn->ExecScript(stmt);
    ASSERT_TRUE(built.ok()) << stmt << ": " << built.ToString();
  }
  auto real = conn->Exec(
      "SELECT coalesce(sum(pg_relation_size(c.oid)), 0)::bigint FROM pg_class c WHERE c.oid > " +
      std::to_string(last_oid) + " AND c.relkind = 'i'");
  ASSERT_TRUE(real.ok());
  ASSERT_TRUE(conn->ExecScript("ANALYZE").ok());
  std::vector<double> advised = Measure(*conn, *w, runs);
  DropIndexesAbove(*conn, last_oid);

  auto expert_file = catalog::ReadSourceFile(SourceDir() + "/" + kDir + "commerce_expert.sql");
  ASSERT_TRUE(expert_file.ok());
  for (const std::string& stmt : Statements(std::string(expert_file->text()))) {
    Status built = conn->ExecScript(stmt);
    ASSERT_TRUE(built.ok()) << stmt << ": " << built.ToString();
  }
  auto expert_size = conn->Exec(
      "SELECT coalesce(sum(pg_relation_size(c.oid)), 0)::bigint FROM pg_class c WHERE c.oid > " +
      std::to_string(last_oid) + " AND c.relkind = 'i'");
  ASSERT_TRUE(expert_size.ok());
  ASSERT_TRUE(conn->ExecScript("ANALYZE").ok());
  std::vector<double> expert = Measure(*conn, *w, runs);
  DropIndexesAbove(*conn, last_oid);

  // "before" and "dbarch" were measured minutes apart, and a 40 ms query that no index
  // changes drifts by 15 % on this machine between such measurements (more under a
  // sanitizer build with another test running). A query that measured slower is timed again
  // as `advise --verify` does: with the set built and, alternately, hidden
  // (pg_index.indisvalid), each side keeping its best time over all its runs. A real
  // regression stays slower side by side; drift does not.
  for (const std::string& stmt : Statements(ddl)) {
    Status built = conn->ExecScript(stmt);
    ASSERT_TRUE(built.ok()) << stmt << ": " << built.ToString();
  }
  ASSERT_TRUE(conn->ExecScript("ANALYZE").ok());
  std::string plans;  // the plans of a query still slower, for the failure message
  for (size_t i = 0; i < before.size(); ++i) {
    if (advised[i] <= 1.1 * before[i] + 0.5) continue;
    workload::Workload one;
    one.queries.push_back(w->queries[i]);
    for (int round = 0; round < 3 && advised[i] > 1.1 * before[i] + 0.5; ++round) {
      SetHidden(*conn, last_oid, true);
      before[i] = std::min(before[i], Measure(*conn, one, runs)[0]);
      SetHidden(*conn, last_oid, false);
      advised[i] = std::min(advised[i], Measure(*conn, one, runs)[0]);
    }
    if (advised[i] > 1.1 * before[i] + 0.5) {
      SetHidden(*conn, last_oid, true);
      plans += w->queries[i].name + " without the set:\n" + Plan(*conn, w->queries[i]);
      SetHidden(*conn, last_oid, false);
      plans += w->queries[i].name + " with the set:\n" + Plan(*conn, w->queries[i]);
    }
  }
  DropIndexesAbove(*conn, last_oid);

  int fast = 0;
  std::string table =
      "query                   before ms  dbarch ms  speed-up  expert ms  speed-up\n";
  for (size_t i = 0; i < w->queries.size(); ++i) {
    const double s = before[i] / advised[i];
    char line[200];
    std::snprintf(line, sizeof(line), "%-22s %10.3f %10.3f %8.1fx %10.3f %8.1fx\n",
                  w->queries[i].name.c_str(), before[i], advised[i], s, expert[i],
                  before[i] / expert[i]);
    table += line;
    if (s >= 5) ++fast;
    // No query slower: 1.1x, with verification's absolute margin for sub-millisecond noise.
    EXPECT_LE(advised[i], 1.1 * before[i] + 0.5) << w->queries[i].name << "\n" << plans;
  }
  const double total = Total(*w, before) / Total(*w, advised);
  const double expert_total = Total(*w, before) / Total(*w, expert);
  std::fprintf(stderr,
               "%s%d of 11 queries at least 5x faster; workload %.1fx faster with dbarch's "
               "%d indexes (%.1f MB built, %.1f MB reported), %.1fx with the expert's "
               "(%.1f MB); advise --verify took %.1f s\n",
               table.c_str(), fast, total, kept, static_cast<double>(real->GetInt(0, 0)) / 1e6,
               j["total_size_bytes"].get<double>() / 1e6, expert_total,
               static_cast<double>(expert_size->GetInt(0, 0)) / 1e6, advise_s);
  EXPECT_GE(fast, 9) << table;
  EXPECT_GE(total, 0.8 * expert_total) << table;
}

}  // namespace
}  // namespace dbarch::cli_test
