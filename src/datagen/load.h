// Loading generated rows into a live server: one transaction, foreign keys of the filled
// tables dropped for the COPY and added back afterwards (the server then validates every
// row in one pass per key instead of one lookup per row — as pg_restore does), CHECK,
// NOT NULL, UNIQUE and PRIMARY KEY enforced during the load, ANALYZE at the end. A rejected
// row rolls everything back; nothing is left half-filled.
#pragma once

#include "base/status.h"
#include "datagen/generator.h"
#include "datagen/plan.h"

namespace dbarch::pg {
class Connection;
}

namespace dbarch::datagen {

// Requires: `conn` may write and is not inside a transaction; the plan's tables exist there
// and are empty.
Result<GenerateStats> LoadIntoServer(pg::Connection& conn, const Plan& plan,
                                     const ProgressFn& progress = nullptr);

}  // namespace dbarch::datagen
