// CatalogToText: a human summary of the schema model in the spirit of psql's \d, the
// default output of `dbarch inspect`. Per schema (sorted): tables with their columns (name,
// type, collation, nullability, default), constraints, indexes, triggers, policies and
// partitioning; then views, sequences, types and functions of that schema. Then roles,
// extensions, grants and the statements dbarch does not model ("others") with their
// location (file:line:col). Deterministic; meant for people, not for parsing (use
// CatalogToJson). Pure; thread-safe.
#pragma once

#include <string>

#include "catalog/model.h"

namespace dbarch::report {

std::string CatalogToText(const catalog::Catalog& catalog);

}  // namespace dbarch::report
