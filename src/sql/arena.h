// Arena: bump allocation for parse trees: ParseTree decodes libpg_query's output into
// arenas, and sql/ copies and rewrites trees in them (expression normalisation). A tree
// unpacked into an arena, and every node added to it, lives until the arena dies; nothing is
// freed one by one. Not thread-safe; one arena per thread at a time.
#pragma once

#include <protobuf-c/protobuf-c.h>

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "sql/ast.h"

namespace dbarch::sql {

class Arena {
 public:
  Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // `size` bytes, 16-byte aligned, uninitialised.
  void* Allocate(size_t size);
  char* Strdup(std::string_view s);
  // A zero-initialised protobuf-C message of type T, set up with `init` (T's __INIT).
  template <typename T>
  T* New(const T& init) {
    T* p = static_cast<T*>(Allocate(sizeof(T)));
    *p = init;
    return p;
  }
  // An allocator that unpacks protobuf-C messages into this arena.
  ProtobufCAllocator* allocator() { return &allocator_; }

  // A deep copy of `node` owned by this arena (encoded with PackMessage and decoded with
  // Unpack); null if `node` is null.
  Node* Copy(const Node* node);

  // Decodes the protobuf wire bytes `bytes` as a message of type `desc` into this arena
  // (strings are copied; `bytes` may die afterwards). The result is laid out as protobuf-c's
  // unpack lays it out (defaults from desc.message_init, repeated counts, oneof cases,
  // unknown fields kept), but a Node costs one field lookup instead of a pass over its ~250
  // oneof members. One difference: a non-repeated message field that occurs twice keeps the
  // last occurrence instead of merging both (no protobuf writer emits that). Any nesting
  // depth decodes (no recursion). Returns null on malformed input (truncated data, wrong wire
  // type for a known field).
  ProtobufCMessage* Unpack(const ProtobufCMessageDescriptor& desc, std::string_view bytes);

 private:
  std::vector<std::unique_ptr<std::byte[]>> blocks_;
  size_t used_ = 0;
  size_t capacity_ = 0;
  ProtobufCAllocator allocator_;
};

// Node constructors in an arena.
Node* MakeString(Arena& arena, std::string_view s);
Node* MakeIntConst(Arena& arena, int value);
Node* MakeFloatConst(Arena& arena, std::string_view value);
Node* MakeStringConst(Arena& arena, std::string_view value);
Node* MakeAExpr(Arena& arena, PgQuery__AExprKind kind, std::string_view op, Node* lexpr,
                Node* rexpr);
Node* MakeBoolExpr(Arena& arena, PgQuery__BoolExprType op, std::vector<Node*> args);
Node* MakeArrayExpr(Arena& arena, Node* const* elements, size_t n);
Node** MakeNodeArray(Arena& arena, size_t n);

}  // namespace dbarch::sql
