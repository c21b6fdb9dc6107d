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

// 11200000 -> "11.2M", 400000 -> "400k", 950 -> "950": counts as the model writes them.
std::string FormatCount(int64_t n) {
  auto fmt = [](double v, const char* unit) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    std::string s = buf;
    if (EndsWith(s, ".0")) s.resize(s.size() - 2);
    return s + unit;
  };
  if (n >= 1000000) return fmt(static_cast<double>(n) / 1e6, "M");
  if (n >= 1000) return fmt(static_cast<double>(n) / 1e3, "k");
  return std::to_string(n);
}

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
    PlanPartitions();
    Notes();
    for (const Entity& e : m_.entities) {
      for (const NoOverlap& n : e.no_overlap) {
        if (!n.per.empty()) needs_btree_gist_ = true;
      }
    }
    if (needs_btree_gist_) Add("CREATE EXTENSION IF NOT EXISTS btree_gist");
    if (HasImmutable() || !partition_key_.empty()) AddImmutableFunction();
    if (m_.options.audit) AddUpdatedAtFunction();
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
    for (const PatternIndex& i : out_.pattern_indexes) Add(i.ddl);
    for (const ForeignKeyIndex& i : out_.fk_indexes) Add(i.ddl);
    for (const std::string& s : late_) Add(s);
    for (const std::string& s : comments_) Add(s);
    for (const AccessPattern& p : m_.patterns) DBARCH_RETURN_IF_ERROR(Pattern(p));
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
      out_.notes.push_back(
          "Multi-tenant: every table but `" + o.tenant +
          "` and the shared ones has `tenant_id` (NOT NULL, foreign key to `" + o.tenant +
          "`); unique keys and access-pattern queries include it. A reference between two "
          "tenant-scoped tables is the composite foreign key (tenant_id, <parent>_id) -> "
          "parent (tenant_id, id), backed by UNIQUE (tenant_id, id) on the parent, so the server "
          "rejects a row that points at another tenant's row (a plain <parent>_id key would "
          "accept it); optional references are cleared with ON DELETE SET NULL (<parent>_id) "
          "only, tenant_id staying.");
    }
    if (!out_.partitions.empty()) {
      std::vector<std::string> names;
      for (const PartitionProposal& p : out_.partitions) names.push_back("`" + p.table + "`");
      out_.notes.push_back(
          "Partitioned: " + Join(names, ", ") +
          " (rows at the horizon reach partition_rows; see Partitioning): range partitions by "
          "month on the time column. PostgreSQL 15 requires every primary and unique key of a "
          "partitioned table to include the partition key, so the primary key is (id, <key>) "
          "and unique keys end with it: uniqueness is then enforced per creation time, and "
          "values that must be unique across all time come from a sequence or are checked "
          "by the application. A foreign key to a partitioned table carries the parent's "
          "partition key in a column of its own (<parent>_<key>) and references (id, <key>): "
          "the referenced key stays a real unique key, the check stays the server's, and "
          "the parent's key column is immutable (trigger), so a referenced row never moves.");
    }
    for (const std::string& n : partition_notes_) out_.notes.push_back(n);
    if (o.soft_delete) {
      out_.notes.push_back(
          "Soft delete: `deleted_at timestamptz` (NULL = live); unique keys are "
          "partial unique indexes over live rows and queries read live rows only.");
    }
    if (o.audit) {
      out_.notes.push_back(
          "Audit columns: `created_at` and `updated_at` (timestamptz, NOT NULL, "
          "default now()); a BEFORE UPDATE trigger (`set_updated_at()`) sets updated_at to "
          "now() on every update, so no code path can forget it.");
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
        cs.min = DataFrom();
        cs.max = DataTo();
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
    // Partitioned: every primary and unique key includes the partition key (PostgreSQL 15
    // enforces them per partition).
    const std::string pkey = PartitionKey(e.name);
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
      Reference ref = ReferenceTo(e.name, col, r.to);
      cols.push_back("    " + QuoteIdent(col) + " bigint" + (r.required ? " NOT NULL" : ""));
      std::string what = std::string(r.kind == Cardinality::kOneToOne ? "1:1" : "N:1") + " -> " +
                         r.to + (r.owned ? " (owned, cascade)" : "");
      if (ref.local.size() > 1) what += "; key (" + Join(ref.local, ", ") + ")";
      td.columns.push_back(
          {col, "bigint", r.required, "reference", "foreign key " + what, r.description});
      if (!ref.carry.empty()) {
        cols.push_back("    " + QuoteIdent(ref.carry) + " timestamp with time zone" +
                       (r.required ? " NOT NULL" : ""));
        td.columns.push_back({ref.carry, "timestamptz", r.required, "reference",
                              "part of the foreign key to " + r.to + " (its partition key)",
                              PartitionKey(r.to) + " of the referenced row"});
        comments_.push_back(
            "COMMENT ON COLUMN " + Q(e.name) + "." + QuoteIdent(ref.carry) + " IS " +
            Lit("The referenced " + Singular(r.to) + "'s " + PartitionKey(r.to) + ": " + r.to +
                " is partitioned by it, so its referenced key "
                "(and this foreign key) include it"));
        if (!r.required) ts.columns[ref.carry].null_fraction = 0.2;
      }
      foreign_keys_.push_back("ALTER TABLE " + Q(e.name) + " ADD CONSTRAINT " +
                              Ident63(e.name + "_" + col + "_fkey") + " FOREIGN KEY (" +
                              Columns(ref.local) + ") REFERENCES " + Q(r.to) + " (" +
                              Columns(ref.remote) + ")" + OnDelete(r.owned, r.required, ref));
      fk_refs_[e.name].push_back(ref.local);
      std::string comment =
          (r.description.empty() ? "" : r.description + ". ") +
          std::string(r.kind == Cardinality::kOneToOne ? "One-to-one" : "Many-to-one") + " to " +
          r.to + (r.owned ? "; owned: deleted with it" : "");
      comments_.push_back("COMMENT ON COLUMN " + Q(e.name) + "." + QuoteIdent(col) + " IS " +
                          Lit(comment));
      if (r.kind == Cardinality::kOneToOne) {
        std::vector<std::string> key = key_prefix;
        key.push_back(col);
        if (!pkey.empty()) key.push_back(pkey);
        uniques.push_back(Join(key, ","));
      }
      if (!r.required) ts.columns[col].null_fraction = 0.2;
    }
    for (const Attribute& a : e.attributes) {
      AttributeColumns(e.name, a, cols, checks, td, ts);
      if (a.unique) {
        std::vector<std::string> key = key_prefix;
        key.push_back(a.name);
        if (!pkey.empty() && a.name != pkey) key.push_back(pkey);
        uniques.push_back(Join(key, ","));
      }
    }
    for (const auto& group : e.unique_together) {
      std::vector<std::string> key = key_prefix;
      for (const std::string& n : group) {
        std::string c = ColumnFor(e.name, n);
        if (std::find(key.begin(), key.end(), c) == key.end()) key.push_back(c);
      }
      if (!pkey.empty() && std::find(key.begin(), key.end(), pkey) == key.end()) {
        key.push_back(pkey);
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
      created.min = DataFrom();
      created.max = DataTo();
      ts.columns["created_at"] = created;
      // updated_at >= created_at: drawn over the same span, so the rule that orders them
      // keeps created_at inside it (and inside the partitions of a partitioned table).
      ts.columns["updated_at"] = created;
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
    body.push_back("    CONSTRAINT " + Ident63(e.name + "_pkey") + " PRIMARY KEY (id" +
                   (pkey.empty() ? "" : ", " + QuoteIdent(pkey)) + ")");
    leading_[e.name].push_back({"id"});
    if (Tenanted(e.name) && ReferencedByTenanted(e.name)) {
      // The key tenant-scoped foreign keys reference: (tenant_id, id) is unique because id
      // is; declaring it lets a child's (tenant_id, parent_id) be checked against it.
      std::vector<std::string> key = {"tenant_id", "id"};
      if (!pkey.empty()) key.push_back(pkey);
      body.push_back("    CONSTRAINT " + Ident63(e.name + "_" + Join(key, "_") + "_key") +
                     " UNIQUE (" + Columns(key) + ")");
      leading_[e.name].push_back(key);
    }
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
        // Over live rows only. A partial unique index cannot be referenced nor support a
        // foreign key, but it serves the queries, which read live rows only.
        served_[e.name].push_back(parts);
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
    Add("CREATE TABLE " + Q(e.name) + " (\n" + Join(body, ",\n") + "\n)" +
        (pkey.empty() ? "" : " PARTITION BY RANGE (" + QuoteIdent(pkey) + ")"));
    if (!pkey.empty()) AddPartitions(e.name);
    std::vector<std::string> immutable;
    for (const Attribute& a : e.attributes) {
      if (a.immutable) immutable.push_back(Lit(a.name));
    }
    // A row's partition key is its place: changing it would move the row to another
    // partition and break the foreign keys that carry it.
    if (!pkey.empty() &&
        std::find(immutable.begin(), immutable.end(), Lit(pkey)) == immutable.end()) {
      immutable.push_back(Lit(pkey));
    }
    if (!immutable.empty()) {
      late_.push_back("CREATE TRIGGER " + QuoteIdent(Ident63(e.name + "_immutable_trg")) +
                      " BEFORE UPDATE ON " + Q(e.name) + " FOR EACH ROW EXECUTE FUNCTION " +
                      immutable_fn_ + "(" + Join(immutable, ", ") + ")");
    }
    if (m_.options.audit) {
      late_.push_back("CREATE TRIGGER " + QuoteIdent(Ident63(e.name + "_updated_at_trg")) +
                      " BEFORE UPDATE ON " + Q(e.name) + " FOR EACH ROW EXECUTE FUNCTION " +
                      updated_at_fn_ + "()");
    }
    std::string comment = e.description.empty() ? e.name : e.description;
    comment += " (expected rows: " + std::to_string(e.rows) +
               (e.growth.empty() ? "" : ", growth " + e.growth) + ")";
    comments_.push_back("COMMENT ON TABLE " + Q(e.name) + " IS " + Lit(comment));
    if (!pkey.empty()) PartitionedPatternIndexes(e);
    // Foreign key indexes after the table's own keys, so a key that leads with the columns
    // counts as the support, and a (tenant_id, parent_id) index as that of tenant_id.
    for (const std::vector<std::string>& local : fk_refs_[e.name]) AddFkIndex(e.name, local);
    if (Tenanted(e.name)) AddFkIndex(e.name, {"tenant_id"});
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
    // Pairs drawn evenly: a skewed draw repeats the popular pairs, which the primary key
    // rejects (and with a tenant the second side is drawn within the first one's tenant).
    ts.columns[a].distribution = datagen::Distribution::kUniform;
    ts.columns[b].distribution = datagen::Distribution::kUniform;
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
    Reference ref_a = ReferenceTo(r.name, a, r.from);
    Reference ref_b = ReferenceTo(r.name, b, r.to);
    cols.push_back("    " + QuoteIdent(a) + " bigint NOT NULL");
    cols.push_back("    " + QuoteIdent(b) + " bigint NOT NULL");
    for (const auto& [ref, to] : {std::pair{&ref_a, r.from}, std::pair{&ref_b, r.to}}) {
      std::string col = ref->local[ref->local.size() - (ref->carry.empty() ? 1 : 2)];
      td.columns.push_back(
          {col, "bigint", true, "reference",
           "foreign key -> " + to + " (cascade)" +
               (ref->local.size() > 1 ? "; key (" + Join(ref->local, ", ") + ")" : ""),
           ""});
      foreign_keys_.push_back("ALTER TABLE " + Q(r.name) + " ADD CONSTRAINT " +
                              Ident63(r.name + "_" + col + "_fkey") + " FOREIGN KEY (" +
                              Columns(ref->local) + ") REFERENCES " + Q(to) + " (" +
                              Columns(ref->remote) + ") ON DELETE CASCADE");
    }
    for (const auto& [ref, to] : {std::pair{&ref_a, r.from}, std::pair{&ref_b, r.to}}) {
      if (ref->carry.empty()) continue;
      cols.push_back("    " + QuoteIdent(ref->carry) + " timestamp with time zone NOT NULL");
      td.columns.push_back({ref->carry, "timestamptz", true, "reference",
                            "part of the foreign key to " + to + " (its partition key)", ""});
    }
    for (const Attribute& at : r.attributes) AttributeColumns(r.name, at, cols, checks, td, ts);
    if (m_.options.audit) {
      cols.push_back("    created_at timestamp with time zone NOT NULL DEFAULT now()");
      td.columns.push_back(
          {"created_at", "timestamptz", true, "audit", "default now()", "when the link was made"});
      datagen::ColumnSpec created;
      created.distribution = datagen::Distribution::kTimeSeries;
      created.min = DataFrom();
      created.max = DataTo();
      ts.columns["created_at"] = created;
    }
    std::vector<std::string> body = cols;
    // Tenant-scoped: the key leads with tenant_id, so it also supports the foreign keys
    // (tenant_id) and (tenant_id, <from>_id).
    std::vector<std::string> pk = {a, b};
    if (Tenanted(r.name)) pk.insert(pk.begin(), "tenant_id");
    body.push_back("    CONSTRAINT " + Ident63(r.name + "_pkey") + " PRIMARY KEY (" + Columns(pk) +
                   ")");
    for (const std::string& c : checks) body.push_back(c);
    leading_[r.name].push_back(pk);
    Add("CREATE TABLE " + Q(r.name) + " (\n" + Join(body, ",\n") + "\n)");
    comments_.push_back(
        "COMMENT ON TABLE " + Q(r.name) + " IS " +
        Lit(td.description + " (junction; expected rows: " + std::to_string(td.rows) + ")"));
    AddFkIndex(r.name, ref_a.local);
    AddFkIndex(r.name, ref_b.local);
    if (Tenanted(r.name)) AddFkIndex(r.name, {"tenant_id"});
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
        if (Tenanted(nm->name) && Tenanted(e.name)) from += " AND j.tenant_id = t.tenant_id";
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

  // "YYYY-MM-01" of the month `offset` months after options.start.
  std::string Month(int offset) const {
    int year = std::stoi(m_.options.start.substr(0, 4));
    int month = std::stoi(m_.options.start.substr(5, 2)) - 1 + offset;
    year += month / 12;
    month %= 12;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-01", year, month + 1);
    return buf;
  }
  // Generated points in time span the first two years from options.start (less with a shorter
  // horizon), so they fall into the partitions of the horizon.
  std::string DataFrom() const { return Month(0); }
  std::string DataTo() const { return Month(std::min(24, m_.options.horizon_months)); }

  // The partition key of `table` ("" = not partitioned).
  std::string PartitionKey(const std::string& table) const {
    auto it = partition_key_.find(table);
    return it == partition_key_.end() ? "" : it->second;
  }

  // Which entities are partitioned, decided before any table is written: the primary key,
  // unique keys and every foreign key that references a partitioned table depend on it.
  void PlanPartitions() {
    const Options& o = m_.options;
    for (const Entity& e : m_.entities) {
      int64_t projected = e.rows + e.growth_per_month * o.horizon_months;
      if (projected < o.partition_rows) continue;
      std::string at = "about " + FormatCount(projected) + " rows at the model's horizon (" +
                       FormatCount(e.rows) + " now" +
                       (e.growth.empty() ? ""
                                         : " + " + e.growth + " x " +
                                               std::to_string(o.horizon_months) + " months") +
                       ") reach partition_rows (" + FormatCount(o.partition_rows) + ")";
      // The natural time column: the insert time (audit), else a required timestamp.
      std::string key;
      if (o.audit) {
        key = "created_at";
      } else {
        for (const Attribute& a : e.attributes) {
          if (a.type == SemanticType::kTimestamp && a.required) {
            key = a.name;
            break;
          }
        }
      }
      if (!e.no_overlap.empty()) {
        partition_notes_.push_back(
            "Not partitioned: `" + e.name + "`: " + at +
            ", but PostgreSQL 15 has no exclusion constraints on partitioned "
            "tables and its no_overlap needs one.");
        continue;
      }
      if (key.empty()) {
        partition_notes_.push_back("Not partitioned: `" + e.name + "`: " + at +
                                   ", but it has no time column to range-partition by (no audit "
                                   "columns and no required timestamp attribute).");
        continue;
      }
      partition_key_[e.name] = key;
      PartitionProposal p;
      p.table = e.name;
      p.projected_rows = projected;
      p.key = key;
      p.months = o.horizon_months;
      p.first = Q(e.name + "_" + Replace(Month(0).substr(0, 7), "-", "_"));
      p.last = Q(e.name + "_" + Replace(Month(o.horizon_months - 1).substr(0, 7), "-", "_"));
      p.reason = at + ": monthly range partitions on `" + key +
                 "` keep each partition and its indexes small, let a month be detached or "
                 "dropped instead of DELETEd, and let queries bounded in time scan only their "
                 "months; " +
                 std::to_string(o.horizon_months) + " monthly partitions from " +
                 Month(0).substr(0, 7) +
                 " cover the horizon and a DEFAULT partition takes rows outside it (create the "
                 "next months ahead of time, a DEFAULT that fills up is the signal)";
      out_.partitions.push_back(p);
    }
  }

  // The partitions of a partitioned table: one per month of the horizon, and DEFAULT.
  void AddPartitions(const std::string& table) {
    const std::string& tz = m_.options.time_zone;
    auto bound = [&](int i) { return Lit(Month(i) + " 00:00:00 " + tz); };
    for (int i = 0; i < m_.options.horizon_months; ++i) {
      std::string name = Ident63(table + "_" + Replace(Month(i).substr(0, 7), "-", "_"));
      Add("CREATE TABLE " + Q(name) + " PARTITION OF " + Q(table) + "\n    FOR VALUES FROM (" +
          bound(i) + ") TO (" + bound(i + 1) + ")");
    }
    Add("CREATE TABLE " + Q(Ident63(table + "_default")) + " PARTITION OF " + Q(table) +
        " DEFAULT");
  }

  // Whether a tenant-scoped table references `table` (which then needs a key with tenant_id).
  bool ReferencedByTenanted(const std::string& table) const {
    for (const Relationship& r : m_.relationships) {
      if (r.kind != Cardinality::kManyToMany && r.to == table && Tenanted(r.from)) return true;
      if (r.kind == Cardinality::kManyToMany && (r.from == table || r.to == table) &&
          Tenanted(r.name)) {
        return true;
      }
    }
    return false;
  }

  // The columns of a foreign key from `table`.`column` to `to`: with a tenant on both sides
  // (tenant_id, column) -> (tenant_id, id), so a row can only reference a row of its own
  // tenant; when `to` is partitioned its partition key joins both sides (PostgreSQL 15 needs
  // a referenced key that includes it), kept in the column `carry`.
  struct Reference {
    std::vector<std::string> local;
    std::vector<std::string> remote;
    std::string carry;  // "" none
  };
  Reference ReferenceTo(const std::string& table, const std::string& column,
                        const std::string& to) const {
    Reference ref;
    if (Tenanted(table) && Tenanted(to)) {
      ref.local.push_back("tenant_id");
      ref.remote.push_back("tenant_id");
    }
    ref.local.push_back(column);
    ref.remote.push_back("id");
    std::string key = PartitionKey(to);
    if (!key.empty()) {
      std::string stem = EndsWith(column, "_id") ? column.substr(0, column.size() - 3) : column;
      ref.carry = stem + "_" + key;
      ref.local.push_back(ref.carry);
      ref.remote.push_back(key);
    }
    return ref;
  }

  static std::string Columns(const std::vector<std::string>& cols) {
    std::vector<std::string> quoted;
    for (const std::string& c : cols) quoted.push_back(QuoteIdent(c));
    return Join(quoted, ", ");
  }

  // ON DELETE of a foreign key: owned rows go with their parent; optional references are
  // cleared (only the reference's own columns: tenant_id stays); required ones restrict.
  std::string OnDelete(bool owned, bool required, const Reference& ref) const {
    if (owned) return " ON DELETE CASCADE";
    if (!required) {
      std::vector<std::string> own;
      for (const std::string& c : ref.local) {
        if (c != "tenant_id") own.push_back(c);
      }
      if (own.size() == ref.local.size()) return " ON DELETE SET NULL";
      return " ON DELETE SET NULL (" + Columns(own) + ")";
    }
    return " ON DELETE RESTRICT";
  }

  // The indexes of the access patterns on a partitioned entity: equality columns (tenant_id
  // first), then the list order or the report's time column. Each partition gets its own
  // copy, so a pattern reads a few pages of each partition it cannot prune.
  void PartitionedPatternIndexes(const Entity& e) {
    std::set<std::vector<std::string>> seen;
    for (const AccessPattern& p : m_.patterns) {
      if (p.entity != e.name || p.kind == PatternKind::kSearch) continue;
      std::vector<std::string> cols;
      if (Tenanted(e.name)) cols.push_back("tenant_id");
      bool joined = false;
      for (const std::string& b : p.by) {
        if (!FindAttribute(e, b) && ColumnFor(e.name, b) == b) joined = true;  // N:M partner
        std::string c = ColumnFor(e.name, b);
        if (std::find(cols.begin(), cols.end(), c) == cols.end()) cols.push_back(c);
      }
      if (joined) continue;
      size_t equal = cols.size();
      std::string what = "equality on (" + Join(cols, ", ") + ")";
      if (p.kind == PatternKind::kList) {
        std::string order = "created_at";
        if (!p.order.empty() && p.order != "newest") {
          order = EndsWith(p.order, " desc") ? p.order.substr(0, p.order.size() - 5) : p.order;
        }
        for (const std::string& c : {order, std::string("id")}) {
          if (std::find(cols.begin(), cols.end(), c) == cols.end()) cols.push_back(c);
        }
        what += ", rows read in the pattern's order (" + order + ", id) up to its LIMIT";
      } else if (p.kind == PatternKind::kReport) {
        std::string time = p.time.empty() ? "created_at" : p.time;
        if (std::find(cols.begin(), cols.end(), time) == cols.end()) cols.push_back(time);
        what += ", then the range on " + time;
      }
      if (cols.empty() || (equal == 0 && cols.size() <= 1) || !seen.insert(cols).second) continue;
      // A key that leads with the columns serves the pattern already.
      bool served = false;
      for (const auto* keys : {&leading_[e.name], &served_[e.name]}) {
        for (const std::vector<std::string>& k : *keys) {
          served = served ||
                   (k.size() >= cols.size() && std::equal(cols.begin(), cols.end(), k.begin()));
        }
      }
      if (served) continue;
      PatternIndex i;
      i.table = e.name;
      i.name = Ident63(e.name + "_" + Join(cols, "_") + "_idx");
      i.columns = cols;
      i.pattern = p.name;
      i.ddl =
          "CREATE INDEX " + QuoteIdent(i.name) + " ON " + Q(e.name) + " (" + Columns(cols) + ")";
      i.rationale = "access pattern \"" + p.name + "\": " + what +
                    "; built on every partition (the advisor's what-if cannot weigh indexes "
                    "on a partitioned table, so the design derives this one from the pattern)";
      leading_[e.name].push_back(cols);
      out_.pattern_indexes.push_back(i);
    }
  }

  void AddUpdatedAtFunction() {
    updated_at_fn_ = Q("set_updated_at");
    Add("CREATE FUNCTION " + updated_at_fn_ +
        "() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
        "BEGIN\n"
        "  NEW.updated_at := now();\n"
        "  RETURN NEW;\n"
        "END\n"
        "$fn$");
    comments_.push_back("COMMENT ON FUNCTION " + updated_at_fn_ + "() IS " +
                        Lit("Sets updated_at to the transaction's time on every UPDATE (audit "
                            "columns)"));
  }

  const Model& m_;
  BuildOptions opt_;
  SchemaDesign out_;
  bool needs_btree_gist_ = false;
  std::string immutable_fn_;
  std::string updated_at_fn_;
  std::vector<std::string> partition_notes_;  // why a large table is not partitioned
  std::map<std::string, std::vector<std::vector<std::string>>> fk_refs_;
  // table -> partial unique indexes (soft delete): they serve the live-row queries only
  std::map<std::string, std::vector<std::vector<std::string>>> served_;  // table -> FK columns
  std::map<std::string, std::string> partition_key_;  // partitioned entity -> its key column
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
