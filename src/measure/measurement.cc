#include "measure/measurement.h"

#include <algorithm>
#include <cmath>

#include "base/check.h"

namespace dbarch::measure {

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kTimeout:
      return "timeout";
    case Outcome::kError:
      return "error";
  }
  return "error";
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  rank = std::clamp<size_t>(rank, 1, values.size());
  return values[rank - 1];
}

std::vector<std::optional<double>> QuerySpeedUps(const WorkloadMeasurement& base,
                                                 const WorkloadMeasurement& compare) {
  DBARCH_CHECK(base.queries.size() == compare.queries.size(),
               "speed-ups need two runs of the same workload");
  std::vector<std::optional<double>> out;
  for (size_t i = 0; i < base.queries.size(); ++i) {
    const QueryMeasurement& b = base.queries[i];
    const QueryMeasurement& c = compare.queries[i];
    if (b.outcome == Outcome::kOk && c.outcome == Outcome::kOk && c.median_ms > 0) {
      out.emplace_back(b.median_ms / c.median_ms);
    } else {
      out.emplace_back(std::nullopt);
    }
  }
  return out;
}

std::optional<double> WeightedSpeedUp(const WorkloadMeasurement& base,
                                      const WorkloadMeasurement& compare) {
  DBARCH_CHECK(base.queries.size() == compare.queries.size(),
               "speed-ups need two runs of the same workload");
  double base_total = 0;
  double compare_total = 0;
  for (size_t i = 0; i < base.queries.size(); ++i) {
    const QueryMeasurement& b = base.queries[i];
    const QueryMeasurement& c = compare.queries[i];
    if (b.outcome != Outcome::kOk || c.outcome != Outcome::kOk) continue;
    base_total += b.weight * b.median_ms;
    compare_total += c.weight * c.median_ms;
  }
  if (compare_total <= 0) return std::nullopt;
  return base_total / compare_total;
}

}  // namespace dbarch::measure
