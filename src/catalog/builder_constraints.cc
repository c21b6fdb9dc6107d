// CatalogBuilder: constraints and CREATE INDEX. See builder_impl.h.
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

namespace dbarch::catalog {

using sql::Node;
using sql::Nodes;
using sql::StrVal;

Status CatalogBuilder::Impl::AddConstraint(Table& table, const PgQuery__Constraint* c,
                                           bool in_create, const std::string& column) {
  const std::string& schema = table.name.schema;
  Constraint con;
  con.origin = MakeClauseOrigin(c->location);
  con.deferrable = c->deferrable;
  con.initially_deferred = c->initdeferred;
  if (con.initially_deferred) con.deferrable = true;
  std::vector<std::string> keys =
      column.empty() ? sql::StrList(c->keys, c->n_keys) : std::vector<std::string>{column};
  for (auto& k : keys) k = TruncateIdentifier(k);
  con.include = sql::StrList(c->including, c->n_including);
  con.index_options = RelOptions(Nodes(c->n_options, c->options));
  std::string given = c->conname != nullptr ? TruncateIdentifier(c->conname) : "";
  auto taken_con = [&](const std::string& n) { return ConstraintTaken(schema, n); };
  auto taken_rel_con = [&](const std::string& n) {
    return RelationTaken(schema, n) || ConstraintTaken(schema, n);
  };
  for (const std::string& k : keys) {
    if (table.FindColumn(k) == nullptr) {
      std::vector<std::string> names;
      for (const Column& col : table.columns) names.push_back(col.name);
      return NotFound("column", k, c->location, names);
    }
  }
  switch (c->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK: {
      con.kind = ConstraintKind::kCheck;
      DBARCH_ASSIGN_OR_RETURN(con.expression, CanonicalOrError(c->raw_expr, false, &hints_));
      con.no_inherit = c->is_no_inherit;
      con.not_valid = !in_create && c->skip_validation;
      std::vector<std::string> refs;
      CollectColumnRefs(c->raw_expr, refs);
      con.name = !given.empty() ? given
                                : ChooseName(table.name.name, refs.size() == 1 ? refs[0] : "",
                                             "check", taken_con);
      break;
    }
    case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
    case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE: {
      bool pk = c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY;
      con.kind = pk ? ConstraintKind::kPrimaryKey : ConstraintKind::kUnique;
      con.nulls_not_distinct = c->nulls_not_distinct;
      if (c->indexname != nullptr && *c->indexname != '\0') {
        // ADD ... USING INDEX: the index becomes the constraint and takes its name.
        QualifiedName idx{schema, c->indexname};
        auto it = cat_.indexes.find(idx);
        if (it == cat_.indexes.end()) {
          std::vector<std::string> names;
          for (const auto& [q, i] : cat_.indexes) names.push_back(q.name);
          return NotFound("index", c->indexname, c->location, names);
        }
        for (const IndexKey& k : it->second.keys) keys.push_back(k.column);
        con.include = it->second.include;
        con.nulls_not_distinct = it->second.nulls_not_distinct;
        con.index_options = it->second.options;
        ReleaseRelation(schema, idx.name);
        cat_.indexes.erase(it);
        con.name = !given.empty() ? given : idx.name;
      } else if (pk) {
        con.name = !given.empty() ? given : ChooseName(table.name.name, "", "pkey", taken_rel_con);
      } else {
        con.name = !given.empty() ? given
                                  : ChooseName(table.name.name, NameAddition(keys), "key", taken_rel_con);
      }
      con.columns = keys;
      if (pk) {
        for (const Constraint& other : table.constraints) {
          if (other.kind == ConstraintKind::kPrimaryKey) {
            return Error(Status::InvalidArgument("multiple primary keys for table \"" +
                                                 table.name.Quoted() + "\" are not allowed"),
                         c->location);
          }
        }
        for (const std::string& k : keys) table.FindColumn(k)->not_null = true;
      }
      ReserveRelation(schema, con.name);
      break;
    }
    case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION: {
      con.kind = ConstraintKind::kExclude;
      con.exclude_method = c->access_method != nullptr && *c->access_method != '\0' ? c->access_method : "btree";
      std::vector<std::string> colnames;
      for (const Node* ex : Nodes(c->n_exclusions, c->exclusions)) {
        // Each exclusion is a list (IndexElem, operator name list).
        const PgQuery__List* pair = ex->list;
        DBARCH_ASSIGN_OR_RETURN(IndexKey key, MakeIndexKey(pair->items[0]->index_elem));
        // OPERATOR(public.=) (pg_dump's spelling) is `=`, as operator classes are bare in
        // public and pg_catalog.
        std::vector<std::string> op = NameParts(pair->items[1]);
        if (op.size() == 2 && (op[0] == "pg_catalog" || op[0] == "public")) op.erase(op.begin());
        key.exclude_operator = Join(op, ".");
        if (!key.column.empty() && !key.opclass.empty() && key.opclass_params.empty() &&
            table.FindColumn(key.column) != nullptr &&
            IsDefaultOpclass(con.exclude_method, table.FindColumn(key.column)->type, key.opclass)) {
          key.opclass.clear();
        }
        colnames.push_back(!key.column.empty() ? key.column
                                               : (FigureColname(pair->items[0]->index_elem->expr).empty()
                                                      ? "expr"
                                                      : FigureColname(pair->items[0]->index_elem->expr)));
        con.exclude_keys.push_back(key);
      }
      if (c->where_clause != nullptr) {
        DBARCH_ASSIGN_OR_RETURN(con.exclude_predicate, CanonicalOrError(c->where_clause, false, &hints_));
      }
      con.name = !given.empty() ? given
                                : ChooseName(table.name.name, NameAddition(colnames), "excl", taken_rel_con);
      ReserveRelation(schema, con.name);
      break;
    }
    case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN: {
      con.kind = ConstraintKind::kForeignKey;
      std::vector<std::string> fk = column.empty() ? sql::StrList(c->fk_attrs, c->n_fk_attrs)
                                                   : std::vector<std::string>{column};
      for (const std::string& k : fk) {
        if (table.FindColumn(k) == nullptr) {
          std::vector<std::string> names;
          for (const Column& col : table.columns) names.push_back(col.name);
          return NotFound("column", k, c->location, names);
        }
      }
      con.columns = fk;
      DBARCH_ASSIGN_OR_RETURN(con.ref_table, FindTableName(c->pktable));
      const Table* ref = con.ref_table == table.name ? &table : cat_.FindTable(con.ref_table);
      con.ref_columns = sql::StrList(c->pk_attrs, c->n_pk_attrs);
      if (con.ref_columns.empty()) {
        for (const Constraint& k : ref->constraints) {
          if (k.kind == ConstraintKind::kPrimaryKey) con.ref_columns = k.columns;
        }
        if (con.ref_columns.empty()) {
          return Error(Status::InvalidArgument("there is no primary key for referenced table \"" +
                                               con.ref_table.Quoted() + "\""),
                       c->location);
        }
      }
      for (const std::string& k : con.ref_columns) {
        if (ref->FindColumn(k) == nullptr) {
          std::vector<std::string> names;
          for (const Column& col : ref->columns) names.push_back(col.name);
          return NotFound("column", k, c->location, names);
        }
      }
      if (con.ref_columns.size() != con.columns.size()) {
        return Error(Status::InvalidArgument("number of referencing and referenced columns for "
                                             "foreign key disagree"),
                     c->location);
      }
      con.match = c->fk_matchtype != nullptr && *c->fk_matchtype != '\0' ? c->fk_matchtype[0] : 's';
      con.on_update = c->fk_upd_action != nullptr && *c->fk_upd_action != '\0' ? c->fk_upd_action[0] : 'a';
      con.on_delete = c->fk_del_action != nullptr && *c->fk_del_action != '\0' ? c->fk_del_action[0] : 'a';
      con.on_delete_columns = sql::StrList(c->fk_del_set_cols, c->n_fk_del_set_cols);
      con.not_valid = !in_create && c->skip_validation;
      con.name = !given.empty() ? given
                                : ChooseName(table.name.name, NameAddition(con.columns), "fkey", taken_con);
      break;
    }
    default:
      return Status::OK();
  }
  for (const Constraint& other : table.constraints) {
    if (other.name == con.name) {
      return Error(Status::InvalidArgument("constraint \"" + con.name + "\" for relation \"" +
                                           table.name.Quoted() + "\" already exists"),
                   c->location);
    }
  }
  ReserveConstraint(schema, con.name);
  table.constraints.push_back(std::move(con));
  return Status::OK();
}

Result<IndexKey> CatalogBuilder::Impl::MakeIndexKey(const PgQuery__IndexElem* e) const {
  IndexKey k;
  if (e->name != nullptr && *e->name != '\0') {
    k.column = e->name;
  } else {
    DBARCH_ASSIGN_OR_RETURN(k.expression, CanonicalOrError(e->expr, false, &hints_));
  }
  if (e->n_collation > 0) {
    k.collation = ResolveCollation(sql::StrList(e->collation, e->n_collation));
  }
  if (e->n_opclass > 0) {
    std::vector<std::string> op = sql::StrList(e->opclass, e->n_opclass);
    k.opclass = op.size() == 2 && (op[0] == "pg_catalog" || op[0] == "public") ? op[1] : Join(op, ".");
  }
  for (const Node* o : Nodes(e->n_opclassopts, e->opclassopts)) {
    k.opclass_params.emplace_back(o->def_elem->defname, ToLower(DefElemString(o->def_elem)));
  }
  k.descending = e->ordering == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
  if (e->nulls_ordering == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_FIRST) {
    k.nulls_first = true;
  } else if (e->nulls_ordering == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_LAST) {
    k.nulls_first = false;
  } else {
    k.nulls_first = k.descending;
  }
  return k;
}

Status CatalogBuilder::Impl::CreateIndex(const PgQuery__IndexStmt* s) {
  std::vector<std::string> parts;
  if (s->relation->schemaname != nullptr && *s->relation->schemaname != '\0') parts.push_back(s->relation->schemaname);
  parts.push_back(s->relation->relname);
  // Indexes go on tables and materialized views.
  auto table_name = FindRelation(parts, s->relation->location, "relation", true, true, false, false);
  if (!table_name.ok()) return table_name.status();
  Index idx;
  idx.table = *table_name;
  idx.origin = MakeOrigin();
  idx.method = s->access_method != nullptr && *s->access_method != '\0' ? ToLower(s->access_method) : "btree";
  idx.unique = s->unique;
  idx.nulls_not_distinct = s->nulls_not_distinct;
  std::vector<std::string> colnames;
  const Table* table = cat_.FindTable(idx.table);
  hints_ = table != nullptr ? HintsFor(*table) : BaseHints();
  for (const Node* p : Nodes(s->n_index_params, s->index_params)) {
    DBARCH_ASSIGN_OR_RETURN(IndexKey key, MakeIndexKey(p->index_elem));
    if (!key.column.empty() && table != nullptr && table->FindColumn(key.column) == nullptr) {
      std::vector<std::string> names;
      for (const Column& c : table->columns) names.push_back(c.name);
      return NotFound("column", key.column, s->relation->location, names);
    }
    if (!key.column.empty() && !key.opclass.empty() && key.opclass_params.empty() && table != nullptr &&
        IsDefaultOpclass(idx.method, table->FindColumn(key.column)->type, key.opclass)) {
      key.opclass.clear();
    }
    std::string cn = p->index_elem->indexcolname != nullptr && *p->index_elem->indexcolname != '\0'
                         ? p->index_elem->indexcolname
                         : !key.column.empty() ? key.column : FigureColname(p->index_elem->expr);
    if (cn.empty()) cn = "expr";
    colnames.push_back(cn);
    idx.keys.push_back(std::move(key));
  }
  for (const Node* p : Nodes(s->n_index_including_params, s->index_including_params)) {
    idx.include.push_back(p->index_elem->name);
    colnames.push_back(p->index_elem->name);
  }
  if (s->where_clause != nullptr) {
    DBARCH_ASSIGN_OR_RETURN(idx.predicate, CanonicalOrError(s->where_clause, false, &hints_));
  }
  idx.options = RelOptions(Nodes(s->n_options, s->options));
  std::string schema = idx.table.schema;
  std::string name;
  if (s->idxname != nullptr && *s->idxname != '\0') {
    name = TruncateIdentifier(s->idxname);
    if (RelationTaken(schema, name)) {
      if (s->if_not_exists) return Status::OK();
      return Error(Status::InvalidArgument("relation \"" + name + "\" already exists"), -1);
    }
  } else {
    // ChooseIndexColumnNames makes duplicate column names unique with a number suffix.
    std::vector<std::string> unique_names;
    for (const std::string& cn : colnames) {
      std::string cur = cn;
      for (int i = 1; std::find(unique_names.begin(), unique_names.end(), cur) != unique_names.end(); ++i) {
        cur = cn + std::to_string(i);
      }
      unique_names.push_back(cur);
    }
    name = ChooseName(idx.table.name, NameAddition(unique_names), "idx",
                      [&](const std::string& n) { return RelationTaken(schema, n); });
  }
  idx.name = QualifiedName{schema, name};
  ReserveRelation(schema, name);
  QualifiedName on = idx.table;
  cat_.indexes[idx.name] = std::move(idx);
  // Without ONLY, an index on a partitioned table is created on each partition too.
  if (s->relation->inh) CloneToPartitions(on, name, false);
  return Status::OK();
}

}  // namespace dbarch::catalog
