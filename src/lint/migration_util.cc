#include "lint/migration_util.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "base/strings.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

using catalog::QualifiedName;
using sql::Node;
using sql::Nodes;

// Adds `lock` to `out`, merging with an entry for the same table: the stronger lock and the
// more expensive work (with its reason) win.
void Merge(std::vector<TableLock>& out, TableLock lock) {
  for (TableLock& t : out) {
    if (t.table == lock.table) {
      if (lock.lock > t.lock) t.lock = lock.lock;
      if (lock.work > t.work) {
        t.work = lock.work;
        t.why = std::move(lock.why);
        if (lock.location >= 0) t.location = lock.location;
      }
      return;
    }
  }
  out.push_back(std::move(lock));
}

TableLock Lock(const QualifiedName& table, LockMode mode, TableWork work = TableWork::kMetadata,
               std::string why = "", int location = -1) {
  TableLock t;
  t.table = table;
  t.lock = mode;
  t.work = work;
  t.why = std::move(why);
  t.location = location;
  return t;
}

// The table a RangeVar names (search_path = public, then pg_catalog, like ResolveTable), with
// no allocation beyond the lookup key.
const catalog::Table* FindTableFast(const catalog::Catalog& catalog, const PgQuery__RangeVar* rv) {
  if (rv == nullptr || rv->relname == nullptr) return nullptr;
  QualifiedName key;
  key.name = rv->relname;
  if (rv->schemaname != nullptr && *rv->schemaname != '\0') {
    key.schema = rv->schemaname;
    auto it = catalog.tables.find(key);
    return it == catalog.tables.end() ? nullptr : &it->second;
  }
  key.schema = "public";
  auto it = catalog.tables.find(key);
  if (it != catalog.tables.end()) return &it->second;
  if (catalog.views.count(key)) return nullptr;  // a public view hides pg_catalog
  key.schema = "pg_catalog";
  it = catalog.tables.find(key);
  return it == catalog.tables.end() ? nullptr : &it->second;
}

// The table a RangeVar names: resolved through the catalog, else as written.
QualifiedName TableName(const catalog::Catalog& catalog, const PgQuery__RangeVar* rv,
                        const catalog::Table** table) {
  const catalog::Table* t = FindTableFast(catalog, rv);
  if (table != nullptr) *table = t;
  return t != nullptr ? t->name : NameAsWritten(rv);
}

// The table named by a list of name parts ({"t"} or {"s", "t"}).
QualifiedName TableNameFromParts(const catalog::Catalog& catalog,
                                 const std::vector<std::string>& parts) {
  if (parts.empty()) return {};
  if (parts.size() >= 2) return QualifiedName{parts[parts.size() - 2], parts.back()};
  for (const char* s : {"public", "pg_catalog"}) {
    QualifiedName q{s, parts.back()};
    if (catalog.tables.count(q)) return q;
  }
  return QualifiedName{"public", parts.back()};
}

std::vector<std::string> ListStrings(const Node* n) {
  if (n == nullptr) return {};
  if (n->node_case == PG_QUERY__NODE__NODE_LIST)
    return sql::StrList(n->list->items, n->list->n_items);
  if (n->node_case == PG_QUERY__NODE__NODE_STRING) return {std::string(sql::StrVal(n))};
  return {};
}

// Storage parameters that ALTER TABLE SET/RESET changes under SHARE UPDATE EXCLUSIVE
// (reloptions.c: the options whose lockmode is ShareUpdateExclusiveLock).
bool IsLightRelOption(std::string_view name) {
  static const char* const kLight[] = {
      "fillfactor",      "toast_tuple_target",          "parallel_workers",  "vacuum_index_cleanup",
      "vacuum_truncate", "log_autovacuum_min_duration", "autovacuum_enabled"};
  for (const char* k : kLight) {
    if (name == k) return true;
  }
  return StartsWith(name, "autovacuum_") || StartsWith(name, "toast.");
}

const catalog::Type* FindTypeByLabel(const catalog::Catalog& catalog, std::string_view label) {
  // label is format_type spelling: `mood`, `"Mood"`, `app.mood`.
  auto unquote = [](std::string_view s) {
    std::string out;
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
      s = s.substr(1, s.size() - 2);
      for (size_t i = 0; i < s.size(); ++i) {
        out += s[i];
        if (s[i] == '"' && i + 1 < s.size() && s[i + 1] == '"') ++i;
      }
      return out;
    }
    return std::string(s);
  };
  size_t dot = std::string_view::npos;
  bool in_quote = false;
  for (size_t i = 0; i < label.size(); ++i) {
    if (label[i] == '"') in_quote = !in_quote;
    if (label[i] == '.' && !in_quote) {
      dot = i;
      break;
    }
  }
  QualifiedName q = dot == std::string_view::npos ? QualifiedName{"public", unquote(label)}
                                                  : QualifiedName{unquote(label.substr(0, dot)),
                                                                  unquote(label.substr(dot + 1))};
  auto it = catalog.types.find(q);
  return it == catalog.types.end() ? nullptr : &it->second;
}

// The format_type spelling of a catalog type name (for matching column types).
std::string TypeLabel(const QualifiedName& q) {
  return q.schema == "public" ? QuoteIdent(q.name) : q.Quoted();
}

int ModValue(const std::string& s) { return std::atoi(s.c_str()); }

bool IsTimeFamily(const std::string& base) {
  return StartsWith(base, "timestamp") || StartsWith(base, "time ") || StartsWith(base, "interval");
}

// Cost of changing a (non-array) value of type `from` to type `to`.
TableWork ElementChange(const catalog::Catalog& catalog, const TypeSpec& from, const TypeSpec& to) {
  if (from.base == to.base) {
    if (from.mods == to.mods) return TableWork::kMetadata;
    if (to.mods.empty()) {
      // Dropping a length/precision limit: varchar, varbit, numeric, time types relabel.
      if (from.base == "character varying" || from.base == "bit varying" ||
          from.base == "numeric" || IsTimeFamily(from.base)) {
        return TableWork::kMetadata;
      }
      return TableWork::kRewrite;
    }
    if (from.mods.empty()) return TableWork::kRewrite;  // adding a limit checks/coerces every value
    if (from.base == "character varying" || from.base == "bit varying" || IsTimeFamily(from.base)) {
      return ModValue(to.mods[0]) >= ModValue(from.mods[0]) ? TableWork::kMetadata
                                                            : TableWork::kRewrite;
    }
    if (from.base == "numeric" && from.mods.size() == 2 && to.mods.size() == 2) {
      return from.mods[1] == to.mods[1] && ModValue(to.mods[0]) >= ModValue(from.mods[0])
                 ? TableWork::kMetadata
                 : TableWork::kRewrite;
    }
    return TableWork::kRewrite;
  }
  // Binary-coercible pairs (pg_cast.castmethod = 'b') with no new length limit.
  auto is = [](const TypeSpec& t, const char* base) { return t.base == base; };
  bool to_unlimited_text = (is(to, "text") || is(to, "character varying")) && to.mods.empty();
  if ((is(from, "character varying") || is(from, "text") || is(from, "xml")) && to_unlimited_text) {
    return TableWork::kMetadata;
  }
  if (is(from, "cidr") && is(to, "inet")) return TableWork::kMetadata;
  if (is(from, "bit") && is(to, "bit varying") && to.mods.empty()) return TableWork::kMetadata;
  // Domains: an unconstrained domain over the old type relabels; a constrained one must check
  // (and the server rewrites); a domain to its base type relabels.
  if (const catalog::Type* d = FindTypeByLabel(catalog, to.base);
      d != nullptr && d->kind == catalog::TypeKind::kDomain && to.mods.empty()) {
    TypeSpec base = ParseTypeSpec(d->base_type);
    if (ElementChange(catalog, from, base) == TableWork::kMetadata) {
      return d->constraints.empty() && !d->not_null ? TableWork::kMetadata : TableWork::kRewrite;
    }
    return TableWork::kRewrite;
  }
  if (const catalog::Type* d = FindTypeByLabel(catalog, from.base);
      d != nullptr && d->kind == catalog::TypeKind::kDomain && from.mods.empty()) {
    return ElementChange(catalog, ParseTypeSpec(d->base_type), to);
  }
  return TableWork::kRewrite;
}

bool IsFalseArg(const Node* arg) {
  if (arg == nullptr) return false;
  if (arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN) return !arg->boolean->boolval;
  if (arg->node_case == PG_QUERY__NODE__NODE_INTEGER) return arg->integer->ival == 0;
  if (arg->node_case == PG_QUERY__NODE__NODE_A_CONST) {
    const PgQuery__AConst* c = arg->a_const;
    if (c->val_case == PG_QUERY__A__CONST__VAL_BOOLVAL) return !c->boolval->boolval;
    if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL) return c->ival->ival == 0;
  }
  std::string v = ToLower(sql::StrVal(arg));
  return v == "false" || v == "off" || v == "0" || v == "no";
}

// ---- ALTER TABLE subcommands

struct AlterContext {
  const catalog::Catalog& catalog;
  const catalog::Table* table;  // null when unknown
  QualifiedName name;
  int target_version;
};

void AddColumnLocks(const AlterContext& c, const PgQuery__ColumnDef* def,
                    std::vector<TableLock>& out) {
  ColumnDefInfo info = DescribeColumnDef(def);
  std::string col = Quoted(Str(def->colname));
  TableLock lock = Lock(c.name, LockMode::kAccessExclusive);
  lock.location = def->location;
  auto set = [&](TableWork work, std::string why, int location = -1) {
    if (work > lock.work) {
      lock.work = work;
      lock.why = std::move(why);
      if (location >= 0) lock.location = location;
    }
  };
  if (info.generated_stored) {
    set(TableWork::kRewrite, "stored generated column " + col + " is computed for every row");
  } else if (info.identity) {
    set(TableWork::kRewrite, "identity column " + col + " is filled for every row");
  } else if (!info.serial.empty()) {
    set(TableWork::kRewrite,
        info.serial + " column " + col + " is filled from a sequence for every row");
  } else if (info.default_expr != nullptr) {
    ExprVolatility v = VolatilityOf(c.catalog, info.default_expr);
    if (v.volatility == Volatility::kVolatile) {
      set(TableWork::kRewrite, "volatile default " + v.function + "() is evaluated for every row",
          info.default_location);
    } else if (v.volatility == Volatility::kUnknown) {
      set(TableWork::kRewrite, "default calls " + v.function + "(), which may be volatile",
          info.default_location);
    } else if (c.target_version < 11) {
      set(TableWork::kRewrite, "before PostgreSQL 11 the default is written into every row",
          info.default_location);
    }
  }
  if (info.key != nullptr) {
    set(TableWork::kIndexBuild,
        std::string(info.primary_key ? "PRIMARY KEY" : "UNIQUE") + " on new column " + col,
        info.key->location);
  }
  if (info.check != nullptr) {
    set(TableWork::kScan, "CHECK on new column " + col + " is checked for every row",
        info.check->location);
  }
  if (info.references != nullptr) {
    set(TableWork::kScan, "foreign key on new column " + col + " is validated",
        info.references->location);
    Merge(out,
          Lock(TableName(c.catalog, info.references->pktable, nullptr),
               LockMode::kShareRowExclusive, TableWork::kMetadata, "", info.references->location));
  }
  if (info.not_null && info.default_expr == nullptr && !info.identity && !info.generated_stored &&
      info.serial.empty()) {
    set(TableWork::kScan,
        "NOT NULL column " + col + " has no default: fails if the table has rows");
  }
  Merge(out, std::move(lock));
}

void AddConstraintLocks(const AlterContext& c, const PgQuery__Constraint* con,
                        std::vector<TableLock>& out) {
  std::string name = Str(con->conname).empty() ? std::string() : " " + Quoted(Str(con->conname));
  switch (con->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
      Merge(out, Lock(c.name, LockMode::kAccessExclusive,
                      con->skip_validation ? TableWork::kMetadata : TableWork::kScan,
                      con->skip_validation ? "" : "CHECK" + name + " is checked for every row",
                      con->location));
      return;
    case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN: {
      QualifiedName ref = TableName(c.catalog, con->pktable, nullptr);
      Merge(out, Lock(c.name, LockMode::kShareRowExclusive,
                      con->skip_validation ? TableWork::kMetadata : TableWork::kScan,
                      con->skip_validation ? "" : "FOREIGN KEY" + name + " is validated",
                      con->location));
      if (!(ref == c.name)) {
        Merge(out,
              Lock(ref, LockMode::kShareRowExclusive, TableWork::kMetadata, "", con->location));
      }
      return;
    }
    case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
    case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE: {
      bool pk = con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY;
      const char* kind = pk ? "PRIMARY KEY" : "UNIQUE";
      if (Str(con->indexname).empty()) {
        Merge(out, Lock(c.name, LockMode::kAccessExclusive, TableWork::kIndexBuild,
                        std::string(kind) + name + " builds its index", con->location));
        return;
      }
      TableWork work = TableWork::kMetadata;
      std::string why;
      if (pk) {
        // PRIMARY KEY USING INDEX still sets NOT NULL on its columns, scanning for NULLs
        // unless the column is NOT NULL already (or, PG 12+, has a validated IS NOT NULL check).
        const catalog::Index* idx =
            FindIndex(c.catalog, {c.name.schema, std::string(Str(con->indexname))});
        if (c.table == nullptr || idx == nullptr) {
          // Unknown: assume the columns are NOT NULL already.
        } else {
          for (const catalog::IndexKey& k : idx->keys) {
            const catalog::Column* col = c.table->FindColumn(k.column);
            if (col != nullptr && !col->not_null &&
                !(c.target_version >= 12 && HasValidatedNotNullCheck(*c.table, col->name))) {
              work = TableWork::kScan;
              why = "PRIMARY KEY sets NOT NULL on " + Quoted(col->name);
              break;
            }
          }
        }
      }
      Merge(out, Lock(c.name, LockMode::kAccessExclusive, work, why, con->location));
      return;
    }
    case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION:
      Merge(out, Lock(c.name, LockMode::kAccessExclusive, TableWork::kIndexBuild,
                      "EXCLUDE" + name + " builds its index", con->location));
      return;
    default:
      Merge(out, Lock(c.name, LockMode::kAccessExclusive, TableWork::kMetadata, "", con->location));
      return;
  }
}

void AlterCmdLocks(const AlterContext& c, const PgQuery__AlterTableCmd* cmd,
                   std::vector<TableLock>& out) {
  const LockMode kAE = LockMode::kAccessExclusive;
  const LockMode kSUE = LockMode::kShareUpdateExclusive;
  std::string col = Quoted(Str(cmd->name));
  switch (cmd->subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumnRecurse:
      if (cmd->def != nullptr && cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
        AddColumnLocks(c, cmd->def->column_def, out);
      }
      return;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType: {
      if (cmd->def == nullptr || cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF) return;
      const catalog::Column* old =
          c.table != nullptr ? c.table->FindColumn(std::string(Str(cmd->name))) : nullptr;
      TypeChange tc = ClassifyTypeChange(c.catalog, old, cmd->def->column_def, c.target_version);
      std::string why = "column " + col + " changes type " +
                        (old != nullptr ? "from " + old->type + " " : std::string()) + "to " +
                        tc.new_type;
      Merge(out, Lock(c.name, kAE, tc.work, tc.work == TableWork::kMetadata ? "" : why,
                      cmd->def->column_def->location));
      return;
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull: {
      const catalog::Column* old =
          c.table != nullptr ? c.table->FindColumn(std::string(Str(cmd->name))) : nullptr;
      bool free = old != nullptr &&
                  (old->not_null ||
                   (c.target_version >= 12 && HasValidatedNotNullCheck(*c.table, old->name)));
      Merge(out, Lock(c.name, kAE, free ? TableWork::kMetadata : TableWork::kScan,
                      free ? "" : "every row is checked for NULL in " + col));
      return;
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraintRecurse:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ReAddConstraint:
      if (cmd->def != nullptr && cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
        AddConstraintLocks(c, cmd->def->constraint, out);
      }
      return;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraintRecurse: {
      Merge(out, Lock(c.name, kSUE, TableWork::kScan, "constraint " + col + " is validated"));
      if (c.table != nullptr) {
        for (const catalog::Constraint& k : c.table->constraints) {
          if (k.name == Str(cmd->name) && k.kind == catalog::ConstraintKind::kForeignKey &&
              !(k.ref_table == c.name)) {
            Merge(out, Lock(k.ref_table, LockMode::kRowShare));
          }
        }
      }
      return;
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraintRecurse: {
      Merge(out, Lock(c.name, kAE));
      // Dropping a foreign key drops its triggers on the referenced table too.
      if (c.table != nullptr) {
        for (const catalog::Constraint& k : c.table->constraints) {
          if (k.name == Str(cmd->name) && k.kind == catalog::ConstraintKind::kForeignKey &&
              !(k.ref_table == c.name)) {
            Merge(out, Lock(k.ref_table, kAE, TableWork::kMetadata,
                            "the foreign key's triggers on it are dropped"));
          }
        }
      }
      return;
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStatistics:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ClusterOn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropCluster:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartitionFinalize:
      Merge(out, Lock(c.name, kSUE));
      return;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged:
      Merge(out,
            Lock(c.name, kAE, TableWork::kRewrite, "SET LOGGED copies every row into the WAL"));
      return;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged:
      Merge(out, Lock(c.name, kAE, TableWork::kRewrite, "SET UNLOGGED copies every row"));
      return;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetAccessMethod:
      Merge(out, Lock(c.name, kAE, TableWork::kRewrite, "SET ACCESS METHOD copies every row"));
      return;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace:
      Merge(out, Lock(c.name, kAE, TableWork::kRewrite, "SET TABLESPACE copies every data file"));
      return;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions: {
      LockMode mode = kSUE;
      if (cmd->def != nullptr && cmd->def->node_case == PG_QUERY__NODE__NODE_LIST) {
        for (const Node* o : Nodes(cmd->def->list->n_items, cmd->def->list->items)) {
          if (o->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
          std::string name = std::string(Str(o->def_elem->defnamespace));
          name += name.empty() ? "" : ".";
          name += Str(o->def_elem->defname);
          if (!IsLightRelOption(name)) mode = kAE;
        }
      }
      Merge(out, Lock(c.name, mode));
      return;
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigAll:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigAll:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigUser:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigUser:
      Merge(out, Lock(c.name, LockMode::kShareRowExclusive));
      return;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition: {
      Merge(out, Lock(c.name, c.target_version >= 12 ? kSUE : kAE));
      if (cmd->def == nullptr || cmd->def->node_case != PG_QUERY__NODE__NODE_PARTITION_CMD) return;
      const PgQuery__PartitionCmd* pc = cmd->def->partition_cmd;
      QualifiedName part = TableName(c.catalog, pc->name, nullptr);
      Merge(out, Lock(part, kAE, TableWork::kScan,
                      "every row is checked against the partition bound unless a CHECK constraint "
                      "implies it",
                      pc->name != nullptr ? pc->name->location : -1));
      for (const QualifiedName& p : Partitions(c.catalog, c.name)) {
        const catalog::Table* t = c.catalog.FindTable(p);
        if (t != nullptr && t->partition_bound == "DEFAULT" && !(p == part)) {
          Merge(out, Lock(p, kAE, TableWork::kScan,
                          "the default partition is checked for rows of the new partition"));
        }
      }
      return;
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition: {
      if (cmd->def == nullptr || cmd->def->node_case != PG_QUERY__NODE__NODE_PARTITION_CMD) return;
      const PgQuery__PartitionCmd* pc = cmd->def->partition_cmd;
      LockMode mode = pc->concurrent ? kSUE : kAE;
      Merge(out, Lock(c.name, mode));
      Merge(out, Lock(TableName(c.catalog, pc->name, nullptr), mode, TableWork::kMetadata, "",
                      pc->name != nullptr ? pc->name->location : -1));
      return;
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_CheckNotNull:
      return;
    default:
      // Everything else (SET/DROP DEFAULT, DROP NOT NULL, DROP COLUMN, OWNER, RLS, REPLICA
      // IDENTITY, identity changes, SET STORAGE/COMPRESSION, rules, inheritance, OF...):
      // ACCESS EXCLUSIVE, catalog only.
      Merge(out, Lock(c.name, kAE));
      return;
  }
}

void AlterTableLocks(const catalog::Catalog& catalog, const PgQuery__AlterTableStmt* s,
                     int target_version, std::vector<TableLock>& out) {
  if (s->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) return;  // views, indexes, sequences
  const catalog::Table* table = nullptr;
  QualifiedName name = TableName(catalog, s->relation, &table);
  AlterContext c{catalog, table, name, target_version};
  for (const Node* n : Nodes(s->n_cmds, s->cmds)) {
    if (n->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
      AlterCmdLocks(c, n->alter_table_cmd, out);
  }
}

void DropLocks(const catalog::Catalog& catalog, const PgQuery__DropStmt* s,
               std::vector<TableLock>& out) {
  switch (s->remove_type) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
      for (const Node* o : Nodes(s->n_objects, s->objects)) {
        QualifiedName q = TableNameFromParts(catalog, ListStrings(o));
        Merge(out, Lock(q, LockMode::kAccessExclusive, TableWork::kDrop));
        const catalog::Table* t = catalog.FindTable(q);
        if (t == nullptr) continue;
        // Dropping the table drops its foreign keys' triggers on the referenced tables.
        for (const catalog::Constraint& k : t->constraints) {
          if (k.kind == catalog::ConstraintKind::kForeignKey && !(k.ref_table == q)) {
            Merge(out,
                  Lock(k.ref_table, LockMode::kAccessExclusive, TableWork::kMetadata,
                       "dropping " + TableLabel(q) + " drops its foreign key's triggers on it"));
          }
        }
        if (s->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE) {
          for (const QualifiedName& r : ReferencingTables(catalog, q)) {
            Merge(out, Lock(r, LockMode::kAccessExclusive, TableWork::kMetadata,
                            "its foreign key to " + TableLabel(q) + " is dropped"));
          }
        }
      }
      return;
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
      for (const Node* o : Nodes(s->n_objects, s->objects)) {
        std::vector<std::string> parts = ListStrings(o);
        const catalog::Index* idx = FindIndex(catalog, parts);
        if (idx == nullptr) continue;
        Merge(out,
              Lock(idx->table,
                   s->concurrent ? LockMode::kShareUpdateExclusive : LockMode::kAccessExclusive,
                   TableWork::kMetadata, "index " + Quoted(idx->name.name) + " is dropped"));
      }
      return;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
    case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY:
    case PG_QUERY__OBJECT_TYPE__OBJECT_RULE:
      for (const Node* o : Nodes(s->n_objects, s->objects)) {
        std::vector<std::string> parts = ListStrings(o);
        if (parts.size() < 2) continue;
        parts.pop_back();
        Merge(out, Lock(TableNameFromParts(catalog, parts), LockMode::kAccessExclusive));
      }
      return;
    default:
      return;
  }
}

void TruncateLocks(const catalog::Catalog& catalog, const PgQuery__TruncateStmt* s,
                   std::vector<TableLock>& out) {
  std::vector<QualifiedName> pending;
  for (const Node* r : Nodes(s->n_relations, s->relations)) {
    if (r->node_case != PG_QUERY__NODE__NODE_RANGE_VAR) continue;
    QualifiedName q = TableName(catalog, r->range_var, nullptr);
    Merge(out,
          Lock(q, LockMode::kAccessExclusive, TableWork::kTruncate, "", r->range_var->location));
    pending.push_back(q);
  }
  if (s->behavior != PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE) return;
  std::set<QualifiedName> seen(pending.begin(), pending.end());
  for (size_t i = 0; i < pending.size(); ++i) {
    QualifiedName from = pending[i];  // copy: pending grows below
    for (const QualifiedName& r : ReferencingTables(catalog, from)) {
      if (!seen.insert(r).second) continue;
      Merge(out, Lock(r, LockMode::kAccessExclusive, TableWork::kTruncate,
                      "CASCADE follows its foreign key to " + TableLabel(from)));
      pending.push_back(r);
    }
  }
}

void AlterDomainLocks(const catalog::Catalog& catalog, const PgQuery__AlterDomainStmt* s,
                      std::vector<TableLock>& out) {
  std::string_view sub = Str(s->subtype);
  bool scans = false;
  if (sub == "O") scans = true;  // SET NOT NULL
  if (sub == "C" && s->def != nullptr && s->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
    scans = !s->def->constraint->skip_validation;
  }
  if (sub == "V") scans = true;  // VALIDATE CONSTRAINT
  if (!scans) return;
  std::vector<std::string> parts = sql::StrList(s->type_name, s->n_type_name);
  if (parts.empty()) return;
  QualifiedName domain = parts.size() >= 2 ? QualifiedName{parts[parts.size() - 2], parts.back()}
                                           : QualifiedName{"public", parts.back()};
  std::string label = TypeLabel(domain);
  for (const auto& [q, t] : catalog.tables) {
    for (const catalog::Column& col : t.columns) {
      if (col.type == label) {
        Merge(out, Lock(q, LockMode::kShare, TableWork::kScan,
                        "column " + Quoted(col.name) + " is checked against domain " +
                            Quoted(domain.name)));
      }
    }
  }
}

void CreateTableLocks(const catalog::Catalog& catalog, const PgQuery__CreateStmt* s,
                      std::vector<TableLock>& out) {
  if (s->partbound != nullptr && s->n_inh_relations > 0 &&
      s->inh_relations[0]->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
    const PgQuery__RangeVar* parent = s->inh_relations[0]->range_var;
    Merge(out, Lock(TableName(catalog, parent, nullptr), LockMode::kAccessExclusive,
                    TableWork::kMetadata, "CREATE TABLE ... PARTITION OF locks the parent",
                    parent->location));
  } else {
    for (const Node* p : Nodes(s->n_inh_relations, s->inh_relations)) {
      if (p->node_case != PG_QUERY__NODE__NODE_RANGE_VAR) continue;
      Merge(out, Lock(TableName(catalog, p->range_var, nullptr), LockMode::kShareUpdateExclusive,
                      TableWork::kMetadata, "", p->range_var->location));
    }
  }
  auto add_fk = [&](const PgQuery__Constraint* c) {
    if (c->contype != PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN || c->pktable == nullptr) return;
    QualifiedName ref = TableName(catalog, c->pktable, nullptr);
    if (ref == NameAsWritten(s->relation)) return;
    Merge(out, Lock(ref, LockMode::kShareRowExclusive, TableWork::kMetadata,
                    "the new foreign key adds triggers to it", c->location));
  };
  for (const Node* e : Nodes(s->n_table_elts, s->table_elts)) {
    if (e->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) add_fk(e->constraint);
    if (e->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
      for (const Node* c : Nodes(e->column_def->n_constraints, e->column_def->constraints)) {
        if (c->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) add_fk(c->constraint);
      }
    }
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------

const char* LockModeName(LockMode mode) {
  switch (mode) {
    case LockMode::kNone:
      return "";
    case LockMode::kAccessShare:
      return "ACCESS SHARE";
    case LockMode::kRowShare:
      return "ROW SHARE";
    case LockMode::kRowExclusive:
      return "ROW EXCLUSIVE";
    case LockMode::kShareUpdateExclusive:
      return "SHARE UPDATE EXCLUSIVE";
    case LockMode::kShare:
      return "SHARE";
    case LockMode::kShareRowExclusive:
      return "SHARE ROW EXCLUSIVE";
    case LockMode::kExclusive:
      return "EXCLUSIVE";
    case LockMode::kAccessExclusive:
      return "ACCESS EXCLUSIVE";
  }
  return "";
}

const char* LockBlocks(LockMode mode) {
  if (mode == LockMode::kAccessExclusive) return "blocks reads and writes";
  if (mode >= LockMode::kShare) return "blocks writes";
  if (mode == LockMode::kShareUpdateExclusive) return "blocks DDL and VACUUM";
  return "";
}

bool BlocksWrites(LockMode mode) { return mode >= LockMode::kShare; }

std::vector<TableLock> StatementLocks(const catalog::Catalog& catalog, const sql::Node* stmt,
                                      int target_version) {
  std::vector<TableLock> out;
  if (stmt == nullptr) return out;
  switch (stmt->node_case) {
    case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
      AlterTableLocks(catalog, stmt->alter_table_stmt, target_version, out);
      break;
    case PG_QUERY__NODE__NODE_INDEX_STMT: {
      const PgQuery__IndexStmt* s = stmt->index_stmt;
      std::string why = Str(s->idxname).empty() ? std::string("the index is built")
                                                : "index " + Quoted(Str(s->idxname)) + " is built";
      Merge(out, Lock(TableName(catalog, s->relation, nullptr),
                      s->concurrent ? LockMode::kShareUpdateExclusive : LockMode::kShare,
                      TableWork::kIndexBuild, why));
      break;
    }
    case PG_QUERY__NODE__NODE_DROP_STMT:
      DropLocks(catalog, stmt->drop_stmt, out);
      break;
    case PG_QUERY__NODE__NODE_TRUNCATE_STMT:
      TruncateLocks(catalog, stmt->truncate_stmt, out);
      break;
    case PG_QUERY__NODE__NODE_RENAME_STMT: {
      const PgQuery__RenameStmt* s = stmt->rename_stmt;
      bool on_table = s->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ||
                      ((s->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN ||
                        s->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT) &&
                       s->relation_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) ||
                      s->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER ||
                      s->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_POLICY ||
                      s->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_RULE;
      if (on_table && s->relation != nullptr) {
        Merge(out, Lock(TableName(catalog, s->relation, nullptr), LockMode::kAccessExclusive));
      }
      break;
    }
    case PG_QUERY__NODE__NODE_ALTER_OBJECT_SCHEMA_STMT: {
      const PgQuery__AlterObjectSchemaStmt* s = stmt->alter_object_schema_stmt;
      if (s->object_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE && s->relation != nullptr) {
        Merge(out, Lock(TableName(catalog, s->relation, nullptr), LockMode::kAccessExclusive));
      }
      break;
    }
    case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT:
      Merge(out, Lock(TableName(catalog, stmt->create_trig_stmt->relation, nullptr),
                      LockMode::kShareRowExclusive));
      break;
    case PG_QUERY__NODE__NODE_CREATE_POLICY_STMT:
      Merge(out, Lock(TableName(catalog, stmt->create_policy_stmt->table, nullptr),
                      LockMode::kAccessExclusive));
      break;
    case PG_QUERY__NODE__NODE_ALTER_POLICY_STMT:
      Merge(out, Lock(TableName(catalog, stmt->alter_policy_stmt->table, nullptr),
                      LockMode::kAccessExclusive));
      break;
    case PG_QUERY__NODE__NODE_RULE_STMT:
      Merge(out, Lock(TableName(catalog, stmt->rule_stmt->relation, nullptr),
                      LockMode::kAccessExclusive));
      break;
    case PG_QUERY__NODE__NODE_CREATE_STATS_STMT:
      for (const Node* r :
           Nodes(stmt->create_stats_stmt->n_relations, stmt->create_stats_stmt->relations)) {
        if (r->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
          Merge(out,
                Lock(TableName(catalog, r->range_var, nullptr), LockMode::kShareUpdateExclusive));
        }
      }
      break;
    case PG_QUERY__NODE__NODE_COMMENT_STMT: {
      const PgQuery__CommentStmt* s = stmt->comment_stmt;
      std::vector<std::string> parts = ListStrings(s->object);
      if (s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN && parts.size() >= 2) parts.pop_back();
      if ((s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ||
           s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN) &&
          !parts.empty()) {
        Merge(out, Lock(TableNameFromParts(catalog, parts), LockMode::kShareUpdateExclusive));
      }
      break;
    }
    case PG_QUERY__NODE__NODE_VACUUM_STMT: {
      const PgQuery__VacuumStmt* s = stmt->vacuum_stmt;
      if (!s->is_vacuumcmd) break;  // ANALYZE samples; not a DDL concern
      bool full = HasOption(Nodes(s->n_options, s->options), "full");
      for (const Node* r : Nodes(s->n_rels, s->rels)) {
        if (r->node_case != PG_QUERY__NODE__NODE_VACUUM_RELATION ||
            r->vacuum_relation->relation == nullptr)
          continue;
        const PgQuery__RangeVar* rv = r->vacuum_relation->relation;
        if (full) {
          Merge(out, Lock(TableName(catalog, rv, nullptr), LockMode::kAccessExclusive,
                          TableWork::kRewrite, "VACUUM FULL copies every live row", rv->location));
        } else {
          Merge(out, Lock(TableName(catalog, rv, nullptr), LockMode::kShareUpdateExclusive,
                          TableWork::kScan, "VACUUM reads every page not known all-visible",
                          rv->location));
        }
      }
      break;
    }
    case PG_QUERY__NODE__NODE_CLUSTER_STMT:
      if (stmt->cluster_stmt->relation != nullptr) {
        Merge(out, Lock(TableName(catalog, stmt->cluster_stmt->relation, nullptr),
                        LockMode::kAccessExclusive, TableWork::kRewrite,
                        "CLUSTER copies every row in index order"));
      }
      break;
    case PG_QUERY__NODE__NODE_REINDEX_STMT: {
      const PgQuery__ReindexStmt* s = stmt->reindex_stmt;
      bool concurrent = HasOption(Nodes(s->n_params, s->params), "concurrently");
      LockMode mode = concurrent ? LockMode::kShareUpdateExclusive : LockMode::kShare;
      if (s->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_TABLE &&
          s->relation != nullptr) {
        Merge(out, Lock(TableName(catalog, s->relation, nullptr), mode, TableWork::kIndexBuild,
                        "every index is rebuilt"));
      } else if (s->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX &&
                 s->relation != nullptr) {
        std::vector<std::string> parts;
        if (!Str(s->relation->schemaname).empty()) parts.emplace_back(Str(s->relation->schemaname));
        parts.emplace_back(Str(s->relation->relname));
        const catalog::Index* idx = FindIndex(catalog, parts);
        if (idx != nullptr) {
          Merge(
              out,
              Lock(idx->table, mode, TableWork::kIndexBuild,
                   "index " + Quoted(idx->name.name) + " is rebuilt" +
                       (concurrent ? "" : " under ACCESS EXCLUSIVE, blocking reads that use it")));
        }
      }
      break;
    }
    case PG_QUERY__NODE__NODE_LOCK_STMT: {
      const PgQuery__LockStmt* s = stmt->lock_stmt;
      int mode = s->mode < 1 || s->mode > 8 ? 8 : s->mode;
      for (const Node* r : Nodes(s->n_relations, s->relations)) {
        if (r->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
          Merge(out, Lock(TableName(catalog, r->range_var, nullptr), static_cast<LockMode>(mode),
                          TableWork::kMetadata, "held until the transaction ends",
                          r->range_var->location));
        }
      }
      break;
    }
    case PG_QUERY__NODE__NODE_CREATE_STMT:
      CreateTableLocks(catalog, stmt->create_stmt, out);
      break;
    case PG_QUERY__NODE__NODE_ALTER_DOMAIN_STMT:
      AlterDomainLocks(catalog, stmt->alter_domain_stmt, out);
      break;
    default:
      break;
  }
  return out;
}

std::string DescribeLock(const TableLock& lock) {
  std::string out = "takes ";
  out += LockModeName(lock.lock);
  out += " lock on " + TableLabel(lock.table);
  const char* blocks = LockBlocks(lock.lock);
  if (*blocks != '\0') out += std::string(" (") + blocks + ")";
  switch (lock.work) {
    case TableWork::kMetadata:
      out += ", metadata-only";
      break;
    case TableWork::kScan:
      out += " and scans it";
      break;
    case TableWork::kIndexBuild:
      out += " and scans it to build an index";
      break;
    case TableWork::kRewrite:
      out += " and rewrites it";
      break;
    case TableWork::kTruncate:
      out += " and empties it";
      break;
    case TableWork::kDrop:
      out += " and drops it";
      break;
  }
  if (!lock.why.empty()) out += ": " + lock.why;
  return out;
}

// ---- types

std::string TypeSpec::Text() const {
  std::string out = base;
  if (!mods.empty()) {
    std::string m = "(" + Join(mods, ",") + ")";
    // format_type puts the precision of time types before "with(out) time zone".
    size_t tz = out.find(" with");
    if (IsTimeFamily(out) && tz != std::string::npos && !StartsWith(out, "interval")) {
      out.insert(tz, m);
    } else {
      out += m;
    }
  }
  if (array) out += "[]";
  return out;
}

TypeSpec ParseTypeSpec(std::string_view text) {
  TypeSpec t;
  std::string s(Trim(text));
  while (EndsWith(s, "[]")) {
    t.array = true;
    s.resize(s.size() - 2);
  }
  size_t open = std::string::npos;
  bool in_quote = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"') in_quote = !in_quote;
    if (s[i] == '(' && !in_quote) {
      open = i;
      break;
    }
  }
  if (open != std::string::npos) {
    size_t close = s.find(')', open);
    if (close != std::string::npos) {
      std::string inner = s.substr(open + 1, close - open - 1);
      size_t start = 0;
      while (start <= inner.size()) {
        size_t comma = inner.find(',', start);
        if (comma == std::string::npos) comma = inner.size();
        t.mods.emplace_back(Trim(std::string_view(inner).substr(start, comma - start)));
        start = comma + 1;
      }
      s = s.substr(0, open) + s.substr(close + 1);
    }
  }
  t.base = std::string(Trim(s));
  return t;
}

TypeSpec TypeSpecOf(const PgQuery__TypeName* tn) {
  TypeSpec t;
  if (tn == nullptr) return t;
  std::vector<std::string> names = sql::StrList(tn->names, tn->n_names);
  if (names.empty()) return t;
  bool builtin = names.size() == 1 || (names.size() == 2 && names[0] == "pg_catalog");
  std::vector<int> mods;
  for (const Node* m : Nodes(tn->n_typmods, tn->typmods)) {
    int v = sql::IntVal(m, INT32_MIN);
    mods.push_back(v);
    t.mods.push_back(v == INT32_MIN ? std::string("?") : std::to_string(v));
  }
  t.array = tn->n_array_bounds > 0;
  if (!builtin) {
    std::string schema = names[names.size() - 2];
    t.base = schema == "public" ? QuoteIdent(names.back())
                                : QualifiedName{schema, names.back()}.Quoted();
    return t;
  }
  static const std::pair<const char*, const char*> kAliases[] = {
      {"int2", "smallint"},
      {"int4", "integer"},
      {"int", "integer"},
      {"int8", "bigint"},
      {"float4", "real"},
      {"float8", "double precision"},
      {"bool", "boolean"},
      {"varchar", "character varying"},
      {"bpchar", "character"},
      {"varbit", "bit varying"},
      {"decimal", "numeric"},
      {"timestamptz", "timestamp with time zone"},
      {"timestamp", "timestamp without time zone"},
      {"time", "time without time zone"},
      {"timetz", "time with time zone"},
      {"serial4", "serial"},
      {"serial8", "bigserial"},
      {"serial2", "smallserial"}};
  std::string name = names.back();
  for (const auto& [from, to] : kAliases) {
    if (name == from) {
      name = to;
      break;
    }
  }
  if (name == "numeric" && t.mods.size() == 1) t.mods.push_back("0");
  if (name == "interval" && !mods.empty()) {
    static const std::pair<int, const char*> kFields[] = {
        {1 << 2, " year"},
        {1 << 1, " month"},
        {1 << 3, " day"},
        {1 << 10, " hour"},
        {1 << 11, " minute"},
        {1 << 12, " second"},
        {(1 << 2) | (1 << 1), " year to month"},
        {(1 << 3) | (1 << 10), " day to hour"},
        {(1 << 3) | (1 << 10) | (1 << 11), " day to minute"},
        {(1 << 3) | (1 << 10) | (1 << 11) | (1 << 12), " day to second"},
        {(1 << 10) | (1 << 11), " hour to minute"},
        {(1 << 10) | (1 << 11) | (1 << 12), " hour to second"},
        {(1 << 11) | (1 << 12), " minute to second"}};
    const int kFullRange = 0x7FFF;
    if (mods[0] != kFullRange) {
      for (const auto& [mask, text] : kFields) {
        if (mods[0] == mask) name += text;
      }
    }
    t.mods.erase(t.mods.begin());
  }
  if (names.size() == 1 && QuoteIdent(name) != name && name.find(' ') == std::string::npos) {
    name = QuoteIdent(name);
  }
  t.base = name;
  return t;
}

TypeChange ClassifyTypeChange(const catalog::Catalog& catalog, const catalog::Column* old_column,
                              const PgQuery__ColumnDef* def, int target_version) {
  TypeChange out;
  TypeSpec to = TypeSpecOf(def->type_name);
  out.new_type = to.Text();
  if (old_column == nullptr) return out;  // unknown column: assume the worst
  // USING that just names the column (or casts it) does not change the contents.
  const Node* using_expr = def->raw_default;
  while (using_expr != nullptr && using_expr->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) {
    using_expr = using_expr->type_cast->arg;
  }
  if (using_expr != nullptr && ColumnRefName(using_expr) != old_column->name) return out;
  TypeSpec from = ParseTypeSpec(old_column->type);
  if (from.array != to.array) return out;
  TypeSpec from_elem = from, to_elem = to;
  from_elem.array = to_elem.array = false;
  out.work = ElementChange(catalog, from_elem, to_elem);
  if (from.array && out.work == TableWork::kMetadata && from.mods != to.mods &&
      from.base == to.base) {
    out.work = TableWork::kRewrite;  // element length coercion of arrays is applied per value
  }
  bool tz_pair =
      (from.base == "timestamp without time zone" && to.base == "timestamp with time zone") ||
      (from.base == "timestamp with time zone" && to.base == "timestamp without time zone");
  if (tz_pair && target_version >= 12) {
    out.note = "PostgreSQL 12+ skips the rewrite when the session TimeZone is UTC";
  }
  if (def->coll_clause != nullptr && out.work == TableWork::kMetadata) {
    std::vector<std::string> coll =
        sql::StrList(def->coll_clause->collname, def->coll_clause->n_collname);
    std::string c = coll.empty() ? "" : coll.back();
    if (c != old_column->collation)
      out.note = "indexes on the column are rebuilt for the new collation";
  }
  return out;
}

// ---- ADD COLUMN

ColumnDefInfo DescribeColumnDef(const PgQuery__ColumnDef* def) {
  ColumnDefInfo info;
  if (def == nullptr) return info;
  auto is_null_const = [](const Node* n) {
    return n != nullptr && n->node_case == PG_QUERY__NODE__NODE_A_CONST && n->a_const->isnull;
  };
  if (def->raw_default != nullptr && !is_null_const(def->raw_default)) {
    info.default_expr = def->raw_default;
    info.default_location = sql::NodeLocation(def->raw_default);
  }
  info.not_null = def->is_not_null;
  if (def->type_name != nullptr && def->type_name->n_array_bounds == 0) {
    std::vector<std::string> names = sql::StrList(def->type_name->names, def->type_name->n_names);
    if (names.size() == 1) {
      const std::string& n = names[0];
      if (n == "serial" || n == "serial4") info.serial = "serial";
      if (n == "bigserial" || n == "serial8") info.serial = "bigserial";
      if (n == "smallserial" || n == "serial2") info.serial = "smallserial";
    }
  }
  if (!Str(def->identity).empty()) info.identity = true;
  for (const Node* cn : Nodes(def->n_constraints, def->constraints)) {
    if (cn->node_case != PG_QUERY__NODE__NODE_CONSTRAINT) continue;
    const PgQuery__Constraint* c = cn->constraint;
    switch (c->contype) {
      case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
        info.not_null = true;
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_NULL:
        info.not_null = false;
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
        if (c->raw_expr != nullptr && !is_null_const(c->raw_expr)) {
          info.default_expr = c->raw_expr;
          info.default_location = sql::NodeLocation(c->raw_expr);
          if (info.default_location < 0) info.default_location = c->location;
        } else {
          info.default_expr = nullptr;
        }
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
        info.identity = true;
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED:
        info.generated_stored = true;  // PostgreSQL only has STORED generated columns
        info.generated_location = c->location;
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
        if (info.check == nullptr) info.check = c;
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
        info.primary_key = true;
        info.not_null = true;
        if (info.key == nullptr) info.key = c;
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
        info.unique = true;
        if (info.key == nullptr) info.key = c;
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
        if (info.references == nullptr) info.references = c;
        break;
      default:
        break;
    }
  }
  return info;
}

// ---- volatility

ExprVolatility VolatilityOf(const catalog::Catalog& catalog, const sql::Node* expr) {
  // Built-in functions by volatility (pg_proc.provolatile), the ones seen in defaults.
  static const char* const kVolatile[] = {"random",
                                          "random_normal",
                                          "setseed",
                                          "clock_timestamp",
                                          "timeofday",
                                          "gen_random_uuid",
                                          "uuid_generate_v1",
                                          "uuid_generate_v1mc",
                                          "uuid_generate_v4",
                                          "uuidv4",
                                          "uuidv7",
                                          "nextval",
                                          "setval",
                                          "currval",
                                          "lastval",
                                          "gen_random_bytes",
                                          "gen_salt",
                                          "txid_current",
                                          "pg_current_xact_id",
                                          "crypt"};
  static const char* const kStable[] = {"now",
                                        "transaction_timestamp",
                                        "statement_timestamp",
                                        "current_setting",
                                        "current_database",
                                        "current_schema",
                                        "current_schemas",
                                        "current_user",
                                        "session_user",
                                        "pg_backend_pid",
                                        "to_char",
                                        "to_timestamp",
                                        "to_date",
                                        "age",
                                        "date_trunc",
                                        "timezone",
                                        "concat",
                                        "concat_ws",
                                        "format",
                                        "to_json",
                                        "to_jsonb",
                                        "json_build_object",
                                        "jsonb_build_object",
                                        "json_build_array",
                                        "jsonb_build_array",
                                        "row_to_json",
                                        "array_to_json",
                                        "make_timestamptz",
                                        "inet_client_addr",
                                        "version"};
  static const char* const kImmutable[] = {"lower",
                                           "upper",
                                           "btrim",
                                           "ltrim",
                                           "rtrim",
                                           "trim",
                                           "length",
                                           "char_length",
                                           "substr",
                                           "substring",
                                           "replace",
                                           "md5",
                                           "sha256",
                                           "sha512",
                                           "encode",
                                           "decode",
                                           "abs",
                                           "round",
                                           "floor",
                                           "ceil",
                                           "ceiling",
                                           "trunc",
                                           "greatest",
                                           "least",
                                           "nullif",
                                           "make_date",
                                           "make_time",
                                           "make_interval",
                                           "make_timestamp",
                                           "uuid_nil",
                                           "array_fill",
                                           "jsonb_object",
                                           "json_object",
                                           "int2",
                                           "int4",
                                           "int8",
                                           "float4",
                                           "float8",
                                           "numeric",
                                           "text",
                                           "bool",
                                           "date",
                                           "left",
                                           "right",
                                           "lpad",
                                           "rpad",
                                           "repeat",
                                           "power",
                                           "sqrt",
                                           "mod",
                                           "split_part",
                                           "string_to_array",
                                           "array_to_string",
                                           "chr",
                                           "ascii",
                                           "initcap",
                                           "regexp_replace",
                                           "translate",
                                           "to_hex"};
  ExprVolatility out;
  auto raise = [&](Volatility v, const std::string& fn, int location) {
    if (v > out.volatility) {
      out.volatility = v;
      out.function = fn;
      out.location = location;
    }
  };
  WalkNodes(expr, [&](const Node* n) {
    if (n->node_case == PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION) {
      raise(Volatility::kStable, "", n->sqlvalue_function->location);
      return true;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_SUB_LINK) {
      raise(Volatility::kUnknown, "(subquery)", n->sub_link->location);
      return false;
    }
    if (n->node_case != PG_QUERY__NODE__NODE_FUNC_CALL) return true;
    const PgQuery__FuncCall* f = n->func_call;
    std::vector<std::string> parts = sql::StrList(f->funcname, f->n_funcname);
    if (parts.empty()) return true;
    std::string name = parts.back();
    std::string schema = parts.size() >= 2 ? parts[parts.size() - 2] : "";
    Volatility v = Volatility::kUnknown;
    bool found = false;
    // User functions first: the catalog knows their declared volatility.
    for (const auto& [key, fn] : catalog.functions) {
      if (fn.name.name != name) continue;
      if (!schema.empty() ? fn.name.schema != schema : fn.name.schema != "public") continue;
      Volatility fv = fn.volatility == "IMMUTABLE" ? Volatility::kImmutable
                      : fn.volatility == "STABLE"  ? Volatility::kStable
                                                   : Volatility::kVolatile;
      v = found ? std::max(v, fv) : fv;
      found = true;
    }
    if (!found && (schema.empty() || schema == "pg_catalog" || schema == "public")) {
      for (const char* k : kVolatile) {
        if (name == k) v = Volatility::kVolatile, found = true;
      }
      for (const char* k : kStable) {
        if (!found && name == k) v = Volatility::kStable, found = true;
      }
      for (const char* k : kImmutable) {
        if (!found && name == k) v = Volatility::kImmutable, found = true;
      }
    }
    std::string shown = schema.empty() ? name : schema + "." + name;
    raise(v, shown, f->location);
    return true;
  });
  return out;
}

// ---- naming

std::string Quoted(std::string_view ident) {
  std::string out = "\"";
  out += ident;
  out += "\"";
  return out;
}

std::string TableLabel(const catalog::QualifiedName& name) {
  return Quoted(name.schema == "public" || name.schema.empty() ? name.name
                                                               : name.schema + "." + name.name);
}

std::string SqlName(const catalog::QualifiedName& name) {
  return name.schema == "public" || name.schema.empty() ? QuoteIdent(name.name) : name.Quoted();
}

catalog::QualifiedName NameAsWritten(const PgQuery__RangeVar* rv) {
  if (rv == nullptr) return {};
  std::string schema(Str(rv->schemaname));
  return QualifiedName{schema.empty() ? "public" : schema, std::string(Str(rv->relname))};
}

bool SchemaIsKnown(const StatementContext& ctx) {
  if (ctx.catalog == nullptr) return false;
  size_t created = 0;  // tables of the catalog that this file created
  if (ctx.created_in_file != nullptr) {
    for (const catalog::QualifiedName& q : *ctx.created_in_file)
      created += ctx.catalog->tables.count(q);
  }
  return ctx.catalog->tables.size() > created;
}

bool IsPreexistingTable(const StatementContext& ctx, const catalog::QualifiedName& name) {
  if (ctx.catalog != nullptr && ctx.catalog->FindTable(name) != nullptr) {
    return ctx.IsExistingTable(name);
  }
  if (ctx.created_in_file != nullptr && ctx.created_in_file->count(name)) return false;
  if (ctx.catalog != nullptr && ctx.catalog->views.count(name)) return false;
  return !SchemaIsKnown(ctx);
}

TargetTable ResolveTarget(const StatementContext& ctx, const PgQuery__RangeVar* rv) {
  TargetTable t;
  if (rv == nullptr) return t;
  t.table = FindTableFast(*ctx.catalog, rv);
  if (t.table != nullptr) {
    t.name = t.table->name;
    t.existing = ctx.created_in_file == nullptr || ctx.created_in_file->count(t.name) == 0;
    return t;
  }
  t.name = NameAsWritten(rv);
  t.existing = IsPreexistingTable(ctx, t.name);
  return t;
}

const PgQuery__AlterTableStmt* AlterOfExistingTable(
    const StatementContext& ctx, TargetTable* target,
    std::initializer_list<PgQuery__AlterTableType> subtypes) {
  const Node* n = ctx.stmt->node;
  if (n->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_STMT) return nullptr;
  const PgQuery__AlterTableStmt* s = n->alter_table_stmt;
  if (s->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) return nullptr;
  bool wanted = false;
  for (const Node* c : Nodes(s->n_cmds, s->cmds)) {
    if (c->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD) continue;
    for (PgQuery__AlterTableType t : subtypes) wanted |= c->alter_table_cmd->subtype == t;
  }
  if (!wanted) return nullptr;
  TargetTable t = ResolveTarget(ctx, s->relation);
  if (!t.existing) return nullptr;
  if (target != nullptr) *target = t;
  return s;
}

std::vector<const PgQuery__AlterTableCmd*> AlterCommands(const PgQuery__AlterTableStmt* s) {
  std::vector<const PgQuery__AlterTableCmd*> out;
  for (const Node* c : Nodes(s->n_cmds, s->cmds)) {
    if (c->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD) out.push_back(c->alter_table_cmd);
  }
  return out;
}

const catalog::Index* FindIndex(const catalog::Catalog& catalog,
                                const std::vector<std::string>& parts) {
  if (parts.empty()) return nullptr;
  if (parts.size() >= 2) {
    auto it = catalog.indexes.find(QualifiedName{parts[parts.size() - 2], parts.back()});
    return it == catalog.indexes.end() ? nullptr : &it->second;
  }
  auto it = catalog.indexes.find(QualifiedName{"public", parts.back()});
  return it == catalog.indexes.end() ? nullptr : &it->second;
}

int IndexesOnColumn(const catalog::Catalog& catalog, const catalog::Table& table,
                    const std::string& column) {
  int n = 0;
  for (const auto& [q, idx] : catalog.indexes) {
    if (idx.table.name != table.name.name || idx.table.schema != table.name.schema) continue;
    for (const catalog::IndexKey& k : idx.keys) {
      if (k.column == column) {
        ++n;
        break;
      }
    }
  }
  for (const catalog::Constraint& c : table.constraints) {
    bool keyed = c.kind == catalog::ConstraintKind::kPrimaryKey ||
                 c.kind == catalog::ConstraintKind::kUnique;
    if (keyed && std::find(c.columns.begin(), c.columns.end(), column) != c.columns.end()) ++n;
    if (c.kind == catalog::ConstraintKind::kExclude) {
      for (const catalog::IndexKey& k : c.exclude_keys) {
        if (k.column == column) {
          ++n;
          break;
        }
      }
    }
  }
  return n;
}

std::vector<catalog::QualifiedName> ReferencingTables(const catalog::Catalog& catalog,
                                                      const catalog::QualifiedName& table) {
  std::vector<QualifiedName> out;
  for (const auto& [q, t] : catalog.tables) {
    if (q == table) continue;
    for (const catalog::Constraint& c : t.constraints) {
      if (c.kind == catalog::ConstraintKind::kForeignKey && c.ref_table == table) {
        out.push_back(q);
        break;
      }
    }
  }
  return out;
}

std::vector<catalog::QualifiedName> Partitions(const catalog::Catalog& catalog,
                                               const catalog::QualifiedName& table) {
  std::vector<QualifiedName> out;
  for (const auto& [q, t] : catalog.tables) {
    if (t.partition_of && *t.partition_of == table) out.push_back(q);
  }
  return out;
}

bool HasValidatedNotNullCheck(const catalog::Table& table, const std::string& column) {
  std::string want = QuoteIdent(column) + " IS NOT NULL";
  for (const catalog::Constraint& c : table.constraints) {
    if (c.kind != catalog::ConstraintKind::kCheck || c.not_valid) continue;
    std::string_view e = Trim(c.expression);
    while (e.size() >= 2 && e.front() == '(' && e.back() == ')')
      e = Trim(e.substr(1, e.size() - 2));
    if (e == want) return true;
  }
  return false;
}

// ---- file rules

FileTables::FileTables(const FileContext& ctx)
    : before_(ctx.catalog_before), schema_known_(!ctx.catalog_before->tables.empty()) {}

void FileTables::Apply(const sql::Node* stmt) {
  if (stmt == nullptr) return;
  if (stmt->node_case == PG_QUERY__NODE__NODE_CREATE_STMT) {
    created_.insert(NameAsWritten(stmt->create_stmt->relation));
  } else if (stmt->node_case == PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT &&
             stmt->create_table_as_stmt->into != nullptr) {
    created_.insert(NameAsWritten(stmt->create_table_as_stmt->into->rel));
  } else if (stmt->node_case == PG_QUERY__NODE__NODE_CREATE_SEQ_STMT) {
    created_.insert(NameAsWritten(stmt->create_seq_stmt->sequence));
  } else if (stmt->node_case == PG_QUERY__NODE__NODE_VIEW_STMT) {
    created_.insert(NameAsWritten(stmt->view_stmt->view));
  } else if (stmt->node_case == PG_QUERY__NODE__NODE_RENAME_STMT &&
             stmt->rename_stmt->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE &&
             stmt->rename_stmt->relation != nullptr) {
    QualifiedName from = Resolve(stmt->rename_stmt->relation);
    if (created_.count(from))
      created_.insert(QualifiedName{from.schema, std::string(Str(stmt->rename_stmt->newname))});
  }
}

catalog::QualifiedName FileTables::Resolve(const PgQuery__RangeVar* rv) const {
  const catalog::Table* t = FindTableFast(*before_, rv);
  return t != nullptr ? t->name : NameAsWritten(rv);
}

bool FileTables::IsPreexisting(const catalog::QualifiedName& table) const {
  if (created_.count(table)) return false;
  if (before_->FindTable(table) != nullptr) return true;
  return !schema_known_ && before_->views.count(table) == 0;
}

// ---- transactions

TxEffect TransactionEffect(const sql::Node* stmt) {
  if (stmt == nullptr || stmt->node_case != PG_QUERY__NODE__NODE_TRANSACTION_STMT)
    return TxEffect::kNone;
  switch (stmt->transaction_stmt->kind) {
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
      return TxEffect::kBegin;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_PREPARE:
      return TxEffect::kEnd;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_SAVEPOINT:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_RELEASE:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_TO:
      return TxEffect::kSavepoint;
    default:
      return TxEffect::kNone;
  }
}

// ---- parse-tree helpers

bool HasOption(sql::NodeRange options, std::string_view name) {
  for (const Node* o : options) {
    if (o->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
    if (ToLower(Str(o->def_elem->defname)) == name && !IsFalseArg(o->def_elem->arg)) return true;
  }
  return false;
}

size_t FindKeyword(std::string_view text, std::string_view word, size_t from) {
  auto ident_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  size_t i = from;
  while (i < text.size()) {
    char c = text[i];
    if (c == '\'' || c == '"') {
      size_t j = i + 1;
      while (j < text.size()) {
        if (text[j] == c) {
          if (j + 1 < text.size() && text[j + 1] == c) {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      i = j + 1;
      continue;
    }
    if (c == '-' && i + 1 < text.size() && text[i + 1] == '-') {
      size_t nl = text.find('\n', i);
      i = nl == std::string_view::npos ? text.size() : nl + 1;
      continue;
    }
    if (ident_char(c)) {
      size_t j = i;
      while (j < text.size() && ident_char(text[j])) ++j;
      if (j - i == word.size()) {
        bool same = true;
        for (size_t k = 0; k < word.size(); ++k) {
          if (std::tolower(static_cast<unsigned char>(text[i + k])) !=
              std::tolower(static_cast<unsigned char>(word[k]))) {
            same = false;
            break;
          }
        }
        if (same) return i;
      }
      i = j;
      continue;
    }
    ++i;
  }
  return std::string_view::npos;
}

// ---- fix text

std::string ExprSql(const sql::Node* expr, std::string_view fallback) {
  if (expr == nullptr) return std::string(fallback);
  auto text = sql::DeparseExpr(expr);
  return text.ok() ? *text : std::string(fallback);
}

std::string ParenthesizedAfter(std::string_view text, size_t from, std::string_view keyword) {
  size_t at = FindKeyword(text, keyword, from);
  if (at == std::string_view::npos) return "";
  size_t open = text.find('(', at + keyword.size());
  if (open == std::string_view::npos) return "";
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\'' || c == '"') {
      size_t j = i + 1;
      while (j < text.size() && !(text[j] == c && (j + 1 >= text.size() || text[j + 1] != c))) {
        j += text[j] == c ? 2 : 1;
      }
      i = j;
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')' && --depth == 0) return std::string(Trim(text.substr(open + 1, i - open - 1)));
  }
  return "";
}

std::string ObjectName(const std::string& table, const std::vector<std::string>& columns,
                       std::string_view suffix) {
  std::string cols = Join(columns, "_");
  std::string head = table + (cols.empty() ? "" : "_" + cols);
  size_t max_head = 63 - 1 - suffix.size();
  if (head.size() > max_head) head.resize(max_head);
  return head + "_" + std::string(suffix);
}

std::string InsertAfterKeyword(std::string_view text, std::string_view keyword,
                               std::string_view insert, const std::vector<std::string_view>& then) {
  size_t at = FindKeyword(text, keyword);
  if (at == std::string_view::npos) return std::string(text);
  size_t end = at + keyword.size();
  for (std::string_view next : then) {
    size_t p = end;
    while (p < text.size() && std::isspace(static_cast<unsigned char>(text[p]))) ++p;
    if (FindKeyword(text, next, p) == p) end = p + next.size();
  }
  std::string out(text.substr(0, end));
  out += insert;
  out += text.substr(end);
  return out;
}

std::string NotNullRecipe(const catalog::QualifiedName& table, const std::string& column,
                          int target_version, const std::string& existing_check) {
  std::string t = "ALTER TABLE " + SqlName(table);
  std::string check =
      existing_check.empty() ? ObjectName(table.name, {column}, "not_null") : existing_check;
  std::string out;
  if (existing_check.empty()) {
    out += t + " ADD CONSTRAINT " + QuoteIdent(check) + " CHECK (" + QuoteIdent(column) +
           " IS NOT NULL) NOT VALID;\n";
  }
  out += t + " VALIDATE CONSTRAINT " + QuoteIdent(check) +
         ";  -- own transaction: SHARE UPDATE EXCLUSIVE";
  if (target_version >= 12) {
    out += "\n" + t + " ALTER COLUMN " + QuoteIdent(column) +
           " SET NOT NULL;  -- uses the validated check: no scan";
    out += "\n" + t + " DROP CONSTRAINT " + QuoteIdent(check) + ";";
  } else {
    out += "\n-- before PostgreSQL 12 SET NOT NULL still scans: keep the CHECK constraint instead";
  }
  return out;
}

std::string UnvalidatedNotNullCheck(const catalog::Table& table, const std::string& column) {
  std::string want = QuoteIdent(column) + " IS NOT NULL";
  for (const catalog::Constraint& c : table.constraints) {
    if (c.kind != catalog::ConstraintKind::kCheck || !c.not_valid) continue;
    std::string_view e = Trim(c.expression);
    while (e.size() >= 2 && e.front() == '(' && e.back() == ')')
      e = Trim(e.substr(1, e.size() - 2));
    if (e == want) return c.name;
  }
  return "";
}

std::string ColumnList(sql::NodeRange names) {
  std::vector<std::string> out;
  for (const Node* n : names) {
    if (n->node_case == PG_QUERY__NODE__NODE_STRING) out.push_back(QuoteIdent(sql::StrVal(n)));
    if (n->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM) {
      const PgQuery__IndexElem* e = n->index_elem;
      out.push_back(!Str(e->name).empty() ? QuoteIdent(Str(e->name))
                                          : "(" + ExprSql(e->expr) + ")");
    }
  }
  return Join(out, ", ");
}

}  // namespace dbarch::lint
