#include "sql/view_normalizer.h"

#include <gtest/gtest.h>

#include <map>

namespace dbarch::sql {
namespace {

// A shop schema as a model would describe it: columns with internal type names.
const std::map<std::string, std::vector<std::pair<std::string, std::string>>>& ShopColumns() {
  static const auto* tables =
      new std::map<std::string, std::vector<std::pair<std::string, std::string>>>{
          {"customers",
           {{"id", "int8"},
            {"name", "varchar"},
            {"email", "text"},
            {"tier", "bpchar"},
            {"created_at", "date"}}},
          {"orders",
           {{"id", "int8"},
            {"customer_id", "int8"},
            {"status", "order_status"},
            {"channel", "varchar"},
            {"total", "numeric"},
            {"qty", "int4"},
            {"placed_at", "timestamptz"}}},
          {"archive.orders", {{"id", "int8"}, {"total", "numeric"}}},
          {"hoge", {{"amount", "text"}, {"hoge_type", "text"}, {"payload", "jsonb"}}},
          {"sales", {{"id", "int4"}, {"amount", "numeric"}, {"sale_date", "date"}}},
          // A view: its columns' types as the normaliser infers them from its own query.
          {"daily_sales", {{"sale_date", "date"}, {"total", "numeric"}}},
          {"users", {{"id", "int8"}, {"active", "bool"}}},
          {"points",
           {{"id", "int8"},
            {"created_at", "timestamp"},
            {"main_type", "text"},
            {"sub_type", "text"},
            {"user_id", "int8"}}},
      };
  return *tables;
}

QueryHints ShopHints() {
  QueryHints h;
  h.relation = [](const std::vector<std::string>& parts) -> std::optional<QueryRelation> {
    std::string schema = parts.size() >= 2 ? parts[parts.size() - 2] : "public";
    std::string key = schema == "public" ? parts.back() : schema + "." + parts.back();
    auto it = ShopColumns().find(key);
    if (it == ShopColumns().end()) return std::nullopt;
    return QueryRelation{schema, parts.back(), it->second};
  };
  h.composite_columns = [](const PgQuery__FuncCall* f) -> std::vector<std::string> {
    if (f->n_funcname > 0 && StrVal(f->funcname[f->n_funcname - 1]) == "masked") {
      return {"id", "name"};
    }
    return {};
  };
  return h;
}

std::string Norm(const std::string& sql) {
  QueryHints hints = ShopHints();
  auto r = NormalizeViewQueryText(sql, hints);
  EXPECT_TRUE(r.ok()) << sql << ": " << r.status().message();
  return r.ok() ? *r : "";
}

// Each pair: the query as written, and pg_get_viewdef() of a view made from it on
// PostgreSQL 15 (orders.channel and customers.name are varchar, customers.tier char(1)).
TEST(ViewNormalForm, GroupByOrdinalsAndLiteralCasts) {
  EXPECT_EQ(Norm("SELECT date_trunc('day', placed_at) AS day, status, count(*), sum(total) "
                 "FROM orders GROUP BY 1, 2"),
            Norm(" SELECT date_trunc('day'::text, orders.placed_at) AS day,\n    orders.status,\n"
                 "    count(*) AS count,\n    sum(orders.total) AS sum\n   FROM orders\n"
                 "  GROUP BY (date_trunc('day'::text, orders.placed_at)), orders.status;"));
}

TEST(ViewNormalForm, JoinsWithAliasesVarcharAndCharFilters) {
  EXPECT_EQ(Norm("SELECT c.name, o.total, o.placed_at FROM orders o JOIN customers c ON c.id = "
                 "o.customer_id WHERE o.channel = 'web' AND c.tier = 'a' ORDER BY 3 DESC"),
            Norm("SELECT c.name, o.total, o.placed_at FROM (orders o JOIN customers c ON ((c.id "
                 "= o.customer_id))) WHERE (((o.channel)::text = 'web'::text) AND (c.tier = "
                 "'a'::bpchar)) ORDER BY o.placed_at DESC"));
  // Aliases do not matter, the relation does.
  EXPECT_EQ(Norm("SELECT x.total FROM orders x"), Norm("SELECT orders.total FROM orders"));
  EXPECT_NE(Norm("SELECT total FROM orders"), Norm("SELECT total FROM archive.orders"));
}

TEST(ViewNormalForm, StarExpansion) {
  EXPECT_EQ(Norm("SELECT * FROM customers"),
            Norm("SELECT customers.id, customers.name, customers.email, customers.tier, "
                 "customers.created_at FROM customers"));
  EXPECT_EQ(Norm("SELECT o.*, c.name FROM orders o JOIN customers c ON c.id = o.customer_id"),
            Norm("SELECT o.id, o.customer_id, o.status, o.channel, o.total, o.qty, o.placed_at, "
                 "c.name FROM (orders o JOIN customers c ON ((c.id = o.customer_id)))"));
  EXPECT_EQ(Norm("SELECT * FROM orders JOIN (SELECT id AS customer_id, name FROM customers) s "
                 "USING (customer_id)"),
            Norm("SELECT orders.customer_id, orders.id, orders.status, orders.channel, "
                 "orders.total, orders.qty, orders.placed_at, s.name FROM (orders JOIN ( SELECT "
                 "customers.id AS customer_id, customers.name FROM customers) s USING "
                 "(customer_id))"));
}

TEST(ViewNormalForm, CteSubqueriesAndLateral) {
  EXPECT_EQ(Norm("WITH big AS (SELECT customer_id, sum(total) AS spent FROM orders GROUP BY "
                 "customer_id) SELECT c.name, big.spent FROM big JOIN customers c ON c.id = "
                 "big.customer_id WHERE spent > 100"),
            Norm("WITH big AS ( SELECT orders.customer_id, sum(orders.total) AS spent FROM orders "
                 "GROUP BY orders.customer_id ) SELECT c.name, big.spent FROM (big JOIN customers "
                 "c ON ((c.id = big.customer_id))) WHERE (big.spent > (100)::numeric)"));
  EXPECT_EQ(Norm("SELECT id, (SELECT count(*) FROM orders o WHERE o.customer_id = customers.id) "
                 "AS n FROM customers WHERE EXISTS (SELECT 1 FROM orders WHERE "
                 "orders.customer_id = customers.id AND qty > 2)"),
            Norm("SELECT customers.id, ( SELECT count(*) AS count FROM orders o WHERE "
                 "(o.customer_id = customers.id)) AS n FROM customers WHERE (EXISTS ( SELECT 1 "
                 "FROM orders WHERE ((orders.customer_id = customers.id) AND (orders.qty > 2))))"));
  EXPECT_EQ(Norm("SELECT id FROM orders WHERE total > (SELECT avg(total) FROM orders)"),
            Norm("SELECT orders.id FROM orders WHERE (orders.total > ( SELECT "
                 "avg(orders_1.total) AS avg FROM orders orders_1))"));
  EXPECT_EQ(Norm("SELECT c.id, x.total FROM customers c, LATERAL (SELECT total FROM orders WHERE "
                 "orders.customer_id = c.id ORDER BY placed_at DESC LIMIT 1) x"),
            Norm("SELECT c.id, x.total FROM customers c, LATERAL ( SELECT orders.total FROM "
                 "orders WHERE (orders.customer_id = c.id) ORDER BY orders.placed_at DESC LIMIT "
                 "1) x"));
}

TEST(ViewNormalForm, UnionCaseWindowAndFunctions) {
  EXPECT_EQ(Norm("SELECT name FROM customers UNION SELECT email FROM customers UNION ALL SELECT "
                 "'x'"),
            Norm("( SELECT customers.name FROM customers UNION SELECT customers.email AS name "
                 "FROM customers) UNION ALL SELECT 'x'::character varying AS name"));
  EXPECT_EQ(Norm("SELECT id, CASE WHEN status = 'paid' THEN total ELSE 0 END AS paid_total, CASE "
                 "channel WHEN 'web' THEN 1 ELSE 2 END AS ch FROM orders WHERE channel IN "
                 "('web', 'shop') AND total BETWEEN 1 AND 100 AND channel LIKE 'w%'"),
            Norm("SELECT orders.id, CASE WHEN (orders.status = 'paid'::order_status) THEN "
                 "orders.total ELSE (0)::numeric END AS paid_total, CASE orders.channel WHEN "
                 "'web'::text THEN 1 ELSE 2 END AS ch FROM orders WHERE (((orders.channel)::text "
                 "= ANY ((ARRAY['web'::character varying, 'shop'::character varying])::text[])) "
                 "AND ((orders.total >= (1)::numeric) AND (orders.total <= (100)::numeric)) AND "
                 "((orders.channel)::text ~~ 'w%'::text))"));
  EXPECT_EQ(Norm("SELECT customer_id, placed_at, row_number() OVER (PARTITION BY customer_id "
                 "ORDER BY placed_at DESC) AS rn, sum(total) OVER w AS running FROM orders "
                 "WINDOW w AS (PARTITION BY customer_id ORDER BY placed_at)"),
            Norm("SELECT orders.customer_id, orders.placed_at, row_number() OVER (PARTITION BY "
                 "orders.customer_id ORDER BY orders.placed_at DESC) AS rn, sum(orders.total) "
                 "OVER w AS running FROM orders WINDOW w AS (PARTITION BY orders.customer_id "
                 "ORDER BY orders.placed_at)"));
  EXPECT_EQ(
      Norm("SELECT orders.id, round(total / qty, 2) AS unit, qty * 2.5 AS x, total * qty AS y, "
           "sum(qty) OVER () / count(*) OVER () AS avgq, created_at - 1 AS d, lower(name) AS ln, "
           "name || '!' AS nm, coalesce(email, name) AS em FROM customers, orders WHERE "
           "customers.id = orders.customer_id AND qty > -1 AND tier = 'a' AND "
           "date_trunc('month', created_at) > '2024-01-01'"),
      Norm(
          "SELECT orders.id, round((orders.total / (orders.qty)::numeric), 2) AS unit, "
          "((orders.qty)::numeric * 2.5) AS x, (orders.total * (orders.qty)::numeric) AS y, "
          "(sum(orders.qty) OVER () / count(*) OVER ()) AS avgq, (customers.created_at - 1) AS d, "
          "lower((customers.name)::text) AS ln, ((customers.name)::text || '!'::text) AS nm, "
          "COALESCE(customers.email, (customers.name)::text) AS em FROM customers, orders WHERE "
          "((customers.id = orders.customer_id) AND (orders.qty > '-1'::integer) AND "
          "(customers.tier = 'a'::bpchar) AND (date_trunc('month'::text, "
          "(customers.created_at)::timestamp with time zone) > '2024-01-01 00:00:00+00'::timestamp "
          "with time zone))"));
}

TEST(ViewNormalForm, OrderByOutputNamesDistinctOnAndConstants) {
  EXPECT_EQ(Norm("SELECT channel AS ch, count(*) AS n FROM orders GROUP BY ch ORDER BY n DESC, ch "
                 "LIMIT 5"),
            Norm("SELECT orders.channel AS ch, count(*) AS n FROM orders GROUP BY orders.channel "
                 "ORDER BY (count(*)) DESC, orders.channel LIMIT 5"));
  EXPECT_EQ(Norm("SELECT DISTINCT ON (customer_id) customer_id, placed_at FROM orders ORDER BY 1, "
                 "2 DESC"),
            Norm("SELECT DISTINCT ON (orders.customer_id) orders.customer_id, orders.placed_at "
                 "FROM orders ORDER BY orders.customer_id, orders.placed_at DESC"));
  EXPECT_EQ(Norm("SELECT 1 AS one, 'a' AS s, NULL::int AS n, now() AS t, current_date AS cd, 1.5 "
                 "AS f, true AS b, id::text AS it, cast(qty AS bigint) AS q8 FROM orders GROUP BY "
                 "1, id, qty"),
            Norm("SELECT 1 AS one, 'a'::text AS s, NULL::integer AS n, now() AS t, CURRENT_DATE "
                 "AS cd, 1.5 AS f, true AS b, (orders.id)::text AS it, (orders.qty)::bigint AS q8 "
                 "FROM orders GROUP BY 1::integer, orders.id, orders.qty"));
  EXPECT_EQ(Norm("SELECT status, channel, count(*) FROM orders GROUP BY ROLLUP (1, 2)"),
            Norm("SELECT orders.status, orders.channel, count(*) AS count FROM orders GROUP BY "
                 "ROLLUP(orders.status, orders.channel)"));
  EXPECT_EQ(Norm("SELECT g, g * 2 AS d FROM generate_series(1, 10) g"),
            Norm("SELECT g.g, (g.g * 2) AS d FROM generate_series(1, 10) g(g)"));
  EXPECT_EQ(Norm("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t(n, s)"),
            Norm("SELECT t.n, t.s FROM ( VALUES (1,'a'::text), (2,'b'::text)) t(n, s)"));
}

TEST(ViewNormalForm, CompositeStarAndDomainCasts) {
  EXPECT_EQ(Norm("SELECT (masked(c)).* FROM customers c"),
            Norm("SELECT (masked(c.*)).id, (masked(c.*)).name FROM customers c"));
  // A function whose fields are not known keeps its star.
  EXPECT_EQ(Norm("SELECT (opaque(c)).* FROM customers c"),
            Norm("SELECT (opaque(c.*)).* FROM customers c"));
  // A cast to the type the value already has (a domain column's base type) is a no-op.
  EXPECT_EQ(Norm("SELECT min(total) FROM orders"),
            Norm("SELECT min((orders.total)::numeric) AS min FROM orders"));
  EXPECT_NE(Norm("SELECT min(total) FROM orders"),
            Norm("SELECT min((orders.total)::numeric(6,1)) AS min FROM orders"));
}

TEST(ViewNormalForm, IntervalsRecursiveCtesAndSetOperationOrder) {
  EXPECT_EQ(
      Norm("SELECT placed_at + interval '1 hour' AS p, placed_at > now() - '2 days'::interval "
           "AS q, placed_at - '1 week'::interval AS w FROM orders"),
      Norm("SELECT (orders.placed_at + '01:00:00'::interval) AS p, (orders.placed_at > "
           "(now() - '2 days'::interval)) AS q, (orders.placed_at - '7 days'::interval) AS w "
           "FROM orders"));
  EXPECT_NE(Norm("SELECT placed_at + interval '1 hour' AS p FROM orders"),
            Norm("SELECT placed_at + interval '2 hours' AS p FROM orders"));
  EXPECT_EQ(Norm("WITH RECURSIVE t AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM t WHERE n < 5) "
                 "SELECT * FROM t"),
            Norm("WITH RECURSIVE t AS ( SELECT 1 AS n UNION ALL SELECT (t_1.n + 1) FROM t t_1 "
                 "WHERE (t_1.n < 5) ) SELECT t.n FROM t"));
  EXPECT_EQ(
      Norm("SELECT id FROM orders UNION SELECT id FROM customers ORDER BY 1"),
      Norm("SELECT orders.id FROM orders UNION SELECT customers.id FROM customers ORDER BY 1"));
}

// The written query and PostgreSQL 15's pg_get_viewdef of it: casts on a column, a call and a
// CASE; a variadic call printed VARIADIC ARRAY[...]; a CASE without ELSE printed ELSE NULL.
TEST(ViewNormalForm, CastsOfCallsVariadicArgumentsAndCaseWithoutElse) {
  EXPECT_EQ(
      Norm("select amount::numeric(10,2) as amount_num1, (jsonb_extract_path_text(payload, "
           "'amount'))::numeric(10,2) as amount_num2, (case hoge_type when 'hoge' then "
           "jsonb_extract_path_text(payload, 'hoge', 'amount') end)::numeric(10,2) as "
           "amount_num3, (to_timestamp(jsonb_extract_path_text(payload, 'created')::bigint)) "
           "as created, (cast(to_timestamp(jsonb_extract_path_text(payload, "
           "'created')::bigint) as date)) as created_date from hoge"),
      Norm(" SELECT (hoge.amount)::numeric(10,2) AS amount_num1,\n"
           "    (jsonb_extract_path_text(hoge.payload, VARIADIC ARRAY['amount'::text]))"
           "::numeric(10,2) AS amount_num2,\n"
           "    (\n        CASE hoge.hoge_type\n            WHEN 'hoge'::text THEN "
           "jsonb_extract_path_text(hoge.payload, VARIADIC ARRAY['hoge'::text, 'amount'::text])\n"
           "            ELSE NULL::text\n        END)::numeric(10,2) AS amount_num3,\n"
           "    to_timestamp(((jsonb_extract_path_text(hoge.payload, VARIADIC "
           "ARRAY['created'::text]))::bigint)::double precision) AS created,\n"
           "    (to_timestamp(((jsonb_extract_path_text(hoge.payload, VARIADIC "
           "ARRAY['created'::text]))::bigint)::double precision))::date AS created_date\n"
           "   FROM hoge;"));
}

// date_trunc on a date column read through a view: the server casts the date to timestamptz.
TEST(ViewNormalForm, DateTruncOfADateColumnOfAView) {
  EXPECT_EQ(Norm("SELECT DATE_TRUNC('month', sale_date) as month, SUM(total) as monthly_total "
                 "FROM daily_sales GROUP BY DATE_TRUNC('month', sale_date)"),
            Norm(" SELECT date_trunc('month'::text, (daily_sales.sale_date)::timestamp with time "
                 "zone) AS month,\n    sum(daily_sales.total) AS monthly_total\n   FROM "
                 "daily_sales\n  GROUP BY (date_trunc('month'::text, (daily_sales.sale_date)"
                 "::timestamp with time zone));"));
}

// A CTE read with `*`; `*` with IN (SELECT max(id) ...) on the same table, upper-case
// interval units, and a date passed to to_char.
TEST(ViewNormalForm, CteStarIntervalArithmeticAndSubqueryOnTheSameTable) {
  EXPECT_EQ(Norm("WITH recent_users AS (SELECT id FROM users WHERE active = true) "
                 "SELECT * FROM recent_users"),
            Norm(" WITH recent_users AS (\n         SELECT users.id\n           FROM users\n"
                 "          WHERE (users.active = true)\n        )\n SELECT recent_users.id\n"
                 "   FROM recent_users;"));
  EXPECT_EQ(
      Norm("SELECT * FROM points WHERE id IN (SELECT MAX(id) AS id FROM points WHERE "
           "to_timestamp(concat(to_char(current_date - INTERVAL '1 YEAR' + INTERVAL '1 DAY', "
           "'YYYY-MM-DD'), ' 00:00:00'), 'YYYY-MM-DD HH24:MI:SS') < created_at AND created_at <= "
           "to_timestamp(concat(to_char(current_date, 'YYYY-MM-DD'), ' 23:59:59'), 'YYYY-MM-DD "
           "HH24:MI:SS') GROUP BY main_type, sub_type, user_id)"),
      Norm(" SELECT points.id,\n    points.created_at,\n    points.main_type,\n"
           "    points.sub_type,\n    points.user_id\n   FROM points\n"
           "  WHERE (points.id IN ( SELECT max(points_1.id) AS id\n           FROM points "
           "points_1\n          WHERE ((to_timestamp(concat(to_char(((CURRENT_DATE - '1 "
           "year'::interval) + '1 day'::interval), 'YYYY-MM-DD'::text), ' 00:00:00'), "
           "'YYYY-MM-DD HH24:MI:SS'::text) < points_1.created_at) AND (points_1.created_at <= "
           "to_timestamp(concat(to_char((CURRENT_DATE)::timestamp with time zone, "
           "'YYYY-MM-DD'::text), ' 23:59:59'), 'YYYY-MM-DD HH24:MI:SS'::text)))\n"
           "          GROUP BY points_1.main_type, points_1.sub_type, points_1.user_id));"));
}

TEST(ViewNormalForm, ChangedBodiesCompareUnequal) {
  std::string base = Norm("SELECT id, total FROM orders WHERE channel = 'web'");
  EXPECT_NE(base, Norm("SELECT id, total FROM orders WHERE channel = 'shop'"));
  EXPECT_NE(base, Norm("SELECT id, qty FROM orders WHERE channel = 'web'"));
  EXPECT_NE(base, Norm("SELECT id, total FROM orders WHERE channel <> 'web'"));
  EXPECT_NE(base, Norm("SELECT id, total FROM orders"));
  EXPECT_NE(Norm("SELECT qty / 2 AS h FROM orders"),
            Norm("SELECT qty::numeric / 2 AS h FROM orders"));
  EXPECT_NE(Norm("SELECT count(*) FROM orders GROUP BY status"),
            Norm("SELECT count(*) FROM orders GROUP BY channel"));
  EXPECT_NE(Norm("SELECT id FROM orders ORDER BY 1"),
            Norm("SELECT id FROM orders ORDER BY 1 DESC"));
  EXPECT_NE(Norm("SELECT id FROM orders UNION SELECT id FROM customers"),
            Norm("SELECT id FROM orders UNION ALL SELECT id FROM customers"));
  // VARIADIC ARRAY[...] spreads into arguments, not into other ones; ELSE NULL only matches a
  // missing ELSE; interval units are case-insensitive, their counts are not.
  EXPECT_NE(Norm("SELECT jsonb_extract_path_text(payload, 'a', 'b') FROM hoge"),
            Norm("SELECT jsonb_extract_path_text(payload, VARIADIC ARRAY['a', 'c']) FROM hoge"));
  EXPECT_NE(Norm("SELECT jsonb_extract_path_text(payload, 'a') FROM hoge"),
            Norm("SELECT jsonb_extract_path_text(payload, VARIADIC ARRAY[]::text[]) FROM hoge"));
  EXPECT_NE(Norm("SELECT CASE WHEN qty > 1 THEN 'many' END FROM orders"),
            Norm("SELECT CASE WHEN qty > 1 THEN 'many' ELSE 'one' END FROM orders"));
  EXPECT_NE(Norm("SELECT placed_at - INTERVAL '1 YEAR' FROM orders"),
            Norm("SELECT placed_at - '2 years'::interval FROM orders"));
}

TEST(ViewNormalForm, IntegerDivisionMadeNumericKeepsItsCast) {
  // int / int::numeric is numeric division; the server adds a cast to the other side too.
  EXPECT_EQ(Norm("SELECT qty / qty::numeric AS r FROM orders"),
            Norm("SELECT ((orders.qty)::numeric / (orders.qty)::numeric) AS r FROM orders"));
  EXPECT_EQ(Norm("SELECT sum(total) / count(*) AS r FROM orders"),
            Norm("SELECT (sum(orders.total) / (count(*))::numeric) AS r FROM orders"));
}

TEST(ViewNormalForm, UnknownNamesFallBackToThePlainForm) {
  // Neither the relation nor its columns are known: no crash, references kept as written
  // (qualified with the only range when bare).
  EXPECT_EQ(Norm("SELECT a, b FROM nowhere WHERE c = 1"),
            Norm("SELECT nowhere.a, nowhere.b FROM nowhere WHERE (nowhere.c = 1)"));
  EXPECT_EQ(
      Norm("SELECT mystery(x.a) FROM nowhere x JOIN elsewhere y ON x.k = y.k"),
      Norm("SELECT mystery(x.a) AS mystery FROM (nowhere x JOIN elsewhere y ON ((x.k = y.k)))"));
  EXPECT_FALSE(Norm("SELECT * FROM nowhere").empty());
}

TEST(ViewNormalForm, RenamedColumnFollowsInTheDefinition) {
  // The hints still describe the column under its old name.
  QueryHints hints = ShopHints();
  EXPECT_EQ(RenameColumnInViewQuery("SELECT channel, o.total FROM orders o WHERE o.channel = 'web' "
                                    "AND EXISTS (SELECT 1 FROM customers c WHERE c.name = channel)",
                                    hints, "public", "orders", "channel", "sales_channel"),
            "SELECT sales_channel AS channel, o.total FROM orders o WHERE o.sales_channel = 'web' "
            "AND EXISTS (SELECT 1 FROM customers c WHERE c.name = sales_channel)");
  // A column of another relation with the same name is left alone; so is a query without it.
  EXPECT_EQ(RenameColumnInViewQuery("SELECT id FROM customers", hints, "public", "orders", "id",
                                    "order_id"),
            "SELECT id FROM customers");
}

TEST(ViewNormalForm, RenamedColumnFollowsInTheNormalForm) {
  std::string before = Norm("SELECT o.total, c.total FROM orders o, archive.orders c");
  std::string renamed = RenameColumnInViewNormalForm(before, "public", "orders", "total", "amount");
  EXPECT_NE(before, renamed);
  EXPECT_NE(renamed.find("amount"), std::string::npos);
  EXPECT_NE(renamed.find(".total"), std::string::npos);  // archive.orders keeps its column
}

}  // namespace
}  // namespace dbarch::sql
