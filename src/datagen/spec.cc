#include "datagen/spec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include <cmath>
#include <fstream>
#include <sstream>

#include "base/strings.h"
#include "base/yaml_span.h"

namespace dbarch::datagen {

namespace {

Status SpecError(const std::string& path, const YAML::Node& node, const std::string& msg) {
  Status st = Status::InvalidArgument(msg);
  if (node.IsDefined() && node.Mark().line >= 0) {
    return std::move(st).WithSpan(SpanOfYamlMark(path, node.Mark()));
  }
  return st;
}

Result<Distribution> ParseDistribution(std::string_view name) {
  if (name == "uniform") return Distribution::kUniform;
  if (name == "normal") return Distribution::kNormal;
  if (name == "zipf" || name == "skewed") return Distribution::kZipf;
  if (name == "sequential") return Distribution::kSequential;
  if (name == "timeseries" || name == "time_series") return Distribution::kTimeSeries;
  return Status::InvalidArgument("unknown distribution \"" + std::string(name) + "\"")
      .WithHint("one of uniform, normal, zipf, sequential, timeseries");
}

Status ParseColumn(const std::string& path, const YAML::Node& node, ColumnSpec& c) {
  if (!node.IsMap()) return SpecError(path, node, "a column spec must be a map");
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (key == "distribution") {
      auto d = ParseDistribution(v.as<std::string>());
      if (!d.ok()) return SpecError(path, v, d.status().message());
      c.distribution = *d;
    } else if (key == "min") {
      c.min = v.as<std::string>();
    } else if (key == "max") {
      c.max = v.as<std::string>();
    } else if (key == "mean") {
      c.mean = v.as<double>();
    } else if (key == "stddev") {
      c.stddev = v.as<double>();
    } else if (key == "s") {
      c.zipf_s = v.as<double>();
      if (*c.zipf_s <= 0) return SpecError(path, v, "s must be > 0");
    } else if (key == "n_distinct") {
      auto n = ParseCount(v.as<std::string>());
      if (!n.ok() || *n <= 0) return SpecError(path, v, "n_distinct must be a positive count");
      c.n_distinct = *n;
    } else if (key == "null_fraction" || key == "null_frac") {
      c.null_fraction = v.as<double>();
      if (*c.null_fraction < 0 || *c.null_fraction > 1) {
        return SpecError(path, v, "null_fraction must be between 0 and 1");
      }
    } else if (key == "values") {
      if (!v.IsSequence()) return SpecError(path, v, "values must be a list");
      for (const auto& x : v) c.values.push_back(x.as<std::string>());
    } else if (key == "weights") {
      if (!v.IsSequence()) return SpecError(path, v, "weights must be a list");
      for (const auto& x : v) c.weights.push_back(x.as<double>());
    } else if (key == "kind") {
      c.kind = v.as<std::string>();
    } else if (key == "length") {
      c.length = v.as<int>();
    } else {
      std::string close = ClosestMatch(key, {"distribution", "min", "max", "mean", "stddev", "s",
                                             "n_distinct", "null_fraction", "values", "weights",
                                             "kind", "length"});
      Status st = SpecError(path, kv.first, "unknown column key \"" + key + "\"");
      return close.empty() ? st : std::move(st).WithHint("did you mean \"" + close + "\"?");
    }
  }
  if (!c.weights.empty() && c.weights.size() != c.values.size()) {
    return SpecError(path, node, "weights must have one entry per value");
  }
  return Status::OK();
}

}  // namespace

Result<int64_t> ParseCount(std::string_view text) {
  std::string t(Trim(text));
  if (t.empty()) return Status::InvalidArgument("empty count");
  double mult = 1;
  char last = t.back();
  if (last == 'k' || last == 'K') mult = 1e3;
  if (last == 'm' || last == 'M') mult = 1e6;
  if (last == 'g' || last == 'G' || last == 'b' || last == 'B') mult = 1e9;
  if (mult != 1) t.pop_back();
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (end == t.c_str() || *end != '\0' || v < 0 || !std::isfinite(v)) {
    return Status::InvalidArgument("bad count \"" + std::string(text) + "\" (e.g. 1000, 10k, 2.5M)");
  }
  return static_cast<int64_t>(std::llround(v * mult));
}

Status ApplyRowsFlag(std::string_view flag, Spec& spec) {
  size_t pos = 0;
  while (pos <= flag.size()) {
    size_t comma = flag.find(',', pos);
    if (comma == std::string_view::npos) comma = flag.size();
    std::string_view item = Trim(flag.substr(pos, comma - pos));
    pos = comma + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument("--rows: expected TABLE=COUNT, got \"" + std::string(item) + "\"");
    }
    auto n = ParseCount(item.substr(eq + 1));
    if (!n.ok()) return Status::InvalidArgument("--rows: " + n.status().message());
    spec.tables[std::string(Trim(item.substr(0, eq)))].rows = *n;
  }
  return Status::OK();
}

Result<Spec> ParseSpec(const std::string& path, const std::string& text) {
  Spec spec;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return Status::InvalidArgument("invalid YAML: " + e.msg).WithSpan(SpanOfYamlMark(path, e.mark));
  }
  if (root.IsNull()) return spec;
  if (!root.IsMap()) return SpecError(path, root, "the spec must be a YAML map");
  try {
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      const YAML::Node& v = kv.second;
      if (key == "seed") {
        spec.seed = v.as<uint64_t>();
      } else if (key == "default_rows") {
        auto n = ParseCount(v.as<std::string>());
        if (!n.ok()) return SpecError(path, v, n.status().message());
        spec.default_rows = *n;
      } else if (key == "tables") {
        if (!v.IsMap()) return SpecError(path, v, "tables must be a map");
        for (const auto& t : v) {
          TableSpec& ts = spec.tables[t.first.as<std::string>()];
          if (t.second.IsNull()) continue;
          if (!t.second.IsMap()) return SpecError(path, t.second, "a table spec must be a map");
          for (const auto& tk : t.second) {
            std::string k = tk.first.as<std::string>();
            if (k == "rows") {
              auto n = ParseCount(tk.second.as<std::string>());
              if (!n.ok()) return SpecError(path, tk.second, n.status().message());
              ts.rows = *n;
            } else if (k == "columns") {
              if (!tk.second.IsMap()) return SpecError(path, tk.second, "columns must be a map");
              for (const auto& c : tk.second) {
                DBARCH_RETURN_IF_ERROR(ParseColumn(path, c.second, ts.columns[c.first.as<std::string>()]));
              }
            } else {
              return SpecError(path, tk.first, "unknown table key \"" + k + "\"")
                  .WithHint("table keys: rows, columns");
            }
          }
        }
      } else {
        Status st = SpecError(path, kv.first, "unknown spec key \"" + key + "\"");
        std::string close = ClosestMatch(key, {"seed", "default_rows", "tables"});
        return close.empty() ? st : std::move(st).WithHint("did you mean \"" + close + "\"?");
      }
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("bad spec value: " + e.msg).WithSpan(SpanOfYamlMark(path, e.mark));
  }
  return spec;
}

Result<Spec> LoadSpec(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read spec file \"" + path + "\"");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseSpec(path, ss.str());
}

}  // namespace dbarch::datagen
