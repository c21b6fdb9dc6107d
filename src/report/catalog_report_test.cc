// Golden and unit tests of report/: the JSON, SQL and text renderings of a catalog, and
// error formatting. Goldens live in test/golden/report/ (input catalog.sql; expected
// catalog.json, catalog.out.sql, catalog.txt). DBARCH_REWRITE_GOLDEN=1 rewrites them
// instead of comparing; review every changed line before committing (test/README.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "catalog/builder.h"
#include "report/catalog_json.h"
#include "report/catalog_sql.h"
#include "report/catalog_text.h"
#include "report/ddl_fragments.h"
#include "report/error_format.h"

namespace dbarch::report {
namespace {

namespace fs = std::filesystem;
using catalog::Catalog;

std::string SourceDir() { return DBARCH_SOURCE_DIR; }

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Rewriting() {
  const char* v = std::getenv("DBARCH_REWRITE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

// Compares `actual` with the golden file, or rewrites it under DBARCH_REWRITE_GOLDEN=1.
void ExpectGolden(const std::string& actual, const fs::path& golden) {
  if (Rewriting()) {
    std::ofstream(golden, std::ios::binary) << actual;
    std::cerr << "rewrote " << golden << " (review the diff)\n";
    return;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " is missing; run with DBARCH_REWRITE_GOLDEN=1";
  std::string expected = ReadFile(golden);
  if (expected == actual) return;
  // Point at the first differing line: the whole text is too long to read in a failure.
  std::istringstream a(actual), e(expected);
  std::string la, le;
  int line = 1;
  while (true) {
    bool more_a = static_cast<bool>(std::getline(a, la));
    bool more_e = static_cast<bool>(std::getline(e, le));
    if (!more_a && !more_e) break;
    if (la != le || more_a != more_e) {
      ADD_FAILURE() << golden.filename() << " differs at line " << line
                    << "\n  expected: " << (more_e ? le : "<end>")
                    << "\n  actual:   " << (more_a ? la : "<end>")
                    << "\n(DBARCH_REWRITE_GOLDEN=1 rewrites the golden files)";
      return;
    }
    ++line;
  }
}

Catalog BuildText(const std::string& name, const std::string& ddl) {
  catalog::CatalogBuilder builder;
  Status st = builder.ApplyFile(SourceFile(name, ddl));
  EXPECT_TRUE(st.ok()) << name << ": " << st.message() << " at line "
                       << (st.span() ? st.span()->line : 0);
  return builder.Finish();
}

// Catalog equality with `others` compared as a multiset: the DDL renderer moves statements
// it does not model to where their dependencies allow, which may change their order.
void ExpectSameCatalog(Catalog a, Catalog b, const std::string& what) {
  auto by_kind_name = [](const catalog::OtherObject& x, const catalog::OtherObject& y) {
    return std::tie(x.kind, x.name) < std::tie(y.kind, y.name);
  };
  std::stable_sort(a.others.begin(), a.others.end(), by_kind_name);
  std::stable_sort(b.others.begin(), b.others.end(), by_kind_name);
  if (a == b) return;
  // Name the first differing object so the failure is actionable.
  std::string where;
  for (const auto& [q, t] : a.tables) {
    const catalog::Table* other = b.FindTable(q);
    if (other == nullptr || !(*other == t)) where += " table " + q.Quoted();
    if (other != nullptr && other->clones != t.clones) {
      auto list = [](const catalog::Table& x) {
        std::string out;
        for (const catalog::IndexClone& c : x.clones)
          out += " " + c.name + "<-" + c.parent_name + (c.comment.empty() ? "" : "#" + c.comment);
        return out;
      };
      where += " (index clones:" + list(t) + " | rendered:" + list(*other) + ")";
    }
  }
  for (const auto& [q, v] : a.views) {
    auto it = b.views.find(q);
    if (it == b.views.end() || !(it->second == v)) where += " view " + q.Quoted();
  }
  for (const auto& [k, f] : a.functions) {
    auto it = b.functions.find(k);
    if (it == b.functions.end() || !(it->second == f)) where += " function " + k;
  }
  if (a.types != b.types) where += " types";
  if (a.sequences != b.sequences) where += " sequences";
  if (a.indexes != b.indexes) where += " indexes";
  if (a.grants != b.grants) where += " grants";
  if (a.default_privileges != b.default_privileges) where += " default_privileges";
  if (a.roles != b.roles) where += " roles";
  if (a.schemas != b.schemas) where += " schemas";
  if (a.extensions != b.extensions) where += " extensions";
  if (!(a.others == b.others)) where += " others";
  ADD_FAILURE() << what << ": the re-parsed catalog differs in:" << where;
}

// Renders `cat` as SQL, re-parses it, and expects the same catalog.
void ExpectSqlRoundTrip(const Catalog& cat, const std::string& what) {
  std::string sql = CatalogToSql(cat);
  catalog::CatalogBuilder builder;
  Status st = builder.ApplyFile(SourceFile("rendered.sql", sql));
  ASSERT_TRUE(st.ok()) << what << ": rendered SQL does not re-apply: " << st.message()
                       << " at rendered.sql:" << (st.span() ? st.span()->line : 0);
  ExpectSameCatalog(cat, builder.Finish(), what);
}

// ---------------------------------------------------------------------------------------
// Goldens

class ReportGolden : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(SourceDir()) / "test/golden/report";
    // The file is named without its directory so that locations in the goldens are stable.
    cat_ = BuildText("catalog.sql", ReadFile(dir_ / "catalog.sql"));
  }
  fs::path dir_;
  Catalog cat_;
};

TEST_F(ReportGolden, Json) { ExpectGolden(CatalogToJson(cat_), dir_ / "catalog.json"); }
TEST_F(ReportGolden, Sql) { ExpectGolden(CatalogToSql(cat_), dir_ / "catalog.out.sql"); }
TEST_F(ReportGolden, Text) { ExpectGolden(CatalogToText(cat_), dir_ / "catalog.txt"); }

TEST_F(ReportGolden, RenderingIsDeterministic) {
  Catalog copy = cat_;
  EXPECT_EQ(CatalogToJson(cat_), CatalogToJson(copy));
  EXPECT_EQ(CatalogToSql(cat_), CatalogToSql(copy));
  EXPECT_EQ(CatalogToText(cat_), CatalogToText(copy));
}

TEST_F(ReportGolden, SqlRoundTrips) { ExpectSqlRoundTrip(cat_, "test/golden/report/catalog.sql"); }

// ---------------------------------------------------------------------------------------
// DDL round trip over every schema fixture: render, re-parse, same catalog.

std::vector<std::string> SchemaInputs() {
  std::vector<std::string> out = {"examples/shop/schema.sql",
                                  "test/fixtures/schemas/migrations_dir"};
  fs::path dir = fs::path(SourceDir()) / "test/fixtures/schemas";
  std::vector<std::string> files;
  if (fs::is_directory(dir)) {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() == ".sql")
        files.push_back("test/fixtures/schemas/" + e.path().filename().string());
    }
  }
  std::sort(files.begin(), files.end());
  out.insert(out.end(), files.begin(), files.end());
  return out;
}

class SqlRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(SqlRoundTrip, RenderedDdlRebuildsTheSameCatalog) {
  fs::path path = fs::path(SourceDir()) / GetParam();
  if (!fs::exists(path)) GTEST_SKIP() << GetParam() << " not present";
  auto cat = catalog::BuildCatalogFromPaths({path.string()});
  ASSERT_TRUE(cat.ok()) << cat.status().message();
  ExpectSqlRoundTrip(*cat, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, SqlRoundTrip, ::testing::ValuesIn(SchemaInputs()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = fs::path(info.param).stem().string();
                           if (name == "schema") name = "shop";
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// ---------------------------------------------------------------------------------------
// SQL rendering of hand-built and small catalogs

size_t Pos(const std::string& text, const std::string& needle) {
  size_t p = text.find(needle);
  EXPECT_NE(p, std::string::npos) << "missing: " << needle << "\nin:\n" << text;
  return p;
}

TEST(CatalogSql, ViewsComeAfterTheViewsTheyRead) {
  // "a_totals" sorts first but reads "z_base": the dependency wins over the name order.
  Catalog cat = BuildText("v.sql", R"sql(
    CREATE TABLE t (id int PRIMARY KEY, amount numeric);
    CREATE VIEW z_base AS SELECT id, amount FROM t;
    CREATE VIEW a_totals AS SELECT sum(amount) AS total FROM z_base;
    CREATE VIEW m_top AS SELECT total FROM a_totals WHERE total > 0;
  )sql");
  std::string sql = CatalogToSql(cat);
  EXPECT_LT(Pos(sql, "CREATE TABLE public.t "), Pos(sql, "CREATE VIEW public.z_base"));
  EXPECT_LT(Pos(sql, "CREATE VIEW public.z_base"), Pos(sql, "CREATE VIEW public.a_totals"));
  EXPECT_LT(Pos(sql, "CREATE VIEW public.a_totals"), Pos(sql, "CREATE VIEW public.m_top"));
  ExpectSqlRoundTrip(cat, "views");
}

TEST(CatalogSql, EmptyArrayDefaultKeepsItsType) {
  // The model drops the cast of a whole default; ARRAY[] alone has no type.
  Catalog cat = BuildText("a.sql", "CREATE TABLE t (a int[] DEFAULT ARRAY[]::int[]);");
  EXPECT_NE(CatalogToSql(cat).find("a integer[] DEFAULT ARRAY[]::integer[]"), std::string::npos);
  ExpectSqlRoundTrip(cat, "empty-array");
}

TEST(CatalogSql, CreateStatementsOfOneObject) {
  Catalog cat = BuildText("o.sql", R"sql(
    CREATE TABLE p (id int, at date) PARTITION BY RANGE (at);
    CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE TABLE q (id int REFERENCES q (id) UNIQUE);
  )sql");
  std::vector<std::string> p1 = CreateStatements(cat, cat.tables.at({"public", "p1"}));
  ASSERT_EQ(p1.size(), 1u);
  EXPECT_EQ(p1[0].rfind("CREATE TABLE public.p1 PARTITION OF public.p", 0), 0u) << p1[0];
  // Foreign keys are not part of it (diff/ adds them after every table).
  std::vector<std::string> q = CreateStatements(cat, cat.tables.at({"public", "q"}));
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].find("FOREIGN KEY"), std::string::npos) << q[0];
  EXPECT_EQ(q[0].find(";"), std::string::npos) << q[0];
}

TEST(CatalogSql, FunctionsAndTypesFollowWhatTheyUse) {
  Catalog cat = BuildText("f.sql", R"sql(
    CREATE FUNCTION is_even(n integer) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN n % 2 = 0;
    CREATE DOMAIN even_int AS integer CHECK (is_even(VALUE));
    CREATE DOMAIN small_even AS even_int CHECK (VALUE < 100);
    CREATE TABLE aaa (id int PRIMARY KEY, n small_even);
    CREATE FUNCTION aaa_label(r aaa) RETURNS text LANGUAGE sql AS 'SELECT r.id::text';
  )sql");
  std::string sql = CatalogToSql(cat);
  EXPECT_LT(Pos(sql, "CREATE FUNCTION public.is_even"), Pos(sql, "CREATE DOMAIN public.even_int"));
  EXPECT_LT(Pos(sql, "CREATE DOMAIN public.even_int"), Pos(sql, "CREATE DOMAIN public.small_even"));
  EXPECT_LT(Pos(sql, "CREATE DOMAIN public.small_even"), Pos(sql, "CREATE TABLE public.aaa"));
  // A function taking a table's row type needs the table.
  EXPECT_LT(Pos(sql, "CREATE TABLE public.aaa"), Pos(sql, "CREATE FUNCTION public.aaa_label"));
  ExpectSqlRoundTrip(cat, "functions and types");
}

TEST(CatalogSql, SessionSettingsComeFirst) {
  std::string sql = CatalogToSql(BuildText("e.sql", "CREATE TABLE t (a int);"));
  EXPECT_EQ(sql.find("SET check_function_bodies = false;"), Pos(sql, "SET check_function_bodies"));
  EXPECT_LT(Pos(sql, "SET check_function_bodies = false;"), Pos(sql, "CREATE TABLE"));
  EXPECT_EQ(sql.find("CREATE SCHEMA public"), std::string::npos);
}

TEST(CatalogSql, QuotesEveryIdentifierAndLiteral) {
  Catalog cat = BuildText("q.sql", R"sql(
    CREATE SCHEMA "My Schema";
    CREATE TABLE "My Schema"."Order" ("select" int PRIMARY KEY, "we""ird" text DEFAULT 'it''s');
    COMMENT ON TABLE "My Schema"."Order" IS 'the customer''s order';
  )sql");
  std::string sql = CatalogToSql(cat);
  Pos(sql, "CREATE SCHEMA \"My Schema\";");
  Pos(sql, "CREATE TABLE \"My Schema\".\"Order\" (");
  Pos(sql, "\"select\" integer NOT NULL");
  Pos(sql, "\"we\"\"ird\" text DEFAULT 'it''s'");
  Pos(sql, "COMMENT ON TABLE \"My Schema\".\"Order\" IS 'the customer''s order';");
  ExpectSqlRoundTrip(cat, "quoting");
}

TEST(CatalogSql, ForeignKeysAreAddedAfterAllTables) {
  // "a" references "b", which sorts (and is created) later.
  Catalog cat = BuildText("fk.sql", R"sql(
    CREATE TABLE b (id int PRIMARY KEY);
    CREATE TABLE a (id int PRIMARY KEY, b_id int REFERENCES b ON DELETE SET NULL);
    CREATE UNIQUE INDEX b_id_idx ON b (id);
  )sql");
  std::string sql = CatalogToSql(cat);
  EXPECT_LT(Pos(sql, "CREATE TABLE public.b "),
            Pos(sql, "ALTER TABLE public.a ADD CONSTRAINT a_b_id_fkey"));
  EXPECT_LT(Pos(sql, "CREATE UNIQUE INDEX b_id_idx"),
            Pos(sql, "ALTER TABLE public.a ADD CONSTRAINT"));
  ExpectSqlRoundTrip(cat, "foreign keys");
}

// A partitioned table `ev` with an index on `at` that its partition `ev_a` has no clone of.
Catalog PartitionedEv() {
  return BuildText("ev.sql", R"sql(
    CREATE TABLE ev (kind text NOT NULL, at timestamptz) PARTITION BY LIST (kind);
    CREATE TABLE ev_a PARTITION OF ev FOR VALUES IN ('a');
    CREATE INDEX ev_at_idx ON ONLY ev (at);
  )sql");
}

TEST(CatalogSql, PartitionIndexesBeforeTheParentIndex) {
  // A partition with an index of its own like its parent's and no clone of the parent's
  // (CREATE INDEX ON ONLY on a server, never attached): the parent's is created ONLY, after
  // the partition's, so that neither adopts the other.
  Catalog cat = PartitionedEv();
  catalog::Index child = cat.indexes.at({"public", "ev_at_idx"});
  child.name = {"public", "ev_a_at_idx"};
  child.table = {"public", "ev_a"};
  cat.indexes[child.name] = child;
  std::string sql = CatalogToSql(cat);
  EXPECT_LT(Pos(sql, "CREATE TABLE public.ev_a PARTITION OF public.ev FOR VALUES IN ('a');"),
            Pos(sql, "CREATE INDEX"));
  EXPECT_LT(Pos(sql, "CREATE INDEX ev_a_at_idx ON public.ev_a (at);"),
            Pos(sql, "CREATE INDEX ev_at_idx ON ONLY public.ev (at);"));
  ExpectSqlRoundTrip(cat, "partition index besides the parent's");
}

TEST(CatalogSql, IndexClonesKeepTheirNamesAndComments) {
  // The clone the server names ev_a_at_idx was renamed and commented: the script renames it
  // right after the CREATE INDEX that makes it, and comments on it.
  const catalog::QualifiedName kEvA{"public", "ev_a"};
  Catalog cat = PartitionedEv();
  cat.tables[kEvA].clones = {
      catalog::IndexClone{.name = "ev_a_when", .parent_name = "ev_at_idx", .comment = "c1"}};
  std::string sql = CatalogToSql(cat);
  EXPECT_LT(Pos(sql, "CREATE INDEX ev_at_idx ON public.ev (at);"),
            Pos(sql, "ALTER INDEX public.ev_a_at_idx RENAME TO ev_a_when;"));
  Pos(sql, "COMMENT ON INDEX public.ev_a_when IS 'c1';");
  ExpectSqlRoundTrip(cat, "renamed clone");

  // A clone with the server's name gives no statement.
  cat.tables[kEvA].clones = {
      catalog::IndexClone{.name = "ev_a_at_idx", .parent_name = "ev_at_idx"}};
  sql = CatalogToSql(cat);
  EXPECT_EQ(sql.find("ALTER INDEX"), std::string::npos) << sql;
  ExpectSqlRoundTrip(cat, "clone with the server's name");
}

TEST(CatalogSql, IndexCloneNamesFollowTheServersNumbering) {
  // Two indexes on the same column: the server numbers the second clone's name, and a
  // partition attached to a key added ONLY gets its clone under its own name.
  Catalog cat = BuildText("a.sql", R"sql(
    CREATE TABLE m (id int NOT NULL, v text) PARTITION BY RANGE (id);
    CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (0) TO (10);
    CREATE INDEX m_v_a ON m (v);
    CREATE INDEX m_v_b ON m (v) WHERE id > 1;
    ALTER INDEX m1_v_idx RENAME TO m1_first;
    ALTER INDEX m1_v_idx1 RENAME TO m1_v_idx;
    COMMENT ON INDEX m1_v_idx IS 'was the second';
    ALTER TABLE ONLY m ADD CONSTRAINT m_id_key UNIQUE (id);
    CREATE TABLE m2 PARTITION OF m FOR VALUES FROM (10) TO (20);
    COMMENT ON CONSTRAINT m2_id_key ON m2 IS 'a key clone';
  )sql");
  const catalog::QualifiedName kM1{"public", "m1"};
  ASSERT_EQ(cat.FindTable(kM1)->clones.size(), 2u);
  std::string sql = CatalogToSql(cat);
  Pos(sql, "ALTER TABLE ONLY public.m ADD CONSTRAINT m_id_key UNIQUE (id);");
  Pos(sql, "ALTER INDEX public.m_id_key ATTACH PARTITION public.m2_id_key;");
  Pos(sql, "COMMENT ON CONSTRAINT m2_id_key ON public.m2 IS 'a key clone';");
  ExpectSqlRoundTrip(cat, "numbered clones");
}

TEST(CatalogSql, AttachedPartitionWithItsOwnColumnOrder) {
  Catalog cat = BuildText("a.sql", R"sql(
    CREATE TABLE m (id int NOT NULL, v text) PARTITION BY RANGE (id);
    CREATE TABLE m1 (v text, id int NOT NULL);
    ALTER TABLE m ATTACH PARTITION m1 FOR VALUES FROM (0) TO (10);
  )sql");
  std::string sql = CatalogToSql(cat);
  Pos(sql, "CREATE TABLE public.m1 (\n    v text,\n    id integer NOT NULL\n);");
  Pos(sql, "ALTER TABLE public.m ATTACH PARTITION public.m1 FOR VALUES FROM (0) TO (10);");
  ExpectSqlRoundTrip(cat, "attached partition");
}

TEST(CatalogSql, DependencyCycleStillEmitsEverything) {
  // Two views that read each other cannot exist, but a model may say so: nothing is lost.
  Catalog cat;
  catalog::View a, b;
  a.name = {"public", "va"};
  a.definition = "SELECT 1 FROM vb";
  a.relations = {{"public", "vb"}};
  b.name = {"public", "vb"};
  b.definition = "SELECT 1 FROM va";
  b.relations = {{"public", "va"}};
  cat.views[a.name] = a;
  cat.views[b.name] = b;
  std::string sql = CatalogToSql(cat);
  Pos(sql, "CREATE VIEW public.va");
  Pos(sql, "CREATE VIEW public.vb");
}

TEST(CatalogSql, StatementsNotModelledKeepTheirPlace) {
  Catalog cat;
  cat.others.push_back({"DoStmt", "", "DO $$BEGIN PERFORM 1; END$$", {}});
  cat.others.push_back({"CreateStatsStmt", "s", "CREATE STATISTICS s ON a, b FROM t -- note", {}});
  catalog::Table t;
  t.name = {"public", "t"};
  t.columns = {catalog::Column{.name = "a", .type = "integer"},
               catalog::Column{.name = "b", .type = "integer"}};
  cat.tables[t.name] = t;
  std::string sql = CatalogToSql(cat);
  EXPECT_LT(Pos(sql, "DO $$BEGIN PERFORM 1; END$$;"), Pos(sql, "CREATE TABLE public.t"));
  // After the table, and a trailing comment cannot swallow the ';'.
  EXPECT_LT(Pos(sql, "CREATE TABLE public.t"),
            Pos(sql, "CREATE STATISTICS s ON a, b FROM t -- note\n;"));
}

TEST(CatalogSql, RolesOwnersGrantsAndDefaultPrivileges) {
  Catalog cat = BuildText("r.sql", R"sql(
    CREATE ROLE app_owner NOLOGIN;
    CREATE ROLE "App Reader" LOGIN IN ROLE app_owner;
    CREATE SCHEMA app AUTHORIZATION app_owner;
    CREATE TABLE app.t (id int PRIMARY KEY, secret text);
    CREATE SEQUENCE app.s;
    ALTER TABLE app.t OWNER TO app_owner;
    GRANT SELECT (id), UPDATE (id) ON app.t TO "App Reader";
    GRANT USAGE, SELECT ON SEQUENCE app.s TO "App Reader";
    ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA app GRANT SELECT ON TABLES TO "App Reader";
  )sql");
  std::string sql = CatalogToSql(cat);
  Pos(sql, "CREATE ROLE \"App Reader\" WITH LOGIN;");
  Pos(sql, "GRANT app_owner TO \"App Reader\";");
  Pos(sql, "ALTER SCHEMA app OWNER TO app_owner;");
  Pos(sql, "ALTER TABLE app.t OWNER TO app_owner;");
  Pos(sql, "GRANT SELECT (id), UPDATE (id) ON TABLE app.t TO \"App Reader\";");
  Pos(sql, "GRANT SELECT, USAGE ON SEQUENCE app.s TO \"App Reader\";");
  EXPECT_LT(Pos(sql, "GRANT SELECT (id)"),
            Pos(sql,
                "ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA app GRANT SELECT ON "
                "TABLES TO \"App Reader\";"));
  ExpectSqlRoundTrip(cat, "roles and grants");
}

TEST(DdlFragments, Spellings) {
  EXPECT_EQ(SqlType("character"), "bpchar");
  EXPECT_EQ(SqlType("character(3)"), "character(3)");
  EXPECT_EQ(SqlDottedName("C"), "\"C\"");
  EXPECT_EQ(SqlDottedName("app.my_ops"), "app.my_ops");
  EXPECT_EQ(SqlRole(""), "CURRENT_USER");
  EXPECT_EQ(SqlRole("PUBLIC"), "PUBLIC");
  EXPECT_EQ(SqlRole("Bob"), "\"Bob\"");
  EXPECT_EQ(SqlOptions({{"fillfactor", "70"}, {"toast.autovacuum_enabled", "off"}}),
            "fillfactor='70', toast.autovacuum_enabled='off'");
  EXPECT_EQ(DollarQuote("SELECT 1"), "$$SELECT 1$$");
  EXPECT_EQ(DollarQuote("SELECT '$$'"), "$body$SELECT '$$'$body$");
  EXPECT_EQ(DollarQuote("$$ $body$"), "$body1$$$ $body$$body1$");
}

TEST(DdlFragments, SequenceOptionsOnlyWhenNotDefault) {
  catalog::SequenceOptions o;
  EXPECT_EQ(SqlSequenceOptions(o, true), "");
  o.data_type = "integer";
  o.max_value = INT32_MAX;
  EXPECT_EQ(SqlSequenceOptions(o, true), "AS integer");
  EXPECT_EQ(SqlSequenceOptions(o, false), "");
  catalog::SequenceOptions down;
  down.increment = -1;
  down.min_value = INT64_MIN;
  down.max_value = -1;
  down.start = -1;
  EXPECT_EQ(SqlSequenceOptions(down, true), "INCREMENT BY -1");
  down.start = -5;
  down.cycle = true;
  EXPECT_EQ(SqlSequenceOptions(down, true), "INCREMENT BY -1 START WITH -5 CYCLE");
}

TEST(DdlFragments, IndexKeyNullsOrderOnlyWhenNotDefault) {
  catalog::IndexKey k;
  k.column = "a";
  EXPECT_EQ(IndexKeySql(k), "a");
  k.nulls_first = true;
  EXPECT_EQ(IndexKeySql(k), "a NULLS FIRST");
  k.descending = true;
  EXPECT_EQ(IndexKeySql(k), "a DESC");
  k.nulls_first = false;
  EXPECT_EQ(IndexKeySql(k), "a DESC NULLS LAST");
  catalog::IndexKey e;
  e.expression = "lower(email)";
  e.collation = "C";
  e.exclude_operator = "pg_catalog.=";
  EXPECT_EQ(IndexKeySql(e), "(lower(email)) COLLATE \"C\" WITH OPERATOR(pg_catalog.=)");
}

// ---------------------------------------------------------------------------------------
// JSON and text specifics

TEST(CatalogJson, LeavesOutDefaultsAndEndsWithANewline) {
  Catalog cat = BuildText("j.sql", "CREATE TABLE t (a int);");
  std::string json = CatalogToJson(cat);
  ASSERT_FALSE(json.empty());
  EXPECT_EQ(json.back(), '\n');
  EXPECT_EQ(json.find("\"comment\""), std::string::npos);
  EXPECT_EQ(json.find("\"not_null\""), std::string::npos);
  EXPECT_NE(json.find("\"tables\": 1,"), std::string::npos);
  EXPECT_NE(json.find("\"location\": \"j.sql:1:1\""), std::string::npos);
  EXPECT_LT(json.find("\"summary\""), json.find("\"schemas\""));
}

TEST(CatalogJson, ServerOriginsHaveNoLineNumbers) {
  catalog::Table t;
  t.name = {"public", "t"};
  t.origin.span = SourceSpan{"<server>", 10, 20, 3, 1};
  Catalog cat;
  cat.tables[t.name] = t;
  EXPECT_NE(CatalogToJson(cat).find("\"location\": \"<server>\""), std::string::npos);
}

TEST(CatalogText, EmptyCatalog) { EXPECT_EQ(CatalogToText(Catalog{}), "(empty catalog)\n"); }

// ---------------------------------------------------------------------------------------
// Error formatting

TEST(FormatError, SourceLineAndCaret) {
  SourceFile file("a.sql", "SELECT 1;\nCREATE TABEL t ();\n");
  Status st = Status::ParseError("syntax error at or near \"TABEL\"").WithSpan(file.Span(17, 17));
  EXPECT_EQ(FormatError(st, &file),
            "a.sql:2:8: error: syntax error at or near \"TABEL\"\n"
            "  CREATE TABEL t ();\n"
            "         ^\n");
}

TEST(FormatError, ColumnsCountCharactersNotBytes) {
  SourceFile file("u.sql", "-- é日本\nSELECT 'é' WHER;\n");
  uint32_t offset = static_cast<uint32_t>(file.text().find("WHER"));
  Status st = Status::ParseError("syntax error").WithSpan(file.Span(offset, offset));
  EXPECT_EQ(FormatError(st, &file),
            "u.sql:2:12: error: syntax error\n"
            "  SELECT 'é' WHER;\n"
            "             ^\n");
}

TEST(FormatError, HintLine) {
  SourceFile file("h.sql", "DROP TABLE ordres;\n");
  Status st = Status::NotFound("relation \"ordres\" does not exist")
                  .WithSpan(file.Span(11, 11))
                  .WithHint("did you mean \"orders\"?");
  EXPECT_EQ(FormatError(st, &file),
            "h.sql:1:12: error: relation \"ordres\" does not exist\n"
            "  DROP TABLE ordres;\n"
            "             ^\n"
            "hint: did you mean \"orders\"?\n");
}

TEST(FormatError, MultiLineMessageKeepsItsFirstLine) {
  SourceFile file("s.sql", "SELECT 'abc;\nSELECT 2;\n");
  Status st = Status::ParseError("unterminated quoted string at or near \"'abc;\nSELECT 2;\n\"")
                  .WithSpan(file.Span(7, 7));
  EXPECT_EQ(FormatError(st, &file),
            "s.sql:1:8: error: unterminated quoted string at or near \"'abc; ...\n"
            "  SELECT 'abc;\n"
            "         ^\n");
}

TEST(FormatError, SpanWithoutText) {
  Status st = Status::ParseError("bad").WithSpan(SourceSpan{"gone.sql", 5, 5, 3, 7});
  EXPECT_EQ(FormatError(st, nullptr), "gone.sql:3:7: error: bad\n");
  // A file with another name is not the span's source.
  SourceFile other("other.sql", "x\n");
  EXPECT_EQ(FormatError(st, &other), "gone.sql:3:7: error: bad\n");
}

TEST(FormatError, NoSpan) {
  EXPECT_EQ(FormatError(Status::Connection("connection refused"), nullptr),
            "error: connection refused\n");
  EXPECT_EQ(FormatError(Status::IOError("cannot read \"x\"").WithHint("check the path"), nullptr),
            "error: cannot read \"x\"\nhint: check the path\n");
}

}  // namespace
}  // namespace dbarch::report
