#include "catalog/model.h"

#include <algorithm>

#include "base/strings.h"

namespace dbarch::catalog {

std::string QualifiedName::Quoted() const { return ::dbarch::QualifiedName(schema, name); }

const Column* Table::FindColumn(const std::string& column) const {
  for (const Column& c : columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

Column* Table::FindColumn(const std::string& column) {
  for (Column& c : columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

const std::string* OptionList::Find(const std::string& name) const {
  for (const auto& [k, v] : *this) {
    if (k == name) return &v;
  }
  return nullptr;
}

bool operator==(const OptionList& a, const OptionList& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [k, v] : a) {
    const std::string* other = b.Find(k);
    if (other == nullptr || *other != v) return false;
  }
  return true;
}

bool Column::operator==(const Column& o) const {
  return name == o.name && type == o.type && collation == o.collation && not_null == o.not_null &&
         default_expr == o.default_expr && generated_expr == o.generated_expr &&
         identity == o.identity && identity_options == o.identity_options && storage == o.storage &&
         compression == o.compression && statistics_target == o.statistics_target &&
         comment == o.comment;
}

bool Table::operator==(const Table& o) const {
  return name == o.name && unlogged == o.unlogged && columns == o.columns &&
         constraints == o.constraints && triggers == o.triggers && policies == o.policies &&
         rls_enabled == o.rls_enabled && rls_forced == o.rls_forced &&
         partition_strategy == o.partition_strategy && partition_key == o.partition_key &&
         partition_of == o.partition_of && partition_bound == o.partition_bound &&
         inherits == o.inherits && of_type == o.of_type && options == o.options &&
         replica_identity == o.replica_identity && owner == o.owner && comment == o.comment &&
         clones == o.clones;
}

bool IndexesMatch(const Index& a, const Index& b) {
  return a.method == b.method && a.unique == b.unique &&
         a.nulls_not_distinct == b.nulls_not_distinct && a.keys == b.keys &&
         a.include == b.include && a.predicate == b.predicate;
}

bool View::operator==(const View& o) const {
  return name == o.name && materialized == o.materialized && columns == o.columns &&
         relations == o.relations && normal_form == o.normal_form && options == o.options &&
         column_comments == o.column_comments && owner == o.owner && comment == o.comment;
}

bool Sequence::operator==(const Sequence& o) const {
  return name == o.name && options == o.options && owned_by_table == o.owned_by_table &&
         owned_by_column == o.owned_by_column && unlogged == o.unlogged && owner == o.owner &&
         comment == o.comment;
}

bool Type::operator==(const Type& o) const {
  return name == o.name && kind == o.kind && labels == o.labels && attributes == o.attributes &&
         base_type == o.base_type && collation == o.collation && not_null == o.not_null &&
         default_expr == o.default_expr && constraints == o.constraints &&
         subtype_opclass == o.subtype_opclass && owner == o.owner && comment == o.comment;
}

std::string Function::Signature() const {
  std::string out = name.Quoted() + "(";
  bool first = true;
  for (const FunctionArg& a : args) {
    if (a.mode == "OUT" || a.mode == "TABLE") continue;
    if (!first) out += ", ";
    first = false;
    out += a.type;
  }
  out += ")";
  return out;
}

std::vector<QualifiedName> Aggregate::SupportFunctions() const {
  std::vector<QualifiedName> out;
  for (const QualifiedName* q : {&sfunc, &finalfunc, &combinefunc, &serialfunc, &deserialfunc,
                                 &msfunc, &minvfunc, &mfinalfunc}) {
    if (!q->name.empty()) out.push_back(*q);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool Function::operator==(const Function& o) const {
  // SQL-standard bodies (BEGIN ATOMIC) are stored parsed and printed back rewritten by the
  // server (parameters qualified, casts and aliases added), like view text: their text is
  // not compared.
  bool atomic = body.rfind("BEGIN ATOMIC", 0) == 0 && o.body.rfind("BEGIN ATOMIC", 0) == 0;
  return name == o.name && is_procedure == o.is_procedure && aggregate == o.aggregate &&
         args == o.args && returns == o.returns && returns_set == o.returns_set &&
         language == o.language && (atomic || body == o.body) && volatility == o.volatility &&
         strict == o.strict && security_definer == o.security_definer && leakproof == o.leakproof &&
         parallel == o.parallel && config == o.config && cost == o.cost && rows == o.rows &&
         owner == o.owner && comment == o.comment;
}

const char* ObjectKindName(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::kSchema: return "schema";
    case ObjectKind::kTable: return "table";
    case ObjectKind::kColumn: return "column";
    case ObjectKind::kView: return "view";
    case ObjectKind::kMaterializedView: return "materialized view";
    case ObjectKind::kSequence: return "sequence";
    case ObjectKind::kIndex: return "index";
    case ObjectKind::kType: return "type";
    case ObjectKind::kDomain: return "domain";
    case ObjectKind::kFunction: return "function";
    case ObjectKind::kProcedure: return "procedure";
    case ObjectKind::kTrigger: return "trigger";
    case ObjectKind::kPolicy: return "policy";
    case ObjectKind::kConstraint: return "constraint";
    case ObjectKind::kExtension: return "extension";
    case ObjectKind::kRole: return "role";
    case ObjectKind::kCollation: return "collation";
    case ObjectKind::kOther: return "other";
    case ObjectKind::kLanguage: return "language";
    case ObjectKind::kDatabase: return "database";
    case ObjectKind::kAggregate: return "aggregate";
  }
  return "object";
}

const Table* Catalog::FindTable(const QualifiedName& name) const {
  auto it = tables.find(name);
  return it == tables.end() ? nullptr : &it->second;
}

Table* Catalog::FindTable(const QualifiedName& name) {
  auto it = tables.find(name);
  return it == tables.end() ? nullptr : &it->second;
}

}  // namespace dbarch::catalog
