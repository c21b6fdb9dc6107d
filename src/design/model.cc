#include "design/model.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "base/strings.h"
#include "base/yaml_span.h"
#include "datagen/spec.h"

namespace dbarch::design {

namespace {

struct TypeName {
  const char* name;
  SemanticType type;
};

constexpr TypeName kTypes[] = {
    {"id", SemanticType::kId},
    {"name", SemanticType::kName},
    {"email", SemanticType::kEmail},
    {"phone", SemanticType::kPhone},
    {"url", SemanticType::kUrl},
    {"money", SemanticType::kMoney},
    {"percentage", SemanticType::kPercentage},
    {"quantity", SemanticType::kQuantity},
    {"integer", SemanticType::kInteger},
    {"decimal", SemanticType::kDecimal},
    {"boolean", SemanticType::kBoolean},
    {"country_code", SemanticType::kCountryCode},
    {"currency_code", SemanticType::kCurrencyCode},
    {"language_code", SemanticType::kLanguageCode},
    {"status", SemanticType::kStatus},
    {"text", SemanticType::kText},
    {"json", SemanticType::kJson},
    {"timestamp", SemanticType::kTimestamp},
    {"date", SemanticType::kDate},
    {"date_range", SemanticType::kDateRange},
    {"time_range", SemanticType::kTimeRange},
    {"geo_point", SemanticType::kGeoPoint},
};

// Reads one YAML file into a Model; every error carries the span of the node it is about.
class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  SourceSpan Span(const YAML::Node& node) const {
    if (node.IsDefined() && node.Mark().line >= 0) return SpanOfYamlMark(path_, node.Mark());
    SourceSpan span;
    span.file = path_;
    return span;
  }
  Status Error(const YAML::Node& node, const std::string& msg) const {
    return Status::InvalidArgument(msg).WithSpan(Span(node));
  }
  Status Error(const SourceSpan& span, const std::string& msg) const {
    return Status::InvalidArgument(msg).WithSpan(span);
  }

  // Rejects keys outside `known`, with "did you mean".
  Status CheckKeys(const YAML::Node& map, const std::vector<std::string>& known,
                   const std::string& what) const {
    for (const auto& kv : map) {
      std::string key = kv.first.as<std::string>();
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      Status st = Error(kv.first, "unknown key \"" + key + "\" in " + what);
      std::string near = ClosestMatch(key, known);
      if (!near.empty()) return std::move(st).WithHint("did you mean \"" + near + "\"?");
      return std::move(st).WithHint("known keys: " + Join(known, ", "));
    }
    return Status::OK();
  }

  Result<std::string> Name(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar()) return Error(node, what + " must be a name");
    std::string s = node.as<std::string>();
    static const std::regex kIdent("^[a-z][a-z0-9_]{0,62}$");
    if (!std::regex_match(s, kIdent)) {
      return Error(node, what + " \"" + s + "\" is not a lower-case snake_case name")
          .WithHint("names become SQL identifiers: [a-z][a-z0-9_]*, at most 63 characters");
    }
    return s;
  }

  Result<bool> Bool(const YAML::Node& node, const std::string& what) const {
    bool b = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, b)) {
      return Error(node, what + " must be true or false");
    }
    return b;
  }

  Result<int64_t> Count(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar()) return Error(node, what + " must be a count such as 5000 or 2M");
    auto n = datagen::ParseCount(node.as<std::string>());
    if (!n.ok() || *n < 0) return Error(node, what + " must be a count such as 5000 or 2M");
    return *n;
  }

  Result<std::vector<std::string>> Names(const YAML::Node& node, const std::string& what) const {
    std::vector<std::string> out;
    if (node.IsScalar()) {
      DBARCH_ASSIGN_OR_RETURN(std::string s, Name(node, what));
      out.push_back(s);
      return out;
    }
    if (!node.IsSequence()) return Error(node, what + " must be a name or a list of names");
    for (const auto& item : node) {
      DBARCH_ASSIGN_OR_RETURN(std::string s, Name(item, what));
      out.push_back(s);
    }
    return out;
  }

  // "200/min", "5/s", "30/hour", "100/day" -> calls per minute.
  Result<double> Frequency(const YAML::Node& node) const {
    static const std::regex kFreq(
        R"(^\s*([0-9]+(?:\.[0-9]+)?)\s*([kM]?)\s*/\s*(s|sec|second|min|minute|h|hour|day)\s*$)");
    std::smatch m;
    std::string s = node.IsScalar() ? node.as<std::string>() : "";
    if (!std::regex_match(s, m, kFreq)) {
      return Error(node, "frequency \"" + s + "\" is not a rate")
          .WithHint("write calls per unit: 200/s, 30/min, 5/hour, 100/day");
    }
    double n = std::stod(m[1].str());
    if (m[2] == "k") n *= 1e3;
    if (m[2] == "M") n *= 1e6;
    std::string unit = m[3].str();
    if (unit == "s" || unit == "sec" || unit == "second") return n * 60;
    if (unit == "min" || unit == "minute") return n;
    if (unit == "h" || unit == "hour") return n / 60;
    return n / 1440;
  }

  Result<Attribute> ParseAttribute(const std::string& name, const YAML::Node& node) const {
    Attribute a;
    a.name = name;
    a.span = Span(node);
    // Shorthand `email: email` has only a type. (yaml-cpp's Node assignment writes through
    // to the node assigned to, so the map is a fresh node, never `node` reassigned.)
    YAML::Node spec = node.IsScalar() ? YAML::Node(YAML::NodeType::Map) : YAML::Node(node);
    if (!node.IsScalar() && !node.IsMap()) {
      return Error(node, "attribute \"" + name + "\" must be a type name or a map");
    }
    DBARCH_RETURN_IF_ERROR(
        CheckKeys(spec, ModelKeys().at("attribute"), "attribute \"" + name + "\""));
    YAML::Node type = node.IsScalar() ? node : spec["type"];
    if (!type) return Error(node, "attribute \"" + name + "\" has no type");
    std::string type_name = type.as<std::string>();
    auto t = SemanticTypeFromName(type_name);
    if (!t) {
      Status st = Error(node.IsScalar() ? node : type, "unknown semantic type \"" + type_name +
                                                           "\" of attribute \"" + name + "\"");
      std::string near = ClosestMatch(type_name, SemanticTypeNames());
      if (!near.empty()) return std::move(st).WithHint("did you mean \"" + near + "\"?");
      return std::move(st).WithHint("types: " + Join(SemanticTypeNames(), ", "));
    }
    a.type = *t;
    if (spec["required"]) {
      DBARCH_ASSIGN_OR_RETURN(a.required, Bool(spec["required"], "required"));
    }
    if (spec["unique"]) {
      DBARCH_ASSIGN_OR_RETURN(a.unique, Bool(spec["unique"], "unique"));
    }
    if (spec["immutable"]) {
      DBARCH_ASSIGN_OR_RETURN(a.immutable, Bool(spec["immutable"], "immutable"));
    }
    if (spec["extensible"]) {
      DBARCH_ASSIGN_OR_RETURN(a.extensible, Bool(spec["extensible"], "extensible"));
    }
    if (spec["description"]) a.description = spec["description"].as<std::string>();
    if (spec["default"]) a.default_value = spec["default"].as<std::string>();
    if (spec["max_length"]) {
      DBARCH_ASSIGN_OR_RETURN(int64_t n, Count(spec["max_length"], "max_length"));
      if (n <= 0 || n > 1000000) return Error(spec["max_length"], "max_length must be 1..1000000");
      a.max_length = static_cast<int>(n);
    }
    if (a.type == SemanticType::kMoney) {
      if (!spec["currency"]) {
        return Error(node, "money attribute \"" + name + "\" needs a currency")
            .WithHint("currency: EUR (one currency for every row) or currency: per_row");
      }
      a.currency = spec["currency"].as<std::string>();
      static const std::regex kIso("^[A-Z]{3}$");
      if (a.currency != "per_row" && !std::regex_match(a.currency, kIso)) {
        return Error(spec["currency"],
                     "currency \"" + a.currency + "\" is neither an ISO 4217 code nor per_row");
      }
    } else if (spec["currency"]) {
      return Error(spec["currency"], "currency applies to money attributes only");
    }
    if (a.type == SemanticType::kStatus) {
      YAML::Node values = spec["values"];
      if (!values || !values.IsSequence() || values.size() == 0) {
        return Error(node, "status attribute \"" + name + "\" needs its values (a list)");
      }
      std::set<std::string> seen;
      for (const auto& v : values) {
        DBARCH_ASSIGN_OR_RETURN(std::string s, Name(v, "status value"));
        if (!seen.insert(s).second) return Error(v, "status value \"" + s + "\" listed twice");
        a.values.push_back(s);
      }
      if (!a.default_value.empty() && !seen.count(a.default_value)) {
        return Error(spec["default"],
                     "default \"" + a.default_value + "\" is not one of the values");
      }
      if (spec["storage"]) {
        std::string s = spec["storage"].as<std::string>();
        if (s == "enum") {
          a.storage = StatusStorage::kEnum;
        } else if (s == "lookup") {
          a.storage = StatusStorage::kLookup;
        } else {
          return Error(spec["storage"], "storage must be enum or lookup");
        }
      }
    } else if (spec["values"] || spec["storage"]) {
      return Error(spec["values"] ? spec["values"] : spec["storage"],
                   "values and storage apply to status attributes only");
    }
    return a;
  }

  Result<std::vector<Attribute>> ParseAttributes(const YAML::Node& node,
                                                 const std::string& owner) const {
    std::vector<Attribute> out;
    if (!node) return out;
    if (!node.IsMap()) return Error(node, "attributes of \"" + owner + "\" must be a map");
    std::set<std::string> seen;
    for (const auto& kv : node) {
      DBARCH_ASSIGN_OR_RETURN(std::string name, Name(kv.first, "attribute name"));
      static const std::set<std::string> kReserved = {"id", "created_at", "updated_at",
                                                      "deleted_at", "tenant_id"};
      if (kReserved.count(name)) {
        return Error(kv.first, "attribute name \"" + name + "\" is reserved")
            .WithHint("the design adds id, tenant_id and the audit and soft-delete columns itself");
      }
      if (!seen.insert(name).second)
        return Error(kv.first, "attribute \"" + name + "\" defined twice");
      DBARCH_ASSIGN_OR_RETURN(Attribute a, ParseAttribute(name, kv.second));
      out.push_back(std::move(a));
    }
    return out;
  }

  Result<Entity> ParseEntity(const std::string& name, const YAML::Node& node) const {
    Entity e;
    e.name = name;
    e.span = Span(node);
    if (!node.IsMap()) return Error(node, "entity \"" + name + "\" must be a map");
    DBARCH_RETURN_IF_ERROR(CheckKeys(node, ModelKeys().at("entity"), "entity \"" + name + "\""));
    if (node["description"]) e.description = node["description"].as<std::string>();
    if (node["shared"]) {
      DBARCH_ASSIGN_OR_RETURN(e.shared, Bool(node["shared"], "shared"));
    }
    if (node["rows"]) {
      DBARCH_ASSIGN_OR_RETURN(e.rows, Count(node["rows"], "rows"));
      if (e.rows < 1) return Error(node["rows"], "rows must be at least 1");
    }
    if (node["growth"]) {
      e.growth = node["growth"].as<std::string>();
      static const std::regex kGrowth(R"(^\s*([0-9.]+[kM]?)\s*/\s*(day|week|month|year)\s*$)");
      std::smatch m;
      if (!std::regex_match(e.growth, m, kGrowth)) {
        return Error(node["growth"], "growth \"" + e.growth + "\" is not a rate")
            .WithHint("write rows per unit: 5k/month, 200/day, 1M/year");
      }
      auto n = datagen::ParseCount(m[1].str());
      if (!n.ok()) return Error(node["growth"], n.status().message());
      double per_month = static_cast<double>(*n);
      if (m[2] == "day") per_month *= 30;
      if (m[2] == "week") per_month *= 30.0 / 7;
      if (m[2] == "year") per_month /= 12;
      e.growth_per_month = static_cast<int64_t>(per_month);
    }
    DBARCH_ASSIGN_OR_RETURN(e.attributes, ParseAttributes(node["attributes"], name));
    if (YAML::Node ut = node["unique_together"]) {
      if (!ut.IsSequence()) return Error(ut, "unique_together must be a list of name lists");
      for (const auto& group : ut) {
        DBARCH_ASSIGN_OR_RETURN(auto names, Names(group, "unique_together member"));
        e.unique_together.push_back(names);
        unique_spans_[{name, e.unique_together.size() - 1}] = Span(group);
      }
    }
    if (YAML::Node no = node["no_overlap"]) {
      if (!no.IsSequence()) return Error(no, "no_overlap must be a list");
      for (const auto& item : no) {
        if (!item.IsMap()) return Error(item, "a no_overlap entry is a map with range and per");
        DBARCH_RETURN_IF_ERROR(CheckKeys(item, ModelKeys().at("no_overlap"), "no_overlap"));
        NoOverlap n;
        n.span = Span(item);
        if (!item["range"]) return Error(item, "no_overlap needs range");
        DBARCH_ASSIGN_OR_RETURN(n.range, Name(item["range"], "range"));
        if (item["per"]) {
          DBARCH_ASSIGN_OR_RETURN(n.per, Names(item["per"], "per"));
        }
        e.no_overlap.push_back(n);
      }
    }
    return e;
  }

  Result<Relationship> ParseRelationship(const YAML::Node& node) const {
    Relationship r;
    r.span = Span(node);
    if (!node.IsMap()) return Error(node, "a relationship must be a map");
    DBARCH_RETURN_IF_ERROR(CheckKeys(node, ModelKeys().at("relationship"), "relationship"));
    if (!node["from"] || !node["to"]) return Error(node, "a relationship needs from and to");
    DBARCH_ASSIGN_OR_RETURN(r.from, Name(node["from"], "from"));
    DBARCH_ASSIGN_OR_RETURN(r.to, Name(node["to"], "to"));
    std::string kind = node["kind"] ? node["kind"].as<std::string>() : "many_to_one";
    if (kind == "many_to_one" || kind == "N:1" || kind == "n:1") {
      r.kind = Cardinality::kManyToOne;
    } else if (kind == "one_to_one" || kind == "1:1") {
      r.kind = Cardinality::kOneToOne;
    } else if (kind == "many_to_many" || kind == "N:M" || kind == "n:m") {
      r.kind = Cardinality::kManyToMany;
    } else {
      return Error(node["kind"], "unknown relationship kind \"" + kind + "\"")
          .WithHint("one of many_to_one (N:1), one_to_one (1:1), many_to_many (N:M)");
    }
    if (node["name"]) {
      DBARCH_ASSIGN_OR_RETURN(r.name, Name(node["name"], "relationship name"));
    } else {
      r.name = r.kind == Cardinality::kManyToMany ? Singular(r.from) + "_" + r.to : Singular(r.to);
    }
    if (node["required"]) {
      DBARCH_ASSIGN_OR_RETURN(r.required, Bool(node["required"], "required"));
    }
    if (node["owned"]) {
      DBARCH_ASSIGN_OR_RETURN(r.owned, Bool(node["owned"], "owned"));
    }
    if (node["description"]) r.description = node["description"].as<std::string>();
    if (node["attributes"] || node["rows"]) {
      if (r.kind != Cardinality::kManyToMany) {
        return Error(node["attributes"] ? node["attributes"] : node["rows"],
                     "attributes and rows of a relationship need kind many_to_many");
      }
      DBARCH_ASSIGN_OR_RETURN(r.attributes, ParseAttributes(node["attributes"], r.name));
      if (node["rows"]) {
        DBARCH_ASSIGN_OR_RETURN(r.rows, Count(node["rows"], "rows"));
      }
    }
    return r;
  }

  Result<AccessPattern> ParsePattern(const YAML::Node& node) const {
    AccessPattern p;
    p.span = Span(node);
    if (!node.IsMap()) return Error(node, "an access pattern must be a map");
    DBARCH_RETURN_IF_ERROR(CheckKeys(node, ModelKeys().at("access_pattern"), "access pattern"));
    if (!node["name"] || !node["entity"] || !node["kind"] || !node["frequency"]) {
      return Error(node, "an access pattern needs name, kind, entity and frequency");
    }
    p.name = node["name"].as<std::string>();
    DBARCH_ASSIGN_OR_RETURN(p.entity, Name(node["entity"], "entity"));
    std::string kind = node["kind"].as<std::string>();
    static const std::map<std::string, PatternKind> kKinds = {{"lookup", PatternKind::kLookup},
                                                              {"list", PatternKind::kList},
                                                              {"search", PatternKind::kSearch},
                                                              {"report", PatternKind::kReport}};
    auto it = kKinds.find(kind);
    if (it == kKinds.end()) {
      return Error(node["kind"], "unknown access pattern kind \"" + kind + "\"")
          .WithHint("one of lookup, list, search, report");
    }
    p.kind = it->second;
    if (node["by"]) {
      DBARCH_ASSIGN_OR_RETURN(p.by, Names(node["by"], "by"));
    }
    if (node["order"]) p.order = node["order"].as<std::string>();
    if (node["limit"]) {
      DBARCH_ASSIGN_OR_RETURN(int64_t n, Count(node["limit"], "limit"));
      if (n < 1 || n > 10000) return Error(node["limit"], "limit must be 1..10000");
      p.limit = static_cast<int>(n);
    }
    if (node["text"]) {
      DBARCH_ASSIGN_OR_RETURN(p.text, Name(node["text"], "text"));
    }
    if (node["per"]) {
      p.per = node["per"].as<std::string>();
      if (p.per != "day" && p.per != "week" && p.per != "month") {
        return Error(node["per"], "per must be day, week or month");
      }
    }
    if (node["time"]) {
      DBARCH_ASSIGN_OR_RETURN(p.time, Name(node["time"], "time"));
    }
    if (node["sum"]) {
      DBARCH_ASSIGN_OR_RETURN(p.sum, Name(node["sum"], "sum"));
    }
    p.frequency = node["frequency"].as<std::string>();
    DBARCH_ASSIGN_OR_RETURN(p.per_minute, Frequency(node["frequency"]));
    if (p.kind == PatternKind::kLookup && p.by.empty()) {
      return Error(node, "a lookup pattern needs by (the attributes it looks up by)");
    }
    if (p.kind == PatternKind::kSearch && p.text.empty()) {
      return Error(node, "a search pattern needs text (the attribute searched)");
    }
    return p;
  }

  Result<Model> Parse(const YAML::Node& root) {
    Model m;
    m.path = path_;
    if (!root.IsMap()) return Error(root, "a design model must be a YAML map");
    DBARCH_RETURN_IF_ERROR(CheckKeys(root, ModelKeys().at("model"), "the model"));
    if (root["name"]) m.name = root["name"].as<std::string>();
    if (root["description"]) m.description = root["description"].as<std::string>();
    if (YAML::Node o = root["options"]) {
      if (!o.IsMap()) return Error(o, "options must be a map");
      DBARCH_RETURN_IF_ERROR(CheckKeys(o, ModelKeys().at("options"), "options"));
      if (o["tenant"]) {
        DBARCH_ASSIGN_OR_RETURN(m.options.tenant, Name(o["tenant"], "tenant"));
        tenant_span_ = Span(o["tenant"]);
      }
      if (o["soft_delete"]) {
        DBARCH_ASSIGN_OR_RETURN(m.options.soft_delete, Bool(o["soft_delete"], "soft_delete"));
      }
      if (o["audit"]) {
        DBARCH_ASSIGN_OR_RETURN(m.options.audit, Bool(o["audit"], "audit"));
      }
      if (o["time_zone"]) m.options.time_zone = o["time_zone"].as<std::string>();
      if (o["schema"]) {
        DBARCH_ASSIGN_OR_RETURN(m.options.schema, Name(o["schema"], "schema"));
      }
      if (o["partition_rows"]) {
        DBARCH_ASSIGN_OR_RETURN(m.options.partition_rows,
                                Count(o["partition_rows"], "partition_rows"));
      }
      if (o["horizon_months"]) {
        DBARCH_ASSIGN_OR_RETURN(int64_t n, Count(o["horizon_months"], "horizon_months"));
        if (n < 1 || n > 240) return Error(o["horizon_months"], "horizon_months must be 1..240");
        m.options.horizon_months = static_cast<int>(n);
      }
      if (o["start"]) {
        m.options.start = o["start"].as<std::string>();
        static const std::regex kMonth("^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$");
        if (!std::regex_match(m.options.start, kMonth)) {
          return Error(o["start"], "start \"" + m.options.start + "\" is not a month (YYYY-MM)")
              .WithHint("the first month of data, the first partition's: start: 2024-01");
        }
      }
      if (o["statuses"]) {
        std::string s = o["statuses"].as<std::string>();
        if (s == "enum") {
          m.options.statuses = StatusStorage::kEnum;
        } else if (s == "lookup") {
          m.options.statuses = StatusStorage::kLookup;
        } else if (s != "auto") {
          return Error(o["statuses"], "statuses must be auto, enum or lookup");
        }
      }
    }
    YAML::Node entities = root["entities"];
    if (!entities || !entities.IsMap() || entities.size() == 0) {
      return Error(entities ? entities : root, "the model needs entities (a map)");
    }
    std::set<std::string> seen;
    for (const auto& kv : entities) {
      DBARCH_ASSIGN_OR_RETURN(std::string name, Name(kv.first, "entity name"));
      if (!seen.insert(name).second)
        return Error(kv.first, "entity \"" + name + "\" defined twice");
      DBARCH_ASSIGN_OR_RETURN(Entity e, ParseEntity(name, kv.second));
      m.entities.push_back(std::move(e));
    }
    if (YAML::Node rels = root["relationships"]) {
      if (!rels.IsSequence()) return Error(rels, "relationships must be a list");
      for (const auto& r : rels) {
        DBARCH_ASSIGN_OR_RETURN(Relationship rel, ParseRelationship(r));
        m.relationships.push_back(std::move(rel));
        rel_nodes_.push_back(r);
      }
    }
    if (YAML::Node pats = root["access_patterns"]) {
      if (!pats.IsSequence()) return Error(pats, "access_patterns must be a list");
      for (const auto& p : pats) {
        DBARCH_ASSIGN_OR_RETURN(AccessPattern pat, ParsePattern(p));
        m.patterns.push_back(std::move(pat));
        pattern_nodes_.push_back(p);
      }
    }
    DBARCH_RETURN_IF_ERROR(Check(m));
    return m;
  }

  // Whole-model checks: names resolve, and required relationships leave an insert order.
  Status Check(const Model& m) const {
    std::vector<std::string> names;
    for (const Entity& e : m.entities) names.push_back(e.name);
    auto unknown_entity = [&](const YAML::Node& node, const std::string& name) {
      Status st = Error(node, "unknown entity \"" + name + "\"");
      std::string near = ClosestMatch(name, names);
      if (!near.empty()) return std::move(st).WithHint("did you mean \"" + near + "\"?");
      return std::move(st).WithHint("entities: " + Join(names, ", "));
    };
    if (!m.options.tenant.empty() && !m.FindEntity(m.options.tenant)) {
      return Error(tenant_span_, "unknown tenant entity \"" + m.options.tenant + "\"");
    }
    std::set<std::pair<std::string, std::string>> columns;  // (entity, FK column stem)
    for (size_t i = 0; i < m.relationships.size(); ++i) {
      const Relationship& r = m.relationships[i];
      const YAML::Node& node = rel_nodes_[i];
      if (!m.FindEntity(r.from)) return unknown_entity(node["from"], r.from);
      if (!m.FindEntity(r.to)) return unknown_entity(node["to"], r.to);
      if (r.kind != Cardinality::kManyToMany) {
        if (!columns.insert({r.from, r.name}).second) {
          return Error(node, "entity \"" + r.from + "\" already has a relationship named \"" +
                                 r.name + "\"")
              .WithHint("give one of them a name: (name: billing_" + r.name + ")");
        }
        const Entity* from = m.FindEntity(r.from);
        for (const Attribute& a : from->attributes) {
          if (a.name == r.name + "_id") {
            return Error(node, "relationship column \"" + r.name +
                                   "_id\" collides with an attribute of \"" + r.from + "\"");
          }
        }
      } else if (m.FindEntity(r.name)) {
        return Error(node, "junction table name \"" + r.name + "\" is also an entity");
      }
    }
    for (const Entity& e : m.entities) {
      auto has = [&](const std::string& n) {
        for (const Attribute& a : e.attributes) {
          if (a.name == n) return true;
        }
        for (const Relationship& r : m.relationships) {
          if (r.kind != Cardinality::kManyToMany && r.from == e.name && r.name == n) return true;
        }
        return n == "tenant" && !m.options.tenant.empty() && e.name != m.options.tenant &&
               !e.shared;
      };
      for (size_t g = 0; g < e.unique_together.size(); ++g) {
        for (const std::string& n : e.unique_together[g]) {
          if (!has(n)) {
            return Error(
                unique_spans_.at({e.name, g}),
                "unique_together of \"" + e.name + "\" names unknown attribute \"" + n + "\"");
          }
        }
      }
      for (const NoOverlap& n : e.no_overlap) {
        const Attribute* range = nullptr;
        for (const Attribute& a : e.attributes) {
          if (a.name == n.range) range = &a;
        }
        if (!range ||
            (range->type != SemanticType::kTimeRange && range->type != SemanticType::kDateRange)) {
          return Error(n.span, "no_overlap range \"" + n.range + "\" of \"" + e.name +
                                   "\" is not a time_range or date_range attribute");
        }
        for (const std::string& p : n.per) {
          if (!has(p)) {
            return Error(n.span,
                         "no_overlap of \"" + e.name + "\" names unknown attribute \"" + p + "\"");
          }
        }
      }
    }
    for (size_t i = 0; i < m.patterns.size(); ++i) {
      const AccessPattern& p = m.patterns[i];
      const YAML::Node& node = pattern_nodes_[i];
      const Entity* e = m.FindEntity(p.entity);
      if (!e) return unknown_entity(node["entity"], p.entity);
      auto attr = [&](const std::string& n) -> const Attribute* {
        for (const Attribute& a : e->attributes) {
          if (a.name == n) return &a;
        }
        return nullptr;
      };
      auto has_rel = [&](const std::string& n) {
        for (const Relationship& r : m.relationships) {
          if (r.kind != Cardinality::kManyToMany && r.from == e->name && r.name == n) return true;
          if (r.kind == Cardinality::kManyToMany && ((r.from == e->name && Singular(r.to) == n) ||
                                                     (r.to == e->name && Singular(r.from) == n))) {
            return true;
          }
        }
        return n == "tenant" && !m.options.tenant.empty() && e->name != m.options.tenant &&
               !e->shared;
      };
      auto fail = [&](const std::string& what, const std::string& n) {
        std::vector<std::string> known;
        for (const Attribute& a : e->attributes) known.push_back(a.name);
        Status st =
            Error(node, "access pattern \"" + p.name + "\": " + what + " \"" + n +
                            "\" is not an attribute or relationship of \"" + e->name + "\"");
        std::string near = ClosestMatch(n, known);
        if (!near.empty()) return std::move(st).WithHint("did you mean \"" + near + "\"?");
        return st;
      };
      for (const std::string& b : p.by) {
        if (!attr(b) && !has_rel(b)) return fail("by", b);
      }
      if (!p.text.empty() && !attr(p.text)) return fail("text", p.text);
      if (!p.sum.empty() && !attr(p.sum)) return fail("sum", p.sum);
      if (!p.time.empty() && !attr(p.time)) return fail("time", p.time);
      if (p.kind == PatternKind::kReport && p.time.empty() && !m.options.audit) {
        return Error(
            node, "access pattern \"" + p.name + "\": a report needs time (audit columns are off)");
      }
      if (!p.order.empty() && p.order != "newest") {
        std::string col = p.order;
        if (EndsWith(col, " desc")) col = col.substr(0, col.size() - 5);
        if (!attr(col)) return fail("order", col);
      }
      if (p.order == "newest" && !m.options.audit) {
        return Error(node, "access pattern \"" + p.name +
                               "\": order newest needs the audit columns (created_at)");
      }
    }
    return CheckRequiredCycle(m);
  }

  // Required (NOT NULL) foreign keys must leave an insert order: a cycle of them (a self-
  // reference included) can only be filled with deferred constraints, which the design avoids.
  Status CheckRequiredCycle(const Model& m) const {
    std::map<std::string, std::vector<size_t>> edges;  // from -> relationship indexes
    for (size_t i = 0; i < m.relationships.size(); ++i) {
      const Relationship& r = m.relationships[i];
      if (r.kind != Cardinality::kManyToMany && r.required) edges[r.from].push_back(i);
    }
    std::map<std::string, int> state;  // 0 new, 1 on the stack, 2 done
    std::vector<size_t> stack;
    std::function<std::optional<Status>(const std::string&)> visit =
        [&](const std::string& node) -> std::optional<Status> {
      state[node] = 1;
      for (size_t i : edges[node]) {
        const std::string& next = m.relationships[i].to;
        stack.push_back(i);
        if (state[next] == 1) {
          std::vector<std::string> path;
          size_t start = stack.size();
          while (start > 0 && m.relationships[stack[start - 1]].from != next) --start;
          if (start > 0) --start;
          for (size_t k = start; k < stack.size(); ++k)
            path.push_back(m.relationships[stack[k]].from);
          path.push_back(next);
          return Error(m.relationships[i].span,
                       "required relationships form a cycle no insert order can satisfy: " +
                           Join(path, " -> "))
              .WithHint("make one of them optional (required: false)");
        }
        if (state[next] == 0) {
          if (auto st = visit(next)) return st;
        }
        stack.pop_back();
      }
      state[node] = 2;
      return std::nullopt;
    };
    for (const Entity& e : m.entities) {
      if (state[e.name] == 0) {
        if (auto st = visit(e.name)) return *st;
      }
    }
    return Status::OK();
  }

 private:
  std::string path_;
  SourceSpan tenant_span_;
  std::vector<YAML::Node> rel_nodes_;
  std::vector<YAML::Node> pattern_nodes_;
  mutable std::map<std::pair<std::string, size_t>, SourceSpan> unique_spans_;
};

}  // namespace

std::optional<SemanticType> SemanticTypeFromName(std::string_view name) {
  for (const TypeName& t : kTypes) {
    if (name == t.name) return t.type;
  }
  return std::nullopt;
}

const char* SemanticTypeName(SemanticType type) {
  for (const TypeName& t : kTypes) {
    if (t.type == type) return t.name;
  }
  return "?";
}

const std::vector<std::string>& SemanticTypeNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const TypeName& t : kTypes) out.push_back(t.name);
    return out;
  }();
  return names;
}

const std::map<std::string, std::vector<std::string>>& ModelKeys() {
  static const std::map<std::string, std::vector<std::string>> keys = {
      {"model", {"name", "description", "options", "entities", "relationships", "access_patterns"}},
      {"options",
       {"tenant", "soft_delete", "audit", "time_zone", "statuses", "schema", "partition_rows",
        "horizon_months", "start"}},
      {"entity",
       {"description", "rows", "growth", "shared", "attributes", "unique_together", "no_overlap"}},
      {"attribute",
       {"type", "required", "unique", "immutable", "description", "currency", "values", "default",
        "storage", "extensible", "max_length"}},
      {"no_overlap", {"range", "per"}},
      {"relationship",
       {"name", "from", "to", "kind", "required", "owned", "description", "attributes", "rows"}},
      {"access_pattern",
       {"name", "kind", "entity", "by", "order", "limit", "text", "per", "time", "sum",
        "frequency"}},
  };
  return keys;
}

const Entity* Model::FindEntity(std::string_view name) const {
  for (const Entity& e : entities) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

std::string Singular(std::string_view plural) {
  std::string s(plural);
  if (EndsWith(s, "ies") && s.size() > 3) return s.substr(0, s.size() - 3) + "y";
  if (EndsWith(s, "sses") || EndsWith(s, "xes") || EndsWith(s, "ches") || EndsWith(s, "shes")) {
    return s.substr(0, s.size() - 2);
  }
  if (EndsWith(s, "ss")) return s;
  if (EndsWith(s, "s") && s.size() > 1) return s.substr(0, s.size() - 1);
  return s;
}

Result<Model> ParseModel(const std::string& path, const std::string& text) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("invalid YAML: " + e.msg).WithSpan(SpanOfYamlMark(path, e.mark));
  }
  try {
    Reader reader(path);
    return reader.Parse(root);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("bad model value: " + e.msg)
        .WithSpan(SpanOfYamlMark(path, e.mark));
  }
}

Result<Model> LoadModel(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read \"" + path + "\"");
  std::stringstream buf;
  buf << in.rdbuf();
  return ParseModel(path, buf.str());
}

}  // namespace dbarch::design
