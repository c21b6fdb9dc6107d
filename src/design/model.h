// The data model `dbarch design` starts from, read from YAML (docs/design.md, schema in
// docs/design-model.schema.json): entities with attributes in semantic types, relationships,
// expected row counts, access patterns with their frequency, and cross-cutting choices
// (tenant column, soft delete, audit columns, time zone policy). ParseModel checks the model
// as a whole (unknown types, relationships to unknown entities, a cycle of required
// relationships no insert order can satisfy) and reports each problem at file:line:col from
// yaml-cpp's marks. Plain values; thread-safe to share once built.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/source_span.h"
#include "base/status.h"

namespace dbarch::design {

// The semantic types of attributes; each maps to one PostgreSQL type plus CHECKs (schema.h).
enum class SemanticType {
  kId,    // an external identifier (bigint)
  kName,  // short human-readable name, 1..200 characters
  kEmail,
  kPhone,
  kUrl,
  kMoney,       // numeric(14,2); `currency` fixed (ISO 4217) or per_row (a *_currency column)
  kPercentage,  // numeric(5,2) between 0 and 100
  kQuantity,    // integer >= 0
  kInteger,
  kDecimal,
  kBoolean,
  kCountryCode,   // ISO 3166-1 alpha-2
  kCurrencyCode,  // ISO 4217
  kLanguageCode,  // ISO 639-1
  kStatus,        // one of `values`: enum type or lookup table
  kText,          // free text, optional max_length
  kJson,          // jsonb document
  kTimestamp,     // timestamptz
  kDate,
  kDateRange,  // daterange
  kTimeRange,  // tstzrange
  kGeoPoint,   // point (longitude, latitude)
};

// "email" -> kEmail; nullopt for an unknown name.
std::optional<SemanticType> SemanticTypeFromName(std::string_view name);
const char* SemanticTypeName(SemanticType type);
// Every accepted type name, in a stable order (for "did you mean" hints and docs).
const std::vector<std::string>& SemanticTypeNames();

enum class StatusStorage { kAuto, kEnum, kLookup };

struct Attribute {
  std::string name;
  SemanticType type = SemanticType::kText;
  bool required = false;
  bool unique = false;
  bool immutable = false;
  std::string description;
  std::string currency;             // kMoney: "EUR" (fixed) or "per_row"
  std::vector<std::string> values;  // kStatus: in lifecycle order
  std::string default_value;        // kStatus: the initial value; others: SQL literal text
  StatusStorage storage = StatusStorage::kAuto;  // kStatus
  bool extensible = false;        // kStatus: values added at run time (a lookup table)
  std::optional<int> max_length;  // kText, kName
  SourceSpan span;
};

// A group of attributes with no two rows overlapping in `range` for equal `per` values
// (EXCLUDE USING gist).
struct NoOverlap {
  std::string range;             // a kTimeRange / kDateRange attribute
  std::vector<std::string> per;  // attributes or relationship names (their FK column)
  SourceSpan span;
};

struct Entity {
  std::string name;  // the table name (snake_case, plural)
  std::string description;
  int64_t rows = 1000;  // expected rows
  std::string growth;   // "5k/month", as written (documentation, partitioning)
  int64_t growth_per_month = 0;
  bool shared = false;                // with a tenant option: reference data shared by every tenant
  std::vector<Attribute> attributes;  // in model order
  std::vector<std::vector<std::string>> unique_together;
  std::vector<NoOverlap> no_overlap;
  SourceSpan span;
};

enum class Cardinality { kManyToOne, kOneToOne, kManyToMany };

struct Relationship {
  std::string name;  // the FK column's stem (default: singular of `to`); junction table name
  std::string from;  // the entity holding the foreign key (the "many" side of N:1)
  std::string to;
  Cardinality kind = Cardinality::kManyToOne;
  bool required = false;  // every `from` row has one (NOT NULL); N:M: ignored
  bool owned = false;     // `from` rows belong to `to`: ON DELETE CASCADE
  std::string description;
  std::vector<Attribute> attributes;  // N:M: the junction table's own attributes
  int64_t rows = 0;                   // N:M: expected junction rows (0: 2 x from)
  SourceSpan span;
};

enum class PatternKind { kLookup, kList, kSearch, kReport };

struct AccessPattern {
  std::string name;
  PatternKind kind = PatternKind::kLookup;
  std::string entity;
  std::vector<std::string> by;  // equality: attributes or relationship names
  std::string order;            // kList: "newest" or an attribute [desc]
  int limit = 20;
  std::string text;         // kSearch: the attribute searched (contains)
  std::string per = "day";  // kReport: day | week | month
  std::string time;         // kReport: the timestamp attribute (default created_at)
  std::string sum;          // kReport: a money / quantity attribute summed
  std::string frequency;    // "200/min" as written
  double per_minute = 1;    // the frequency in calls per minute
  SourceSpan span;
};

struct Options {
  std::string tenant;             // the tenant entity ("" = single tenant)
  bool soft_delete = false;       // deleted_at timestamptz on every entity
  bool audit = true;              // created_at / updated_at on every entity
  std::string time_zone = "UTC";  // the policy's zone: timestamps are timestamptz, shown in it
  StatusStorage statuses = StatusStorage::kAuto;
  std::string schema = "public";
  // Partition a table whose rows at the horizon (rows + growth x horizon_months) reach this.
  int64_t partition_rows = 10000000;
  int horizon_months = 36;        // how far ahead the model's counts and partitions reach
  std::string start = "2024-01";  // YYYY-MM: the first month of data (first partition)
};

struct Model {
  std::string name;
  std::string description;
  std::string path;
  Options options;
  std::vector<Entity> entities;  // in model order
  std::vector<Relationship> relationships;
  std::vector<AccessPattern> patterns;

  const Entity* FindEntity(std::string_view name) const;
};

// Parses and checks a model (`path` names it in errors). Errors are kInvalidArgument with
// the span of the offending node: invalid YAML, unknown keys or types ("did you mean"),
// relationships to unknown entities, duplicate names, patterns naming unknown attributes,
// and a cycle of required relationships (the message lists the cycle).
Result<Model> ParseModel(const std::string& path, const std::string& text);
Result<Model> LoadModel(const std::string& path);

// The keys the loader accepts in each kind of map of a model: "model" (the top level),
// "options", "entity", "attribute", "no_overlap", "relationship", "access_pattern". The JSON
// Schema (docs/design-model.schema.json) declares exactly these; a test compares them.
const std::map<std::string, std::vector<std::string>>& ModelKeys();

// "rooms" -> "room", "categories" -> "category", "addresses" -> "address".
std::string Singular(std::string_view plural);

}  // namespace dbarch::design
