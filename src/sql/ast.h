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

// Location (0-based byte offset in the parsed text, -1 if unknown) of an expression node.
int NodeLocation(const Node* node);

}  // namespace dbarch::sql
