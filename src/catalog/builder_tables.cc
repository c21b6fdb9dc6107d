// CatalogBuilder: CREATE TABLE, columns, ALTER TABLE and LIKE copies. See builder_impl.h.
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

Status CatalogBuilder::Impl::CreateTable(const PgQuery__CreateStmt* s) {
  const PgQuery__RangeVar* rv = s->relation;
  if (rv->relpersistence != nullptr && std::string_view(rv->relpersistence) == "t") {
    return KeepOther(stmt_->node, rv->relname);  // temporary tables are not schema
  }
  DBARCH_ASSIGN_OR_RETURN(QualifiedName name, CreationName(rv));
  if (cat_.tables.count(name) || RelationTaken(name.schema, name.name)) {
    if (s->if_not_exists) return Status::OK();
    return Error(Status::InvalidArgument("relation \"" + name.Quoted() + "\" already exists"),
                 rv->location);
  }
  Table table;
  if (s->of_typename != nullptr) {
    // A typed table: its columns are the composite type's attributes.
    DBARCH_ASSIGN_OR_RETURN(QualifiedName type_name,
                            FindTypeName(sql::StrList(s->of_typename->names, s->of_typename->n_names),
                                         s->of_typename->location));
    const Type& type = cat_.types[type_name];
    if (type.kind != TypeKind::kComposite) {
      return Error(Status::InvalidArgument("type \"" + type_name.Quoted() + "\" is not a composite type"),
                   s->of_typename->location);
    }
    table.of_type = type_name;
    for (const TypeAttribute& a : type.attributes) {
      Column c;
      c.name = a.name;
      c.type = a.type;
      c.collation = a.collation;
      table.columns.push_back(c);
    }
  }
  table.name = name;
  table.unlogged = rv->relpersistence != nullptr && std::string_view(rv->relpersistence) == "u";
  table.origin = MakeOrigin();
  table.options = RelOptions(Nodes(s->n_options, s->options));
  // WITH (oids = false) is accepted for old dumps and stores nothing.
  std::erase_if(table.options, [](const auto& p) { return p.first == "oids"; });
  table.owner = current_role_;

  // Inheritance: PARTITION OF parent, or INHERITS (a, b).
  for (const Node* p : Nodes(s->n_inh_relations, s->inh_relations)) {
    DBARCH_ASSIGN_OR_RETURN(QualifiedName parent, FindTableName(p->range_var));
    const Table* pt = cat_.FindTable(parent);
    for (const Column& c : pt->columns) {
      if (table.FindColumn(c.name) != nullptr) continue;
      Column copy = c;
      copy.origin = MakeOrigin();  // copied: defined by this statement
      copy.identity = IdentityKind::kNone;
      copy.identity_sequence.clear();
      copy.comment.clear();
      copy.is_local = false;
      copy.statistics_target = -1;  // the server does not copy attstattarget
      if (s->partbound == nullptr) copy.identity_options = SequenceOptions{};
      table.columns.push_back(copy);
    }
    if (s->partbound != nullptr) {
      table.partition_of = parent;
      // Inherited CHECK constraints are not local to the partition (see model.h).
    } else {
      table.inherits.push_back(parent);
    }
  }

  // Serial sequences are created (and named) before the table.
  std::vector<const PgQuery__Constraint*> deferred;  // table constraints, in order
  std::vector<std::pair<QualifiedName, uint32_t>> likes;  // LIKE source, options
  ReserveRelation(name.schema, name.name);
  table.columns.reserve(table.columns.size() + s->n_table_elts);
  for (const Node* e : Nodes(s->n_table_elts, s->table_elts)) {
    if (e->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
      Status st = AddColumn(table, e->column_def, true, deferred);
      if (!st.ok()) {
        ReleaseRelation(name.schema, name.name);
        return st;
      }
    } else if (e->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
      deferred.push_back(e->constraint);
    } else if (e->node_case == PG_QUERY__NODE__NODE_TABLE_LIKE_CLAUSE) {
      const PgQuery__TableLikeClause* like = e->table_like_clause;
      auto src = FindTableName(like->relation);
      if (!src.ok()) {
        ReleaseRelation(name.schema, name.name);
        return src.status();
      }
      // TableLikeOption bits (src/include/nodes/parsenodes.h); INCLUDING ALL sets them all.
      uint32_t o = like->options;
      bool comments = o & (1u << 0), defaults = o & (1u << 3), generated = o & (1u << 4),
           identity = o & (1u << 5);
      for (const Column& c : cat_.FindTable(*src)->columns) {
        Column copy = c;
        copy.origin = MakeOrigin();  // copied: defined by this statement
        if (!comments) copy.comment.clear();
        copy.identity_sequence.clear();  // LIKE ... INCLUDING IDENTITY names its own
        if (!identity) {
          copy.identity = IdentityKind::kNone;
          copy.identity_options = SequenceOptions{};
        }
        if (!generated) copy.generated_expr.clear();
        if (!defaults) {
          copy.default_expr.clear();
          copy.default_text.clear();
        }
        table.columns.push_back(copy);
      }
      likes.emplace_back(*src, o);
    }
  }
  if (s->partspec != nullptr) {
    const PgQuery__PartitionSpec* ps = s->partspec;
    std::string strategy = ToLower(ps->strategy);
    table.partition_strategy = strategy == "range" ? PartitionStrategy::kRange
                               : strategy == "list" ? PartitionStrategy::kList
                                                    : PartitionStrategy::kHash;
    std::vector<std::string> parts;
    for (const Node* p : Nodes(ps->n_part_params, ps->part_params)) {
      const PgQuery__PartitionElem* pe = p->partition_elem;
      std::string item;
      if (pe->name != nullptr && *pe->name != '\0') {
        item = QuoteIdent(pe->name);
      } else {
        auto expr = CanonicalOrError(pe->expr, false, &hints_);
        if (!expr.ok()) return expr.status();
        item = "(" + *expr + ")";
      }
      if (pe->n_collation > 0) item += " COLLATE " + QuoteIdent(sql::StrList(pe->collation, pe->n_collation).back());
      if (pe->n_opclass > 0) item += " " + sql::StrList(pe->opclass, pe->n_opclass).back();
      parts.push_back(item);
    }
    std::string upper = strategy == "range" ? "RANGE" : strategy == "list" ? "LIST" : "HASH";
    table.partition_key = upper + " (" + Join(parts, ", ") + ")";
  }
  if (s->partbound != nullptr) {
    const PgQuery__PartitionBoundSpec* b = s->partbound;
    const Table* parent = cat_.FindTable(*table.partition_of);
    // The key's type decides how the server prints bound values.
    std::string key_type;
    if (parent != nullptr && !parent->partition_key.empty()) {
      std::string key = parent->partition_key;
      size_t open = key.find('(');
      std::string first = key.substr(open + 1, key.find_first_of(",)", open) - open - 1);
      if (!first.empty() && first[0] == '"') first = first.substr(1, first.size() - 2);
      if (const Column* c = parent->FindColumn(first)) key_type = c->type;
    }
    if (b->is_default) {
      table.partition_bound = "DEFAULT";
    } else if (b->strategy != nullptr && std::string_view(b->strategy) == "h") {
      table.partition_bound = "FOR VALUES WITH (modulus " + std::to_string(b->modulus) +
                              ", remainder " + std::to_string(b->remainder) + ")";
    } else if (b->strategy != nullptr && std::string_view(b->strategy) == "l") {
      std::vector<std::string> vals;
      for (const Node* d : Nodes(b->n_listdatums, b->listdatums)) vals.push_back(PartitionDatum(d, key_type));
      table.partition_bound = "FOR VALUES IN (" + Join(vals, ", ") + ")";
    } else {
      std::vector<std::string> lo, hi;
      for (const Node* d : Nodes(b->n_lowerdatums, b->lowerdatums)) lo.push_back(PartitionDatum(d, key_type));
      for (const Node* d : Nodes(b->n_upperdatums, b->upperdatums)) hi.push_back(PartitionDatum(d, key_type));
      table.partition_bound =
          "FOR VALUES FROM (" + Join(lo, ", ") + ") TO (" + Join(hi, ", ") + ")";
    }
  }
  auto [it, inserted] = cat_.tables.emplace(name, std::move(table));
  Table& t = it->second;
  hints_ = HintsFor(t);
  // Constraints are named in the order the server names them: CHECK first (when the table
  // is created), then the index-backed ones (PRIMARY KEY, UNIQUE, EXCLUDE), then FOREIGN KEY.
  std::vector<std::pair<const PgQuery__Constraint*, std::string>> all;
  for (const Node* e : Nodes(s->n_table_elts, s->table_elts)) {
    if (e->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF) continue;
    for (const Node* c : Nodes(e->column_def->n_constraints, e->column_def->constraints)) {
      all.emplace_back(c->constraint, e->column_def->colname);
    }
  }
  // Column constraints come first in the server's lists only when they appear first; keep
  // source order across columns and table constraints.
  std::vector<std::pair<const PgQuery__Constraint*, std::string>> ordered;
  size_t ci = 0;
  for (const Node* e : Nodes(s->n_table_elts, s->table_elts)) {
    if (e->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
      for (size_t k = 0; k < e->column_def->n_constraints; ++k) ordered.push_back(all[ci++]);
    } else if (e->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
      ordered.emplace_back(e->constraint, "");
    }
  }
  auto pass = [&](auto pred) -> Status {
    for (size_t i = 0; i < ordered.size(); ++i) {
      const PgQuery__Constraint* c = ordered[i].first;
      if (!pred(c->contype)) continue;
      // Deferrability attributes follow their constraint as separate items.
      PgQuery__Constraint merged = *c;
      for (size_t j = i + 1; j < ordered.size() && !ordered[j].second.empty() == !ordered[i].second.empty(); ++j) {
        PgQuery__ConstrType ty = ordered[j].first->contype;
        if (ty == PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRABLE) merged.deferrable = true;
        else if (ty == PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_NOT_DEFERRABLE) merged.deferrable = false;
        else if (ty == PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRED) merged.initdeferred = true;
        else if (ty == PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_IMMEDIATE) merged.initdeferred = false;
        else break;
      }
      DBARCH_RETURN_IF_ERROR(AddConstraint(t, &merged, true, ordered[i].second));
    }
    return Status::OK();
  };
  Status st = pass([](PgQuery__ConstrType ty) { return ty == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK; });
  if (st.ok()) {
    st = pass([](PgQuery__ConstrType ty) {
      return ty == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY ||
             ty == PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE ||
             ty == PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION;
    });
  }
  if (st.ok()) {
    st = pass([](PgQuery__ConstrType ty) { return ty == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN; });
  }
  if (!st.ok()) {
    cat_.tables.erase(name);
    ReleaseRelation(name.schema, name.name);
    return st;
  }
  (void)deferred;
  for (const auto& [src, opts] : likes) CopyLikeExtras(t, src, opts);
  if (t.partition_of) ClonesForNewPartition(*t.partition_of, name);
  // Identity columns copied by LIKE ... INCLUDING IDENTITY get their own sequences (columns
  // declared here registered theirs in AddColumn).
  for (Column& c : t.columns) {
    if (likes.empty() || c.identity == IdentityKind::kNone) continue;
    std::string seq_name = ChooseName(name.name, c.name, "seq", [&](const std::string& n) {
      return RelationTaken(name.schema, n);
    });
    if (!identity_seqs_.count(QualifiedName{name.schema, seq_name}) &&
        std::none_of(identity_seqs_.begin(), identity_seqs_.end(), [&](const auto& kv) {
          return kv.second.first == name && kv.second.second == c.name;
        })) {
      ReserveRelation(name.schema, seq_name);
      identity_seqs_[QualifiedName{name.schema, seq_name}] = {name, c.name};
      c.identity_sequence = seq_name;
    }
  }
  ApplyDefaultPrivileges("TABLES", ObjectKind::kTable, name.schema, name.Quoted(), t.owner);
  for (const auto& [q, seq] : cat_.sequences) {
    if (seq.owned_by_table == name) {
      ApplyDefaultPrivileges("SEQUENCES", ObjectKind::kSequence, q.schema, q.Quoted(), t.owner);
    }
  }
  return Status::OK();
}

std::string CatalogBuilder::Impl::DomainBase(const std::string& type_name) const {
  // Type names are in the model's spelling: "price", "billing.price", "\"Price\"".
  std::string name = type_name;
  if (EndsWith(name, "[]")) return "";
  std::string schema = "public";
  size_t dot = std::string::npos;
  bool quoted = false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '"') quoted = !quoted;
    if (name[i] == '.' && !quoted) dot = i;
  }
  auto unquote = [](std::string v) {
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return v;
  };
  if (dot != std::string::npos) {
    schema = unquote(name.substr(0, dot));
    name = name.substr(dot + 1);
  }
  auto it = cat_.types.find(QualifiedName{schema, unquote(name)});
  if (it == cat_.types.end() || it->second.kind != TypeKind::kDomain) return "";
  std::string deeper = DomainBase(it->second.base_type);
  return !deeper.empty() ? deeper : sql::InternalTypeName(it->second.base_type);
}

// The server stores no default that is a plain NULL constant (it would change nothing). A
// NULL coerced to a type with a modifier (varchar(64), numeric(10,2)) goes through the
// length-coercion function and is stored (NULL::character varying), and on a domain column
// it overrides the domain's default, so those stay.
bool CatalogBuilder::Impl::IsDiscardedNullDefault(const Column& c) const {
  return c.default_expr == "NULL" && c.type.find('(') == std::string::npos &&
         DomainBase(c.type).empty();
}

sql::ExprHints CatalogBuilder::Impl::BaseHints() const {
  sql::ExprHints h;
  h.function_schema = [this](std::string_view name) { return FunctionSchemaOf(name); };
  h.relation_name = [this](std::string_view name) { return RegclassName(name); };
  return h;
}

sql::ExprHints CatalogBuilder::Impl::HintsFor(const Table& table, bool with_column_types) const {
  sql::ExprHints h = BaseHints();
  // Looked up when an expression needs it: collecting every column's type here would make
  // CREATE TABLE quadratic in its columns.
  h.column_type = [this, name = table.name](std::string_view column) -> std::string {
    auto t = cat_.tables.find(name);
    if (t == cat_.tables.end()) return "";
    const Column* c = t->second.FindColumn(std::string(column));
    if (c == nullptr) return "";
    std::string base = cat_.types.empty() ? std::string() : DomainBase(c->type);
    return !base.empty() ? base : sql::InternalTypeName(c->type);
  };
  if (cat_.types.empty() && !with_column_types) return h;
  if (with_column_types) h.column_types.reserve(table.columns.size());
  for (const Column& c : table.columns) {
    std::string base = cat_.types.empty() ? std::string() : DomainBase(c.type);
    if (!base.empty()) h.domain_columns.emplace_back(c.name, base);
    if (with_column_types) h.column_types.emplace_back(c.name, !base.empty() ? base : sql::InternalTypeName(c.type));
  }
  return h;
}

Status CatalogBuilder::Impl::AddColumn(Table& table, const PgQuery__ColumnDef* def,
                                       bool in_create,
                                       std::vector<const PgQuery__Constraint*>& deferred) {
  // Column types matter only to a generated column's expression (the server's implicit
  // casts in mixed arithmetic); collecting them for every column would be quadratic.
  bool generated = false;
  for (const Node* c : Nodes(def->n_constraints, def->constraints)) {
    generated = generated || c->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED;
  }
  hints_ = HintsFor(table, generated);
  std::string colname = TruncateIdentifier(def->colname);
  Column* existing = table.FindColumn(colname);
  if (existing != nullptr && !table.partition_of && table.inherits.empty() && !table.of_type) {
    return Error(Status::InvalidArgument("column \"" + colname + "\" specified more than once"),
                 def->location);
  }
  Column col;
  if (existing != nullptr) col = *existing;  // partition/child refines an inherited column
  // An inheritance child's column merged with a parent's is its own too; a partition has
  // only inherited columns.
  if (existing != nullptr && !table.partition_of && !table.of_type) col.is_local = true;
  col.name = colname;
  col.origin = MakeClauseOrigin(def->location);
  if (def->type_name != nullptr) {
    DBARCH_ASSIGN_OR_RETURN(col.type, TypeString(def->type_name));
  }
  if (def->coll_clause != nullptr) {
    col.collation = ResolveCollation(sql::StrList(def->coll_clause->collname, def->coll_clause->n_collname));
  }
  if (def->compression != nullptr) col.compression = def->compression;
  if (def->storage != nullptr && *def->storage != '\0') col.storage = ToLower(def->storage);
  if (def->is_not_null) col.not_null = true;
  hints_.default_type = sql::InternalTypeName(col.type);
  if (def->raw_default != nullptr) {
    DBARCH_ASSIGN_OR_RETURN(col.default_expr, CanonicalOrError(def->raw_default, true, &hints_));
    col.default_text = DefaultText(def->raw_default);
  }
  // serial types: an integer column fed by a sequence the column owns.
  static const std::map<std::string, std::string> kSerials = {
      {"serial", "integer"}, {"bigserial", "bigint"}, {"smallserial", "smallint"}};
  auto serial = kSerials.find(col.type);
  if (serial != kSerials.end()) {
    col.type = serial->second;
    col.not_null = true;
    std::string seq_name = ChooseName(table.name.name, colname, "seq", [&](const std::string& n) {
      return RelationTaken(table.name.schema, n);
    });
    Sequence seq;
    seq.name = QualifiedName{table.name.schema, seq_name};
    seq.options.data_type = col.type;
    seq.options.max_value = TypeMax(col.type);
    seq.owned_by_table = table.name;
    seq.owned_by_column = colname;
    seq.owner = table.owner;
    seq.origin = MakeOrigin();
    ReserveRelation(seq.name.schema, seq.name.name);
    cat_.sequences[seq.name] = seq;
    std::string regclass =
        seq.name.schema == "public" ? QuoteIdent(seq_name) : seq.name.Quoted();
    DBARCH_ASSIGN_OR_RETURN(col.default_expr,
                            sql::CanonicalExprText("nextval(" + QuoteLiteral(regclass) + "::regclass)",
                                                   sql::ExprContext::kDefault));
  }
  for (const Node* cn : Nodes(def->n_constraints, def->constraints)) {
    const PgQuery__Constraint* c = cn->constraint;
    switch (c->contype) {
      case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL: col.not_null = true; break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_NULL: col.not_null = false; break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT: {
        DBARCH_ASSIGN_OR_RETURN(col.default_expr, CanonicalOrError(c->raw_expr, true, &hints_));
        col.default_text = DefaultText(c->raw_expr);
        break;
      }
      case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED: {
        DBARCH_ASSIGN_OR_RETURN(col.generated_expr, CanonicalOrError(c->raw_expr, false, &hints_));
        break;
      }
      case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY: {
        col.identity = c->generated_when != nullptr && std::string_view(c->generated_when) == "a"
                           ? IdentityKind::kAlways
                           : IdentityKind::kByDefault;
        col.not_null = true;
        SequenceOptions base;
        base.data_type = col.type;
        base.max_value = TypeMax(col.type);
        base.min_value = 1;
        base.start = 1;
        DBARCH_ASSIGN_OR_RETURN(SequenceOptions o,
                                ParseSequenceOptions(Nodes(c->n_options, c->options), SequenceOptions{}, nullptr));
        // ParseSequenceOptions computed defaults for bigint; redo them for the column type.
        SequenceOptions typed = base;
        DBARCH_ASSIGN_OR_RETURN(typed, ParseSequenceOptions(Nodes(c->n_options, c->options), base, nullptr));
        bool any_min = false, any_max = false, any_start = false;
        for (const Node* on : Nodes(c->n_options, c->options)) {
          std::string_view n = on->def_elem->defname;
          any_min |= n == "minvalue";
          any_max |= n == "maxvalue";
          any_start |= n == "start";
        }
        if (!any_min) typed.min_value = typed.increment > 0 ? 1 : TypeMin(col.type);
        if (!any_max) typed.max_value = typed.increment > 0 ? TypeMax(col.type) : -1;
        if (!any_start) typed.start = typed.increment > 0 ? typed.min_value : typed.max_value;
        (void)o;
        col.identity_options = typed;
        std::string seq_name = IdentitySequenceName(Nodes(c->n_options, c->options));
        if (seq_name.empty()) {
          seq_name = ChooseName(table.name.name, colname, "seq", [&](const std::string& n) {
            return RelationTaken(table.name.schema, n);
          });
        }
        col.identity_sequence = seq_name;
        ReserveRelation(table.name.schema, seq_name);
        identity_seqs_[QualifiedName{table.name.schema, seq_name}] = {table.name, colname};
        // The sequence is created with the table's owner: default privileges apply to it.
        ApplyDefaultPrivileges("SEQUENCES", ObjectKind::kSequence, table.name.schema,
                               QualifiedName{table.name.schema, seq_name}.Quoted(), table.owner);
        break;
      }
      case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY: col.not_null = true; break;
      default: break;  // CHECK/UNIQUE/FK/attributes: handled by the caller
    }
  }
  hints_.default_type.clear();
  col.default_expr = FixLiteralDefault(
      col.type, FixTemporalDefault(col.type, FixBooleanDefault(col.type, col.default_expr)));
  if (IsDiscardedNullDefault(col)) col.default_expr.clear();
  if (col.default_expr.empty() || serial != kSerials.end()) col.default_text.clear();
  if (existing != nullptr) {
    *existing = std::move(col);
  } else {
    table.columns.push_back(std::move(col));
  }
  if (!in_create) {
    // ALTER TABLE ADD COLUMN: constraints take effect now, in order.
    for (const Node* cn : Nodes(def->n_constraints, def->constraints)) {
      PgQuery__ConstrType ty = cn->constraint->contype;
      if (ty == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK || ty == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY ||
          ty == PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE || ty == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN ||
          ty == PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION) {
        DBARCH_RETURN_IF_ERROR(AddConstraint(table, cn->constraint, false, colname));
      }
    }
  }
  (void)deferred;
  return Status::OK();
}

Status CatalogBuilder::Impl::AttachKeyConstraint(const std::vector<std::string>& parts,
                                                 const PgQuery__AlterTableStmt* s) {
  // The table of schema `schema` (or of the search path) with a PRIMARY KEY / UNIQUE /
  // EXCLUDE constraint named `name`, or a partition holding a clone of that name.
  auto find = [&](const std::vector<std::string>& p,
                  const std::string& want_schema) -> std::optional<QualifiedName> {
    std::vector<std::string> schemas;
    if (!want_schema.empty()) {
      schemas.push_back(want_schema);
    } else if (p.size() >= 2) {
      schemas.push_back(p[p.size() - 2]);
    } else {
      schemas = search_path_;
    }
    const std::string name = TruncateIdentifier(p.back());
    for (const std::string& schema : schemas) {
      for (const auto& [q, t] : cat_.tables) {
        if (q.schema != schema) continue;
        for (const Constraint& c : t.constraints) {
          if (c.name == name &&
              (c.kind == ConstraintKind::kPrimaryKey || c.kind == ConstraintKind::kUnique ||
               c.kind == ConstraintKind::kExclude))
            return q;
        }
        if (auto cl = clones_.find(q); cl != clones_.end()) {
          for (const Clone& c : cl->second) {
            if (c.constraint && c.name == name) return q;
          }
        }
      }
    }
    return std::nullopt;
  };
  std::optional<QualifiedName> parent = find(parts, "");
  if (!parent) return Status::NotFound("no key constraint");
  for (const Node* c : Nodes(s->n_cmds, s->cmds)) {
    const PgQuery__AlterTableCmd* cmd = c->alter_table_cmd;
    if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition) {
      return KeepOther(stmt_->node, parts.back());
    }
    const PgQuery__RangeVar* child = cmd->def->partition_cmd->name;
    std::vector<std::string> cparts;
    if (child->schemaname != nullptr && *child->schemaname != '\0')
      cparts.push_back(child->schemaname);
    cparts.push_back(child->relname);
    // The partition's index lives in its table's schema, which is the parent's.
    std::optional<QualifiedName> part = find(cparts, cparts.size() >= 2 ? "" : parent->schema);
    if (!part) return NotFound("index", Join(cparts, "."), child->location, {});
    const std::string cname = TruncateIdentifier(cparts.back());
    Table& pt = cat_.tables[*part];
    // The partition's own constraint becomes a clone of the parent's: the model no longer
    // lists it (the parent's key creates it again).
    std::string comment;
    const size_t before = pt.constraints.size();
    std::erase_if(pt.constraints, [&](const Constraint& k) {
      if (k.name != cname) return false;
      comment = k.comment;
      return true;
    });
    if (pt.constraints.size() == before) continue;  // already a clone
    Clone clone;
    clone.comment = comment;
    clone.name = cname;
    clone.parent_table = *parent;
    clone.parent_name = TruncateIdentifier(parts.back());
    clone.constraint = true;
    clones_[*part].push_back(clone);
  }
  return Status::OK();
}

Status CatalogBuilder::Impl::AlterTable(const PgQuery__AlterTableStmt* s) {
  std::vector<std::string> parts;
  if (s->relation->schemaname != nullptr && *s->relation->schemaname != '\0') parts.push_back(s->relation->schemaname);
  parts.push_back(s->relation->relname);
  PgQuery__ObjectType objtype = s->objtype;
  if (objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE &&
      !FindRelation(parts, s->relation->location, "table", true, false, false, false).ok()) {
    // The server accepts ALTER TABLE on views, sequences and indexes for the subcommands
    // that make sense for them (OWNER TO, SET (...), ...), and pg_dump writes
    // `ALTER TABLE <sequence or view> OWNER TO` for every one of them.
    auto other = FindRelation(parts, s->relation->location, "relation", false, true, true, true);
    if (other.ok()) {
      if (auto v = cat_.views.find(*other); v != cat_.views.end()) {
        objtype = v->second.materialized ? PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW
                                         : PG_QUERY__OBJECT_TYPE__OBJECT_VIEW;
      } else if (cat_.indexes.count(*other)) {
        objtype = PG_QUERY__OBJECT_TYPE__OBJECT_INDEX;
      } else {
        objtype = PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE;
      }
    }
  }
  switch (objtype) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE: break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX: {
      auto name = FindRelation(parts, s->relation->location, "index", false, false, false, true);
      if (!name.ok()) {
        // pg_dump attaches a partition's key constraint to its parent's through their
        // indexes: `ALTER INDEX parent_pkey ATTACH PARTITION part_pkey`.
        if (Status st = AttachKeyConstraint(parts, s); st.code() != StatusCode::kNotFound)
          return st;
        // And, a level down, a sub-partition's index to its partition's, which the ATTACH
        // before made a clone: the attached index becomes a clone of that clone.
        std::string schema = parts.size() >= 2 ? parts[parts.size() - 2] : "";
        QualifiedName holder;
        const Clone* parent_clone = nullptr;
        for (const std::string& sp : schema.empty() ? search_path_ : std::vector{schema}) {
          if (parent_clone == nullptr)
            parent_clone = FindClone(sp, TruncateIdentifier(parts.back()), &holder);
        }
        if (parent_clone != nullptr && !parent_clone->constraint) {
          const std::string parent_name = parent_clone->name;
          for (const Node* c : Nodes(s->n_cmds, s->cmds)) {
            const PgQuery__AlterTableCmd* cmd = c->alter_table_cmd;
            if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition)
              return KeepOther(stmt_->node, parts.back());
            const PgQuery__RangeVar* child = cmd->def->partition_cmd->name;
            std::vector<std::string> cparts;
            if (child->schemaname != nullptr && *child->schemaname != '\0')
              cparts.push_back(child->schemaname);
            cparts.push_back(child->relname);
            DBARCH_ASSIGN_OR_RETURN(
                QualifiedName cname,
                FindRelation(cparts, child->location, "index", false, false, false, true));
            Clone clone;
            clone.name = cname.name;
            clone.comment = cat_.indexes[cname].comment;
            clone.parent_table = holder;
            clone.parent_name = parent_name;
            clones_[cat_.indexes[cname].table].push_back(clone);
            cat_.indexes.erase(cname);
          }
          return Status::OK();
        }
      }
      if (!name.ok()) return s->missing_ok ? Status::OK() : name.status();
      Index& idx = cat_.indexes[*name];
      for (const Node* c : Nodes(s->n_cmds, s->cmds)) {
        const PgQuery__AlterTableCmd* cmd = c->alter_table_cmd;
        if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions) {
          for (auto& o : RelOptions(Nodes(cmd->def->list->n_items, cmd->def->list->items))) {
            std::erase_if(idx.options, [&](const auto& p) { return p.first == o.first; });
            idx.options.push_back(o);  // the server appends what SET names
          }
        } else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions) {
          for (const Node* o : Nodes(cmd->def->list->n_items, cmd->def->list->items)) {
            std::erase_if(idx.options, [&](const auto& p) { return p.first == o->def_elem->defname; });
          }
        } else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition) {
          // The partition's index becomes part of the parent's: no longer an index of its own.
          const PgQuery__RangeVar* child = cmd->def->partition_cmd->name;
          std::vector<std::string> cparts;
          if (child->schemaname != nullptr && *child->schemaname != '\0') cparts.push_back(child->schemaname);
          cparts.push_back(child->relname);
          DBARCH_ASSIGN_OR_RETURN(QualifiedName cname, FindRelation(cparts, child->location, "index", false, false, false, true));
          // It keeps its name, as a clone of the parent's index.
          Clone clone;
          clone.name = cname.name;
          clone.comment = cat_.indexes[cname].comment;
          clone.parent_table = idx.table;
          clone.parent_name = name->name;
          clones_[cat_.indexes[cname].table].push_back(clone);
          cat_.indexes.erase(cname);
        } else {
          return KeepOther(stmt_->node, name->name);
        }
      }
      return Status::OK();
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE: {
      bool seq = objtype == PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE;
      auto name = FindRelation(parts, s->relation->location, seq ? "sequence" : "view", false,
                               !seq, seq, false);
      if (!name.ok()) return s->missing_ok ? Status::OK() : name.status();
      for (const Node* c : Nodes(s->n_cmds, s->cmds)) {
        const PgQuery__AlterTableCmd* cmd = c->alter_table_cmd;
        if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ChangeOwner) {
          if (seq) {
            // An identity column's sequence always has its table's owner.
            if (auto q = cat_.sequences.find(*name); q != cat_.sequences.end()) {
              TransferOwnerPrivileges(ObjectKind::kSequence, name->Quoted(), q->second.owner,
                                      RoleName(cmd->newowner));
              q->second.owner = RoleName(cmd->newowner);
            }
          } else {
            TransferOwnerPrivileges(ObjectKind::kTable, name->Quoted(), cat_.views[*name].owner,
                                    RoleName(cmd->newowner));
            cat_.views[*name].owner = RoleName(cmd->newowner);
          }
        } else if (!seq && (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions ||
                            cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions)) {
          View& v = cat_.views[*name];
          for (const Node* o : Nodes(cmd->def->list->n_items, cmd->def->list->items)) {
            std::string key = o->def_elem->defname;
            std::erase_if(v.options, [&](const auto& p) { return p.first == key; });
            if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions) {
              v.options.emplace_back(key, o->def_elem->arg == nullptr ? "true" : ToLower(DefElemString(o->def_elem)));
            }
          }
        } else {
          return KeepOther(stmt_->node, name->name);
        }
      }
      return Status::OK();
    }
    default:
      return KeepOther(stmt_->node, s->relation->relname);
  }
  auto name = FindTableName(s->relation);
  if (!name.ok()) return s->missing_ok ? Status::OK() : name.status();
  Table& table = cat_.tables[*name];
  hints_ = HintsFor(table);
  for (const Node* c : Nodes(s->n_cmds, s->cmds)) {
    DBARCH_RETURN_IF_ERROR(AlterTableCmd(table, c->alter_table_cmd, s->relation->inh));
  }
  return Status::OK();
}

Status CatalogBuilder::Impl::AlterTableCmd(Table& table, const PgQuery__AlterTableCmd* cmd,
                                           bool recurse) {
  DBARCH_RETURN_IF_ERROR(CheckInheritedAlter(table, cmd, recurse));
  // Keys added by this command reach the partitions of a partitioned table (unless ONLY).
  size_t constraints_before = table.constraints.size();
  auto clone_new_keys = [&]() {
    if (!recurse || table.partition_strategy == PartitionStrategy::kNone) return;
    std::vector<std::string> keys;
    for (size_t i = constraints_before; i < table.constraints.size(); ++i) {
      ConstraintKind k = table.constraints[i].kind;
      if (k == ConstraintKind::kPrimaryKey || k == ConstraintKind::kUnique ||
          k == ConstraintKind::kExclude) {
        keys.push_back(table.constraints[i].name);
      }
    }
    for (const std::string& k : keys) CloneToPartitions(table.name, k, true);
  };
  auto column = [&](const char* n) -> Result<Column*> {
    std::string name = n != nullptr ? n : "";
    Column* c = table.FindColumn(name);
    if (c == nullptr) {
      std::vector<std::string> names;
      for (const Column& col : table.columns) names.push_back(col.name);
      return NotFound("column", name, -1, names);
    }
    return c;
  };
  switch (cmd->subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumnRecurse: {
      const PgQuery__ColumnDef* def = cmd->def->column_def;
      if (table.FindColumn(def->colname) != nullptr) {
        if (cmd->missing_ok) return Status::OK();  // ADD COLUMN IF NOT EXISTS
        return Error(Status::InvalidArgument("column \"" + std::string(def->colname) +
                                             "\" of relation \"" + table.name.Quoted() +
                                             "\" already exists"),
                     def->location);
      }
      std::vector<const PgQuery__Constraint*> deferred;
      DBARCH_RETURN_IF_ERROR(AddColumn(table, def, false, deferred));
      clone_new_keys();
      Column added = *table.FindColumn(TruncateIdentifier(def->colname));
      return AddColumnToChildren(table, added, def->location);
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumnRecurse: {
      if (table.FindColumn(cmd->name) == nullptr && cmd->missing_ok) return Status::OK();
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      std::string n = col->name;
      DropColumnDependents(table, n);
      std::erase_if(table.columns, [&](const Column& x) { return x.name == n; });
      DropColumnFromChildren(table.name, n, recurse);
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault: {
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      col->default_text.clear();
      if (cmd->def == nullptr) {
        col->default_expr.clear();
      } else {
        col->default_text = DefaultText(cmd->def);
        hints_.default_type = sql::InternalTypeName(col->type);
        auto def = CanonicalOrError(cmd->def, true, &hints_);
        hints_.default_type.clear();
        DBARCH_ASSIGN_OR_RETURN(col->default_expr, std::move(def));
        col->default_expr = FixLiteralDefault(
            col->type,
            FixTemporalDefault(col->type, FixBooleanDefault(col->type, col->default_expr)));
        if (IsDiscardedNullDefault(*col)) col->default_expr.clear();
        if (col->default_expr.empty()) col->default_text.clear();
      }
      return recurse ? PropagateColumnCmd(table, cmd) : Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull: {
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      col->not_null = true;
      return recurse ? PropagateColumnCmd(table, cmd) : Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull: {
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      col->not_null = false;
      return recurse ? PropagateColumnCmd(table, cmd) : Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType: {
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      const PgQuery__ColumnDef* def = cmd->def->column_def;
      DBARCH_ASSIGN_OR_RETURN(col->type, TypeString(def->type_name));
      if (def->coll_clause != nullptr) {
        col->collation = ResolveCollation(sql::StrList(def->coll_clause->collname, def->coll_clause->n_collname));
      }
      return PropagateColumnCmd(table, cmd);
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStatistics: {
      // Only by column name (the server also takes an expression index's column number).
      if (cmd->name == nullptr || cmd->def == nullptr)
        return KeepOther(stmt_->node, table.name.name);
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      col->statistics_target = sql::IntVal(cmd->def, -1);
      // Without ONLY the partitions and children get it too.
      if (recurse) {
        for (const QualifiedName& d : DescendantsOf(table.name)) {
          if (Column* c = cat_.tables[d].FindColumn(col->name))
            c->statistics_target = col->statistics_target;
        }
      }
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ReplicaIdentity: {
      const PgQuery__ReplicaIdentityStmt* r = cmd->def->replica_identity_stmt;
      const std::string kind = r->identity_type != nullptr ? r->identity_type : "";
      if (kind == "d")
        table.replica_identity.clear();
      else if (kind == "f")
        table.replica_identity = "full";
      else if (kind == "n")
        table.replica_identity = "nothing";
      else if (kind == "i" && r->name != nullptr)
        table.replica_identity = std::string("index ") + r->name;
      else
        return KeepOther(stmt_->node, table.name.name);
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStorage: {
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      col->storage = ToLower(StrVal(cmd->def));
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetCompression: {
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      col->compression = ToLower(StrVal(cmd->def));
      if (col->compression == "default") col->compression.clear();
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddIdentity: {
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      const PgQuery__Constraint* c = cmd->def->constraint;
      col->identity = c->generated_when != nullptr && std::string_view(c->generated_when) == "a"
                          ? IdentityKind::kAlways
                          : IdentityKind::kByDefault;
      col->not_null = true;
      SequenceOptions base;
      base.data_type = col->type;
      base.max_value = TypeMax(col->type);
      DBARCH_ASSIGN_OR_RETURN(col->identity_options,
                              ParseSequenceOptions(Nodes(c->n_options, c->options), base, nullptr));
      std::string seq_name = IdentitySequenceName(Nodes(c->n_options, c->options));
      if (seq_name.empty()) {
        seq_name = ChooseName(table.name.name, col->name, "seq", [&](const std::string& n) {
          return RelationTaken(table.name.schema, n);
        });
      }
      col->identity_sequence = seq_name;
      ReserveRelation(table.name.schema, seq_name);
      identity_seqs_[QualifiedName{table.name.schema, seq_name}] = {table.name, col->name};
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropIdentity: {
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      col->identity = IdentityKind::kNone;
      col->identity_options = SequenceOptions{};
      if (!col->identity_sequence.empty()) {
        ReleaseRelation(table.name.schema, col->identity_sequence);
        identity_seqs_.erase(QualifiedName{table.name.schema, col->identity_sequence});
        col->identity_sequence.clear();
      }
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetIdentity: {
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      for (const Node* o : Nodes(cmd->def->list->n_items, cmd->def->list->items)) {
        if (std::string_view(o->def_elem->defname) == "generated") {
          col->identity = sql::IntVal(o->def_elem->arg, 0) == 'a' ? IdentityKind::kAlways
                                                                   : IdentityKind::kByDefault;
        }
      }
      DBARCH_ASSIGN_OR_RETURN(col->identity_options,
                              ParseSequenceOptions(Nodes(cmd->def->list->n_items, cmd->def->list->items),
                                                   col->identity_options, nullptr));
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropExpression: {
      DBARCH_ASSIGN_OR_RETURN(Column * col, column(cmd->name));
      col->generated_expr.clear();
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraintRecurse: {
      const PgQuery__Constraint* c = cmd->def->constraint;
      DBARCH_RETURN_IF_ERROR(AddConstraint(table, c, false, ""));
      clone_new_keys();
      // A primary key makes its columns NOT NULL in every descendant too (unless ONLY).
      if (recurse && c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY) {
        for (const QualifiedName& d : DescendantsOf(table.name)) {
          for (const std::string& k : table.constraints.back().columns) {
            if (Column* col = cat_.tables[d].FindColumn(k)) col->not_null = true;
          }
        }
      }
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraintRecurse: {
      std::string n = cmd->name;
      auto it = std::find_if(table.constraints.begin(), table.constraints.end(),
                             [&](const Constraint& x) { return x.name == n; });
      if (it == table.constraints.end()) {
        if (cmd->missing_ok) return Status::OK();
        std::vector<std::string> names;
        for (const Constraint& x : table.constraints) names.push_back(x.name);
        return NotFound("constraint", n + "\" of relation \"" + table.name.Quoted(), -1, names);
      }
      if (it->kind == ConstraintKind::kPrimaryKey || it->kind == ConstraintKind::kUnique ||
          it->kind == ConstraintKind::kExclude) {
        ReleaseRelation(table.name.schema, n);
      }
      ReleaseConstraint(table.name.schema, n);
      table.constraints.erase(it);
      DropClonesOf(table.name, n);
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraintRecurse: {
      for (Constraint& x : table.constraints) {
        if (x.name == cmd->name) {
          x.not_valid = false;
          return Status::OK();
        }
      }
      std::vector<std::string> names;
      for (const Constraint& x : table.constraints) names.push_back(x.name);
      return NotFound("constraint", cmd->name, -1, names);
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterConstraint: {
      const PgQuery__Constraint* c = cmd->def->constraint;
      for (Constraint& x : table.constraints) {
        if (x.name == c->conname) {
          x.deferrable = c->deferrable;
          x.initially_deferred = c->initdeferred;
          return Status::OK();
        }
      }
      return NotFound("constraint", c->conname, c->location, {});
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ChangeOwner:
      TransferOwnerPrivileges(ObjectKind::kTable, table.name.Quoted(), table.owner,
                              RoleName(cmd->newowner));
      table.owner = RoleName(cmd->newowner);
      // The sequences the table owns (serial columns, OWNED BY) change owner with it.
      for (auto& [q, seq] : cat_.sequences) {
        if (seq.owned_by_table != table.name) continue;
        TransferOwnerPrivileges(ObjectKind::kSequence, q.Quoted(), seq.owner, table.owner);
        seq.owner = table.owner;
      }
      return Status::OK();
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableRowSecurity: table.rls_enabled = true; return Status::OK();
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableRowSecurity: table.rls_enabled = false; return Status::OK();
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ForceRowSecurity: table.rls_forced = true; return Status::OK();
    case PG_QUERY__ALTER_TABLE_TYPE__AT_NoForceRowSecurity: table.rls_forced = false; return Status::OK();
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged: table.unlogged = false; return Status::OK();
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged: table.unlogged = true; return Status::OK();
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions: {
      for (const Node* o : Nodes(cmd->def->list->n_items, cmd->def->list->items)) {
        const PgQuery__DefElem* d = o->def_elem;
        std::string key = d->defnamespace != nullptr && *d->defnamespace != '\0'
                              ? std::string(d->defnamespace) + "." + d->defname
                              : std::string(d->defname);
        std::erase_if(table.options, [&](const auto& p) { return p.first == key; });
        if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions) {
          // The server drops the old value and appends the new one (transformRelOptions).
          table.options.emplace_back(key, d->arg == nullptr ? "true" : ToLower(DefElemString(d)));
        }
      }
      KeepToastOptionsLast(table.options);
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig: {
      for (Trigger& t : table.triggers) {
        if (t.name == cmd->name) {
          t.enabled = cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig;
          return Status::OK();
        }
      }
      std::vector<std::string> names;
      for (const Trigger& t : table.triggers) names.push_back(t.name);
      return NotFound("trigger", cmd->name, -1, names);
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition: {
      const PgQuery__PartitionCmd* pc = cmd->def->partition_cmd;
      DBARCH_ASSIGN_OR_RETURN(QualifiedName child, FindTableName(pc->name));
      // Re-use CREATE TABLE ... PARTITION OF bound rendering through a synthetic statement.
      PgQuery__CreateStmt cs = PG_QUERY__CREATE_STMT__INIT;
      (void)cs;
      Table& ct = cat_.tables[child];
      ct.partition_of = table.name;
      for (Column& c : ct.columns) c.is_local = false;
      // Its CHECKs that the parent has too become inherited ones (conislocal = false for a
      // partition), which the model keeps on the parent only.
      DropInheritedChecks(ct);
      ClonesForNewPartition(table.name, child);
      const PgQuery__PartitionBoundSpec* b = pc->bound;
      std::string key_type;
      if (!table.partition_key.empty()) {
        std::string key = table.partition_key;
        size_t open = key.find('(');
        std::string first = key.substr(open + 1, key.find_first_of(",)", open) - open - 1);
        if (!first.empty() && first[0] == '"') first = first.substr(1, first.size() - 2);
        if (const Column* kc = table.FindColumn(first)) key_type = kc->type;
      }
      if (b->is_default) {
        ct.partition_bound = "DEFAULT";
      } else if (b->strategy != nullptr && std::string_view(b->strategy) == "h") {
        ct.partition_bound = "FOR VALUES WITH (modulus " + std::to_string(b->modulus) +
                             ", remainder " + std::to_string(b->remainder) + ")";
      } else if (b->strategy != nullptr && std::string_view(b->strategy) == "l") {
        std::vector<std::string> vals;
        for (const Node* d : Nodes(b->n_listdatums, b->listdatums)) vals.push_back(PartitionDatum(d, key_type));
        ct.partition_bound = "FOR VALUES IN (" + Join(vals, ", ") + ")";
      } else {
        std::vector<std::string> lo, hi;
        for (const Node* d : Nodes(b->n_lowerdatums, b->lowerdatums)) lo.push_back(PartitionDatum(d, key_type));
        for (const Node* d : Nodes(b->n_upperdatums, b->upperdatums)) hi.push_back(PartitionDatum(d, key_type));
        ct.partition_bound = "FOR VALUES FROM (" + Join(lo, ", ") + ") TO (" + Join(hi, ", ") + ")";
      }
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition: {
      const PgQuery__PartitionCmd* pc = cmd->def->partition_cmd;
      DBARCH_ASSIGN_OR_RETURN(QualifiedName child, FindTableName(pc->name));
      Table& ct = cat_.tables[child];
      ct.partition_of.reset();
      ct.partition_bound.clear();
      // What the partition inherited from the parent (index clones, CHECK and FOREIGN KEY
      // constraints) becomes its own.
      for (const Constraint& c : table.constraints) {
        if (c.kind != ConstraintKind::kCheck && c.kind != ConstraintKind::kForeignKey) continue;
        if (std::any_of(ct.constraints.begin(), ct.constraints.end(),
                        [&](const Constraint& x) { return x.name == c.name; })) {
          continue;
        }
        Constraint copy = c;
        copy.origin = MakeOrigin();  // copied: defined by this statement
        copy.comment.clear();
        ct.constraints.push_back(copy);
      }
      for (Column& c : ct.columns) c.is_local = true;
      // The clones keep the names they were given; a partition of a catalog read with
      // Reset() has no recorded clones: they are named now.
      if (clones_.count(child) > 0) {
        MaterializeClones(ct);
      } else {
        CopyIndexesTo(ct, table.name, true, true);
      }
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddInherit: {
      DBARCH_ASSIGN_OR_RETURN(QualifiedName parent, FindTableName(cmd->def->range_var));
      table.inherits.push_back(parent);
      // The child's CHECKs that the parent has are merged with them and stay the child's own
      // as well (conislocal stays true, coninhcount grows), so the model keeps them on both.
      return Status::OK();
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropInherit: {
      DBARCH_ASSIGN_OR_RETURN(QualifiedName parent, FindTableName(cmd->def->range_var));
      std::erase(table.inherits, parent);
      KeepChecksOfFormerParent(table, parent);
      // Columns no parent gives any more are the table's own.
      for (Column& c : table.columns) {
        if (InheritCount(table, c.name) == 0) c.is_local = true;
      }
      return Status::OK();
    }
    default:
      return KeepOther(stmt_->node, table.name.name);
  }
}

void CatalogBuilder::Impl::CopyIndexesTo(Table& to, const QualifiedName& from, bool constraints,
                                         bool standalone) {
  const std::string& schema = to.name.schema;
  auto taken_rel_con = [&](const std::string& n) {
    return RelationTaken(schema, n) || ConstraintTaken(schema, n);
  };
  const Table* src = cat_.FindTable(from);
  if (src == nullptr) return;
  if (constraints) {
    for (const Constraint& c : src->constraints) {
      if (c.kind != ConstraintKind::kPrimaryKey && c.kind != ConstraintKind::kUnique &&
          c.kind != ConstraintKind::kExclude) {
        continue;
      }
      Constraint copy = c;
      copy.origin = MakeOrigin();  // copied: defined by this statement
      copy.comment.clear();
      if (c.kind == ConstraintKind::kPrimaryKey) {
        copy.name = ChooseName(to.name.name, "", "pkey", taken_rel_con);
        for (const std::string& k : c.columns) {
          if (Column* col = to.FindColumn(k)) col->not_null = true;
        }
      } else if (c.kind == ConstraintKind::kUnique) {
        copy.name = ChooseName(to.name.name, NameAddition(c.columns), "key", taken_rel_con);
      } else {
        std::vector<std::string> names;
        for (const IndexKey& k : c.exclude_keys) names.push_back(!k.column.empty() ? k.column : ExpressionColname(k.expression));
        copy.name = ChooseName(to.name.name, NameAddition(names), "excl", taken_rel_con);
      }
      ReserveRelation(schema, copy.name);
      ReserveConstraint(schema, copy.name);
      to.constraints.push_back(copy);
    }
  }
  if (standalone) {
    std::vector<Index> copies;
    for (const auto& [q, idx] : cat_.indexes) {
      if (idx.table != from) continue;
      Index copy = idx;
      copy.origin = MakeOrigin();  // copied: defined by this statement
      copy.table = to.name;
      copy.comment.clear();
      std::vector<std::string> names;
      for (const IndexKey& k : idx.keys) names.push_back(!k.column.empty() ? k.column : ExpressionColname(k.expression));
      for (const std::string& inc : idx.include) names.push_back(inc);
      copies.push_back(std::move(copy));
      copies.back().name.name = "";
      copies.back().name.schema = schema;
      // Named below, after the loop, so the map is not modified while iterating.
      copies.back().comment = NameAddition(names);
    }
    for (Index& copy : copies) {
      std::string addition = copy.comment;
      copy.comment.clear();
      copy.name.name = ChooseName(to.name.name, addition, "idx",
                                  [&](const std::string& n) { return RelationTaken(schema, n); });
      ReserveRelation(schema, copy.name.name);
      cat_.indexes[copy.name] = copy;
    }
  }
}

void CatalogBuilder::Impl::CopyLikeExtras(Table& to, const QualifiedName& from, uint32_t options) {
  const Table* src = cat_.FindTable(from);
  if (src == nullptr) return;
  bool constraints = options & (1u << 2);
  bool indexes = options & (1u << 6);
  if (constraints) {
    // CHECK constraints keep their names.
    for (const Constraint& c : src->constraints) {
      if (c.kind != ConstraintKind::kCheck) continue;
      Constraint copy = c;
      copy.origin = MakeOrigin();  // copied: defined by this statement
      copy.comment = (options & 1u) ? c.comment : "";
      ReserveConstraint(to.name.schema, copy.name);
      to.constraints.push_back(copy);
    }
  }
  if (indexes) CopyIndexesTo(to, from, true, true);
}

}  // namespace dbarch::catalog

namespace dbarch::catalog {

std::string CatalogBuilder::Impl::DefaultText(const Node* raw) const {
  if (raw == nullptr || raw->node_case != PG_QUERY__NODE__NODE_TYPE_CAST) return "";
  for (const Node* n = raw; n != nullptr; n = n->type_cast->arg) {
    if (n->node_case == PG_QUERY__NODE__NODE_A_CONST) break;
    if (n->node_case != PG_QUERY__NODE__NODE_TYPE_CAST) return "";
    const PgQuery__TypeName* t = n->type_cast->type_name;
    if (t == nullptr) return "";
    std::vector<std::string> names = sql::StrList(t->names, t->n_names);
    if (names.empty() || names.size() > 2 || (names.size() == 2 && names[0] != "pg_catalog"))
      return "";
    if (names.size() == 1) {
      // A type of the schema's own (found through search_path) is not a built-in one.
      for (const auto& [q, type] : cat_.types) {
        if (q.name == names[0]) return "";
      }
    }
    if (!TypeString(t).ok()) return "";
  }
  auto text = sql::DeparseExpr(raw);
  return text.ok() ? *text : "";
}

}  // namespace dbarch::catalog
