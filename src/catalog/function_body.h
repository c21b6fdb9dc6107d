// The normal form of a SQL-standard function body (BEGIN ATOMIC ... END or RETURN expr), used
// to compare functions (diff/). The server keeps such a body parsed and prints it back rewritten
// (pg_get_functiondef): columns qualified with their relation, parameters qualified with the
// function's name where a relation is in scope (order_total.p_id), implicit casts and output
// names added, parentheses added. SqlBodyNormalForm maps the text a user wrote and the text the
// server prints to one string when they mean the same body. Pure; thread-safe.
#pragma once

#include <string>

#include "catalog/model.h"

namespace dbarch::catalog {

// The normal form of `function`'s SQL-standard body, with the relations it reads resolved
// against `catalog` (the catalog the function belongs to): each query in
// sql::NormalizeViewQuery form (a RETURN expression as the query SELECT expr), parameters
// qualified with the function's name written bare, other statements (INSERT, UPDATE, DELETE)
// by their kind only (the server prints them rewritten in ways not undone here, so a change
// inside one is not seen). A body that does not parse compares by its text. Not meant to be run: a
// comparison key. Requires: report::HasSqlStandardBody(function) (otherwise returns the body).
std::string SqlBodyNormalForm(const Catalog& catalog, const Function& function);

}  // namespace dbarch::catalog
