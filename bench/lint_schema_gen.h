// Generates the lint benchmark input: a schema file of `lines` lines made of 200-table blocks
// (each block in its own schema), every table with a primary key, a few typed columns,
// foreign keys to earlier tables of its block and one or two indexes, the shape of a real
// application schema. Deterministic. Shared by lint_bench.cc and lint_schema_gen_main.cc.
#pragma once

#include <string>

namespace dbarch::bench {

std::string GenerateLintSchema(int lines);

}  // namespace dbarch::bench
