// The names PostgreSQL chooses for objects created without one (constraints, indexes,
// serial and identity sequences), re-derived from the server's rules in
// src/backend/commands/indexcmds.c (ChooseRelationName, ChooseIndexName...) and
// src/backend/catalog/pg_constraint.c (ChooseConstraintName), so that a catalog built from
// DDL names them as the server does. Pure functions; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/model.h"

namespace dbarch::catalog {

// Identifiers are truncated to this many bytes (NAMEDATALEN - 1), at a character boundary.
inline constexpr size_t kMaxIdentifierBytes = 63;

// name1_name2_label, shortening name1 and name2 (the longer first) to fit 63 bytes.
// `name2` and `label` may be empty (then they and their '_' are left out).
std::string MakeObjectName(std::string_view name1, std::string_view name2,
                           std::string_view label);

// MakeObjectName with label, label1, label2, ... until `is_taken` returns false.
std::string ChooseName(std::string_view name1, std::string_view name2, std::string_view label,
                       const std::function<bool(const std::string&)>& is_taken);

// Column names joined by '_' and cut at 63 bytes, as ChooseIndexNameAddition does.
std::string NameAddition(const std::vector<std::string>& names);

// `ident` truncated to 63 bytes at a UTF-8 character boundary (what the server does to
// over-long identifiers, with a NOTICE).
std::string TruncateIdentifier(std::string_view ident);

// The name PostgreSQL gives an index column computed by an expression, from the
// expression's canonical text (FigureIndexColname): the function name of a call, else "expr".
std::string ExpressionColname(const std::string& expr);

// An index's column names as ChooseIndexColumnNames makes them (key columns, expressions,
// then INCLUDE columns; a repeated name gets a number), for NameAddition.
std::vector<std::string> IndexColumnNames(const std::vector<IndexKey>& keys,
                                          const std::vector<std::string>& include);

}  // namespace dbarch::catalog
