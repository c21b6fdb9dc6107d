#include "ops/health_config.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/strings.h"
#include "base/yaml_span.h"

namespace dbarch::ops {
namespace {

std::vector<std::string> CheckNames() {
  std::vector<std::string> out;
  for (const HealthCheckInfo& c : AllHealthChecks()) out.emplace_back(c.name);
  return out;
}

Status UnknownCheck(const std::string& name) {
  Status st = Status::InvalidArgument("unknown health check \"" + name + "\"");
  std::string close = ClosestMatch(name, CheckNames());
  if (!close.empty()) return std::move(st).WithHint("did you mean \"" + close + "\"?");
  return st;
}

Status Error(const std::string& path, const YAML::Node& node, Status st) {
  if (node.IsDefined() && node.Mark().line >= 0) {
    return std::move(st).WithSpan(SpanOfYamlMark(path, node.Mark()));
  }
  return st;
}

// A finite number, or false.
bool ToNumber(const std::string& text, double* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(*out);
}

}  // namespace

Result<std::map<std::string, Thresholds>> ParseHealthThresholds(const std::string& path,
                                                                 const std::string& text) {
  std::map<std::string, Thresholds> out;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return Status::InvalidArgument("invalid YAML: " + e.msg).WithSpan(SpanOfYamlMark(path, e.mark));
  }
  if (!root.IsMap() || !root["health"]) return out;
  YAML::Node health = root["health"];
  if (!health.IsMap()) {
    return Error(path, health, Status::InvalidArgument("health: expected a map of checks"));
  }
  try {
    for (const auto& kv : health) {
      std::string name = kv.first.as<std::string>();
      const HealthCheckInfo* info = FindHealthCheck(name);
      if (info == nullptr) return Error(path, kv.first, UnknownCheck(name));
      if (!kv.second.IsMap()) {
        return Error(path, kv.second,
                     Status::InvalidArgument("health." + name +
                                             ": expected { warning: N, critical: N }"));
      }
      Thresholds t = info->defaults;
      for (const auto& level : kv.second) {
        std::string key = level.first.as<std::string>();
        double value = 0;
        if (!ToNumber(level.second.as<std::string>(), &value)) {
          return Error(path, level.second,
                       Status::InvalidArgument("health." + name + "." + key + ": not a number"));
        }
        if (key == "warning") {
          t.warning = value;
        } else if (key == "critical") {
          t.critical = value;
        } else {
          return Error(path, level.first,
                       Status::InvalidArgument("health." + name + ": unknown key \"" + key +
                                               "\" (warning or critical)"));
        }
      }
      out[name] = t;
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("bad health config value: " + e.msg)
        .WithSpan(SpanOfYamlMark(path, e.mark));
  }
  return out;
}

Status ParseThresholdFlag(const std::string& flag, std::map<std::string, Thresholds>& into) {
  size_t eq = flag.find('=');
  size_t colon = flag.find(':', eq == std::string::npos ? 0 : eq);
  if (eq == std::string::npos || colon == std::string::npos) {
    return Status::InvalidArgument("--threshold \"" + flag +
                                   "\": expected NAME=WARNING:CRITICAL (either may be empty)");
  }
  std::string name = flag.substr(0, eq);
  const HealthCheckInfo* info = FindHealthCheck(name);
  if (info == nullptr) return UnknownCheck(name);
  auto it = into.find(name);
  Thresholds t = it != into.end() ? it->second : info->defaults;
  std::string warning = flag.substr(eq + 1, colon - eq - 1);
  std::string critical = flag.substr(colon + 1);
  double value = 0;
  if (!warning.empty()) {
    if (!ToNumber(warning, &value)) {
      return Status::InvalidArgument("--threshold " + name + ": warning \"" + warning +
                                     "\" is not a number");
    }
    t.warning = value;
  }
  if (!critical.empty()) {
    if (!ToNumber(critical, &value)) {
      return Status::InvalidArgument("--threshold " + name + ": critical \"" + critical +
                                     "\" is not a number");
    }
    t.critical = value;
  }
  into[name] = t;
  return Status::OK();
}

}  // namespace dbarch::ops
