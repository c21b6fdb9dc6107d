// What ALTER TABLE and CREATE INDEX on a partitioned table or inheritance parent do to the
// model of its partitions and children. The expected values are what PostgreSQL 15 shows in
// pg_attribute / pg_class after the same DDL (the round-trip fixtures 11 and 12 check the
// whole model against a server; these cases pin the details).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "catalog/builder.h"

namespace dbarch::catalog {
namespace {

Catalog Build(const std::string& ddl) {
  CatalogBuilder b;
  Status st = b.ApplyFile(SourceFile("t.sql", ddl));
  EXPECT_TRUE(st.ok()) << st.ToString();
  return b.Finish();
}

const Table& T(const Catalog& c, const std::string& name) {
  const Table* t = c.FindTable({"public", name});
  EXPECT_NE(t, nullptr) << name;
  static Table empty;
  return t != nullptr ? *t : empty;
}

std::vector<std::string> ColumnNames(const Table& t) {
  std::vector<std::string> out;
  for (const Column& c : t.columns) out.push_back(c.name);
  return out;
}

std::vector<std::string> IndexNames(const Catalog& c) {
  std::vector<std::string> out;
  for (const auto& [q, i] : c.indexes) out.push_back(q.name);
  return out;
}

constexpr const char* kPartitioned = R"sql(
  CREATE TABLE p (k integer NOT NULL, a integer, b text DEFAULT 'x') PARTITION BY LIST (k);
  CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1, 2) PARTITION BY LIST (k);
  CREATE TABLE p1a PARTITION OF p1 FOR VALUES IN (1);
  CREATE TABLE p2 PARTITION OF p FOR VALUES IN (3);
)sql";

constexpr const char* kInheritance = R"sql(
  CREATE TABLE i (k integer NOT NULL, a integer, b text DEFAULT 'x');
  CREATE TABLE ic (own integer) INHERITS (i);
  CREATE TABLE ig (extra text) INHERITS (ic);
)sql";

TEST(InheritedAlter, AddColumnReachesEveryPartitionWithItsDefaultAndNotNull) {
  Catalog c = Build(std::string(kPartitioned) +
                    "ALTER TABLE p ADD COLUMN added integer DEFAULT 7 NOT NULL;");
  for (const char* name : {"p", "p1", "p1a", "p2"}) {
    const Column* col = T(c, name).FindColumn("added");
    ASSERT_NE(col, nullptr) << name;
    EXPECT_EQ(col->default_expr, "7") << name;
    EXPECT_TRUE(col->not_null) << name;
    EXPECT_EQ(col->is_local, std::string(name) == "p") << name;
  }
}

TEST(InheritedAlter, AddColumnIsAppendedToChildrenOrMergedWithTheirOwn) {
  Catalog c = Build(std::string(kInheritance) +
                    "ALTER TABLE i ADD COLUMN added integer DEFAULT 7;"
                    "ALTER TABLE i ADD COLUMN own integer NOT NULL DEFAULT 1;");
  EXPECT_EQ(ColumnNames(T(c, "ic")), (std::vector<std::string>{"k", "a", "b", "own", "added"}));
  EXPECT_EQ(ColumnNames(T(c, "ig")),
            (std::vector<std::string>{"k", "a", "b", "own", "extra", "added"}));
  // Merged: the child's column keeps its own definition and stays its own.
  const Column* own = T(c, "ic").FindColumn("own");
  EXPECT_FALSE(own->not_null);
  EXPECT_EQ(own->default_expr, "");
  EXPECT_TRUE(own->is_local);
  EXPECT_FALSE(T(c, "ic").FindColumn("added")->is_local);
}

TEST(InheritedAlter, DropColumnDropsInheritedOnlyColumnsAndOnlyMakesThemLocal) {
  Catalog c = Build(std::string(kInheritance) +
                    "ALTER TABLE i ADD COLUMN own integer;"  // merged into ic's own column
                    "ALTER TABLE i DROP COLUMN own;"
                    "ALTER TABLE ONLY i DROP COLUMN b;"
                    "ALTER TABLE i DROP COLUMN a;");
  EXPECT_EQ(ColumnNames(T(c, "i")), (std::vector<std::string>{"k"}));
  EXPECT_EQ(ColumnNames(T(c, "ic")), (std::vector<std::string>{"k", "b", "own"}));
  EXPECT_EQ(ColumnNames(T(c, "ig")), (std::vector<std::string>{"k", "b", "own", "extra"}));
  EXPECT_TRUE(T(c, "ic").FindColumn("b")->is_local);
  // ig still has b from ic, which now owns it.
  EXPECT_FALSE(T(c, "ig").FindColumn("b")->is_local);
}

TEST(InheritedAlter, ColumnCommandsReachDescendantsUnlessOnly) {
  Catalog c = Build(std::string(kPartitioned) + kInheritance +
                    "ALTER TABLE p ALTER COLUMN a TYPE bigint;"
                    "ALTER TABLE p ALTER COLUMN a SET DEFAULT 42;"
                    "ALTER TABLE ONLY p ALTER COLUMN b SET DEFAULT 'only';"
                    "ALTER TABLE p ALTER COLUMN a SET NOT NULL;"
                    "ALTER TABLE p RENAME COLUMN b TO b2;"
                    "ALTER TABLE ONLY i ALTER COLUMN a SET NOT NULL;"
                    "ALTER TABLE i ALTER COLUMN k DROP NOT NULL;"
                    "ALTER TABLE i ALTER COLUMN b DROP DEFAULT;");
  for (const char* name : {"p1", "p1a", "p2"}) {
    const Table& t = T(c, name);
    EXPECT_EQ(t.FindColumn("a")->type, "bigint") << name;
    EXPECT_EQ(t.FindColumn("a")->default_expr, "42") << name;
    EXPECT_TRUE(t.FindColumn("a")->not_null) << name;
    ASSERT_NE(t.FindColumn("b2"), nullptr) << name;
    EXPECT_EQ(t.FindColumn("b2")->default_expr, "'x'") << name;
  }
  EXPECT_EQ(T(c, "p").FindColumn("b2")->default_expr, "'only'");
  EXPECT_TRUE(T(c, "i").FindColumn("a")->not_null);
  for (const char* name : {"ic", "ig"}) {
    EXPECT_FALSE(T(c, name).FindColumn("a")->not_null) << name;
    EXPECT_FALSE(T(c, name).FindColumn("k")->not_null) << name;
    EXPECT_EQ(T(c, name).FindColumn("b")->default_expr, "") << name;
  }
}

TEST(InheritedAlter, PartitionsCreatedOrAttachedLaterGetTheParentAsItIsThen) {
  Catalog c = Build(std::string(kPartitioned) +
                    "ALTER TABLE p ADD COLUMN added integer DEFAULT 7;"
                    "ALTER TABLE p DROP COLUMN b;"
                    "CREATE TABLE p3 PARTITION OF p FOR VALUES IN (4);"
                    "CREATE TABLE p4 (k integer NOT NULL, a integer, added integer DEFAULT 7);"
                    "ALTER TABLE p ATTACH PARTITION p4 FOR VALUES IN (5);");
  EXPECT_EQ(ColumnNames(T(c, "p3")), (std::vector<std::string>{"k", "a", "added"}));
  EXPECT_FALSE(T(c, "p3").FindColumn("added")->is_local);
  EXPECT_FALSE(T(c, "p4").FindColumn("a")->is_local);
}

TEST(InheritedAlter, IndexOnAPartitionedTableIsClonedUnderServerNames) {
  // The clones are not listed (the parent's index stands for them) but take their names:
  // the partitions' own indexes on the same columns are named ..._idx1.
  Catalog c = Build(std::string(kPartitioned) + kInheritance +
                    "CREATE INDEX ON p (a);"
                    "CREATE INDEX ON p1a (a);"
                    "CREATE INDEX ON p2 (a);"
                    "CREATE INDEX ON ONLY p (b);"
                    "CREATE INDEX ON p2 (b);"
                    "CREATE TABLE p3 PARTITION OF p FOR VALUES IN (4);"
                    "CREATE INDEX ON p3 (a);"
                    "CREATE INDEX ON p3 (b);"
                    "CREATE INDEX ON i (a);"
                    "CREATE INDEX ON ic (a);");
  EXPECT_EQ(IndexNames(c),
            (std::vector<std::string>{"i_a_idx", "ic_a_idx", "p1a_a_idx1", "p2_a_idx1", "p2_b_idx",
                                      "p3_a_idx1", "p3_b_idx1", "p_a_idx", "p_b_idx"}));
}

TEST(InheritedAlter, DetachedPartitionKeepsTheClonesItWasGiven) {
  Catalog c = Build(std::string(kPartitioned) +
                    "CREATE TABLE p2_a_idx (x integer);"  // takes the name a clone would get
                    "CREATE INDEX ON p (a);"
                    "ALTER TABLE p ADD PRIMARY KEY (k, a);"
                    "DROP TABLE p2_a_idx;"
                    "ALTER TABLE p DETACH PARTITION p2;");
  ASSERT_EQ(c.indexes.count({"public", "p2_a_idx1"}), 1u)
      << ::testing::PrintToString(IndexNames(c));
  EXPECT_EQ(c.indexes.at({"public", "p2_a_idx1"}).table, (QualifiedName{"public", "p2"}));
  std::vector<std::string> keys;
  for (const Constraint& k : T(c, "p2").constraints) keys.push_back(k.name);
  EXPECT_EQ(keys, (std::vector<std::string>{"p2_pkey"}));
  EXPECT_TRUE(T(c, "p2").FindColumn("a")->not_null);
}

TEST(InheritedAlter, AttachedPartitionAdoptsAnEquivalentIndexAndDropsMergedChecks) {
  Catalog c = Build(std::string(kPartitioned) +
                    "CREATE INDEX ON p (a);"
                    "ALTER TABLE p ADD CONSTRAINT p_a_check CHECK (a > 0);"
                    "CREATE TABLE p4 (k integer NOT NULL, a integer, b text DEFAULT 'x',"
                    "  CONSTRAINT p_a_check CHECK (a > 0));"
                    "CREATE INDEX p4_mine ON p4 (a);"
                    "ALTER TABLE p ATTACH PARTITION p4 FOR VALUES IN (5);"
                    "CREATE INDEX ON p4 (a);");
  // p4_mine became the clone (not listed, name kept), so the new index is p4_a_idx.
  EXPECT_EQ(IndexNames(c), (std::vector<std::string>{"p4_a_idx", "p_a_idx"}));
  EXPECT_TRUE(T(c, "p4").constraints.empty());
}

TEST(InheritedAlter, RenameColumnReachesEveryDescendant) {
  Catalog c = Build(std::string(kInheritance) + "ALTER TABLE i RENAME COLUMN a TO a2;");
  EXPECT_EQ(ColumnNames(T(c, "ig")), (std::vector<std::string>{"k", "a2", "b", "own", "extra"}));
}

TEST(InheritedAlter, RenameColumnFollowsIntoPartitionKeys) {
  // The server keeps a partition key by column number: the key names the new name, on the
  // parent and on a partition that is itself partitioned by the same column.
  Catalog c = Build(
      "CREATE TABLE r (day date, sensor text) PARTITION BY RANGE (day);"
      "CREATE TABLE r1 PARTITION OF r FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
      "  PARTITION BY LIST (sensor, (lower(sensor)));"
      "ALTER TABLE r RENAME COLUMN day TO \"Range\";"
      "ALTER TABLE r RENAME COLUMN sensor TO probe;");
  EXPECT_EQ(T(c, "r").partition_key, "RANGE (\"Range\")");
  EXPECT_EQ(T(c, "r1").partition_key, "LIST (probe, (lower(probe)))");
}

std::vector<std::string> Clones(const Table& t) {
  std::vector<std::string> out;
  for (const IndexClone& c : t.clones) {
    out.push_back(c.parent_name + ">" + c.name + (c.constraint ? " key" : "") +
                  (c.comment.empty() ? "" : " '" + c.comment + "'"));
  }
  return out;
}

TEST(InheritedAlter, PartitionsListTheirClonesWithNamesAndComments) {
  // A clone is named from the columns when it is created and keeps that name across a column
  // rename; ALTER INDEX renames it (a key's constraint with it); comments are its own, and
  // a detached partition keeps them on the indexes and keys the clones become.
  Catalog c = Build(
      "CREATE TABLE r (id integer, day date, PRIMARY KEY (id, day)) PARTITION BY RANGE (day);"
      "CREATE INDEX r_day_idx ON r (day);"
      "CREATE TABLE r1 PARTITION OF r FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
      "  PARTITION BY RANGE (day);"
      "CREATE TABLE r1a PARTITION OF r1 FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');"
      "CREATE TABLE r2 PARTITION OF r FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');"
      "ALTER TABLE r RENAME COLUMN day TO taken_on;"
      "ALTER INDEX r1_day_idx RENAME TO r1_taken_idx;"
      "COMMENT ON INDEX r1a_day_idx IS 'leaf';"
      "COMMENT ON CONSTRAINT r2_pkey ON r2 IS 'key of 2025';"
      "COMMENT ON INDEX r2_day_idx IS 'day of 2025';");
  EXPECT_EQ(Clones(T(c, "r1")),
            (std::vector<std::string>{"r_day_idx>r1_taken_idx", "r_pkey>r1_pkey key"}));
  EXPECT_EQ(Clones(T(c, "r1a")),
            (std::vector<std::string>{"r1_pkey>r1a_pkey key", "r1_taken_idx>r1a_day_idx 'leaf'"}));
  EXPECT_EQ(Clones(T(c, "r2")), (std::vector<std::string>{"r_day_idx>r2_day_idx 'day of 2025'",
                                                          "r_pkey>r2_pkey key 'key of 2025'"}));
  EXPECT_TRUE(T(c, "r").clones.empty());
  // Read back (Reset) and detached: the clones become the partition's own, comments kept.
  CatalogBuilder again;
  again.Reset(c);
  ASSERT_TRUE(again.ApplyFile(SourceFile("d.sql", "ALTER TABLE r DETACH PARTITION r2;")).ok());
  Catalog d = again.Finish();
  EXPECT_TRUE(T(d, "r2").clones.empty());
  ASSERT_EQ(T(d, "r2").constraints.size(), 1u);
  EXPECT_EQ(T(d, "r2").constraints[0].comment, "key of 2025");
  ASSERT_EQ(d.indexes.count({"public", "r2_day_idx"}), 1u);
  EXPECT_EQ(d.indexes.at({"public", "r2_day_idx"}).comment, "day of 2025");
  EXPECT_EQ(Clones(T(d, "r1a")), Clones(T(c, "r1a")));
}

TEST(InheritedAlter, PgDumpAttachesIndexesAtEveryLevel) {
  // pg_dump creates each level's index ON ONLY and attaches it to its parent's, the middle
  // one before the one below it: the same clones as CREATE INDEX on the top table gives.
  Catalog dumped = Build(
      "CREATE TABLE r (id integer, day date) PARTITION BY RANGE (day);"
      "CREATE TABLE r1 (id integer, day date) PARTITION BY RANGE (day);"
      "CREATE TABLE r1a (id integer, day date);"
      "ALTER TABLE ONLY r ATTACH PARTITION r1 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
      "ALTER TABLE ONLY r1 ATTACH PARTITION r1a FOR VALUES FROM ('2024-01-01') TO "
      "('2024-07-01');"
      "CREATE INDEX r_day_idx ON ONLY r USING btree (day);"
      "CREATE INDEX r1_day ON ONLY r1 USING btree (day);"
      "CREATE INDEX r1a_day_idx ON r1a USING btree (day);"
      "ALTER INDEX r_day_idx ATTACH PARTITION r1_day;"
      "ALTER INDEX r1_day ATTACH PARTITION r1a_day_idx;"
      "COMMENT ON INDEX r1a_day_idx IS 'leaf';");
  EXPECT_EQ(Clones(T(dumped, "r1")), (std::vector<std::string>{"r_day_idx>r1_day"}));
  EXPECT_EQ(Clones(T(dumped, "r1a")), (std::vector<std::string>{"r1_day>r1a_day_idx 'leaf'"}));
  EXPECT_EQ(dumped.indexes.size(), 1u);
}

TEST(InheritedAlter, PrimaryKeyOnAParentMakesChildrenNotNullUnlessOnly) {
  Catalog c = Build(
      "CREATE TABLE i (k integer, a integer); CREATE TABLE ic () INHERITS (i);"
      "CREATE TABLE j (k integer, a integer); CREATE TABLE jc () INHERITS (j);"
      "ALTER TABLE i ADD PRIMARY KEY (k);"
      "ALTER TABLE ONLY j ADD PRIMARY KEY (k);");
  EXPECT_TRUE(T(c, "ic").FindColumn("k")->not_null);
  EXPECT_FALSE(T(c, "jc").FindColumn("k")->not_null);
  // The key itself stays on the parent: an inheritance child gets no index.
  EXPECT_TRUE(T(c, "ic").constraints.empty());
}

TEST(InheritedAlter, NoInheritKeepsTheFormerParentsChecksAndColumns) {
  Catalog c = Build(std::string(kInheritance) +
                    "ALTER TABLE i ADD CONSTRAINT i_a_check CHECK (a > 0);"
                    "ALTER TABLE ic NO INHERIT i;");
  std::vector<std::string> checks;
  for (const Constraint& k : T(c, "ic").constraints) checks.push_back(k.name);
  EXPECT_EQ(checks, (std::vector<std::string>{"i_a_check"}));
  EXPECT_TRUE(T(c, "ic").FindColumn("a")->is_local);
  // ig still inherits from ic, which now has the CHECK of its own.
  EXPECT_TRUE(T(c, "ig").constraints.empty());
}

}  // namespace
}  // namespace dbarch::catalog
