#include <gtest/gtest.h>

#include "base/source_span.h"
#include "base/status.h"
#include "base/strings.h"

namespace dbarch {
namespace {

TEST(QuoteIdent, QuotesLikePostgres) {
  EXPECT_EQ(QuoteIdent("orders"), "orders");
  EXPECT_EQ(QuoteIdent("Orders"), "\"Orders\"");
  EXPECT_EQ(QuoteIdent("order"), "\"order\"");
  EXPECT_EQ(QuoteIdent("user"), "\"user\"");
  EXPECT_EQ(QuoteIdent("name"), "name");  // unreserved keyword
  EXPECT_EQ(QuoteIdent("a b"), "\"a b\"");
  EXPECT_EQ(QuoteIdent("sa\"y"), "\"sa\"\"y\"");
  EXPECT_EQ(QuoteIdent("1abc"), "\"1abc\"");
  EXPECT_EQ(QuoteIdent("café"), "\"café\"");
  EXPECT_EQ(QualifiedName("App", "t"), "\"App\".t");
  EXPECT_EQ(QuoteLiteral("it's"), "'it''s'");
}

TEST(SourceFile, LocatesNonAsciiColumnsInCharacters) {
  SourceFile f("a.sql", "SELECT 1;\nSELECT 'é' ,, 2;\n");
  // Byte offset of the first ',' on line 2: "SELECT 'é' " is 11 chars but 12 bytes.
  uint32_t comma = static_cast<uint32_t>(f.text().find(",,"));
  LineCol lc = f.Locate(comma);
  EXPECT_EQ(lc.line, 2u);
  EXPECT_EQ(lc.column, 12u);
  EXPECT_EQ(f.Line(2), "SELECT 'é' ,, 2;");
  EXPECT_EQ(FormatSourceExcerpt(f, comma), "  SELECT 'é' ,, 2;\n             ^\n");
}

TEST(SourceFile, CharPosToByteOffset) {
  std::string_view text = "é;x";
  EXPECT_EQ(CharPosToByteOffset(text, 1), 0u);
  EXPECT_EQ(CharPosToByteOffset(text, 2), 2u);
  EXPECT_EQ(CharPosToByteOffset(text, 3), 3u);
  EXPECT_EQ(CharPosToByteOffset(text, 99), 4u);
}

TEST(Status, CarriesContextAndSpan) {
  Status s = Status::NotFound("relation \"public.x\" does not exist").WithContext("a.sql");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "a.sql: relation \"public.x\" does not exist");
  Result<int> r = Status::IOError("boom");
  EXPECT_FALSE(r.ok());
  Result<int> v = 3;
  EXPECT_EQ(*v, 3);
}

TEST(ClosestMatch, SuggestsNearNames) {
  EXPECT_EQ(ClosestMatch("ordrs", {"orders", "customers"}), "orders");
  EXPECT_EQ(ClosestMatch("zzz", {"orders", "customers"}), "");
}

}  // namespace
}  // namespace dbarch
