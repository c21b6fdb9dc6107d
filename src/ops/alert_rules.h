// Prometheus alerting rules with the thresholds of `dbarch health`'s checks (`dbarch health
// --emit-alert-rules FILE`), so that a server watched by Prometheus alerts where dbarch
// health would report a finding.
//
// Two rule groups. "dbarch-health-postgres-exporter": the checks postgres_exporter's metrics
// can express, written against the metric names of the exporter Debian 12 ships
// (prometheus-postgres-exporter 0.11.1: its default metrics, plus pg_stat_user_tables_* and
// pg_replication_lag from the queries.yaml example it installs, which needs
// --extend.query-path). "dbarch-health-textfile": the other checks (wraparound, sequences,
// invalid indexes...), which no default exporter metric measures, over the metrics `dbarch
// health --format prometheus` writes for node_exporter's textfile collector
// (dbarch_health_value), with the same thresholds. Each rule has a severity label (warning,
// critical; a check whose thresholds are equal has only the critical rule, one without a
// critical threshold only the warning rule), the check's id, a summary, a description
// saying how the metric differs from the check where it does, and runbook text.
//
// Pure; thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ops/health.h"

namespace dbarch::ops {

struct AlertRule {
  std::string alert;         // "PostgresConnections": one name per check, both severities
  std::string check;         // the health check's id
  std::string severity;      // "warning" or "critical"
  std::string expr;          // PromQL
  std::string for_duration;  // "5m"
  std::string summary;       // Prometheus template text ({{ $labels.x }}, {{ $value }})
  std::string description;
  std::string runbook;
};

struct AlertRuleGroup {
  std::string name;
  std::vector<AlertRule> rules;
};

struct AlertRules {
  std::vector<AlertRuleGroup> groups;  // exporter group first, then textfile
  // Checks with neither kind of rule, with the reason (empty today: every check has one).
  std::map<std::string, std::string> uncovered;
};

// The rules for every health check with `overrides` (by check name; the rest use the
// defaults) as their thresholds.
AlertRules BuildAlertRules(const std::map<std::string, Thresholds>& overrides);

}  // namespace dbarch::ops
