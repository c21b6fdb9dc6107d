// Rendering of `dbarch tune` results: a text table, JSON, an ALTER SYSTEM script and a
// postgresql.conf snippet. Pure functions; thread-safe.
#pragma once

#include <string>

#include "ops/tune.h"
#include "ops/tune_verify.h"

namespace dbarch::report {

// `verification` (tune --verify; null: none) adds the measured before/after tables.
std::string TuneToText(const ops::TuneResult& result,
                       const ops::TuneVerification* verification = nullptr);
// {"machine": {...}, "workload", "settings": [{name, current, recommended, changes,
//  needs_restart, reason}], "notes": [...], "verification"?: {"sandbox_cpus", "rounds",
//  "pgbench": {scale, seconds, clients}, "baseline": {"source", "settings": {name: value}},
//  "groups": [{group, settings: {name: value}, verdict, kept, reason, benchmarks: [...]}],
//  "overall": [{benchmark, unit, before: {median, runs, spread, latency_ms?}, after: {...},
//  change, noise, verdict}], "notes"}}
std::string TuneToJson(const ops::TuneResult& result,
                       const ops::TuneVerification* verification = nullptr);
// The measured part alone, as in TuneToText.
std::string TuneVerificationToText(const ops::TuneVerification& verification);
// ALTER SYSTEM SET for each setting that changes, a reload, a comment listing the ones that
// need a restart, and the notes as comments (e.g. groups tune --verify dropped).
std::string TuneToAlterSystem(const ops::TuneResult& result);
// name = value lines with the reason as a comment, for conf.d/; the notes as comments.
std::string TuneToConf(const ops::TuneResult& result);

}  // namespace dbarch::report
