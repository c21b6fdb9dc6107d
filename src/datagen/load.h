// Loading generated rows into a live server: one transaction; the foreign keys of (and
// towards) the filled tables, their PRIMARY KEY / UNIQUE constraints and their other indexes
// dropped for the COPY and built back afterwards, as pg_restore does (an index built once over
// the rows is cheaper than one maintained row by row; the server still checks every key and
// every foreign key when they are added back, inside the transaction). CHECK, NOT NULL and
// EXCLUDE are enforced during the COPY. Rows are generated on the calling thread and sent by
// a writer thread, so generation overlaps the server. ANALYZE of the filled tables at the
// end. A rejected row or key rolls everything back; nothing is left half-filled.
#pragma once

#include "base/status.h"
#include "datagen/generator.h"
#include "datagen/plan.h"

namespace dbarch::pg {
class Connection;
}

namespace dbarch::datagen {

struct LoadOptions {
  bool pipelined = true;   // generate on this thread, send on a writer thread
  bool keys_after = true;  // drop PRIMARY KEY / UNIQUE / indexes for the COPY, build them after
};

// Requires: `conn` may write and is not inside a transaction; the plan's tables exist there
// and are empty. GenerateStats carries the phases (waits on the COPY, keys, ANALYZE).
Result<GenerateStats> LoadIntoServer(pg::Connection& conn, const Plan& plan,
                                     const ProgressFn& progress = nullptr,
                                     const LoadOptions& options = {});

}  // namespace dbarch::datagen
