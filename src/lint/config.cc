#include "lint/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "base/strings.h"
#include "base/yaml_span.h"
#include "lint/rule.h"

namespace dbarch::lint {

bool Config::IsEnabled(const RuleDoc& doc) const {
  if (!only.empty()) return only.count(std::string_view(doc.id)) > 0;
  auto r = rule_severity.find(std::string_view(doc.id));
  if (r != rule_severity.end()) return r->second.has_value();
  auto f = family_enabled.find(doc.family);
  return f == family_enabled.end() || f->second;
}

Severity Config::SeverityOf(const RuleDoc& doc) const {
  auto r = rule_severity.find(std::string_view(doc.id));
  if (r != rule_severity.end() && r->second.has_value()) return *r->second;
  return doc.severity;
}

int Config::IntOption(std::string_view rule, std::string_view key, int fallback) const {
  std::string v = StringOption(rule, key, "");
  if (v.empty()) return fallback;
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  return end != nullptr && *end == '\0' ? static_cast<int>(n) : fallback;
}

std::string Config::StringOption(std::string_view rule, std::string_view key,
                                 std::string_view fallback) const {
  auto r = rule_options.find(rule);
  if (r == rule_options.end()) return std::string(fallback);
  auto o = r->second.find(key);
  if (o == r->second.end() || o->second.empty()) return std::string(fallback);
  return o->second.front();
}

std::vector<std::string> Config::ListOption(std::string_view rule, std::string_view key,
                                            const std::vector<std::string>& fallback) const {
  auto r = rule_options.find(rule);
  if (r == rule_options.end()) return fallback;
  auto o = r->second.find(key);
  if (o == r->second.end()) return fallback;
  return o->second;
}

namespace {

// The longest naming pattern accepted (see where naming patterns are read).
constexpr size_t kMaxNamingPatternBytes = 1000;

// libstdc++ 12 reads the number of a backreference (\12) or a repetition bound ({3,5}) into a
// long without an overflow check, undefined behaviour past 19 digits. Patterns with a longer
// run of digits than this are refused before they are compiled; no naming rule needs one.
constexpr size_t kMaxPatternDigits = 9;

bool HasLongDigitRun(std::string_view pattern) {
  size_t run = 0;
  for (char c : pattern) {
    run = c >= '0' && c <= '9' ? run + 1 : 0;
    if (run > kMaxPatternDigits) return true;
  }
  return false;
}

Status ConfigError(const std::string& path, const YAML::Node& node, const std::string& msg) {
  Status st = Status::InvalidArgument(msg);
  if (node.IsDefined() && node.Mark().line >= 0) {
    return std::move(st).WithSpan(SpanOfYamlMark(path, node.Mark()));
  }
  return st;
}

std::vector<std::string> RuleIds() {
  std::vector<std::string> ids;
  for (const auto& r : AllRules()) ids.emplace_back(r->doc().id);
  return ids;
}

Status ParseRuleSetting(const std::string& path, const std::string& id, const YAML::Node& value,
                        Config& config) {
  auto parse_level = [&](const YAML::Node& n) -> Status {
    std::string v = ToLower(n.as<std::string>());
    if (v == "off" || v == "false" || v == "disable" || v == "disabled") {
      config.rule_severity[id] = std::nullopt;
      return Status::OK();
    }
    if (v == "on" || v == "true") {
      auto it = config.rule_severity.find(id);
      if (it == config.rule_severity.end() || !it->second) {
        config.rule_severity[id] = FindRule(id)->doc().severity;
      }
      return Status::OK();
    }
    Severity s;
    if (!ParseSeverity(v, &s)) {
      return ConfigError(path, n, "rule \"" + id + "\": expected off, on, error, warning or info, got \"" + v + "\"");
    }
    config.rule_severity[id] = s;
    return Status::OK();
  };
  if (value.IsScalar()) return parse_level(value);
  if (!value.IsMap()) return ConfigError(path, value, "rule \"" + id + "\": expected a level or a map");
  for (const auto& kv : value) {
    std::string key = kv.first.as<std::string>();
    if (key == "severity" || key == "level") {
      DBARCH_RETURN_IF_ERROR(parse_level(kv.second));
    } else if (kv.second.IsSequence()) {
      std::vector<std::string> items;
      for (const auto& item : kv.second) items.push_back(item.as<std::string>());
      config.rule_options[id][key] = items;
    } else if (kv.second.IsScalar()) {
      config.rule_options[id][key] = {kv.second.as<std::string>()};
    } else {
      return ConfigError(path, kv.second, "rule \"" + id + "\": option \"" + key + "\" must be a scalar or a list");
    }
  }
  return Status::OK();
}

}  // namespace

Result<Config> ParseConfig(const std::string& path, const std::string& text) {
  Config config;
  config.path = path;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return Status::InvalidArgument("invalid YAML: " + e.msg).WithSpan(SpanOfYamlMark(path, e.mark));
  }
  if (root.IsNull()) return config;
  if (!root.IsMap()) return ConfigError(path, root, "the config must be a YAML map");
  try {
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      const YAML::Node& v = kv.second;
      if (key == "target_version") {
        config.target_version = v.as<int>();
        if (config.target_version < 10 || config.target_version > 18) {
          return ConfigError(path, v, "target_version must be a PostgreSQL major version (10-18)");
        }
      } else if (key == "families") {
        if (!v.IsMap()) return ConfigError(path, v, "families: expected a map");
        for (const auto& f : v) {
          Family fam;
          std::string name = f.first.as<std::string>();
          if (!ParseFamily(name, &fam)) {
            return ConfigError(path, f.first, "unknown rule family \"" + name + "\"")
                .WithHint("families are design, query, migration and security");
          }
          std::string val = ToLower(f.second.as<std::string>());
          config.family_enabled[fam] = !(val == "off" || val == "false" || val == "disabled");
        }
      } else if (key == "rules") {
        if (!v.IsMap()) return ConfigError(path, v, "rules: expected a map");
        for (const auto& r : v) {
          std::string id = r.first.as<std::string>();
          if (FindRule(id) == nullptr) {
            Status st = ConfigError(path, r.first, "unknown rule \"" + id + "\"");
            std::string close = ClosestMatch(id, RuleIds());
            if (!close.empty()) return std::move(st).WithHint("did you mean \"" + close + "\"?");
            return st;
          }
          DBARCH_RETURN_IF_ERROR(ParseRuleSetting(path, id, r.second, config));
        }
      } else if (key == "naming") {
        if (!v.IsMap()) return ConfigError(path, v, "naming: expected a map");
        for (const auto& n : v) {
          std::string what = n.first.as<std::string>();
          std::string pattern = n.second.as<std::string>();
          if (what != "table_number") {
            // Checked here so that a bad pattern is a config error with its location, not a
            // rule that silently never matches. {table} stands for a name: test with one.
            // libstdc++ compiles a regular expression by recursion, one level per term and
            // group, so a long enough pattern overflows the call stack; names are at most 63
            // bytes, and no useful pattern comes near this limit.
            if (pattern.size() > kMaxNamingPatternBytes) {
              return ConfigError(path, n.second,
                                 "naming." + what + ": pattern longer than " +
                                     std::to_string(kMaxNamingPatternBytes) + " bytes");
            }
            if (HasLongDigitRun(pattern)) {
              return ConfigError(path, n.second,
                                 "naming." + what + ": numbers in a pattern are limited to " +
                                     std::to_string(kMaxPatternDigits) + " digits");
            }
            std::string probe = pattern;
            for (size_t at = probe.find("{table}"); at != std::string::npos; at = probe.find("{table}")) {
              probe.replace(at, 7, "t");
            }
            try {
              std::regex re(probe, std::regex::ECMAScript);
            } catch (const std::regex_error& e) {
              return ConfigError(path, n.second, "naming." + what + ": invalid regular expression \"" +
                                                      pattern + "\": " + e.what());
            }
          }
          if (what == "table") config.naming.table = pattern;
          else if (what == "column") config.naming.column = pattern;
          else if (what == "index") config.naming.index = pattern;
          else if (what == "foreign_key") config.naming.foreign_key = pattern;
          else if (what == "primary_key") config.naming.primary_key = pattern;
          else if (what == "unique") config.naming.unique = pattern;
          else if (what == "constraint") config.naming.constraint = pattern;
          else if (what == "table_number") {
            if (pattern != "singular" && pattern != "plural") {
              return ConfigError(path, n.second, "naming.table_number must be singular or plural");
            }
            config.naming.table_number = pattern;
          } else {
            return ConfigError(path, n.first, "unknown naming key \"" + what + "\"")
                .WithHint("keys: table, column, index, foreign_key, primary_key, unique, constraint, table_number");
          }
        }
      } else if (key == "health") {
        // `dbarch health`'s thresholds (ops/health_config.h reads them).
      } else {
        Status st = ConfigError(path, kv.first, "unknown config key \"" + key + "\"");
        std::string close =
            ClosestMatch(key, {"target_version", "families", "rules", "naming", "health"});
        if (!close.empty()) return std::move(st).WithHint("did you mean \"" + close + "\"?");
        return st;
      }
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("bad config value: " + e.msg).WithSpan(SpanOfYamlMark(path, e.mark));
  }
  return config;
}

Result<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read config \"" + path + "\"");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseConfig(path, ss.str());
}

std::optional<std::string> FindConfigUpward(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = fs::absolute(dir, ec);
  if (ec) return std::nullopt;
  while (true) {
    fs::path candidate = p / "dbarch.yaml";
    if (fs::exists(candidate, ec)) return candidate.string();
    if (!p.has_parent_path() || p.parent_path() == p) return std::nullopt;
    p = p.parent_path();
  }
}

}  // namespace dbarch::lint
