#include "diff/renames.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "catalog/builder.h"

namespace dbarch::diff {
namespace {

using Lines = std::vector<std::string>;

catalog::Catalog Model(const std::string& sql) {
  catalog::CatalogBuilder builder;
  Status st = builder.ApplyFile(SourceFile("schema.sql", sql));
  EXPECT_TRUE(st.ok()) << st.ToString();
  return builder.Finish();
}

Result<std::vector<Rename>> Read(const std::string& to) {
  return CheckedRenameAnnotationsInText(Model(to), "schema.sql", to);
}

// The check of the annotations of `to` against `from`.
Status Check(const std::string& from, const std::string& to) {
  auto renames = Read(to);
  if (!renames.ok()) return renames.status();
  return CheckRenames(Model(from), Model(to), *renames);
}

Lines Up(const std::string& from, const std::string& to) {
  catalog::Catalog b = Model(to);
  DiffOptions options;
  options.allow_destructive = true;
  options.renames = RenameAnnotationsInText(b, "schema.sql", to);
  return Diff(Model(from), b, options).UpStatements();
}

Lines Down(const std::string& from, const std::string& to) {
  catalog::Catalog a = Model(from), b = Model(to);
  DiffOptions options;
  options.allow_destructive = true;
  options.renames = RenameAnnotationsInText(b, "schema.sql", to);
  return Diff(b, a, ReverseOptions(options, a, b)).UpStatements();
}

TEST(Renames, AnnotationsOnEveryKindOfDefinitionLine) {
  std::string to =
      "CREATE SCHEMA s2; -- dbarch:renamed-from s1\n"
      "CREATE TYPE e AS ENUM (\n"
      "  'x', -- dbarch:renamed-from 'y'\n"
      "  'z');\n"
      "CREATE TABLE t (\n"
      "  id int CONSTRAINT t_pk PRIMARY KEY, -- dbarch:renamed-from pk\n"
      "  c int);\n"
      "-- dbarch:renamed-from f_old\n"
      "CREATE FUNCTION f(a int) RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;\n"
      "CREATE TRIGGER tr AFTER INSERT ON t -- dbarch:renamed-from tr_old\n"
      "  FOR EACH ROW EXECUTE FUNCTION f(1);\n"
      "CREATE POLICY p ON t USING (true); -- dbarch:renamed-from p_old\n"
      "CREATE INDEX t_c ON t (c); -- dbarch:renamed-from s1.t_c_old\n";
  auto renames = Read(to);
  ASSERT_TRUE(renames.ok()) << renames.status().ToString();
  ASSERT_EQ(renames->size(), 7u);
  EXPECT_EQ((*renames)[0].kind, catalog::ObjectKind::kSchema);
  EXPECT_EQ((*renames)[0].table.name, "s2");
  EXPECT_EQ((*renames)[0].old_name, "s1");
  EXPECT_EQ((*renames)[1].kind, catalog::ObjectKind::kType);
  EXPECT_EQ((*renames)[1].column, "x");
  EXPECT_EQ((*renames)[1].old_name, "y");
  // A column and its inline constraint on one line: resolved against the source later.
  EXPECT_EQ((*renames)[2].kind, catalog::ObjectKind::kColumn);
  EXPECT_EQ((*renames)[2].or_constraint, "t_pk");
  EXPECT_EQ((*renames)[3].kind, catalog::ObjectKind::kFunction);
  EXPECT_EQ((*renames)[3].column, "(integer)");
  EXPECT_EQ((*renames)[4].kind, catalog::ObjectKind::kTrigger);
  EXPECT_EQ((*renames)[5].kind, catalog::ObjectKind::kPolicy);
  EXPECT_EQ((*renames)[6].kind, catalog::ObjectKind::kIndex);
  EXPECT_EQ((*renames)[6].old_schema, "s1");
  EXPECT_EQ((*renames)[6].where.line, 13u);
  EXPECT_EQ((*renames)[6].where.column, 28u);
}

TEST(Renames, AnnotationOnNoDefinitionIsAnError) {
  auto r = Read("CREATE TABLE t (\n  id int\n); -- dbarch:renamed-from u\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("not on the line of an object's definition"),
            std::string::npos)
      << r.status().ToString();
  ASSERT_TRUE(r.status().span().has_value());
  EXPECT_EQ(r.status().span()->line, 3u);
  EXPECT_EQ(r.status().span()->column, 4u);
}

TEST(Renames, TwoDefinitionsOnTheLineAreAmbiguous) {
  auto r = Read("CREATE TABLE t (\n  a int, b int -- dbarch:renamed-from c\n);\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("ambiguous"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(r.status().span()->line, 2u);
  EXPECT_EQ(r.status().span()->column, 16u);
}

TEST(Renames, OldNameAbsentFromTheSourceIsAnErrorAtTheAnnotation) {
  Status st = Check("CREATE TABLE t (id int);",
                    "CREATE TABLE t (id int);\n"
                    "CREATE VIEW v2 AS SELECT id FROM t; -- dbarch:renamed-from v1\n");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("no view public.v1 in the source"), std::string::npos)
      << st.ToString();
  ASSERT_TRUE(st.span().has_value());
  EXPECT_EQ(st.span()->file, "schema.sql");
  EXPECT_EQ(st.span()->line, 2u);
  EXPECT_EQ(st.span()->column, 37u);
  // A column of a table, a label of an enum, a schema.
  EXPECT_FALSE(
      Check("CREATE TABLE t (a int);", "CREATE TABLE t (\n  b int -- dbarch:renamed-from nope\n);")
          .ok());
  EXPECT_FALSE(Check("CREATE TYPE e AS ENUM ('a');",
                     "CREATE TYPE e AS ENUM (\n  'b' -- dbarch:renamed-from zz\n);")
                   .ok());
  EXPECT_FALSE(Check("", "CREATE SCHEMA s; -- dbarch:renamed-from nope").ok());
}

TEST(Renames, OverloadWithOtherArgumentsIsNamedInTheError) {
  Status st = Check("CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ SELECT a $$;",
                    "CREATE FUNCTION g(a text) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$; -- "
                    "dbarch:renamed-from "
                    "f\n");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("only as public.f(integer), not with the arguments (text)"),
            std::string::npos)
      << st.ToString();
}

TEST(Renames, BothNamesInTheSourceOrOneObjectTwiceAreErrors) {
  Status st = Check("CREATE TABLE a (id int); CREATE TABLE b (id int);",
                    "CREATE TABLE b (id int); -- dbarch:renamed-from a\n");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("exists in the source too"), std::string::npos) << st.ToString();
  st = Check("CREATE TABLE a (id int);",
             "CREATE TABLE b (id int); -- dbarch:renamed-from a\n"
             "CREATE TABLE c (id int); -- dbarch:renamed-from a\n");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("another annotation renames it too"), std::string::npos)
      << st.ToString();
  EXPECT_EQ(st.span()->line, 2u);
}

TEST(Renames, AlreadyAppliedIsNotAnError) {
  std::string to = "CREATE TABLE b (id int); -- dbarch:renamed-from a\n";
  EXPECT_TRUE(Check("CREATE TABLE b (id int);", to).ok());
  EXPECT_EQ(Up("CREATE TABLE b (id int);", to), Lines{});
}

TEST(Renames, DependantsFollowedByOidAreLeftAlone) {
  // A view over the renamed table, a foreign key to it, a default calling a renamed
  // function and a check comparing a renamed enum label: only the renames run.
  std::string from =
      "CREATE TYPE st AS ENUM ('new', 'old');\n"
      "CREATE FUNCTION mk() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n"
      "CREATE TABLE a (id int PRIMARY KEY DEFAULT mk(), s st CHECK (s <> 'old'));\n"
      "CREATE TABLE b (a_id int REFERENCES a (id));\n"
      "CREATE VIEW v AS SELECT id FROM a;\n";
  std::string to =
      "CREATE TYPE st AS ENUM ('new',\n 'legacy' -- dbarch:renamed-from old\n);\n"
      "CREATE FUNCTION make_id() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$; -- "
      "dbarch:renamed-from "
      "mk\n"
      "CREATE TABLE z (id int PRIMARY KEY DEFAULT make_id(), s st CHECK (s <> 'legacy')); -- "
      "dbarch:renamed-from a\n"
      "CREATE TABLE b (a_id int REFERENCES z (id));\n"
      "CREATE VIEW v AS SELECT id FROM z;\n";
  EXPECT_EQ(Up(from, to), (Lines{"ALTER TYPE public.st RENAME VALUE 'old' TO 'legacy'",
                                 "ALTER TABLE public.a RENAME TO z",
                                 "ALTER TABLE public.z RENAME CONSTRAINT a_pkey TO z_pkey",
                                 "ALTER TABLE public.z RENAME CONSTRAINT a_s_check TO z_s_check",
                                 "ALTER FUNCTION public.mk() RENAME TO make_id"}));
  EXPECT_EQ(Down(from, to), (Lines{"ALTER TYPE public.st RENAME VALUE 'legacy' TO 'old'",
                                   "ALTER TABLE public.z RENAME TO a",
                                   "ALTER TABLE public.a RENAME CONSTRAINT z_pkey TO a_pkey",
                                   "ALTER TABLE public.a RENAME CONSTRAINT z_s_check TO a_s_check",
                                   "ALTER FUNCTION public.make_id() RENAME TO mk"}));
}

TEST(Renames, SchemaMoveIsUndoneOnTheWayBack) {
  std::string from = "CREATE SCHEMA arc;\nCREATE TABLE t (id int);\n";
  std::string to =
      "CREATE SCHEMA arc;\nCREATE TABLE arc.t2 (id int); -- dbarch:renamed-from public.t\n";
  EXPECT_EQ(Up(from, to),
            (Lines{"ALTER TABLE public.t RENAME TO t2", "ALTER TABLE public.t2 SET SCHEMA arc"}));
  EXPECT_EQ(Down(from, to),
            (Lines{"ALTER TABLE arc.t2 RENAME TO t", "ALTER TABLE arc.t SET SCHEMA public"}));
}

TEST(Renames, IdentitySequenceAtItsSequenceNameClause) {
  std::string from =
      "CREATE TABLE t (\n  id int GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME ids));\n";
  std::string to =
      "CREATE TABLE t (\n  id int GENERATED ALWAYS AS IDENTITY (\n"
      "    SEQUENCE NAME t_ids -- dbarch:renamed-from ids\n  ));\n";
  EXPECT_EQ(Up(from, to), (Lines{"ALTER SEQUENCE public.ids RENAME TO t_ids"}));
  EXPECT_EQ(Down(from, to), (Lines{"ALTER SEQUENCE public.t_ids RENAME TO ids"}));
  // On the column's own line the annotation could name the column or the sequence.
  std::string same_line =
      "CREATE TABLE t (\n"
      "  id int GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME t_ids) -- dbarch:renamed-from ids\n"
      ");\n";
  EXPECT_NE(Read(same_line).status().message().find("ambiguous"), std::string::npos);
  EXPECT_NE(Check(from, to.substr(0, to.find("ids --")) + "nope -- dbarch:renamed-from x\n));\n")
                .message()
                .find("no sequence public.x"),
            std::string::npos);
}

TEST(Renames, IdentitySequenceNamedAfterItsColumnFollowsTheColumn) {
  std::string from = "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY, v int);\n";
  std::string to =
      "CREATE TABLE t (\n  key int GENERATED BY DEFAULT AS IDENTITY, -- dbarch:renamed-from id\n"
      "  v int);\n";
  EXPECT_EQ(Up(from, to), (Lines{"ALTER TABLE public.t RENAME COLUMN id TO key",
                                 "ALTER SEQUENCE public.t_id_seq RENAME TO t_key_seq"}));
  EXPECT_EQ(Down(from, to), (Lines{"ALTER TABLE public.t RENAME COLUMN key TO id",
                                   "ALTER SEQUENCE public.t_key_seq RENAME TO t_id_seq"}));
  // A table rename takes it along too.
  EXPECT_EQ(Up(from,
               "CREATE TABLE u (id int GENERATED BY DEFAULT AS IDENTITY, v int);"
               " -- dbarch:renamed-from t\n"),
            (Lines{"ALTER TABLE public.t RENAME TO u",
                   "ALTER SEQUENCE public.t_id_seq RENAME TO u_id_seq"}));
}

TEST(Renames, ViewAndMaterializedViewColumns) {
  std::string from =
      "CREATE TABLE t (id int, name text);\n"
      "CREATE VIEW v AS\n  SELECT id,\n    name\n  FROM t;\n"
      "CREATE VIEW w AS SELECT upper(name) AS u FROM v;\n"
      "CREATE MATERIALIZED VIEW m AS\n  SELECT id,\n    count(*) AS n\n  FROM t GROUP BY id;\n";
  std::string to =
      "CREATE TABLE t (id int, name text);\n"
      "CREATE VIEW v AS\n  SELECT id,\n    name AS full_name -- dbarch:renamed-from name\n"
      "  FROM t;\n"
      "CREATE VIEW w AS SELECT upper(full_name) AS u FROM v;\n"
      "CREATE MATERIALIZED VIEW m AS\n  SELECT id,\n"
      "    count(*) AS \"Total\" -- dbarch:renamed-from n\n  FROM t GROUP BY id;\n";
  EXPECT_EQ(Up(from, to), (Lines{"ALTER VIEW public.v RENAME COLUMN name TO full_name",
                                 "ALTER MATERIALIZED VIEW public.m RENAME COLUMN n TO \"Total\""}));
  EXPECT_EQ(Down(from, to),
            (Lines{"ALTER VIEW public.v RENAME COLUMN full_name TO name",
                   "ALTER MATERIALIZED VIEW public.m RENAME COLUMN \"Total\" TO n"}));
  std::string wrong = to;
  wrong.replace(wrong.find("renamed-from name"), 17, "renamed-from nope");
  EXPECT_NE(Check(from, wrong).message().find("no column \"nope\" of public.v"), std::string::npos)
      << Check(from, wrong).ToString();
}

}  // namespace
}  // namespace dbarch::diff
