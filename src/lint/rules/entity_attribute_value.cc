// entity-attribute-value: a table shaped like an entity-attribute-value (EAV) store.
//
// Pattern: a narrow table (at most 8 columns) in the linted input with all three of
//  - a value column: text-like, named value, val, meta_value, attr_value, attribute_value,
//    property_value, field_value, setting_value, text_value, string_value, value_text,
//    value_string, or ending in "_value";
//  - an attribute column: attribute, attr, attribute_name, attr_name, attribute_key, key,
//    meta_key, name, property, property_name, field, field_name, param, parameter, setting,
//    or attribute_id / attr_id / property_id / field_id / key_id;
//  - an entity column: another column ending in "_id" (not the attribute column).
// Why: every value is text: no type checks, no NOT NULL or CHECK per attribute, no foreign
// keys from a value, and the planner's statistics describe all attributes mixed together, so
// estimates for `attribute = 'x' AND value = 'y'` are poor. Reading one entity back needs one
// self-join or a pivot per attribute, and "required attribute" cannot be expressed at all.
// Fix: typed columns on the entity table for attributes that are known, and a jsonb column
// (with a GIN index, jsonb_path_ops for containment) for the open-ended rest.
// False positives: genuinely open-ended key/value bags (per-user preferences, extension
// metadata), where the table is a deliberate choice; suppress it.
// Example: CREATE TABLE product_attrs (product_id bigint, name text, value text);
//       -> ALTER TABLE products ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}';
#include <algorithm>
#include <iterator>

#include "base/strings.h"
#include "lint/design_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

constexpr std::string_view kValueNames[] = {
    "value", "val", "meta_value", "attr_value", "attribute_value", "property_value",
    "field_value", "setting_value", "text_value", "string_value", "value_text", "value_string"};
constexpr std::string_view kAttributeNames[] = {
    "attribute", "attr", "attribute_name", "attr_name", "attribute_key", "key", "meta_key",
    "name", "property", "property_name", "field", "field_name", "param", "parameter", "setting",
    "attribute_id", "attr_id", "property_id", "field_id", "key_id"};

template <size_t N>
bool In(const std::string_view (&list)[N], std::string_view w) {
  return std::find(std::begin(list), std::end(list), w) != std::end(list);
}

class EntityAttributeValue final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "entity-attribute-value", Family::kDesign, Severity::kWarning,
        "a table is shaped like an entity-attribute-value store",
        "All values share one text column: no types, no NOT NULL or CHECK per attribute, no "
        "foreign keys from values, and column statistics mix every attribute, so the "
        "planner misestimates attribute/value filters. Reassembling an entity needs a "
        "self-join or pivot per attribute. Detected by shape: an entity *_id column, an "
        "attribute/key/name column and a value column in a narrow table.",
        "Store known attributes as typed columns of the entity table and the open-ended rest "
        "in a jsonb column with a GIN index.",
        "CREATE TABLE product_attrs (product_id bigint REFERENCES products, name text, value text);",
        "ALTER TABLE products ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}';"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    for (const auto& [name, table] : ctx.catalog->tables) {
      if (table.columns.size() < 3 || table.columns.size() > 8 ||
          !design::IsCheckedTable(ctx, table)) {
        continue;
      }
      const catalog::Column* value = nullptr;
      const catalog::Column* attribute = nullptr;
      for (const catalog::Column& c : table.columns) {
        if (value == nullptr && design::IsTextLike(c.type) &&
            (In(kValueNames, c.name) || EndsWith(c.name, "_value"))) {
          value = &c;
        } else if (attribute == nullptr && In(kAttributeNames, c.name)) {
          attribute = &c;
        }
      }
      if (value == nullptr || attribute == nullptr) continue;
      const catalog::Column* entity = nullptr;
      for (const catalog::Column& c : table.columns) {
        if (&c != attribute && &c != value && EndsWith(c.name, "_id")) {
          entity = &c;
          break;
        }
      }
      if (entity == nullptr) continue;
      // The entity table, when the entity column is a foreign key.
      std::string fix =
          "-- typed columns on the entity's table for the known attributes, a jsonb column "
          "(GIN-indexed) for the rest";
      for (const catalog::Constraint& c : table.constraints) {
        if (c.kind == catalog::ConstraintKind::kForeignKey && c.columns.size() == 1 &&
            c.columns[0] == entity->name) {
          fix += "\nALTER TABLE " + ShortName(c.ref_table) +
                 " ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}';";
          break;
        }
      }
      out.ReportAt(table.origin.span,
                   "table " + design::Rel(name) + " looks like an entity-attribute-value store (" +
                       design::Ident(entity->name) + ", " + design::Ident(attribute->name) + ", " +
                       design::Ident(value->name) +
                       "): values lose their types and constraints, statistics mix all "
                       "attributes, and reading an entity back needs a join per attribute",
                   std::move(fix));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_entity_attribute_value() {
  return std::make_unique<EntityAttributeValue>();
}

}  // namespace dbarch::lint
