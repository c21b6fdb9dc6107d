// The index clones of partitions (Table::clones): which index or key constraint a clone
// stands for, and the name the server gives a clone when it creates one. One implementation
// for the catalog builder (which names the clones it creates), report/ (`inspect --format
// sql` renames the clones whose name is not the one the server gives) and diff/ (which
// renames the clones the server creates for it). Pure functions over a Catalog;
// thread-safe for concurrent readers of the same Catalog.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "catalog/model.h"

namespace dbarch::catalog {

// The index or key constraint a clone stands for: the table that holds it (the first
// ancestor whose index or key is not itself a clone) and its name there.
struct CloneRoot {
  QualifiedName table;  // empty when the partition is not in the catalog
  std::string name;     // an index of `table`'s schema, or a constraint of `table`
  bool operator==(const CloneRoot&) const = default;
};

// The definition a clone copies: exactly one of the two is set, or neither when the root is
// not in the catalog. Pointers into the catalog: valid while it is not modified.
struct CloneSource {
  const Index* index = nullptr;     // the root index (`constraint` false)
  const Constraint* key = nullptr;  // the root PRIMARY KEY / UNIQUE / EXCLUDE constraint
};

// The root of clone `c` of `partition`: `c.parent_name` on the partition's parent, followed
// up through the parents' own clones. Requires: `c` is one of the partition's clones (or
// describes one), so that `c.parent_name` names an index or key of its parent.
CloneRoot CloneRootOf(const Catalog& cat, const QualifiedName& partition, const IndexClone& c);

// The index (`constraint` false) or key constraint (`constraint` true) `root` names.
CloneSource FindCloneSource(const Catalog& cat, const CloneRoot& root, bool constraint);

// The name the server gives a clone of `source` on the partition named `partition` when it
// creates it (CREATE INDEX / ADD CONSTRAINT on the parent, CREATE TABLE ... PARTITION OF,
// ATTACH PARTITION): `<partition>_<columns>_idx` for an index, `_pkey`, `_<columns>_key` and
// `_<columns>_excl` for keys, shortened to 63 bytes, with a number after the label while
// `is_taken` says the name is in use (null: no name is). The columns are the root's as they
// are now. "" when `source` holds neither an index nor a key.
std::string ChooseCloneName(std::string_view partition, const CloneSource& source,
                            const std::function<bool(const std::string&)>& is_taken = nullptr);

// ChooseCloneName for clone `c` of `partition`, whose root is looked up in `cat`: the name
// the server gives that clone when it creates it now. "" when the root is not in `cat`.
std::string ServerCloneName(const Catalog& cat, const Table& partition, const IndexClone& c,
                            const std::function<bool(const std::string&)>& is_taken = nullptr);

}  // namespace dbarch::catalog
