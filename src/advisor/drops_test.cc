#include "advisor/drops.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "sandbox/test_util.h"

namespace dbarch::advisor {
namespace {

// dr_t has: a duplicate pair on c (both prefixes of (c, a)), a duplicate of its primary key, a prefix-redundant index
// on b (served by (b, a)), a UNIQUE constraint whose index is a prefix of (code, a), and an
// index on pad that no query uses.
class DropsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto conn = sandbox::test_util::ConnectToSharedSandbox();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::make_unique<pg::Connection>(std::move(*conn));
    Status st = conn_->ExecScript(
        "DROP TABLE IF EXISTS dr_t CASCADE;"
        "CREATE TABLE dr_t (id int PRIMARY KEY, a int, b int, c int, code text UNIQUE, pad text);"
        "INSERT INTO dr_t SELECT g, g % 1000, g % 997, g % 991, 'k' || g, md5(g::text) "
        "  FROM generate_series(1, 20000) g;"
        "CREATE INDEX dr_c1 ON dr_t (c);"
        "CREATE INDEX dr_c2 ON dr_t (c);"
        "CREATE INDEX dr_c_a ON dr_t (c, a);"
        "CREATE INDEX dr_id ON dr_t (id);"
        "CREATE INDEX dr_b ON dr_t (b);"
        "CREATE INDEX dr_b_a ON dr_t (b, a);"
        "CREATE INDEX dr_code_a ON dr_t (code, a);"
        "CREATE INDEX dr_pad ON dr_t (pad);"
        "ANALYZE dr_t;");
    ASSERT_TRUE(st.ok()) << st.ToString();
    auto existing = ReadExistingIndexes(*conn_);
    ASSERT_TRUE(existing.ok()) << existing.status().ToString();
    for (const ExistingIndex& i : *existing) {
      if (i.table.name == "dr_t") existing_.push_back(i);
    }
  }

  static const DropProposal* Find(const std::vector<DropProposal>& drops, const std::string& name) {
    for (const DropProposal& d : drops) {
      if (d.index.name == name) return &d;
    }
    return nullptr;
  }

  std::unique_ptr<pg::Connection> conn_;
  std::vector<ExistingIndex> existing_;
};

TEST_F(DropsTest, DuplicatesAndPrefixesButNeverConstraintIndexes) {
  ASSERT_EQ(existing_.size(), 10u);
  DropAnalysis a = FindRedundantIndexes(existing_);
  std::vector<std::string> names;
  for (const DropProposal& d : a.drops) names.push_back(d.index.name);
  EXPECT_EQ(names, (std::vector<std::string>{"dr_b", "dr_c1", "dr_c2", "dr_id"}));

  // dr_c2 duplicates dr_c1, which is itself a prefix of dr_c_a: both are served by dr_c_a.
  const DropProposal* dup = Find(a.drops, "dr_c2");
  ASSERT_NE(dup, nullptr);
  EXPECT_EQ(dup->kind, DropKind::kDuplicate);
  EXPECT_EQ(dup->covered_by, "public.dr_c_a");
  EXPECT_NE(dup->reason.find("same definition as public.dr_c1, itself prefix-redundant"),
            std::string::npos)
      << dup->reason;
  EXPECT_EQ(Find(a.drops, "dr_c1")->kind, DropKind::kPrefix);
  EXPECT_EQ(dup->DropSql(), "DROP INDEX CONCURRENTLY public.dr_c2");
  EXPECT_EQ(dup->RollbackSql(), "CREATE INDEX CONCURRENTLY dr_c2 ON public.dr_t USING btree (c)");
  EXPECT_GT(dup->index.size_bytes, 0);

  const DropProposal* pk_dup = Find(a.drops, "dr_id");
  ASSERT_NE(pk_dup, nullptr);
  EXPECT_EQ(pk_dup->covered_by, "public.dr_t_pkey");

  const DropProposal* prefix = Find(a.drops, "dr_b");
  ASSERT_NE(prefix, nullptr);
  EXPECT_EQ(prefix->kind, DropKind::kPrefix);
  EXPECT_EQ(prefix->covered_by, "public.dr_b_a");
  EXPECT_NE(prefix->reason.find("(b) lead public.dr_b_a (b, a)"), std::string::npos)
      << prefix->reason;

  ASSERT_EQ(a.kept.size(), 1u);
  EXPECT_EQ(a.kept[0].index.name, "dr_t_code_key");
  EXPECT_NE(a.kept[0].reason.find("backs constraint dr_t_code_key"), std::string::npos)
      << a.kept[0].reason;
}

TEST_F(DropsTest, UnusedIndexIsConfirmedByHidingItOnTheSandbox) {
  DropAnalysis a = FindRedundantIndexes(existing_);
  std::vector<workload::Query> queries(2);
  queries[0].name = "by c";
  queries[0].sql = "SELECT * FROM dr_t WHERE c = 7";
  queries[1].name = "by b";
  queries[1].sql = "SELECT * FROM dr_t WHERE b = $1";
  queries[1].params = {std::nullopt};
  queries[1].has_params = true;
  queries[1].generic_plan = true;
  std::vector<PlannedQuery> planned = {{&queries[0], {{"public", "dr_t"}}},
                                       {&queries[1], {{"public", "dr_t"}}}};
  UnusedOptions options;
  options.confirm_by_hiding = true;
  auto unused = FindUnusedIndexes(*conn_, existing_, planned, a.drops, options);
  ASSERT_TRUE(unused.ok()) << unused.status().ToString();
  EXPECT_EQ(unused->not_checked, "");
  std::vector<std::string> names;
  for (const DropProposal& d : unused->drops) names.push_back(d.index.name);
  // dr_c_a and dr_b_a serve the queries (possibly through their duplicates / prefixes); the
  // constraint indexes are never candidates.
  EXPECT_EQ(names, (std::vector<std::string>{"dr_code_a", "dr_pad"}));
  for (const DropProposal& d : unused->drops) {
    EXPECT_EQ(d.kind, DropKind::kUnused);
    EXPECT_NE(d.reason.find("unchanged without it"), std::string::npos) << d.reason;
  }
  // The hiding was rolled back.
  auto valid =
      conn_->Exec("SELECT count(*) FROM pg_index WHERE indrelid = 'dr_t'::regclass AND indisvalid");
  ASSERT_TRUE(valid.ok());
  EXPECT_EQ(valid->GetInt(0, 0), 10);
}

TEST_F(DropsTest, LiveModeNeedsZeroScans) {
  ASSERT_TRUE(conn_->ExecScript("SET enable_seqscan = off").ok());
  ASSERT_TRUE(conn_->ExecScript("SELECT count(*) FROM dr_t WHERE pad = 'x'").ok());
  ASSERT_TRUE(conn_->ExecScript("RESET enable_seqscan; SELECT pg_stat_force_next_flush()").ok());
  auto existing = ReadExistingIndexes(*conn_);
  ASSERT_TRUE(existing.ok());
  std::vector<workload::Query> queries(1);
  queries[0].name = "by c";
  queries[0].sql = "SELECT * FROM dr_t WHERE c = 7";
  std::vector<PlannedQuery> planned = {{&queries[0], {{"public", "dr_t"}}}};
  UnusedOptions options;
  options.require_no_scans = true;
  auto unused = FindUnusedIndexes(*conn_, *existing, planned, {}, options);
  ASSERT_TRUE(unused.ok()) << unused.status().ToString();
  bool pad_kept = false;
  for (const KeptIndex& k : unused->kept) {
    if (k.index.name == "dr_pad") {
      pad_kept = true;
      EXPECT_NE(k.reason.find("index scans since the stats reset"), std::string::npos);
    }
  }
  EXPECT_TRUE(pad_kept);
  for (const DropProposal& d : unused->drops) {
    EXPECT_NE(d.reason.find("no scan of it"), std::string::npos) << d.reason;
  }
}

}  // namespace
}  // namespace dbarch::advisor
