// ALTER TABLE forms that PostgreSQL 15 refuses on partitioned tables, inheritance parents and
// their children (mostly ONLY where children exist, and changes to inherited columns): the
// catalog builder refuses each of them too, checked against a real server in the sandbox.
// The forms it accepts are in the round-trip fixtures 11 and 12 (introspect_test.cc).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "catalog/builder.h"
#include "pg/connection.h"
#include "sandbox/test_util.h"

namespace dbarch::pg {
namespace {

// A partitioned table p (sub-partitioned partition p1 with p1a, plain partition p2) and an
// inheritance parent i with a child ic and a grandchild ig.
constexpr const char* kTrees = R"sql(
CREATE TABLE p (k integer NOT NULL, a integer, b text DEFAULT 'x', c integer NOT NULL)
  PARTITION BY LIST (k);
CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1, 2) PARTITION BY LIST (k);
CREATE TABLE p1a PARTITION OF p1 FOR VALUES IN (1);
CREATE TABLE p2 PARTITION OF p FOR VALUES IN (3);
CREATE TABLE i (k integer NOT NULL, a integer, b text DEFAULT 'x', c integer NOT NULL);
CREATE TABLE ic (own integer) INHERITS (i);
CREATE TABLE ig (extra text) INHERITS (ic);
)sql";

struct Refused {
  const char* statement;
  const char* message;  // the start of the server's message, which the builder's contains
};

const Refused kRefused[] = {
    {"ALTER TABLE ONLY p ADD COLUMN added integer", "column must be added to child tables too"},
    {"ALTER TABLE ONLY i ADD COLUMN added integer", "column must be added to child tables too"},
    {"ALTER TABLE ONLY i ADD COLUMN own integer", "column must be added to child tables too"},
    {"ALTER TABLE p2 ADD COLUMN added integer", "cannot add column to a partition"},
    {"ALTER TABLE ONLY p DROP COLUMN b",
     "cannot drop column from only the partitioned table when partitions exist"},
    {"ALTER TABLE p1 DROP COLUMN b", "cannot drop inherited column \"b\""},
    {"ALTER TABLE ic DROP COLUMN b", "cannot drop inherited column \"b\""},
    {"ALTER TABLE ONLY p ALTER COLUMN a TYPE bigint",
     "type of inherited column \"a\" must be changed in child tables too"},
    {"ALTER TABLE ONLY i ALTER COLUMN a TYPE bigint",
     "type of inherited column \"a\" must be changed in child tables too"},
    {"ALTER TABLE p1a ALTER COLUMN a TYPE bigint", "cannot alter inherited column \"a\""},
    {"ALTER TABLE ig ALTER COLUMN a TYPE bigint", "cannot alter inherited column \"a\""},
    {"ALTER TABLE ONLY p ALTER COLUMN a SET NOT NULL",
     "constraint must be added to child tables too"},
    {"ALTER TABLE ONLY p ALTER COLUMN c DROP NOT NULL",
     "cannot remove constraint from only the partitioned table when partitions exist"},
    {"ALTER TABLE p2 ALTER COLUMN c DROP NOT NULL",
     "column \"c\" is marked NOT NULL in parent table"},
    {"ALTER TABLE ONLY p ADD CHECK (a > 0)", "constraint must be added to child tables too"},
    {"ALTER TABLE ONLY i ADD CHECK (a > 0)", "constraint must be added to child tables too"},
    {"ALTER TABLE p ADD CHECK (a > 0) NO INHERIT",
     "cannot add NO INHERIT constraint to partitioned table"},
    {"ALTER TABLE ONLY p ADD PRIMARY KEY (k, a)", "constraint must be added to child tables too"},
    {"ALTER TABLE ONLY p RENAME COLUMN b TO b2",
     "inherited column \"b\" must be renamed in child tables too"},
    {"ALTER TABLE ONLY i RENAME COLUMN b TO b2",
     "inherited column \"b\" must be renamed in child tables too"},
    {"ALTER TABLE p1 RENAME COLUMN b TO b2", "cannot rename inherited column \"b\""},
    {"ALTER TABLE ic RENAME COLUMN b TO b2", "cannot rename inherited column \"b\""},
    {"ALTER TABLE i ADD COLUMN own text",
     "child table \"public.ic\" has different type for column \"own\""},
};

TEST(InheritedAlters, BuilderRefusesWhatTheServerRefuses) {
  Result<Connection> conn = sandbox::test_util::ConnectToSharedSandbox(/*read_only=*/false);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  int n = 0;
  for (const Refused& r : kRefused) {
    SCOPED_TRACE(r.statement);
    // Each case in a schema of its own on the server; the builder starts empty each time.
    std::string schema = "refused_" + std::to_string(n++);
    ASSERT_TRUE(
        conn->ExecScript("CREATE SCHEMA " + schema + "; SET search_path = " + schema + ";" + kTrees)
            .ok());
    Status server = conn->ExecScript(std::string(r.statement) + ";");
    ASSERT_FALSE(server.ok()) << "the server accepted it";
    // The server names the child unqualified where the builder qualifies it.
    std::string expected = r.message;
    if (size_t at = expected.find("\"public."); at != std::string::npos) {
      expected.replace(at + 1, 7, "");
    }
    EXPECT_NE(server.message().find(expected), std::string::npos) << server.message();

    catalog::CatalogBuilder builder;
    Status trees = builder.ApplyFile(SourceFile("trees.sql", kTrees));
    ASSERT_TRUE(trees.ok()) << trees.ToString();
    Status built = builder.ApplyFile(SourceFile("alter.sql", std::string(r.statement) + ";"));
    EXPECT_EQ(built.code(), StatusCode::kInvalidArgument) << built.ToString();
    EXPECT_NE(built.message().find(r.message), std::string::npos) << built.ToString();
  }
}

}  // namespace
}  // namespace dbarch::pg
