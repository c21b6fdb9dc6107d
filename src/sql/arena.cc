#include "sql/arena.h"

#include <cstring>

namespace dbarch::sql {

namespace {

constexpr size_t kBlockSize = 256 * 1024;

void* ArenaAlloc(void* data, size_t size) { return static_cast<Arena*>(data)->Allocate(size); }
void ArenaFree(void*, void*) {}  // freed with the arena

}  // namespace

Arena::Arena() : allocator_{ArenaAlloc, ArenaFree, this} {}

void* Arena::Allocate(size_t size) {
  size = (size + 15) & ~size_t{15};
  if (size > kBlockSize / 4) {
    blocks_.emplace_back(new std::byte[size]);
    std::byte* big = blocks_.back().get();
    // Keep the current bump block at the back of the list.
    if (blocks_.size() > 1) std::swap(blocks_[blocks_.size() - 1], blocks_[blocks_.size() - 2]);
    return big;
  }
  if (used_ + size > capacity_) {
    blocks_.emplace_back(new std::byte[kBlockSize]);
    used_ = 0;
    capacity_ = kBlockSize;
  }
  std::byte* p = blocks_.back().get() + used_;
  used_ += size;
  return p;
}

char* Arena::Strdup(std::string_view s) {
  char* p = static_cast<char*>(Allocate(s.size() + 1));
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  return p;
}

Node* Arena::Copy(const Node* node) {
  if (node == nullptr) return nullptr;
  size_t size = pg_query__node__get_packed_size(node);
  auto* buf = static_cast<uint8_t*>(Allocate(size + 1));
  pg_query__node__pack(node, buf);
  return pg_query__node__unpack(&allocator_, size, buf);
}

Node* MakeString(Arena& arena, std::string_view s) {
  auto* str = arena.New<PgQuery__String>(PG_QUERY__STRING__INIT);
  str->sval = arena.Strdup(s);
  auto* n = arena.New<Node>(PG_QUERY__NODE__INIT);
  n->node_case = PG_QUERY__NODE__NODE_STRING;
  n->string = str;
  return n;
}

namespace {

Node* WrapConst(Arena& arena, PgQuery__AConst* c) {
  auto* n = arena.New<Node>(PG_QUERY__NODE__INIT);
  n->node_case = PG_QUERY__NODE__NODE_A_CONST;
  n->a_const = c;
  c->location = -1;
  return n;
}

}  // namespace

Node* MakeIntConst(Arena& arena, int value) {
  auto* c = arena.New<PgQuery__AConst>(PG_QUERY__A__CONST__INIT);
  c->val_case = PG_QUERY__A__CONST__VAL_IVAL;
  c->ival = arena.New<PgQuery__Integer>(PG_QUERY__INTEGER__INIT);
  c->ival->ival = value;
  return WrapConst(arena, c);
}

Node* MakeFloatConst(Arena& arena, std::string_view value) {
  auto* c = arena.New<PgQuery__AConst>(PG_QUERY__A__CONST__INIT);
  c->val_case = PG_QUERY__A__CONST__VAL_FVAL;
  c->fval = arena.New<PgQuery__Float>(PG_QUERY__FLOAT__INIT);
  c->fval->fval = arena.Strdup(value);
  return WrapConst(arena, c);
}

Node* MakeStringConst(Arena& arena, std::string_view value) {
  auto* c = arena.New<PgQuery__AConst>(PG_QUERY__A__CONST__INIT);
  c->val_case = PG_QUERY__A__CONST__VAL_SVAL;
  c->sval = arena.New<PgQuery__String>(PG_QUERY__STRING__INIT);
  c->sval->sval = arena.Strdup(value);
  return WrapConst(arena, c);
}

Node** MakeNodeArray(Arena& arena, size_t n) {
  return static_cast<Node**>(arena.Allocate(sizeof(Node*) * (n == 0 ? 1 : n)));
}

Node* MakeAExpr(Arena& arena, PgQuery__AExprKind kind, std::string_view op, Node* lexpr,
                Node* rexpr) {
  auto* e = arena.New<PgQuery__AExpr>(PG_QUERY__A__EXPR__INIT);
  e->kind = kind;
  e->n_name = 1;
  e->name = MakeNodeArray(arena, 1);
  e->name[0] = MakeString(arena, op);
  e->lexpr = lexpr;
  e->rexpr = rexpr;
  e->location = -1;
  auto* n = arena.New<Node>(PG_QUERY__NODE__INIT);
  n->node_case = PG_QUERY__NODE__NODE_A_EXPR;
  n->a_expr = e;
  return n;
}

Node* MakeBoolExpr(Arena& arena, PgQuery__BoolExprType op, std::vector<Node*> args) {
  auto* e = arena.New<PgQuery__BoolExpr>(PG_QUERY__BOOL_EXPR__INIT);
  e->boolop = op;
  e->n_args = args.size();
  e->args = MakeNodeArray(arena, args.size());
  for (size_t i = 0; i < args.size(); ++i) e->args[i] = args[i];
  e->location = -1;
  auto* n = arena.New<Node>(PG_QUERY__NODE__INIT);
  n->node_case = PG_QUERY__NODE__NODE_BOOL_EXPR;
  n->bool_expr = e;
  return n;
}

Node* MakeArrayExpr(Arena& arena, Node* const* elements, size_t n) {
  auto* a = arena.New<PgQuery__AArrayExpr>(PG_QUERY__A__ARRAY_EXPR__INIT);
  a->n_elements = n;
  a->elements = MakeNodeArray(arena, n);
  for (size_t i = 0; i < n; ++i) a->elements[i] = elements[i];
  a->location = -1;
  auto* node = arena.New<Node>(PG_QUERY__NODE__INIT);
  node->node_case = PG_QUERY__NODE__NODE_A_ARRAY_EXPR;
  node->a_array_expr = a;
  return node;
}

}  // namespace dbarch::sql
