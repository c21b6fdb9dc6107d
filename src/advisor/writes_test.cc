#include "advisor/writes.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pg/connection.h"
#include "sandbox/test_util.h"

namespace dbarch::advisor {
namespace {

const catalog::QualifiedName kOrders{"public", "orders"};

WriteCostModel Model() {
  WriteCostModel m;
  m.table_rows[kOrders] = 1e6;
  m.existing[kOrders] = {MaintainedIndex{"orders_pkey", "btree", {"id"}}};
  return m;
}

WriteLoad Load(WriteKind kind, std::vector<std::string> set_columns = {}) {
  return WriteLoad{"w", 10, WriteTarget{kOrders, kind, std::move(set_columns)}, 2};
}

TEST(Writes, EntryCostFollowsBtcostestimate) {
  WriteCostModel m = Model();
  IndexDef idx = IndexDef::OnColumns(kOrders, {"customer_id"});
  // 1e6 rows: height 3 (fan-out 300), 20 comparisons: 4 + 20·0.0025 + 4·50·0.0025 + 0.005.
  EXPECT_DOUBLE_EQ(IndexEntryCost(idx, 1e6, m), 4 + 0.05 + 0.5 + 0.005);
}

TEST(Writes, InsertPaysForEveryIndex) {
  WriteCostModel m = Model();
  IndexDef idx = IndexDef::OnColumns(kOrders, {"customer_id"});
  const double entry = IndexEntryCost(idx, 1e6, m);
  std::vector<WriteLoad> loads = {Load(WriteKind::kInsert)};
  EXPECT_DOUBLE_EQ(WriteCost({}, loads, m), 10 * 2 * entry);         // the primary key
  EXPECT_DOUBLE_EQ(WriteCost({idx}, loads, m), 10 * 2 * 2 * entry);  // plus the new index
  // Indexes of other tables cost these writes nothing.
  IndexDef other = IndexDef::OnColumns({"public", "customers"}, {"region"});
  EXPECT_DOUBLE_EQ(WriteCost({other}, loads, m), 10 * 2 * entry);
}

TEST(Writes, UpdatesStayHotUntilAnIndexCoversAnAssignedColumn) {
  WriteCostModel m = Model();
  IndexDef on_status = IndexDef::OnColumns(kOrders, {"status"});
  IndexDef covering = IndexDef::OnColumns(kOrders, {"customer_id"});
  covering.include = {"status"};
  IndexDef unrelated = IndexDef::OnColumns(kOrders, {"customer_id"});
  // A partial index on another column still reads status in its predicate.
  IndexDef partial = IndexDef::OnColumns(kOrders, {"placed_at"});
  partial.predicate = "status = 'open'";
  partial.predicate_columns = {"status"};
  const double entry = IndexEntryCost(on_status, 1e6, m);
  std::vector<WriteLoad> loads = {Load(WriteKind::kUpdate, {"status"})};
  EXPECT_DOUBLE_EQ(WriteCost({}, loads, m), 0);           // HOT
  EXPECT_DOUBLE_EQ(WriteCost({unrelated}, loads, m), 0);  // still HOT
  // Not HOT: every index of the table, the primary key included, gets an entry.
  EXPECT_DOUBLE_EQ(WriteCost({on_status}, loads, m), 10 * 2 * 2 * entry);
  EXPECT_DOUBLE_EQ(WriteCost({covering}, loads, m), 10 * 2 * 2 * entry);  // INCLUDE counts
  EXPECT_DOUBLE_EQ(WriteCost({partial}, loads, m), 10 * 2 * 2 * entry);   // so does WHERE
  EXPECT_DOUBLE_EQ(WriteCost({on_status, unrelated}, loads, m), 10 * 2 * 3 * entry);
  // An existing index on the column already made the update non-HOT.
  m.existing[kOrders].push_back(MaintainedIndex{"orders_status_idx", "btree", {"status"}});
  EXPECT_DOUBLE_EQ(WriteCost({}, loads, m), 10 * 2 * 2 * entry);
  EXPECT_DOUBLE_EQ(WriteCost({unrelated}, loads, m), 10 * 2 * 3 * entry);
}

TEST(Writes, BrinAndGinEntriesCostLessAndMore) {
  WriteCostModel m = Model();
  IndexDef btree = IndexDef::OnColumns(kOrders, {"placed_at"});
  IndexDef brin = btree;
  brin.method = IndexMethod::kBrin;
  IndexDef gin = btree;
  gin.method = IndexMethod::kGin;
  EXPECT_DOUBLE_EQ(IndexEntryCost(brin, 1e6, m), m.cpu_operator_cost);
  EXPECT_DOUBLE_EQ(IndexEntryCost(gin, 1e6, m), kGinEntriesPerRow * IndexEntryCost(btree, 1e6, m));
}

TEST(Writes, DeletesCostOnlyVacuumWork) {
  WriteCostModel m = Model();
  IndexDef idx = IndexDef::OnColumns(kOrders, {"customer_id"});
  std::vector<WriteLoad> loads = {Load(WriteKind::kDelete)};
  const double per_index = m.cpu_index_tuple_cost + m.cpu_operator_cost;
  EXPECT_DOUBLE_EQ(WriteCost({}, loads, m), 10 * 2 * per_index);
  EXPECT_DOUBLE_EQ(WriteCost({idx}, loads, m), 10 * 2 * 2 * per_index);
}

// The model's inputs come from a real server: settings, reltuples, existing indexes with the
// columns their expressions and predicates name; rows per statement from the planner.
TEST(Writes, ReadsModelAndRowEstimatesFromTheServer) {
  auto conn = sandbox::test_util::ConnectToSharedSandbox();
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  ASSERT_TRUE(conn->ExecScript(
                      "DROP SCHEMA IF EXISTS writes_test CASCADE; CREATE SCHEMA writes_test;"
                      "CREATE TABLE writes_test.t (id int PRIMARY KEY, email text, state text, "
                      "n int);"
                      "CREATE INDEX t_lower_email ON writes_test.t (lower(email)) "
                      "WHERE state <> 'gone';"
                      "INSERT INTO writes_test.t SELECT g, 'u' || g, 'ok', g % 10 "
                      "FROM generate_series(1, 5000) g; ANALYZE writes_test.t;")
                  .ok());
  auto model = LoadWriteCostModel(*conn);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const catalog::QualifiedName t{"writes_test", "t"};
  EXPECT_DOUBLE_EQ(model->table_rows.at(t), 5000);
  const std::vector<MaintainedIndex>& existing = model->existing.at(t);
  ASSERT_EQ(existing.size(), 2u);
  EXPECT_EQ(existing[0].name, "t_pkey");
  EXPECT_EQ(existing[0].columns, (std::vector<std::string>{"id"}));
  EXPECT_EQ(existing[1].name, "t_lower_email");
  EXPECT_EQ(existing[1].columns, (std::vector<std::string>{"email", "state"}));
  EXPECT_EQ(model->random_page_cost, 4);

  workload::Query q;
  q.name = "bump";
  q.sql = "UPDATE writes_test.t SET n = n + 1 WHERE n = $1";
  q.params = {std::string("3")};
  q.has_params = true;
  auto rows = EstimateWrittenRows(*conn, q);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_NEAR(*rows, 500, 100);
  q.sql = "INSERT INTO writes_test.t (id) VALUES (1000001), (1000002)";
  q.params.clear();
  q.has_params = false;
  rows = EstimateWrittenRows(*conn, q);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, 2);
  // Nothing was written: EXPLAIN does not execute.
  auto count = conn->Exec("SELECT count(*) FROM writes_test.t");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->GetInt(0, 0), 5000);
  ASSERT_TRUE(conn->ExecScript("DROP SCHEMA writes_test CASCADE").ok());
}

}  // namespace
}  // namespace dbarch::advisor
