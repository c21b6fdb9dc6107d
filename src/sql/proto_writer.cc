#include "sql/proto_writer.h"

#include <pg_query/pg_query.pb-c.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

namespace dbarch::sql {

namespace {

static_assert(std::endian::native == std::endian::little,
              "fixed-width protobuf fields are copied as little-endian memory");

// Writes protobuf bytes from the back of a buffer towards the front. Fields are emitted in
// reverse order, so a nested message is complete (and its length known) before the length
// prefix and tag that precede it on the wire are written.
class BackWriter {
 public:
  BackWriter() : buf_(kInitialSize, '\0') {
    begin_ = buf_.data();
    pos_ = begin_ + buf_.size();
  }

  // Bytes written so far.
  size_t size() const { return static_cast<size_t>(begin_ + buf_.size() - pos_); }

  void PutVarint(uint64_t v) {
    size_t n = VarintSize(v);
    Reserve(n);
    pos_ -= n;
    char* p = pos_;
    while (v >= 0x80) {
      *p++ = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    *p = static_cast<char>(v);
  }

  void PutTag(uint32_t id, ProtobufCWireType wire_type) {
    PutVarint((uint64_t{id} << 3) | static_cast<uint64_t>(wire_type));
  }

  void PutBytes(const void* data, size_t n) {
    Reserve(n);
    pos_ -= n;
    if (n != 0) std::memcpy(pos_, data, n);
  }

  // The bytes written, front to back.
  std::string Finish() && {
    buf_.erase(0, static_cast<size_t>(pos_ - begin_));
    return std::move(buf_);
  }

 private:
  static constexpr size_t kInitialSize = 1024;

  static size_t VarintSize(uint64_t v) {
    // 7 payload bits per byte; 0 still takes one byte.
    return static_cast<size_t>((std::bit_width(v | 1) + 6) / 7);
  }

  void Reserve(size_t n) {
    if (static_cast<size_t>(pos_ - begin_) < n) Grow(n);
  }

  void Grow(size_t n) {
    size_t used = size();
    size_t capacity = std::max(buf_.size() * 2, used + n + kInitialSize);
    std::string bigger(capacity, '\0');
    std::memcpy(bigger.data() + capacity - used, pos_, used);
    buf_.swap(bigger);
    begin_ = buf_.data();
    pos_ = begin_ + capacity - used;
  }

  std::string buf_;
  char* begin_;
  char* pos_;  // first written byte; writing moves it towards begin_
};

using internal::ElementSize;
using internal::WireTypeOf;

uint32_t ZigZag32(int32_t v) {
  return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}
uint64_t ZigZag64(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

template <typename T>
T Load(const void* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The field descriptor of a Node's active member: Node field ids equal node_case values, and
// the descriptor lists the members in id order, so the member sits at index node_case - 1.
const ProtobufCFieldDescriptor* NodeMember(const PgQuery__Node* node) {
  auto id = static_cast<unsigned>(node->node_case);
  if (id == 0) return nullptr;
  const ProtobufCMessageDescriptor& d = pg_query__node__descriptor;
  if (id <= d.n_fields && d.fields[id - 1].id == id) return &d.fields[id - 1];
  return protobuf_c_message_descriptor_get_field(&d, id);
}

class Encoder {
 public:
  std::string Encode(const ProtobufCMessage* msg) && {
    WriteMessage(msg);
    return std::move(out_).Finish();
  }

 private:
  void WriteMessage(const ProtobufCMessage* msg) {
    for (size_t i = msg->n_unknown_fields; i-- > 0;) {
      const ProtobufCMessageUnknownField& u = msg->unknown_fields[i];
      out_.PutBytes(u.data, u.len);
      out_.PutTag(u.tag, u.wire_type);
    }
    const ProtobufCMessageDescriptor* desc = msg->descriptor;
    const char* base = reinterpret_cast<const char*>(msg);
    if (desc == &pg_query__node__descriptor) {
      const ProtobufCFieldDescriptor* f = NodeMember(reinterpret_cast<const PgQuery__Node*>(msg));
      if (f != nullptr) WriteField(*f, base);
      return;
    }
    for (unsigned i = desc->n_fields; i-- > 0;) WriteField(desc->fields[i], base);
  }

  // Writes one field of the message at `base` if protobuf-c would: required fields always,
  // oneof members when selected, proto2 optionals when present, proto3 scalars when nonzero,
  // repeated fields when not empty.
  void WriteField(const ProtobufCFieldDescriptor& f, const char* base) {
    const char* member = base + f.offset;
    bool is_pointer = f.type == PROTOBUF_C_TYPE_MESSAGE || f.type == PROTOBUF_C_TYPE_STRING;
    switch (f.label) {
      case PROTOBUF_C_LABEL_REQUIRED:
        break;
      case PROTOBUF_C_LABEL_OPTIONAL:
      case PROTOBUF_C_LABEL_NONE:
        if (f.flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
          if (Load<uint32_t>(base + f.quantifier_offset) != f.id) return;
          if (is_pointer) {
            const void* p = Load<const void*>(member);
            if (p == nullptr || p == f.default_value) return;
          }
        } else if (f.label == PROTOBUF_C_LABEL_OPTIONAL) {
          if (is_pointer) {
            const void* p = Load<const void*>(member);
            if (p == nullptr || p == f.default_value) return;
          } else if (!Load<protobuf_c_boolean>(base + f.quantifier_offset)) {
            return;
          }
        } else if (IsZero(f.type, member)) {
          return;
        }
        break;
      case PROTOBUF_C_LABEL_REPEATED: {
        size_t n = Load<size_t>(base + f.quantifier_offset);
        if (n != 0) WriteRepeated(f, Load<const char*>(member), n);
        return;
      }
    }
    WriteValue(f, member);
    out_.PutTag(f.id, WireTypeOf(f.type));
  }

  static bool IsZero(ProtobufCType type, const char* member) {
    switch (type) {
      case PROTOBUF_C_TYPE_BOOL:
        return Load<protobuf_c_boolean>(member) == 0;
      case PROTOBUF_C_TYPE_SINT64:
      case PROTOBUF_C_TYPE_INT64:
      case PROTOBUF_C_TYPE_UINT64:
      case PROTOBUF_C_TYPE_SFIXED64:
      case PROTOBUF_C_TYPE_FIXED64:
        return Load<uint64_t>(member) == 0;
      case PROTOBUF_C_TYPE_FLOAT:
        return Load<float>(member) == 0;
      case PROTOBUF_C_TYPE_DOUBLE:
        return Load<double>(member) == 0;
      case PROTOBUF_C_TYPE_STRING: {
        const char* s = Load<const char*>(member);
        return s == nullptr || *s == '\0';
      }
      case PROTOBUF_C_TYPE_BYTES:
        return Load<ProtobufCBinaryData>(member).len == 0;
      case PROTOBUF_C_TYPE_MESSAGE:
        return Load<const void*>(member) == nullptr;
      default:  // 32-bit integers and enums
        return Load<uint32_t>(member) == 0;
    }
  }

  // Writes the value stored at `member` without its tag.
  void WriteValue(const ProtobufCFieldDescriptor& f, const char* member) {
    switch (f.type) {
      case PROTOBUF_C_TYPE_INT32:
      case PROTOBUF_C_TYPE_ENUM:
        // Negative values take ten bytes: they are sign-extended to 64 bits.
        out_.PutVarint(static_cast<uint64_t>(static_cast<int64_t>(Load<int32_t>(member))));
        break;
      case PROTOBUF_C_TYPE_SINT32:
        out_.PutVarint(ZigZag32(Load<int32_t>(member)));
        break;
      case PROTOBUF_C_TYPE_UINT32:
        out_.PutVarint(Load<uint32_t>(member));
        break;
      case PROTOBUF_C_TYPE_INT64:
      case PROTOBUF_C_TYPE_UINT64:
        out_.PutVarint(Load<uint64_t>(member));
        break;
      case PROTOBUF_C_TYPE_SINT64:
        out_.PutVarint(ZigZag64(Load<int64_t>(member)));
        break;
      case PROTOBUF_C_TYPE_BOOL:
        out_.PutVarint(Load<protobuf_c_boolean>(member) != 0 ? 1 : 0);
        break;
      case PROTOBUF_C_TYPE_SFIXED32:
      case PROTOBUF_C_TYPE_FIXED32:
      case PROTOBUF_C_TYPE_FLOAT:
        out_.PutBytes(member, 4);
        break;
      case PROTOBUF_C_TYPE_SFIXED64:
      case PROTOBUF_C_TYPE_FIXED64:
      case PROTOBUF_C_TYPE_DOUBLE:
        out_.PutBytes(member, 8);
        break;
      case PROTOBUF_C_TYPE_STRING: {
        const char* s = Load<const char*>(member);
        size_t n = s == nullptr ? 0 : std::strlen(s);
        out_.PutBytes(s, n);
        out_.PutVarint(n);
        break;
      }
      case PROTOBUF_C_TYPE_BYTES: {
        auto b = Load<ProtobufCBinaryData>(member);
        out_.PutBytes(b.data, b.len);
        out_.PutVarint(b.len);
        break;
      }
      case PROTOBUF_C_TYPE_MESSAGE: {
        auto* child = Load<const ProtobufCMessage*>(member);
        size_t before = out_.size();
        if (child != nullptr) WriteMessage(child);
        out_.PutVarint(out_.size() - before);
        break;
      }
    }
  }

  void WriteRepeated(const ProtobufCFieldDescriptor& f, const char* array, size_t n) {
    size_t step = ElementSize(f.type);
    if (f.flags & PROTOBUF_C_FIELD_FLAG_PACKED) {
      // One length-prefixed run of values (strings, bytes and messages are never packed).
      size_t before = out_.size();
      for (size_t i = n; i-- > 0;) WriteValue(f, array + i * step);
      out_.PutVarint(out_.size() - before);
      out_.PutTag(f.id, PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED);
      return;
    }
    ProtobufCWireType wire_type = WireTypeOf(f.type);
    for (size_t i = n; i-- > 0;) {
      WriteValue(f, array + i * step);
      out_.PutTag(f.id, wire_type);
    }
  }

  BackWriter out_;
};

}  // namespace

std::string PackMessage(const ProtobufCMessage* msg) { return Encoder().Encode(msg); }

namespace internal {

ProtobufCWireType WireTypeOf(ProtobufCType type) {
  switch (type) {
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
      return PROTOBUF_C_WIRE_TYPE_32BIT;
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
      return PROTOBUF_C_WIRE_TYPE_64BIT;
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
    case PROTOBUF_C_TYPE_MESSAGE:
      return PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED;
    default:
      return PROTOBUF_C_WIRE_TYPE_VARINT;
  }
}

size_t ElementSize(ProtobufCType type) {
  switch (type) {
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
      return 8;
    case PROTOBUF_C_TYPE_BOOL:
      return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
      return sizeof(char*);
    case PROTOBUF_C_TYPE_BYTES:
      return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE:
      return sizeof(ProtobufCMessage*);
    default:  // 32-bit integers, floats and enums
      return 4;
  }
}

}  // namespace internal

}  // namespace dbarch::sql
