// CatalogBuilder: views, materialized views, sequences, enum/composite/range types,
// domains, functions, triggers and extensions. See builder_impl.h.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
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

Result<std::vector<std::string>> CatalogBuilder::Impl::QueryColumns(
    const Node* select, const CteColumns& outer_ctes) const {
  std::vector<std::string> cols;
  if (select == nullptr || select->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) return cols;
  const PgQuery__SelectStmt* s = select->select_stmt;
  // WITH: a CTE read with `*` expands to its own output columns (or its column list).
  CteColumns ctes = outer_ctes;
  if (s->with_clause != nullptr) {
    for (const Node* c : Nodes(s->with_clause->n_ctes, s->with_clause->ctes)) {
      if (c == nullptr || c->node_case != PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR) continue;
      const PgQuery__CommonTableExpr* cte = c->common_table_expr;
      std::vector<std::string> names = sql::StrList(cte->aliascolnames, cte->n_aliascolnames);
      auto inner = QueryColumns(cte->ctequery, ctes);
      std::vector<std::string> cte_cols = inner.ok() ? *inner : std::vector<std::string>{};
      for (size_t i = 0; i < names.size(); ++i) {
        if (i < cte_cols.size()) {
          cte_cols[i] = names[i];
        } else {
          cte_cols.push_back(names[i]);
        }
      }
      ctes[cte->ctename] = std::move(cte_cols);
    }
  }
  if (s->larg != nullptr) {
    Node tmp = PG_QUERY__NODE__INIT;
    tmp.node_case = PG_QUERY__NODE__NODE_SELECT_STMT;
    tmp.select_stmt = s->larg;
    return QueryColumns(&tmp, ctes);
  }
  if (s->n_values_lists > 0) {
    const Node* first = s->values_lists[0];
    size_t n = first->node_case == PG_QUERY__NODE__NODE_LIST ? first->list->n_items : 0;
    for (size_t i = 0; i < n; ++i) cols.push_back("column" + std::to_string(i + 1));
    return cols;
  }
  // FROM items: alias -> columns, for * expansion.
  std::vector<std::pair<std::string, std::vector<std::string>>> from;
  std::function<void(const Node*)> add_from = [&](const Node* f) {
    if (f == nullptr) return;
    if (f->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
      const PgQuery__RangeVar* rv = f->range_var;
      std::vector<std::string> parts;
      if (rv->schemaname != nullptr && *rv->schemaname != '\0') parts.push_back(rv->schemaname);
      parts.push_back(rv->relname);
      bool qualified = rv->schemaname != nullptr && *rv->schemaname != '\0';
      auto cte = qualified ? ctes.end() : ctes.find(rv->relname);
      std::vector<std::string> c;
      if (cte != ctes.end()) {
        c = cte->second;
      } else if (auto q = FindRelation(parts, -1, "relation", true, true, false, false); q.ok()) {
        if (const Table* t = cat_.FindTable(*q)) {
          for (const Column& col : t->columns) c.push_back(col.name);
        } else {
          c = cat_.views.at(*q).columns;
        }
      }
      std::string alias = rv->alias != nullptr ? rv->alias->aliasname : rv->relname;
      if (rv->alias != nullptr) {
        std::vector<std::string> renamed = sql::StrList(rv->alias->colnames, rv->alias->n_colnames);
        for (size_t i = 0; i < renamed.size() && i < c.size(); ++i) c[i] = renamed[i];
      }
      from.emplace_back(alias, c);
    } else if (f->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR) {
      add_from(f->join_expr->larg);
      add_from(f->join_expr->rarg);
    } else if (f->node_case == PG_QUERY__NODE__NODE_RANGE_SUBSELECT) {
      auto c = QueryColumns(f->range_subselect->subquery, ctes);
      std::string alias = f->range_subselect->alias != nullptr ? f->range_subselect->alias->aliasname : "";
      from.emplace_back(alias, c.ok() ? *c : std::vector<std::string>{});
    }
  };
  for (const Node* f : Nodes(s->n_from_clause, s->from_clause)) add_from(f);
  for (const Node* t : Nodes(s->n_target_list, s->target_list)) {
    const PgQuery__ResTarget* rt = t->res_target;
    if (rt->name != nullptr && *rt->name != '\0') {
      cols.push_back(rt->name);
      continue;
    }
    const Node* v = rt->val;
    if (v != nullptr && v->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
      const PgQuery__ColumnRef* cr = v->column_ref;
      const Node* last = cr->fields[cr->n_fields - 1];
      if (last->node_case == PG_QUERY__NODE__NODE_A_STAR) {
        std::string rel = cr->n_fields >= 2 ? std::string(StrVal(cr->fields[cr->n_fields - 2])) : "";
        for (const auto& [alias, c] : from) {
          if (rel.empty() || alias == rel) cols.insert(cols.end(), c.begin(), c.end());
        }
        continue;
      }
    }
    // (f(x)).*: the columns of the composite type the function returns.
    if (v != nullptr && v->node_case == PG_QUERY__NODE__NODE_A_INDIRECTION &&
        v->a_indirection->n_indirection > 0 &&
        v->a_indirection->indirection[v->a_indirection->n_indirection - 1]->node_case ==
            PG_QUERY__NODE__NODE_A_STAR &&
        v->a_indirection->arg != nullptr &&
        v->a_indirection->arg->node_case == PG_QUERY__NODE__NODE_FUNC_CALL) {
      std::vector<std::string> expanded = CompositeResultColumns(v->a_indirection->arg->func_call);
      if (!expanded.empty()) {
        cols.insert(cols.end(), expanded.begin(), expanded.end());
        continue;
      }
    }
    std::string n = FigureColname(v);
    cols.push_back(n.empty() ? "?column?" : n);
  }
  return cols;
}

std::vector<std::string> CatalogBuilder::Impl::CompositeResultColumns(
    const PgQuery__FuncCall* f) const {
  std::vector<std::string> name = sql::StrList(f->funcname, f->n_funcname);
  if (name.empty()) return {};
  std::vector<std::string> schemas;
  if (name.size() >= 2) {
    schemas.push_back(name[name.size() - 2]);
  } else {
    schemas = search_path_;
  }
  for (const std::string& schema : schemas) {
    std::string prefix = QualifiedName{schema, name.back()}.Quoted() + "(";
    auto it = cat_.functions.lower_bound(prefix);
    if (it == cat_.functions.end() || !StartsWith(it->first, prefix)) continue;
    // The return type in the model's spelling: "editor" (public) or "s.editor".
    std::string type = it->second.returns;
    QualifiedName q{"public", type};
    if (size_t dot = type.find('.'); dot != std::string::npos) {
      q = QualifiedName{type.substr(0, dot), type.substr(dot + 1)};
    }
    std::vector<std::string> cols;
    if (const Table* t = cat_.FindTable(q)) {
      for (const Column& c : t->columns) cols.push_back(c.name);
    } else if (auto ty = cat_.types.find(q); ty != cat_.types.end()) {
      for (const auto& a : ty->second.attributes) cols.push_back(a.name);
    }
    return cols;
  }
  return {};
}

sql::QueryHints CatalogBuilder::Impl::ViewQueryHints(const sql::ExprHints* expr,
                                                     const ColumnRename* rename) const {
  sql::QueryHints hints;
  hints.expr = expr;
  hints.relation =
      [this, rename](const std::vector<std::string>& parts) -> std::optional<sql::QueryRelation> {
    auto q = FindRelation(parts, -1, "relation", true, true, false, false);
    if (!q.ok()) return std::nullopt;
    sql::QueryRelation rel{q->schema, q->name, {}};
    if (const Table* t = cat_.FindTable(*q)) {
      rel.columns.reserve(t->columns.size());
      for (const Column& c : t->columns) {
        std::string base = cat_.types.empty() ? std::string() : DomainBase(c.type);
        rel.columns.emplace_back(c.name, !base.empty() ? base : sql::InternalTypeName(c.type));
      }
    } else if (auto v = cat_.views.find(*q); v != cat_.views.end()) {
      const View& view = v->second;
      for (size_t i = 0; i < view.columns.size(); ++i) {
        rel.columns.emplace_back(view.columns[i],
                                 i < view.column_types.size() ? view.column_types[i] : "");
      }
    }
    if (rename != nullptr && *q == rename->relation) {
      for (auto& [name, type] : rel.columns) {
        if (name == rename->to) name = rename->from;
      }
    }
    return rel;
  };
  hints.composite_columns = [this](const PgQuery__FuncCall* f) {
    return CompositeResultColumns(f);
  };
  return hints;
}

std::string CatalogBuilder::Impl::ViewNormalForm(const Node* query, const std::string& definition,
                                                 std::vector<std::string>* column_types) const {
  sql::ExprHints expr = BaseHints();
  sql::QueryHints hints = ViewQueryHints(&expr, nullptr);
  // A query the normaliser cannot deparse compares by its plain deparse.
  auto normal = sql::NormalizeViewQuery(query, hints, column_types);
  return normal.ok() ? *normal : definition;
}

Result<View> CatalogBuilder::Impl::BuildView(const QualifiedName& name, const Node* query,
                                             sql::NodeRange aliases) const {
  View v;
  v.name = name;
  DBARCH_ASSIGN_OR_RETURN(v.definition, sql::DeparseStatement(query));
  v.normal_form = ViewNormalForm(query, v.definition, &v.column_types);
  DBARCH_ASSIGN_OR_RETURN(v.columns, QueryColumns(query));
  std::vector<std::string> renamed = sql::StrList(aliases.b, aliases.size());
  for (size_t i = 0; i < renamed.size() && i < v.columns.size(); ++i) v.columns[i] = renamed[i];
  // Types line up with columns only when the normaliser saw the same output list.
  if (v.column_types.size() != v.columns.size()) v.column_types.clear();
  std::vector<const PgQuery__RangeVar*> rvs;
  std::set<std::string> ctes;
  CollectNode(query, rvs, ctes);
  std::set<QualifiedName> rels;
  for (const PgQuery__RangeVar* rv : rvs) {
    std::vector<std::string> parts;
    if (rv->schemaname != nullptr && *rv->schemaname != '\0') {
      parts.push_back(rv->schemaname);
    } else if (ctes.count(rv->relname)) {
      continue;
    }
    parts.push_back(rv->relname);
    auto q = FindRelation(parts, rv->location, "relation", true, true, true, false);
    if (!q.ok()) return q.status();
    rels.insert(*q);
  }
  v.relations.assign(rels.begin(), rels.end());
  v.origin = MakeOrigin();
  return v;
}

Status CatalogBuilder::Impl::CreateView(const PgQuery__ViewStmt* s) {
  DBARCH_ASSIGN_OR_RETURN(QualifiedName name, CreationName(s->view));
  bool exists = cat_.views.count(name) > 0;
  if (!exists && RelationTaken(name.schema, name.name)) {
    return Error(Status::InvalidArgument("relation \"" + name.Quoted() + "\" already exists"), s->view->location);
  }
  if (exists && !s->replace) {
    return Error(Status::InvalidArgument("relation \"" + name.Quoted() + "\" already exists"), s->view->location);
  }
  DBARCH_ASSIGN_OR_RETURN(View v, BuildView(name, s->query, Nodes(s->n_aliases, s->aliases)));
  for (const Node* o : Nodes(s->n_options, s->options)) {
    const PgQuery__DefElem* d = o->def_elem;
    v.options.emplace_back(d->defname, d->arg == nullptr ? "true" : ToLower(DefElemText(d)));
  }
  if (s->with_check_option == PG_QUERY__VIEW_CHECK_OPTION__LOCAL_CHECK_OPTION) {
    v.options.emplace_back("check_option", "local");
  } else if (s->with_check_option == PG_QUERY__VIEW_CHECK_OPTION__CASCADED_CHECK_OPTION) {
    v.options.emplace_back("check_option", "cascaded");  // appended last, as DefineView does
  }
  if (exists) {
    const View& old = cat_.views[name];
    v.owner = old.owner;
    v.comment = old.comment;
    v.column_comments = old.column_comments;
  }
  if (name.schema != "" && s->view->relpersistence != nullptr && std::string_view(s->view->relpersistence) == "t") {
    return KeepOther(stmt_->node, name.name);
  }
  if (!exists) {
    v.owner = current_role_;
    ApplyDefaultPrivileges("TABLES", ObjectKind::kTable, name.schema, name.Quoted(), v.owner);
  }
  ReserveRelation(name.schema, name.name);
  cat_.views[name] = std::move(v);
  return Status::OK();
}

Status CatalogBuilder::Impl::CreateMatView(const PgQuery__CreateTableAsStmt* s) {
  DBARCH_ASSIGN_OR_RETURN(QualifiedName name, CreationName(s->into->rel));
  if (RelationTaken(name.schema, name.name)) {
    if (s->if_not_exists) return Status::OK();
    return Error(Status::InvalidArgument("relation \"" + name.Quoted() + "\" already exists"), s->into->rel->location);
  }
  DBARCH_ASSIGN_OR_RETURN(View v, BuildView(name, s->query, Nodes(s->into->n_col_names, s->into->col_names)));
  v.materialized = true;
  v.owner = current_role_;
  ApplyDefaultPrivileges("TABLES", ObjectKind::kTable, name.schema, name.Quoted(), v.owner);
  for (const Node* o : Nodes(s->into->n_options, s->into->options)) {
    const PgQuery__DefElem* d = o->def_elem;
    v.options.emplace_back(d->defname, d->arg == nullptr ? "true" : ToLower(DefElemText(d)));
  }
  ReserveRelation(name.schema, name.name);
  cat_.views[name] = std::move(v);
  return Status::OK();
}

Status CatalogBuilder::Impl::SetSequenceOwner(Sequence& seq, const std::string& owned_by, int location) {
  if (owned_by.empty()) return Status::OK();
  if (ToLower(owned_by) == "none") {
    seq.owned_by_table.reset();
    seq.owned_by_column.clear();
    return Status::OK();
  }
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t dot = owned_by.find('.'); dot != std::string::npos; dot = owned_by.find('.', start)) {
    parts.push_back(owned_by.substr(start, dot - start));
    start = dot + 1;
  }
  parts.push_back(owned_by.substr(start));
  std::string column = parts.back();
  parts.pop_back();
  DBARCH_ASSIGN_OR_RETURN(QualifiedName table, FindRelation(parts, location, "relation", true, false, false, false));
  if (cat_.FindTable(table)->FindColumn(column) == nullptr) return NotFound("column", column, location, {});
  seq.owned_by_table = table;
  seq.owned_by_column = column;
  return Status::OK();
}

Status CatalogBuilder::Impl::CreateSequence(const PgQuery__CreateSeqStmt* s) {
  DBARCH_ASSIGN_OR_RETURN(QualifiedName name, CreationName(s->sequence));
  if (RelationTaken(name.schema, name.name)) {
    if (s->if_not_exists) return Status::OK();
    return Error(Status::InvalidArgument("relation \"" + name.Quoted() + "\" already exists"), s->sequence->location);
  }
  Sequence seq;
  seq.name = name;
  seq.unlogged = s->sequence->relpersistence != nullptr && std::string_view(s->sequence->relpersistence) == "u";
  std::string owned_by;
  DBARCH_ASSIGN_OR_RETURN(seq.options, ParseSequenceOptions(Nodes(s->n_options, s->options), SequenceOptions{}, &owned_by));
  DBARCH_RETURN_IF_ERROR(SetSequenceOwner(seq, owned_by, s->sequence->location));
  seq.origin = MakeOrigin();
  seq.owner = current_role_;
  ApplyDefaultPrivileges("SEQUENCES", ObjectKind::kSequence, name.schema, name.Quoted(), seq.owner);
  ReserveRelation(name.schema, name.name);
  cat_.sequences[name] = std::move(seq);
  return Status::OK();
}

Status CatalogBuilder::Impl::AlterSequence(const PgQuery__AlterSeqStmt* s) {
  std::vector<std::string> parts;
  if (s->sequence->schemaname != nullptr && *s->sequence->schemaname != '\0') parts.push_back(s->sequence->schemaname);
  parts.push_back(s->sequence->relname);
  auto name = FindRelation(parts, s->sequence->location, "sequence", false, false, true, false);
  if (!name.ok()) return s->missing_ok ? Status::OK() : name.status();
  if (auto id = identity_seqs_.find(*name); id != identity_seqs_.end()) {
    // An identity column's sequence: its options live on the column.
    Column* col = cat_.tables[id->second.first].FindColumn(id->second.second);
    DBARCH_ASSIGN_OR_RETURN(col->identity_options,
                            ParseSequenceOptions(Nodes(s->n_options, s->options), col->identity_options, nullptr));
    return Status::OK();
  }
  Sequence& seq = cat_.sequences[*name];
  std::string owned_by;
  DBARCH_ASSIGN_OR_RETURN(seq.options, ParseSequenceOptions(Nodes(s->n_options, s->options), seq.options, &owned_by));
  return SetSequenceOwner(seq, owned_by, s->sequence->location);
}

Status CatalogBuilder::Impl::CreateEnum(const PgQuery__CreateEnumStmt* s) {
  DBARCH_ASSIGN_OR_RETURN(QualifiedName name, CreationName(sql::StrList(s->type_name, s->n_type_name), -1));
  if (cat_.types.count(name)) return Error(Status::InvalidArgument("type \"" + name.Quoted() + "\" already exists"), -1);
  Type t;
  t.name = name;
  t.kind = TypeKind::kEnum;
  t.owner = current_role_;
  ApplyDefaultPrivileges("TYPES", ObjectKind::kType, name.schema, name.Quoted(), t.owner);
  t.labels = sql::StrList(s->vals, s->n_vals);
  t.origin = MakeOrigin();
  cat_.types[name] = std::move(t);
  return Status::OK();
}

Status CatalogBuilder::Impl::AlterEnum(const PgQuery__AlterEnumStmt* s) {
  DBARCH_ASSIGN_OR_RETURN(QualifiedName name, FindTypeName(sql::StrList(s->type_name, s->n_type_name), -1));
  Type& t = cat_.types[name];
  if (s->old_val != nullptr && *s->old_val != '\0') {
    for (std::string& l : t.labels) {
      if (l == s->old_val) {
        l = s->new_val;
        return Status::OK();
      }
    }
    return NotFound("enum label", s->old_val, -1, t.labels);
  }
  std::string v = s->new_val;
  if (std::find(t.labels.begin(), t.labels.end(), v) != t.labels.end()) {
    if (s->skip_if_new_val_exists) return Status::OK();
    return Error(Status::InvalidArgument("enum label \"" + v + "\" already exists"), -1);
  }
  if (s->new_val_neighbor != nullptr && *s->new_val_neighbor != '\0') {
    auto it = std::find(t.labels.begin(), t.labels.end(), std::string(s->new_val_neighbor));
    if (it == t.labels.end()) return NotFound("enum label", s->new_val_neighbor, -1, t.labels);
    t.labels.insert(s->new_val_is_after ? it + 1 : it, v);
  } else {
    t.labels.push_back(v);
  }
  return Status::OK();
}

Status CatalogBuilder::Impl::CreateComposite(const PgQuery__CompositeTypeStmt* s) {
  DBARCH_ASSIGN_OR_RETURN(QualifiedName name, CreationName(s->typevar));
  if (cat_.types.count(name)) return Error(Status::InvalidArgument("type \"" + name.Quoted() + "\" already exists"), -1);
  Type t;
  t.name = name;
  t.kind = TypeKind::kComposite;
  t.owner = current_role_;
  ApplyDefaultPrivileges("TYPES", ObjectKind::kType, name.schema, name.Quoted(), t.owner);
  for (const Node* c : Nodes(s->n_coldeflist, s->coldeflist)) {
    TypeAttribute a;
    a.name = c->column_def->colname;
    DBARCH_ASSIGN_OR_RETURN(a.type, TypeString(c->column_def->type_name));
    if (c->column_def->coll_clause != nullptr) {
      a.collation = ResolveCollation(sql::StrList(c->column_def->coll_clause->collname, c->column_def->coll_clause->n_collname));
    }
    t.attributes.push_back(a);
  }
  t.origin = MakeOrigin();
  ReserveRelation(name.schema, name.name);
  cat_.types[name] = std::move(t);
  return Status::OK();
}

Status CatalogBuilder::Impl::CreateDomain(const PgQuery__CreateDomainStmt* s) {
  DBARCH_ASSIGN_OR_RETURN(QualifiedName name, CreationName(sql::StrList(s->domainname, s->n_domainname), -1));
  if (cat_.types.count(name)) return Error(Status::InvalidArgument("type \"" + name.Quoted() + "\" already exists"), -1);
  Type t;
  t.name = name;
  t.kind = TypeKind::kDomain;
  t.owner = current_role_;
  ApplyDefaultPrivileges("TYPES", ObjectKind::kType, name.schema, name.Quoted(), t.owner);
  DBARCH_ASSIGN_OR_RETURN(t.base_type, TypeString(s->type_name));
  if (s->coll_clause != nullptr) t.collation = ResolveCollation(sql::StrList(s->coll_clause->collname, s->coll_clause->n_collname));
  // In a CHECK, VALUE has the base type; the server casts it to that type's base if the base
  // is itself a domain.
  std::string value_base = DomainBase(t.base_type);
  hints_ = BaseHints();
  if (!value_base.empty()) hints_.domain_columns.emplace_back("value", value_base);
  // A domain over a domain starts with its base's default.
  {
    std::string schema = "public";
    std::string bname = t.base_type;
    if (size_t dot = bname.find('.'); dot != std::string::npos) {
      schema = bname.substr(0, dot);
      bname = bname.substr(dot + 1);
    }
    auto base = cat_.types.find(QualifiedName{schema, bname});
    if (base != cat_.types.end() && base->second.kind == TypeKind::kDomain) {
      t.default_expr = base->second.default_expr;
    }
  }
  for (const Node* cn : Nodes(s->n_constraints, s->constraints)) {
    const PgQuery__Constraint* c = cn->constraint;
    if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL) {
      t.not_null = true;
    } else if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT) {
      const sql::ExprHints base = BaseHints();
      DBARCH_ASSIGN_OR_RETURN(t.default_expr, CanonicalOrError(c->raw_expr, true, &base));
    } else if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK) {
      DomainConstraint dc;
      DBARCH_ASSIGN_OR_RETURN(dc.expression, CanonicalOrError(c->raw_expr, false, &hints_));
      dc.name = c->conname != nullptr && *c->conname != '\0'
                    ? std::string(c->conname)
                    : ChooseName(name.name, "", "check", [&](const std::string& n) { return ConstraintTaken(name.schema, n); });
      ReserveConstraint(name.schema, dc.name);
      t.constraints.push_back(dc);
    }
  }
  t.origin = MakeOrigin();
  cat_.types[name] = std::move(t);
  return Status::OK();
}

Status CatalogBuilder::Impl::AlterDomain(const PgQuery__AlterDomainStmt* s) {
  DBARCH_ASSIGN_OR_RETURN(QualifiedName name, FindTypeName(sql::StrList(s->type_name, s->n_type_name), -1));
  Type& t = cat_.types[name];
  char sub = s->subtype != nullptr ? s->subtype[0] : '?';
  switch (sub) {
    case 'T':
      if (s->def == nullptr) {
        t.default_expr.clear();
      } else {
        const sql::ExprHints base = BaseHints();
        DBARCH_ASSIGN_OR_RETURN(t.default_expr, CanonicalOrError(s->def, true, &base));
      }
      return Status::OK();
    case 'N': t.not_null = false; return Status::OK();
    case 'O': t.not_null = true; return Status::OK();
    case 'C': {
      const PgQuery__Constraint* c = s->def->constraint;
      DomainConstraint dc;
      hints_ = BaseHints();
      if (std::string base = DomainBase(t.base_type); !base.empty()) hints_.domain_columns.emplace_back("value", base);
      DBARCH_ASSIGN_OR_RETURN(dc.expression, CanonicalOrError(c->raw_expr, false, &hints_));
      dc.not_valid = c->skip_validation;
      dc.name = c->conname != nullptr && *c->conname != '\0'
                    ? std::string(c->conname)
                    : ChooseName(name.name, "", "check", [&](const std::string& n) { return ConstraintTaken(name.schema, n); });
      ReserveConstraint(name.schema, dc.name);
      t.constraints.push_back(dc);
      return Status::OK();
    }
    case 'X': {
      size_t before = t.constraints.size();
      std::erase_if(t.constraints, [&](const DomainConstraint& c) { return c.name == s->name; });
      if (before == t.constraints.size() && !s->missing_ok) return NotFound("constraint", s->name, -1, {});
      ReleaseConstraint(name.schema, s->name);
      return Status::OK();
    }
    case 'V':
      for (DomainConstraint& c : t.constraints) {
        if (c.name == s->name) c.not_valid = false;
      }
      return Status::OK();
    default:
      return KeepOther(stmt_->node, name.name);
  }
}

Status CatalogBuilder::Impl::CreateRange(const PgQuery__CreateRangeStmt* s) {
  DBARCH_ASSIGN_OR_RETURN(QualifiedName name, CreationName(sql::StrList(s->type_name, s->n_type_name), -1));
  Type t;
  t.name = name;
  t.kind = TypeKind::kRange;
  t.owner = current_role_;
  ApplyDefaultPrivileges("TYPES", ObjectKind::kType, name.schema, name.Quoted(), t.owner);
  for (const Node* p : Nodes(s->n_params, s->params)) {
    const PgQuery__DefElem* d = p->def_elem;
    std::string_view key = d->defname;
    if (key == "subtype") {
      DBARCH_ASSIGN_OR_RETURN(t.base_type, TypeString(d->arg->type_name));
    } else if (key == "subtype_opclass") {
      std::vector<std::string> op = NameParts(d->arg);
      t.subtype_opclass = op.empty() ? "" : op.back();
    } else if (key == "collation") {
      std::vector<std::string> c = NameParts(d->arg);
      t.collation = ResolveCollation(c);
    }
  }
  t.origin = MakeOrigin();
  cat_.types[name] = std::move(t);
  return Status::OK();
}

Result<std::string> CatalogBuilder::Impl::FunctionKey(const PgQuery__ObjectWithArgs* o, bool procedure,
                                                      int location) const {
  std::vector<std::string> parts = sql::StrList(o->objname, o->n_objname);
  std::string fname = parts.back();
  std::vector<std::string> schemas;
  if (parts.size() >= 2) {
    schemas.push_back(parts[parts.size() - 2]);
  } else {
    schemas = search_path_;
  }
  std::vector<std::string> types;
  bool have_args = !o->args_unspecified;
  if (have_args) {
    if (o->n_objfuncargs > 0) {
      for (const Node* a : Nodes(o->n_objfuncargs, o->objfuncargs)) {
        const PgQuery__FunctionParameter* p = a->function_parameter;
        if (p->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_OUT ||
            p->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_TABLE) {
          continue;
        }
        DBARCH_ASSIGN_OR_RETURN(std::string ty, TypeString(p->arg_type));
        types.push_back(ty);
      }
    } else {
      for (const Node* a : Nodes(o->n_objargs, o->objargs)) {
        DBARCH_ASSIGN_OR_RETURN(std::string ty, TypeString(a->type_name));
        types.push_back(ty);
      }
    }
  }
  for (const std::string& schema : schemas) {
    if (have_args) {
      std::string key = QualifiedName{schema, fname}.Quoted() + "(" + Join(types, ", ") + ")";
      if (cat_.functions.count(key)) return key;
    } else {
      std::string found;
      for (const auto& [key, f] : cat_.functions) {
        if (f.name == QualifiedName{schema, fname}) {
          if (!found.empty()) {
            return Error(Status::InvalidArgument("function name \"" + fname + "\" is not unique")
                             .WithHint("specify the argument list to select the function unambiguously"),
                         location);
          }
          found = key;
        }
      }
      if (!found.empty()) return found;
    }
  }
  std::vector<std::string> names;
  for (const auto& [key, f] : cat_.functions) names.push_back(f.name.name);
  return NotFound(procedure ? "procedure" : "function",
                  fname + (have_args ? "(" + Join(types, ", ") + ")" : ""), location, names);
}

namespace {

// COST / ROWS as pg_get_functiondef prints them: the float4 value with %g.
std::string Float4Text(const std::string& text) {
  char* end = nullptr;
  float v = std::strtof(text.c_str(), &end);
  if (end == text.c_str()) return text;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", static_cast<double>(v));
  return buf;
}

// Clears COST and ROWS that equal the defaults the server gives (the model keeps "" then).
void NormalizeCostRows(Function& f) {
  std::string default_cost = f.language == "internal" || f.language == "c" ? "1" : "100";
  if (f.cost == default_cost) f.cost.clear();
  if (!f.returns_set || f.rows == "1000" || f.rows == "0") f.rows.clear();
}

}  // namespace

Status CatalogBuilder::Impl::CreateFunction(const PgQuery__CreateFunctionStmt* s) {
  DBARCH_ASSIGN_OR_RETURN(QualifiedName name, CreationName(sql::StrList(s->funcname, s->n_funcname), -1));
  Function f;
  f.name = name;
  f.is_procedure = s->is_procedure;
  std::vector<std::string> out_types;
  for (const Node* pn : Nodes(s->n_parameters, s->parameters)) {
    const PgQuery__FunctionParameter* p = pn->function_parameter;
    FunctionArg a;
    switch (p->mode) {
      case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_OUT: a.mode = "OUT"; break;
      case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_INOUT: a.mode = "INOUT"; break;
      case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_VARIADIC: a.mode = "VARIADIC"; break;
      case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_TABLE: a.mode = "TABLE"; break;
      default: a.mode = "IN"; break;
    }
    a.name = p->name != nullptr ? p->name : "";
    DBARCH_ASSIGN_OR_RETURN(a.type, TypeString(p->arg_type));
    if (p->defexpr != nullptr) {
      const sql::ExprHints base = BaseHints();
      DBARCH_ASSIGN_OR_RETURN(a.default_expr, CanonicalOrError(p->defexpr, true, &base));
    }
    if (a.mode == "OUT" || a.mode == "INOUT") out_types.push_back(a.type);
    f.args.push_back(a);
  }
  if (s->return_type != nullptr) {
    DBARCH_ASSIGN_OR_RETURN(f.returns, TypeString(s->return_type));
    f.returns_set = s->return_type->setof;
  } else if (!f.is_procedure) {
    // Without RETURNS the result comes from the OUT parameters.
    f.returns = out_types.size() == 1 ? out_types[0] : "record";
  }
  for (const Node* on : Nodes(s->n_options, s->options)) {
    const PgQuery__DefElem* d = on->def_elem;
    std::string_view key = d->defname;
    if (key == "as") {
      std::vector<std::string> body = NameParts(d->arg);
      f.body = Join(body, ", ");
    } else if (key == "language") {
      f.language = ToLower(DefElemText(d));
    } else if (key == "volatility") {
      f.volatility = Upper(DefElemText(d));
    } else if (key == "strict") {
      f.strict = DefElemBool(d);
    } else if (key == "security") {
      f.security_definer = DefElemBool(d);
    } else if (key == "leakproof") {
      f.leakproof = DefElemBool(d);
    } else if (key == "parallel") {
      f.parallel = Upper(DefElemText(d));
    } else if (key == "cost") {
      f.cost = Float4Text(DefElemText(d));
    } else if (key == "rows") {
      f.rows = Float4Text(DefElemText(d));
    } else if (key == "set") {
      const PgQuery__VariableSetStmt* vs = d->arg->variable_set_stmt;
      std::vector<std::string> values;
      for (const Node* a : Nodes(vs->n_args, vs->args)) {
        int iv = sql::IntVal(a, INT32_MIN);
        values.push_back(iv != INT32_MIN ? std::to_string(iv) : std::string(StrVal(a)));
      }
      std::string value = vs->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_CURRENT ? "FROM CURRENT" : Join(values, ", ");
      // GUC names are case-insensitive; the server stores some in their own case (TimeZone).
      f.config.emplace_back(ToLower(vs->name), value);
    }
  }
  if (s->sql_body != nullptr) {
    // SQL-standard body (BEGIN ATOMIC ... END or RETURN expr): keep its deparsed form.
    const Node* body = s->sql_body;
    if (body->node_case == PG_QUERY__NODE__NODE_RETURN_STMT) {
      auto e = sql::CanonicalExpr(body->return_stmt->returnval, sql::ExprContext::kGeneric);
      if (!e.ok()) return Error(e.status(), -1);
      f.body = "RETURN " + *e;
    } else if (body->node_case == PG_QUERY__NODE__NODE_LIST) {
      std::vector<std::string> stmts;
      for (const Node* st : Nodes(body->list->n_items, body->list->items)) {
        if (st->node_case == PG_QUERY__NODE__NODE_LIST) {
          for (const Node* inner : Nodes(st->list->n_items, st->list->items)) {
            auto text = sql::DeparseStatement(inner);
            if (!text.ok()) return Error(text.status(), -1);
            stmts.push_back(*text);
          }
        } else {
          auto text = sql::DeparseStatement(st);
          if (!text.ok()) return Error(text.status(), -1);
          stmts.push_back(*text);
        }
      }
      f.body = "BEGIN ATOMIC " + Join(stmts, "; ") + (stmts.empty() ? "" : ";") + " END";
    }
    if (f.language.empty()) f.language = "sql";
  }
  if (f.language.empty()) f.language = "sql";
  NormalizeCostRows(f);
  std::sort(f.config.begin(), f.config.end());
  f.origin = MakeOrigin();
  std::string key = f.Signature();
  auto it = cat_.functions.find(key);
  if (it != cat_.functions.end()) {
    if (!s->replace) {
      return Error(Status::InvalidArgument("function " + key + " already exists with same argument types"), -1);
    }
    f.owner = it->second.owner;
    f.comment = it->second.comment;
  } else {
    f.owner = current_role_;
    ApplyDefaultPrivileges("FUNCTIONS", ObjectKind::kFunction, name.schema, key, f.owner);
  }
  cat_.functions[key] = std::move(f);
  return Status::OK();
}

QualifiedName CatalogBuilder::Impl::AggregateSupportName(
    const std::vector<std::string>& parts) const {
  if (parts.empty()) return {};
  if (parts.size() >= 2) return QualifiedName{parts[parts.size() - 2], parts.back()};
  for (const std::string& schema : search_path_) {
    for (const auto& [key, f] : cat_.functions) {
      if (f.name.schema == schema && f.name.name == parts.back() && !f.aggregate) {
        return f.name;
      }
    }
  }
  return QualifiedName{"pg_catalog", parts.back()};
}

namespace {

// FINALFUNC_MODIFY as the model keeps it: "" for the default of the aggregate's kind.
std::string FinalModify(const std::string& written, char kind) {
  std::string v = Upper(written);
  std::string def = kind == 'n' ? "READ_ONLY" : "READ_WRITE";
  return v == def ? "" : v;
}

}  // namespace

Status CatalogBuilder::Impl::CreateAggregate(const PgQuery__DefineStmt* s) {
  DBARCH_ASSIGN_OR_RETURN(QualifiedName name,
                          CreationName(sql::StrList(s->defnames, s->n_defnames), -1));
  Function f;
  f.name = name;
  f.language = "internal";
  Aggregate a;
  // New syntax: args holds the argument list and the number of direct arguments (-1 for an
  // aggregate that is not ordered-set); the old one names a BASETYPE in the definition.
  if (!s->oldstyle && s->n_args >= 1) {
    const Node* list = s->args[0];
    if (list != nullptr && list->node_case == PG_QUERY__NODE__NODE_LIST) {
      for (const Node* pn : Nodes(list->list->n_items, list->list->items)) {
        const PgQuery__FunctionParameter* p = pn->function_parameter;
        FunctionArg arg;
        arg.mode =
            p->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_VARIADIC ? "VARIADIC" : "IN";
        arg.name = p->name != nullptr ? p->name : "";
        DBARCH_ASSIGN_OR_RETURN(arg.type, TypeString(p->arg_type));
        f.args.push_back(arg);
      }
    }
    int ndirect = s->n_args >= 2 ? sql::IntVal(s->args[1], -1) : -1;
    if (ndirect >= 0) {
      a.kind = 'o';
      a.direct_args = ndirect;
    }
  }
  std::string final_modify, mfinal_modify;
  for (const Node* n : Nodes(s->n_definition, s->definition)) {
    const PgQuery__DefElem* d = n->def_elem;
    std::string key = ToLower(d->defname);
    auto support = [&]() { return AggregateSupportName(NameParts(d->arg)); };
    auto type = [&]() -> Result<std::string> {
      if (d->arg != nullptr && d->arg->node_case == PG_QUERY__NODE__NODE_TYPE_NAME) {
        return TypeString(d->arg->type_name);
      }
      return DefElemText(d);
    };
    if (key == "basetype") {
      if (!s->oldstyle) continue;
      std::vector<std::string> base_name = NameParts(d->arg);
      if (!base_name.empty() && ToLower(base_name.back()) == "any") continue;  // (*)
      DBARCH_ASSIGN_OR_RETURN(std::string base, type());
      {
        FunctionArg arg;
        arg.type = base;
        f.args.push_back(arg);
      }
    } else if (key == "sfunc" || key == "sfunc1") {
      a.sfunc = support();
    } else if (key == "stype" || key == "stype1") {
      DBARCH_ASSIGN_OR_RETURN(a.stype, type());
    } else if (key == "sspace") {
      a.sspace = std::strtoll(DefElemText(d).c_str(), nullptr, 10);
    } else if (key == "finalfunc") {
      a.finalfunc = support();
    } else if (key == "finalfunc_extra") {
      a.final_extra = DefElemBool(d);
    } else if (key == "finalfunc_modify") {
      final_modify = DefElemText(d);
    } else if (key == "combinefunc") {
      a.combinefunc = support();
    } else if (key == "serialfunc") {
      a.serialfunc = support();
    } else if (key == "deserialfunc") {
      a.deserialfunc = support();
    } else if (key == "initcond" || key == "initcond1") {
      a.initcond = DefElemText(d);
    } else if (key == "msfunc") {
      a.msfunc = support();
    } else if (key == "minvfunc") {
      a.minvfunc = support();
    } else if (key == "mstype") {
      DBARCH_ASSIGN_OR_RETURN(a.mstype, type());
    } else if (key == "msspace") {
      a.msspace = std::strtoll(DefElemText(d).c_str(), nullptr, 10);
    } else if (key == "mfinalfunc") {
      a.mfinalfunc = support();
    } else if (key == "mfinalfunc_extra") {
      a.mfinal_extra = DefElemBool(d);
    } else if (key == "mfinalfunc_modify") {
      mfinal_modify = DefElemText(d);
    } else if (key == "minitcond") {
      a.minitcond = DefElemText(d);
    } else if (key == "sortop") {
      std::vector<std::string> op = NameParts(d->arg);
      if (op.size() >= 2 && op[op.size() - 2] != "pg_catalog") {
        a.sortop = "OPERATOR(" + QuoteIdent(op[op.size() - 2]) + "." + op.back() + ")";
      } else if (!op.empty()) {
        a.sortop = op.back();
      }
    } else if (key == "parallel") {
      f.parallel = Upper(DefElemText(d));
    } else if (key == "hypothetical") {
      if (DefElemBool(d) && a.kind == 'o') a.kind = 'h';
    } else {
      return Error(Status::InvalidArgument("aggregate attribute \"" + key + "\" not recognized"),
                   -1);
    }
  }
  if (a.sfunc.name.empty() || a.stype.empty()) {
    return Error(Status::InvalidArgument("aggregate " + name.Quoted() +
                                         " needs a state function (SFUNC) and type (STYPE)"),
                 -1);
  }
  a.final_modify = a.finalfunc.name.empty() ? "" : FinalModify(final_modify, a.kind);
  a.mfinal_modify = a.mfinalfunc.name.empty() ? "" : FinalModify(mfinal_modify, a.kind);
  f.aggregate = std::move(a);
  f.origin = MakeOrigin();
  std::string key = f.Signature();
  auto it = cat_.functions.find(key);
  if (it != cat_.functions.end()) {
    if (!s->replace) {
      return Error(
          Status::InvalidArgument("function " + key + " already exists with same argument types"),
          -1);
    }
    f.owner = it->second.owner;
    f.comment = it->second.comment;
  } else {
    f.owner = current_role_;
    ApplyDefaultPrivileges("FUNCTIONS", ObjectKind::kFunction, name.schema, key, f.owner);
  }
  cat_.functions[key] = std::move(f);
  return Status::OK();
}

Status CatalogBuilder::Impl::AlterFunction(const PgQuery__AlterFunctionStmt* s) {
  DBARCH_ASSIGN_OR_RETURN(std::string key, FunctionKey(s->func, s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE, -1));
  Function& f = cat_.functions[key];
  for (const Node* on : Nodes(s->n_actions, s->actions)) {
    const PgQuery__DefElem* d = on->def_elem;
    std::string_view k = d->defname;
    if (k == "volatility") f.volatility = Upper(DefElemText(d));
    else if (k == "strict") f.strict = DefElemBool(d);
    else if (k == "security") f.security_definer = DefElemBool(d);
    else if (k == "leakproof") f.leakproof = DefElemBool(d);
    else if (k == "parallel") f.parallel = Upper(DefElemText(d));
    else if (k == "cost") f.cost = Float4Text(DefElemText(d));
    else if (k == "rows") f.rows = Float4Text(DefElemText(d));
    else if (k == "set") {
      const PgQuery__VariableSetStmt* vs = d->arg->variable_set_stmt;
      std::string guc = vs->name == nullptr ? std::string() : ToLower(vs->name);
      std::erase_if(f.config, [&](const auto& p) {
        return vs->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_RESET_ALL || p.first == guc;
      });
      if (vs->kind != PG_QUERY__VARIABLE_SET_KIND__VAR_RESET &&
          vs->kind != PG_QUERY__VARIABLE_SET_KIND__VAR_RESET_ALL) {
        std::vector<std::string> values;
        for (const Node* a : Nodes(vs->n_args, vs->args)) values.emplace_back(StrVal(a));
        f.config.emplace_back(guc, Join(values, ", "));
      }
      std::sort(f.config.begin(), f.config.end());
    }
  }
  NormalizeCostRows(f);
  return Status::OK();
}

Status CatalogBuilder::Impl::CreateTrigger(const PgQuery__CreateTrigStmt* s) {
  std::vector<std::string> parts;
  if (s->relation->schemaname != nullptr && *s->relation->schemaname != '\0') {
    parts.push_back(s->relation->schemaname);
  }
  parts.push_back(s->relation->relname);
  DBARCH_ASSIGN_OR_RETURN(QualifiedName table, FindRelation(parts, s->relation->location,
                                                            "relation", true, true, false, false));
  Trigger t;
  t.name = s->trigname;
  t.timing = (s->timing & (1 << 1)) ? "BEFORE" : (s->timing & (1 << 6)) ? "INSTEAD OF" : "AFTER";
  if (s->events & (1 << 2)) t.events.push_back("INSERT");
  if (s->events & (1 << 3)) t.events.push_back("DELETE");
  if (s->events & (1 << 4)) t.events.push_back("UPDATE");
  if (s->events & (1 << 5)) t.events.push_back("TRUNCATE");
  std::sort(t.events.begin(), t.events.end());
  t.update_columns = sql::StrList(s->columns, s->n_columns);
  t.for_each_row = s->row;
  if (s->when_clause != nullptr) {
    const sql::ExprHints base = BaseHints();
    DBARCH_ASSIGN_OR_RETURN(t.when, CanonicalOrError(s->when_clause, false, &base));
  }
  std::vector<std::string> fn = sql::StrList(s->funcname, s->n_funcname);
  if (fn.size() >= 2) {
    t.function = QualifiedName{fn[fn.size() - 2], fn.back()};
  } else {
    // Resolved through the search path, where pg_catalog comes first unless the path
    // places it: the built-in trigger functions live there.
    std::vector<std::string> path = search_path_;
    if (std::find(path.begin(), path.end(), "pg_catalog") == path.end()) {
      path.insert(path.begin(), "pg_catalog");
    }
    t.function = QualifiedName{search_path_.empty() ? "public" : search_path_[0], fn.back()};
    for (const std::string& schema : path) {
      bool here = schema == "pg_catalog"
                      ? IsBuiltinTriggerFunction(fn.back())
                      : cat_.functions.count(QualifiedName{schema, fn.back()}.Quoted() + "()") > 0;
      if (here) {
        t.function.schema = schema;
        break;
      }
    }
  }
  t.arguments = sql::StrList(s->args, s->n_args);
  t.constraint = s->isconstraint;
  t.deferrable = s->deferrable;
  t.initially_deferred = s->initdeferred;
  for (const Node* tr : Nodes(s->n_transition_rels, s->transition_rels)) {
    if (tr->trigger_transition->is_new) {
      t.referencing_new = tr->trigger_transition->name;
    } else {
      t.referencing_old = tr->trigger_transition->name;
    }
  }
  if (cat_.views.count(table)) return KeepOther(stmt_->node, t.name);  // view triggers
  Table& tab = cat_.tables[table];
  auto it = std::find_if(tab.triggers.begin(), tab.triggers.end(), [&](const Trigger& x) { return x.name == t.name; });
  if (it != tab.triggers.end()) {
    if (!s->replace) {
      return Error(Status::InvalidArgument("trigger \"" + t.name + "\" for relation \"" + table.Quoted() + "\" already exists"), -1);
    }
    t.comment = it->comment;
    *it = t;
  } else {
    tab.triggers.push_back(t);
  }
  return Status::OK();
}


Result<SequenceOptions> CatalogBuilder::Impl::ParseSequenceOptions(sql::NodeRange options,
                                                                   const SequenceOptions& base,
                                                                   std::string* owned_by) const {
  SequenceOptions o = base;
  bool has_min = false, has_max = false, has_start = false, type_changed = false;
  bool min_none = false, max_none = false;
  for (const Node* n : options) {
    if (n->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
    const PgQuery__DefElem* d = n->def_elem;
    std::string_view name = d->defname;
    int64_t v = 0;
    if (name == "as") {
      auto t = TypeString(d->arg->type_name);
      if (!t.ok()) return t.status();
      o.data_type = *t;
      type_changed = true;
    } else if (name == "increment") {
      if (ParseInt64(d->arg, &v)) o.increment = v;
    } else if (name == "minvalue") {
      if (d->arg == nullptr) {
        min_none = true;
      } else if (ParseInt64(d->arg, &v)) {
        o.min_value = v;
        has_min = true;
      }
    } else if (name == "maxvalue") {
      if (d->arg == nullptr) {
        max_none = true;
      } else if (ParseInt64(d->arg, &v)) {
        o.max_value = v;
        has_max = true;
      }
    } else if (name == "start") {
      if (ParseInt64(d->arg, &v)) {
        o.start = v;
        has_start = true;
      }
    } else if (name == "cache") {
      if (ParseInt64(d->arg, &v)) o.cache = v;
    } else if (name == "cycle") {
      o.cycle = d->arg == nullptr || DefElemString(d) == "true" || sql::IntVal(d->arg, 0) == 1;
    } else if (name == "owned_by" && owned_by != nullptr) {
      *owned_by = Join(NameParts(d->arg), ".");
    }
  }
  // Defaults as the server's init_params() sets them.
  bool fresh = base == SequenceOptions{} || type_changed;
  if (!has_min && (fresh || min_none)) {
    o.min_value = o.increment > 0 ? 1 : TypeMin(o.data_type);
  }
  if (!has_max && (fresh || max_none)) {
    o.max_value = o.increment > 0 ? TypeMax(o.data_type) : -1;
  }
  if (!has_start && fresh) o.start = o.increment > 0 ? o.min_value : o.max_value;
  return o;
}


Status CatalogBuilder::Impl::CreateExtension(const PgQuery__CreateExtensionStmt* s) {
  std::string name = s->extname;
  if (name == "plpgsql") return Status::OK();  // always installed
  if (cat_.extensions.count(name)) {
    if (s->if_not_exists) return Status::OK();
    return Error(Status::InvalidArgument("extension \"" + name + "\" already exists"), -1);
  }
  Extension e;
  e.name = name;
  for (const Node* o : Nodes(s->n_options, s->options)) {
    if (std::string_view(o->def_elem->defname) == "schema") e.schema = DefElemText(o->def_elem);
  }
  if (e.schema.empty()) {
    DBARCH_ASSIGN_OR_RETURN(e.schema, CreationSchema(nullptr, -1));
  } else {
    DBARCH_RETURN_IF_ERROR(CheckSchemaExists(e.schema, -1));
  }
  cat_.extensions[name] = e;
  return Status::OK();
}

Status CatalogBuilder::Impl::CreateCollation(const PgQuery__DefineStmt* s) {
  std::vector<std::string> parts = sql::StrList(s->defnames, s->n_defnames);
  QualifiedName q;
  if (parts.size() == 1) {
    DBARCH_ASSIGN_OR_RETURN(q.schema, CreationSchema(nullptr, -1));
    q.name = parts[0];
  } else if (parts.size() >= 2) {
    q = QualifiedName{parts[parts.size() - 2], parts.back()};
  } else {
    return KeepOther(stmt_->node, "");
  }
  collations_.insert(q);
  if (cat_.collations.count(q)) {
    if (s->if_not_exists) return Status::OK();
    return Error(Status::InvalidArgument("collation \"" + q.name + "\" already exists"), -1);
  }
  Collation c;
  c.name = q;
  std::string locale;
  for (const Node* n : Nodes(s->n_definition, s->definition)) {
    const PgQuery__DefElem* d = n->def_elem;
    std::string key = ToLower(d->defname);
    if (key == "from") {
      // FROM an existing collation: a copy of one of the model, or of a libc built-in.
      std::vector<std::string> from =
          d->arg != nullptr && d->arg->node_case == PG_QUERY__NODE__NODE_LIST
              ? sql::StrList(d->arg->list->items, d->arg->list->n_items)
              : std::vector<std::string>{DefElemText(d)};
      auto known = FindCollation(from, -1);
      if (known.ok()) {
        Collation copy = cat_.collations.at(*known);
        c.provider = copy.provider;
        c.lc_collate = copy.lc_collate;
        c.lc_ctype = copy.lc_ctype;
        c.locale = copy.locale;
        c.deterministic = copy.deterministic;
      } else if (from.back() == "C" || from.back() == "POSIX") {
        c.lc_collate = c.lc_ctype = from.back();
      } else {
        return KeepOther(stmt_->node, q.name);
      }
    } else if (key == "provider") {
      c.provider = ToLower(DefElemText(d));
    } else if (key == "locale") {
      locale = DefElemText(d);
    } else if (key == "lc_collate") {
      c.lc_collate = DefElemText(d);
    } else if (key == "lc_ctype") {
      c.lc_ctype = DefElemText(d);
    } else if (key == "deterministic") {
      c.deterministic = DefElemBool(d);
    } else {
      return KeepOther(stmt_->node, q.name);  // rules, version: not modelled
    }
  }
  if (!locale.empty()) {
    if (c.provider == "libc") {
      if (c.lc_collate.empty()) c.lc_collate = locale;
      if (c.lc_ctype.empty()) c.lc_ctype = locale;
    } else {
      c.locale = locale;
    }
  }
  c.owner = current_role_;
  c.origin = MakeOrigin();
  cat_.collations[q] = std::move(c);
  return Status::OK();
}

Result<QualifiedName> CatalogBuilder::Impl::FindCollation(const std::vector<std::string>& parts,
                                                          int location) const {
  if (parts.size() >= 2) {
    QualifiedName q{parts[parts.size() - 2], parts.back()};
    if (cat_.collations.count(q)) return q;
  } else if (parts.size() == 1) {
    for (const std::string& schema : search_path_) {
      QualifiedName q{schema, parts[0]};
      if (cat_.collations.count(q)) return q;
    }
  }
  std::vector<std::string> names;
  for (const auto& [q, c] : cat_.collations) names.push_back(q.name);
  return NotFound("collation", Join(parts, "."), location, names);
}

}  // namespace dbarch::catalog
