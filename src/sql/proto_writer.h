// Protobuf wire encoding of protobuf-C messages (libpg_query's parse trees), used instead of
// protobuf-c's own packer wherever sql/ serialises a tree: deparsing (the deparser reads
// protobuf bytes) and deep copies into an Arena.
//
// Why our own: protobuf-c packs generically, driven by the message descriptors, and for every
// PgQuery__Node it visits all ~250 members of the node oneof (twice: once to size, once to
// write), so each Node costs thousands of instructions. A Node has exactly one active member,
// whose field id equals node_case; this encoder writes that member directly. It also writes
// back to front, so every length prefix is known when it is written and the tree is walked
// once.
//
// The output is valid protobuf for any protobuf-C message (proto2 or proto3, every scalar
// type, strings, bytes, nested and repeated messages, packed repeated scalars, oneofs,
// unknown fields) and, for the messages of pg_query.proto, byte-identical to protobuf-c's
// pack (same field order, proto3 zero values omitted). Pure function; thread-safe.
#pragma once

#include <protobuf-c/protobuf-c.h>

#include <cstddef>
#include <string>

namespace dbarch::sql {

// The wire bytes of `msg` and everything below it. A null message inside a repeated message
// field is written as an empty message (libpg_query's encoding of a null list item; protobuf-c
// would crash on it). Recursive, like protobuf-c's packer: stack use grows with the depth of
// the tree. Requires: msg != nullptr and a well-formed tree (strings NUL-terminated, array
// counts right, no cycles).
std::string PackMessage(const ProtobufCMessage* msg);

namespace internal {
// Shared with the decoder (Arena::Unpack).
// The wire type of a non-packed value of `type`.
ProtobufCWireType WireTypeOf(ProtobufCType type);
// The size of one element of a repeated field of `type` in a protobuf-C struct's array.
size_t ElementSize(ProtobufCType type);
}  // namespace internal

}  // namespace dbarch::sql
