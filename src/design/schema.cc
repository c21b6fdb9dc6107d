#include "design/schema.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "base/strings.h"

namespace dbarch::design {

namespace {

// PostgreSQL's identifier limit: names are cut to 63 bytes as the server would.
std::string Ident63(std::string s) {
  if (s.size() > 63) s.resize(63);
  return s;
}

std::string Lit(std::string_view s) { return QuoteLiteral(s); }

// How one semantic type becomes a column.
struct ColumnShape {
  std::string type;
  std::string check;  // with {c} for the column; "" none
  std::string note;   // for the dictionary
};

ColumnShape ShapeOf(const Attribute& a) {
  switch (a.type) {
    case SemanticType::kId:
      return {"bigint", "{c} > 0", "positive"};
    case SemanticType::kName: {
      int max = a.max_length.value_or(200);
      return {"text", "char_length({c}) BETWEEN 1 AND " + std::to_string(max),
              "1.." + std::to_string(max) + " characters"};
    }
    case SemanticType::kEmail:
      return {"text", "{c} ~ '^[^@ ]+@[^@ ]+$' AND char_length({c}) <= 254",
              "one @, at most 254 characters"};
    case SemanticType::kPhone:
      return {"text", "{c} ~ '^[+]?[0-9 ()./-]{6,20}$'", "E.164-like, 6..20 characters"};
    case SemanticType::kUrl:
      return {"text", "{c} ~ '^https?://' AND char_length({c}) <= 2048", "http(s) URL"};
    case SemanticType::kMoney:
      return {"numeric(14,2)", "{c} >= 0",
              a.currency == "per_row" ? "amount >= 0, currency in the *_currency column"
                                      : "amount >= 0 in " + a.currency};
    case SemanticType::kPercentage:
      return {"numeric(5,2)", "{c} BETWEEN 0 AND 100", "0..100"};
    case SemanticType::kQuantity:
      return {"integer", "{c} >= 0", ">= 0"};
    case SemanticType::kInteger:
      return {"integer", "", ""};
    case SemanticType::kDecimal:
      return {"numeric", "", ""};
    case SemanticType::kBoolean:
      return {"boolean", "", ""};
    case SemanticType::kCountryCode:
      return {"text", "{c} ~ '^[A-Z]{2}$'", "ISO 3166-1 alpha-2"};
    case SemanticType::kCurrencyCode:
      return {"text", "{c} ~ '^[A-Z]{3}$'", "ISO 4217"};
    case SemanticType::kLanguageCode:
      return {"text", "{c} ~ '^[a-z]{2}$'", "ISO 639-1"};
    case SemanticType::kStatus:
      return {"text", "", ""};  // decided by the status choice
    case SemanticType::kText:
      if (a.max_length) {
        return {"text", "char_length({c}) <= " + std::to_string(*a.max_length),
                "at most " + std::to_string(*a.max_length) + " characters"};
      }
      return {"text", "", ""};
    case SemanticType::kJson:
      return {"jsonb", "jsonb_typeof({c}) = 'object'", "a JSON object"};
    case SemanticType::kTimestamp:
      return {"timestamp with time zone", "", ""};
    case SemanticType::kDate:
      return {"date", "", ""};
    case SemanticType::kDateRange:
      return {"daterange", "NOT isempty({c})", "not empty"};
    case SemanticType::kTimeRange:
      return {"tstzrange", "NOT isempty({c})", "not empty"};
    case SemanticType::kGeoPoint:
      return {"point", "", "(longitude, latitude), WGS 84"};
  }
  return {"text", "", ""};
}

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
  return s;
}

class Builder {
 public:
  Builder(const Model& model, const BuildOptions& options) : m_(model), opt_(options) {}

  Result<SchemaDesign> Build() {
    out_.schema = m_.options.schema;
    if (out_.schema != "public") Add("CREATE SCHEMA " + QuoteIdent(out_.schema));
    Notes();
    for (const Entity& e : m_.entities) {
      for (const NoOverlap& n : e.no_overlap) {
        if (!n.per.empty()) needs_btree_gist_ = true;
      }
    }
    if (needs_btree_gist_) Add("CREATE EXTENSION IF NOT EXISTS btree_gist");
    if (HasImmutable()) AddImmutableFunction();
    // Statuses first: enum types and lookup tables are referenced by the entity tables.
    for (const Entity& e : m_.entities) {
      for (const Attribute& a : e.attributes) {
        if (a.type == SemanticType::kStatus) StatusType(e.name, a);
      }
    }
    for (const Relationship& r : m_.relationships) {
      for (const Attribute& a : r.attributes) {
        if (a.type == SemanticType::kStatus) StatusType(r.name, a);
      }
    }
    for (const Entity& e : m_.entities) DBARCH_RETURN_IF_ERROR(EntityTable(e));
    for (const Relationship& r : m_.relationships) {
      if (r.kind == Cardinality::kManyToMany) DBARCH_RETURN_IF_ERROR(JunctionTable(r));
    }
    for (const std::string& s : foreign_keys_) Add(s);
    for (const ForeignKeyIndex& i : out_.fk_indexes) Add(i.ddl);
    for (const std::string& s : late_) Add(s);
    for (const std::string& s : comments_) Add(s);
    for (const AccessPattern& p : m_.patterns) DBARCH_RETURN_IF_ERROR(Pattern(p));
    Partitions();
    out_.spec.seed = opt_.seed;
    return std::move(out_);
  }

 private:
  std::string Q(const std::string& table) const {
    return out_.schema == "public" ? QuoteIdent(table) : QualifiedName(out_.schema, table);
  }
  void Add(std::string s) { out_.statements.push_back(std::move(s)); }
  // Junction tables are tenant-scoped when either side is.
  bool Tenanted(const std::string& entity) const {
    if (m_.options.tenant.empty() || entity == m_.options.tenant) return false;
    if (const Entity* e = m_.FindEntity(entity)) return !e->shared;
    for (const Relationship& r : m_.relationships) {
      if (r.kind == Cardinality::kManyToMany && r.name == entity) {
        return Tenanted(r.from) || Tenanted(r.to);
      }
    }
    return true;
  }
  int64_t Scaled(int64_t rows) const {
    return std::max<int64_t>(1, static_cast<int64_t>(std::llround(rows * opt_.scale)));
  }

  void Notes() {
    const Options& o = m_.options;
    out_.notes.push_back(
        "Keys: every entity has `id bigint GENERATED ALWAYS AS IDENTITY` as its "
        "primary key; foreign keys are bigint columns named <relationship>_id.");
    out_.notes.push_back(
        "Time zone policy: every point in time is `timestamptz` (stored in UTC, "
        "shown in the session's zone); the application sets TimeZone = '" +
        o.time_zone + "'; day boundaries in reports are those of that zone.");
    if (!o.tenant.empty()) {
      out_.notes.push_back("Multi-tenant: every table but `" + o.tenant +
                           "` has `tenant_id` (NOT NULL, foreign key to `" + o.tenant +
                           "`); unique keys and access-pattern queries include it.");
    }
    if (o.soft_delete) {
      out_.notes.push_back(
          "Soft delete: `deleted_at timestamptz` (NULL = live); unique keys are "
          "partial unique indexes over live rows and queries read live rows only.");
    }
    if (o.audit) {
      out_.notes.push_back(
          "Audit columns: `created_at` and `updated_at` (timestamptz, NOT NULL, "
          "default now()); the application sets updated_at on every update.");
    }
    out_.notes.push_back(
        "Money: numeric(14,2), never float; the currency is fixed per column "
        "(in its comment) or kept in a *_currency column (ISO 4217) per row.");
  }

  bool HasImmutable() const {
    for (const Entity& e : m_.entities) {
      for (const Attribute& a : e.attributes) {
        if (a.immutable) return true;
      }
    }
    return false;
  }

  void AddImmutableFunction() {
    immutable_fn_ = Q("reject_immutable_change");
    Add("CREATE FUNCTION " + immutable_fn_ +
        "() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
        "DECLARE\n"
        "  col text;\n"
        "BEGIN\n"
        "  FOREACH col IN ARRAY TG_ARGV LOOP\n"
        "    IF to_jsonb(NEW) -> col IS DISTINCT FROM to_jsonb(OLD) -> col THEN\n"
        "      RAISE EXCEPTION 'column %.% is immutable', TG_TABLE_NAME, col\n"
        "        USING ERRCODE = 'check_violation';\n"
        "    END IF;\n"
        "  END LOOP;\n"
        "  RETURN NEW;\n"
        "END\n"
        "$fn$");
    comments_.push_back("COMMENT ON FUNCTION " + immutable_fn_ + "() IS " +
                        Lit("Rejects an UPDATE that changes a column named in the "
                            "trigger's arguments (attributes marked immutable)"));
  }

  // Enum while the values are a fixed part of the code; a lookup table when they change at
  // run time (extensible) or the model asks for one.
  void StatusType(const std::string& table, const Attribute& a) {
    StatusStorage storage = a.storage != StatusStorage::kAuto ? a.storage : m_.options.statuses;
    StatusChoice c;
    c.table = table;
    c.column = a.name;
    c.values = a.values;
    if (storage == StatusStorage::kAuto) {
      storage = a.extensible ? StatusStorage::kLookup : StatusStorage::kEnum;
      c.reason = a.extensible
                     ? "the values change at run time (extensible: true): rows in a lookup table "
                       "need no DDL, can carry labels and ordering, and are checked by a "
                       "foreign key"
                     : "a fixed set of " + std::to_string(a.values.size()) +
                           " values known to the code: an enum stores 4 bytes, sorts in "
                           "lifecycle order and rejects unknown values; adding one later is "
                           "ALTER TYPE ... ADD VALUE (no rewrite)";
    } else {
      c.reason = std::string("the model asks for ") +
                 (storage == StatusStorage::kEnum ? "an enum" : "a lookup table") +
                 (a.storage != StatusStorage::kAuto ? " (storage)" : " (options.statuses)");
    }
    if (storage == StatusStorage::kEnum) {
      c.storage = "enum";
      c.type = Ident63(Singular(table) + "_" + a.name);
      std::vector<std::string> labels;
      for (const std::string& v : a.values) labels.push_back(Lit(v));
      Add("CREATE TYPE " + Q(c.type) + " AS ENUM (" + Join(labels, ", ") + ")");
      comments_.push_back("COMMENT ON TYPE " + Q(c.type) + " IS " +
                          Lit("Values of " + table + "." + a.name + ", in lifecycle order"));
    } else {
      c.storage = "lookup";
      c.type = Ident63(Singular(table) + "_" + a.name + (EndsWith(a.name, "s") ? "es" : "s"));
      std::vector<std::string> labels;
      std::vector<std::string> rows;
      int pos = 1;
      for (const std::string& v : a.values) {
        labels.push_back(Lit(v));
        rows.push_back("(" + Lit(v) + ", " + std::to_string(pos++) + ")");
      }
      Add("CREATE TABLE " + Q(c.type) +
          " (\n    code text PRIMARY KEY,\n    position integer NOT NULL,\n    CONSTRAINT " +
          Ident63(c.type + "_position_key") + " UNIQUE (position),\n    CONSTRAINT " +
          Ident63(c.type + "_code_check") + " CHECK (code ~ '^[a-z][a-z0-9_]*$')\n)");
      lookup_rows_[c.type] =
          "INSERT INTO " + Q(c.type) + " (code, position) VALUES " + Join(rows, ", ");
      comments_.push_back("COMMENT ON TABLE " + Q(c.type) + " IS " +
                          Lit("Lookup table of " + table + "." + a.name + ": " + c.reason));
      TableDesign t;
      t.name = c.type;
      t.kind = "lookup";
      t.description = "Values of " + table + "." + a.name;
      t.rows = static_cast<int64_t>(a.values.size());
      t.columns.push_back({"code", "text", true, "key", "primary key", "the value"});
      t.columns.push_back({"position", "integer", true, "order", "unique", "display order"});
      out_.tables.push_back(t);
      Add(lookup_rows_[c.type]);
    }
    statuses_[{table, a.name}] = c;
    out_.statuses.push_back(c);
  }

  std::string Qualified(const std::string& table) const { return out_.schema + "." + table; }

  // One attribute's column(s) into `cols` / `checks` / the dictionary.
  void AttributeColumns(const std::string& table, const Attribute& a,
                        std::vector<std::string>& cols, std::vector<std::string>& checks,
                        TableDesign& td, datagen::TableSpec& ts) {
    ColumnShape s = ShapeOf(a);
    std::string col = QuoteIdent(a.name);
    std::string type = s.type;
    std::string def;
    std::string dict = s.note;
    if (a.type == SemanticType::kStatus) {
      const StatusChoice& c = statuses_.at({table, a.name});
      if (c.storage == "enum") {
        type = Q(c.type);
        dict = "enum " + c.type;
        if (!a.default_value.empty()) def = " DEFAULT " + Lit(a.default_value) + "::" + Q(c.type);
      } else {
        type = "text";
        dict = "lookup " + c.type;
        if (!a.default_value.empty()) def = " DEFAULT " + Lit(a.default_value);
        foreign_keys_.push_back("ALTER TABLE " + Q(table) + " ADD CONSTRAINT " +
                                Ident63(table + "_" + a.name + "_fkey") + " FOREIGN KEY (" + col +
                                ") REFERENCES " + Q(c.type) + " (code)");
        AddFkIndex(table, {a.name});
        datagen::ColumnSpec cs;
        cs.values = a.values;
        ts.columns[a.name] = cs;
      }
    } else if (!a.default_value.empty()) {
      def = " DEFAULT " + Lit(a.default_value);
    }
    std::string line = "    " + col + " " + type + (a.required ? " NOT NULL" : "") + def;
    cols.push_back(line);
    if (!s.check.empty()) {
      checks.push_back("    CONSTRAINT " + Ident63(table + "_" + a.name + "_check") + " CHECK (" +
                       Replace(s.check, "{c}", col) + ")");
    }
    std::vector<std::string> flags;
    if (a.unique) flags.push_back("unique");
    if (a.immutable) flags.push_back("immutable");
    if (!dict.empty()) flags.insert(flags.begin(), dict);
    td.columns.push_back(
        {a.name, type, a.required, SemanticTypeName(a.type), Join(flags, "; "), a.description});
    std::string comment = a.description.empty() ? "" : a.description + ". ";
    comment += std::string("Semantic type: ") + SemanticTypeName(a.type);
    if (a.type == SemanticType::kMoney && a.currency != "per_row") comment += " in " + a.currency;
    if (a.immutable) comment += "; immutable (trigger)";
    if (a.type == SemanticType::kEmail || a.type == SemanticType::kPhone) {
      // Personal data: the comment is where reviewers and the lint rule look for its handling.
      comment += "; personal data (PII, GDPR): restrict access, mask in non-production copies";
    }
    comments_.push_back("COMMENT ON COLUMN " + Q(table) + "." + col + " IS " + Lit(comment));
    if (a.type == SemanticType::kMoney && a.currency == "per_row") {
      std::string cur = QuoteIdent(a.name + "_currency");
      cols.push_back("    " + cur + " text" + (a.required ? " NOT NULL" : ""));
      checks.push_back("    CONSTRAINT " + Ident63(table + "_" + a.name + "_currency_check") +
                       " CHECK (" + cur + " ~ '^[A-Z]{3}$')");
      td.columns.push_back({a.name + "_currency", "text", a.required, "currency_code", "ISO 4217",
                            "currency of " + a.name});
      comments_.push_back("COMMENT ON COLUMN " + Q(table) + "." + cur + " IS " +
                          Lit("ISO 4217 currency of " + a.name));
      datagen::ColumnSpec cs;
      cs.values = {"EUR", "USD", "GBP"};
      ts.columns[a.name + "_currency"] = cs;
    }
    // Value hints the generator cannot take from the name alone.
    datagen::ColumnSpec cs;
    bool set = true;
    switch (a.type) {
      case SemanticType::kEmail:
        cs.kind = "email";
        break;
      case SemanticType::kPhone:
        cs.kind = "phone";
        break;
      case SemanticType::kUrl:
        cs.kind = "url";
        break;
      case SemanticType::kCountryCode:
        cs.values = {"DE", "FR", "US", "GB", "ES", "IT", "NL", "PL"};
        break;
      case SemanticType::kCurrencyCode:
        cs.values = {"EUR", "USD", "GBP", "CHF"};
        break;
      case SemanticType::kLanguageCode:
        cs.values = {"en", "de", "fr", "es", "it"};
        break;
      case SemanticType::kName:
        cs.kind = "name";
        break;
      case SemanticType::kText:
        cs.kind = "sentence";
        cs.length = std::min(a.max_length.value_or(80), 80);
        break;
      case SemanticType::kMoney:
        cs.min = "0";
        cs.max = "5000";
        break;
      case SemanticType::kJson:
        cs.values = {"{}", "{\"source\": \"web\"}", "{\"source\": \"api\", \"v\": 2}"};
        break;
      case SemanticType::kTimestamp:
        cs.distribution = datagen::Distribution::kTimeSeries;
        cs.min = "2024-01-01";
        cs.max = "2026-01-01";
        break;
      case SemanticType::kGeoPoint:
        cs.values = {"(13.40,52.52)", "(2.35,48.86)", "(-0.13,51.51)", "(-73.99,40.73)"};
        break;
      default:
        set = false;
    }
    if (set && !ts.columns.count(a.name)) ts.columns[a.name] = cs;
    if (a.type == SemanticType::kName && a.unique) ts.columns[a.name].kind = "slug";
    if (!a.required && ts.columns.count(a.name) == 0) ts.columns[a.name].null_fraction = 0.1;
  }

  void AddFkIndex(const std::string& table, const std::vector<std::string>& columns) {
    // A primary key, unique key or earlier index that starts with the columns supports the
    // foreign key already.
    for (const auto& lead : leading_[table]) {
      if (lead.size() >= columns.size() &&
          std::equal(columns.begin(), columns.end(), lead.begin())) {
        return;
      }
    }
    ForeignKeyIndex i;
    i.table = table;
    i.columns = columns;
    i.name = Ident63(table + "_" + Join(columns, "_") + "_idx");
    std::vector<std::string> quoted;
    for (const std::string& c : columns) quoted.push_back(QuoteIdent(c));
    i.ddl =
        "CREATE INDEX " + QuoteIdent(i.name) + " ON " + Q(table) + " (" + Join(quoted, ", ") + ")";
    leading_[table].push_back(columns);
    out_.fk_indexes.push_back(i);
  }

  std::string FkColumn(const Relationship& r) const { return r.name + "_id"; }

  // The column a `by` / `per` name stands for on `entity`: an attribute, a relationship's
  // foreign key, or the tenant.
  std::string ColumnFor(const std::string& entity, const std::string& name) const {
    if (name == "tenant" && Tenanted(entity)) return "tenant_id";
    for (const Relationship& r : m_.relationships) {
      if (r.kind != Cardinality::kManyToMany && r.from == entity && r.name == name)
        return FkColumn(r);
    }
    return name;
  }

  std::string OnDelete(const Relationship& r) const {
    if (r.owned) return " ON DELETE CASCADE";
    if (!r.required) return " ON DELETE SET NULL";
    return " ON DELETE RESTRICT";
  }

  Status EntityTable(const Entity& e) {
    TableDesign td;
    td.name = e.name;
    td.kind = "entity";
    td.description = e.description;
    td.rows = e.rows;
    td.growth = e.growth;
    datagen::TableSpec ts;
    ts.rows = Scaled(e.rows);
    std::vector<std::string> cols;
    std::vector<std::string> checks;
    cols.push_back("    id bigint GENERATED ALWAYS AS IDENTITY");
    td.columns.push_back({"id", "bigint", true, "key", "primary key (identity)", "surrogate key"});
    comments_.push_back("COMMENT ON COLUMN " + Q(e.name) + ".id IS 'Surrogate key (identity)'");
    std::vector<std::string> key_prefix;
    if (Tenanted(e.name)) {
      cols.push_back("    tenant_id bigint NOT NULL");
      td.columns.push_back({"tenant_id", "bigint", true, "tenant",
                            "foreign key -> " + m_.options.tenant, "the tenant owning the row"});
      foreign_keys_.push_back("ALTER TABLE " + Q(e.name) + " ADD CONSTRAINT " +
                              Ident63(e.name + "_tenant_id_fkey") +
                              " FOREIGN KEY (tenant_id) REFERENCES " + Q(m_.options.tenant) +
                              " (id) ON DELETE CASCADE");
      comments_.push_back("COMMENT ON COLUMN " + Q(e.name) + ".tenant_id IS " +
                          Lit("Tenant owning the row (" + m_.options.tenant + ")"));
      key_prefix.push_back("tenant_id");
    }
    std::vector<std::string> uniques;  // column lists
    for (const Relationship& r : m_.relationships) {
      if (r.kind == Cardinality::kManyToMany || r.from != e.name) continue;
      std::string col = FkColumn(r);
      cols.push_back("    " + QuoteIdent(col) + " bigint" + (r.required ? " NOT NULL" : ""));
      std::string what = std::string(r.kind == Cardinality::kOneToOne ? "1:1" : "N:1") + " -> " +
                         r.to + (r.owned ? " (owned, cascade)" : "");
      td.columns.push_back(
          {col, "bigint", r.required, "reference", "foreign key " + what, r.description});
      foreign_keys_.push_back("ALTER TABLE " + Q(e.name) + " ADD CONSTRAINT " +
                              Ident63(e.name + "_" + col + "_fkey") + " FOREIGN KEY (" +
                              QuoteIdent(col) + ") REFERENCES " + Q(r.to) + " (id)" + OnDelete(r));
      std::string comment =
          (r.description.empty() ? "" : r.description + ". ") +
          std::string(r.kind == Cardinality::kOneToOne ? "One-to-one" : "Many-to-one") + " to " +
          r.to + (r.owned ? "; owned: deleted with it" : "");
      comments_.push_back("COMMENT ON COLUMN " + Q(e.name) + "." + QuoteIdent(col) + " IS " +
                          Lit(comment));
      if (r.kind == Cardinality::kOneToOne) {
        std::vector<std::string> key = key_prefix;
        key.push_back(col);
        uniques.push_back(Join(key, ","));
      }
      if (!r.required) ts.columns[col].null_fraction = 0.2;
    }
    for (const Attribute& a : e.attributes) {
      AttributeColumns(e.name, a, cols, checks, td, ts);
      if (a.unique) {
        std::vector<std::string> key = key_prefix;
        key.push_back(a.name);
        uniques.push_back(Join(key, ","));
      }
    }
    for (const auto& group : e.unique_together) {
      std::vector<std::string> key = key_prefix;
      for (const std::string& n : group) {
        std::string c = ColumnFor(e.name, n);
        if (std::find(key.begin(), key.end(), c) == key.end()) key.push_back(c);
      }
      uniques.push_back(Join(key, ","));
    }
    if (m_.options.audit) {
      cols.push_back("    created_at timestamp with time zone NOT NULL DEFAULT now()");
      cols.push_back("    updated_at timestamp with time zone NOT NULL DEFAULT now()");
      checks.push_back("    CONSTRAINT " + Ident63(e.name + "_updated_at_check") +
                       " CHECK (updated_at >= created_at)");
      td.columns.push_back({"created_at", "timestamptz", true, "audit", "default now()",
                            "when the row was inserted"});
      td.columns.push_back({"updated_at", "timestamptz", true, "audit", ">= created_at",
                            "when the row last changed"});
      comments_.push_back("COMMENT ON COLUMN " + Q(e.name) +
                          ".created_at IS 'When the row was inserted (audit)'");
      comments_.push_back("COMMENT ON COLUMN " + Q(e.name) +
                          ".updated_at IS 'When the row last changed (audit)'");
      datagen::ColumnSpec created;
      created.distribution = datagen::Distribution::kTimeSeries;
      created.min = "2024-01-01";
      created.max = "2026-01-01";
      ts.columns["created_at"] = created;
    }
    if (m_.options.soft_delete) {
      cols.push_back("    deleted_at timestamp with time zone");
      td.columns.push_back({"deleted_at", "timestamptz", false, "soft delete", "NULL = live",
                            "when the row was deleted"});
      comments_.push_back("COMMENT ON COLUMN " + Q(e.name) +
                          ".deleted_at IS 'Soft delete: NULL while the row is live'");
      ts.columns["deleted_at"].null_fraction = 0.95;
      ts.columns["deleted_at"].distribution = datagen::Distribution::kTimeSeries;
      ts.columns["deleted_at"].min = "2026-01-02";
      ts.columns["deleted_at"].max = "2026-06-01";
    }
    std::vector<std::string> body = cols;
    body.push_back("    CONSTRAINT " + Ident63(e.name + "_pkey") + " PRIMARY KEY (id)");
    leading_[e.name].push_back({"id"});
    for (const std::string& u : uniques) {
      std::vector<std::string> parts;
      std::string rest = u;
      size_t pos;
      while ((pos = rest.find(',')) != std::string::npos) {
        parts.push_back(rest.substr(0, pos));
        rest = rest.substr(pos + 1);
      }
      parts.push_back(rest);
      std::string name = Ident63(e.name + "_" + Join(parts, "_") + "_key");
      std::vector<std::string> quoted;
      for (const std::string& p : parts) quoted.push_back(QuoteIdent(p));
      if (m_.options.soft_delete) {
        late_.push_back("CREATE UNIQUE INDEX " + QuoteIdent(name) + " ON " + Q(e.name) + " (" +
                        Join(quoted, ", ") + ") WHERE deleted_at IS NULL");
      } else {
        body.push_back("    CONSTRAINT " + name + " UNIQUE (" + Join(quoted, ", ") + ")");
        // A partial unique index does not cover every row, so it cannot support a foreign key.
        leading_[e.name].push_back(parts);
      }
    }
    for (const std::string& c : checks) body.push_back(c);
    for (const NoOverlap& n : e.no_overlap) {
      std::vector<std::string> elems;
      std::vector<std::string> names;
      if (Tenanted(e.name) && std::find(n.per.begin(), n.per.end(), "tenant") == n.per.end() &&
          n.per.empty()) {
        // Without per, ranges never overlap within a tenant.
        elems.push_back("tenant_id WITH =");
        names.push_back("tenant_id");
      }
      for (const std::string& p : n.per) {
        std::string c = ColumnFor(e.name, p);
        elems.push_back(QuoteIdent(c) + " WITH =");
        names.push_back(c);
      }
      elems.push_back(QuoteIdent(n.range) + " WITH &&");
      names.push_back(n.range);
      std::string excl = Ident63(e.name + "_" + Join(names, "_") + "_excl");
      body.push_back("    CONSTRAINT " + excl + " EXCLUDE USING gist (" + Join(elems, ", ") + ")");
      out_.notes.push_back(
          "No overlap: `" + excl + "` (EXCLUDE USING gist (" + Join(elems, ", ") +
          ")) rejects two `" + e.name + "` rows whose `" + n.range + "` overlap" +
          (names.size() > 1
               ? " for the same " +
                     Join(std::vector<std::string>(names.begin(), names.end() - 1), ", ")
               : "") +
          "; btree_gist provides the = operator class for the key columns, and "
          "its GiST index also supports their foreign keys.");
      if (names.size() > 1) leading_[e.name].push_back({names.begin(), names.end() - 1});
    }
    Add("CREATE TABLE " + Q(e.name) + " (\n" + Join(body, ",\n") + "\n)");
    std::vector<std::string> immutable;
    for (const Attribute& a : e.attributes) {
      if (a.immutable) immutable.push_back(Lit(a.name));
    }
    if (!immutable.empty()) {
      late_.push_back("CREATE TRIGGER " + QuoteIdent(Ident63(e.name + "_immutable_trg")) +
                      " BEFORE UPDATE ON " + Q(e.name) + " FOR EACH ROW EXECUTE FUNCTION " +
                      immutable_fn_ + "(" + Join(immutable, ", ") + ")");
    }
    std::string comment = e.description.empty() ? e.name : e.description;
    comment += " (expected rows: " + std::to_string(e.rows) +
               (e.growth.empty() ? "" : ", growth " + e.growth) + ")";
    comments_.push_back("COMMENT ON TABLE " + Q(e.name) + " IS " + Lit(comment));
    // Foreign key indexes after the table's own keys, so a key that leads with the column
    // counts as its support.
    if (Tenanted(e.name)) AddFkIndex(e.name, {"tenant_id"});
    for (const Relationship& r : m_.relationships) {
      if (r.kind != Cardinality::kManyToMany && r.from == e.name) AddFkIndex(e.name, {FkColumn(r)});
    }
    out_.tables.push_back(td);
    out_.spec.tables[Qualified(e.name)] = ts;
    return Status::OK();
  }

  Status JunctionTable(const Relationship& r) {
    TableDesign td;
    td.name = r.name;
    td.kind = "junction";
    td.description =
        r.description.empty() ? "N:M between " + r.from + " and " + r.to : r.description;
    const Entity* from = m_.FindEntity(r.from);
    td.rows = r.rows > 0 ? r.rows : from->rows * 2;
    datagen::TableSpec ts;
    ts.rows = Scaled(td.rows);
    std::string a = Singular(r.from) + "_id";
    std::string b = Singular(r.to) + "_id";
    if (a == b) b = "related_" + b;
    std::vector<std::string> cols;
    std::vector<std::string> checks;
    std::vector<std::string> key;
    if (Tenanted(r.name)) {
      cols.push_back("    tenant_id bigint NOT NULL");
      td.columns.push_back(
          {"tenant_id", "bigint", true, "tenant", "foreign key -> " + m_.options.tenant, ""});
      foreign_keys_.push_back("ALTER TABLE " + Q(r.name) + " ADD CONSTRAINT " +
                              Ident63(r.name + "_tenant_id_fkey") +
                              " FOREIGN KEY (tenant_id) REFERENCES " + Q(m_.options.tenant) +
                              " (id) ON DELETE CASCADE");
    }
    cols.push_back("    " + QuoteIdent(a) + " bigint NOT NULL");
    cols.push_back("    " + QuoteIdent(b) + " bigint NOT NULL");
    td.columns.push_back(
        {a, "bigint", true, "reference", "foreign key -> " + r.from + " (cascade)", ""});
    td.columns.push_back(
        {b, "bigint", true, "reference", "foreign key -> " + r.to + " (cascade)", ""});
    foreign_keys_.push_back("ALTER TABLE " + Q(r.name) + " ADD CONSTRAINT " +
                            Ident63(r.name + "_" + a + "_fkey") + " FOREIGN KEY (" + QuoteIdent(a) +
                            ") REFERENCES " + Q(r.from) + " (id) ON DELETE CASCADE");
    foreign_keys_.push_back("ALTER TABLE " + Q(r.name) + " ADD CONSTRAINT " +
                            Ident63(r.name + "_" + b + "_fkey") + " FOREIGN KEY (" + QuoteIdent(b) +
                            ") REFERENCES " + Q(r.to) + " (id) ON DELETE CASCADE");
    for (const Attribute& at : r.attributes) AttributeColumns(r.name, at, cols, checks, td, ts);
    if (m_.options.audit) {
      cols.push_back("    created_at timestamp with time zone NOT NULL DEFAULT now()");
      td.columns.push_back(
          {"created_at", "timestamptz", true, "audit", "default now()", "when the link was made"});
      datagen::ColumnSpec created;
      created.distribution = datagen::Distribution::kTimeSeries;
      created.min = "2024-01-01";
      created.max = "2026-01-01";
      ts.columns["created_at"] = created;
    }
    std::vector<std::string> body = cols;
    body.push_back("    CONSTRAINT " + Ident63(r.name + "_pkey") + " PRIMARY KEY (" +
                   QuoteIdent(a) + ", " + QuoteIdent(b) + ")");
    for (const std::string& c : checks) body.push_back(c);
    leading_[r.name].push_back({a, b});
    Add("CREATE TABLE " + Q(r.name) + " (\n" + Join(body, ",\n") + "\n)");
    comments_.push_back(
        "COMMENT ON TABLE " + Q(r.name) + " IS " +
        Lit(td.description + " (junction; expected rows: " + std::to_string(td.rows) + ")"));
    if (Tenanted(r.name)) AddFkIndex(r.name, {"tenant_id"});
    AddFkIndex(r.name, {b});
    out_.tables.push_back(td);
    out_.spec.tables[Qualified(r.name)] = ts;
    return Status::OK();
  }

  const Attribute* FindAttribute(const Entity& e, const std::string& name) const {
    for (const Attribute& a : e.attributes) {
      if (a.name == name) return &a;
    }
    return nullptr;
  }

  // The columns a pattern returns: the key, then up to five attributes.
  std::vector<std::string> OutputColumns(const Entity& e) const {
    std::vector<std::string> out = {"id"};
    for (const Attribute& a : e.attributes) {
      if (out.size() >= 6) break;
      if (a.type == SemanticType::kJson || a.type == SemanticType::kText) continue;
      out.push_back(QuoteIdent(a.name));
    }
    if (m_.options.audit) out.push_back("created_at");
    return out;
  }

  Status Pattern(const AccessPattern& p) {
    const Entity& e = *m_.FindEntity(p.entity);
    PatternQuery q;
    q.name = p.name;
    q.frequency = p.frequency;
    q.weight = p.per_minute;
    std::vector<std::string> where;
    std::vector<std::string> param_cols;
    std::string from = Q(e.name) + " AS t";
    std::string param_from = Q(e.name);
    int n = 0;
    auto param = [&](const std::string& col) {
      param_cols.push_back(col);
      return "$" + std::to_string(++n);
    };
    std::vector<std::string> eq;
    if (Tenanted(e.name)) eq.push_back("tenant_id");
    for (const std::string& b : p.by) {
      // An N:M partner: join through the junction table.
      const Relationship* nm = nullptr;
      for (const Relationship& r : m_.relationships) {
        if (r.kind == Cardinality::kManyToMany && ((r.from == e.name && Singular(r.to) == b) ||
                                                   (r.to == e.name && Singular(r.from) == b))) {
          nm = &r;
        }
      }
      if (nm && !FindAttribute(e, b)) {
        std::string mine =
            nm->from == e.name ? Singular(nm->from) + "_id" : Singular(nm->to) + "_id";
        std::string other =
            nm->from == e.name ? Singular(nm->to) + "_id" : Singular(nm->from) + "_id";
        if (Singular(nm->from) + "_id" == Singular(nm->to) + "_id") {
          return Status::InvalidArgument(
                     "access pattern \"" + p.name +
                     "\": a self N:M relationship cannot be queried by its partner")
              .WithSpan(p.span);
        }
        from += " JOIN " + Q(nm->name) + " AS j ON j." + QuoteIdent(mine) + " = t.id";
        where.push_back("j." + QuoteIdent(other) + " = " + param(other));
        param_from = Q(nm->name);
        continue;
      }
      std::string c = ColumnFor(e.name, b);
      if (std::find(eq.begin(), eq.end(), c) == eq.end()) eq.push_back(c);
    }
    std::vector<std::string> eq_where;
    for (const std::string& c : eq) eq_where.push_back("t." + QuoteIdent(c) + " = " + param(c));
    where.insert(where.begin(), eq_where.begin(), eq_where.end());
    if (m_.options.soft_delete) where.push_back("t.deleted_at IS NULL");
    std::vector<std::string> out_cols;
    for (const std::string& c : OutputColumns(e)) out_cols.push_back("t." + c);
    std::string sql;
    std::string pick_order = "ORDER BY id OFFSET " +
                             std::to_string(std::max<int64_t>(0, Scaled(e.rows) / 2)) + " LIMIT 1";
    switch (p.kind) {
      case PatternKind::kLookup:
        q.kind = "lookup";
        sql = "SELECT " + Join(out_cols, ", ") + "\nFROM " + from + "\nWHERE " +
              Join(where, "\n  AND ");
        break;
      case PatternKind::kList: {
        q.kind = "list";
        std::string order = "t.created_at DESC, t.id DESC";
        if (!p.order.empty() && p.order != "newest") {
          std::string col = p.order;
          bool desc = EndsWith(col, " desc");
          if (desc) col = col.substr(0, col.size() - 5);
          order = "t." + QuoteIdent(col) + (desc ? " DESC" : "") + ", t.id" + (desc ? " DESC" : "");
        }
        sql = "SELECT " + Join(out_cols, ", ") + "\nFROM " + from +
              (where.empty() ? "" : "\nWHERE " + Join(where, "\n  AND ")) + "\nORDER BY " + order +
              "\nLIMIT " + std::to_string(p.limit);
        break;
      }
      case PatternKind::kSearch: {
        q.kind = "search";
        std::string c = QuoteIdent(p.text);
        std::string ph = "$" + std::to_string(n + 1);
        where.push_back("t." + c + " ILIKE '%' || " + ph + " || '%'");
        sql = "SELECT " + Join(out_cols, ", ") + "\nFROM " + from + "\nWHERE " +
              Join(where, "\n  AND ") + "\nLIMIT " + std::to_string(p.limit);
        ++n;
        param_cols.push_back("substr(" + c + ", 2, 4)");
        break;
      }
      case PatternKind::kReport: {
        q.kind = "report";
        std::string time = p.time.empty() ? "created_at" : p.time;
        std::string ph = "$" + std::to_string(n + 1);
        where.push_back("t." + QuoteIdent(time) + " >= " + ph + "::timestamptz");
        where.push_back("t." + QuoteIdent(time) + " < " + ph +
                        "::timestamptz + interval '30 days'");
        std::string agg = "count(*) AS total_rows";
        if (!p.sum.empty()) agg += ", sum(t." + QuoteIdent(p.sum) + ") AS sum_" + p.sum;
        sql = "SELECT date_trunc('" + p.per + "', t." + QuoteIdent(time) + ") AS " + p.per + ", " +
              agg + "\nFROM " + from + "\nWHERE " + Join(where, "\n  AND ") +
              "\nGROUP BY 1\nORDER BY 1";
        ++n;
        param_cols.push_back("(SELECT max(" + QuoteIdent(time) + ") FROM " + Q(e.name) +
                             ") - interval '30 days'");
        break;
      }
    }
    q.sql = sql;
    if (!param_cols.empty()) {
      std::vector<std::string> sel;
      for (const std::string& c : param_cols) {
        sel.push_back(c.find('(') == std::string::npos ? QuoteIdent(c) + "::text"
                                                       : "(" + c + ")::text");
      }
      bool filtered = p.kind == PatternKind::kSearch;
      q.param_sql = "SELECT " + Join(sel, ", ") + " FROM " + param_from +
                    (filtered ? " WHERE " + QuoteIdent(p.text) + " IS NOT NULL" : "") + " " +
                    (param_from == Q(e.name) ? pick_order : "LIMIT 1");
      if (m_.options.soft_delete && param_from == Q(e.name)) {
        q.param_sql = "SELECT " + Join(sel, ", ") + " FROM " + param_from +
                      " WHERE deleted_at IS NULL" +
                      (filtered ? " AND " + QuoteIdent(p.text) + " IS NOT NULL" : "") +
                      " ORDER BY id LIMIT 1";
      }
    }
    out_.queries.push_back(q);
    return Status::OK();
  }

  void Partitions() {
    for (const Entity& e : m_.entities) {
      int64_t projected = e.rows + e.growth_per_month * 36;
      if (projected < m_.options.partition_rows) continue;
      PartitionProposal p;
      p.table = e.name;
      p.projected_rows = projected;
      p.key = m_.options.audit ? "created_at" : "id";
      p.reason = "about " + std::to_string(projected) + " rows after three years (" +
                 std::to_string(e.rows) + " now" + (e.growth.empty() ? "" : ", " + e.growth) +
                 ") is past " + std::to_string(m_.options.partition_rows) +
                 ": monthly range partitions keep each index small, let old months be detached "
                 "or dropped instead of DELETEd, and let queries on recent rows prune the rest";
      if (m_.options.audit) {
        p.ddl = "-- the primary key must include the partition key\nCREATE TABLE " + Q(e.name) +
                " (... , PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);\n"
                "CREATE TABLE " +
                Q(e.name + "_2026_01") + " PARTITION OF " + Q(e.name) +
                "\n    FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00');";
      } else {
        p.ddl = "CREATE TABLE " + Q(e.name) + " (...) PARTITION BY HASH (id);";
      }
      out_.partitions.push_back(p);
    }
  }

  const Model& m_;
  BuildOptions opt_;
  SchemaDesign out_;
  bool needs_btree_gist_ = false;
  std::string immutable_fn_;
  std::map<std::pair<std::string, std::string>, StatusChoice> statuses_;
  std::map<std::string, std::string> lookup_rows_;  // the lookup table's INSERT
  std::map<std::string, std::vector<std::vector<std::string>>> leading_;
  std::vector<std::string> foreign_keys_;
  std::vector<std::string> late_;
  std::vector<std::string> comments_;
};

}  // namespace

std::string SchemaDesign::Ddl() const {
  std::string out;
  for (const std::string& s : statements) out += s + ";\n\n";
  return out;
}

Result<SchemaDesign> BuildSchema(const Model& model, const BuildOptions& options) {
  if (!(options.scale > 0)) return Status::InvalidArgument("scale must be > 0");
  Builder b(model, options);
  return b.Build();
}

std::string NamingConventionYaml() {
  return "naming:\n"
         "  table: '^[a-z][a-z0-9_]*$'\n"
         "  column: '^[a-z][a-z0-9_]*$'\n"
         "  index: '^{table}_[a-z0-9_]+_(idx|key)$'\n"
         "  primary_key: '^{table}_pkey$'\n"
         "  foreign_key: '^{table}_[a-z0-9_]+_fkey$'\n"
         "  unique: '^{table}_[a-z0-9_]+_key$'\n"
         "  constraint: '^{table}_[a-z0-9_]+_(check|excl)$'\n";
}

}  // namespace dbarch::design
