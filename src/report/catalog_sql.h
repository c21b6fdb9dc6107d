// CatalogToSql: the whole schema model as DDL that loads into an empty PostgreSQL 15
// database (`dbarch inspect --format sql`) and that re-parses to the same model. Used by
// cli/; later by migrate/ for "create from scratch". Pure; thread-safe.
//
// Order of the script (dependency-safe):
//   session settings (check_function_bodies off, so quoted function bodies may name later
//   objects; search_path = public, the spelling the model's type names assume)
//   schemas, roles (+ memberships), extensions, early "others" (DO blocks, role statements,
//   collations, text search objects);
//   then types, functions and aggregates, sequences, tables (columns, defaults, identity,
//   generated, collation, NOT NULL; PRIMARY KEY / UNIQUE / CHECK / EXCLUDE inline as named
//   constraints), partitions and inheritance children, views and materialized views (WITH
//   NO DATA), and the "others" that define functions-like objects (operators, casts), all
//   in one topological order: the preferred order is the one just listed, and an object is
//   moved after what it uses (a domain over a domain, a function taking a table's row type,
//   an aggregate after its support functions and state type, a view over a view via
//   View::relations, a default calling a function, a partition after its parent);
//   then NOT VALID checks and foreign keys (ALTER TABLE ... ADD CONSTRAINT, so the order of
//   tables does not matter), indexes, sequence OWNED BY, triggers, RLS, policies, owners,
//   grants, comments, and finally the remaining "others" in source order.
// Every identifier is quoted as needed (QuoteIdent / QualifiedName), literals with
// QuoteLiteral. Owners "" (the loading role) get no OWNER TO.
//
// Known limits (the model lacks the information): statements kept as "others" are
// replayed verbatim and may depend on the search_path of their original file; a model
// without the public schema still loads into a database that has it; the multirange
// type name of a range type and function COST / ROWS are not written.
#pragma once

#include <string>
#include <vector>

#include "catalog/model.h"

namespace dbarch::report {

std::string CatalogToSql(const catalog::Catalog& catalog);

// The statements (without ';') that CatalogToSql writes to create one object of `catalog`,
// in order: for a table its CREATE TABLE (or PARTITION OF / ATTACH PARTITION) and the
// column settings that follow it, for a view a CREATE VIEW between SET search_path lines
// when it needs its own schema first. Not included: what CatalogToSql writes in later
// sections (foreign keys, NOT VALID checks, indexes, triggers, policies, grants, comments,
// owners, sequence OWNED BY). `catalog` is the context the object lives in (a partition's
// parent, a typed table's type). Used by diff/ for the objects it creates.
// The order in which type kinds are created: enums, composites, ranges, then domains (which
// may be over any of them). The dump and the diff both follow it.
int TypeCreationRank(catalog::TypeKind kind);

std::vector<std::string> CreateStatements(const catalog::Catalog& catalog,
                                          const catalog::Table& table);
std::vector<std::string> CreateStatements(const catalog::Catalog& catalog,
                                          const catalog::View& view);
std::vector<std::string> CreateStatements(const catalog::Catalog& catalog,
                                          const catalog::Type& type);
std::vector<std::string> CreateStatements(const catalog::Catalog& catalog,
                                          const catalog::Sequence& sequence);

// CREATE COLLATION for a collation of the model (its options as the server reads them back).
std::string CollationSql(const catalog::Collation& collation);

}  // namespace dbarch::report
