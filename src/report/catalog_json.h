// CatalogToJson: the whole schema model as JSON, for tools and for comparing two models
// (`dbarch inspect --format json`). Used by cli/ and by golden tests. Pure; thread-safe.
//
// Shape (keys always in this order, 2-space indent, a final newline):
//   { "summary":    {counts per object kind},
//     "schemas", "roles", "extensions", "types", "functions", "sequences", "tables",
//     "views", "indexes", "grants", "revoked_defaults", "default_privileges", "others":
//     [ ...objects... ] }  (revoked_defaults: PUBLIC's built-in privileges taken away)
// Collections come in the model's order (sorted by name; columns, enum labels and key
// columns in their own order), so equal models give byte-identical JSON.
//
// Omission rule, the same everywhere: a key is left out when its field holds the model's
// default value (model.h's member initialisers: "", false, empty list, 'a' FK actions,
// NO ACTION, MATCH SIMPLE, method "btree", command "ALL", volatility "VOLATILE", parallel
// "UNSAFE", permissive / enabled / inherit true, connection limit -1). Names, kinds, column
// types and the complete options of sequences and identity columns are always written.
// Enum-like fields are lower-case words ("primary key", "by default", "set null").
// A role "" (the role that runs the DDL) is written "CURRENT_USER" in grants, default
// privileges and policy roles; an owner "" is left out like any default.
// "location" is the origin "file:line:col" of an object read from DDL (absent for objects
// read from a server); it is not part of the model's equality.
#pragma once

#include <string>

#include "catalog/model.h"

namespace dbarch::report {

std::string CatalogToJson(const catalog::Catalog& catalog);

}  // namespace dbarch::report
