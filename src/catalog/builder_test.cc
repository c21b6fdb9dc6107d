#include "catalog/builder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "catalog/naming.h"

namespace dbarch::catalog {
namespace {

Catalog Build(const std::string& ddl) {
  CatalogBuilder b;
  Status st = b.ApplyFile(SourceFile("t.sql", ddl));
  EXPECT_TRUE(st.ok()) << st.message();
  return b.Finish();
}

Status BuildError(const std::string& ddl) {
  CatalogBuilder b;
  return b.ApplyFile(SourceFile("t.sql", ddl));
}

const Table& T(const Catalog& c, const std::string& name, const std::string& schema = "public") {
  const Table* t = c.FindTable({schema, name});
  EXPECT_NE(t, nullptr) << name;
  static Table empty;
  return t != nullptr ? *t : empty;
}

TEST(Naming, MatchesServerRules) {
  EXPECT_EQ(MakeObjectName("orders", "customer_id", "fkey"), "orders_customer_id_fkey");
  EXPECT_EQ(MakeObjectName("orders", "", "pkey"), "orders_pkey");
  std::string long1(60, 'a');
  std::string long2(40, 'b');
  std::string n = MakeObjectName(long1, long2, "key");
  EXPECT_EQ(n.size(), 63u);
  EXPECT_EQ(n, std::string(29, 'a') + "_" + std::string(29, 'b') + "_key");
}

TEST(Builder, CreateTableNamesConstraintsLikePostgres) {
  Catalog c = Build(R"sql(
    CREATE TABLE customers (id bigserial PRIMARY KEY, email varchar(255) NOT NULL UNIQUE);
    CREATE TABLE orders (
      id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      customer_id bigint NOT NULL REFERENCES customers,
      total numeric(12,2) DEFAULT 0 CHECK (total >= 0),
      status text DEFAULT 'new' CHECK (status IN ('new', 'paid')),
      lo int, hi int, CHECK (lo < hi), CHECK (lo > 0)
    );
    CREATE INDEX ON orders (customer_id, status);
    CREATE INDEX ON orders (lower(status));
  )sql");
  const Table& o = T(c, "orders");
  std::vector<std::string> names;
  for (const Constraint& k : o.constraints) names.push_back(k.name);
  EXPECT_EQ(names, (std::vector<std::string>{"orders_check", "orders_customer_id_fkey",
                                             "orders_lo_check", "orders_pkey",
                                             "orders_status_check", "orders_total_check"}));
  EXPECT_EQ(o.FindColumn("total")->type, "numeric(12,2)");
  EXPECT_EQ(o.FindColumn("total")->default_expr, "0");
  EXPECT_EQ(o.FindColumn("id")->identity, IdentityKind::kAlways);
  EXPECT_EQ(o.FindColumn("id")->identity_options.max_value, 2147483647);
  EXPECT_TRUE(c.indexes.count({"public", "orders_customer_id_status_idx"}));
  EXPECT_TRUE(c.indexes.count({"public", "orders_lower_idx"}));
  const Table& cu = T(c, "customers");
  EXPECT_EQ(cu.FindColumn("id")->type, "bigint");
  EXPECT_EQ(cu.FindColumn("id")->default_expr, "nextval('customers_id_seq')");
  EXPECT_EQ(cu.FindColumn("email")->type, "character varying(255)");
  EXPECT_TRUE(c.sequences.count({"public", "customers_id_seq"}));
  ASSERT_EQ(cu.constraints.size(), 2u);
  EXPECT_EQ(cu.constraints[0].name, "customers_email_key");
}

TEST(Builder, AltersReplayToFinalState) {
  Catalog c = Build(R"sql(
    CREATE TABLE a (id int PRIMARY KEY, x text, y int);
    CREATE TABLE b (id int, a_id int REFERENCES a(id));
    ALTER TABLE a RENAME COLUMN x TO label;
    ALTER TABLE a ADD COLUMN z timestamptz NOT NULL DEFAULT now();
    ALTER TABLE a DROP COLUMN y;
    ALTER TABLE a RENAME TO alpha;
    ALTER TABLE b ADD CONSTRAINT b_pk PRIMARY KEY (id);
    ALTER TABLE alpha ALTER COLUMN label SET NOT NULL, ALTER COLUMN label TYPE varchar(20);
    COMMENT ON TABLE alpha IS 'the first letter';
  )sql");
  const Table& a = T(c, "alpha");
  ASSERT_EQ(a.columns.size(), 3u);
  EXPECT_EQ(a.columns[1].name, "label");
  EXPECT_EQ(a.columns[1].type, "character varying(20)");
  EXPECT_TRUE(a.columns[1].not_null);
  EXPECT_EQ(a.columns[2].type, "timestamp with time zone");
  EXPECT_EQ(a.comment, "the first letter");
  const Table& b = T(c, "b");
  ASSERT_EQ(b.constraints.size(), 2u);
  EXPECT_EQ(b.constraints[0].name, "b_a_id_fkey");
  EXPECT_EQ(b.constraints[0].ref_table, (QualifiedName{"public", "alpha"}));
}

TEST(Builder, UnknownObjectIsAnErrorWithLocation) {
  Status st = BuildError("CREATE TABLE orders (id int);\n\nALTER TABLE ordres ADD COLUMN x int;\n");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "relation \"ordres\" does not exist");
  EXPECT_EQ(st.hint(), "did you mean \"orders\"?");
  ASSERT_TRUE(st.span().has_value());
  EXPECT_EQ(st.span()->line, 3u);
  EXPECT_EQ(st.span()->column, 13u);

  Status col = BuildError("CREATE TABLE t (id int);\nALTER TABLE t DROP COLUMN nope;");
  EXPECT_EQ(col.code(), StatusCode::kNotFound);
  Status drop = BuildError("DROP TABLE missing;");
  EXPECT_EQ(drop.code(), StatusCode::kNotFound);
  EXPECT_TRUE(BuildError("DROP TABLE IF EXISTS missing;").ok());
}

TEST(Builder, DropTableWithDependentsNeedsCascade) {
  Status st = BuildError(
      "CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (a_id int REFERENCES a);"
      "DROP TABLE a;");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  Catalog c = Build(
      "CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (a_id int REFERENCES a);"
      "DROP TABLE a CASCADE;");
  EXPECT_TRUE(T(c, "b").constraints.empty());
}

TEST(Builder, UnmodelledStatementsAreKept) {
  Catalog c = Build("CREATE TABLE t (id int); CREATE RULE r AS ON INSERT TO t DO NOTHING; "
                    "DO $$ BEGIN END $$;");
  ASSERT_EQ(c.others.size(), 2u);
  EXPECT_EQ(c.others[0].kind, "RuleStmt");
  EXPECT_EQ(c.others[1].kind, "DoStmt");
  EXPECT_EQ(c.others[0].origin.span.line, 1u);
}

TEST(Builder, GrantsExpandAllAndRevoke) {
  Catalog c = Build(R"sql(
    CREATE ROLE reader; CREATE TABLE t (id int, secret text);
    GRANT ALL ON t TO reader;
    REVOKE DELETE, TRUNCATE ON t FROM reader;
    GRANT SELECT (id) ON t TO PUBLIC;
  )sql");
  std::vector<std::string> privs;
  for (const Grant& g : c.grants) privs.push_back(g.grantee + ":" + g.privilege + ":" + g.column);
  EXPECT_EQ(privs, (std::vector<std::string>{"reader:INSERT:", "reader:REFERENCES:", "reader:SELECT:",
                                             "reader:TRIGGER:", "reader:UPDATE:", "PUBLIC:SELECT:id"}));
}

TEST(Builder, EveryFixtureBuilds) {
  std::string root = DBARCH_SOURCE_DIR;
  std::vector<std::string> inputs = {root + "/examples/shop/schema.sql",
                                     root + "/test/fixtures/schemas/migrations_dir"};
  for (const auto& e : std::filesystem::directory_iterator(root + "/test/fixtures/schemas")) {
    if (e.path().extension() == ".sql") inputs.push_back(e.path().string());
  }
  for (const std::string& in : inputs) {
    auto c = BuildCatalogFromPaths({in});
    EXPECT_TRUE(c.ok()) << in << ": " << c.status().message() << " at line "
                        << (c.status().span() ? c.status().span()->line : 0);
  }
}

TEST(Builder, BadFixturesFailWithTheirExpectedLocation) {
  std::string root = DBARCH_SOURCE_DIR;
  int checked = 0;
  for (const auto& e : std::filesystem::directory_iterator(root + "/test/fixtures/bad")) {
    if (e.path().extension() != ".sql") continue;
    auto file = ReadSourceFile(e.path().string());
    ASSERT_TRUE(file.ok());
    std::string first_line(file->Line(1));
    size_t at = first_line.find("expect: ");
    ASSERT_NE(at, std::string::npos) << e.path();
    std::string expect = first_line.substr(at + 8);
    while (!expect.empty() && (expect.back() == '\r' || expect.back() == ' ')) expect.pop_back();
    CatalogBuilder b;
    Status st = b.ApplyFile(*file);
    ASSERT_FALSE(st.ok()) << e.path();
    ASSERT_TRUE(st.span().has_value()) << e.path();
    EXPECT_EQ(std::to_string(st.span()->line) + ":" + std::to_string(st.span()->column), expect)
        << e.path() << ": " << st.message();
    ++checked;
  }
  EXPECT_GE(checked, 8);
}

}  // namespace
}  // namespace dbarch::catalog

namespace dbarch::catalog {
namespace {

TEST(Builder, ServerNormalFormsOfDefaultsAndOpclasses) {
  Catalog c = Build(R"sql(
    CREATE TABLE t (
      a time DEFAULT '02:00', b interval DEFAULT interval '4 hours',
      c interval DEFAULT '1 day 30 minutes', d bit(8) DEFAULT B'00000001',
      e boolean DEFAULT 'f', ip inet, pt point);
    CREATE INDEX t_ip ON t USING spgist (ip inet_ops);
    CREATE INDEX t_pt ON t USING spgist (pt quad_point_ops);
    CREATE INDEX t_ip2 ON t USING btree (ip inet_ops);
  )sql");
  const Table& t = T(c, "t");
  EXPECT_EQ(t.FindColumn("a")->default_expr, "'02:00:00'");
  EXPECT_EQ(t.FindColumn("b")->default_expr, "'04:00:00'");
  EXPECT_EQ(t.FindColumn("c")->default_expr, "'1 day 00:30:00'");
  EXPECT_EQ(t.FindColumn("d")->default_expr, "'00000001'");
  EXPECT_EQ(t.FindColumn("e")->default_expr, "false");
  EXPECT_EQ(c.indexes.at({"public", "t_ip"}).keys[0].opclass, "");
  EXPECT_EQ(c.indexes.at({"public", "t_pt"}).keys[0].opclass, "");
  EXPECT_EQ(c.indexes.at({"public", "t_ip2"}).keys[0].opclass, "");
}

TEST(Builder, TypedTablesLikeAndSequenceRenames) {
  Catalog c = Build(R"sql(
    CREATE TYPE address AS (street text, city text);
    CREATE TABLE book OF address (PRIMARY KEY (street), city WITH OPTIONS DEFAULT 'Bonn');
    CREATE TABLE src (id int PRIMARY KEY, title text CHECK (title <> ''), n int GENERATED ALWAYS AS IDENTITY);
    CREATE INDEX ON src (lower(title));
    CREATE TABLE copy (LIKE src INCLUDING ALL);
    CREATE SEQUENCE old_seq;
    CREATE TABLE uses (id bigint DEFAULT nextval('old_seq'));
    ALTER SEQUENCE old_seq RENAME TO new_seq;
    GRANT USAGE ON SEQUENCE src_n_seq TO PUBLIC;
  )sql");
  const Table& book = T(c, "book");
  EXPECT_EQ(book.of_type, (QualifiedName{"public", "address"}));
  ASSERT_EQ(book.columns.size(), 2u);
  EXPECT_TRUE(book.columns[0].not_null);
  EXPECT_EQ(book.columns[1].default_expr, "'Bonn'");
  const Table& copy = T(c, "copy");
  std::vector<std::string> names;
  for (const Constraint& k : copy.constraints) names.push_back(k.name);
  EXPECT_EQ(names, (std::vector<std::string>{"copy_pkey", "src_title_check"}));
  EXPECT_EQ(copy.FindColumn("n")->identity, IdentityKind::kAlways);
  EXPECT_TRUE(c.indexes.count({"public", "copy_lower_idx"}));
  EXPECT_EQ(T(c, "uses").FindColumn("id")->default_expr, "nextval('new_seq')");
  ASSERT_EQ(c.grants.size(), 1u);
  EXPECT_EQ(c.grants[0].object_kind, ObjectKind::kSequence);
}

TEST(Builder, MaterializedViewsTakeTheViewPath) {
  // The same query as a view and as a materialized view gives the same model apart from the
  // kind: output names from the column list or the expressions, relations read, deparsed text
  // and normal form.
  Catalog c = Build(R"sql(
    CREATE TABLE readings (read_at timestamptz, region text, kwh numeric);
    CREATE VIEW v (day, region, total) AS
      SELECT date_trunc('day', read_at), region, sum(kwh) FROM readings GROUP BY 1, 2;
    CREATE MATERIALIZED VIEW mv (day, region, total) AS
      SELECT date_trunc('day', read_at), region, sum(kwh) FROM readings GROUP BY 1, 2
      WITH NO DATA;
    CREATE UNIQUE INDEX ON mv (day, region);
    REFRESH MATERIALIZED VIEW mv;
  )sql");
  const View& v = c.views.at({"public", "v"});
  const View& mv = c.views.at({"public", "mv"});
  EXPECT_TRUE(mv.materialized);
  EXPECT_EQ(mv.columns, (std::vector<std::string>{"day", "region", "total"}));
  EXPECT_EQ(mv.columns, v.columns);
  EXPECT_EQ(mv.relations, v.relations);
  EXPECT_EQ(mv.definition, v.definition);
  EXPECT_EQ(mv.normal_form, v.normal_form);
  EXPECT_TRUE(c.indexes.count({"public", "mv_day_region_idx"}));
  // REFRESH changes data, not schema: kept as a statement the model does not describe.
  ASSERT_EQ(c.others.size(), 1u);
  EXPECT_EQ(c.others[0].kind, "RefreshMatViewStmt");
}

TEST(Builder, ChangedViewBodyWithTheSameColumnsMakesModelsUnequal) {
  const std::string tables = R"sql(
    CREATE TABLE orders (id bigint, channel varchar(20), total numeric, placed_at timestamptz);
  )sql";
  auto with = [&](const std::string& view) { return Build(tables + view); };
  for (const char* kind : {"VIEW", "MATERIALIZED VIEW"}) {
    std::string create = std::string("CREATE ") + kind + " v AS ";
    Catalog base = with(create + "SELECT id, total FROM orders WHERE channel = 'web';");
    // The same query spelled differently (as the server prints it) is the same model.
    EXPECT_EQ(base, with(create + "SELECT orders.id, orders.total FROM orders "
                                  "WHERE ((orders.channel)::text = 'web'::text);"))
        << kind;
    // Same output columns and relations, another body: not the same model.
    Catalog literal = with(create + "SELECT id, total FROM orders WHERE channel = 'shop';");
    Catalog column = with(create + "SELECT id, total FROM orders WHERE channel IS NULL;");
    Catalog order = with(create + "SELECT id, total FROM orders WHERE channel = 'web' ORDER BY 2;");
    Catalog expr =
        with(create + "SELECT id, total * 2 AS total FROM orders WHERE channel = 'web';");
    for (const Catalog* other : {&literal, &column, &order, &expr}) {
      const View& a = base.views.at({"public", "v"});
      const View& b = other->views.at({"public", "v"});
      EXPECT_EQ(a.columns, b.columns) << kind;
      EXPECT_EQ(a.relations, b.relations) << kind;
      EXPECT_FALSE(a == b) << kind << ": " << a.normal_form << " vs " << b.normal_form;
      EXPECT_FALSE(base == *other) << kind;
    }
  }
}

TEST(Builder, ViewReadingAViewKnowsItsColumnTypes) {
  // date_trunc of a date column read through a view: the server prints the implicit cast to
  // timestamptz, which is only known to be implicit from the type of the view's column.
  const std::string tables = R"sql(
    CREATE TABLE sales (id integer PRIMARY KEY, amount numeric(10,2), sale_date date);
    CREATE VIEW daily_sales AS
      SELECT sale_date, SUM(amount) as total FROM sales GROUP BY sale_date;
  )sql";
  Catalog written = Build(tables + R"sql(
    CREATE MATERIALIZED VIEW monthly_sales AS
      SELECT DATE_TRUNC('month', sale_date) as month, SUM(total) as monthly_total
      FROM daily_sales GROUP BY DATE_TRUNC('month', sale_date);
  )sql");
  Catalog server = Build(tables + R"sql(
    CREATE MATERIALIZED VIEW monthly_sales AS
      SELECT date_trunc('month'::text, (daily_sales.sale_date)::timestamp with time zone)
        AS month, sum(daily_sales.total) AS monthly_total
      FROM daily_sales
      GROUP BY (date_trunc('month'::text, (daily_sales.sale_date)::timestamp with time zone));
  )sql");
  EXPECT_EQ(written.views.at({"public", "daily_sales"}).column_types,
            (std::vector<std::string>{"date", "numeric"}));
  EXPECT_EQ(written.views.at({"public", "monthly_sales"}).normal_form,
            server.views.at({"public", "monthly_sales"}).normal_form);
  // Another unit is another query.
  Catalog other = Build(tables + R"sql(
    CREATE MATERIALIZED VIEW monthly_sales AS
      SELECT date_trunc('year', sale_date) as month, SUM(total) as monthly_total
      FROM daily_sales GROUP BY 1;
  )sql");
  EXPECT_NE(written.views.at({"public", "monthly_sales"}).normal_form,
            other.views.at({"public", "monthly_sales"}).normal_form);
}

TEST(Builder, StarFromACteTakesTheCteColumns) {
  // `*` over a CTE expands to the CTE's output columns (or its column list), as the server
  // prints them back.
  const std::string table = "CREATE TABLE users (id bigint PRIMARY KEY, active boolean);";
  Catalog written = Build(table + R"sql(
    CREATE MATERIALIZED VIEW active_users AS
    WITH recent_users AS (SELECT id FROM users WHERE active = true)
    SELECT * FROM recent_users;
    CREATE VIEW renamed AS
    WITH r (user_id) AS (SELECT id, active FROM users) SELECT * FROM r r2;
  )sql");
  Catalog server = Build(table + R"sql(
    CREATE MATERIALIZED VIEW active_users AS
    WITH recent_users AS (SELECT users.id FROM users WHERE (users.active = true))
    SELECT recent_users.id FROM recent_users;
    CREATE VIEW renamed AS
    WITH r (user_id) AS (SELECT users.id, users.active FROM users)
    SELECT r2.user_id, r2.active FROM r r2;
  )sql");
  EXPECT_EQ(written.views.at({"public", "active_users"}).columns, (std::vector<std::string>{"id"}));
  EXPECT_EQ(written.views.at({"public", "renamed"}).columns,
            (std::vector<std::string>{"user_id", "active"}));
  EXPECT_EQ(written, server);
}

TEST(Builder, ViewNormalFormFollowsRenamedColumnsAndTables) {
  // The server's view follows a renamed column or table: the model built from the DDL with the
  // renames equals one built from the renamed names directly (as the server prints them).
  Catalog renamed = Build(R"sql(
    CREATE TABLE orders (id bigint, channel varchar(20));
    CREATE VIEW v AS SELECT id, channel FROM orders WHERE channel = 'web';
    ALTER TABLE orders RENAME COLUMN channel TO sales_channel;
    ALTER TABLE orders RENAME TO sales;
  )sql");
  Catalog direct = Build(R"sql(
    CREATE TABLE sales (id bigint, sales_channel varchar(20));
    CREATE VIEW v AS SELECT sales.id, sales.sales_channel AS channel FROM sales
      WHERE ((sales.sales_channel)::text = 'web'::text);
  )sql");
  EXPECT_EQ(renamed.views.at({"public", "v"}).normal_form,
            direct.views.at({"public", "v"}).normal_form);
  // The definition (rendered by inspect --format sql) follows too, keeping the output name.
  EXPECT_EQ(renamed.views.at({"public", "v"}).definition,
            "SELECT id, sales_channel AS channel FROM sales orders WHERE sales_channel = 'web'");
}

TEST(Builder, CollationsAreModelled) {
  Catalog c = Build(
      "CREATE COLLATION german (provider = icu, locale = 'de-DE');\n"
      "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);\n"
      "CREATE COLLATION bytes (locale = 'C');\n"
      "CREATE COLLATION copy FROM german;\n"
      "COMMENT ON COLLATION german IS 'names';\n"
      "CREATE TABLE t (name text COLLATE german);\n"
      "DROP COLLATION bytes;\n");
  ASSERT_EQ(c.collations.size(), 3u);
  const Collation& g = c.collations.at({"public", "german"});
  EXPECT_EQ(g.provider, "icu");
  EXPECT_EQ(g.locale, "de-DE");
  EXPECT_TRUE(g.deterministic);
  EXPECT_EQ(g.comment, "names");
  EXPECT_FALSE(c.collations.at({"public", "ci"}).deterministic);
  EXPECT_EQ(c.collations.at({"public", "copy"}).locale, "de-DE");
  EXPECT_EQ(T(c, "t").columns[0].collation, "german");
  EXPECT_TRUE(c.others.empty());
  // libc: LOCALE sets both categories, as the server stores them.
  Catalog l = Build(
      "CREATE COLLATION a (locale = 'C'); CREATE COLLATION b (lc_collate = 'C', lc_ctype = 'C');");
  Collation a = l.collations.at({"public", "a"});
  Collation b = l.collations.at({"public", "b"});
  EXPECT_EQ(a.lc_collate, "C");
  EXPECT_EQ(a.lc_ctype, "C");
  a.name = b.name;
  EXPECT_EQ(a, b);
}

TEST(Builder, RolesKeepTheirOriginAndDropRoleIsRemembered) {
  Catalog c =
      Build("CREATE ROLE app; DROP ROLE IF EXISTS old_app; CREATE ROLE gone; DROP ROLE gone;");
  EXPECT_EQ(c.roles.at("app").origin.span.file, "t.sql");
  EXPECT_EQ(c.dropped_roles, (std::vector<std::string>{"gone", "old_app"}));
}

TEST(Builder, NumericAndMoneyDefaultsInTheServersForm) {
  Catalog c = Build(
      "CREATE TABLE m (a numeric(30,20) DEFAULT '0.0000000000123456789', b numeric DEFAULT '7',\n"
      "  c money DEFAULT money '1.999', d money DEFAULT '-1234.5', e text DEFAULT '0.5',\n"
      "  f timestamptz DEFAULT '0001-01-01 00:00:00'::timestamp without time zone,\n"
      "  g interval DEFAULT interval '90' minute);");
  const Table& t = T(c, "m");
  EXPECT_EQ(t.columns[0].default_expr, "0.0000000000123456789");
  EXPECT_EQ(t.columns[1].default_expr, "7");  // the server prints '7'::numeric
  EXPECT_EQ(t.columns[2].default_expr, "'$2.00'");
  EXPECT_EQ(t.columns[3].default_expr, "'-$1,234.50'");
  EXPECT_EQ(t.columns[4].default_expr, "'0.5'");  // text: unchanged
  EXPECT_EQ(t.columns[5].default_expr, "'0001-01-01 00:00:00'::timestamp");
  EXPECT_EQ(t.columns[6].default_expr, "'01:30:00'");
  // The server's own text gives the same model.
  Catalog s = Build(
      "CREATE TABLE m (a numeric(30,20) DEFAULT 0.0000000000123456789, b numeric DEFAULT "
      "'7'::numeric, c money DEFAULT '$2.00'::money, d money DEFAULT '-$1,234.50'::money, e text "
      "DEFAULT '0.5'::text, f timestamptz DEFAULT '0001-01-01 00:00:00'::timestamp without time "
      "zone, g interval DEFAULT '01:30:00'::interval);");
  EXPECT_EQ(s.tables, c.tables);
}

TEST(Builder, FunctionSettingNamesAreCaseInsensitive) {
  Catalog a =
      Build("CREATE FUNCTION f() RETURNS int LANGUAGE sql SET timezone = 'UTC' AS 'SELECT 1';");
  Catalog b = Build(
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET \"TimeZone\" TO 'UTC' AS 'SELECT 1';");
  EXPECT_EQ(a.functions, b.functions);
}

TEST(Builder, IdentitySequenceNamesAndStorageParameterOrder) {
  const std::string ddl =
      "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME app_ids START 5),\n"
      "  n int GENERATED BY DEFAULT AS IDENTITY) WITH (fillfactor = 70, autovacuum_enabled = "
      "off);\n"
      "ALTER SEQUENCE app_ids RENAME TO t_ids;\n"
      "ALTER TABLE t RENAME TO u;\n"
      "ALTER SEQUENCE t_n_seq INCREMENT 2;\n";  // the server keeps the name PostgreSQL gave
  Catalog c = Build(ddl);
  const Table& u = T(c, "u");
  EXPECT_EQ(u.FindColumn("id")->identity_sequence, "t_ids");
  EXPECT_EQ(u.FindColumn("id")->identity_options.start, 5);
  EXPECT_EQ(u.FindColumn("n")->identity_sequence, "t_n_seq");
  EXPECT_EQ(u.FindColumn("n")->identity_options.increment, 2);
  ASSERT_EQ(u.options.size(), 2u);
  EXPECT_EQ(u.options[0].first, "fillfactor");  // as declared, not sorted
  EXPECT_EQ(u.options[1], (std::pair<std::string, std::string>{"autovacuum_enabled", "off"}));
  EXPECT_FALSE(BuildError(ddl + "CREATE TABLE t_ids (x int);").ok());  // the name is taken
  EXPECT_FALSE(BuildError(ddl + "ALTER SEQUENCE u_n_seq RESTART;").ok());
}

// A run of RENAME statements goes through the references index (built once, kept up to date);
// each dependant must end up as a pass over the whole model would leave it.
TEST(Builder, RunOfRenamesFollowsEveryReference) {
  Catalog c = Build(
      "CREATE TABLE p (id int PRIMARY KEY);\n"
      "CREATE TABLE c (id int, p_id int REFERENCES p (id));\n"
      "CREATE TABLE self (id int PRIMARY KEY, parent int REFERENCES self (id));\n"
      "CREATE TABLE kid (extra int) INHERITS (c);\n"
      "CREATE INDEX c_p ON c (p_id);\n"
      "CREATE SEQUENCE s OWNED BY c.id;\n"
      "CREATE VIEW v AS SELECT p_id FROM c;\n"
      "ALTER TABLE p RENAME TO p2;\n"
      "ALTER TABLE c RENAME COLUMN p_id TO parent_id;\n"
      "ALTER TABLE c RENAME TO c2;\n"
      "ALTER TABLE self RENAME TO self2;\n"
      "ALTER TABLE self2 RENAME TO self3;\n"
      "ALTER INDEX c_p RENAME TO c_parent;\n"
      "ALTER TABLE c2 RENAME COLUMN parent_id TO pid;\n"
      "ALTER TABLE p2 RENAME COLUMN id TO key;\n"
      "CREATE TABLE later (x int REFERENCES c2 (id));\n"  // another statement: index dropped
      "ALTER TABLE c2 RENAME TO c3;\n");
  const Table& c3 = T(c, "c3");
  ASSERT_NE(c3.FindColumn("pid"), nullptr);
  bool fk = false;
  for (const Constraint& k : c3.constraints) {
    if (k.kind != ConstraintKind::kForeignKey) continue;
    fk = true;
    EXPECT_EQ(k.ref_table, (QualifiedName{"public", "p2"}));
    EXPECT_EQ(k.ref_columns, (std::vector<std::string>{"key"}));
    EXPECT_EQ(k.columns, (std::vector<std::string>{"pid"}));
  }
  EXPECT_TRUE(fk);
  for (const Constraint& k : T(c, "self3").constraints) {
    if (k.kind == ConstraintKind::kForeignKey) {
      EXPECT_EQ(k.ref_table.name, "self3");
    }
  }
  for (const Constraint& k : T(c, "later").constraints) {
    if (k.kind == ConstraintKind::kForeignKey) {
      EXPECT_EQ(k.ref_table.name, "c3");
    }
  }
  const Table& kid = T(c, "kid");
  EXPECT_EQ(kid.inherits, (std::vector<QualifiedName>{{"public", "c3"}}));
  EXPECT_NE(kid.FindColumn("pid"), nullptr);
  ASSERT_TRUE(c.indexes.count({"public", "c_parent"}));
  const Index& i = c.indexes.at({"public", "c_parent"});
  EXPECT_EQ(i.table.name, "c3");
  EXPECT_EQ(i.keys.at(0).column, "pid");
  EXPECT_EQ(c.sequences.at({"public", "s"}).owned_by_table->name, "c3");
  const View& v = c.views.at({"public", "v"});
  EXPECT_EQ(v.relations, (std::vector<QualifiedName>{{"public", "c3"}}));
  EXPECT_NE(v.definition.find("c3"), std::string::npos) << v.definition;
  EXPECT_NE(v.definition.find("pid"), std::string::npos) << v.definition;
}

TEST(Builder, DroppedMaterializedViewReleasesItsIndexNames) {
  Catalog c = Build(
      "CREATE TABLE t (a int);\n"
      "CREATE MATERIALIZED VIEW m AS SELECT a FROM t;\n"
      "CREATE UNIQUE INDEX m_key ON m (a);\n"
      "DROP MATERIALIZED VIEW m;\n"
      "CREATE MATERIALIZED VIEW m AS SELECT a FROM t;\n"
      "CREATE UNIQUE INDEX m_key ON m (a);\n");
  EXPECT_EQ(c.indexes.count({"public", "m_key"}), 1u);
}

TEST(CatalogBuilder, CommentOnACompositeTypeAttributeIsKeptAsUnmodelled) {
  Catalog c = Build(
      "CREATE TYPE point2 AS (x integer, y integer);\n"
      "COMMENT ON COLUMN point2.x IS 'column number';\n");
  ASSERT_EQ(c.others.size(), 1u);
  EXPECT_EQ(c.others[0].kind, "CommentStmt");
  EXPECT_EQ(c.others[0].name, "point2.x");
  EXPECT_FALSE(BuildError("COMMENT ON COLUMN nowhere.x IS 'no';\n").ok());
}

TEST(Builder, RevokedBuiltinPublicPrivilegesAreRecorded) {
  Catalog c = Build(R"sql(
    CREATE FUNCTION f(x integer) RETURNS integer LANGUAGE sql AS 'SELECT x';
    REVOKE ALL ON FUNCTION f(integer) FROM PUBLIC;
    CREATE FUNCTION back() RETURNS integer LANGUAGE sql AS 'SELECT 1';
    REVOKE EXECUTE ON FUNCTION back() FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION back() TO PUBLIC;
    CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';
    REVOKE EXECUTE ON PROCEDURE p() FROM PUBLIC;
    CREATE TYPE mood AS ENUM ('ok');
    REVOKE USAGE ON TYPE mood FROM PUBLIC;
    CREATE DOMAIN pos AS integer;
    REVOKE ALL ON DOMAIN pos FROM PUBLIC;
    REVOKE ALL ON SCHEMA public FROM PUBLIC;
    CREATE TABLE t (id integer);
    REVOKE ALL ON TABLE t FROM PUBLIC;
    ALTER TYPE mood RENAME TO feeling;
    CREATE FUNCTION gone() RETURNS integer LANGUAGE sql AS 'SELECT 1';
    REVOKE EXECUTE ON FUNCTION gone() FROM PUBLIC;
    DROP FUNCTION gone();
    ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
    CREATE FUNCTION later() RETURNS integer LANGUAGE sql AS 'SELECT 1';
  )sql");
  std::vector<std::string> got;
  for (const Grant& g : c.revoked_defaults) {
    got.push_back(std::string(ObjectKindName(g.object_kind)) + " " + g.object + " " + g.privilege +
                  " " + g.grantee);
  }
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{
                     "function public.f(integer) EXECUTE PUBLIC",
                     "function public.later() EXECUTE PUBLIC",
                     "function public.p() EXECUTE PUBLIC",
                     "schema public USAGE PUBLIC",
                     "type public.feeling USAGE PUBLIC",
                     "type public.pos USAGE PUBLIC",
                 }));
  // A grant of the built-in privilege is not an extra grant.
  for (const Grant& g : c.grants) EXPECT_NE(g.grantee, "PUBLIC") << g.object;
}

TEST(Builder, FunctionCostAndRowsKeepOnlyWhatDiffersFromTheDefaults) {
  Catalog c = Build(R"sql(
    CREATE FUNCTION a() RETURNS integer LANGUAGE sql AS 'SELECT 1' COST 100;
    CREATE FUNCTION b() RETURNS SETOF integer LANGUAGE sql AS 'SELECT 1' COST 2.5 ROWS 1000;
    CREATE FUNCTION c() RETURNS SETOF integer LANGUAGE sql AS 'SELECT 1' ROWS 1000000;
    CREATE FUNCTION d() RETURNS integer LANGUAGE sql AS 'SELECT 1';
    ALTER FUNCTION d() COST 7;
  )sql");
  EXPECT_EQ(c.functions.at("public.a()").cost, "");
  EXPECT_EQ(c.functions.at("public.b()").cost, "2.5");
  EXPECT_EQ(c.functions.at("public.b()").rows, "");
  EXPECT_EQ(c.functions.at("public.c()").rows, "1e+06");
  EXPECT_EQ(c.functions.at("public.d()").cost, "7");
}

TEST(BuilderAggregates, SpellingsOfOneAggregateGiveOneModel) {
  // As written by hand (search path, bare built-ins, a number) and as pg_dump writes it.
  Catalog a = Build(R"sql(
    CREATE FUNCTION join_step(acc text, item text) RETURNS text LANGUAGE sql AS 'SELECT acc';
    CREATE AGGREGATE joined(text) (SFUNC = join_step, STYPE = text, INITCOND = 0,
                                   FINALFUNC = upper, PARALLEL = safe);
    CREATE AGGREGATE top(integer) (SFUNC = int4larger, STYPE = int4, SORTOP = >);
    CREATE AGGREGATE pct(float8 ORDER BY numeric) (SFUNC = array_append, STYPE = numeric[],
                                                    FINALFUNC = max, FINALFUNC_MODIFY = read_write);
    CREATE AGGREGATE tally (BASETYPE = 'ANY', SFUNC = int8inc, STYPE = bigint);
  )sql");
  Catalog b = Build(R"sql(
    CREATE FUNCTION public.join_step(acc text, item text) RETURNS text LANGUAGE sql AS 'SELECT acc';
    CREATE AGGREGATE public.joined(text) (SFUNC = public.join_step, STYPE = text,
                                          INITCOND = '0', FINALFUNC = pg_catalog.upper,
                                          PARALLEL = SAFE);
    CREATE AGGREGATE public.top(integer) (SFUNC = int4larger, STYPE = integer,
                                          SORTOP = OPERATOR(pg_catalog.>));
    CREATE AGGREGATE public.pct(double precision ORDER BY numeric) (
        SFUNC = array_append, STYPE = numeric[], FINALFUNC = max);
    CREATE AGGREGATE public.tally(*) (SFUNC = int8inc, STYPE = bigint);
  )sql");
  EXPECT_EQ(a, b);
  ASSERT_TRUE(a.functions.count("public.joined(text)"));
  const Function& j = a.functions.at("public.joined(text)");
  ASSERT_TRUE(j.aggregate.has_value());
  EXPECT_EQ(j.aggregate->sfunc, (QualifiedName{"public", "join_step"}));
  EXPECT_EQ(j.aggregate->finalfunc, (QualifiedName{"pg_catalog", "upper"}));
  EXPECT_EQ(j.aggregate->initcond, std::optional<std::string>("0"));
  EXPECT_EQ(j.parallel, "SAFE");
  ASSERT_TRUE(a.functions.count("public.pct(double precision, numeric)"));
  const Function& p = a.functions.at("public.pct(double precision, numeric)");
  EXPECT_EQ(p.aggregate->kind, 'o');
  EXPECT_EQ(p.aggregate->direct_args, 1);
  EXPECT_EQ(p.aggregate->final_modify, "");  // READ_WRITE is the ordered-set default
  EXPECT_EQ(a.functions.at("public.top(integer)").aggregate->sortop, ">");
  EXPECT_TRUE(a.functions.count("public.tally()"));
}

TEST(BuilderAggregates, AlterDropCommentAndGrantReachAggregates) {
  Catalog c = Build(R"sql(
    CREATE ROLE analyst;
    CREATE SCHEMA stats;
    CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer);
    CREATE AGGREGATE gone(integer) (SFUNC = int4pl, STYPE = integer);
    CREATE AGGREGATE pct(float8 ORDER BY numeric) (SFUNC = array_append, STYPE = numeric[],
                                                    FINALFUNC = max);
    ALTER AGGREGATE total(integer) RENAME TO sum_all;
    ALTER AGGREGATE sum_all(integer) SET SCHEMA stats;
    ALTER AGGREGATE stats.sum_all(integer) OWNER TO analyst;
    COMMENT ON AGGREGATE stats.sum_all(integer) IS 'all of it';
    COMMENT ON AGGREGATE pct(float8 ORDER BY numeric) IS 'percentile';
    DROP AGGREGATE gone(integer);
    REVOKE EXECUTE ON FUNCTION stats.sum_all(integer) FROM PUBLIC;
    GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA stats TO PUBLIC;
    GRANT EXECUTE ON FUNCTION pct(double precision, numeric) TO analyst;
    CREATE OR REPLACE AGGREGATE pct(float8 ORDER BY numeric) (SFUNC = array_append,
                                                              STYPE = numeric[], FINALFUNC = min);
  )sql");
  EXPECT_FALSE(c.functions.count("public.gone(integer)"));
  EXPECT_FALSE(c.functions.count("public.total(integer)"));
  ASSERT_TRUE(c.functions.count("stats.sum_all(integer)"));
  const Function& s = c.functions.at("stats.sum_all(integer)");
  EXPECT_EQ(s.owner, "analyst");
  EXPECT_EQ(s.comment, "all of it");
  // PUBLIC's EXECUTE given back by ON ALL FUNCTIONS: nothing recorded.
  EXPECT_TRUE(c.revoked_defaults.empty());
  const Function& p = c.functions.at("public.pct(double precision, numeric)");
  EXPECT_EQ(p.comment, "percentile");  // kept by CREATE OR REPLACE
  EXPECT_EQ(p.aggregate->finalfunc, (QualifiedName{"pg_catalog", "min"}));
  EXPECT_EQ(c.grants,
            (std::vector<Grant>{{ObjectKind::kFunction, "public.pct(double precision, numeric)", "",
                                 "analyst", "EXECUTE", false}}));
}

TEST(BuilderGrants, AllFunctionsLeavesProceduresAndAllProceduresLeavesFunctions) {
  Catalog c = Build(R"sql(
    CREATE ROLE app;
    CREATE SCHEMA s;
    CREATE FUNCTION s.f() RETURNS integer LANGUAGE sql AS 'SELECT 1';
    CREATE PROCEDURE s.p() LANGUAGE sql AS 'SELECT 1';
    CREATE AGGREGATE s.total(integer) (SFUNC = int4pl, STYPE = integer);
    GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA s TO app;
    REVOKE EXECUTE ON ALL PROCEDURES IN SCHEMA s FROM PUBLIC;
  )sql");
  // As the server does: ALL FUNCTIONS takes aggregates, not procedures; ALL PROCEDURES
  // only procedures.
  EXPECT_EQ(c.grants, (std::vector<Grant>{
                          {ObjectKind::kFunction, "s.f()", "", "app", "EXECUTE", false},
                          {ObjectKind::kFunction, "s.total(integer)", "", "app", "EXECUTE", false},
                      }));
  ASSERT_EQ(c.revoked_defaults.size(), 1u);
  EXPECT_EQ(c.revoked_defaults[0].object, "s.p()");
  Catalog r = Build(R"sql(
    CREATE ROLE app;
    CREATE SCHEMA s;
    CREATE FUNCTION s.f() RETURNS integer LANGUAGE sql AS 'SELECT 1';
    CREATE PROCEDURE s.p() LANGUAGE sql AS 'SELECT 1';
    GRANT EXECUTE ON ALL ROUTINES IN SCHEMA s TO app;
  )sql");
  EXPECT_EQ(r.grants.size(), 2u);
}

TEST(Builder, CommentsOnDomainConstraintsAndExtensions) {
  Catalog c = Build(R"sql(
    CREATE EXTENSION citext;
    CREATE EXTENSION hstore;
    COMMENT ON EXTENSION citext IS 'emails';
    COMMENT ON EXTENSION hstore IS NULL;
    CREATE DOMAIN pos AS integer CONSTRAINT pos_check CHECK (VALUE > 0);
    COMMENT ON CONSTRAINT pos_check ON DOMAIN pos IS 'above zero';
  )sql");
  EXPECT_EQ(c.extensions.at("citext").comment, std::optional<std::string>("emails"));
  EXPECT_EQ(c.extensions.at("hstore").comment, std::optional<std::string>(""));
  EXPECT_EQ(c.types.at({"public", "pos"}).constraints.at(0).comment, "above zero");
  EXPECT_TRUE(c.others.empty());
}

}  // namespace
}  // namespace dbarch::catalog

namespace dbarch::catalog {
namespace {

std::vector<std::string> Rows(const std::vector<Grant>& grants) {
  std::vector<std::string> out;
  for (const Grant& g : grants) {
    out.push_back(std::string(ObjectKindName(g.object_kind)) + " " + g.object +
                  (g.column.empty() ? "" : "(" + g.column + ")") + " " + g.grantee + " " +
                  g.privilege + (g.with_grant_option ? " *" : ""));
  }
  return out;
}

// The owner's own privileges: a REVOKE from the owner is kept, a GRANT back records nothing,
// and an owner change moves them (and the old owner's column grants) to the new owner, merged
// with what the new owner was granted, as the server's aclnewowner does.
TEST(BuilderPrivileges, OwnerRevokesFollowTheOwner) {
  Catalog c = Build(
      "CREATE TABLE t (a int);\n"
      "ALTER TABLE t OWNER TO alice;\n"
      "REVOKE ALL ON TABLE t FROM alice;\n"
      "GRANT SELECT, INSERT, REFERENCES, TRIGGER, TRUNCATE ON TABLE t TO alice;\n"
      "GRANT UPDATE (a) ON t TO alice;\n"
      "GRANT DELETE ON t TO bob;\n"
      "ALTER TABLE t OWNER TO bob;\n");
  EXPECT_EQ(Rows(c.grants), std::vector<std::string>{"table public.t(a) bob UPDATE"});
  EXPECT_EQ(Rows(c.revoked_defaults), std::vector<std::string>{"table public.t bob UPDATE"});
  Catalog back = Build(
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
      "REVOKE EXECUTE ON FUNCTION f() FROM CURRENT_USER;\n"
      "GRANT EXECUTE ON FUNCTION f() TO CURRENT_USER;\n"
      "CREATE TABLE t2 (a int);\n"
      "GRANT SELECT ON TABLE t2 TO CURRENT_USER;\n");
  EXPECT_TRUE(back.revoked_defaults.empty());
  EXPECT_TRUE(back.grants.empty());
}

// Privileges on the database: every name stands for the database the schema is loaded into;
// TEMP is TEMPORARY; the DO block diff writes reads back as its statement.
TEST(BuilderPrivileges, DatabaseNamesStandForTheCurrentDatabase) {
  Catalog c = Build(
      "REVOKE CONNECT, TEMP ON DATABASE appdb FROM PUBLIC;\n"
      "GRANT CONNECT ON DATABASE \"Other\" TO app;\n"
      "DO $$BEGIN EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO app WITH GRANT OPTION', "
      "current_database()); END$$;\n"
      "REVOKE USAGE ON LANGUAGE plpgsql FROM PUBLIC;\n"
      "GRANT USAGE ON LANGUAGE sql TO app;\n");
  EXPECT_EQ(Rows(c.grants),
            (std::vector<std::string>{"database current_database() app CONNECT",
                                      "database current_database() app TEMPORARY *"}));
  EXPECT_EQ(Rows(c.revoked_defaults),
            (std::vector<std::string>{"language plpgsql PUBLIC USAGE",
                                      "database current_database() PUBLIC CONNECT",
                                      "database current_database() PUBLIC TEMPORARY"}));
  // The built-in language sql's privileges are not in a dump: not modelled.
  ASSERT_EQ(c.others.size(), 1u);
  EXPECT_EQ(c.others[0].name, "sql");
}

}  // namespace
}  // namespace dbarch::catalog
