#include "sql/arena.h"

#include <bit>
#include <cstring>
#include <string>
#include <vector>

#include "sql/proto_writer.h"

namespace dbarch::sql {

namespace {

constexpr size_t kBlockSize = 256 * 1024;

void* ArenaAlloc(void* data, size_t size) { return static_cast<Arena*>(data)->Allocate(size); }
void ArenaFree(void*, void*) {}  // freed with the arena

static_assert(std::endian::native == std::endian::little,
              "fixed-width protobuf fields are copied as little-endian memory");

using internal::ElementSize;
using internal::WireTypeOf;

bool ReadVarintSlow(const uint8_t*& p, const uint8_t* end, uint64_t& v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    uint8_t b = *p++;
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (b < 0x80) {
      v = result;
      return true;
    }
  }
  return false;
}

// Reads a varint at `p` and moves past it; false if it is truncated or longer than 10 bytes.
inline bool ReadVarint(const uint8_t*& p, const uint8_t* end, uint64_t& v) {
  if (p < end && *p < 0x80) {  // most tags and lengths: one byte
    v = *p++;
    return true;
  }
  return ReadVarintSlow(p, end, v);
}

// Moves `p` past one value of `wire_type`; false if it runs past `end`.
bool SkipValue(uint32_t wire_type, const uint8_t*& p, const uint8_t* end) {
  uint64_t v;
  switch (wire_type) {
    case PROTOBUF_C_WIRE_TYPE_VARINT:
      return ReadVarint(p, end, v);
    case PROTOBUF_C_WIRE_TYPE_64BIT:
      if (end - p < 8) return false;
      p += 8;
      return true;
    case PROTOBUF_C_WIRE_TYPE_32BIT:
      if (end - p < 4) return false;
      p += 4;
      return true;
    case PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED:
      if (!ReadVarint(p, end, v) || v > static_cast<uint64_t>(end - p)) return false;
      p += v;
      return true;
    default:  // groups are not used by protobuf-c messages
      return false;
  }
}

bool IsPackable(ProtobufCType type) {
  return type != PROTOBUF_C_TYPE_STRING && type != PROTOBUF_C_TYPE_BYTES &&
         type != PROTOBUF_C_TYPE_MESSAGE;
}

// Fields are listed in id order, and most messages number them 1..n, so try the slot first
// (a Node's member for node_case k sits at index k - 1).
const ProtobufCFieldDescriptor* FindField(const ProtobufCMessageDescriptor& desc, uint64_t id) {
  if (id - 1 < desc.n_fields && desc.fields[id - 1].id == id) return &desc.fields[id - 1];
  if (id > UINT32_MAX) return nullptr;
  return protobuf_c_message_descriptor_get_field(&desc, static_cast<unsigned>(id));
}

// Number of values in the payload [p, end) of a packed repeated field.
size_t CountPacked(ProtobufCType type, const uint8_t* p, const uint8_t* end) {
  switch (WireTypeOf(type)) {
    case PROTOBUF_C_WIRE_TYPE_32BIT:
      return static_cast<size_t>(end - p) / 4;
    case PROTOBUF_C_WIRE_TYPE_64BIT:
      return static_cast<size_t>(end - p) / 8;
    default: {
      size_t n = 0;
      for (; p < end; ++p) n += *p < 0x80;
      return n;
    }
  }
}

// Decodes protobuf bytes into arena-allocated protobuf-C structs, in one pass and without
// recursion: open messages sit on an explicit stack, so any depth decodes (even in sanitizer
// builds, whose stack frames are large). The elements of a repeated field arrive as a run of
// the same tag (every writer emits them together), so the run is counted ahead and its array
// allocated once at its final size; a field whose elements come in several runs gets a
// larger array per run (correct, merely wasteful).
class Decoder {
 public:
  explicit Decoder(Arena& arena) : arena_(arena) {}

  ProtobufCMessage* Decode(const ProtobufCMessageDescriptor& desc, const uint8_t* p,
                           const uint8_t* end) {
    ProtobufCMessage* root = Open(desc, p, end);
    while (!stack_.empty()) {
      if (!Step()) return nullptr;
    }
    return root;
  }

 private:
  // A message being decoded.
  struct Frame {
    const ProtobufCMessageDescriptor* desc;
    char* base;          // the message
    const uint8_t* p;    // its next unread byte
    const uint8_t* end;  // the end of its bytes
    // A repeated message field with `run_left` more elements of a run still to open.
    const ProtobufCFieldDescriptor* run_field = nullptr;
    size_t run_left = 0;
  };

  // Allocates a message of type `desc` for the bytes [p, end) and pushes it.
  ProtobufCMessage* Open(const ProtobufCMessageDescriptor& desc, const uint8_t* p,
                         const uint8_t* end) {
    auto* msg = static_cast<ProtobufCMessage*>(arena_.Allocate(desc.sizeof_message));
    desc.message_init(msg);
    stack_.push_back(Frame{&desc, reinterpret_cast<char*>(msg), p, end});
    return msg;
  }

  // Reads the top message's fields until it opens a child message (pushed) or ends (popped).
  // False on malformed input.
  bool Step() {
    Frame& fr = stack_.back();
    if (fr.run_left > 0) {
      uint64_t tag;
      ReadVarint(fr.p, fr.end, tag);  // the run's tag, checked when the run was counted
      return OpenRunElement();
    }
    while (fr.p < fr.end) {
      uint64_t tag;
      if (!ReadVarint(fr.p, fr.end, tag) || (tag >> 3) == 0) return false;
      auto wire_type = static_cast<uint32_t>(tag & 7);
      const ProtobufCFieldDescriptor* f = FindField(*fr.desc, tag >> 3);
      if (f == nullptr) {
        if (!Unknown(*reinterpret_cast<ProtobufCMessage*>(fr.base), tag, fr.p, fr.end)) {
          return false;
        }
        continue;
      }
      char* base = fr.base;
      if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
        if (wire_type != PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED) return false;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
          size_t run = CountRun(tag, fr.p, fr.end);
          if (run == 0) return false;
          Extend(*reinterpret_cast<char**>(base + f->offset),
                 *reinterpret_cast<size_t*>(base + f->quantifier_offset), run,
                 sizeof(ProtobufCMessage*));
          fr.run_field = f;
          fr.run_left = run;
          return OpenRunElement();
        }
        uint64_t len;
        if (!ReadVarint(fr.p, fr.end, len) || len > static_cast<uint64_t>(fr.end - fr.p)) {
          return false;
        }
        const uint8_t* data = fr.p;
        fr.p += len;
        MarkPresent(*f, base);
        // Open() invalidates `fr`.
        ProtobufCMessage* child =
            Open(*static_cast<const ProtobufCMessageDescriptor*>(f->descriptor), data, data + len);
        std::memcpy(base + f->offset, &child, sizeof child);
        return true;
      }
      if (f->label != PROTOBUF_C_LABEL_REPEATED) {
        if (!Scalar(*f, wire_type, fr.p, fr.end, base + f->offset)) return false;
        MarkPresent(*f, base);
        continue;
      }
      auto& n = *reinterpret_cast<size_t*>(base + f->quantifier_offset);
      auto& array = *reinterpret_cast<char**>(base + f->offset);
      size_t step = ElementSize(f->type);
      if (wire_type == PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED && IsPackable(f->type)) {
        uint64_t len;
        if (!ReadVarint(fr.p, fr.end, len) || len > static_cast<uint64_t>(fr.end - fr.p)) {
          return false;
        }
        const uint8_t* payload_end = fr.p + len;
        Extend(array, n, CountPacked(f->type, fr.p, payload_end), step);
        uint32_t element_wire_type = WireTypeOf(f->type);
        while (fr.p < payload_end) {
          if (!Scalar(*f, element_wire_type, fr.p, payload_end, array + n * step)) return false;
          ++n;
        }
        continue;
      }
      size_t run = CountRun(tag, fr.p, fr.end);
      if (run == 0) return false;
      Extend(array, n, run, step);
      for (size_t k = 0; k < run; ++k) {
        if (k > 0) ReadVarint(fr.p, fr.end, tag);  // the same tag, checked by CountRun
        if (!Scalar(*f, wire_type, fr.p, fr.end, array + n * step)) return false;
        ++n;
      }
    }
    stack_.pop_back();
    return true;
  }

  // Opens the next element of the top frame's run of repeated messages; its tag is read.
  bool OpenRunElement() {
    Frame& fr = stack_.back();
    const ProtobufCFieldDescriptor& f = *fr.run_field;
    uint64_t len;
    if (!ReadVarint(fr.p, fr.end, len) || len > static_cast<uint64_t>(fr.end - fr.p)) {
      return false;
    }
    const uint8_t* data = fr.p;
    fr.p += len;
    --fr.run_left;
    auto& n = *reinterpret_cast<size_t*>(fr.base + f.quantifier_offset);
    auto* array = *reinterpret_cast<ProtobufCMessage***>(fr.base + f.offset);
    // Open() invalidates `fr`; `n` and `array` live in the arena.
    array[n++] =
        Open(*static_cast<const ProtobufCMessageDescriptor*>(f.descriptor), data, data + len);
    return true;
  }

  // The number of values with tag `tag` in a row from `p` (just past the first tag); 0 if
  // one of them is truncated.
  static size_t CountRun(uint64_t tag, const uint8_t* p, const uint8_t* end) {
    auto wire_type = static_cast<uint32_t>(tag & 7);
    size_t run = 1;
    for (;;) {
      if (!SkipValue(wire_type, p, end)) return 0;
      uint64_t next;
      if (p >= end || !ReadVarint(p, end, next) || next != tag) return run;
      ++run;
    }
  }

  // Records that a non-repeated field is set: the oneof case, or a proto2 has_ flag.
  static void MarkPresent(const ProtobufCFieldDescriptor& f, char* base) {
    if (f.flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
      *reinterpret_cast<uint32_t*>(base + f.quantifier_offset) = f.id;
    } else if (f.label == PROTOBUF_C_LABEL_OPTIONAL && f.quantifier_offset != 0) {
      *reinterpret_cast<protobuf_c_boolean*>(base + f.quantifier_offset) = 1;
    }
  }

  // Makes room for `more` elements after the `n` in `array`.
  void Extend(char*& array, size_t n, size_t more, size_t step) {
    auto* bigger = static_cast<char*>(arena_.Allocate((n + more) * step));
    if (n != 0) std::memcpy(bigger, array, n * step);
    array = bigger;
  }

  // Keeps a field that `msg`'s descriptor does not know, as protobuf-c does: its tag, wire
  // type and the bytes after the tag. They are rare: the array grows one by one.
  bool Unknown(ProtobufCMessage& msg, uint64_t tag, const uint8_t*& p, const uint8_t* end) {
    const uint8_t* value = p;
    auto wire_type = static_cast<uint32_t>(tag & 7);
    if (!SkipValue(wire_type, p, end) || (tag >> 3) > UINT32_MAX) return false;
    size_t n = msg.n_unknown_fields;
    auto* fields = static_cast<ProtobufCMessageUnknownField*>(
        arena_.Allocate((n + 1) * sizeof(ProtobufCMessageUnknownField)));
    if (n != 0) std::memcpy(fields, msg.unknown_fields, n * sizeof(ProtobufCMessageUnknownField));
    ProtobufCMessageUnknownField& u = fields[n];
    u.tag = static_cast<uint32_t>(tag >> 3);
    u.wire_type = static_cast<ProtobufCWireType>(wire_type);
    u.len = static_cast<size_t>(p - value);
    u.data = static_cast<uint8_t*>(arena_.Allocate(u.len == 0 ? 1 : u.len));
    if (u.len != 0) std::memcpy(u.data, value, u.len);
    msg.unknown_fields = fields;
    msg.n_unknown_fields = n + 1;
    return true;
  }

  // Decodes one non-message value of field `f` arriving with `wire_type` at `q` into `dest`.
  bool Scalar(const ProtobufCFieldDescriptor& f, uint32_t wire_type, const uint8_t*& q,
              const uint8_t* end, char* dest) {
    if (wire_type != WireTypeOf(f.type)) return false;
    uint64_t v = 0;
    switch (wire_type) {
      case PROTOBUF_C_WIRE_TYPE_32BIT:
        if (end - q < 4) return false;
        std::memcpy(dest, q, 4);
        q += 4;
        return true;
      case PROTOBUF_C_WIRE_TYPE_64BIT:
        if (end - q < 8) return false;
        std::memcpy(dest, q, 8);
        q += 8;
        return true;
      case PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED: {
        if (!ReadVarint(q, end, v) || v > static_cast<uint64_t>(end - q)) return false;
        const uint8_t* data = q;
        q += v;
        if (f.type == PROTOBUF_C_TYPE_STRING) {
          char* s = arena_.Strdup(std::string_view(reinterpret_cast<const char*>(data), v));
          std::memcpy(dest, &s, sizeof s);
        } else {  // bytes
          ProtobufCBinaryData b{static_cast<size_t>(v),
                                static_cast<uint8_t*>(arena_.Allocate(v == 0 ? 1 : v))};
          if (v != 0) std::memcpy(b.data, data, v);
          std::memcpy(dest, &b, sizeof b);
        }
        return true;
      }
      default:
        break;
    }
    if (!ReadVarint(q, end, v)) return false;
    switch (f.type) {
      case PROTOBUF_C_TYPE_SINT32: {
        auto u = static_cast<uint32_t>(v);
        auto x = static_cast<int32_t>((u >> 1) ^ (~(u & 1) + 1));
        std::memcpy(dest, &x, 4);
        return true;
      }
      case PROTOBUF_C_TYPE_SINT64: {
        auto x = static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
        std::memcpy(dest, &x, 8);
        return true;
      }
      case PROTOBUF_C_TYPE_INT64:
      case PROTOBUF_C_TYPE_UINT64:
        std::memcpy(dest, &v, 8);
        return true;
      case PROTOBUF_C_TYPE_BOOL: {
        protobuf_c_boolean b = v != 0;
        std::memcpy(dest, &b, sizeof b);
        return true;
      }
      default: {  // int32, uint32, enum: the low 32 bits
        auto x = static_cast<uint32_t>(v);
        std::memcpy(dest, &x, 4);
        return true;
      }
    }
  }

  Arena& arena_;
  std::vector<Frame> stack_;
};

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
  std::string bytes = PackMessage(&node->base);
  return reinterpret_cast<Node*>(Unpack(pg_query__node__descriptor, bytes));
}

ProtobufCMessage* Arena::Unpack(const ProtobufCMessageDescriptor& desc, std::string_view bytes) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  return Decoder(*this).Decode(desc, p, p + bytes.size());
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
