#include "sql/proto_writer.h"

#include <gtest/gtest.h>
#include <pg_query.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sql/arena.h"
#include "sql/psql_script.h"
#include "sql/ast.h"
#include "sql/parser.h"

namespace dbarch::sql {
namespace {

// protobuf-c's own encoding, the reference.
std::string ReferencePack(const ProtobufCMessage* msg) {
  std::string out(protobuf_c_message_get_packed_size(msg), '\0');
  size_t n = protobuf_c_message_pack(msg, reinterpret_cast<uint8_t*>(out.data()));
  out.resize(n);
  return out;
}

// Owns a message unpacked by protobuf-c.
struct ReferenceUnpacked {
  explicit ReferenceUnpacked(const ProtobufCMessageDescriptor& desc, const std::string& bytes)
      : msg(protobuf_c_message_unpack(&desc, nullptr, bytes.size(),
                                      reinterpret_cast<const uint8_t*>(bytes.data()))) {}
  ~ReferenceUnpacked() {
    if (msg != nullptr) protobuf_c_message_free_unpacked(msg, nullptr);
  }
  ReferenceUnpacked(const ReferenceUnpacked&) = delete;
  ReferenceUnpacked& operator=(const ReferenceUnpacked&) = delete;
  ProtobufCMessage* msg;
};

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every SQL file of the schema fixtures and the shop example.
std::vector<std::filesystem::path> CorpusFiles() {
  std::vector<std::filesystem::path> files;
  std::filesystem::path root = DBARCH_SOURCE_DIR;
  for (const char* dir : {"test/fixtures/schemas", "examples/shop"}) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(root / dir)) {
      if (e.is_regular_file() && e.path().extension() == ".sql") files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A corpus file as plain SQL: psql meta-commands and COPY data (in the fixtures written as
// installer scripts and pg_dump output) blanked as psql would run the file.
std::string PlainSql(const std::filesystem::path& path) {
  std::string text = ReadFile(path);
  auto script = ExpandPsqlScript(SourceFile(path.string(), text), PsqlOptions{});
  if (!script.ok() || script->parts.size() != 1) return text;
  return script->parts[0].file.text();
}

// Calls fn(node) for `node` and every Node below it.
template <typename Fn>
void ForEachNode(const Node* node, Fn&& fn) {
  fn(node);
  ForEachChildNode(&node->base, [&](const Node* child) { ForEachNode(child, fn); });
}

TEST(PackMessage, MatchesProtobufCAndDeparsesAlikeOnTheCorpus) {
  std::vector<std::filesystem::path> files = CorpusFiles();
  ASSERT_GE(files.size(), 10u);
  size_t statements = 0;
  size_t nodes = 0;
  for (const auto& path : files) {
    SourceFile file(path.string(), PlainSql(path));
    auto tree = ParseTree::Parse(file);
    ASSERT_TRUE(tree.ok()) << path << ": " << tree.status().message();
    for (const Statement& stmt : tree->statements()) {
      ++statements;
      std::string ours = PackMessage(&stmt.node->base);
      std::string where = path.string() + " at byte " + std::to_string(stmt.begin);
      ASSERT_EQ(ours, ReferencePack(&stmt.node->base)) << where;

      // Decoded by protobuf-c and by our decoder, the bytes give back the same SQL.
      // (A few statements are beyond libpg_query's deparser: then all three fail alike.)
      auto original = DeparseStatement(stmt.node);
      ReferenceUnpacked theirs(pg_query__node__descriptor, ours);
      ASSERT_NE(theirs.msg, nullptr) << where;
      Arena arena;
      auto* decoded =
          reinterpret_cast<const Node*>(arena.Unpack(pg_query__node__descriptor, ours));
      ASSERT_NE(decoded, nullptr) << where;
      EXPECT_EQ(PackMessage(&decoded->base), ours) << where;
      for (const Node* copy : {reinterpret_cast<const Node*>(theirs.msg), decoded}) {
        auto again = DeparseStatement(copy);
        ASSERT_EQ(again.ok(), original.ok()) << where;
        if (original.ok()) {
          EXPECT_EQ(*again, *original) << where;
        } else {
          EXPECT_EQ(again.status().message(), original.status().message()) << where;
        }
      }

      // Every sub-tree, too (expressions, type names, column definitions...).
      ForEachNode(stmt.node, [&](const Node* n) {
        ++nodes;
        EXPECT_EQ(PackMessage(&n->base), ReferencePack(&n->base)) << where;
      });
    }
  }
  EXPECT_GT(statements, 100u);
  EXPECT_GT(nodes, 1000u);
}

TEST(PackMessage, WholeParseResultMatchesLibpgQueryOutput) {
  // libpg_query's own output (packed by protobuf-c) decodes and re-encodes to itself.
  for (const auto& path : CorpusFiles()) {
    std::string text = PlainSql(path);
    PgQueryProtobufParseResult raw = pg_query_parse_protobuf(text.c_str());
    ASSERT_EQ(raw.error, nullptr) << path;
    std::string bytes(raw.parse_tree.data, raw.parse_tree.len);
    pg_query_free_protobuf_parse_result(raw);
    Arena arena;
    ProtobufCMessage* msg = arena.Unpack(pg_query__parse_result__descriptor, bytes);
    ASSERT_NE(msg, nullptr) << path;
    EXPECT_EQ(PackMessage(msg), bytes) << path;
  }
}

TEST(PackMessage, ScalarKindsMatchProtobufC) {
  // Negative int32 (ten-byte varints), int64, doubles, packed repeated uint64, enums, bools,
  // empty and non-empty strings.
  PgQuery__FetchStmt fetch = PG_QUERY__FETCH_STMT__INIT;
  fetch.direction = PG_QUERY__FETCH_DIRECTION__FETCH_ABSOLUTE;
  fetch.how_many = -9000000000LL;
  fetch.portalname = const_cast<char*>("c\xc3\xa9");
  fetch.ismove = 1;
  PgQuery__SubPlan plan = PG_QUERY__SUB_PLAN__INIT;
  plan.startup_cost = 1.5;
  plan.per_call_cost = -0.25;
  plan.plan_id = -1;
  plan.first_col_type = 4000000000u;
  plan.plan_name = const_cast<char*>("");
  uint64_t notnulls[] = {0, 1, 127, 128, 300, UINT64_MAX};
  PgQuery__TableFunc table_func = PG_QUERY__TABLE_FUNC__INIT;
  table_func.n_notnulls = std::size(notnulls);
  table_func.notnulls = notnulls;
  table_func.location = -1;
  PgQuery__Integer zero = PG_QUERY__INTEGER__INIT;  // all fields zero: empty message
  for (const ProtobufCMessage* msg : {&fetch.base, &plan.base, &table_func.base, &zero.base}) {
    std::string ours = PackMessage(msg);
    EXPECT_EQ(ours, ReferencePack(msg)) << msg->descriptor->name;
    Arena arena;
    ProtobufCMessage* back = arena.Unpack(*msg->descriptor, ours);
    ASSERT_NE(back, nullptr) << msg->descriptor->name;
    EXPECT_EQ(PackMessage(back), ours) << msg->descriptor->name;
  }
  Arena arena;
  auto* back = reinterpret_cast<PgQuery__TableFunc*>(
      arena.Unpack(pg_query__table_func__descriptor, PackMessage(&table_func.base)));
  ASSERT_NE(back, nullptr);
  ASSERT_EQ(back->n_notnulls, std::size(notnulls));
  EXPECT_EQ(back->notnulls[5], UINT64_MAX);
  EXPECT_EQ(back->location, -1);
  auto* fetch_back = reinterpret_cast<PgQuery__FetchStmt*>(
      arena.Unpack(pg_query__fetch_stmt__descriptor, PackMessage(&fetch.base)));
  ASSERT_NE(fetch_back, nullptr);
  EXPECT_EQ(fetch_back->how_many, -9000000000LL);
  EXPECT_STREQ(fetch_back->portalname, "c\xc3\xa9");
  auto* plan_back = reinterpret_cast<PgQuery__SubPlan*>(
      arena.Unpack(pg_query__sub_plan__descriptor, PackMessage(&plan.base)));
  ASSERT_NE(plan_back, nullptr);
  EXPECT_EQ(plan_back->per_call_cost, -0.25);
  EXPECT_STREQ(plan_back->plan_name, "");  // absent proto3 string: the empty default
}

TEST(PackMessage, NullsInsideRepeatedFieldsBecomeEmptyMessages) {
  Node* items[2] = {nullptr, nullptr};
  PgQuery__List list = PG_QUERY__LIST__INIT;
  list.n_items = 2;
  list.items = items;
  // (protobuf-c's packer would dereference the nulls.) libpg_query itself writes a null list
  // item as an empty Node.
  EXPECT_EQ(PackMessage(&list.base), std::string("\x0a\x00\x0a\x00", 4));
}

TEST(ArenaUnpack, KeepsUnknownFieldsLikeProtobufC) {
  PgQuery__String s = PG_QUERY__STRING__INIT;
  s.sval = const_cast<char*>("abc");
  // Field 7 (varint 300) and field 9 (bytes "xy") are not in String.
  std::string bytes = PackMessage(&s.base) + std::string("\x38\xac\x02\x4a\x02xy", 7);
  Arena arena;
  ProtobufCMessage* ours = arena.Unpack(pg_query__string__descriptor, bytes);
  ASSERT_NE(ours, nullptr);
  EXPECT_EQ(ours->n_unknown_fields, 2u);
  ReferenceUnpacked theirs(pg_query__string__descriptor, bytes);
  ASSERT_NE(theirs.msg, nullptr);
  EXPECT_EQ(PackMessage(ours), ReferencePack(theirs.msg));
  EXPECT_EQ(PackMessage(ours), bytes);
}

TEST(ArenaUnpack, CollectsRepeatedFieldsSplitIntoSeveralRuns) {
  auto string_node = [](const char* text) {
    PgQuery__String str = PG_QUERY__STRING__INIT;
    str.sval = const_cast<char*>(text);
    Node n = PG_QUERY__NODE__INIT;
    n.node_case = PG_QUERY__NODE__NODE_STRING;
    n.string = &str;
    std::string bytes = PackMessage(&n.base);
    return std::string(1, '\x0a') + static_cast<char>(bytes.size()) + bytes;
  };
  // List.items: a, then an unknown field 7, then b and c.
  std::string list_bytes = string_node("a") + std::string("\x38\x01", 2) + string_node("b") +
                           string_node("c");
  // TableFunc.notnulls (field 11, uint64): packed {1, 2}, packed {300}, then unpacked 4.
  std::string func_bytes = std::string("\x5a\x02\x01\x02\x5a\x02\xac\x02\x58\x04", 10);
  for (const auto& [desc, bytes] :
       {std::pair{&pg_query__list__descriptor, list_bytes},
        std::pair{&pg_query__table_func__descriptor, func_bytes}}) {
    Arena arena;
    ProtobufCMessage* ours = arena.Unpack(*desc, bytes);
    ASSERT_NE(ours, nullptr) << desc->name;
    ReferenceUnpacked theirs(*desc, bytes);
    ASSERT_NE(theirs.msg, nullptr) << desc->name;
    EXPECT_EQ(PackMessage(ours), ReferencePack(theirs.msg)) << desc->name;
  }
  Arena arena;
  auto* list = reinterpret_cast<PgQuery__List*>(
      arena.Unpack(pg_query__list__descriptor, list_bytes));
  ASSERT_EQ(list->n_items, 3u);
  EXPECT_EQ(StrVal(list->items[0]), "a");
  EXPECT_EQ(StrVal(list->items[2]), "c");
  auto* func = reinterpret_cast<PgQuery__TableFunc*>(
      arena.Unpack(pg_query__table_func__descriptor, func_bytes));
  ASSERT_EQ(func->n_notnulls, 4u);
  EXPECT_EQ(func->notnulls[2], 300u);
  EXPECT_EQ(func->notnulls[3], 4u);
}

TEST(ArenaUnpack, RejectsMalformedInput) {
  PgQuery__String s = PG_QUERY__STRING__INIT;
  s.sval = const_cast<char*>("abcdef");
  std::string bytes = PackMessage(&s.base);
  Arena arena;
  EXPECT_EQ(arena.Unpack(pg_query__string__descriptor, bytes.substr(0, bytes.size() - 1)),
            nullptr);
  EXPECT_EQ(arena.Unpack(pg_query__string__descriptor, std::string("\x0d\x01\x02\x03\x04", 5)),
            nullptr)  // sval with a 32-bit wire type
      << "wrong wire type for a known field";
  EXPECT_EQ(arena.Unpack(pg_query__string__descriptor, std::string("\x80", 1)), nullptr);
  ASSERT_NE(arena.Unpack(pg_query__string__descriptor, ""), nullptr);
}

TEST(ArenaCopy, DeepCopiesOwnTheirStrings) {
  SourceFile f("a.sql", "SELECT lower(name) || 'é' FROM t WHERE x IN (1, 2)");
  auto tree = ParseTree::Parse(f);
  ASSERT_TRUE(tree.ok());
  Arena arena;
  const Node* original = tree->statements()[0].node;
  Node* copy = arena.Copy(original);
  ASSERT_NE(copy, nullptr);
  EXPECT_NE(copy, original);
  EXPECT_EQ(PackMessage(&copy->base), PackMessage(&original->base));
  EXPECT_EQ(*DeparseStatement(copy), *DeparseStatement(original));
  EXPECT_EQ(arena.Copy(nullptr), nullptr);
}

}  // namespace
}  // namespace dbarch::sql
