// CatalogBuilder, part 2: views, sequences, types, functions, triggers, policies,
// extensions, roles, grants, comments and owners. See builder_impl.h.
#include <algorithm>
#include <functional>
#include <set>

#include "base/strings.h"
#include "catalog/builder_impl.h"
#include "catalog/naming.h"
#include "sql/expr_normalizer.h"
#include "sql/parser.h"

namespace dbarch::catalog {

using sql::Node;
using sql::Nodes;
using sql::StrVal;

namespace {

std::vector<std::string> Parts(const Node* node) {
  if (node == nullptr) return {};
  if (node->node_case == PG_QUERY__NODE__NODE_LIST) return sql::StrList(node->list->items, node->list->n_items);
  if (node->node_case == PG_QUERY__NODE__NODE_STRING) return {std::string(StrVal(node))};
  if (node->node_case == PG_QUERY__NODE__NODE_TYPE_NAME) {
    return sql::StrList(node->type_name->names, node->type_name->n_names);
  }
  return {};
}

std::string Upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

// Every RangeVar a query reads (for View::relations), and the names of its CTEs.
void CollectNode(const Node* n, std::vector<const PgQuery__RangeVar*>& out, std::set<std::string>& ctes) {
  if (n == nullptr) return;
  if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
    out.push_back(n->range_var);
    return;
  }
  if (n->node_case == PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR) ctes.insert(n->common_table_expr->ctename);
  sql::ForEachChildNode(&n->base, [&](Node* const& child) { CollectNode(child, out, ctes); });
}

std::string DefElemText(const PgQuery__DefElem* d) {
  if (d->arg == nullptr) return "";
  switch (d->arg->node_case) {
    case PG_QUERY__NODE__NODE_STRING: return d->arg->string->sval;
    case PG_QUERY__NODE__NODE_INTEGER: return std::to_string(d->arg->integer->ival);
    case PG_QUERY__NODE__NODE_FLOAT: return d->arg->float_->fval;
    case PG_QUERY__NODE__NODE_BOOLEAN: return d->arg->boolean->boolval ? "true" : "false";
    case PG_QUERY__NODE__NODE_TYPE_NAME: {
      // Bare words such as check_option = local parse as type names.
      const PgQuery__TypeName* t = d->arg->type_name;
      return t->n_names > 0 ? std::string(StrVal(t->names[t->n_names - 1])) : "";
    }
    default: {
      auto s = sql::DeparseExpr(d->arg);
      return s.ok() ? *s : "";
    }
  }
}

bool DefElemBool(const PgQuery__DefElem* d) {
  if (d->arg == nullptr) return true;
  if (d->arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN) return d->arg->boolean->boolval;
  if (d->arg->node_case == PG_QUERY__NODE__NODE_INTEGER) return d->arg->integer->ival != 0;
  std::string v = ToLower(DefElemText(d));
  return v == "true" || v == "on" || v == "1" || v == "yes";
}

std::vector<std::string> AllPrivileges(ObjectKind kind, bool column_level) {
  switch (kind) {
    case ObjectKind::kTable:
      if (column_level) return {"INSERT", "REFERENCES", "SELECT", "UPDATE"};
      return {"DELETE", "INSERT", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE", "UPDATE"};
    case ObjectKind::kSequence: return {"SELECT", "UPDATE", "USAGE"};
    case ObjectKind::kFunction: return {"EXECUTE"};
    case ObjectKind::kSchema: return {"CREATE", "USAGE"};
    case ObjectKind::kType: return {"USAGE"};
    default: return {};
  }
}

}  // namespace

Result<std::vector<std::string>> CatalogBuilder::Impl::QueryColumns(const Node* select) const {
  std::vector<std::string> cols;
  if (select == nullptr || select->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) return cols;
  const PgQuery__SelectStmt* s = select->select_stmt;
  if (s->larg != nullptr) {
    Node tmp = PG_QUERY__NODE__INIT;
    tmp.node_case = PG_QUERY__NODE__NODE_SELECT_STMT;
    tmp.select_stmt = s->larg;
    return QueryColumns(&tmp);
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
      auto q = FindRelation(parts, -1, "relation", true, true, false, false);
      std::vector<std::string> c;
      if (q.ok()) {
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
      auto c = QueryColumns(f->range_subselect->subquery);
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
    std::string n = FigureColname(v);
    cols.push_back(n.empty() ? "?column?" : n);
  }
  return cols;
}

Result<View> CatalogBuilder::Impl::BuildView(const QualifiedName& name, const Node* query,
                                             sql::NodeRange aliases) const {
  View v;
  v.name = name;
  DBARCH_ASSIGN_OR_RETURN(v.definition, sql::DeparseStatement(query));
  DBARCH_ASSIGN_OR_RETURN(v.columns, QueryColumns(query));
  std::vector<std::string> renamed = sql::StrList(aliases.b, aliases.size());
  for (size_t i = 0; i < renamed.size() && i < v.columns.size(); ++i) v.columns[i] = renamed[i];
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
    v.options.emplace_back("check_option", "cascaded");
  }
  std::sort(v.options.begin(), v.options.end());
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
  std::sort(v.options.begin(), v.options.end());
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
      a.collation = CollationName(sql::StrList(c->column_def->coll_clause->collname, c->column_def->coll_clause->n_collname));
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
  if (s->coll_clause != nullptr) t.collation = CollationName(sql::StrList(s->coll_clause->collname, s->coll_clause->n_collname));
  // In a CHECK, VALUE has the base type; the server casts it to that type's base if the base
  // is itself a domain.
  std::string value_base = DomainBase(t.base_type);
  hints_ = sql::ExprHints{};
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
      DBARCH_ASSIGN_OR_RETURN(t.default_expr, CanonicalOrError(c->raw_expr, true));
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
        DBARCH_ASSIGN_OR_RETURN(t.default_expr, CanonicalOrError(s->def, true));
      }
      return Status::OK();
    case 'N': t.not_null = false; return Status::OK();
    case 'O': t.not_null = true; return Status::OK();
    case 'C': {
      const PgQuery__Constraint* c = s->def->constraint;
      DomainConstraint dc;
      hints_ = sql::ExprHints{};
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
      std::vector<std::string> op = Parts(d->arg);
      t.subtype_opclass = op.empty() ? "" : op.back();
    } else if (key == "collation") {
      std::vector<std::string> c = Parts(d->arg);
      t.collation = CollationName(c);
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
      DBARCH_ASSIGN_OR_RETURN(a.default_expr, CanonicalOrError(p->defexpr, true));
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
      std::vector<std::string> body = Parts(d->arg);
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
    } else if (key == "set") {
      const PgQuery__VariableSetStmt* vs = d->arg->variable_set_stmt;
      std::vector<std::string> values;
      for (const Node* a : Nodes(vs->n_args, vs->args)) {
        int iv = sql::IntVal(a, INT32_MIN);
        values.push_back(iv != INT32_MIN ? std::to_string(iv) : std::string(StrVal(a)));
      }
      std::string value = vs->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_CURRENT ? "FROM CURRENT" : Join(values, ", ");
      f.config.emplace_back(vs->name, value);
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
    else if (k == "set") {
      const PgQuery__VariableSetStmt* vs = d->arg->variable_set_stmt;
      std::erase_if(f.config, [&](const auto& p) { return p.first == vs->name; });
      if (vs->kind != PG_QUERY__VARIABLE_SET_KIND__VAR_RESET) {
        std::vector<std::string> values;
        for (const Node* a : Nodes(vs->n_args, vs->args)) values.emplace_back(StrVal(a));
        f.config.emplace_back(vs->name, Join(values, ", "));
      }
      std::sort(f.config.begin(), f.config.end());
    }
  }
  return Status::OK();
}

Status CatalogBuilder::Impl::CreateTrigger(const PgQuery__CreateTrigStmt* s) {
  DBARCH_ASSIGN_OR_RETURN(QualifiedName table, FindRelation({s->relation->schemaname != nullptr && *s->relation->schemaname != '\0' ? std::string(s->relation->schemaname) : std::string(), s->relation->relname}, s->relation->location, "relation", true, true, false, false));
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
    DBARCH_ASSIGN_OR_RETURN(t.when, CanonicalOrError(s->when_clause, false));
  }
  std::vector<std::string> fn = sql::StrList(s->funcname, s->n_funcname);
  if (fn.size() >= 2) {
    t.function = QualifiedName{fn[fn.size() - 2], fn.back()};
  } else {
    t.function = QualifiedName{search_path_.empty() ? "public" : search_path_[0], fn.back()};
    for (const std::string& schema : search_path_) {
      if (cat_.functions.count(QualifiedName{schema, fn.back()}.Quoted() + "()")) {
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

Status CatalogBuilder::Impl::CreatePolicy(const PgQuery__CreatePolicyStmt* s) {
  DBARCH_ASSIGN_OR_RETURN(QualifiedName table, FindTableName(s->table));
  Policy p;
  p.name = s->policy_name;
  p.permissive = s->permissive;
  p.command = Upper(s->cmd_name != nullptr ? s->cmd_name : "all");
  for (const Node* r : Nodes(s->n_roles, s->roles)) {
    std::string n = RoleName(r->role_spec);
    p.roles.push_back(n == "PUBLIC" ? "public" : n);
  }
  if (p.roles.empty()) p.roles.push_back("public");
  std::sort(p.roles.begin(), p.roles.end());
  hints_ = HintsFor(cat_.tables[table]);
  if (s->qual != nullptr) {
    DBARCH_ASSIGN_OR_RETURN(p.using_expr, CanonicalOrError(s->qual, false, &hints_));
  }
  if (s->with_check != nullptr) {
    DBARCH_ASSIGN_OR_RETURN(p.check_expr, CanonicalOrError(s->with_check, false, &hints_));
  }
  Table& t = cat_.tables[table];
  for (const Policy& x : t.policies) {
    if (x.name == p.name) {
      return Error(Status::InvalidArgument("policy \"" + p.name + "\" for table \"" + table.Quoted() + "\" already exists"), -1);
    }
  }
  t.policies.push_back(p);
  return Status::OK();
}

Status CatalogBuilder::Impl::AlterPolicy(const PgQuery__AlterPolicyStmt* s) {
  DBARCH_ASSIGN_OR_RETURN(QualifiedName table, FindTableName(s->table));
  Table& t = cat_.tables[table];
  for (Policy& p : t.policies) {
    if (p.name != s->policy_name) continue;
    if (s->n_roles > 0) {
      p.roles.clear();
      for (const Node* r : Nodes(s->n_roles, s->roles)) {
        std::string n = RoleName(r->role_spec);
        p.roles.push_back(n == "PUBLIC" ? "public" : n);
      }
      std::sort(p.roles.begin(), p.roles.end());
    }
    hints_ = HintsFor(cat_.tables[table]);
  if (s->qual != nullptr) {
    DBARCH_ASSIGN_OR_RETURN(p.using_expr, CanonicalOrError(s->qual, false, &hints_));
  }
    if (s->with_check != nullptr) {
    DBARCH_ASSIGN_OR_RETURN(p.check_expr, CanonicalOrError(s->with_check, false, &hints_));
  }
    return Status::OK();
  }
  std::vector<std::string> names;
  for (const Policy& p : t.policies) names.push_back(p.name);
  return NotFound("policy", s->policy_name, -1, names);
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

namespace {

void ApplyRoleOptions(Role& r, sql::NodeRange options, std::vector<std::string>* members) {
  for (const Node* o : options) {
    const PgQuery__DefElem* d = o->def_elem;
    std::string_view k = d->defname;
    if (k == "canlogin") r.login = DefElemBool(d);
    else if (k == "superuser") r.superuser = DefElemBool(d);
    else if (k == "createdb") r.create_db = DefElemBool(d);
    else if (k == "createrole") r.create_role = DefElemBool(d);
    else if (k == "inherit") r.inherit = DefElemBool(d);
    else if (k == "isreplication") r.replication = DefElemBool(d);
    else if (k == "bypassrls") r.bypass_rls = DefElemBool(d);
    else if (k == "connectionlimit") r.connection_limit = sql::IntVal(d->arg, -1);
    else if (k == "addroleto") {
      for (const Node* n : Nodes(d->arg->list->n_items, d->arg->list->items)) {
        r.member_of.push_back(n->role_spec->rolename);
      }
    } else if (k == "rolemembers" && members != nullptr) {
      for (const Node* n : Nodes(d->arg->list->n_items, d->arg->list->items)) {
        members->push_back(n->role_spec->rolename);
      }
    }
    // "password" is deliberately never stored.
  }
  std::sort(r.member_of.begin(), r.member_of.end());
}

}  // namespace

Status CatalogBuilder::Impl::CreateRole(const PgQuery__CreateRoleStmt* s) {
  std::string name = s->role;
  if (cat_.roles.count(name)) return Error(Status::InvalidArgument("role \"" + name + "\" already exists"), -1);
  Role r;
  r.name = name;
  r.login = s->stmt_type == PG_QUERY__ROLE_STMT_TYPE__ROLESTMT_USER;
  std::vector<std::string> members;
  ApplyRoleOptions(r, Nodes(s->n_options, s->options), &members);
  cat_.roles[name] = r;
  for (const std::string& m : members) {
    if (cat_.roles.count(m)) {
      auto& mo = cat_.roles[m].member_of;
      mo.push_back(name);
      std::sort(mo.begin(), mo.end());
    }
  }
  return Status::OK();
}

Status CatalogBuilder::Impl::AlterRole(const PgQuery__AlterRoleStmt* s) {
  std::string name = RoleName(s->role);
  if (!cat_.roles.count(name)) return KeepOther(stmt_->node, name);  // a role not in this schema
  ApplyRoleOptions(cat_.roles[name], Nodes(s->n_options, s->options), nullptr);
  return Status::OK();
}

Status CatalogBuilder::Impl::DropRole(const PgQuery__DropRoleStmt* s) {
  for (const Node* r : Nodes(s->n_roles, s->roles)) {
    std::string name = RoleName(r->role_spec);
    if (!cat_.roles.count(name)) {
      if (s->missing_ok) continue;
      std::vector<std::string> names;
      for (const auto& [n, role] : cat_.roles) names.push_back(n);
      return NotFound("role", name, -1, names);
    }
    cat_.roles.erase(name);
  }
  return Status::OK();
}

Status CatalogBuilder::Impl::GrantRole(const PgQuery__GrantRoleStmt* s) {
  for (const Node* g : Nodes(s->n_grantee_roles, s->grantee_roles)) {
    std::string member = RoleName(g->role_spec);
    if (!cat_.roles.count(member)) return KeepOther(stmt_->node, member);
    auto& mo = cat_.roles[member].member_of;
    for (const Node* granted : Nodes(s->n_granted_roles, s->granted_roles)) {
      std::string role = granted->access_priv->priv_name;
      if (s->is_grant) {
        if (std::find(mo.begin(), mo.end(), role) == mo.end()) mo.push_back(role);
      } else {
        std::erase(mo, role);
      }
    }
    std::sort(mo.begin(), mo.end());
  }
  return Status::OK();
}

void CatalogBuilder::Impl::ApplyDefaultPrivileges(const char* object_type, ObjectKind kind,
                                                  const std::string& schema,
                                                  const std::string& object,
                                                  const std::string& owner) {
  for (const DefaultPrivilege& d : cat_.default_privileges) {
    if (d.revokes_builtin || d.object_type != object_type || d.role != owner) continue;
    if (!d.schema.empty() && d.schema != schema) continue;
    GrantOne(Grant{kind, object, "", d.grantee, d.privilege, d.with_grant_option});
  }
  std::sort(cat_.grants.begin(), cat_.grants.end());
}

Status CatalogBuilder::Impl::AlterDefaultPrivileges(const PgQuery__AlterDefaultPrivilegesStmt* s) {
  std::vector<std::string> roles;
  std::vector<std::string> schemas;
  for (const Node* o : Nodes(s->n_options, s->options)) {
    const PgQuery__DefElem* d = o->def_elem;
    for (const Node* item : Nodes(d->arg->list->n_items, d->arg->list->items)) {
      if (std::string_view(d->defname) == "roles") {
        roles.push_back(RoleName(item->role_spec));
      } else if (std::string_view(d->defname) == "schemas") {
        std::string schema(StrVal(item));
        DBARCH_RETURN_IF_ERROR(CheckSchemaExists(schema, -1));
        schemas.emplace_back(schema);
      }
    }
  }
  if (roles.empty()) roles.push_back(current_role_);
  if (schemas.empty()) schemas.emplace_back();
  const PgQuery__GrantStmt* g = s->action;
  std::string type;
  ObjectKind kind;
  switch (g->objtype) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE: type = "TABLES"; kind = ObjectKind::kTable; break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE: type = "SEQUENCES"; kind = ObjectKind::kSequence; break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: type = "FUNCTIONS"; kind = ObjectKind::kFunction; break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: type = "TYPES"; kind = ObjectKind::kType; break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: type = "SCHEMAS"; kind = ObjectKind::kSchema; break;
    default: return KeepOther(stmt_->node, "");
  }
  std::vector<std::string> privs;
  for (const Node* pn : Nodes(g->n_privileges, g->privileges)) privs.push_back(Upper(pn->access_priv->priv_name));
  if (privs.empty()) privs = AllPrivileges(kind, false);
  for (const std::string& role : roles) {
    for (const std::string& schema : schemas) {
      for (const Node* gn : Nodes(g->n_grantees, g->grantees)) {
        std::string grantee = RoleName(gn->role_spec);
        for (const std::string& priv : privs) {
          DefaultPrivilege d{role, schema, type, grantee, priv, g->grant_option != 0, false};
          auto same = [&](const DefaultPrivilege& x) {
            return x.role == d.role && x.schema == d.schema && x.object_type == d.object_type &&
                   x.grantee == d.grantee && x.privilege == d.privilege;
          };
          if (g->is_grant) {
            // Granting back a built-in default undoes its revocation.
            bool builtin = grantee == "PUBLIC" && ((type == "FUNCTIONS" && priv == "EXECUTE") ||
                                                   (type == "TYPES" && priv == "USAGE"));
            size_t before = cat_.default_privileges.size();
            std::erase_if(cat_.default_privileges, [&](const DefaultPrivilege& x) { return same(x) && x.revokes_builtin; });
            if (builtin && before != cat_.default_privileges.size()) continue;
            if (std::none_of(cat_.default_privileges.begin(), cat_.default_privileges.end(), same)) {
              cat_.default_privileges.push_back(d);
            }
          } else {
            size_t before = cat_.default_privileges.size();
            if (g->grant_option) {
              for (DefaultPrivilege& x : cat_.default_privileges) {
                if (same(x)) x.with_grant_option = false;
              }
              continue;
            }
            std::erase_if(cat_.default_privileges, same);
            bool builtin = grantee == "PUBLIC" && schema.empty() &&
                           ((type == "FUNCTIONS" && priv == "EXECUTE") || (type == "TYPES" && priv == "USAGE"));
            if (before == cat_.default_privileges.size() && builtin) {
              d.revokes_builtin = true;
              cat_.default_privileges.push_back(d);
            }
          }
        }
      }
    }
  }
  std::sort(cat_.default_privileges.begin(), cat_.default_privileges.end());
  return Status::OK();
}

void CatalogBuilder::Impl::GrantOne(Grant g) {
  for (Grant& x : cat_.grants) {
    if (x.object_kind == g.object_kind && x.object == g.object && x.column == g.column &&
        x.grantee == g.grantee && x.privilege == g.privilege) {
      x.with_grant_option |= g.with_grant_option;
      return;
    }
  }
  cat_.grants.push_back(std::move(g));
}

void CatalogBuilder::Impl::RevokeOne(const Grant& g, bool grant_option_only) {
  for (auto it = cat_.grants.begin(); it != cat_.grants.end();) {
    bool match = it->object_kind == g.object_kind && it->object == g.object &&
                 it->grantee == g.grantee && it->privilege == g.privilege &&
                 (it->column == g.column || g.column.empty());
    if (match && grant_option_only) {
      it->with_grant_option = false;
      ++it;
    } else if (match) {
      it = cat_.grants.erase(it);
    } else {
      ++it;
    }
  }
}

void CatalogBuilder::Impl::DropGrantsOn(ObjectKind kind, const std::string& object) {
  std::erase_if(cat_.grants, [&](const Grant& g) { return g.object_kind == kind && g.object == object; });
}

void CatalogBuilder::Impl::RenameGrantsOn(ObjectKind kind, const std::string& from, const std::string& to) {
  for (Grant& g : cat_.grants) {
    if (g.object_kind == kind && g.object == from) g.object = to;
  }
  std::sort(cat_.grants.begin(), cat_.grants.end());
}

Status CatalogBuilder::Impl::GrantPrivileges(const PgQuery__GrantStmt* s) {
  ObjectKind kind;
  switch (s->objtype) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE: kind = ObjectKind::kTable; break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE: kind = ObjectKind::kSequence; break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: kind = ObjectKind::kFunction; break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: kind = ObjectKind::kSchema; break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: kind = ObjectKind::kType; break;
    default: return KeepOther(stmt_->node, "");
  }
  if (s->targtype == PG_QUERY__GRANT_TARGET_TYPE__ACL_TARGET_DEFAULTS) return KeepOther(stmt_->node, "");
  // Objects named by the statement, as the model spells them.
  std::vector<std::string> objects;
  if (s->targtype == PG_QUERY__GRANT_TARGET_TYPE__ACL_TARGET_ALL_IN_SCHEMA) {
    for (const Node* sn : Nodes(s->n_objects, s->objects)) {
      std::string schema(StrVal(sn));
      DBARCH_RETURN_IF_ERROR(CheckSchemaExists(schema, -1));
      if (kind == ObjectKind::kTable) {
        for (const auto& [q, t] : cat_.tables) if (q.schema == schema) objects.push_back(q.Quoted());
        for (const auto& [q, v] : cat_.views) if (q.schema == schema) objects.push_back(q.Quoted());
      } else if (kind == ObjectKind::kSequence) {
        for (const auto& [q, sq] : cat_.sequences) if (q.schema == schema) objects.push_back(q.Quoted());
      } else if (kind == ObjectKind::kFunction) {
        for (const auto& [key, f] : cat_.functions) if (f.name.schema == schema) objects.push_back(key);
      }
    }
  } else {
    for (const Node* o : Nodes(s->n_objects, s->objects)) {
      switch (kind) {
        case ObjectKind::kTable:
        case ObjectKind::kSequence: {
          const PgQuery__RangeVar* rv = o->range_var;
          std::vector<std::string> parts;
          if (rv->schemaname != nullptr && *rv->schemaname != '\0') parts.push_back(rv->schemaname);
          parts.push_back(rv->relname);
          bool seq = kind == ObjectKind::kSequence;
          DBARCH_ASSIGN_OR_RETURN(QualifiedName q, FindRelation(parts, rv->location, "relation", !seq, !seq, true, false));
          // GRANT ... ON TABLE works on sequences too; the object keeps its own kind.
          objects.push_back(q.Quoted());
          if (!seq && (cat_.sequences.count(q) || identity_seqs_.count(q))) kind = ObjectKind::kSequence;
          break;
        }
        case ObjectKind::kFunction: {
          DBARCH_ASSIGN_OR_RETURN(std::string key, FunctionKey(o->object_with_args, false, -1));
          objects.push_back(key);
          break;
        }
        case ObjectKind::kSchema: {
          std::string schema(StrVal(o));
          DBARCH_RETURN_IF_ERROR(CheckSchemaExists(schema, -1));
          objects.push_back(QuoteIdent(schema));
          break;
        }
        case ObjectKind::kType: {
          DBARCH_ASSIGN_OR_RETURN(QualifiedName q, FindTypeName(Parts(o), -1));
          objects.push_back(q.Quoted());
          break;
        }
        default: break;
      }
    }
  }
  std::vector<std::string> grantees;
  for (const Node* g : Nodes(s->n_grantees, s->grantees)) grantees.push_back(RoleName(g->role_spec));
  for (const std::string& object : objects) {
    for (const std::string& grantee : grantees) {
      auto each = [&](const std::string& priv, const std::string& column) {
        Grant g{kind, object, column, grantee, priv, s->grant_option != 0};
        if (s->is_grant) {
          GrantOne(g);
        } else {
          RevokeOne(g, s->grant_option);
        }
      };
      if (s->n_privileges == 0) {
        for (const std::string& p : AllPrivileges(kind, false)) each(p, "");
        continue;
      }
      for (const Node* pn : Nodes(s->n_privileges, s->privileges)) {
        const PgQuery__AccessPriv* ap = pn->access_priv;
        std::vector<std::string> cols = sql::StrList(ap->cols, ap->n_cols);
        std::vector<std::string> privs;
        if (ap->priv_name == nullptr || *ap->priv_name == '\0') {
          privs = AllPrivileges(kind, !cols.empty());
        } else {
          privs.push_back(Upper(ap->priv_name));
        }
        for (const std::string& p : privs) {
          if (cols.empty()) {
            each(p, "");
          } else {
            for (const std::string& c : cols) each(p, c);
          }
        }
      }
    }
  }
  std::sort(cat_.grants.begin(), cat_.grants.end());
  return Status::OK();
}

Status CatalogBuilder::Impl::Comment(const PgQuery__CommentStmt* s) {
  std::string text = s->comment != nullptr ? s->comment : "";
  std::vector<std::string> parts = Parts(s->object);
  auto rel = [&](std::vector<std::string> p, bool tables, bool views, bool seqs, bool idx) {
    return FindRelation(p, -1, "relation", tables, views, seqs, idx);
  };
  switch (s->objtype) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX: {
      DBARCH_ASSIGN_OR_RETURN(QualifiedName q, rel(parts, true, true, true, true));
      if (identity_seqs_.count(q)) return KeepOther(stmt_->node, q.name);  // not modelled
      if (cat_.tables.count(q)) cat_.tables[q].comment = text;
      else if (cat_.views.count(q)) cat_.views[q].comment = text;
      else if (cat_.sequences.count(q)) cat_.sequences[q].comment = text;
      else cat_.indexes[q].comment = text;
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN: {
      std::string column = parts.back();
      parts.pop_back();
      DBARCH_ASSIGN_OR_RETURN(QualifiedName q, rel(parts, true, true, false, false));
      if (cat_.views.count(q)) {
        if (text.empty()) {
          cat_.views[q].column_comments.erase(column);
        } else {
          cat_.views[q].column_comments[column] = text;
        }
        return Status::OK();
      }
      Column* c = cat_.tables[q].FindColumn(column);
      if (c == nullptr) return NotFound("column", column, -1, {});
      c->comment = text;
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT:
    case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
    case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY: {
      std::string name = parts.back();
      parts.pop_back();
      DBARCH_ASSIGN_OR_RETURN(QualifiedName q, rel(parts, true, false, false, false));
      Table& t = cat_.tables[q];
      if (s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT) {
        for (Constraint& c : t.constraints) if (c.name == name) { c.comment = text; return Status::OK(); }
        return NotFound("constraint", name, -1, {});
      }
      if (s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER) {
        for (Trigger& tr : t.triggers) if (tr.name == name) { tr.comment = text; return Status::OK(); }
        return NotFound("trigger", name, -1, {});
      }
      for (Policy& p : t.policies) if (p.name == name) { p.comment = text; return Status::OK(); }
      return NotFound("policy", name, -1, {});
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: {
      DBARCH_ASSIGN_OR_RETURN(QualifiedName q, FindTypeName(parts, -1));
      cat_.types[q].comment = text;
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: {
      DBARCH_ASSIGN_OR_RETURN(std::string key, FunctionKey(s->object->object_with_args, false, -1));
      cat_.functions[key].comment = text;
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: {
      std::string schema(StrVal(s->object));
      DBARCH_RETURN_IF_ERROR(CheckSchemaExists(schema, -1));
      cat_.schemas[schema].comment = text;
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_ROLE: {
      std::string role(StrVal(s->object));
      if (!cat_.roles.count(role)) return KeepOther(stmt_->node, role);
      cat_.roles[role].comment = text;
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMCONSTRAINT: {
      // object: List(TypeName, String constraint)
      const PgQuery__List* l = s->object->list;
      DBARCH_ASSIGN_OR_RETURN(QualifiedName q, FindTypeName(Parts(l->items[0]), -1));
      std::string name(StrVal(l->items[1]));
      for (DomainConstraint& c : cat_.types[q].constraints) {
        if (c.name == name) return KeepOther(stmt_->node, name);
      }
      return NotFound("constraint", name, -1, {});
    }
    default:
      return KeepOther(stmt_->node, Join(parts, "."));
  }
}

Status CatalogBuilder::Impl::AlterOwner(const PgQuery__AlterOwnerStmt* s) {
  std::string owner = RoleName(s->newowner);
  switch (s->object_type) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: {
      std::string schema(StrVal(s->object));
      DBARCH_RETURN_IF_ERROR(CheckSchemaExists(schema, -1));
      cat_.schemas[schema].owner = owner;
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: {
      DBARCH_ASSIGN_OR_RETURN(QualifiedName q, FindTypeName(Parts(s->object), -1));
      cat_.types[q].owner = owner;
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: {
      DBARCH_ASSIGN_OR_RETURN(std::string key, FunctionKey(s->object->object_with_args, false, -1));
      cat_.functions[key].owner = owner;
      return Status::OK();
    }
    default:
      return KeepOther(stmt_->node, owner);
  }
}

}  // namespace dbarch::catalog
