// CatalogBuilder: what ALTER TABLE and CREATE INDEX on a partitioned table or an inheritance
// parent do to its partitions and children, following PostgreSQL 15's tablecmds.c:
//  - ADD COLUMN reaches every child (merged with a child's own column of that name); with
//    ONLY it is refused when there are children;
//  - DROP COLUMN drops the column from children that have it only from this parent; with
//    ONLY (refused on a partitioned table with partitions) their column becomes their own;
//  - ALTER COLUMN TYPE and RENAME COLUMN reach every descendant and are refused with ONLY
//    or on an inherited column of a child;
//  - SET / DROP DEFAULT and SET / DROP NOT NULL reach every descendant unless ONLY;
//  - ADD CHECK is refused with ONLY when there are children (unless NO INHERIT, which a
//    partitioned table refuses); inherited CHECKs are not stored on children (model.h);
//  - an index or key on a partitioned table is cloned on each partition under a name the
//    server chooses then; an inheritance parent's index is not.
// See builder_impl.h.
#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "base/strings.h"
#include "catalog/builder_impl.h"
#include "catalog/builder_util.h"
#include "catalog/index_clones.h"
#include "catalog/naming.h"

namespace dbarch::catalog {

using sql::Node;
using sql::Nodes;

namespace {

std::vector<QualifiedName> ParentsOf(const Table& t) {
  std::vector<QualifiedName> out = t.inherits;
  if (t.partition_of) out.insert(out.begin(), *t.partition_of);
  return out;
}

bool IsPartitioned(const Table& t) { return t.partition_strategy != PartitionStrategy::kNone; }

}  // namespace

std::vector<QualifiedName> CatalogBuilder::Impl::ChildrenOf(const QualifiedName& parent) const {
  std::vector<QualifiedName> out;
  if (refs_) {  // during a run of renames: no pass over the model
    auto it = refs_->children.find(parent);
    if (it != refs_->children.end()) out = it->second;
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
  for (const auto& [q, t] : cat_.tables) {
    if (t.partition_of == parent ||
        std::find(t.inherits.begin(), t.inherits.end(), parent) != t.inherits.end()) {
      out.push_back(q);
    }
  }
  return out;
}

std::vector<QualifiedName> CatalogBuilder::Impl::DescendantsOf(const QualifiedName& table) const {
  std::vector<QualifiedName> out;
  std::set<QualifiedName> seen = {table};
  // Breadth first: children of `table`, then theirs.
  std::vector<QualifiedName> queue = {table};
  for (size_t i = 0; i < queue.size(); ++i) {
    for (const QualifiedName& c : ChildrenOf(queue[i])) {
      if (!seen.insert(c).second) continue;
      queue.push_back(c);
      out.push_back(c);
    }
  }
  return out;
}

int CatalogBuilder::Impl::InheritCount(const Table& table, const std::string& column) const {
  int n = 0;
  for (const QualifiedName& p : ParentsOf(table)) {
    const Table* pt = cat_.FindTable(p);
    if (pt != nullptr && pt->FindColumn(column) != nullptr) ++n;
  }
  return n;
}

Status CatalogBuilder::Impl::AddColumnToChildren(const Table& parent, const Column& column,
                                                 int location) {
  for (const QualifiedName& cn : ChildrenOf(parent.name)) {
    Table& child = cat_.tables[cn];
    if (Column* own = child.FindColumn(column.name)) {
      // Merged: the child keeps its column (default, NOT NULL and all) as it was.
      if (own->type != column.type) {
        return Error(
            Status::InvalidArgument("child table \"" + cn.Quoted() +
                                    "\" has different type for column \"" + column.name + "\""),
            location);
      }
      continue;
    }
    Column copy = column;
    copy.is_local = false;
    copy.statistics_target = -1;  // the server does not copy attstattarget
    copy.comment.clear();
    copy.identity = IdentityKind::kNone;
    if (!child.partition_of) copy.identity_options = SequenceOptions{};
    child.columns.push_back(copy);
    DBARCH_RETURN_IF_ERROR(AddColumnToChildren(child, copy, location));
  }
  return Status::OK();
}

void CatalogBuilder::Impl::DropColumnFromChildren(const QualifiedName& parent,
                                                  const std::string& column, bool recurse) {
  for (const QualifiedName& cn : ChildrenOf(parent)) {
    Table& child = cat_.tables[cn];
    Column* col = child.FindColumn(column);
    if (col == nullptr) continue;
    // The parent no longer has the column, so InheritCount counts the other parents.
    if (recurse && !col->is_local && InheritCount(child, column) == 0) {
      DropColumnDependents(child, column);
      std::erase_if(child.columns, [&](const Column& x) { return x.name == column; });
      DropColumnFromChildren(cn, column, true);
    } else if (!recurse) {
      col->is_local = true;
    }
  }
}

Status CatalogBuilder::Impl::CheckInheritedAlter(const Table& table,
                                                 const PgQuery__AlterTableCmd* cmd,
                                                 bool recurse) const {
  auto invalid = [&](const std::string& message) {
    return Error(Status::InvalidArgument(message), -1);
  };
  std::string column = cmd->name != nullptr ? cmd->name : "";
  auto children = [&]() { return ChildrenOf(table.name); };
  switch (cmd->subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumnRecurse:
      if (table.partition_of) return invalid("cannot add column to a partition");
      if (!recurse && !children().empty())
        return invalid("column must be added to child tables too");
      return Status::OK();
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumnRecurse:
      if (table.FindColumn(column) == nullptr) return Status::OK();
      if (InheritCount(table, column) > 0) {
        return invalid("cannot drop inherited column \"" + column + "\"");
      }
      if (!recurse && IsPartitioned(table) && !children().empty()) {
        return invalid("cannot drop column from only the partitioned table when partitions exist");
      }
      return Status::OK();
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
      if (table.FindColumn(column) == nullptr) return Status::OK();
      if (InheritCount(table, column) > 0) {
        return invalid("cannot alter inherited column \"" + column + "\"");
      }
      if (!recurse) {
        for (const QualifiedName& c : children()) {
          if (cat_.tables.at(c).FindColumn(column) != nullptr) {
            return invalid("type of inherited column \"" + column +
                           "\" must be changed in child tables too");
          }
        }
      }
      return Status::OK();
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
      if (!recurse && IsPartitioned(table)) {
        for (const QualifiedName& c : children()) {
          const Column* cc = cat_.tables.at(c).FindColumn(column);
          if (cc != nullptr && !cc->not_null) {
            return invalid("constraint must be added to child tables too");
          }
        }
      }
      return Status::OK();
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull: {
      if (table.partition_of) {
        const Table* parent = cat_.FindTable(*table.partition_of);
        const Column* pc = parent != nullptr ? parent->FindColumn(column) : nullptr;
        if (pc != nullptr && pc->not_null) {
          return invalid("column \"" + column + "\" is marked NOT NULL in parent table");
        }
      }
      if (!recurse && IsPartitioned(table) && !children().empty()) {
        return invalid(
            "cannot remove constraint from only the partitioned table when partitions exist");
      }
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraintRecurse: {
      const PgQuery__Constraint* c = cmd->def->constraint;
      if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY && !recurse && IsPartitioned(table)) {
        // The key's NOT NULL cannot stop at a partitioned table (as SET NOT NULL above).
        for (const QualifiedName& child : children()) {
          for (const std::string& k : sql::StrList(c->keys, c->n_keys)) {
            const Column* cc = cat_.tables.at(child).FindColumn(k);
            if (cc != nullptr && !cc->not_null) {
              return invalid("constraint must be added to child tables too");
            }
          }
        }
      }
      if (c->contype != PG_QUERY__CONSTR_TYPE__CONSTR_CHECK) return Status::OK();
      if (c->is_no_inherit && IsPartitioned(table)) {
        return invalid("cannot add NO INHERIT constraint to partitioned table \"" +
                       table.name.Quoted() + "\"");
      }
      if (!c->is_no_inherit && !recurse && !children().empty()) {
        return invalid("constraint must be added to child tables too");
      }
      return Status::OK();
    }
    default:
      return Status::OK();
  }
}

Status CatalogBuilder::Impl::PropagateColumnCmd(const Table& table,
                                                const PgQuery__AlterTableCmd* cmd) {
  const Column* src = table.FindColumn(cmd->name != nullptr ? cmd->name : "");
  if (src == nullptr) return Status::OK();
  Column from = *src;
  for (const QualifiedName& d : DescendantsOf(table.name)) {
    Column* col = cat_.tables[d].FindColumn(from.name);
    if (col == nullptr) continue;
    switch (cmd->subtype) {
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault:
        col->default_expr = from.default_expr;
        col->default_text = from.default_text;
        break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
        col->not_null = true;
        break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull:
        col->not_null = false;
        break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
        col->type = from.type;
        col->collation = from.collation;
        break;
      default:
        break;
    }
  }
  return Status::OK();
}

void CatalogBuilder::Impl::CloneToPartitions(const QualifiedName& table, const std::string& name,
                                             bool constraint, const QualifiedName* only) {
  // What is cloned: the parent's index or key constraint (or its clone, for a partition that
  // is itself partitioned).
  const Table* parent = cat_.FindTable(table);
  if (parent == nullptr || !IsPartitioned(*parent)) return;
  std::optional<Index> index;
  std::optional<Constraint> key;
  auto resolve = [&](auto&& self, const QualifiedName& t, const std::string& n) -> void {
    auto cl = clones_.find(t);
    if (cl != clones_.end()) {
      for (const Clone& c : cl->second) {
        if (c.name == n) return self(self, c.parent_table, c.parent_name);
      }
    }
    if (!constraint) {
      auto it = cat_.indexes.find(QualifiedName{t.schema, n});
      if (it != cat_.indexes.end()) index = it->second;
    } else if (const Table* pt = cat_.FindTable(t)) {
      for (const Constraint& c : pt->constraints) {
        if (c.name == n) key = c;
      }
    }
  };
  resolve(resolve, table, name);
  if (!index && !key) return;
  for (const QualifiedName& pn : ChildrenOf(table)) {
    Table& part = cat_.tables[pn];
    if (!part.partition_of || (only != nullptr && pn != *only)) continue;
    const std::string& schema = pn.schema;
    Clone clone;
    clone.parent_table = table;
    clone.parent_name = name;
    clone.constraint = constraint;
    if (index) {
      // An equivalent index of the partition's own is attached instead of a new one.
      for (auto it = cat_.indexes.begin(); it != cat_.indexes.end(); ++it) {
        if (it->second.table == pn && IndexesMatch(it->second, *index)) {
          clone.name = it->first.name;
          clone.comment = it->second.comment;
          cat_.indexes.erase(it);
          break;
        }
      }
      if (clone.name.empty()) {
        clone.name =
            ChooseCloneName(pn.name, CloneSource{.index = &*index},
                            [&](const std::string& n) { return RelationTaken(schema, n); });
        ReserveRelation(schema, clone.name);
      }
    } else {
      clone.name = ChooseCloneName(pn.name, CloneSource{.key = &*key}, [&](const std::string& n) {
        return RelationTaken(schema, n) || ConstraintTaken(schema, n);
      });
      if (key->kind == ConstraintKind::kPrimaryKey) {
        for (const std::string& k : key->columns) {
          if (Column* col = part.FindColumn(k)) col->not_null = true;
        }
      }
      ReserveRelation(schema, clone.name);
      ReserveConstraint(schema, clone.name);
    }
    clones_[pn].push_back(clone);
    CloneToPartitions(pn, clone.name, constraint);
  }
}

void CatalogBuilder::Impl::ClonesForNewPartition(const QualifiedName& parent,
                                                 const QualifiedName& partition) {
  const Table* pt = cat_.FindTable(parent);
  if (pt == nullptr || !IsPartitioned(*pt)) return;
  // The server clones in index OID (creation) order, which the model does not record: indexes
  // by name, then keys, then the parent's own clones. The order matters only when two clones
  // would take the same name.
  std::vector<std::pair<std::string, bool>> sources;
  for (const auto& [q, idx] : cat_.indexes) {
    if (idx.table == parent) sources.emplace_back(q.name, false);
  }
  for (const Constraint& c : pt->constraints) {
    if (c.kind == ConstraintKind::kPrimaryKey || c.kind == ConstraintKind::kUnique ||
        c.kind == ConstraintKind::kExclude) {
      sources.emplace_back(c.name, true);
    }
  }
  if (auto cl = clones_.find(parent); cl != clones_.end()) {
    for (const Clone& c : cl->second) sources.emplace_back(c.name, c.constraint);
  }
  for (const auto& [name, constraint] : sources)
    CloneToPartitions(parent, name, constraint, &partition);
}

void CatalogBuilder::Impl::MaterializeClones(Table& partition) {
  auto cl = clones_.find(partition.name);
  if (cl == clones_.end()) return;
  std::vector<Clone> clones = std::move(cl->second);
  clones_.erase(cl);
  for (const Clone& c : clones) {
    // The definition is the root's: follow clones of clones up to a real index or key.
    QualifiedName t = c.parent_table;
    std::string n = c.parent_name;
    for (int depth = 0; depth < 64; ++depth) {
      auto up = clones_.find(t);
      const Clone* next = nullptr;
      if (up != clones_.end()) {
        for (const Clone& u : up->second) {
          if (u.name == n) next = &u;
        }
      }
      if (next == nullptr) break;
      t = next->parent_table;
      n = next->parent_name;
    }
    if (!c.constraint) {
      auto it = cat_.indexes.find(QualifiedName{t.schema, n});
      if (it == cat_.indexes.end()) continue;
      Index copy = it->second;
      copy.name = QualifiedName{partition.name.schema, c.name};
      copy.table = partition.name;
      copy.comment = c.comment;  // the clone's own, which it keeps
      cat_.indexes[copy.name] = copy;
    } else if (const Table* pt = cat_.FindTable(t)) {
      for (const Constraint& k : pt->constraints) {
        if (k.name != n) continue;
        Constraint copy = k;
        copy.name = c.name;
        copy.comment = c.comment;
        partition.constraints.push_back(copy);
      }
    }
  }
}

CatalogBuilder::Impl::Clone* CatalogBuilder::Impl::FindClone(const std::string& schema,
                                                             const std::string& name,
                                                             QualifiedName* partition) {
  for (auto& [q, list] : clones_) {
    if (q.schema != schema) continue;
    for (Clone& c : list) {
      if (c.name != name) continue;
      if (partition != nullptr) *partition = q;
      return &c;
    }
  }
  return nullptr;
}

void CatalogBuilder::Impl::DropClonesOf(const QualifiedName& table, const std::string& name) {
  for (const QualifiedName& pn : ChildrenOf(table)) {
    auto cl = clones_.find(pn);
    if (cl == clones_.end()) continue;
    std::vector<std::string> dropped;
    std::erase_if(cl->second, [&](const Clone& c) {
      if (c.parent_table != table || c.parent_name != name) return false;
      ReleaseRelation(pn.schema, c.name);
      if (c.constraint) ReleaseConstraint(pn.schema, c.name);
      dropped.push_back(c.name);
      return true;
    });
    for (const std::string& d : dropped) DropClonesOf(pn, d);
  }
}

void CatalogBuilder::Impl::ReleaseClones(const QualifiedName& table) {
  auto cl = clones_.find(table);
  if (cl == clones_.end()) return;
  for (const Clone& c : cl->second) {
    ReleaseRelation(table.schema, c.name);
    if (c.constraint) ReleaseConstraint(table.schema, c.name);
  }
  clones_.erase(cl);
}

Status CatalogBuilder::Impl::CheckRenameColumn(const Table& table, const std::string& column,
                                               bool recurse) const {
  if (InheritCount(table, column) > 0) {
    return Error(Status::InvalidArgument("cannot rename inherited column \"" + column + "\""), -1);
  }
  if (!recurse) {
    for (const QualifiedName& c : ChildrenOf(table.name)) {
      if (cat_.tables.at(c).FindColumn(column) != nullptr) {
        return Error(Status::InvalidArgument("inherited column \"" + column +
                                             "\" must be renamed in child tables too"),
                     -1);
      }
    }
  }
  return Status::OK();
}

void CatalogBuilder::Impl::RenameColumnInDescendants(const QualifiedName& table,
                                                     const std::string& from,
                                                     const std::string& to) {
  for (const QualifiedName& d : DescendantsOf(table)) {
    Column* col = cat_.tables[d].FindColumn(from);
    if (col == nullptr) continue;
    col->name = to;
    RenameColumnReferences(d, from, to);
  }
}

void CatalogBuilder::Impl::RenameClones(const QualifiedName& from, const QualifiedName& to) {
  for (auto& [q, list] : clones_) {
    for (Clone& c : list) {
      if (c.parent_table == from) c.parent_table = to;
    }
  }
  if (auto node = clones_.extract(from)) {
    node.key() = to;
    clones_.insert(std::move(node));
  }
}

void CatalogBuilder::Impl::RenameCloneParent(const QualifiedName& table, const std::string& from,
                                             const std::string& to) {
  for (auto& [q, list] : clones_) {
    for (Clone& c : list) {
      if (c.parent_table == table && c.parent_name == from) c.parent_name = to;
    }
  }
}

std::map<std::string, Constraint> CatalogBuilder::Impl::ChecksFrom(
    std::vector<QualifiedName> parents) const {
  std::map<std::string, Constraint> out;
  std::set<QualifiedName> seen;
  for (size_t i = 0; i < parents.size(); ++i) {
    if (!seen.insert(parents[i]).second) continue;
    const Table* t = cat_.FindTable(parents[i]);
    if (t == nullptr) continue;
    for (const Constraint& c : t->constraints) {
      if (c.kind == ConstraintKind::kCheck && !c.no_inherit) out.emplace(c.name, c);
    }
    for (const QualifiedName& p : ParentsOf(*t)) parents.push_back(p);
  }
  return out;
}

void CatalogBuilder::Impl::DropInheritedChecks(Table& table) {
  std::map<std::string, Constraint> inherited = ChecksFrom(ParentsOf(table));
  std::erase_if(table.constraints, [&](const Constraint& c) {
    return c.kind == ConstraintKind::kCheck && inherited.count(c.name) > 0;
  });
}

void CatalogBuilder::Impl::KeepChecksOfFormerParent(Table& table, const QualifiedName& former) {
  std::map<std::string, Constraint> still = ChecksFrom(ParentsOf(table));
  for (auto& entry : ChecksFrom({former})) {
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
    const std::string& name = entry.first;
    Constraint& c = entry.second;
    if (still.count(name) > 0 || c.not_valid) continue;
    bool own = std::any_of(table.constraints.begin(), table.constraints.end(),
                           [&](const Constraint& x) { return x.name == name; });
    if (own) continue;
    c.comment.clear();
    table.constraints.push_back(c);
  }
  std::sort(table.constraints.begin(), table.constraints.end(),
            [](const Constraint& a, const Constraint& b) { return a.name < b.name; });
}

namespace {

// The column name of `n` when it is a bare column reference; "" otherwise.
std::string BareColumnName(const Node* n) {
  if (n == nullptr || n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return "";
  const PgQuery__ColumnRef* r = n->column_ref;
  if (r->n_fields != 1) return "";
  return std::string(sql::StrVal(r->fields[0]));
}

// The string constant of `n`, looking through casts; nullopt when it is not one.
std::optional<std::string> StringConstant(const Node* n) {
  while (n != nullptr && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) n = n->type_cast->arg;
  if (n == nullptr || n->node_case != PG_QUERY__NODE__NODE_A_CONST ||
      n->a_const->val_case != PG_QUERY__A__CONST__VAL_SVAL) {
    return std::nullopt;
  }
  return std::string(n->a_const->sval->sval);
}

// Splits a regclass literal ('public.child', '"My".t') into its unquoted parts.
std::vector<std::string> RegclassParts(const std::string& text) {
  std::vector<std::string> parts(1);
  bool quoted = false, was_quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (ch == '"') {
      if (quoted && i + 1 < text.size() && text[i + 1] == '"') {
        parts.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
        was_quoted = true;
      }
    } else if (ch == '.' && !quoted) {
      parts.emplace_back();
    } else {
      parts.back() += quoted || was_quoted ? ch : static_cast<char>(std::tolower(ch));
    }
    if (ch == '.' && !quoted) was_quoted = false;
  }
  return parts;
}

}  // namespace

Status CatalogBuilder::Impl::UpdateCatalog(const Node* n) {
  const PgQuery__UpdateStmt* u = n->update_stmt;
  auto query = [&]() { return options_.keep_queries ? KeepOther(n, "") : Status::OK(); };
  const PgQuery__RangeVar* rv = u->relation;
  if (rv == nullptr || rv->relname == nullptr || std::string_view(rv->relname) != "pg_constraint" ||
      (rv->schemaname != nullptr && *rv->schemaname != '\0' &&
       std::string_view(rv->schemaname) != "pg_catalog") ||
      u->n_target_list != 1 || u->n_from_clause != 0) {
    return query();
  }
  const PgQuery__ResTarget* set = u->target_list[0]->res_target;
  const Node* value = set->val;
  if (set->name == nullptr || std::string_view(set->name) != "conislocal" || value == nullptr ||
      value->node_case != PG_QUERY__NODE__NODE_A_CONST ||
      value->a_const->val_case != PG_QUERY__A__CONST__VAL_BOOLVAL ||
      value->a_const->boolval->boolval) {
    return query();
  }
  // WHERE contype = 'c' AND conname = '...' AND conrelid = '...'::regclass, in any order.
  std::vector<const Node*> terms;
  const Node* where = u->where_clause;
  if (where != nullptr && where->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR &&
      where->bool_expr->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR) {
    for (const Node* a : Nodes(where->bool_expr->n_args, where->bool_expr->args))
      terms.push_back(a);
  } else if (where != nullptr) {
    terms.push_back(where);
  }
  std::map<std::string, std::string> equals;
  for (const Node* t : terms) {
    if (t->node_case != PG_QUERY__NODE__NODE_A_EXPR ||
        t->a_expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP || t->a_expr->n_name != 1 ||
        sql::StrVal(t->a_expr->name[0]) != "=") {
      return query();
    }
    std::string column = BareColumnName(t->a_expr->lexpr);
    std::optional<std::string> constant = StringConstant(t->a_expr->rexpr);
    if (column.empty() || !constant) return query();
    equals[column] = *constant;
  }
  if (equals.size() != 3 || equals["contype"] != "c" || equals["conname"].empty() ||
      equals["conrelid"].empty()) {
    return query();
  }
  std::vector<std::string> parts = RegclassParts(equals["conrelid"]);
  if (parts.size() > 2) return query();
  PgQuery__RangeVar table_rv = PG_QUERY__RANGE_VAR__INIT;
  std::string schema = parts.size() == 2 ? parts[0] : "";
  std::string relname = parts.back();
  table_rv.schemaname = schema.data();
  table_rv.relname = relname.data();
  DBARCH_ASSIGN_OR_RETURN(QualifiedName name, FindTableName(&table_rv));
  Table& table = cat_.tables[name];
  const std::string& conname = equals["conname"];
  if (ChecksFrom(ParentsOf(table)).count(conname) == 0) {
    return Error(Status::InvalidArgument("constraint \"" + conname + "\" of relation \"" +
                                         name.Quoted() + "\" is not inherited"),
                 -1);
  }
  std::erase_if(table.constraints, [&](const Constraint& c) {
    return c.kind == ConstraintKind::kCheck && c.name == conname;
  });
  return Status::OK();
}

}  // namespace dbarch::catalog
