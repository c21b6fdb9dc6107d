#include "report/diagram.h"

#include <gtest/gtest.h>

#include <string>

#include "catalog/builder.h"

namespace dbarch::report {
namespace {

catalog::Catalog Build(const std::string& ddl) {
  catalog::CatalogBuilder builder;
  Status st = builder.ApplyFile(SourceFile("t.sql", ddl));
  EXPECT_TRUE(st.ok()) << st.message();
  return builder.Finish();
}

// The x of the box of table `name` in `svg`.
double BoxX(const std::string& svg, const std::string& name) {
  size_t g = svg.find("data-name=\"" + name + "\"");
  if (g == std::string::npos) return -1;
  size_t x = svg.find("x=\"", svg.find("<rect class=\"box\"", g));
  return std::stod(svg.substr(x + 3));
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

TEST(Diagram, SvgRanksReferencedTablesLeftAndDrawsEveryTable) {
  std::string svg = CatalogToSvg(Build(kSchema));
  for (const char* t : {"hotels", "rooms", "room_details", "staff"}) {
    EXPECT_NE(svg.find(std::string("data-name=\"") + t + "\""), std::string::npos) << t;
  }
  // Referenced tables sit left of the tables that reference them.
  EXPECT_DOUBLE_EQ(BoxX(svg, "hotels"), 20);
  EXPECT_GT(BoxX(svg, "rooms"), BoxX(svg, "hotels"));
  EXPECT_DOUBLE_EQ(BoxX(svg, "staff"), BoxX(svg, "rooms"));
  EXPECT_GT(BoxX(svg, "room_details"), BoxX(svg, "rooms"));
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
