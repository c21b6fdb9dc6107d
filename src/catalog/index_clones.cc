#include "catalog/index_clones.h"

#include "catalog/naming.h"

namespace dbarch::catalog {

CloneRoot CloneRootOf(const Catalog& cat, const QualifiedName& partition, const IndexClone& c) {
  const Table* t = cat.FindTable(partition);
  CloneRoot root{t != nullptr && t->partition_of ? *t->partition_of : QualifiedName{},
                 c.parent_name};
  // A partition nests at most as deep as the catalog has tables; 64 bounds a cycle that a
  // malformed catalog could hold.
  for (int depth = 0; depth < 64; ++depth) {
    const Table* holder = cat.FindTable(root.table);
    if (holder == nullptr || !holder->partition_of) break;
    const IndexClone* up = nullptr;
    for (const IndexClone& x : holder->clones) {
      if (x.name == root.name && x.constraint == c.constraint) up = &x;
    }
    if (up == nullptr) break;
    root = {*holder->partition_of, up->parent_name};
  }
  return root;
}

CloneSource FindCloneSource(const Catalog& cat, const CloneRoot& root, bool constraint) {
  CloneSource out;
  if (!constraint) {
    auto it = cat.indexes.find(QualifiedName{root.table.schema, root.name});
    if (it != cat.indexes.end() && it->second.table == root.table) out.index = &it->second;
    return out;
  }
  if (const Table* t = cat.FindTable(root.table)) {
    for (const Constraint& k : t->constraints) {
      if (k.name == root.name &&
          (k.kind == ConstraintKind::kPrimaryKey || k.kind == ConstraintKind::kUnique ||
           k.kind == ConstraintKind::kExclude)) {
        out.key = &k;
      }
    }
  }
  return out;
}

std::string ChooseCloneName(std::string_view partition, const CloneSource& source,
                            const std::function<bool(const std::string&)>& is_taken) {
  std::function<bool(const std::string&)> taken = is_taken;
  if (!taken) taken = [](const std::string&) { return false; };
  if (source.index != nullptr) {
    return ChooseName(partition,
                      NameAddition(IndexColumnNames(source.index->keys, source.index->include)),
                      "idx", taken);
  }
  if (source.key == nullptr) return "";
  switch (source.key->kind) {
    case ConstraintKind::kPrimaryKey:
      return ChooseName(partition, "", "pkey", taken);
    case ConstraintKind::kUnique:
      return ChooseName(partition, NameAddition(source.key->columns), "key", taken);
    default:
      return ChooseName(partition, NameAddition(IndexColumnNames(source.key->exclude_keys, {})),
                        "excl", taken);
  }
}

std::string ServerCloneName(const Catalog& cat, const Table& partition, const IndexClone& c,
                            const std::function<bool(const std::string&)>& is_taken) {
  CloneSource source = FindCloneSource(cat, CloneRootOf(cat, partition.name, c), c.constraint);
  return ChooseCloneName(partition.name.name, source, is_taken);
}

}  // namespace dbarch::catalog
