#include "advisor/size_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "sandbox/test_util.h"

namespace dbarch::advisor {
namespace {

IndexDef Def(std::vector<IndexKey> keys, IndexMethod method = IndexMethod::kBtree) {
  IndexDef d;
  d.table = {"public", "sz_orders"};
  d.keys = std::move(keys);
  d.method = method;
  return d;
}

IndexKey Col(const std::string& name) { return IndexKey::Column(name); }

TEST(IndexSizeModel, PureArithmetic) {
  SizeInputs in;
  in.table_rows = 1'000'000;
  SizeColumn id;
  id.typlen = 4;
  id.typalign = 'i';
  id.avg_width = 4;
  id.n_distinct = -1;
  in.keys = {id};
  // 1,000,000 16-byte tuples + line pointers at 90 % of 8,152 bytes less the high key, the
  // internal levels and the metapage: PostgreSQL 15 builds 2,745 pages for a B-tree on a
  // million distinct int4 values.
  std::optional<int64_t> unique = IndexSizeModel(IndexMethod::kBtree, in);
  ASSERT_TRUE(unique.has_value());
  EXPECT_NEAR(static_cast<double>(*unique) / 8192, 2745, 3);
  // Ten rows per value: posting lists take about a third of the room.
  in.keys[0].n_distinct = 100'000;
  std::optional<int64_t> dup = IndexSizeModel(IndexMethod::kBtree, in);
  ASSERT_TRUE(dup.has_value());
  EXPECT_LT(*dup, *unique / 2);
  // Not with INCLUDE columns (no deduplication there).
  SizeColumn ts = id;
  ts.typlen = 8;
  ts.typalign = 'd';
  in.include = {ts};
  std::optional<int64_t> with_include = IndexSizeModel(IndexMethod::kBtree, in);
  ASSERT_TRUE(with_include.has_value());
  EXPECT_GT(*with_include, *unique);
  EXPECT_FALSE(IndexSizeModel(IndexMethod::kGin, in).has_value());
}

// The model against real builds: every index of a mixed table, built for real and compared
// with pg_relation_size.
TEST(IndexSizeModelOnServer, WithinTenPercentOfRealBuilds) {
  auto conn = sandbox::test_util::ConnectToSharedSandbox();
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  Status st = conn->ExecScript(
      "DROP TABLE IF EXISTS sz_orders;"
      "CREATE TABLE sz_orders (id bigint, customer_id int, status text, placed_at timestamptz, "
      "  total numeric(12,2), email text, token text, note text, shipped date, "
      "  region smallint, instruct char(25), mode char(10), supplier int, "
      "  batch int) "
      "  WITH (autovacuum_enabled = off);"
      "INSERT INTO sz_orders SELECT g, (g::bigint * 7919) % 15000, "
      "  CASE WHEN g % 50 = 0 THEN 'pending' WHEN g % 7 = 0 THEN 'cancelled' "
      "       ELSE 'delivered' END, "
      "  timestamptz '2024-01-01' + g * interval '37 seconds', "
      "  ((g::bigint * 31) % 100000) / 100.0, "
      "  'Customer' || ((g::bigint * 7919) % 15000) || '@Example.com', "
      "  md5(g::text) || md5((g + 1)::text), "
      "  CASE WHEN g % 3 = 0 THEN NULL ELSE repeat('n', 5 + g % 50) END, "
      "  date '2024-01-01' + (g / 900), (g % 12)::smallint, "
      "  (ARRAY['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'])"
      "    [1 + abs(hashint4(g)) % 4], "
      "  (ARRAY['AIR', 'MAIL', 'SHIP', 'TRUCK', 'RAIL', 'REG AIR', 'FOB'])"
      "    [1 + abs(hashint4(g + 1000003)) % 7], "
      "  ((g::bigint * 7919) % 15000) % 300, g / 5 "
      "  FROM generate_series(1, 300000) g;");
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(conn->ExecScript("VACUUM ANALYZE sz_orders").ok());

  IndexDef partial = Def({Col("placed_at")});
  partial.predicate = "status = 'pending'";
  partial.predicate_columns = {"status"};
  IndexDef covering = Def({Col("customer_id")});
  covering.include = {"total", "placed_at"};
  const std::vector<IndexDef> cases = {
      Def({Col("id")}),                             // unique bigint
      Def({Col("customer_id")}),                    // 20 rows per value: dedup
      Def({Col("status")}),                         // 3 values: long posting lists
      Def({Col("region")}),                         // smallint, 12 values
      Def({Col("customer_id"), Col("placed_at")}),  // two columns, unique pairs
      Def({Col("status"), Col("placed_at")}),       // low-cardinality leading
      // 4 x 15,000 x 7 combinations for 300,000 rows: a third occur once, the rest share
      // their key with others and deduplicate (as TPC-H's lineitem (l_shipinstruct,
      // l_partkey, l_shipmode)).
      Def({Col("instruct"), Col("customer_id"), Col("mode")}),
      // A customer always buys from the same supplier: 15,000 combinations, not the 4.5
      // million the columns' own counts multiply to, so the pairs deduplicate as customer_id
      // alone does (TPC-H lineitem (l_suppkey, l_partkey)).
      Def({Col("supplier"), Col("customer_id")}),
      Def({Col("customer_id"), Col("supplier")}),
      // Batches of 5 rows in insertion order, 180 of them a day: 60,000 combinations of 5
      // rows (not the 20 million the columns' counts multiply to), each in one block, which a
      // sample of whole blocks sees complete or not at all.
      Def({Col("shipped"), Col("batch")}),
      Def({Col("email")}),                                     // text, 20 rows per value
      Def({Col("token")}),                                     // 65-byte unique text
      Def({Col("note")}),                                      // varying width, a third NULL
      Def({Col("total")}),                                     // numeric: no deduplication
      Def({Col("shipped")}),                                   // date, 900 rows per value
      partial,                                                 // 2 % of the rows
      covering,                                                // INCLUDE: no deduplication
      Def({IndexKey::Expression("lower(email)", {"email"})}),  // expression key
      Def({Col("token")}, IndexMethod::kHash),
      Def({Col("customer_id")}, IndexMethod::kHash),
      Def({Col("placed_at")}, IndexMethod::kBrin),
  };
  int n = 0;
  for (const IndexDef& d : cases) {
    auto in = ReadSizeInputs(*conn, d);
    ASSERT_TRUE(in.ok()) << d.Key() << ": " << in.status().ToString();
    ASSERT_TRUE(in->has_value()) << d.Key();
    std::optional<int64_t> model = IndexSizeModel(d.method, **in);
    ASSERT_TRUE(model.has_value()) << d.Key();
    const std::string name = "sz_idx_" + std::to_string(++n);
    ASSERT_TRUE(conn->ExecScript(d.CreateSql(name)).ok()) << d.CreateSql(name);
    auto real = conn->Exec("SELECT pg_relation_size('" + name + "')");
    ASSERT_TRUE(real.ok());
    const double actual = static_cast<double>(real->GetInt(0, 0));
    const double ratio = static_cast<double>(*model) / actual;
    EXPECT_NEAR(ratio, 1.0, 0.10) << d.Key() << ": model " << *model << " bytes, real " << actual;
    std::printf("%s: model / real %.3f\n", d.Key().c_str(), ratio);
    ASSERT_TRUE(conn->ExecScript("DROP INDEX " + name).ok());
  }
  // The distinct combinations of a key are sampled once for its columns in any order and
  // direction, and not at all for a key with a column unique on its own or columns whose
  // combinations already hold ten rows or more each.
  SizeStatsCache cache;
  for (const IndexDef& d :
       {Def({Col("supplier"), Col("customer_id")}),
        Def({IndexKey::Column("customer_id", /*descending=*/true), Col("supplier")}),
        Def({Col("status"), Col("placed_at")}), Def({Col("status"), Col("region")})}) {
    auto model = ModelIndexSizeBytes(*conn, d, &cache);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    EXPECT_TRUE(model->has_value()) << d.Key();
  }
  EXPECT_EQ(cache.key_samples(), 1);
  ASSERT_TRUE(conn->ExecScript("DROP TABLE sz_orders").ok());
}

// INCLUDE columns and keys of the types whose stored width differs most from a naive
// reading of pg_stats: numeric (a varlena of 16-bit digit groups), short text and varchar
// (one-byte headers), timestamptz, uuid and jsonb; each built for real next to a key alone.
TEST(IndexSizeModelOnServer, TypeWidthsWithinTenPercentOfRealBuilds) {
  auto conn = sandbox::test_util::ConnectToSharedSandbox();
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  Status st = conn->ExecScript(
      "DROP TABLE IF EXISTS sz_types;"
      "CREATE TABLE sz_types (id bigint, account_id int, amount numeric(12,2), "
      "  ratio numeric, small numeric(6,2), code varchar(12), label text, "
      "  at timestamptz, ref uuid, doc jsonb) WITH (autovacuum_enabled = off);"
      "INSERT INTO sz_types SELECT g, (g::bigint * 7919) % 20000, "
      "  round((10 + (hashint4(g) & 65535) / 3.7)::numeric, 2), "
      "  (hashint4(g + 7) & 1048575) / 977.0, (g % 9999) / 100.0, "
      "  'C' || lpad((g % 100000)::text, 6, '0'), "
      "  (ARRAY['card', 'paypal', 'invoice', 'bank transfer'])[1 + g % 4], "
      "  timestamptz '2025-01-01' + g * interval '7 seconds', "
      "  md5(g::text)::uuid, "
      "  jsonb_build_object('k', g % 50, 'tag', 'v' || g % 7) "
      "  FROM generate_series(1, 300000) g;");
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(conn->ExecScript("VACUUM ANALYZE sz_types").ok());
  auto def = [](std::vector<IndexKey> keys, std::vector<std::string> include) {
    IndexDef d;
    d.table = {"public", "sz_types"};
    d.keys = std::move(keys);
    d.include = std::move(include);
    return d;
  };
  const std::vector<IndexDef> cases = {
      def({Col("account_id")}, {"amount"}),        // numeric(12,2) INCLUDE
      def({Col("account_id")}, {"ratio"}),         // numeric with many digit groups
      def({Col("account_id")}, {"small"}),         // numeric(6,2)
      def({Col("account_id")}, {"amount", "at"}),  // numeric then an 8-byte aligned value
      def({Col("at")}, {"amount"}),                // the revenue-by-day shape
      def({Col("amount")}, {}),                    // numeric key
      def({Col("account_id")}, {"code"}),          // short varchar INCLUDE
      def({Col("account_id")}, {"label"}),         // short text INCLUDE
      def({Col("account_id")}, {"at"}),            // timestamptz INCLUDE
      def({Col("account_id")}, {"ref"}),           // uuid INCLUDE
      def({Col("account_id")}, {"doc"}),           // jsonb INCLUDE
      def({Col("ref")}, {}),                       // uuid key
      def({Col("code")}, {}),                      // varchar key
      def({Col("at")}, {}),                        // timestamptz key
  };
  int n = 0;
  for (const IndexDef& d : cases) {
    auto in = ReadSizeInputs(*conn, d);
    ASSERT_TRUE(in.ok()) << d.Key() << ": " << in.status().ToString();
    ASSERT_TRUE(in->has_value()) << d.Key();
    std::optional<int64_t> model = IndexSizeModel(d.method, **in);
    ASSERT_TRUE(model.has_value()) << d.Key();
    const std::string name = "sz_type_idx_" + std::to_string(++n);
    ASSERT_TRUE(conn->ExecScript(d.CreateSql(name)).ok()) << d.CreateSql(name);
    auto real = conn->Exec("SELECT pg_relation_size('" + name + "')");
    ASSERT_TRUE(real.ok());
    const double actual = static_cast<double>(real->GetInt(0, 0));
    const double ratio = static_cast<double>(*model) / actual;
    EXPECT_NEAR(ratio, 1.0, 0.10) << d.Key() << ": model " << *model << " bytes, real " << actual;
    std::printf("%s: model / real %.3f\n", d.Key().c_str(), ratio);
    ASSERT_TRUE(conn->ExecScript("DROP INDEX " + name).ok());
  }
  ASSERT_TRUE(conn->ExecScript("DROP TABLE sz_types").ok());
}

// An index on a range-partitioned table is one index per partition: the model sums the
// leaves (the parent holds no rows; HypoPG sizes the parent's index from the whole
// hierarchy's row count without deduplication, about twice the real size here).
TEST(IndexSizeModelOnServer, PartitionedTableIsTheSumOfItsPartitions) {
  auto conn = sandbox::test_util::ConnectToSharedSandbox();
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  Status st = conn->ExecScript(
      "DROP TABLE IF EXISTS sz_parted;"
      "CREATE TABLE sz_parted (id bigint, account_id int, at timestamptz, amount numeric(12,2)) "
      "  PARTITION BY RANGE (at);"
      "CREATE TABLE sz_parted_1 PARTITION OF sz_parted "
      "  FOR VALUES FROM ('2025-01-01') TO ('2025-02-01') WITH (autovacuum_enabled = off);"
      "CREATE TABLE sz_parted_2 PARTITION OF sz_parted "
      "  FOR VALUES FROM ('2025-02-01') TO ('2025-03-01') WITH (autovacuum_enabled = off);"
      "CREATE TABLE sz_parted_3 PARTITION OF sz_parted "
      "  FOR VALUES FROM ('2025-03-01') TO ('2025-04-01') WITH (autovacuum_enabled = off);"
      // A month ahead, still empty: its index is a metapage.
      "CREATE TABLE sz_parted_4 PARTITION OF sz_parted "
      "  FOR VALUES FROM ('2025-04-01') TO ('2025-05-01') WITH (autovacuum_enabled = off);"
      "INSERT INTO sz_parted SELECT g, (g::bigint * 7919) % 5000, "
      "  timestamptz '2025-01-01' + g * interval '25 seconds', (g % 10000) / 100.0 "
      "  FROM generate_series(1, 300000) g;");
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(conn->ExecScript("VACUUM ANALYZE sz_parted").ok());
  IndexDef parted;
  parted.table = {"public", "sz_parted"};
  parted.keys = {Col("account_id")};
  IndexDef covering = parted;
  covering.include = {"amount"};
  IndexDef partial = parted;
  partial.predicate = "amount > 50";
  // One statistics read for the table however many candidates are sized on it.
  SizeStatsCache cache;
  int n = 0;
  for (const IndexDef& d : {parted, covering, partial}) {
    auto model = ModelIndexSizeBytes(*conn, d, &cache);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    ASSERT_TRUE(model->has_value()) << d.Key();
    const std::string name = "sz_parted_idx_" + std::to_string(++n);
    ASSERT_TRUE(conn->ExecScript(d.CreateSql(name)).ok());
    auto real = conn->Exec("SELECT sum(pg_relation_size(relid))::bigint FROM pg_partition_tree('" +
                           name + "')");
    ASSERT_TRUE(real.ok());
    const double ratio = static_cast<double>(**model) / static_cast<double>(real->GetInt(0, 0));
    EXPECT_NEAR(ratio, 1.0, 0.10) << d.Key();
    std::printf("%s: model / real %.3f\n", d.Key().c_str(), ratio);
    ASSERT_TRUE(conn->ExecScript("DROP INDEX " + name).ok());
  }
  EXPECT_EQ(cache.reads(), 1);
  // A plain table is its own single part.
  IndexDef plain;
  plain.table = {"public", "sz_parted_2"};
  plain.keys = {Col("account_id")};
  auto leaf = ModelIndexSizeBytes(*conn, plain);
  ASSERT_TRUE(leaf.ok());
  ASSERT_TRUE(leaf->has_value());
  ASSERT_TRUE(conn->ExecScript("DROP TABLE sz_parted").ok());
}

}  // namespace
}  // namespace dbarch::advisor
