#include "advisor/candidates.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "base/source_span.h"
#include "catalog/builder.h"
#include "sql/ast.h"
#include "sql/parser.h"
#include "workload/workload.h"

namespace dbarch::advisor {
namespace {

// ../shared next to the repository (see ../shared/README.md).
const std::string kTpch = std::string(DBARCH_SOURCE_DIR) + "/../shared/bench/tpch";

class TpchCandidates : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(kTpch + "/schema.sql")) return;  // SetUp skips
    auto cat = catalog::BuildCatalogFromPaths({kTpch + "/schema.sql"});
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalog_ = new catalog::Catalog(std::move(*cat));
    auto wl = workload::LoadWorkload({kTpch + "/queries"});
    ASSERT_TRUE(wl.ok()) << wl.status().ToString();
    workload_ = new workload::Workload(std::move(*wl));
  }
  void SetUp() override {
    if (catalog_ == nullptr || workload_ == nullptr) GTEST_SKIP() << "no TPC-H files in " << kTpch;
  }
  static void TearDownTestSuite() {
    delete catalog_;
    delete workload_;
    catalog_ = nullptr;
    workload_ = nullptr;
  }

  static const workload::Query& Q(const std::string& name) {
    for (const workload::Query& q : workload_->queries) {
      if (q.name == name) return q;
    }
    ADD_FAILURE() << "no query " << name;
    return workload_->queries.front();
  }

  // "table.column" -> "eq,join,..." for the query's indexable columns.
  static std::map<std::string, std::string> Uses(const std::string& name) {
    auto cols = ExtractIndexableColumns(Q(name), *catalog_);
    EXPECT_TRUE(cols.ok()) << cols.status().ToString();
    std::map<std::string, std::string> out;
    if (!cols.ok()) return out;
    for (const IndexableColumn& c : cols->columns) {
      out[c.table.name + "." + c.column] = ColumnUseNames(c.uses);
    }
    return out;
  }

  static std::vector<std::string> Tables(const std::string& name) {
    auto cols = ExtractIndexableColumns(Q(name), *catalog_);
    EXPECT_TRUE(cols.ok()) << cols.status().ToString();
    std::vector<std::string> out;
    if (cols.ok()) {
      for (const auto& t : cols->tables) out.push_back(t.name);
    }
    return out;
  }

  static std::vector<std::string> Keys(const std::string& name, int width) {
    auto cols = ExtractIndexableColumns(Q(name), *catalog_);
    EXPECT_TRUE(cols.ok()) << cols.status().ToString();
    std::vector<std::string> out;
    if (cols.ok()) {
      for (const IndexDef& d : CandidateIndexes(*cols, width)) out.push_back(d.Key());
    }
    return out;
  }

  static catalog::Catalog* catalog_;
  static workload::Workload* workload_;
};

catalog::Catalog* TpchCandidates::catalog_ = nullptr;
workload::Workload* TpchCandidates::workload_ = nullptr;

using Map = std::map<std::string, std::string>;
using Strings = std::vector<std::string>;

TEST_F(TpchCandidates, Q03JoinsFiltersGroupAndOrder) {
  EXPECT_EQ(Tables("q03"), (Strings{"customer", "lineitem", "orders"}));
  EXPECT_EQ(Uses("q03"), (Map{
                             {"customer.c_custkey", "join"},
                             {"customer.c_mktsegment", "eq"},
                             {"lineitem.l_orderkey", "join,group"},
                             {"lineitem.l_shipdate", "range"},
                             {"orders.o_custkey", "join"},
                             {"orders.o_orderdate", "range,group,order"},
                             {"orders.o_orderkey", "join"},
                             {"orders.o_shippriority", "group"},
                         }));
}

TEST_F(TpchCandidates, Q06RangesAndBetween) {
  EXPECT_EQ(Uses("q06"), (Map{
                             {"lineitem.l_discount", "range"},
                             {"lineitem.l_quantity", "range"},
                             {"lineitem.l_shipdate", "range"},
                         }));
  // Only range columns: no column can lead a wider key.
  EXPECT_EQ(Keys("q06", 3), (Strings{"public.lineitem(l_discount)", "public.lineitem(l_quantity)",
                                     "public.lineitem(l_shipdate)"}));
}

TEST_F(TpchCandidates, ReferencedColumnsIncludeSelectListAndExpressions) {
  auto cols = ExtractIndexableColumns(Q("q06"), *catalog_);
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  Strings referenced;
  for (const auto& [table, column] : cols->referenced)
    referenced.push_back(table.name + "." + column);
  EXPECT_EQ(referenced, (Strings{"lineitem.l_discount", "lineitem.l_extendedprice",
                                 "lineitem.l_quantity", "lineitem.l_shipdate"}));
  // q15: the view's select list counts; its output names (total_revenue) do not.
  cols = ExtractIndexableColumns(Q("q15"), *catalog_);
  ASSERT_TRUE(cols.ok());
  referenced.clear();
  for (const auto& [table, column] : cols->referenced)
    referenced.push_back(table.name + "." + column);
  EXPECT_EQ(referenced, (Strings{"lineitem.l_discount", "lineitem.l_extendedprice",
                                 "lineitem.l_shipdate", "lineitem.l_suppkey", "supplier.s_address",
                                 "supplier.s_name", "supplier.s_phone", "supplier.s_suppkey"}));
}

TEST_F(TpchCandidates, Q21AliasesAndCorrelatedSubqueries) {
  EXPECT_EQ(Tables("q21"), (Strings{"lineitem", "nation", "orders", "supplier"}));
  // l2.l_suppkey <> l1.l_suppkey is no index key; l1.l_receiptdate > l1.l_commitdate
  // compares two columns of one row; l2/l3.l_orderkey = l1.l_orderkey are correlated joins.
  EXPECT_EQ(Uses("q21"), (Map{
                             {"lineitem.l_orderkey", "join"},
                             {"lineitem.l_suppkey", "join"},
                             {"nation.n_name", "eq"},
                             {"nation.n_nationkey", "join"},
                             {"orders.o_orderkey", "join"},
                             {"orders.o_orderstatus", "eq"},
                             {"supplier.s_name", "group,order"},
                             {"supplier.s_nationkey", "join"},
                             {"supplier.s_suppkey", "join"},
                         }));
}

TEST_F(TpchCandidates, Q15ViewFromSetupIsAnalyzed) {
  EXPECT_EQ(Tables("q15"), (Strings{"lineitem", "supplier"}));
  Map uses = Uses("q15");
  EXPECT_EQ(uses["lineitem.l_shipdate"], "range");
  EXPECT_EQ(uses["lineitem.l_suppkey"], "group");
  // total_revenue / supplier_no are view columns: never guessed onto a table.
  for (const auto& [col, use] : uses) {
    EXPECT_TRUE(col.rfind("lineitem.", 0) == 0 || col.rfind("supplier.", 0) == 0) << col;
  }
}

TEST_F(TpchCandidates, Q19OrArmsAndInLists) {
  EXPECT_EQ(Uses("q19"), (Map{
                             {"lineitem.l_partkey", "join"},
                             {"lineitem.l_quantity", "range"},
                             {"lineitem.l_shipinstruct", "eq"},
                             {"lineitem.l_shipmode", "in"},
                             {"part.p_brand", "eq"},
                             {"part.p_container", "in"},
                             {"part.p_partkey", "join"},
                             {"part.p_size", "range"},
                         }));
}

TEST_F(TpchCandidates, Q13OuterJoinOnClauseAndDerivedTable) {
  // The ON clause's NOT LIKE is not indexable; c_count is a derived-table column.
  EXPECT_EQ(Uses("q13"), (Map{
                             {"customer.c_custkey", "join,group"},
                             {"orders.o_custkey", "join"},
                         }));
}

TEST_F(TpchCandidates, Q18InSubqueryIsSemiJoin) {
  Map uses = Uses("q18");
  EXPECT_EQ(uses["orders.o_orderkey"], "join,group");
  EXPECT_EQ(uses["lineitem.l_orderkey"], "join,group");
  EXPECT_EQ(uses["orders.o_totalprice"], "group,order");
}

TEST_F(TpchCandidates, Q22ExpressionsAreNotColumns) {
  // substring(c_phone ...) IN (...) needs an expression index: not a column candidate.
  EXPECT_EQ(Uses("q22"), (Map{
                             {"customer.c_acctbal", "range"},
                             {"customer.c_custkey", "join"},
                             {"orders.o_custkey", "join"},
                         }));
}

TEST_F(TpchCandidates, EqualityColumnsLeadWiderKeys) {
  Strings keys = Keys("q03", 2);
  auto has = [&](const std::string& k) {
    return std::find(keys.begin(), keys.end(), k) != keys.end();
  };
  EXPECT_TRUE(has("public.customer(c_mktsegment)"));
  EXPECT_TRUE(has("public.customer(c_mktsegment,c_custkey)"));
  EXPECT_TRUE(has("public.customer(c_custkey,c_mktsegment)"));
  EXPECT_TRUE(has("public.orders(o_custkey,o_orderdate)"));
  EXPECT_TRUE(has("public.orders(o_orderkey,o_orderdate)"));
  // A range column ends a key.
  EXPECT_FALSE(has("public.orders(o_orderdate,o_custkey)"));
  // Never across tables, never wider than asked.
  for (const std::string& k : keys) EXPECT_LE(std::count(k.begin(), k.end(), ','), 1) << k;
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_TRUE(Keys("q03", 0).empty());
}

TEST_F(TpchCandidates, WidthThree) {
  Strings keys = Keys("q19", 3);
  auto has = [&](const std::string& k) {
    return std::find(keys.begin(), keys.end(), k) != keys.end();
  };
  EXPECT_TRUE(has("public.part(p_brand,p_container,p_size)"));
  EXPECT_TRUE(has("public.lineitem(l_shipinstruct,l_shipmode,l_quantity)"));
  EXPECT_FALSE(has("public.part(p_size,p_brand)"));
}

TEST_F(TpchCandidates, EveryTpchQueryIsAnalyzed) {
  for (const workload::Query& q : workload_->queries) {
    auto cols = ExtractIndexableColumns(q, *catalog_);
    ASSERT_TRUE(cols.ok()) << q.name << ": " << cols.status().ToString();
    EXPECT_FALSE(cols->tables.empty()) << q.name;
    EXPECT_FALSE(cols->columns.empty()) << q.name;
  }
}

// The index kinds beyond plain B-tree columns, on the marketplace example's schema
// (expression, partial, ORDER BY direction, GIN targets, BRIN from physical statistics).
class KindCandidates : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto cat = catalog::BuildCatalogFromPaths(
        {std::string(DBARCH_SOURCE_DIR) + "/examples/marketplace/schema.sql"});
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalog_ = new catalog::Catalog(std::move(*cat));
  }
  static void TearDownTestSuite() {
    delete catalog_;
    catalog_ = nullptr;
  }

  static QueryColumns Extract(const std::string& sql, std::vector<std::string> params = {}) {
    workload::Query q;
    q.name = "q";
    q.sql = sql;
    for (std::string& p : params) q.params.emplace_back(std::move(p));
    q.has_params = !q.params.empty();
    auto cols = ExtractIndexableColumns(q, *catalog_);
    EXPECT_TRUE(cols.ok()) << cols.status().ToString();
    return cols.ok() ? std::move(*cols) : QueryColumns{};
  }

  static Strings Keys(const std::string& sql, std::vector<std::string> params = {},
                      const CandidateOptions& options = Width(3)) {
    Strings out;
    for (const IndexDef& d : CandidateIndexes(Extract(sql, std::move(params)), options)) {
      out.push_back(d.Key());
    }
    return out;
  }

  static CandidateOptions Width(int w) {
    CandidateOptions o;
    o.max_width = w;
    return o;
  }

  static bool Has(const Strings& keys, const std::string& key) {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
  }

  static catalog::Catalog* catalog_;
};

catalog::Catalog* KindCandidates::catalog_ = nullptr;

TEST_F(KindCandidates, ExpressionComparedWithAParameter) {
  QueryColumns cols =
      Extract("SELECT id FROM shop.users u WHERE lower(u.email) = lower($1)", {"a@b.org"});
  ASSERT_EQ(cols.expressions.size(), 1u);
  EXPECT_EQ(cols.expressions[0].table.name, "users");
  EXPECT_EQ(cols.expressions[0].key.expression, "lower(email)");  // qualifier dropped
  EXPECT_EQ(cols.expressions[0].key.expression_columns, Strings{"email"});
  EXPECT_EQ(ColumnUseNames(cols.expressions[0].uses), "eq");
  EXPECT_EQ(CandidateIndexes(cols, 2).size(), 1u);
  EXPECT_EQ(CandidateIndexes(cols, 2)[0].CreateSql(),
            "CREATE INDEX ON shop.users ((lower(email)))");
  // Equality columns lead an expression; an IN list and a range count too.
  Strings keys =
      Keys("SELECT 1 FROM shop.orders WHERE user_id = 4 AND date_trunc('day', placed_at) > now()");
  EXPECT_TRUE(Has(keys, "shop.orders(user_id,(date_trunc('day', placed_at)))")) << keys[0];
  EXPECT_TRUE(Has(Keys("SELECT 1 FROM shop.users WHERE upper(full_name) IN ('A', 'B')"),
                  "shop.users((upper(full_name)))"));
  // Not expressions of one table: two tables, a subquery, an aggregate, a column vs column.
  EXPECT_TRUE(Extract("SELECT 1 FROM shop.users u, shop.orders o "
                      "WHERE u.id + o.user_id = 3")
                  .expressions.empty());
  EXPECT_TRUE(
      Extract("SELECT 1 FROM shop.users WHERE lower(email) = full_name").expressions.empty());
  EXPECT_TRUE(Extract("SELECT user_id FROM shop.orders GROUP BY user_id HAVING count(*) > 3")
                  .expressions.empty());
}

TEST_F(KindCandidates, PartialIndexesOnConstantPredicates) {
  const std::string sql =
      "SELECT id FROM shop.products WHERE seller_id = $1 AND status = 'active' "
      "ORDER BY published_at DESC LIMIT 50";
  QueryColumns cols = Extract(sql, {"7"});
  ASSERT_EQ(cols.predicates.size(), 1u);
  EXPECT_EQ(cols.predicates[0].sql, "status = 'active'");
  EXPECT_EQ(cols.predicates[0].column, "status");
  Strings keys = Keys(sql, {"7"});
  // The answer key's index: equality, then the ORDER BY's direction, WHERE the constant.
  EXPECT_TRUE(Has(keys, "shop.products(seller_id,published_at desc) where(status = 'active')"));
  EXPECT_TRUE(Has(keys, "shop.products(seller_id) where(status = 'active')"));
  // (published_at DESC) alone is its own mirror (published_at).
  EXPECT_TRUE(Has(keys, "shop.products(published_at) where(status = 'active')"));
  EXPECT_FALSE(Has(keys, "shop.products(published_at desc) where(status = 'active')"));
  // The predicate's column is not a key of its own partial index.
  for (const std::string& k : keys) {
    size_t where = k.find(" where(");
    if (where != std::string::npos) {
      EXPECT_EQ(k.substr(0, where).find("status"), std::string::npos) << k;
    }
  }

  keys = Keys("SELECT id FROM shop.shipments WHERE delivered_at IS NULL ORDER BY shipped_at");
  EXPECT_TRUE(Has(keys, "shop.shipments(shipped_at) where(delivered_at IS NULL)"));
  keys = Keys("SELECT id FROM shop.shipments s WHERE s.delivered_at IS NOT NULL AND carrier = $1",
              {"dhl"});
  EXPECT_TRUE(Has(keys, "shop.shipments(carrier) where(delivered_at IS NOT NULL)"));
  keys = Keys("SELECT id FROM shop.users WHERE is_active AND country_code = 'DE'");
  EXPECT_TRUE(Has(keys, "shop.users(country_code) where(is_active)"));
  keys = Keys("SELECT id FROM shop.users WHERE NOT is_active AND country_code = $1", {"DE"});
  EXPECT_TRUE(Has(keys, "shop.users(country_code) where(NOT is_active)"));
  // Under OR the condition does not hold for every row read: no partial index.
  EXPECT_TRUE(Extract("SELECT 1 FROM shop.products WHERE status = 'active' OR seller_id = 3")
                  .predicates.empty());
  // A parameter is not a constant the index predicate could name.
  EXPECT_TRUE(Extract("SELECT 1 FROM shop.products WHERE status = $1", {"x"}).predicates.empty());
}

// A literal in a workload query is a sample value of a parameter: a partial index on it
// serves that one value. Only categorical columns (few distinct values) and IS NULL /
// boolean tests make partial candidates; keys and foreign keys never do.
TEST_F(KindCandidates, LiteralsOnKeysAreParametersNotPartialPredicates) {
  // Foreign keys and primary keys: no predicate at all.
  EXPECT_TRUE(Extract("SELECT line_no FROM shop.order_items WHERE order_id = 2718282")
                  .predicates.empty());
  EXPECT_TRUE(Extract("SELECT id FROM shop.orders WHERE user_id = 107769 ORDER BY placed_at")
                  .predicates.empty());
  EXPECT_TRUE(Extract("SELECT 1 FROM shop.products WHERE seller_id = 3 AND status = 'active'")
                  .predicates.size() == 1);
  Strings keys = Keys("SELECT id FROM shop.orders WHERE user_id = 107769 ORDER BY placed_at");
  for (const std::string& k : keys) EXPECT_EQ(k.find(" where("), std::string::npos) << k;
  EXPECT_TRUE(Has(keys, "shop.orders(user_id,placed_at)"));

  // A column that is not a key: categorical or not by its statistics.
  const std::string sql = "SELECT id FROM shop.products WHERE status = 'active' ORDER BY published_at";
  const catalog::QualifiedName products{"shop", "products"};
  CandidateOptions few = Width(3);
  few.physical[{products, "status"}].n_distinct = 3;
  few.physical[{products, "status"}].table_rows = 1e6;
  EXPECT_TRUE(Has(Keys(sql, {}, few), "shop.products(published_at) where(status = 'active')"));
  CandidateOptions many = Width(3);
  many.physical[{products, "status"}].n_distinct = -0.4;  // 40 % of a million rows distinct
  many.physical[{products, "status"}].table_rows = 1e6;
  Strings plain = Keys(sql, {}, many);
  for (const std::string& k : plain) EXPECT_EQ(k.find(" where("), std::string::npos) << k;
  EXPECT_TRUE(Has(plain, "shop.products(status,published_at)"));
  // IS NULL classifies rows by its form, whatever the statistics.
  CandidateOptions nulls = Width(3);
  const catalog::QualifiedName shipments{"shop", "shipments"};
  nulls.physical[{shipments, "delivered_at"}].n_distinct = -0.9;
  nulls.physical[{shipments, "delivered_at"}].table_rows = 1e6;
  EXPECT_TRUE(Has(Keys("SELECT id FROM shop.shipments WHERE delivered_at IS NULL ORDER BY shipped_at",
                       {}, nulls),
                  "shop.shipments(shipped_at) where(delivered_at IS NULL)"));
}

// LIKE 'abc%' and ~ '^abc' are B-tree ranges; under a collation other than C only a key
// with the type's pattern operator class serves them.
TEST_F(KindCandidates, PrefixSearchesUsePatternOperatorClasses) {
  const std::string like = "SELECT id FROM shop.products WHERE sku LIKE 'KES-41%'";
  Strings keys = Keys(like);
  EXPECT_TRUE(Has(keys, "shop.products(sku varchar_pattern_ops)")) << (keys.empty() ? "" : keys[0]);
  EXPECT_FALSE(Has(keys, "shop.products using gin(sku gin_trgm_ops)"));
  CandidateOptions c_locale = Width(3);
  c_locale.default_collation_is_c = true;
  EXPECT_TRUE(Has(Keys(like, {}, c_locale), "shop.products(sku)"));
  // With an equality column first, and from a sample parameter.
  keys = Keys("SELECT id FROM shop.products WHERE seller_id = $1 AND sku LIKE $2", {"4", "AB%"});
  EXPECT_TRUE(Has(keys, "shop.products(seller_id,sku varchar_pattern_ops)"));
  // An anchored regular expression with a literal start; a wildcard start stays trigram.
  EXPECT_TRUE(Has(Keys("SELECT id FROM shop.products WHERE sku ~ '^KES'"),
                  "shop.products(sku varchar_pattern_ops)"));
  EXPECT_TRUE(Has(Keys("SELECT id FROM shop.products WHERE sku LIKE '%41'"),
                  "shop.products using gin(sku gin_trgm_ops)"));
}

// Equality-only lookups on long keys get a hash candidate next to the B-tree.
TEST_F(KindCandidates, LongEqualityKeysGetAHashCandidate) {
  const catalog::QualifiedName users{"shop", "users"};
  const std::string sql = "SELECT id FROM shop.users WHERE email = $1";
  CandidateOptions wide = Width(3);
  wide.physical[{users, "email"}].avg_width = 28;
  Strings keys = Keys(sql, {"a@b.org"}, wide);
  EXPECT_TRUE(Has(keys, "shop.users using hash(email)"));
  EXPECT_TRUE(Has(keys, "shop.users(email)"));
  CandidateOptions narrow = Width(3);
  narrow.physical[{users, "email"}].avg_width = 8;
  EXPECT_FALSE(Has(Keys(sql, {"a@b.org"}, narrow), "shop.users using hash(email)"));
  // A range or a sort needs the B-tree's order: no hash.
  EXPECT_FALSE(Has(Keys("SELECT id FROM shop.users WHERE email > $1", {"a"}, wide),
                   "shop.users using hash(email)"));
}

TEST_F(KindCandidates, OrderByDirectionIsMirrored) {
  Strings keys = Keys(
      "SELECT id FROM shop.orders WHERE user_id = $1 ORDER BY placed_at DESC LIMIT 20", {"42"});
  EXPECT_TRUE(Has(keys, "shop.orders(user_id,placed_at desc)"));
  EXPECT_FALSE(Has(keys, "shop.orders(user_id,placed_at)"));
  // Under LIMIT the top-N key supersedes the sort key alone and the equality key alone.
  EXPECT_FALSE(Has(keys, "shop.orders(placed_at)"));
  keys = Keys("SELECT id FROM shop.orders WHERE user_id = 1 ORDER BY placed_at NULLS FIRST");
  EXPECT_TRUE(Has(keys, "shop.orders(user_id,placed_at nulls first)"));
  keys = Keys("SELECT id FROM shop.orders WHERE user_id = 1 ORDER BY placed_at DESC NULLS LAST");
  EXPECT_TRUE(Has(keys, "shop.orders(user_id,placed_at desc nulls last)"));
  // Width 3: two equality columns, then the sort.
  keys = Keys(
      "SELECT id FROM shop.orders WHERE user_id = 1 AND currency = 'EUR' ORDER BY placed_at DESC");
  EXPECT_TRUE(Has(keys, "shop.orders(user_id,currency,placed_at desc)"));
  EXPECT_FALSE(Has(Keys("SELECT id FROM shop.orders WHERE user_id = 1 AND currency = 'EUR' "
                        "ORDER BY placed_at DESC",
                        {}, Width(2)),
                   "shop.orders(user_id,currency,placed_at desc)"));
}

// `WHERE e = $1 ORDER BY s DESC LIMIT n`: the equality columns, then the sort keys in the
// query's direction; the equality key alone (reads and sorts every row of a frequent value)
// and the sort key alone (walks the order filtering, slow for a rare value) are left out.
TEST_F(KindCandidates, TopNSortPutsEqualityFirstThenTheSortDirection) {
  Strings keys = Keys(
      "SELECT id FROM shop.orders WHERE user_id = $1 ORDER BY placed_at DESC LIMIT 20", {"42"});
  EXPECT_TRUE(Has(keys, "shop.orders(user_id,placed_at desc)"));
  EXPECT_FALSE(Has(keys, "shop.orders(user_id)"));
  EXPECT_FALSE(Has(keys, "shop.orders(placed_at)"));
  // NULLS options travel with the direction.
  keys = Keys(
      "SELECT id FROM shop.orders WHERE user_id = $1 ORDER BY placed_at DESC NULLS LAST LIMIT 5",
      {"42"});
  EXPECT_TRUE(Has(keys, "shop.orders(user_id,placed_at desc nulls last)"));
  // Two equality columns and two sort keys: width 3 holds one equality column.
  keys = Keys(
      "SELECT id FROM shop.orders WHERE user_id = 1 AND currency = 'EUR' "
      "ORDER BY placed_at DESC, id DESC LIMIT 10");
  EXPECT_TRUE(Has(keys, "shop.orders(currency,placed_at desc,id desc)"));
  EXPECT_FALSE(Has(keys, "shop.orders(currency)"));
}

// Clean cases: without LIMIT, without an equality column, or with sort keys of two tables,
// the plain keys stay.
TEST_F(KindCandidates, TopNSortLeavesOtherQueriesAlone) {
  Strings keys =
      Keys("SELECT id FROM shop.orders WHERE user_id = $1 ORDER BY placed_at DESC", {"42"});
  EXPECT_TRUE(Has(keys, "shop.orders(user_id)"));
  EXPECT_TRUE(Has(keys, "shop.orders(placed_at)"));
  EXPECT_TRUE(Has(keys, "shop.orders(user_id,placed_at desc)"));
  keys = Keys("SELECT id FROM shop.orders ORDER BY placed_at DESC LIMIT 20");
  EXPECT_TRUE(Has(keys, "shop.orders(placed_at)"));
  keys = Keys(
      "SELECT o.id FROM shop.orders o JOIN shop.users u ON u.id = o.user_id WHERE o.user_id = $1 "
      "ORDER BY u.email, o.placed_at LIMIT 20",
      {"42"});
  EXPECT_TRUE(Has(keys, "shop.orders(user_id)"));
}

// A range report reading few other columns of its table gets a covering range key (planted);
// not when an equality column narrows the rows, nor when it reads many columns (clean).
TEST_F(KindCandidates, RangeReportGetsACoveringCandidate) {
  Strings keys = Keys(
      "SELECT date_trunc('day', placed_at), status, sum(grand_total) FROM shop.orders WHERE "
      "placed_at >= $1 AND placed_at < $2 GROUP BY 1, 2",
      {"2024-05-01", "2024-05-31"});
  EXPECT_TRUE(Has(keys, "shop.orders(placed_at)"));
  EXPECT_TRUE(Has(keys, "shop.orders(placed_at) include(grand_total,status)"));
  keys = Keys("SELECT sum(grand_total) FROM shop.orders WHERE user_id = $1 AND placed_at >= $2",
              {"4", "2024-05-01"});
  EXPECT_FALSE(Has(keys, "shop.orders(placed_at) include(grand_total,user_id)"));
  // Not without GROUP BY (a count over a range is no report; an index-only walk of most of
  // the table loses to the sequential scan), nor with many columns.
  keys = Keys("SELECT count(*) FROM shop.orders WHERE placed_at >= $1 AND status <> 'paid'",
              {"2024-05-01"});
  for (const std::string& k : keys) EXPECT_EQ(k.find("include"), std::string::npos) << k;
  keys = Keys(
      "SELECT user_id, status, grand_total, currency, count(*) FROM shop.orders WHERE placed_at "
      ">= $1 GROUP BY 1, 2, 3, 4",
      {"2024-05-01"});
  for (const std::string& k : keys) EXPECT_EQ(k.find("include"), std::string::npos) << k;
}

// A join key also comes with the other one or two columns the query reads from its table as
// INCLUDE, so the inner side of a nested loop can be an index-only scan; not with more.
TEST_F(KindCandidates, JoinKeysGetACoveringCandidate) {
  Strings keys = Keys(
      "SELECT p.id, sum(oi.quantity) FROM shop.products p JOIN shop.order_items oi ON "
      "oi.product_id = p.id WHERE p.seller_id = $1 GROUP BY p.id",
      {"7"});
  EXPECT_TRUE(Has(keys, "shop.order_items(product_id)"));
  EXPECT_TRUE(Has(keys, "shop.order_items(product_id) include(quantity)"));
  keys = Keys(
      "SELECT p.id, oi.quantity, oi.unit_price, oi.order_id FROM shop.products p JOIN "
      "shop.order_items oi ON oi.product_id = p.id WHERE p.seller_id = $1",
      {"7"});
  EXPECT_TRUE(Has(keys, "shop.order_items(product_id)"));
  EXPECT_FALSE(Has(keys, "shop.order_items(product_id) include(order_id,quantity,unit_price)"));
}

TEST_F(KindCandidates, GinTargets) {
  Strings keys =
      Keys("SELECT id FROM shop.products WHERE title ILIKE $1 AND status = 'active'", {"%maple%"});
  EXPECT_TRUE(Has(keys, "shop.products using gin(title gin_trgm_ops)"));
  // LIKE with a wildcard first (known from the sample parameter or a literal): trigram; with a
  // literal prefix: not.
  EXPECT_TRUE(Has(Keys("SELECT 1 FROM shop.products WHERE title LIKE '%oak'"),
                  "shop.products using gin(title gin_trgm_ops)"));
  EXPECT_FALSE(Has(Keys("SELECT 1 FROM shop.products WHERE title LIKE $1", {"oak%"}),
                   "shop.products using gin(title gin_trgm_ops)"));
  EXPECT_TRUE(Extract("SELECT 1 FROM shop.products WHERE title NOT LIKE '%x%'").gin.empty());
  // character(n) has its own LIKE operators, which gin_trgm_ops (a text operator class) does
  // not serve and which CREATE INDEX refuses: no trigram candidate on the column; a query
  // that casts it to text gets one on that cast (the planner matches the expression).
  EXPECT_TRUE(Extract("SELECT 1 FROM shop.orders WHERE currency ILIKE '%ur%'").gin.empty());
  EXPECT_TRUE(Extract("SELECT 1 FROM shop.orders o WHERE o.currency LIKE $1", {"%U%"}).gin.empty());
  EXPECT_TRUE(Has(Keys("SELECT 1 FROM shop.orders o WHERE o.currency::text ILIKE '%ur%'"),
                  "shop.orders using gin((currency::text) gin_trgm_ops)"));
  EXPECT_TRUE(Has(Keys("SELECT 1 FROM shop.orders WHERE CAST(currency AS varchar) ~ 'u'"),
                  "shop.orders using gin((currency::varchar) gin_trgm_ops)"));
  EXPECT_TRUE(Has(Keys("SELECT 1 FROM shop.user_profiles WHERE settings @> '{\"a\": 1}'"),
                  "shop.user_profiles using gin(settings jsonb_path_ops)"));
  EXPECT_TRUE(Has(Keys("SELECT 1 FROM shop.products WHERE tags && ARRAY['x']"),
                  "shop.products using gin(tags)"));
  EXPECT_TRUE(Has(Keys("SELECT 1 FROM shop.products WHERE tags @> $1", {"{x}"}),
                  "shop.products using gin(tags)"));
  QueryColumns fts = Extract(
      "SELECT 1 FROM shop.reviews r WHERE to_tsvector('english', r.body) @@ "
      "plainto_tsquery('english', $1)",
      {"great"});
  ASSERT_EQ(fts.gin.size(), 1u);
  EXPECT_EQ(fts.gin[0].why, "full text");
  IndexDef gin = CandidateIndexes(fts, 2).at(0);
  EXPECT_EQ(gin.CreateSql(),
            "CREATE INDEX ON shop.reviews USING gin ((to_tsvector('english', body)))");
}

TEST_F(KindCandidates, BrinNeedsCorrelationAndALargeTable) {
  const std::string sql =
      "SELECT kind, count(*) FROM ops.events WHERE occurred_at >= '2025-09-20' "
      "AND occurred_at < '2025-09-27' GROUP BY kind";
  const std::string brin = "ops.events using brin(occurred_at)";
  CandidateOptions options = Width(2);
  EXPECT_FALSE(Has(Keys(sql, {}, options), brin));  // no statistics: no BRIN
  options.physical[{{"ops", "events"}, "occurred_at"}] = {0.998, 500'000, 4'000};
  EXPECT_TRUE(Has(Keys(sql, {}, options), brin));
  options.physical[{{"ops", "events"}, "occurred_at"}] = {-0.95, 500'000, 4'000};
  EXPECT_TRUE(Has(Keys(sql, {}, options), brin));  // descending order works as well
  options.physical[{{"ops", "events"}, "occurred_at"}] = {0.5, 500'000, 4'000};
  EXPECT_FALSE(Has(Keys(sql, {}, options), brin));  // not in physical order
  options.physical[{{"ops", "events"}, "occurred_at"}] = {0.998, 20'000, 200};
  EXPECT_FALSE(Has(Keys(sql, {}, options), brin));  // small table: a B-tree is cheap
  // Only for ranges: an equality on a correlated column stays a B-tree.
  options.physical[{{"ops", "events"}, "occurred_at"}] = {0.998, 500'000, 4'000};
  EXPECT_FALSE(Has(Keys("SELECT 1 FROM ops.events WHERE occurred_at = now()", {}, options), brin));
}

// STYLE round trip: the DDL of every kind of candidate re-parses to the intended index
// statement (relation, method, key elements with expression / direction / NULLS / operator
// class, INCLUDE, WHERE).
TEST_F(KindCandidates, CreateSqlReparsesToTheIntendedTree) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> queries = {
      {"SELECT id FROM shop.users WHERE lower(email) = lower($1)", {"a@b.c"}},
      {"SELECT id FROM shop.products WHERE seller_id = $1 AND status = 'active' "
       "ORDER BY published_at DESC NULLS LAST LIMIT 5",
       {"7"}},
      {"SELECT id FROM shop.products WHERE title ILIKE '%x%' AND tags && ARRAY['y']", {}},
      {"SELECT 1 FROM shop.user_profiles WHERE settings @> '{\"a\": 1}'", {}},
      {"SELECT 1 FROM shop.reviews WHERE to_tsvector('english', body) @@ "
       "plainto_tsquery('english', 'x')",
       {}},
      {"SELECT id FROM shop.shipments WHERE delivered_at IS NULL ORDER BY shipped_at", {}},
  };
  int checked = 0;
  for (const auto& [sql_text, params] : queries) {
    for (IndexDef d : CandidateIndexes(Extract(sql_text, params), Width(3))) {
      if (d.method == IndexMethod::kBtree && d.predicate.empty()) d.include = {"id"};
      const std::string ddl = d.CreateSql("some_idx");
      SourceFile file("ddl", ddl);
      auto tree = sql::ParseTree::Parse(file);
      ASSERT_TRUE(tree.ok()) << ddl << ": " << tree.status().ToString();
      ASSERT_EQ(tree->statements().size(), 1u) << ddl;
      const sql::Node* n = tree->statements()[0].node;
      ASSERT_EQ(n->node_case, PG_QUERY__NODE__NODE_INDEX_STMT) << ddl;
      const PgQuery__IndexStmt* st = n->index_stmt;
      EXPECT_STREQ(st->idxname, "some_idx");
      EXPECT_EQ(st->relation->schemaname, d.table.schema) << ddl;
      EXPECT_EQ(st->relation->relname, d.table.name) << ddl;
      EXPECT_STREQ(st->access_method, IndexMethodName(d.method)) << ddl;
      ASSERT_EQ(st->n_index_params, d.keys.size()) << ddl;
      for (size_t i = 0; i < d.keys.size(); ++i) {
        const PgQuery__IndexElem* e = st->index_params[i]->index_elem;
        const IndexKey& k = d.keys[i];
        EXPECT_EQ(e->expr != nullptr, k.IsExpression()) << ddl;
        if (!k.IsExpression()) {
          EXPECT_EQ(e->name, k.column) << ddl;
        }
        EXPECT_EQ(e->ordering == PG_QUERY__SORT_BY_DIR__SORTBY_DESC, k.descending) << ddl;
        EXPECT_EQ(e->nulls_ordering == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_LAST,
                  k.nulls == NullsOrder::kLast)
            << ddl;
        EXPECT_EQ(e->n_opclass > 0, !k.opclass.empty()) << ddl;
      }
      EXPECT_EQ(st->n_index_including_params, d.include.size()) << ddl;
      EXPECT_EQ(st->where_clause != nullptr, !d.predicate.empty()) << ddl;
      ++checked;
    }
  }
  EXPECT_GT(checked, 10);
}

TEST(Candidates, UnknownRelationsAndAmbiguousNamesAreIgnored) {
  if (!std::filesystem::exists(kTpch + "/schema.sql")) GTEST_SKIP() << "no TPC-H schema";
  auto cat = catalog::BuildCatalogFromPaths({kTpch + "/schema.sql"});
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  workload::Query q;
  q.name = "t";
  // nosuch is unknown: x could be its column, so it is not guessed onto lineitem.
  q.sql = "SELECT 1 FROM lineitem, nosuch WHERE x = 1 AND l_tax = 2";
  auto cols = ExtractIndexableColumns(q, *cat);
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  ASSERT_EQ(cols->columns.size(), 1u);
  EXPECT_EQ(cols->columns[0].column, "l_tax");
  EXPECT_EQ(cols->tables.size(), 1u);

  // Two instances of lineitem: an unqualified l_tax is ambiguous, a qualified one is not.
  q.sql = "SELECT 1 FROM lineitem l1, lineitem l2 WHERE l_tax = 2 AND l2.l_discount < 1";
  cols = ExtractIndexableColumns(q, *cat);
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  ASSERT_EQ(cols->columns.size(), 1u);
  EXPECT_EQ(cols->columns[0].column, "l_discount");
}

TEST(Candidates, ErrorPaths) {
  catalog::Catalog empty;
  workload::Query q;
  q.name = "bad";
  q.sql = "SELEC 1";
  auto r = ExtractIndexableColumns(q, empty);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kParseError);
  q.sql = "DELETE FROM t";  // writes a table the catalog does not have
  r = ExtractIndexableColumns(q, empty);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotSupported);
  q.sql = "VACUUM";
  r = ExtractIndexableColumns(q, empty);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotSupported);
}

catalog::Catalog ShopCatalog() {
  catalog::CatalogBuilder builder;
  SourceFile file("shop.sql",
                  "CREATE TABLE customers (id int PRIMARY KEY, region text);\n"
                  "CREATE TABLE orders (id int PRIMARY KEY, customer_id int, status text, "
                  "total numeric, placed_at timestamptz);\n");
  EXPECT_TRUE(builder.ApplyFile(file).ok());
  return builder.Finish();
}

// INSERT / UPDATE / DELETE: the write target (with an UPDATE's assigned columns) and what the
// statement reads to find its rows.
TEST(Candidates, WritesNameTheirTargetAndReads) {
  catalog::Catalog cat = ShopCatalog();
  workload::Query q;
  q.name = "w";
  q.sql = "INSERT INTO orders (id, customer_id) VALUES ($1, $2)";
  auto cols = ExtractIndexableColumns(q, cat);
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  ASSERT_TRUE(cols->write.has_value());
  EXPECT_EQ(cols->write->kind, WriteKind::kInsert);
  EXPECT_EQ(cols->write->table.name, "orders");
  EXPECT_TRUE(cols->tables.empty());  // VALUES reads nothing
  EXPECT_TRUE(cols->columns.empty());

  q.sql = "UPDATE orders o SET status = 'paid', total = o.total + 1 FROM customers c "
          "WHERE c.id = o.customer_id AND c.region = $1 AND o.placed_at > now() - interval '1 day'";
  cols = ExtractIndexableColumns(q, cat);
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  ASSERT_TRUE(cols->write.has_value());
  EXPECT_EQ(cols->write->kind, WriteKind::kUpdate);
  EXPECT_EQ(cols->write->set_columns, (std::vector<std::string>{"status", "total"}));
  ASSERT_EQ(cols->tables.size(), 2u);
  std::map<std::string, std::string> uses;
  for (const IndexableColumn& c : cols->columns) uses[c.table.name + "." + c.column] = ColumnUseNames(c.uses);
  EXPECT_EQ(uses, (std::map<std::string, std::string>{{"customers.id", "join"},
                                                      {"customers.region", "eq"},
                                                      {"orders.customer_id", "join"},
                                                      {"orders.placed_at", "range"}}));

  q.sql = "DELETE FROM orders WHERE status = 'cancelled' AND placed_at < $1";
  cols = ExtractIndexableColumns(q, cat);
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  ASSERT_TRUE(cols->write.has_value());
  EXPECT_EQ(cols->write->kind, WriteKind::kDelete);
  EXPECT_EQ(cols->tables.size(), 1u);
  EXPECT_EQ(cols->columns.size(), 2u);

  // INSERT ... SELECT reads through its SELECT.
  q.sql = "INSERT INTO orders (id, customer_id) SELECT id, id FROM customers WHERE region = 'x'";
  cols = ExtractIndexableColumns(q, cat);
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  ASSERT_EQ(cols->tables.size(), 1u);
  EXPECT_EQ(cols->tables[0].name, "customers");
  ASSERT_EQ(cols->columns.size(), 1u);
  EXPECT_EQ(cols->columns[0].column, "region");
}

TEST(IndexDef, KeyAndQuotedDdl) {
  IndexDef d = IndexDef::OnColumns({"public", "Order"}, {"a", "select"});
  d.include = {"c"};
  EXPECT_EQ(d.Key(), "public.Order(a,select) include(c)");
  EXPECT_EQ(d.CreateSql(), "CREATE INDEX ON public.\"Order\" (a, \"select\") INCLUDE (c)");
}

}  // namespace
}  // namespace dbarch::advisor
