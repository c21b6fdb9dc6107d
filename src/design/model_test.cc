#include "design/model.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "design/schema.h"

namespace dbarch::design {
namespace {

// The error of parsing `yaml`, as "line:col: message".
std::string ErrorOf(const std::string& yaml) {
  auto m = ParseModel("m.yaml", yaml);
  if (m.ok()) return "ok";
  const Status& st = m.status();
  std::string where =
      st.span() ? std::to_string(st.span()->line) + ":" + std::to_string(st.span()->column) + ": "
                : "";
  return where + st.message();
}

TEST(DesignModel, ErrorsCarryTheirPosition) {
  struct Case {
    const char* yaml;
    const char* error;
  } cases[] = {
      {"entities:\n  a:\n    attributes:\n      x: { type: nmae }\n",
       "4:18: unknown semantic type \"nmae\" of attribute \"x\""},
      {"entities:\n  a:\n    attributes:\n      x: colour\n",
       "4:10: unknown semantic type \"colour\" of attribute \"x\""},
      {"entities:\n  a: {}\nrelationships:\n  - { from: a, to: b }\n",
       "4:20: unknown entity \"b\""},
      {"entities:\n  a: {}\n  b: {}\nrelationships:\n  - { from: a, to: b, required: true }\n"
       "  - { from: b, to: a, required: true }\n",
       "6:5: required relationships form a cycle no insert order can satisfy: a -> b -> a"},
      {"entities:\n  a: {}\nrelationships:\n  - { name: parent, from: a, to: a, required: true }\n",
       "4:5: required relationships form a cycle no insert order can satisfy: a -> a"},
      {"entities:\n  a:\n    attributes:\n      p: { type: money }\n",
       "4:10: money attribute \"p\" needs a currency"},
      {"entities:\n  a:\n    attributes:\n      s: { type: status }\n",
       "4:10: status attribute \"s\" needs its values (a list)"},
      {"entities:\n  a:\n    colour: red\n", "3:5: unknown key \"colour\" in entity \"a\""},
      {"entities:\n  a: {}\naccess_patterns:\n  - { name: x, kind: lookup, entity: a, by: [email], "
       "frequency: 1/s }\n",
       "4:5: access pattern \"x\": by \"email\" is not an attribute or relationship of \"a\""},
      {"entities:\n  a: {}\naccess_patterns:\n  - { name: x, kind: list, entity: a, frequency: "
       "often }\n",
       "4:50: frequency \"often\" is not a rate"},
      {"entities: [\n", "2:1: invalid YAML: end of sequence flow not found"},
  };
  for (const Case& c : cases) EXPECT_EQ(ErrorOf(c.yaml), c.error) << c.yaml;
}

TEST(DesignModel, OptionalCycleIsFine) {
  EXPECT_EQ(
      ErrorOf(
          "entities:\n  a: {}\n  b: {}\nrelationships:\n  - { from: a, to: b, required: true }\n"
          "  - { from: b, to: a }\n"),
      "ok");
}

// The JSON Schema in docs/ and the loader accept the same keys in every kind of map, and the
// same semantic types.
TEST(DesignModel, JsonSchemaDeclaresExactlyTheKeysTheLoaderAccepts) {
  std::ifstream in(std::string(DBARCH_SOURCE_DIR) + "/docs/design-model.schema.json");
  ASSERT_TRUE(in) << "docs/design-model.schema.json";
  nlohmann::json schema = nlohmann::json::parse(in);
  auto keys = [](const nlohmann::json& object) {
    std::set<std::string> out;
    for (const auto& [k, v] : object["properties"].items()) out.insert(k);
    return out;
  };
  const nlohmann::json& entity = schema["properties"]["entities"]["additionalProperties"];
  const std::map<std::string, nlohmann::json> objects = {
      {"model", schema},
      {"options", schema["properties"]["options"]},
      {"entity", entity},
      {"attribute", schema["$defs"]["attribute"]["oneOf"][1]},
      {"no_overlap", entity["properties"]["no_overlap"]["items"]},
      {"relationship", schema["properties"]["relationships"]["items"]},
      {"access_pattern", schema["properties"]["access_patterns"]["items"]},
  };
  ASSERT_EQ(objects.size(), ModelKeys().size());
  for (const auto& [what, accepted] : ModelKeys()) {
    ASSERT_TRUE(objects.count(what)) << what;
    const nlohmann::json& object = objects.at(what);
    EXPECT_EQ(object["additionalProperties"], false) << what << " must reject unknown keys";
    EXPECT_EQ(keys(object), std::set<std::string>(accepted.begin(), accepted.end())) << what;
  }
  std::set<std::string> types;
  for (const auto& t : schema["$defs"]["semanticType"]["enum"]) types.insert(t.get<std::string>());
  EXPECT_EQ(types, std::set<std::string>(SemanticTypeNames().begin(), SemanticTypeNames().end()));
}

TEST(DesignModel, Singular) {
  EXPECT_EQ(Singular("rooms"), "room");
  EXPECT_EQ(Singular("categories"), "category");
  EXPECT_EQ(Singular("addresses"), "address");
  EXPECT_EQ(Singular("boxes"), "box");
}

const char* kModel = R"(
options: { tenant: tenants, soft_delete: true }
entities:
  tenants:
    rows: 10
    attributes: { name: { type: name, required: true, unique: true } }
  rooms:
    rows: 20M
    growth: 1M/month
    attributes:
      label: { type: name, required: true, unique: true }
      state: { type: status, values: [open, closed], required: true }
      kind: { type: status, values: [single, double], extensible: true }
  bookings:
    attributes:
      during: { type: time_range, required: true }
    no_overlap: [ { range: during, per: [room] } ]
  tags: {}
relationships:
  - { from: bookings, to: rooms, required: true, owned: true }
  - { name: room_tags, from: rooms, to: tags, kind: many_to_many }
access_patterns:
  - { name: rooms by label, kind: lookup, entity: rooms, by: [label], frequency: 10/s }
  - { name: tags of a room, kind: list, entity: tags, by: [room], frequency: 1/min }
)";

TEST(DesignSchema, BuildsTheChoicesTheModelAsksFor) {
  auto m = ParseModel("m.yaml", kModel);
  ASSERT_TRUE(m.ok()) << m.status().message();
  auto s = BuildSchema(*m, {});
  ASSERT_TRUE(s.ok()) << s.status().message();
  std::string ddl = s->Ddl();
  auto has = [&](const std::string& text) { return ddl.find(text) != std::string::npos; };
  EXPECT_TRUE(has("CREATE EXTENSION IF NOT EXISTS btree_gist"));
  EXPECT_TRUE(has("CREATE TYPE room_state AS ENUM ('open', 'closed')"));
  EXPECT_TRUE(has("CREATE TABLE room_kinds ("));  // extensible: a lookup table
  EXPECT_TRUE(has("INSERT INTO room_kinds (code, position) VALUES ('single', 1), ('double', 2)"));
  EXPECT_TRUE(has("EXCLUDE USING gist (tenant_id WITH =, room_id WITH =, during WITH &&)") ||
              has("EXCLUDE USING gist (room_id WITH =, during WITH &&)"));
  // Tenant-scoped junction: its key leads with tenant_id.
  EXPECT_TRUE(has("CONSTRAINT room_tags_pkey PRIMARY KEY (tenant_id, room_id, tag_id)"));
  // rooms is partitioned (2M + 1M/month x 36): unique keys end with the partition key.
  EXPECT_TRUE(
      has("CREATE UNIQUE INDEX rooms_tenant_id_label_created_at_key ON rooms (tenant_id, label, "
          "created_at) WHERE deleted_at IS NULL"));
  EXPECT_TRUE(
      has("CONSTRAINT rooms_tenant_id_id_created_at_key UNIQUE (tenant_id, id, "
          "created_at)"));
  // References between tenant-scoped tables stay within a tenant, and carry the partition key
  // of a partitioned parent.
  EXPECT_TRUE(
      has("FOREIGN KEY (tenant_id, room_id, room_created_at) REFERENCES rooms "
          "(tenant_id, id, created_at) ON DELETE CASCADE"));
  EXPECT_TRUE(
      has("FOREIGN KEY (tenant_id, tag_id) REFERENCES tags (tenant_id, id) ON DELETE "
          "CASCADE"));
  EXPECT_TRUE(has("CREATE INDEX room_tags_tenant_id_tag_id_idx ON room_tags (tenant_id, tag_id)"));
  // The tenant foreign key of rooms is supported by the (tenant_id, id, created_at) key.
  EXPECT_FALSE(has("CREATE INDEX rooms_tenant_id_idx"));
  // The lookup by label is served by the (partial) unique index: no pattern index for it.
  EXPECT_FALSE(has("CREATE INDEX rooms_tenant_id_label_idx"));
  EXPECT_TRUE(
      has("CREATE TRIGGER rooms_updated_at_trg BEFORE UPDATE ON rooms FOR EACH ROW "
          "EXECUTE FUNCTION set_updated_at()"));
  ASSERT_EQ(s->statuses.size(), 2u);
  EXPECT_EQ(s->statuses[0].storage, "enum");
  EXPECT_EQ(s->statuses[1].storage, "lookup");
  ASSERT_EQ(s->partitions.size(), 1u);
  EXPECT_EQ(s->partitions[0].table, "rooms");
  ASSERT_EQ(s->queries.size(), 2u);
  EXPECT_EQ(s->queries[0].sql,
            "SELECT t.id, t.label, t.state, t.kind, t.created_at\nFROM rooms AS t\n"
            "WHERE t.tenant_id = $1\n  AND t.label = $2\n  AND t.deleted_at IS NULL");
  EXPECT_DOUBLE_EQ(s->queries[0].weight, 600);
  EXPECT_NE(s->queries[1].sql.find("JOIN room_tags AS j ON j.tag_id = t.id AND j.tenant_id = "
                                   "t.tenant_id"),
            std::string::npos)
      << s->queries[1].sql;
}

}  // namespace
}  // namespace dbarch::design
