// The parse tree: libpg_query's protobuf-C message structs (PgQuery__Node and friends, one
// per PostgreSQL parse node), unpacked from pg_query_parse_protobuf(). This header is the
// only way other stages reach them; no other stage includes pg_query headers or calls a
// pg_query_* function. Trees are read-only outside sql/ and owned by a ParseTree or an
// Arena. Helpers here are pure functions; thread-safe.
#pragma once

#include <pg_query/pg_query.pb-c.h>

#include <string>
#include <string_view>
#include <vector>

namespace dbarch::sql {

using Node = PgQuery__Node;

// The string of a String node ("" for anything else or null).
std::string_view StrVal(const Node* node);
// The strings of a list of String nodes (names like {"public", "orders"}).
std::vector<std::string> StrList(Node* const* items, size_t n);
// True for SELECT, INSERT, UPDATE, DELETE and MERGE statements (queries and DML); false for
// everything else and for null.
bool IsQueryOrDml(const Node* node);
// Integer value of an Integer node or an A_Const holding an integer; `fallback` otherwise.
int IntVal(const Node* node, int fallback);

// Iterates a repeated Node field: for (const Node* n : Nodes(s->n_x, s->x)).
struct NodeRange {
  Node* const* b;
  Node* const* e;
  Node* const* begin() const { return b; }
  Node* const* end() const { return e; }
  size_t size() const { return static_cast<size_t>(e - b); }
};
inline NodeRange Nodes(size_t n, Node* const* items) { return {items, items + (items ? n : 0)}; }

// Calls fn(Node* const& slot) for every Node-typed child of `msg`, at any depth of nested
// non-Node messages, but not below the Node children themselves (the caller recurses).
// For a Node only its active member is visited (found by id, not by scanning the ~250
// members). `fn` may overwrite the slot (rewrites) when msg is mutable.
template <typename Fn>
void ForEachChildNode(const ProtobufCMessage* msg, Fn&& fn);

// Location (0-based byte offset in the parsed text, -1 if unknown) of an expression node.
int NodeLocation(const Node* node);

namespace internal {
// Field descriptor of a Node's active member (Node field ids equal node_case values).
const ProtobufCFieldDescriptor* ActiveNodeField(const Node* node);
}  // namespace internal

template <typename Fn>
void ForEachChildNode(const ProtobufCMessage* msg, Fn&& fn) {
  auto visit_field = [&](const ProtobufCFieldDescriptor& f, const char* base) {
    if (f.type != PROTOBUF_C_TYPE_MESSAGE) return;
    bool is_node = f.descriptor == &pg_query__node__descriptor;
    if (f.label == PROTOBUF_C_LABEL_REPEATED) {
      size_t n = *reinterpret_cast<const size_t*>(base + f.quantifier_offset);
      auto* items = *reinterpret_cast<ProtobufCMessage** const*>(base + f.offset);
      for (size_t k = 0; k < n; ++k) {
        if (items[k] == nullptr) continue;
        if (is_node) {
          fn(reinterpret_cast<Node*&>(items[k]));
        } else {
          ForEachChildNode(items[k], fn);
        }
      }
    } else {
      auto& child = *reinterpret_cast<ProtobufCMessage* const*>(base + f.offset);
      if (child == nullptr) return;
      if (is_node) {
        fn(reinterpret_cast<Node* const&>(child));
      } else {
        ForEachChildNode(child, fn);
      }
    }
  };
  const char* base = reinterpret_cast<const char*>(msg);
  if (msg->descriptor == &pg_query__node__descriptor) {
    // A Node wraps exactly one message: visit that message's children.
    const ProtobufCFieldDescriptor* f = internal::ActiveNodeField(reinterpret_cast<const Node*>(msg));
    if (f == nullptr) return;
    auto* inner = *reinterpret_cast<ProtobufCMessage* const*>(base + f->offset);
    if (inner != nullptr) ForEachChildNode(inner, fn);
    return;
  }
  const ProtobufCMessageDescriptor* desc = msg->descriptor;
  for (unsigned i = 0; i < desc->n_fields; ++i) {
    const ProtobufCFieldDescriptor& f = desc->fields[i];
    if (f.flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
      if (*reinterpret_cast<const uint32_t*>(base + f.quantifier_offset) != f.id) continue;
    }
    visit_field(f, base);
  }
}

}  // namespace dbarch::sql
