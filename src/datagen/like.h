// SpecLike: a spec that makes a statistically similar copy of a live database without
// copying its rows — row counts from pg_class (scaled), and per column the planner's
// statistics from pg_stats: null fraction, number of distinct values, the frequencies of
// the most common values (applied to synthetic values when they cover the column), and the
// range of numbers and times from the histogram's outer bounds. Values themselves are made
// up by the generator; only those aggregate statistics cross over.
#pragma once

#include "base/status.h"
#include "catalog/model.h"
#include "datagen/spec.h"

namespace dbarch::pg {
class Connection;
}

namespace dbarch::datagen {

// Requires: `catalog` was read from `conn`'s database; ANALYZE has run there (tables
// without statistics get their row count only). `scale` multiplies row counts.
Result<Spec> SpecLike(pg::Connection& conn, const catalog::Catalog& catalog, double scale);

}  // namespace dbarch::datagen
