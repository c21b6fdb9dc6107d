// Rendering of `dbarch tune` results: a text table, JSON, an ALTER SYSTEM script and a
// postgresql.conf snippet. Pure functions; thread-safe.
#pragma once

#include <string>

#include "ops/tune.h"

namespace dbarch::report {

std::string TuneToText(const ops::TuneResult& result);
// {"machine": {...}, "workload", "settings": [{name, current, recommended, changes,
//  needs_restart, reason}], "notes": [...]}
std::string TuneToJson(const ops::TuneResult& result);
// ALTER SYSTEM SET for each setting that changes, a reload, and a comment listing the ones
// that need a restart.
std::string TuneToAlterSystem(const ops::TuneResult& result);
// name = value lines with the reason as a comment, for conf.d/.
std::string TuneToConf(const ops::TuneResult& result);

}  // namespace dbarch::report
