#include "sql/expr_normalizer.h"

#include <gtest/gtest.h>

#include "base/strings.h"

namespace dbarch::sql {
namespace {

std::string Canon(const std::string& text, ExprContext ctx = ExprContext::kGeneric,
                  const ExprHints* hints = nullptr) {
  auto r = CanonicalExprText(text, ctx, hints);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().message();
  return r.ok() ? *r : "";
}

// Each pair: what a user writes, what pg_get_expr() prints for it (seen on PostgreSQL 15).
TEST(CanonicalExprServerForms, LiteralCastsInsideExpressions) {
  EXPECT_EQ(Canon("attributes ->> 'sku'"), Canon("(attributes ->> 'sku'::text)"));
  EXPECT_EQ(Canon("COALESCE(region, '')"), Canon("COALESCE(region, ''::text)"));
  EXPECT_EQ(Canon("'SO-' || nextval('s')", ExprContext::kDefault),
            Canon("('SO-'::text || nextval('s'::regclass))", ExprContext::kDefault));
  EXPECT_EQ(Canon("temperature_c * 9 / 5 + 32"),
            Canon("((temperature_c * (9)::numeric) / (5)::numeric) + (32)::numeric"));
  EXPECT_EQ(Canon("tstzrange(now(), NULL)", ExprContext::kDefault),
            Canon("tstzrange(now(), NULL::timestamp with time zone)", ExprContext::kDefault));
  EXPECT_EQ(Canon("to_tsvector('english', coalesce(title, '') || ' ' || coalesce(body, ''))"),
            Canon("to_tsvector('english'::regconfig, (((COALESCE(title, ''::character "
                  "varying))::text || ' '::text) || COALESCE(body, ''::text)))"));
  EXPECT_EQ(Canon("B'00000001'", ExprContext::kDefault), Canon("'00000001'::\"bit\"", ExprContext::kDefault));
}

TEST(CanonicalExprServerForms, DomainColumnsLoseTheirBaseTypeCast) {
  ExprHints hints;
  hints.domain_columns = {{"amount", "numeric"}, {"value", "numeric"}};
  EXPECT_EQ(Canon("amount > 0", ExprContext::kGeneric, &hints),
            Canon("((amount)::numeric > (0)::numeric)", ExprContext::kGeneric, &hints));
  EXPECT_EQ(Canon("VALUE <= 5000", ExprContext::kGeneric, &hints),
            Canon("((VALUE)::numeric <= (5000)::numeric)", ExprContext::kGeneric, &hints));
  // Without the hint the cast stays: it may be meaningful.
  EXPECT_NE(Canon("amount::date > '2020-01-01'"), Canon("amount > '2020-01-01'"));
}

TEST(CanonicalExprServerForms, MeaningfulCastsStay) {
  EXPECT_EQ(Canon("1::numeric / 3"), "1::numeric / 3");
  EXPECT_NE(Canon("created_at::date"), Canon("created_at"));
}

// The DDL text and the server's pg_get_expr / pg_get_constraintdef / pg_get_indexdef text of
// one expression (PostgreSQL 15) canonicalise alike; a real change still compares unequal.
TEST(CanonicalExprServerForms, InListOfOneValueIsAComparison) {
  EXPECT_EQ(Canon("status IN ('pending')"), Canon("(status = 'pending'::text)"));
  EXPECT_EQ(Canon("status NOT IN ('x')"), Canon("(status <> 'x'::text)"));
  EXPECT_NE(Canon("status IN ('pending')"), Canon("(status = 'paid'::text)"));
  EXPECT_NE(Canon("status IN ('a', 'b')"), Canon("status = 'a'"));
  EXPECT_EQ(Canon("status IN ('a', 'b')"), Canon("(status = ANY (ARRAY['a'::text, 'b'::text]))"));
}

TEST(CanonicalExprServerForms, RowConstructors) {
  EXPECT_EQ(Canon("(a, b) > (0, 0)"), Canon("(ROW(a, b) > ROW(0, 0))"));
  EXPECT_NE(Canon("(a, b) > (0, 0)"), Canon("(ROW(a, b) > ROW(0, 1))"));
}

// A composite default as written and as the server prints it (every literal field cast to
// its attribute's type, nested rows too); a changed field still compares unequal.
TEST(CanonicalExprServerForms, CompositeRowDefaults) {
  const auto d = ExprContext::kDefault;
  EXPECT_EQ(Canon("ROW(0, 'EUR', '2020-01-01', -1, true, NULL)::money_amount", d),
            Canon("ROW(0::numeric(12,2), 'EUR'::character varying(3), '2020-01-01'::date, "
                  "'-1'::integer, true, NULL::date)::money_amount",
                  d));
  EXPECT_EQ(
      Canon("('x', ('s', 'z')::address)::tagged", d),
      Canon("ROW('x'::text, ROW('s'::text, 'z'::character varying(10))::address)::tagged", d));
  EXPECT_EQ(Canon("ARRAY[ROW('a', 1.5)::item]", d),
            Canon("ARRAY[ROW('a'::text, 1.5::numeric(4,1))::item]", d));
  EXPECT_NE(Canon("ROW(0, 'EUR')::money_amount", d),
            Canon("ROW(1::numeric(12,2), 'EUR'::character varying(3))::money_amount", d));
  EXPECT_NE(Canon("ROW(now(), 'EUR')::stamp", d), Canon("ROW(NULL, 'EUR')::stamp", d));
  // A row without a cast of its own inside one: its fields are coerced too.
  EXPECT_EQ(Canon("ROW('x', ROW('2020-01-01', -1))::dated", d),
            Canon("ROW('x'::text, ROW('2020-01-01'::date, '-1'::integer))::dated", d));
}

// A field of a nested composite: ((c).a).b as written, (c).a.b as the server prints it.
TEST(CanonicalExprServerForms, NestedFieldSelection) {
  EXPECT_EQ(Canon("((route).destination).zip"), Canon("(route).destination.zip"));
  EXPECT_EQ(Canon("(((r).a).b).c = 'x'"), Canon("((r).a.b.c = 'x'::text)"));
  EXPECT_NE(Canon("((route).destination).zip"), Canon("(route).origin.zip"));
}

TEST(CanonicalExprServerForms, ExplicitAnyAndAll) {
  std::string ddl =
      "(state = ANY (ARRAY['active', 'pending']) AND priority >= ALL (ARRAY[1, 2])) OR "
      "(state = ALL (ARRAY['inactive']) AND priority = ANY (ARRAY[0]))";
  std::string server =
      "((((state = ANY (ARRAY['active'::text, 'pending'::text])) AND (priority >= ALL "
      "(ARRAY[1, 2]))) OR ((state = ALL (ARRAY['inactive'::text])) AND (priority = ANY "
      "(ARRAY[0])))))";
  EXPECT_EQ(Canon(ddl), Canon(server));
  EXPECT_NE(Canon(ddl), Canon("(state = ANY (ARRAY['active', 'pending']) AND priority >= ALL "
                              "(ARRAY[1, 3])) OR (state = ALL (ARRAY['inactive']) AND priority "
                              "= ANY (ARRAY[0]))"));
  // DDL keeps a one-element ARRAY (an IN list of one value would be stored as `=`), and
  // writes a longer one as an IN list, which the server stores as the same = ANY.
  std::string ddl_text = DdlExprText(Canon(ddl));
  EXPECT_NE(ddl_text.find("priority = ANY(ARRAY[0])"), std::string::npos) << ddl_text;
  EXPECT_NE(ddl_text.find("state IN ('active', 'pending')"), std::string::npos) << ddl_text;
  EXPECT_EQ(Canon(ddl_text), Canon(ddl));
}

TEST(CanonicalExprServerForms, Overlaps) {
  std::string ddl = Canon("(start_date, end_date) OVERLAPS (start_date, end_date)");
  EXPECT_EQ(ddl, Canon("((start_date, end_date) OVERLAPS (start_date, end_date))"));
  // Written back as the SQL syntax, which reads as the same call.
  EXPECT_NE(ToLower(ddl).find(" overlaps "), std::string::npos) << ddl;
  EXPECT_EQ(Canon(ddl), ddl);
  EXPECT_NE(ddl, Canon("(start_date, end_date) OVERLAPS (end_date, start_date)"));
}

TEST(CanonicalExprServerForms, VariadicArguments) {
  EXPECT_EQ(Canon("jsonb_extract_path_text(col, 'foo', 'bar')"),
            Canon("jsonb_extract_path_text(col, VARIADIC ARRAY['foo'::text, 'bar'::text])"));
  EXPECT_NE(Canon("jsonb_extract_path_text(col, 'foo', 'bar')"),
            Canon("jsonb_extract_path_text(col, VARIADIC ARRAY['foo'::text])"));
}

TEST(CanonicalExprServerForms, IntervalFieldQualifiers) {
  auto d = [](const std::string& e) { return Canon(e, ExprContext::kDefault); };
  EXPECT_EQ(d("interval '1.5' year"), d("'1 year'::interval"));
  EXPECT_EQ(d("interval '1.5' hour"), d("'01:00:00'::interval"));
  EXPECT_EQ(d("interval '90' minute"), d("'01:30:00'::interval"));
  EXPECT_EQ(d("interval '1' day"), d("'1 day'::interval"));
  EXPECT_EQ(d("interval '14' month"), d("'1 year 2 mons'::interval"));
  EXPECT_NE(d("interval '2' year"), d("'1 year'::interval"));
  EXPECT_NE(d("interval '1' day"), d("'1 year'::interval"));
}

TEST(CanonicalExprServerForms, TextCastOfANonTextColumnStays) {
  ExprHints hints;
  hints.column_type = [](std::string_view c) -> std::string {
    return c == "tenant_id" ? "int8" : c == "code" ? "varchar" : "";
  };
  std::string ddl = Canon("tenant_id::text = current_setting('app.tenant_id', true)::text",
                          ExprContext::kGeneric, &hints);
  EXPECT_EQ(ddl, Canon("((tenant_id)::text = current_setting('app.tenant_id'::text, true))",
                       ExprContext::kGeneric, &hints));
  EXPECT_NE(ddl.find("tenant_id::text"), std::string::npos) << ddl;
  EXPECT_NE(ddl, Canon("tenant_id = current_setting('app.tenant_id', true)::bigint",
                       ExprContext::kGeneric, &hints));
  // A varchar column's cast to text is the implicit one: dropped on both sides.
  EXPECT_EQ(Canon("code = 'x'", ExprContext::kGeneric, &hints),
            Canon("((code)::text = 'x'::text)", ExprContext::kGeneric, &hints));
  // A cast to text of something that is not known to be text stays.
  EXPECT_NE(Canon("now()::text = 'x'"), Canon("now() = 'x'"));
}

TEST(CanonicalExprServerForms, DefaultCastToAnotherTemporalTypeStays) {
  ExprHints hints;
  hints.default_type = "timestamptz";
  std::string ddl =
      Canon("'0001-01-01 00:00:00'::timestamp without time zone", ExprContext::kDefault, &hints);
  EXPECT_EQ(ddl, Canon("'0001-01-01 00:00:00'::timestamp", ExprContext::kDefault, &hints));
  EXPECT_NE(ddl, Canon("'0001-01-01 00:00:00'", ExprContext::kDefault, &hints));
  // A cast to the column's own type is the implicit one.
  hints.default_type = "timestamp";
  EXPECT_EQ(
      Canon("'2020-01-01 00:00:00'::timestamp without time zone", ExprContext::kDefault, &hints),
      "'2020-01-01 00:00:00'");
}

TEST(CanonicalExprServerForms, CastOfAnArrayOfThatType) {
  auto d = [](const std::string& e) { return Canon(e, ExprContext::kDefault); };
  EXPECT_EQ(d("ARRAY[current_date::text]::text[]"), d("ARRAY[(CURRENT_DATE)::text]"));
  EXPECT_NE(d("ARRAY[current_date::text]::varchar[]"), d("ARRAY[(CURRENT_DATE)::text]"));
  EXPECT_NE(d("ARRAY[current_date]::text[]"), d("ARRAY[CURRENT_DATE]"));
}

TEST(InternalTypeName, MapsFormatTypeSpellings) {
  EXPECT_EQ(InternalTypeName("numeric(12,2)"), "numeric");
  EXPECT_EQ(InternalTypeName("integer"), "int4");
  EXPECT_EQ(InternalTypeName("character varying(20)"), "varchar");
  EXPECT_EQ(InternalTypeName("timestamp(3) with time zone"), "timestamptz");
  EXPECT_EQ(InternalTypeName("text[]"), "text");
  EXPECT_EQ(InternalTypeName("billing.\"Money\""), "Money");
}

}  // namespace
}  // namespace dbarch::sql
