#include "advisor/whatif.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "advisor/search.h"
#include "sandbox/test_util.h"

namespace dbarch::advisor {
namespace {

// A table with 200,000 rows where a = 42 matches 20 of them: a sequential scan is expensive,
// an index on a is not.
class WhatIfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto conn = sandbox::test_util::ConnectToSharedSandbox();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::make_unique<pg::Connection>(std::move(*conn));
    Status st = conn_->ExecScript(
        "DROP TABLE IF EXISTS wi_t, wi_u CASCADE;"
        "CREATE TABLE wi_t (a int, b int, pad text);"
        "INSERT INTO wi_t SELECT g % 10000, g % 97, repeat('x', 40) "
        "  FROM generate_series(1, 200000) g;"
        "CREATE TABLE wi_u (c int);"
        "INSERT INTO wi_u SELECT g FROM generate_series(1, 1000) g;"
        "ANALYZE wi_t, wi_u;");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  static workload::Query MakeQuery(const std::string& name, const std::string& sql) {
    workload::Query q;
    q.name = name;
    q.sql = sql;
    return q;
  }

  static IndexDef Idx(const std::string& table, std::vector<std::string> cols) {
    return IndexDef{{"public", table}, std::move(cols), {}};
  }

  std::unique_ptr<pg::Connection> conn_;
};

TEST_F(WhatIfTest, IndexOnFilteredColumnLowersCostAndCacheAvoidsSecondCall) {
  auto session = WhatIfSession::Open(*conn_);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  int q = session->AddQuery(MakeQuery("point", "SELECT * FROM wi_t WHERE a = 42"),
                            {{"public", "wi_t"}});

  auto without = session->Cost(q, {});
  ASSERT_TRUE(without.ok()) << without.status().ToString();
  auto with = session->Cost(q, {Idx("wi_t", {"a"})});
  ASSERT_TRUE(with.ok()) << with.status().ToString();
  EXPECT_LT(*with, *without / 10) << "without " << *without << ", with " << *with;
  EXPECT_EQ(session->stats().explain_calls, 2);

  // The same configuration again, and one that adds only an index on a table the query does
  // not read: both answered from the cache.
  auto again = session->Cost(q, {Idx("wi_t", {"a"})});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *with);
  auto other_table = session->Cost(q, {Idx("wi_u", {"c"}), Idx("wi_t", {"a"})});
  ASSERT_TRUE(other_table.ok());
  EXPECT_EQ(*other_table, *with);
  EXPECT_EQ(session->stats().explain_calls, 2);
  EXPECT_EQ(session->stats().cost_cache_hits, 2);

  // Dropping the index again really hides it from the planner.
  auto none = session->Cost(q, {Idx("wi_t", {"b"})});
  ASSERT_TRUE(none.ok());
  EXPECT_GT(*none, *with * 10);
  EXPECT_EQ(session->stats().explain_calls, 3);

  // No real index was created.
  auto real = conn_->Exec("SELECT count(*) FROM pg_indexes WHERE tablename = 'wi_t'");
  ASSERT_TRUE(real.ok());
  EXPECT_EQ(real->GetInt(0, 0), 0);
}

TEST_F(WhatIfTest, IndexesWithoutAQueryColumnShareTheCache) {
  auto session = WhatIfSession::Open(*conn_);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  int q = session->AddQuery(MakeQuery("point", "SELECT a FROM wi_t WHERE a = 42"),
                            {{"public", "wi_t"}}, {{{"public", "wi_t"}, "a"}});
  auto none = session->Cost(q, {});
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  // (b) holds no column the query mentions: same cache entry as no index.
  auto b = session->Cost(q, {Idx("wi_t", {"b"})});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, *none);
  EXPECT_EQ(session->stats().explain_calls, 1);
  // (b, a) does: PostgreSQL can scan it whole with "a = 42" as an index condition.
  auto ba = session->Cost(q, {Idx("wi_t", {"b"}), Idx("wi_t", {"b", "a"})});
  ASSERT_TRUE(ba.ok());
  EXPECT_EQ(session->stats().explain_calls, 2);
  EXPECT_LE(*ba, *none);
  auto ab = session->Cost(q, {Idx("wi_t", {"a", "b"})});
  ASSERT_TRUE(ab.ok());
  EXPECT_LT(*ab, *none / 10);
  EXPECT_EQ(session->stats().explain_calls, 3);
}

TEST_F(WhatIfTest, SizesParamsAndSetup) {
  auto session = WhatIfSession::Open(*conn_);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  auto size = session->IndexSizeBytes(Idx("wi_t", {"a"}));
  ASSERT_TRUE(size.ok()) << size.status().ToString();
  EXPECT_GT(*size, 1'000'000);  // 200,000 int keys
  auto wider = session->IndexSizeBytes(Idx("wi_t", {"a", "b"}));
  ASSERT_TRUE(wider.ok());
  EXPECT_GE(*wider, *size);
  EXPECT_EQ(session->stats().size_calls, 2);
  ASSERT_TRUE(session->IndexSizeBytes(Idx("wi_t", {"a"})).ok());
  EXPECT_EQ(session->stats().size_calls, 2);  // cached

  workload::Query p = MakeQuery("param", "SELECT * FROM wi_t WHERE a = $1");
  p.params = {std::string("42")};
  p.has_params = true;
  int qp = session->AddQuery(p, {{"public", "wi_t"}});
  auto p0 = session->Cost(qp, {});
  auto p1 = session->Cost(qp, {Idx("wi_t", {"a"})});
  ASSERT_TRUE(p0.ok() && p1.ok()) << p0.status().ToString() << p1.status().ToString();
  EXPECT_LT(*p1, *p0 / 10);

  // A query unit with a view created in setup and dropped in teardown (TPC-H q15 style).
  workload::Query v = MakeQuery("view", "SELECT * FROM wi_v WHERE a = 7");
  v.setup = {"CREATE VIEW wi_v AS SELECT a, b FROM wi_t"};
  v.teardown = {"DROP VIEW wi_v"};
  int qv = session->AddQuery(v, {{"public", "wi_t"}});
  auto v0 = session->Cost(qv, {});
  auto v1 = session->Cost(qv, {Idx("wi_t", {"a"})});
  ASSERT_TRUE(v0.ok() && v1.ok()) << v0.status().ToString() << v1.status().ToString();
  EXPECT_LT(*v1, *v0 / 10);
  auto gone = conn_->Exec("SELECT count(*) FROM pg_views WHERE viewname = 'wi_v'");
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->GetInt(0, 0), 0);
}

TEST_F(WhatIfTest, LiveIndexLimitResetsAndRecreates) {
  WhatIfOptions options;
  options.max_live_indexes = 2;
  auto session = WhatIfSession::Open(*conn_, options);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  // Tables unknown: every index is relevant.
  int q = session->AddQuery(MakeQuery("point", "SELECT * FROM wi_t WHERE a = 42"), {});
  ASSERT_TRUE(session->IndexSizeBytes(Idx("wi_t", {"b"})).ok());
  ASSERT_TRUE(session->IndexSizeBytes(Idx("wi_u", {"c"})).ok());
  ASSERT_TRUE(session->IndexSizeBytes(Idx("wi_t", {"a"})).ok());  // third: reset first
  EXPECT_GE(session->stats().resets, 1);
  EXPECT_LE(session->live_indexes(), 2u);
  auto with = session->Cost(q, {Idx("wi_t", {"a"}), Idx("wi_t", {"b"})});
  ASSERT_TRUE(with.ok()) << with.status().ToString();
  auto without = session->Cost(q, {});
  ASSERT_TRUE(without.ok());
  EXPECT_LT(*with, *without / 10);
  auto too_many = session->Cost(q, {Idx("wi_t", {"a"}), Idx("wi_t", {"b"}), Idx("wi_u", {"c"})});
  EXPECT_FALSE(too_many.ok());
}

TEST_F(WhatIfTest, ErrorsAreValues) {
  auto session = WhatIfSession::Open(*conn_);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  int bad = session->AddQuery(MakeQuery("bad", "SELECT nosuch FROM wi_t"), {});
  auto r = session->Cost(bad, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("\"bad\""), std::string::npos) << r.status().ToString();
  auto unknown_col = session->IndexSizeBytes(Idx("wi_t", {"nosuch"}));
  EXPECT_FALSE(unknown_col.ok());
  EXPECT_FALSE(session->Cost(99, {}).ok());

  // A failing setup statement is an error, and the teardown still removes what was made.
  workload::Query v = MakeQuery("setup", "SELECT * FROM wi_v2");
  v.setup = {"CREATE VIEW wi_v2 AS SELECT a FROM wi_t", "CREATE VIEW wi_broken AS SELECT x"};
  v.teardown = {"DROP VIEW wi_broken", "DROP VIEW wi_v2"};
  int qv = session->AddQuery(v, {});
  auto rv = session->Cost(qv, {});
  ASSERT_FALSE(rv.ok());
  EXPECT_NE(rv.status().message().find("setup of query \"setup\""), std::string::npos)
      << rv.status().ToString();
  auto left = conn_->Exec("SELECT count(*) FROM pg_views WHERE viewname = 'wi_v2'");
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->GetInt(0, 0), 0);

  ASSERT_TRUE(session->Close().ok());
  EXPECT_FALSE(session->Cost(bad, {}).ok());
}

TEST(TotalCostFromExplainJson, ReadsRootCost) {
  auto c = TotalCostFromExplainJson(R"([{"Plan": {"Node Type": "Seq Scan", "Total Cost": 12.5}}])");
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(*c, 12.5);
  EXPECT_FALSE(TotalCostFromExplainJson("not json").ok());
  EXPECT_FALSE(TotalCostFromExplainJson("[]").ok());
  EXPECT_FALSE(TotalCostFromExplainJson(R"([{"Plan": {}}])").ok());
}

TEST_F(WhatIfTest, ExtendSearchPicksTheUsefulIndexWithinBudget) {
  auto session = WhatIfSession::Open(*conn_);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  int q1 =
      session->AddQuery(MakeQuery("a", "SELECT * FROM wi_t WHERE a = 42"), {{"public", "wi_t"}});
  int q2 = session->AddQuery(MakeQuery("ab", "SELECT * FROM wi_t WHERE a = 42 AND b = 3"),
                             {{"public", "wi_t"}});
  std::vector<SearchQuery> queries = {
      {q1, 1, {Idx("wi_t", {"a"})}},
      {q2, 2, {Idx("wi_t", {"a"}), Idx("wi_t", {"a", "b"}), Idx("wi_t", {"b"})}},
  };
  SearchOptions options;
  options.budget_mb = 100;
  auto r = ExtendSearch(*session, queries, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_FALSE(r->indexes.empty());
  EXPECT_EQ(r->indexes[0].columns[0], "a");
  EXPECT_LT(r->relative_cost, 0.1);
  EXPECT_GT(r->whatif.explain_calls, 0);
  EXPECT_LE(r->total_size_bytes, 100'000'000);

  // A budget smaller than any index: nothing fits, cost unchanged.
  options.budget_mb = 0.01;
  auto tiny = ExtendSearch(*session, queries, options);
  ASSERT_TRUE(tiny.ok()) << tiny.status().ToString();
  EXPECT_TRUE(tiny->indexes.empty());
  EXPECT_DOUBLE_EQ(tiny->relative_cost, 1);
  // The second search over the same session is served from the cache.
  EXPECT_EQ(tiny->whatif.explain_calls, 0);

  options.budget_mb = 0;
  EXPECT_FALSE(ExtendSearch(*session, queries, options).ok());
}

}  // namespace
}  // namespace dbarch::advisor
