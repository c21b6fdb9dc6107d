// Rendering of `dbarch health` results: a text table, JSON, one Nagios plugin line with
// performance data, the Prometheus text exposition format (for node_exporter's textfile
// collector). Pure functions of their inputs; thread-safe.
#pragma once

#include <string>

#include "ops/health.h"

namespace dbarch::report {

// One line per finding (severity, check, object, message), then every check's status and a
// summary line.
std::string HealthToText(const ops::HealthReport& report);

// {"server", "version", "database",
//  "findings": [{check, severity, object, message, value, unit, warning, critical}],
//  "checks": [{check, severity, unit, warning, critical, measurements: [...], note?, error?}],
//  "sizes": {...}, "summary": {"severity", "ok", "warning", "critical", "unknown"}}.
// `findings` holds the measurements at warning or worse, worst first.
std::string HealthToJson(const ops::HealthReport& report);

// "POSTGRES_HEALTH CRITICAL - 1 critical, 2 warning: sequences sequence public.s 96.0 % ...
// | check=value;warn;crit ..." as a Nagios plugin prints it (status by the worst severity,
// the worst findings first, performance data of every measured value).
std::string HealthToNagios(const ops::HealthReport& report);

// dbarch_health_status{check} (0 ok .. 3 unknown), dbarch_health_value{check,object},
// dbarch_health_threshold{check,level}; HELP and TYPE lines; label values escaped.
std::string HealthToPrometheus(const ops::HealthReport& report);

}  // namespace dbarch::report
