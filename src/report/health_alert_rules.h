// Rendering of ops::AlertRules (ops/alert_rules.h) as a Prometheus rule file (YAML), for
// `dbarch health --emit-alert-rules FILE`. Deterministic; pure; thread-safe.
#pragma once

#include <string>

#include "ops/alert_rules.h"

namespace dbarch::report {

// groups: [{name, rules: [{alert, expr, for?, labels: {severity, check}, annotations:
// {summary, description, runbook}}]}], preceded by comments on where the metrics come from.
// Every string is double-quoted, so the file loads with any YAML reader.
std::string AlertRulesToYaml(const ops::AlertRules& rules);

}  // namespace dbarch::report
