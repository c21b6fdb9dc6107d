#include "pg/schema_dump.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pg/connection.h"
#include "sandbox/test_util.h"

// Targeted checks of DumpSchemaSql against the shared sandbox; the whole-fixture round trips
// are in introspect_test.cc.

namespace dbarch::pg {
namespace {

// A new database in the shared sandbox, loaded with `ddl`; returns a read-only connection.
Result<Connection> DatabaseWith(const std::string& name, const std::string& ddl) {
  DBARCH_ASSIGN_OR_RETURN(sandbox::Sandbox * sb, sandbox::test_util::SharedSandbox());
  DBARCH_RETURN_IF_ERROR(sb->CreateDatabase(name));
  ConnectOptions options;
  options.conninfo = sb->ConnInfo() + " dbname=" + name;  // the last dbname wins
  options.read_only = false;
  {
    DBARCH_ASSIGN_OR_RETURN(Connection writer, Connection::Open(options));
    DBARCH_RETURN_IF_ERROR(writer.ExecScript(ddl));
  }
  options.read_only = true;
  return Connection::Open(options);
}

std::string Dump(Connection& conn, DumpOptions options = {}) {
  Result<std::string> dump = DumpSchemaSql(conn, options);
  EXPECT_TRUE(dump.ok()) << dump.status().ToString();
  return dump.ok() ? *dump : std::string();
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Byte offset of `part` in `text`; fails the test when absent.
size_t PositionOf(const std::string& text, const std::string& part) {
  size_t pos = text.find(part);
  EXPECT_NE(pos, std::string::npos) << "missing: " << part << "\nin:\n" << text;
  return pos;
}

TEST(DumpSchemaSql, LeavesOutExtensionMembersAndImplicitObjects) {
  Result<Connection> conn = DatabaseWith("dump_ext", R"sql(
    CREATE EXTENSION citext;
    CREATE TYPE public.span AS RANGE (subtype = integer);
    CREATE TABLE public.person (email citext NOT NULL, during public.span);
  )sql");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  std::string dump = Dump(*conn);
  EXPECT_TRUE(Contains(dump, "CREATE EXTENSION citext WITH SCHEMA public;")) << dump;
  EXPECT_TRUE(Contains(dump,
                       "CREATE TYPE public.span AS RANGE (subtype = integer, "
                       "multirange_type_name = public.span_multirange);"))
      << dump;
  // citext's functions and the range's constructor functions belong to other objects.
  EXPECT_FALSE(Contains(dump, "FUNCTION public.citext")) << dump;
  EXPECT_FALSE(Contains(dump, "FUNCTION public.span(")) << dump;
  EXPECT_FALSE(Contains(dump, "not dumped")) << dump;
}

TEST(DumpSchemaSql, OrdersObjectsByDependencies) {
  // A SQL function returning a table's rows must follow the table; a view selecting
  // columns functionally dependent on a grouped primary key must follow the key; a table
  // whose default calls a function must follow the function.
  Result<Connection> conn = DatabaseWith("dump_order", R"sql(
    CREATE FUNCTION public.next_code() RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;
    CREATE TABLE public.item (id integer PRIMARY KEY, code text DEFAULT public.next_code(),
                              price numeric);
    CREATE FUNCTION public.items() RETURNS SETOF public.item LANGUAGE sql
      BEGIN ATOMIC SELECT * FROM public.item; END;
    CREATE VIEW public.item_total AS
      SELECT i.id, i.code, sum(i.price) AS total FROM public.item i GROUP BY i.id;
  )sql");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  std::string dump = Dump(*conn);
  size_t next_code = PositionOf(dump, "FUNCTION public.next_code()");
  size_t table = PositionOf(dump, "CREATE TABLE public.item (");
  size_t items = PositionOf(dump, "FUNCTION public.items()");
  size_t key = PositionOf(dump, "ADD CONSTRAINT item_pkey PRIMARY KEY (id);");
  size_t view = PositionOf(dump, "CREATE VIEW public.item_total AS");
  EXPECT_LT(next_code, table);
  EXPECT_LT(table, items);
  EXPECT_LT(key, view);
}

TEST(DumpSchemaSql, PartitionsListOnlyWhatDiffersFromTheParent) {
  Result<Connection> conn = DatabaseWith("dump_partitions", R"sql(
    CREATE TABLE public.event (id bigint NOT NULL, kind text NOT NULL DEFAULT 'new',
                               at date NOT NULL, CHECK (id > 0)) PARTITION BY RANGE (at);
    CREATE TABLE public.event_2024 PARTITION OF public.event (
      kind DEFAULT 'imported', CONSTRAINT event_2024_kind CHECK (kind <> '')
    ) FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE INDEX event_at_idx ON public.event (at);
  )sql");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  std::string dump = Dump(*conn);
  EXPECT_TRUE(Contains(dump,
                       "CREATE TABLE public.event_2024 PARTITION OF public.event (\n"
                       "    kind DEFAULT 'imported'::text,\n"
                       "    CONSTRAINT event_2024_kind CHECK ((kind <> ''::text))\n)\n"
                       "    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"))
      << dump;
  // The parent's index is written without ONLY; the partition's clone is not written.
  EXPECT_TRUE(Contains(dump, "CREATE INDEX event_at_idx ON public.event USING btree (at);"))
      << dump;
  EXPECT_FALSE(Contains(dump, "event_2024_at_idx")) << dump;
  // The inherited CHECK is the parent's only.
  EXPECT_EQ(dump.find("event_id_check"), dump.rfind("event_id_check")) << dump;
}

TEST(DumpSchemaSql, ConnectingUserIsWhoeverRunsTheDdl) {
  Result<Connection> conn = DatabaseWith("dump_owner", R"sql(
    CREATE ROLE dump_owner_app NOLOGIN;
    CREATE TABLE public.mine (id integer);
    CREATE TABLE public.theirs (id integer);
    ALTER TABLE public.theirs OWNER TO dump_owner_app;
    ALTER TABLE public.mine ENABLE ROW LEVEL SECURITY;
    CREATE POLICY own ON public.mine TO CURRENT_USER, dump_owner_app USING (true);
    CREATE FUNCTION public.secret() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
    REVOKE EXECUTE ON FUNCTION public.secret() FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION public.secret() TO dump_owner_app;
    GRANT SELECT (id) ON public.mine TO dump_owner_app;
  )sql");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  std::string dump = Dump(*conn);
  EXPECT_TRUE(Contains(dump, "CREATE ROLE dump_owner_app NOSUPERUSER")) << dump;
  EXPECT_TRUE(Contains(dump, "ALTER TABLE public.theirs OWNER TO dump_owner_app;")) << dump;
  EXPECT_FALSE(Contains(dump, "ALTER TABLE public.mine OWNER")) << dump;
  EXPECT_FALSE(Contains(dump, "CREATE ROLE postgres")) << dump;
  EXPECT_TRUE(Contains(dump,
                       "CREATE POLICY own ON public.mine AS PERMISSIVE FOR ALL TO "
                       "dump_owner_app, CURRENT_USER USING (true);"))
      << dump;
  EXPECT_TRUE(Contains(dump,
                       "REVOKE EXECUTE ON FUNCTION public.secret() FROM PUBLIC;\n"
                       "GRANT EXECUTE ON FUNCTION public.secret() TO dump_owner_app;"))
      << dump;
  EXPECT_TRUE(Contains(dump, "GRANT SELECT (id) ON TABLE public.mine TO dump_owner_app;")) << dump;
}

TEST(DumpSchemaSql, RevokesPublicDefaultsWhenOnlyTheOwnerEntryIsLeft) {
  Result<Connection> conn = DatabaseWith("dump_public_defaults", R"sql(
    CREATE FUNCTION public.closed() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
    REVOKE ALL ON FUNCTION public.closed() FROM PUBLIC;
    CREATE TYPE public.pair AS (a integer, b integer);
    REVOKE USAGE ON TYPE public.pair FROM PUBLIC;
    REVOKE ALL ON SCHEMA public FROM PUBLIC;
    CREATE EXTENSION hstore;
    COMMENT ON EXTENSION hstore IS NULL;
    CREATE FUNCTION public.estimated() RETURNS SETOF integer LANGUAGE sql
      AS $$ SELECT 1 $$ COST 7 ROWS 70;
  )sql");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  std::string dump = Dump(*conn);
  EXPECT_TRUE(Contains(dump, "REVOKE EXECUTE ON FUNCTION public.closed() FROM PUBLIC;")) << dump;
  EXPECT_TRUE(Contains(dump, "REVOKE USAGE ON TYPE public.pair FROM PUBLIC;")) << dump;
  EXPECT_TRUE(Contains(dump, "REVOKE USAGE ON SCHEMA public FROM PUBLIC;")) << dump;
  EXPECT_TRUE(Contains(dump, "COMMENT ON EXTENSION hstore IS NULL;")) << dump;
  EXPECT_TRUE(Contains(dump, " COST 7")) << dump;
  EXPECT_TRUE(Contains(dump, " ROWS 70")) << dump;
}

TEST(DumpSchemaSql, ListsWhatItDoesNotModel) {
  Result<Connection> conn = DatabaseWith("dump_unsupported", R"sql(
    CREATE FUNCTION public.same(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE
      AS $$ SELECT $1 = $2 $$;
    CREATE OPERATOR public.=== (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.same);
  )sql");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  std::string dump = Dump(*conn);
  EXPECT_TRUE(Contains(dump, "-- not dumped: operator public.===\n")) << dump;
  EXPECT_TRUE(Contains(dump, "FUNCTION public.same(integer, integer)")) << dump;
}

TEST(DumpSchemaSql, SchemaFiltersAndSessionSettings) {
  Result<Connection> conn = DatabaseWith("dump_filters", R"sql(
    CREATE SCHEMA keep;
    CREATE SCHEMA skip;
    CREATE TABLE keep.a (id integer);
    CREATE TABLE skip.b (id integer);
  )sql");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  DumpOptions only_keep;
  only_keep.include_schemas = {"keep"};
  only_keep.session_settings = false;
  only_keep.include_roles = false;
  std::string dump = Dump(*conn, only_keep);
  EXPECT_TRUE(Contains(dump, "CREATE TABLE keep.a (")) << dump;
  EXPECT_FALSE(Contains(dump, "skip")) << dump;
  EXPECT_FALSE(Contains(dump, "SET check_function_bodies")) << dump;

  DumpOptions not_skip;
  not_skip.exclude_schemas = {"skip"};
  dump = Dump(*conn, not_skip);
  EXPECT_TRUE(Contains(dump, "SET check_function_bodies = false;")) << dump;
  EXPECT_TRUE(Contains(dump, "CREATE SCHEMA keep;")) << dump;
  EXPECT_FALSE(Contains(dump, "skip")) << dump;
}

TEST(DumpSchemaSql, DoesNotDependOnTheCallersSessionSettings) {
  Result<Connection> conn = DatabaseWith("dump_settings", R"sql(
    CREATE SCHEMA app;
    CREATE TABLE app.t (at timestamptz DEFAULT '2024-01-01 00:00:00+00',
                        d interval DEFAULT '1 day 2 hours') PARTITION BY RANGE (at);
    CREATE TABLE app.t_2024 PARTITION OF app.t
      FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2025-01-01 00:00:00+00');
  )sql");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  std::string plain = Dump(*conn);
  Result<QueryResult> set = conn->Exec(
      "SET TimeZone = 'Asia/Tokyo'; SET search_path = app, public; "
      "SET DateStyle = 'German'; SET IntervalStyle = 'sql_standard'");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(Dump(*conn), plain);
  EXPECT_TRUE(Contains(plain,
                       "FOR VALUES FROM ('2024-01-01 00:00:00+00') TO "
                       "('2025-01-01 00:00:00+00');"))
      << plain;
}

}  // namespace
}  // namespace dbarch::pg
