#include "diff/diff.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/strings.h"
#include "catalog/builder.h"
#include "diff/format.h"

namespace dbarch::diff {
namespace {

catalog::Catalog Model(const std::string& sql) {
  catalog::CatalogBuilder builder;
  Status st = builder.ApplyFile(SourceFile("schema.sql", sql));
  EXPECT_TRUE(st.ok()) << st.ToString();
  return builder.Finish();
}

std::vector<std::string> Up(const std::string& from, const std::string& to,
                            bool allow_destructive = true) {
  DiffOptions options;
  options.allow_destructive = allow_destructive;
  catalog::Catalog b = Model(to);
  options.renames = RenameAnnotationsInText(b, "schema.sql", to);
  return Diff(Model(from), b, options).UpStatements();
}

using Lines = std::vector<std::string>;

TEST(Diff, InSyncGivesNothing) {
  const char* sql =
      "CREATE TYPE mood AS ENUM ('a', 'b');\n"
      "CREATE TABLE t (id int PRIMARY KEY, m mood, note text DEFAULT 'x');\n"
      "CREATE INDEX t_note ON t (note) WHERE note IS NOT NULL;\n"
      "CREATE VIEW v AS SELECT id FROM t;\n";
  DiffResult r = Diff(Model(sql), Model(sql), {});
  EXPECT_FALSE(r.HasChanges());
  EXPECT_EQ(FormatSql(r), "");
}

TEST(Diff, AddAndDropColumn) {
  EXPECT_EQ(Up("CREATE TABLE t (id int);", "CREATE TABLE t (id int, \"Name\" text NOT NULL);"),
            Lines{"ALTER TABLE public.t ADD COLUMN \"Name\" text NOT NULL"});
  EXPECT_EQ(Up("CREATE TABLE t (id int, x int);", "CREATE TABLE t (id int);"),
            Lines{"ALTER TABLE public.t DROP COLUMN x"});
}

TEST(Diff, DestructiveChangesAreRefusedUnlessAllowed) {
  DiffResult r =
      Diff(Model("CREATE TABLE t (id int, x int);"), Model("CREATE TABLE t (id int);"), {});
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_TRUE(r.changes[0].refused);
  EXPECT_TRUE(r.changes[0].destructive);
  EXPECT_EQ(r.changes[0].data_loss, "the values of column public.t.x");
  EXPECT_TRUE(r.UpStatements().empty());
  EXPECT_NE(FormatSql(r).find("-- ALTER TABLE public.t DROP COLUMN x;"), std::string::npos);
}

TEST(Diff, ColumnTypeWideningAndNarrowing) {
  DiffResult widen =
      Diff(Model("CREATE TABLE t (a varchar(10));"), Model("CREATE TABLE t (a varchar(20));"), {});
  ASSERT_EQ(widen.changes.size(), 1u);
  EXPECT_FALSE(widen.changes[0].destructive);
  EXPECT_FALSE(widen.changes[0].rewrites);
  EXPECT_EQ(widen.changes[0].sql,
            Lines{"ALTER TABLE public.t ALTER COLUMN a TYPE character varying(20)"});
  DiffResult narrow =
      Diff(Model("CREATE TABLE t (a text);"), Model("CREATE TABLE t (a integer);"), {});
  ASSERT_EQ(narrow.changes.size(), 1u);
  EXPECT_TRUE(narrow.changes[0].destructive);
  EXPECT_TRUE(narrow.changes[0].rewrites);
  EXPECT_EQ(narrow.changes[0].sql,
            Lines{"ALTER TABLE public.t ALTER COLUMN a TYPE integer USING a::integer"});
  EXPECT_EQ(narrow.changes[0].lock, "ACCESS EXCLUSIVE");
}

TEST(Diff, DefaultNullabilityAndIdentity) {
  EXPECT_EQ(Up("CREATE TABLE t (a int);", "CREATE TABLE t (a int NOT NULL DEFAULT 1);"),
            (Lines{"ALTER TABLE public.t ALTER COLUMN a SET DEFAULT 1",
                   "ALTER TABLE public.t ALTER COLUMN a SET NOT NULL"}));
  EXPECT_EQ(Up("CREATE TABLE t (a int);", "CREATE TABLE t (a int GENERATED ALWAYS AS IDENTITY);"),
            (Lines{"ALTER TABLE public.t ALTER COLUMN a SET NOT NULL",
                   "ALTER TABLE public.t ALTER COLUMN a ADD GENERATED ALWAYS AS IDENTITY"}));
}

TEST(Diff, EnumValuesAddedInPosition) {
  EXPECT_EQ(
      Up("CREATE TYPE m AS ENUM ('a', 'c');", "CREATE TYPE m AS ENUM ('0', 'a', 'b', 'c', 'd');"),
      (Lines{"ALTER TYPE public.m ADD VALUE '0' BEFORE 'a'",
             "ALTER TYPE public.m ADD VALUE 'b' AFTER 'a'",
             "ALTER TYPE public.m ADD VALUE 'd' AFTER 'c'"}));
}

TEST(Diff, EnumValueRemovedRebuildsType) {
  DiffResult r = Diff(Model("CREATE TYPE m AS ENUM ('a', 'b'); CREATE TABLE t (x m DEFAULT 'a');"),
                      Model("CREATE TYPE m AS ENUM ('a'); CREATE TABLE t (x m DEFAULT 'a');"), {});
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_TRUE(r.changes[0].destructive);
  EXPECT_EQ(r.changes[0].sql.front(), "ALTER TYPE public.m RENAME TO m_dbarch_old");
  EXPECT_EQ(r.changes[0].sql.back(), "DROP TYPE public.m_dbarch_old");
}

TEST(Diff, ForeignKeysAfterTablesAndCircular) {
  Lines up = Up("",
                "CREATE TABLE a (id int PRIMARY KEY, b_id int);\n"
                "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);\n"
                "ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b;\n");
  ASSERT_EQ(up.size(), 4u);
  EXPECT_EQ(up[0].rfind("CREATE TABLE public.a", 0), 0u);
  EXPECT_EQ(up[1].rfind("CREATE TABLE public.b", 0), 0u);
  EXPECT_EQ(
      up[2],
      "ALTER TABLE public.a ADD CONSTRAINT a_b_id_fkey FOREIGN KEY (b_id) REFERENCES public.b(id)");
  EXPECT_EQ(
      up[3],
      "ALTER TABLE public.b ADD CONSTRAINT b_a_id_fkey FOREIGN KEY (a_id) REFERENCES public.a(id)");
}

TEST(Diff, ViewsDroppedBeforeColumnChangeAndRecreatedAfter) {
  Lines up = Up("CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t;",
                "CREATE TABLE t (a bigint); CREATE VIEW v AS SELECT a FROM t;");
  ASSERT_EQ(up.size(), 3u);
  EXPECT_EQ(up[0], "DROP VIEW public.v");
  EXPECT_EQ(up[1], "ALTER TABLE public.t ALTER COLUMN a TYPE bigint");
  EXPECT_EQ(up[2].rfind("CREATE VIEW public.v", 0), 0u);
}

TEST(Diff, IndexChangeIsDropAndCreate) {
  EXPECT_EQ(Up("CREATE TABLE t (a int, b int); CREATE INDEX i ON t (a);",
               "CREATE TABLE t (a int, b int); CREATE INDEX i ON t USING hash (b);"),
            (Lines{"DROP INDEX public.i", "CREATE INDEX i ON public.t USING hash (b)"}));
}

TEST(Diff, RenameAnnotations) {
  EXPECT_EQ(Up("CREATE TABLE old_t (id int, old_c text);",
               "CREATE TABLE new_t ( -- dbarch:renamed-from old_t\n"
               "  id int,\n"
               "  new_c text -- dbarch:renamed-from old_c\n"
               ");"),
            (Lines{"ALTER TABLE public.old_t RENAME TO new_t",
                   "ALTER TABLE public.new_t RENAME COLUMN old_c TO new_c"}));
  // sqldef's spelling.
  EXPECT_EQ(Up("CREATE TABLE t (a int);", "CREATE TABLE t (\n  b int -- @renamed from=a\n);"),
            Lines{"ALTER TABLE public.t RENAME COLUMN a TO b"});
}

TEST(Diff, ReverseOptionsUndoRenames) {
  catalog::Catalog a = Model("CREATE TABLE old_t (c int);");
  std::string to =
      "-- dbarch:renamed-from old_t\nCREATE TABLE new_t (\n  d int -- dbarch:renamed-from c\n);";
  catalog::Catalog b = Model(to);
  DiffOptions options;
  options.renames = RenameAnnotationsInText(b, "schema.sql", to);
  ASSERT_EQ(options.renames.size(), 2u);
  DiffResult down = Diff(b, a, ReverseOptions(options, a, b));
  EXPECT_EQ(down.UpStatements(), (Lines{"ALTER TABLE public.new_t RENAME TO old_t",
                                        "ALTER TABLE public.old_t RENAME COLUMN d TO c"}));
}

TEST(Diff, StorageParametersCompareAsSetsAndKeepTheTargetsOrder) {
  // The model keeps the declared order (the server's), and an order of its own is no change.
  catalog::Catalog a =
      Model("CREATE TABLE t (id int) WITH (fillfactor = 70, autovacuum_enabled = false);");
  const catalog::Table& t = a.tables.begin()->second;
  ASSERT_EQ(t.options.size(), 2u);
  EXPECT_EQ(t.options[0].first, "fillfactor");
  EXPECT_EQ(Up("CREATE TABLE t (id int) WITH (autovacuum_enabled = false, fillfactor = 70);",
               "CREATE TABLE t (id int) WITH (fillfactor = 70, autovacuum_enabled = false);"),
            Lines{});
  EXPECT_EQ(Up("CREATE TABLE t (id int);"
               "CREATE INDEX i ON t (id) WITH (fillfactor = 70, deduplicate_items = off);",
               "CREATE TABLE t (id int);"
               "CREATE INDEX i ON t (id) WITH (deduplicate_items = off, fillfactor = 70);"),
            Lines{});
  // SET appends what it names (a value set again moves to the end), so what the target has
  // after parameters kept in place is set again, in the target's order.
  EXPECT_EQ(Up("CREATE TABLE t (id int) WITH (fillfactor = 70, autovacuum_enabled = false);",
               "CREATE TABLE t (id int) WITH (fillfactor = 70, autovacuum_enabled = true);"),
            Lines{"ALTER TABLE public.t SET (autovacuum_enabled='true')"});
  EXPECT_EQ(Up("CREATE TABLE t (id int) WITH (fillfactor = 70, autovacuum_enabled = false);",
               "CREATE TABLE t (id int) WITH (fillfactor = 80, autovacuum_enabled = false);"),
            Lines{"ALTER TABLE public.t SET (fillfactor='80', autovacuum_enabled='false')"});
  EXPECT_EQ(Up("CREATE TABLE t (id int) WITH (fillfactor = 70, toast.autovacuum_enabled = false);",
               "CREATE TABLE t (id int) WITH (toast.autovacuum_enabled = false, "
               "parallel_workers = 2, fillfactor = 70);"),
            Lines{"ALTER TABLE public.t SET (parallel_workers='2', fillfactor='70')"});
  EXPECT_EQ(Up("CREATE TABLE t (id int) WITH (fillfactor = 70, parallel_workers = 2);",
               "CREATE TABLE t (id int) WITH (fillfactor = 70);"),
            Lines{"ALTER TABLE public.t RESET (parallel_workers)"});
  // The builder follows the server: ALTER TABLE ... SET moves a parameter set again to the end.
  catalog::Catalog b = Model(
      "CREATE TABLE t (id int) WITH (fillfactor = 70, autovacuum_enabled = false);\n"
      "ALTER TABLE t SET (fillfactor = 80);");
  const catalog::OptionList& o = b.tables.begin()->second.options;
  ASSERT_EQ(o.size(), 2u);
  EXPECT_EQ(o[0], (std::pair<std::string, std::string>{"autovacuum_enabled", "false"}));
  EXPECT_EQ(o[1], (std::pair<std::string, std::string>{"fillfactor", "80"}));
}

TEST(Diff, QuotesIdentifiers) {
  Lines up =
      Up("CREATE SCHEMA \"My Schema\";",
         "CREATE SCHEMA \"My Schema\"; CREATE TABLE \"My Schema\".\"Order\" (\"select\" int);");
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].rfind("CREATE TABLE \"My Schema\".\"Order\"", 0), 0u) << up[0];
}

TEST(Diff, CommentsGrantsAndPolicies) {
  EXPECT_EQ(
      Up("CREATE TABLE t (a int);", "CREATE TABLE t (a int); COMMENT ON COLUMN t.a IS 'it''s';"),
      Lines{"COMMENT ON COLUMN public.t.a IS 'it''s'"});
  EXPECT_EQ(Up("CREATE TABLE t (a int);",
               "CREATE TABLE t (a int); ALTER TABLE t ENABLE ROW LEVEL SECURITY;"
               "CREATE POLICY p ON t USING (a > 0);"),
            (Lines{"ALTER TABLE public.t ENABLE ROW LEVEL SECURITY",
                   "CREATE POLICY p ON public.t USING (a > 0)"}));
}

TEST(Diff, JsonAndTextFormats) {
  DiffResult r = Diff(Model("CREATE TABLE t (id int);"),
                      Model("CREATE TABLE t (id int); CREATE INDEX i ON t (id);"), {});
  std::string json = FormatJson(r);
  EXPECT_NE(json.find("\"kind\": \"index\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"lock\": \"SHARE\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"reverse\": [\n        \"DROP INDEX public.i\""), std::string::npos)
      << json;
  EXPECT_EQ(FormatText(r), "+ create index public.i (lock SHARE, scans)\n");
}

// Roles are cluster-wide: only those a schema file of the target declares are managed.
TEST(Diff, RolesDeclaredByTheTargetAreCreatedWhenMissing) {
  Lines up = Up("CREATE TABLE t (id int);",
                "CREATE ROLE reader LOGIN CONNECTION LIMIT 2;\n"
                "CREATE ROLE analyst;\n"
                "GRANT reader TO analyst;\n"
                "COMMENT ON ROLE analyst IS 'analysts';\n"
                "CREATE TABLE t (id int);\n"
                "GRANT SELECT ON t TO analyst;");
  ASSERT_GE(up.size(), 5u);
  EXPECT_EQ(up[0],
            "DO $dbarch$BEGIN CREATE ROLE analyst; EXCEPTION WHEN duplicate_object THEN ALTER "
            "ROLE analyst WITH NOCREATEDB NOCREATEROLE INHERIT NOLOGIN CONNECTION LIMIT -1 VALID "
            "UNTIL 'infinity'; "
            "END$dbarch$");
  EXPECT_EQ(up[1],
            "DO $dbarch$BEGIN CREATE ROLE reader WITH LOGIN CONNECTION LIMIT 2; EXCEPTION WHEN "
            "duplicate_object THEN ALTER ROLE reader WITH NOCREATEDB NOCREATEROLE INHERIT LOGIN "
            "CONNECTION LIMIT 2 VALID UNTIL 'infinity'; END$dbarch$");
  EXPECT_EQ(up[2], "GRANT reader TO analyst");
  // Grants and comments come after the roles exist.
  EXPECT_EQ(up[3], "GRANT SELECT ON TABLE public.t TO analyst");
  EXPECT_EQ(up[4], "COMMENT ON ROLE analyst IS 'analysts'");
}

TEST(Diff, RoleAttributesAndMembershipsChange) {
  Lines up = Up("CREATE ROLE a; CREATE ROLE b; CREATE ROLE r LOGIN; GRANT a TO r;",
                "CREATE ROLE a; CREATE ROLE b; CREATE ROLE r NOLOGIN CREATEDB; GRANT b TO r;");
  EXPECT_EQ(up, (Lines{"ALTER ROLE r WITH CREATEDB NOLOGIN", "GRANT b TO r", "REVOKE a FROM r"}));
}

TEST(Diff, RolesAreNeverDroppedByOmission) {
  // The source declares a role the target does not mention: a warning, no statement.
  catalog::Catalog from = Model("CREATE ROLE legacy; CREATE TABLE t (id int);");
  catalog::Catalog to = Model("CREATE TABLE t (id int);");
  DiffResult r = Diff(from, to, {});
  EXPECT_TRUE(r.UpStatements().empty());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("role legacy is declared only by the source"), std::string::npos);
  // A role of a live server (every role of its cluster) is not the schema's to drop either.
  catalog::CatalogBuilder server;
  ASSERT_TRUE(server
                  .ApplyFile(SourceFile(catalog::kServerSource,
                                        "CREATE ROLE other; CREATE TABLE t (id int);"))
                  .ok());
  catalog::Catalog live = server.Finish();
  EXPECT_FALSE(Diff(live, to, {}).HasChanges());
  // ... and a target read from a server creates none.
  EXPECT_FALSE(Diff(to, live, {}).HasChanges());
}

TEST(Diff, DropRoleInTheTargetDropsIt) {
  catalog::CatalogBuilder server;
  ASSERT_TRUE(server.ApplyFile(SourceFile(catalog::kServerSource, "CREATE ROLE old_app;")).ok());
  DiffOptions options;
  options.allow_destructive = true;
  DiffResult r = Diff(server.Finish(), Model("DROP ROLE IF EXISTS old_app;"), options);
  EXPECT_EQ(r.UpStatements(),
            (Lines{"DO $dbarch$BEGIN DROP ROLE IF EXISTS old_app; EXCEPTION WHEN "
                   "dependent_objects_still_exist THEN RAISE NOTICE 'role old_app is still used "
                   "in the cluster: not dropped'; END$dbarch$"}));
  // Refused without --allow-destructive.
  catalog::CatalogBuilder again;
  ASSERT_TRUE(again.ApplyFile(SourceFile(catalog::kServerSource, "CREATE ROLE old_app;")).ok());
  EXPECT_TRUE(Diff(again.Finish(), Model("DROP ROLE IF EXISTS old_app;"), {}).HasRefused());
}

TEST(Diff, CollationsCreatedChangedAndDropped) {
  Lines up = Up(
      "CREATE COLLATION german (provider = icu, locale = 'de-DE');\n"
      "CREATE COLLATION old_c (locale = 'C');\n"
      "CREATE TABLE t (name text COLLATE german);",
      "CREATE COLLATION german (provider = icu, locale = 'de-DE-u-co-phonebk');\n"
      "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);\n"
      "CREATE TABLE t (name text COLLATE german);");
  EXPECT_EQ(up, (Lines{
                    "CREATE COLLATION public.ci (provider = icu, locale = 'und-u-ks-level2', "
                    "deterministic = false)",
                    "ALTER COLLATION public.german RENAME TO german_dbarch_old",
                    "CREATE COLLATION public.german (provider = icu, locale = "
                    "'de-DE-u-co-phonebk')",
                    "ALTER TABLE public.t ALTER COLUMN name TYPE text COLLATE german",
                    "DROP COLLATION public.german_dbarch_old",
                    "DROP COLLATION public.old_c",
                }));
  // In sync: nothing.
  const char* sql = "CREATE COLLATION c2 (provider = libc, lc_collate = 'C', lc_ctype = 'C');";
  EXPECT_FALSE(Diff(Model(sql), Model(sql), {}).HasChanges());
}

TEST(Diff, ExpressionsCallingAReplacedFunctionAreRebuiltAroundIt) {
  const char* table =
      "CREATE TABLE t (sku text CHECK (sku = norm(sku)), code text DEFAULT norm('x'));\n"
      "CREATE INDEX t_norm ON t (norm(sku));\n";
  Lines up = Up(std::string("CREATE FUNCTION norm(s text) RETURNS text LANGUAGE sql "
                            "IMMUTABLE AS 'SELECT upper(s)';\n") +
                    table,
                std::string("CREATE FUNCTION norm(s text, k boolean DEFAULT false) RETURNS text "
                            "LANGUAGE sql IMMUTABLE AS 'SELECT upper(s)';\n") +
                    table);
  auto pos = [&](const std::string& prefix) {
    for (size_t i = 0; i < up.size(); ++i) {
      if (up[i].rfind(prefix, 0) == 0) return static_cast<int>(i);
    }
    ADD_FAILURE() << "no statement starting with " << prefix;
    return -1;
  };
  int drop_fn = pos("DROP FUNCTION public.norm(text)");
  EXPECT_LT(pos("ALTER TABLE public.t DROP CONSTRAINT t_sku_check"), drop_fn);
  EXPECT_LT(pos("DROP INDEX public.t_norm"), drop_fn);
  EXPECT_LT(pos("ALTER TABLE public.t ALTER COLUMN code DROP DEFAULT"), drop_fn);
  int create_fn = pos("CREATE FUNCTION public.norm(s text, k boolean");
  EXPECT_GT(pos("ALTER TABLE public.t ADD CONSTRAINT t_sku_check"), create_fn);
  EXPECT_GT(pos("CREATE INDEX t_norm"), create_fn);
  EXPECT_GT(pos("ALTER TABLE public.t ALTER COLUMN code SET DEFAULT"), create_fn);
}

TEST(Diff, RebuiltEnumTakesItsPartialIndexesAndChecksAlong) {
  const char* table =
      "CREATE TABLE o (s st NOT NULL CHECK (s <> 'c'));\n"
      "CREATE INDEX o_open ON o (s) WHERE s <> 'b';\n";
  Lines up = Up(std::string("CREATE TYPE st AS ENUM ('a', 'b', 'c', 'x');\n") + table,
                std::string("CREATE TYPE st AS ENUM ('a', 'b', 'c');\n") + table);
  auto pos = [&](const std::string& prefix) {
    for (size_t i = 0; i < up.size(); ++i) {
      if (up[i].rfind(prefix, 0) == 0) return static_cast<int>(i);
    }
    ADD_FAILURE() << "no statement starting with " << prefix;
    return -1;
  };
  int rename = pos("ALTER TYPE public.st RENAME TO st_dbarch_old");
  EXPECT_LT(pos("DROP INDEX public.o_open"), rename);
  EXPECT_LT(pos("ALTER TABLE public.o DROP CONSTRAINT o_s_check"), rename);
  int dropped = pos("DROP TYPE public.st_dbarch_old");
  EXPECT_GT(pos("CREATE INDEX o_open"), dropped);
  EXPECT_GT(pos("ALTER TABLE public.o ADD CONSTRAINT o_s_check"), dropped);
}

}  // namespace
}  // namespace dbarch::diff
