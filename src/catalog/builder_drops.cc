// CatalogBuilder: DROP, RENAME and SET SCHEMA, and what they do to dependent objects.
// See builder_impl.h.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <functional>
#include <set>
#include <sstream>

#include "base/strings.h"
#include "catalog/builder_impl.h"
#include "catalog/builder_util.h"
#include "catalog/naming.h"
#include "sql/expr_normalizer.h"
#include "sql/parser.h"
#include "sql/view_normalizer.h"

namespace dbarch::catalog {

using sql::Node;
using sql::Nodes;
using sql::StrVal;

void CatalogBuilder::Impl::DropColumnDependents(Table& table, const std::string& column) {
  // Indexes and constraints that use the column go with it, as on the server.
  for (auto it = cat_.indexes.begin(); it != cat_.indexes.end();) {
    const Index& idx = it->second;
    bool uses = false;
    if (idx.table == table.name) {
      for (const IndexKey& k : idx.keys) {
        uses |= k.column == column || MentionsIdentifier(k.expression, column);
      }
      uses |= std::find(idx.include.begin(), idx.include.end(), column) != idx.include.end();
      uses |= MentionsIdentifier(idx.predicate, column);
    }
    if (uses) {
      ReleaseRelation(it->first.schema, it->first.name);
      DropClonesOf(table.name, it->first.name);
      it = cat_.indexes.erase(it);
    } else {
      ++it;
    }
  }
  std::erase_if(table.constraints, [&](const Constraint& c) {
    bool uses = std::find(c.columns.begin(), c.columns.end(), column) != c.columns.end() ||
                MentionsIdentifier(c.expression, column);
    if (uses) {
      ReleaseConstraint(table.name.schema, c.name);
      ReleaseRelation(table.name.schema, c.name);
      DropClonesOf(table.name, c.name);
    }
    return uses;
  });
  std::erase_if(cat_.grants, [&](const Grant& g) {
    return g.object_kind == ObjectKind::kTable && g.object == table.name.Quoted() && g.column == column;
  });
  for (auto it = cat_.sequences.begin(); it != cat_.sequences.end();) {
    if (it->second.owned_by_table == table.name && it->second.owned_by_column == column) {
      ReleaseRelation(it->first.schema, it->first.name);
      it = cat_.sequences.erase(it);
    } else {
      ++it;
    }
  }
}

Status CatalogBuilder::Impl::DropTable(const QualifiedName& name, bool cascade, int location) {
  // Foreign keys of other tables and views that depend on the table need CASCADE.
  for (auto& [tn, t] : cat_.tables) {
    if (tn == name) continue;
    for (const Constraint& c : t.constraints) {
      if (c.kind == ConstraintKind::kForeignKey && c.ref_table == name && !cascade) {
        return Error(Status::InvalidArgument("cannot drop table \"" + name.Quoted() +
                                             "\" because constraint \"" + c.name + "\" on table \"" +
                                             tn.Quoted() + "\" depends on it")
                         .WithHint("use DROP ... CASCADE to drop the dependent objects too"),
                     location);
      }
    }
    if (t.partition_of == name) {
      // Partitions are dropped with their parent.
    }
  }
  for (auto it = cat_.views.begin(); it != cat_.views.end();) {
    const auto& rels = it->second.relations;
    if (std::find(rels.begin(), rels.end(), name) != rels.end()) {
      if (!cascade) {
        return Error(Status::InvalidArgument("cannot drop table \"" + name.Quoted() +
                                             "\" because view \"" + it->first.Quoted() +
                                             "\" depends on it")
                         .WithHint("use DROP ... CASCADE to drop the dependent objects too"),
                     location);
      }
      ReleaseRelation(it->first.schema, it->first.name);
      it = cat_.views.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [tn, t] : cat_.tables) {
    // A named copy of the binding for the lambda: clang 14 (the fuzz build) cannot capture
    // structured bindings.
    const QualifiedName& table_name = tn;
    std::erase_if(t.constraints, [&](const Constraint& c) {
      bool drop =
          c.kind == ConstraintKind::kForeignKey && c.ref_table == name && table_name != name;
      if (drop) ReleaseConstraint(table_name.schema, c.name);
      return drop;
    });
  }
  std::vector<QualifiedName> partitions;
  for (const auto& [tn, t] : cat_.tables) {
    if (t.partition_of == name) partitions.push_back(tn);
  }
  for (const QualifiedName& p : partitions) DBARCH_RETURN_IF_ERROR(DropTable(p, true, location));
  for (auto it = cat_.indexes.begin(); it != cat_.indexes.end();) {
    if (it->second.table == name) {
      ReleaseRelation(it->first.schema, it->first.name);
      it = cat_.indexes.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = cat_.sequences.begin(); it != cat_.sequences.end();) {
    if (it->second.owned_by_table == name) {
      ReleaseRelation(it->first.schema, it->first.name);
      it = cat_.sequences.erase(it);
    } else {
      ++it;
    }
  }
  Table& t = cat_.tables[name];
  for (const Constraint& c : t.constraints) {
    ReleaseConstraint(name.schema, c.name);
    ReleaseRelation(name.schema, c.name);
  }
  for (const Column& c : t.columns) {
    if (c.identity != IdentityKind::kNone) {
      ReleaseRelation(name.schema, MakeObjectName(name.name, c.name, "seq"));
    }
  }
  DropGrantsOn(ObjectKind::kTable, name.Quoted());
  ReleaseRelation(name.schema, name.name);
  ReleaseClones(name);
  cat_.tables.erase(name);
  return Status::OK();
}

Status CatalogBuilder::Impl::Drop(const PgQuery__DropStmt* s) {
  bool cascade = IsCascade(s->behavior);
  int loc = -1;
  for (const Node* obj : Nodes(s->n_objects, s->objects)) {
    std::vector<std::string> parts = NameParts(obj);
    switch (s->remove_type) {
      case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE: {
        auto name = FindRelation(parts, loc, "table", true, false, false, false);
        if (!name.ok()) {
          if (s->missing_ok) continue;
          return name.status();
        }
        DBARCH_RETURN_IF_ERROR(DropTable(*name, cascade, loc));
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
      case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW: {
        auto name = FindRelation(parts, loc, "view", false, true, false, false);
        if (!name.ok()) {
          if (s->missing_ok) continue;
          return name.status();
        }
        for (const auto& [vn, v] : cat_.views) {
          if (vn != *name && std::find(v.relations.begin(), v.relations.end(), *name) != v.relations.end() && !cascade) {
            return Error(Status::InvalidArgument("cannot drop view \"" + name->Quoted() +
                                                 "\" because view \"" + vn.Quoted() + "\" depends on it"),
                         loc);
          }
        }
        std::erase_if(cat_.views, [&](const auto& kv) {
          const auto& r = kv.second.relations;
          return kv.first != *name && std::find(r.begin(), r.end(), *name) != r.end();
        });
        // A materialized view's indexes go with it, and so do their names.
        std::erase_if(cat_.indexes, [&](const auto& kv) {
          if (kv.second.table != *name) return false;
          ReleaseRelation(kv.first.schema, kv.first.name);
          return true;
        });
        DropGrantsOn(ObjectKind::kTable, name->Quoted());
        ReleaseRelation(name->schema, name->name);
        cat_.views.erase(*name);
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX: {
        auto name = FindRelation(parts, loc, "index", false, false, false, true);
        if (!name.ok()) {
          if (s->missing_ok) continue;
          return name.status();
        }
        ReleaseRelation(name->schema, name->name);
        DropClonesOf(cat_.indexes[*name].table, name->name);
        cat_.indexes.erase(*name);
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE: {
        auto name = FindRelation(parts, loc, "sequence", false, false, true, false);
        if (!name.ok()) {
          if (s->missing_ok) continue;
          return name.status();
        }
        ReleaseRelation(name->schema, name->name);
        DropGrantsOn(ObjectKind::kSequence, name->Quoted());
        cat_.sequences.erase(*name);
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
      case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: {
        auto name = FindTypeName(parts, loc);
        if (!name.ok()) {
          if (s->missing_ok) continue;
          return name.status();
        }
        if (cat_.types[*name].kind == TypeKind::kComposite) ReleaseRelation(name->schema, name->name);
        for (const DomainConstraint& c : cat_.types[*name].constraints) ReleaseConstraint(name->schema, c.name);
        DropGrantsOn(ObjectKind::kType, name->Quoted());
        cat_.types.erase(*name);
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: {
        std::string schema = parts.empty() ? "" : parts.back();
        if (!cat_.schemas.count(schema)) {
          if (s->missing_ok) continue;
          return CheckSchemaExists(schema, loc);
        }
        bool empty = true;
        for (const auto& [q, t] : cat_.tables) empty &= q.schema != schema;
        for (const auto& [q, v] : cat_.views) empty &= q.schema != schema;
        for (const auto& [q, v] : cat_.types) empty &= q.schema != schema;
        for (const auto& [q, v] : cat_.sequences) empty &= q.schema != schema;
        for (const auto& [q, f] : cat_.functions) empty &= f.name.schema != schema;
        if (!empty && !cascade) {
          return Error(Status::InvalidArgument("cannot drop schema \"" + schema +
                                               "\" because other objects depend on it")
                           .WithHint("use DROP ... CASCADE to drop the dependent objects too"),
                       loc);
        }
        std::vector<QualifiedName> tables;
        for (const auto& [q, t] : cat_.tables) {
          if (q.schema == schema) tables.push_back(q);
        }
        for (const QualifiedName& q : tables) {
          if (cat_.tables.count(q)) DBARCH_RETURN_IF_ERROR(DropTable(q, true, loc));
        }
        std::erase_if(cat_.views, [&](const auto& kv) { return kv.first.schema == schema; });
        std::erase_if(cat_.types, [&](const auto& kv) { return kv.first.schema == schema; });
        std::erase_if(cat_.sequences, [&](const auto& kv) { return kv.first.schema == schema; });
        std::erase_if(cat_.indexes, [&](const auto& kv) { return kv.first.schema == schema; });
        std::erase_if(cat_.functions, [&](const auto& kv) { return kv.second.name.schema == schema; });
        relnames_.erase(schema);
        connames_.erase(schema);
        cat_.schemas.erase(schema);
        DropGrantsOn(ObjectKind::kSchema, QuoteIdent(schema));
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
      case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
      case PG_QUERY__OBJECT_TYPE__OBJECT_AGGREGATE:
      case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: {
        auto key = FunctionKey(obj->object_with_args,
                               s->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE, loc);
        if (!key.ok()) {
          if (s->missing_ok) continue;
          return key.status();
        }
        DropGrantsOn(ObjectKind::kFunction, *key);
        cat_.functions.erase(*key);
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_EXTENSION: {
        std::string name = parts.empty() ? "" : parts.back();
        if (!cat_.extensions.count(name)) {
          if (s->missing_ok || name == "plpgsql") continue;
          return NotFound("extension", name, loc, {});
        }
        cat_.extensions.erase(name);
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
      case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY: {
        bool trigger = s->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER;
        std::string obj_name = parts.back();
        parts.pop_back();
        auto table = FindRelation(parts, loc, "relation", true, false, false, false);
        if (!table.ok()) {
          if (s->missing_ok) continue;
          return table.status();
        }
        Table& t = cat_.tables[*table];
        size_t before = trigger ? t.triggers.size() : t.policies.size();
        if (trigger) {
          std::erase_if(t.triggers, [&](const Trigger& x) { return x.name == obj_name; });
        } else {
          std::erase_if(t.policies, [&](const Policy& x) { return x.name == obj_name; });
        }
        size_t after = trigger ? t.triggers.size() : t.policies.size();
        if (before == after && !s->missing_ok) {
          return NotFound(trigger ? "trigger" : "policy", obj_name, loc, {});
        }
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_COLLATION: {
        auto name = FindCollation(parts, loc);
        if (!name.ok()) {
          if (s->missing_ok) continue;
          return name.status();
        }
        cat_.collations.erase(*name);
        collations_.erase(*name);
        break;
      }
      default:
        return KeepOther(stmt_->node, Join(parts, "."));
    }
  }
  return Status::OK();
}

namespace {

void RenameRangeVars(Node* n, const QualifiedName& from, const QualifiedName& to,
                     std::deque<std::string>& strings, std::deque<PgQuery__Alias>& aliases) {
  if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
    PgQuery__RangeVar* rv = n->range_var;
    bool qualified = rv->schemaname != nullptr && *rv->schemaname != '\0';
    if (rv->relname != nullptr && from.name == rv->relname &&
        (!qualified || from.schema == rv->schemaname)) {
      // Columns qualified with the old name (customer.id) keep their meaning: the old name
      // becomes the range's alias.
      if (rv->alias == nullptr && from.name != to.name) {
        rv->alias = &aliases.emplace_back(PgQuery__Alias(PG_QUERY__ALIAS__INIT));
        rv->alias->aliasname = strings.emplace_back(from.name).data();
      }
      rv->relname = strings.emplace_back(to.name).data();
      if (qualified || from.schema != to.schema) rv->schemaname = strings.emplace_back(to.schema).data();
    }
  }
  sql::ForEachChildNode(
      &n->base, [&](Node* const& child) { RenameRangeVars(child, from, to, strings, aliases); });
}

// The server keeps a view's query as a tree that points at relations by OID, so renaming
// or moving a relation renames it in the view's text too. Returns `definition` unchanged
// when it cannot be re-parsed (it always can: it is a deparse).
std::string RenameInViewQuery(const std::string& definition, const QualifiedName& from,
                              const QualifiedName& to) {
  SourceFile file("view", definition);
  auto tree = sql::ParseTree::Parse(file);
  if (!tree.ok() || tree->statements().size() != 1) return definition;
  std::deque<std::string> strings;
  std::deque<PgQuery__Alias> aliases;
  Node* root = const_cast<Node*>(tree->statements()[0].node);
  RenameRangeVars(root, from, to, strings, aliases);
  auto text = sql::DeparseStatement(root);
  return text.ok() ? *text : definition;
}

}  // namespace

namespace {

// `list` with `from` written `to`.
void ReplaceName(std::vector<QualifiedName>& list, const QualifiedName& from,
                 const QualifiedName& to) {
  for (QualifiedName& q : list) {
    if (q == from) q = to;
  }
}

// The entry of `from` in `lists` moved to `to` (merged with one `to` may have).
template <typename Lists>
void MoveKey(Lists& lists, const QualifiedName& from, const QualifiedName& to) {
  auto node = lists.extract(from);
  if (node.empty()) return;
  std::vector<QualifiedName>& into = lists[to];
  into.insert(into.end(), node.mapped().begin(), node.mapped().end());
}

}  // namespace

void CatalogBuilder::Impl::RenameTableReferences(const QualifiedName& from, const QualifiedName& to) {
  // Only what names the relation is visited (Refs), not the whole model.
  References& r = Refs();
  auto here = [&](const QualifiedName& q) { return q == from ? to : q; };
  if (auto it = r.fk_from.find(from); it != r.fk_from.end()) {
    for (const QualifiedName& q : it->second) {
      if (Table* t = cat_.FindTable(here(q))) {
        for (Constraint& c : t->constraints) {
          if (c.ref_table == from) c.ref_table = to;
        }
      }
    }
  }
  if (auto it = r.children.find(from); it != r.children.end()) {
    for (const QualifiedName& q : it->second) {
      if (Table* t = cat_.FindTable(here(q))) {
        if (t->partition_of == from) t->partition_of = to;
        ReplaceName(t->inherits, from, to);
      }
    }
  }
  if (auto it = r.indexes.find(from); it != r.indexes.end()) {
    for (const QualifiedName& q : it->second) {
      if (auto idx = cat_.indexes.find(q); idx != cat_.indexes.end()) idx->second.table = to;
    }
  }
  if (auto it = r.sequences.find(from); it != r.sequences.end()) {
    for (const QualifiedName& q : it->second) {
      if (auto seq = cat_.sequences.find(q); seq != cat_.sequences.end()) {
        seq->second.owned_by_table = to;
      }
    }
  }
  if (auto it = r.views.find(from); it != r.views.end()) {
    for (const QualifiedName& q : it->second) {
      auto found = cat_.views.find(q);
      if (found == cat_.views.end()) continue;
      View& v = found->second;
      bool reads = false;
      for (QualifiedName& rel : v.relations) {
        if (rel == from) {
          rel = to;
          reads = true;
        }
      }
      if (!reads) continue;
      std::sort(v.relations.begin(), v.relations.end());
      v.definition = RenameInViewQuery(v.definition, from, to);
      v.normal_form = RenameInViewQuery(v.normal_form, from, to);
    }
  }
  // The renamed relation's own lists, then its name in the lists of what it refers to (itself
  // too: a foreign key to its own table).
  MoveKey(r.fk_from, from, to);
  MoveKey(r.children, from, to);
  MoveKey(r.indexes, from, to);
  MoveKey(r.sequences, from, to);
  MoveKey(r.views, from, to);
  if (const Table* t = cat_.FindTable(to)) {
    for (const Constraint& c : t->constraints) {
      if (c.kind == ConstraintKind::kForeignKey) ReplaceName(r.fk_from[c.ref_table], from, to);
    }
    if (t->partition_of) ReplaceName(r.children[*t->partition_of], from, to);
    for (const QualifiedName& p : t->inherits) ReplaceName(r.children[p], from, to);
  } else if (auto v = cat_.views.find(to); v != cat_.views.end()) {
    for (const QualifiedName& rel : v->second.relations) ReplaceName(r.views[rel], from, to);
  }
  RenameGrantsOn(ObjectKind::kTable, from.Quoted(), to.Quoted());
  RenameClones(from, to);
  // Identity sequences keep their names and stay the columns' of the renamed table.
  if (const Table* t = cat_.FindTable(to)) {
    for (const Column& c : t->columns) {
      if (c.identity_sequence.empty()) continue;
      auto it = identity_seqs_.find(QualifiedName{from.schema, c.identity_sequence});
      if (it == identity_seqs_.end() || it->second.first != from) continue;
      if (from.schema == to.schema) {
        it->second.first = to;
      } else {  // moved with its table (SET SCHEMA, a renamed schema)
        std::pair<QualifiedName, std::string> owner{to, it->second.second};
        identity_seqs_.erase(it);
        identity_seqs_[QualifiedName{to.schema, c.identity_sequence}] = std::move(owner);
      }
    }
  }
}

void CatalogBuilder::Impl::RenameColumnInViews(const QualifiedName& relation,
                                               const std::string& from, const std::string& to) {
  // The hints describe every relation's columns: built only when a view reads this one.
  auto readers = Refs().views.find(relation);
  if (readers == Refs().views.end() || readers->second.empty()) return;
  ColumnRename rename{relation, from, to};
  sql::ExprHints expr = BaseHints();
  sql::QueryHints hints = ViewQueryHints(&expr, &rename);
  for (const QualifiedName& q : std::vector<QualifiedName>(readers->second)) {
    auto found = cat_.views.find(q);
    if (found == cat_.views.end()) continue;
    View& v = found->second;
    if (!std::binary_search(v.relations.begin(), v.relations.end(), relation)) continue;
    v.normal_form =
        sql::RenameColumnInViewNormalForm(v.normal_form, relation.schema, relation.name, from, to);
    // The rendered DDL too; a `*` is not expanded, so a view reading the column through `*`
    // keeps its text (a known limit of inspect --format sql).
    v.definition =
        sql::RenameColumnInViewQuery(v.definition, hints, relation.schema, relation.name, from, to);
  }
}

void CatalogBuilder::Impl::RenameColumnReferences(const QualifiedName& table, const std::string& from,
                                                  const std::string& to) {
  // The server's views follow the column by number: their text shows the new name.
  RenameColumnInViews(table, from, to);
  Table& t = cat_.tables[table];
  for (Constraint& c : t.constraints) {
    for (std::string& col : c.columns) {
      if (col == from) col = to;
    }
    for (std::string& col : c.include) {
      if (col == from) col = to;
    }
    for (IndexKey& k : c.exclude_keys) {
      if (k.column == from) k.column = to;
      k.expression = ReplaceIdentifier(k.expression, from, to);
    }
    c.expression = ReplaceIdentifier(c.expression, from, to);
  }
  for (Column& c : t.columns) {
    c.generated_expr = ReplaceIdentifier(c.generated_expr, from, to);
  }
  // The server's partition key follows the column by number: the key keeps its strategy word
  // and names the column's new name.
  if (size_t open = t.partition_key.find('('); open != std::string::npos) {
    t.partition_key =
        t.partition_key.substr(0, open) + ReplaceIdentifier(t.partition_key.substr(open), from, to);
  }
  for (Policy& p : t.policies) {
    p.using_expr = ReplaceIdentifier(p.using_expr, from, to);
    p.check_expr = ReplaceIdentifier(p.check_expr, from, to);
  }
  for (Trigger& tr : t.triggers) {
    for (std::string& col : tr.update_columns) {
      if (col == from) col = to;
    }
  }
  References& r = Refs();  // only what names the table is visited
  std::vector<QualifiedName> none;
  auto listed = [&](NameLists& lists) -> const std::vector<QualifiedName>& {
    auto it = lists.find(table);
    return it == lists.end() ? none : it->second;
  };
  for (const QualifiedName& tn : listed(r.fk_from)) {
    Table* other = cat_.FindTable(tn);
    if (other == nullptr) continue;
    for (Constraint& c : other->constraints) {
      if (c.kind == ConstraintKind::kForeignKey && c.ref_table == table) {
        for (std::string& col : c.ref_columns) {
          if (col == from) col = to;
        }
      }
    }
  }
  for (const QualifiedName& q : listed(r.indexes)) {
    auto found = cat_.indexes.find(q);
    if (found == cat_.indexes.end()) continue;
    Index& idx = found->second;
    for (IndexKey& k : idx.keys) {
      if (k.column == from) k.column = to;
      k.expression = ReplaceIdentifier(k.expression, from, to);
    }
    for (std::string& col : idx.include) {
      if (col == from) col = to;
    }
    idx.predicate = ReplaceIdentifier(idx.predicate, from, to);
  }
  for (const QualifiedName& q : listed(r.sequences)) {
    auto found = cat_.sequences.find(q);
    if (found == cat_.sequences.end()) continue;
    Sequence& s = found->second;
    if (s.owned_by_table == table && s.owned_by_column == from) s.owned_by_column = to;
  }
  if (const Column* c = t.FindColumn(to); c != nullptr && !c->identity_sequence.empty()) {
    auto it = identity_seqs_.find(QualifiedName{table.schema, c->identity_sequence});
    if (it != identity_seqs_.end() && it->second.second == from) it->second.second = to;
  }
  bool regranted = false;
  for (Grant& g : cat_.grants) {
    if (g.object_kind == ObjectKind::kTable && g.column == from && g.object == table.Quoted()) {
      g.column = to;
      regranted = true;
    }
  }
  if (regranted) std::sort(cat_.grants.begin(), cat_.grants.end());
}

Status CatalogBuilder::Impl::Rename(const PgQuery__RenameStmt* s) {
  std::string newname = TruncateIdentifier(s->newname);
  auto rel_parts = [&]() {
    std::vector<std::string> parts;
    if (s->relation->schemaname != nullptr && *s->relation->schemaname != '\0') parts.push_back(s->relation->schemaname);
    parts.push_back(s->relation->relname);
    return parts;
  };
  switch (s->rename_type) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX: {
      auto name = FindRelation(rel_parts(), s->relation->location, "relation", true, true, true, true);
      if (!name.ok()) {
        // ALTER INDEX on an index the server cloned on a partition (and so on its key
        // constraint, for a key's index).
        std::vector<std::string> parts = rel_parts();
        std::vector<std::string> schemas =
            parts.size() >= 2 ? std::vector<std::string>{parts[0]} : search_path_;
        for (const std::string& schema : schemas) {
          QualifiedName partition;
          Clone* c = FindClone(schema, TruncateIdentifier(parts.back()), &partition);
          if (c == nullptr) continue;
          if (RelationTaken(schema, newname) ||
              (c->constraint && ConstraintTaken(schema, newname))) {
            return Error(
                Status::InvalidArgument("relation \"" + QualifiedName{schema, newname}.Quoted() +
                                        "\" already exists"),
                -1);
          }
          std::string old = c->name;
          ReleaseRelation(schema, old);
          ReserveRelation(schema, newname);
          if (c->constraint) {
            ReleaseConstraint(schema, old);
            ReserveConstraint(schema, newname);
          }
          c->name = newname;
          RenameCloneParent(partition, old, newname);
          return Status::OK();
        }
      }
      if (!name.ok()) return s->missing_ok ? Status::OK() : name.status();
      QualifiedName to{name->schema, newname};
      if (RelationTaken(to.schema, to.name)) {
        return Error(Status::InvalidArgument("relation \"" + to.Quoted() + "\" already exists"), -1);
      }
      ReleaseRelation(name->schema, name->name);
      ReserveRelation(to.schema, to.name);
      if (auto t = cat_.tables.extract(*name)) {
        t.key() = to;
        t.mapped().name = to;
        cat_.tables.insert(std::move(t));
        RenameTableReferences(*name, to);
      } else if (auto v = cat_.views.extract(*name)) {
        v.key() = to;
        v.mapped().name = to;
        cat_.views.insert(std::move(v));
        RenameTableReferences(*name, to);
      } else if (auto q = cat_.sequences.extract(*name)) {
        q.key() = to;
        q.mapped().name = to;
        if (refs_ && q.mapped().owned_by_table) {
          ReplaceName(refs_->sequences[*q.mapped().owned_by_table], *name, to);
        }
        cat_.sequences.insert(std::move(q));
        RenameGrantsOn(ObjectKind::kSequence, name->Quoted(), to.Quoted());
        // nextval('seq') holds the sequence's OID: defaults follow the rename.
        auto regclass = [](const QualifiedName& n) {
          return QuoteLiteral(n.schema == "public" ? QuoteIdent(n.name) : n.Quoted());
        };
        std::string from_lit = regclass(*name);
        std::string to_lit = regclass(to);
        for (auto& [tn, t] : cat_.tables) {
          for (Column& c : t.columns) {
            for (size_t pos = c.default_expr.find(from_lit); pos != std::string::npos;
                 pos = c.default_expr.find(from_lit, pos + to_lit.size())) {
              c.default_expr.replace(pos, from_lit.size(), to_lit);
            }
          }
        }
      } else if (auto i = cat_.indexes.extract(*name)) {
        i.key() = to;
        i.mapped().name = to;
        if (refs_) ReplaceName(refs_->indexes[i.mapped().table], *name, to);
        RenameCloneParent(i.mapped().table, name->name, to.name);
        cat_.indexes.insert(std::move(i));
      } else if (auto id = identity_seqs_.extract(*name)) {
        // An identity column's sequence: the column keeps its new name.
        id.key() = to;
        Table* t = cat_.FindTable(id.mapped().first);
        Column* c = t != nullptr ? t->FindColumn(id.mapped().second) : nullptr;
        if (c != nullptr) c->identity_sequence = to.name;
        identity_seqs_.insert(std::move(id));
      }
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN: {
      auto name = FindRelation(rel_parts(), s->relation->location, "relation", true, true, false, false);
      if (!name.ok()) return s->missing_ok ? Status::OK() : name.status();
      if (cat_.views.count(*name)) {
        View& v = cat_.views[*name];
        for (std::string& c : v.columns) {
          if (c == s->subname) c = newname;
        }
        RenameColumnInViews(*name, s->subname, newname);
        return Status::OK();
      }
      Table& t = cat_.tables[*name];
      Column* c = t.FindColumn(s->subname);
      if (c == nullptr) {
        std::vector<std::string> names;
        for (const Column& col : t.columns) names.push_back(col.name);
        return NotFound("column", s->subname, -1, names);
      }
      DBARCH_RETURN_IF_ERROR(CheckRenameColumn(t, s->subname, s->relation->inh));
      c->name = newname;
      RenameColumnReferences(*name, s->subname, newname);
      RenameColumnInDescendants(*name, s->subname, newname);
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT: {
      DBARCH_ASSIGN_OR_RETURN(QualifiedName name, FindTableName(s->relation));
      Table& t = cat_.tables[name];
      for (Constraint& c : t.constraints) {
        if (c.name == s->subname) {
          ReleaseConstraint(name.schema, c.name);
          if (c.kind == ConstraintKind::kPrimaryKey || c.kind == ConstraintKind::kUnique ||
              c.kind == ConstraintKind::kExclude) {
            ReleaseRelation(name.schema, c.name);
            ReserveRelation(name.schema, newname);
          }
          c.name = newname;
          ReserveConstraint(name.schema, newname);
          std::sort(t.constraints.begin(), t.constraints.end(),
                    [](const Constraint& a, const Constraint& b) { return a.name < b.name; });
          return Status::OK();
        }
      }
      std::vector<std::string> names;
      for (const Constraint& c : t.constraints) names.push_back(c.name);
      return NotFound("constraint", s->subname, -1, names);
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
    case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY: {
      DBARCH_ASSIGN_OR_RETURN(QualifiedName name, FindTableName(s->relation));
      Table& t = cat_.tables[name];
      if (s->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER) {
        for (Trigger& tr : t.triggers) {
          if (tr.name == s->subname) {
            tr.name = newname;
            return Status::OK();
          }
        }
        return NotFound("trigger", s->subname, -1, {});
      }
      for (Policy& p : t.policies) {
        if (p.name == s->subname) {
          p.name = newname;
          return Status::OK();
        }
      }
      return NotFound("policy", s->subname, -1, {});
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: {
      // ALTER SCHEMA old RENAME TO new names the schema in subname (object is null).
      std::string from =
          s->subname != nullptr ? std::string(s->subname) : std::string(StrVal(s->object));
      DBARCH_RETURN_IF_ERROR(CheckSchemaExists(from, -1));
      Catalog& c = cat_;
      auto move_map = [&](auto& map) {
        std::vector<QualifiedName> keys;
        for (const auto& [q, o] : map) {
          if (q.schema == from) keys.push_back(q);
        }
        for (const QualifiedName& q : keys) {
          auto node = map.extract(q);
          node.key().schema = newname;
          node.mapped().name.schema = newname;
          map.insert(std::move(node));
        }
        return keys;
      };
      for (const QualifiedName& q : move_map(c.tables)) RenameTableReferences(q, {newname, q.name});
      for (const QualifiedName& q : move_map(c.views)) RenameTableReferences(q, {newname, q.name});
      move_map(c.sequences);
      move_map(c.types);
      for (auto& [q, idx] : c.indexes) {
        (void)q;
        if (idx.table.schema == from) idx.table.schema = newname;
      }
      move_map(c.indexes);
      Schema sc = c.schemas[from];
      sc.name = newname;
      c.schemas.erase(from);
      c.schemas[newname] = sc;
      relnames_[newname] = relnames_[from];
      relnames_.erase(from);
      connames_[newname] = connames_[from];
      connames_.erase(from);
      refs_.reset();  // everything in the schema moved
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: {
      DBARCH_ASSIGN_OR_RETURN(QualifiedName name, FindTypeName(NameParts(s->object), -1));
      auto node = cat_.types.extract(name);
      node.key().name = newname;
      node.mapped().name.name = newname;
      cat_.types.insert(std::move(node));
      RenameGrantsOn(ObjectKind::kType, name.Quoted(),
                     QualifiedName{name.schema, newname}.Quoted());
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_AGGREGATE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE: {
      DBARCH_ASSIGN_OR_RETURN(std::string key, FunctionKey(s->object->object_with_args,
                                                           s->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE, -1));
      Function f = cat_.functions[key];
      cat_.functions.erase(key);
      f.name.name = newname;
      RenameGrantsOn(ObjectKind::kFunction, key, f.Signature());
      cat_.functions[f.Signature()] = f;
      return Status::OK();
    }
    default:
      return KeepOther(stmt_->node, newname);
  }
}

Status CatalogBuilder::Impl::SetSchema(const PgQuery__AlterObjectSchemaStmt* s) {
  std::string to_schema = s->newschema;
  DBARCH_RETURN_IF_ERROR(CheckSchemaExists(to_schema, -1));
  switch (s->object_type) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE: {
      std::vector<std::string> parts;
      if (s->relation->schemaname != nullptr && *s->relation->schemaname != '\0') parts.push_back(s->relation->schemaname);
      parts.push_back(s->relation->relname);
      auto name = FindRelation(parts, s->relation->location, "relation", true, true, true, false);
      if (!name.ok()) return s->missing_ok ? Status::OK() : name.status();
      QualifiedName to{to_schema, name->name};
      ReleaseRelation(name->schema, name->name);
      ReserveRelation(to.schema, to.name);
      if (auto t = cat_.tables.extract(*name)) {
        t.key() = to;
        t.mapped().name = to;
        // Indexes, owned sequences and constraints move with the table.
        for (const Constraint& c : t.mapped().constraints) {
          ReleaseConstraint(name->schema, c.name);
          ReserveConstraint(to.schema, c.name);
        }
        cat_.tables.insert(std::move(t));
        RenameTableReferences(*name, to);
        std::vector<QualifiedName> idx;
        for (const auto& [q, i] : cat_.indexes) {
          if (i.table == to) idx.push_back(q);
        }
        for (const QualifiedName& q : idx) {
          auto node = cat_.indexes.extract(q);
          node.key().schema = to_schema;
          node.mapped().name.schema = to_schema;
          cat_.indexes.insert(std::move(node));
        }
        std::vector<QualifiedName> seqs;
        for (const auto& [q, sq] : cat_.sequences) {
          if (sq.owned_by_table == to) seqs.push_back(q);
        }
        for (const QualifiedName& q : seqs) {
          auto node = cat_.sequences.extract(q);
          node.key().schema = to_schema;
          node.mapped().name.schema = to_schema;
          cat_.sequences.insert(std::move(node));
        }
      } else if (auto v = cat_.views.extract(*name)) {
        v.key() = to;
        v.mapped().name = to;
        cat_.views.insert(std::move(v));
        RenameTableReferences(*name, to);
      } else if (auto q = cat_.sequences.extract(*name)) {
        q.key() = to;
        q.mapped().name = to;
        if (refs_ && q.mapped().owned_by_table) {
          ReplaceName(refs_->sequences[*q.mapped().owned_by_table], *name, to);
        }
        cat_.sequences.insert(std::move(q));
      }
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: {
      DBARCH_ASSIGN_OR_RETURN(QualifiedName name, FindTypeName(NameParts(s->object), -1));
      auto node = cat_.types.extract(name);
      node.key().schema = to_schema;
      node.mapped().name.schema = to_schema;
      cat_.types.insert(std::move(node));
      RenameGrantsOn(ObjectKind::kType, name.Quoted(),
                     QualifiedName{to_schema, name.name}.Quoted());
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_AGGREGATE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE: {
      DBARCH_ASSIGN_OR_RETURN(std::string key, FunctionKey(s->object->object_with_args,
                                                           s->object_type == PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE, -1));
      Function f = cat_.functions[key];
      cat_.functions.erase(key);
      f.name.schema = to_schema;
      RenameGrantsOn(ObjectKind::kFunction, key, f.Signature());
      cat_.functions[f.Signature()] = f;
      return Status::OK();
    }
    default:
      return KeepOther(stmt_->node, to_schema);
  }
}

}  // namespace dbarch::catalog
