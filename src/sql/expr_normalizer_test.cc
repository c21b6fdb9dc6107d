#include "sql/expr_normalizer.h"

#include <gtest/gtest.h>

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
