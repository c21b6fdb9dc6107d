#include "report/diagram.h"

#include <gtest/gtest.h>

#include <string>

#include "catalog/builder.h"
#include "report/graphviz.h"

namespace dbarch::report {
namespace {

catalog::Catalog Build(const std::string& ddl) {
  catalog::CatalogBuilder builder;
  Status st = builder.ApplyFile(SourceFile("t.sql", ddl));
  EXPECT_TRUE(st.ok()) << st.message();
  return builder.Finish();
}

// The left edge of the box Graphviz drew for table `name` in `svg` (the node's last polygon is
// its border), or -1 when the table is not drawn.
double BoxX(const std::string& svg, const std::string& name) {
  size_t title = svg.find("<title>" + name + "</title>");
  if (title == std::string::npos) return -1;
  size_t end = svg.find("</g>", title);
  size_t border = svg.rfind("<polygon", end);
  size_t points = svg.find("points=\"", border);
  return std::stod(svg.substr(points + 8));
}

const char* kSchema =
    "CREATE TABLE hotels (id bigint PRIMARY KEY, name text NOT NULL);\n"
    "COMMENT ON COLUMN hotels.name IS 'Shown to guests';\n"
    "CREATE TABLE rooms (id bigint PRIMARY KEY, hotel_id bigint NOT NULL REFERENCES hotels,\n"
    "  note text);\n"
    "CREATE TABLE room_details (room_id bigint PRIMARY KEY REFERENCES rooms, size numeric(6,2));\n"
    "CREATE TABLE staff (id bigint PRIMARY KEY, hotel_id bigint REFERENCES hotels);\n";

TEST(Diagram, MermaidHasEntitiesKeysAndCardinality) {
  EXPECT_EQ(CatalogToMermaid(Build(kSchema)),
            "erDiagram\n"
            "    hotels {\n"
            "        bigint id PK\n"
            "        text name \"Shown to guests\"\n"
            "    }\n"
            "    room_details {\n"
            "        bigint room_id PK, FK\n"
            "        numeric(6_2) size\n"
            "    }\n"
            "    rooms {\n"
            "        bigint id PK\n"
            "        bigint hotel_id FK\n"
            "        text note\n"
            "    }\n"
            "    staff {\n"
            "        bigint id PK\n"
            "        bigint hotel_id FK\n"
            "    }\n"
            "    room_details ||--|| rooms : \"room_id\"\n"
            "    rooms }o--|| hotels : \"hotel_id\"\n"
            "    staff }o--o| hotels : \"hotel_id\"\n");
}

TEST(Diagram, DbmlAndTableFilter) {
  DiagramOptions only_rooms;
  only_rooms.tables = "room*";
  EXPECT_EQ(CatalogToDbml(Build(kSchema), only_rooms),
            "Table \"public\".\"room_details\" {\n"
            "  \"room_id\" \"bigint\" [pk]\n"
            "  \"size\" \"numeric(6,2)\"\n"
            "}\n\n"
            "Table \"public\".\"rooms\" {\n"
            "  \"id\" \"bigint\" [pk]\n"
            "  \"hotel_id\" \"bigint\" [not null]\n"
            "  \"note\" \"text\"\n"
            "}\n\n"
            "Ref: \"public\".\"room_details\".\"room_id\" - \"public\".\"rooms\".\"id\"\n");
}

TEST(Diagram, SvgFromGraphvizRanksReferencedTablesLeftAndDrawsEveryTable) {
  Result<std::string> svg = CatalogToSvg(Build(kSchema));
  ASSERT_TRUE(svg.ok()) << svg.status().message();
  EXPECT_NE(svg->find("<svg "), std::string::npos);
  for (const char* t : {"hotels", "rooms", "room_details", "staff"}) {
    EXPECT_GE(BoxX(*svg, t), 0) << t << " is not drawn\n" << *svg;
  }
  // Referenced tables sit left of the tables that reference them.
  EXPECT_LT(BoxX(*svg, "hotels"), BoxX(*svg, "rooms"));
  EXPECT_LT(BoxX(*svg, "hotels"), BoxX(*svg, "staff"));
  EXPECT_LT(BoxX(*svg, "rooms"), BoxX(*svg, "room_details"));
  // One line per column: name, type (with "?" when nullable) and keys in aligned columns
  // (runs of spaces are kept as no-break spaces).
  EXPECT_NE(svg->find(">hotel_id &#160;bigint? &#160;FK</text>"), std::string::npos) << *svg;
  EXPECT_NE(svg->find(">size &#160;&#160;&#160;&#160;numeric(6,2)?</text>"), std::string::npos)
      << *svg;
  // Foreign keys are edges labelled with their columns, dashed when nullable.
  EXPECT_NE(svg->find("<title>rooms&#45;&gt;hotels</title>"), std::string::npos);
  size_t staff = svg->find("<title>staff&#45;&gt;hotels</title>");
  ASSERT_NE(staff, std::string::npos);
  EXPECT_NE(svg->find("stroke-dasharray", staff), std::string::npos);
}

TEST(Diagram, SvgTableFilterAndTablesOnly) {
  DiagramOptions only_rooms;
  only_rooms.tables = "room*";
  only_rooms.columns = false;
  Result<std::string> svg = CatalogToSvg(Build(kSchema), only_rooms);
  ASSERT_TRUE(svg.ok()) << svg.status().message();
  EXPECT_GE(BoxX(*svg, "rooms"), 0);
  EXPECT_GE(BoxX(*svg, "room_details"), 0);
  EXPECT_EQ(BoxX(*svg, "hotels"), -1);
  EXPECT_EQ(svg->find("hotel_id"), std::string::npos);
}

// Names DOT cannot take as they are: quotes, backslashes before a quote and at the end, and
// label escapes (\N would print the node's name). The labels show them exactly; the node ids
// (SVG titles) gain a backslash before a quote.
TEST(Diagram, SvgOfNamesWithQuotesAndBackslashes) {
  Result<std::string> svg = CatalogToSvg(
      Build("CREATE TABLE \"we\"\"ird\\\" (id bigint PRIMARY KEY, \"a<b>&c\\N\" text);\n"
            "CREATE TABLE kids (id bigint PRIMARY KEY, p bigint REFERENCES \"we\"\"ird\\\");\n"));
  ASSERT_TRUE(svg.ok()) << svg.status().message();
  EXPECT_GE(BoxX(*svg, "we&quot;ird\\\\"), 0) << *svg;
  EXPECT_NE(svg->find(">we&quot;ird\\</text>"), std::string::npos) << *svg;
  EXPECT_NE(svg->find(">a&lt;b&gt;&amp;c\\N &#160;text?</text>"), std::string::npos) << *svg;
  EXPECT_NE(svg->find("<title>kids&#45;&gt;we&quot;ird\\\\</title>"), std::string::npos) << *svg;
  Result<std::string> odd =
      CatalogToSvg(Build("CREATE TABLE \"a\\\\\\\"\"b\\\\\" (id bigint PRIMARY KEY);\n"));
  ASSERT_TRUE(odd.ok()) << odd.status().message();
  EXPECT_NE(odd->find(">a\\\\\\&quot;b\\\\</text>"), std::string::npos) << *odd;
}

TEST(Diagram, GraphvizErrorsAreStatuses) {
  Result<std::string> bad = RenderDotToSvg("digraph { a -> ; }");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("syntax error in line"), std::string::npos)
      << bad.status().message();
  // Graphviz is usable again after a failure, and a schema is drawn the same every time.
  Result<std::string> first = CatalogToSvg(Build(kSchema));
  ASSERT_TRUE(first.ok()) << first.status().message();
  Result<std::string> again = CatalogToSvg(Build(kSchema));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*first, *again);
}

TEST(Diagram, DotNamesEveryEdge) {
  std::string dot = CatalogToDot(Build(kSchema));
  EXPECT_NE(dot.find("\"rooms\" -> \"hotels\" [label=\"hotel_id\"];"), std::string::npos) << dot;
  EXPECT_NE(dot.find("\"staff\" -> \"hotels\" [label=\"hotel_id\", style=dashed];"),
            std::string::npos)
      << dot;
}

}  // namespace
}  // namespace dbarch::report
