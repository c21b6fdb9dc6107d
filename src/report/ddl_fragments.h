// SQL spellings of single catalog objects and of their parts (a column definition, a
// constraint body, an index key, a CREATE INDEX / TRIGGER / POLICY / FUNCTION statement),
// shared by the DDL renderer (catalog_sql.h) and the human summary (catalog_text.h) so that
// both show one definition the same way. Every identifier is quoted with QuoteIdent /
// QualifiedName and every literal with QuoteLiteral; types, collations and canonical
// expressions from the model are written as the model holds them (they are already SQL).
// Statements come without the final ';'. Pure functions of their arguments; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/model.h"

namespace dbarch::report {

// A model type spelling as SQL: format_type()'s "character" (bpchar without a length)
// becomes "bpchar", because "character" in DDL means character(1). Everything else as is.
std::string SqlType(std::string_view type);

// A name the model keeps as "name" or "schema.name" with unquoted parts (collations,
// operator classes), quoted for SQL: "C" -> "\"C\"", "app.my_ops" -> app.my_ops.
std::string SqlDottedName(std::string_view dotted);

// A role as a SQL role specification: "" (the role that runs the DDL) -> CURRENT_USER,
// "PUBLIC" / "public" -> PUBLIC, anything else quoted.
std::string SqlRole(std::string_view role);

// "TABLE s.t", "SEQUENCE s.q", "FUNCTION s.f(integer)" / "PROCEDURE ...", "SCHEMA s", "TYPE
// s.t" / "DOMAIN s.d", "LANGUAGE l": what a GRANT on `object` (of `kind`, as Grant holds it)
// names; a function or domain is told apart by `cat`. Not for the database (PrivilegeSql).
std::string GrantTarget(const catalog::Catalog& cat, catalog::ObjectKind kind,
                        const std::string& object);

// `<verb_privileges> ON <target> <role_clause>`, e.g. ("GRANT SELECT, INSERT", "TO app WITH
// GRANT OPTION"). Privileges on the database (object kCurrentDatabase) name the database the
// script runs in, whose name is not known when it is written: a DO block that runs the
// statement with `format('... ON DATABASE %I ...', current_database())`.
std::string PrivilegeSql(const catalog::Catalog& cat, catalog::ObjectKind kind,
                         const std::string& object, std::string_view verb_privileges,
                         std::string_view role_clause);

// "k1='v1', k2='v2'": storage parameters / reloptions; values quoted as the server prints
// them (pg_get_indexdef writes fillfactor='70'). Empty for no options.
std::string SqlOptions(const std::vector<std::pair<std::string, std::string>>& options);

// A quoted identifier list "a, \"B\", c".
std::string SqlIdentList(const std::vector<std::string>& idents);

// The smallest and largest value of a sequence data type (smallint, integer, bigint).
int64_t SequenceTypeMin(std::string_view type);
int64_t SequenceTypeMax(std::string_view type);

// Sequence options that differ from the server's defaults for their data type and
// direction, e.g. "AS integer START WITH 100 CACHE 20". `with_type` adds "AS type" when the
// type is not bigint (not allowed for identity columns, whose type is the column's).
// Empty when every option has its default.
std::string SqlSequenceOptions(const catalog::SequenceOptions& options, bool with_type);

// The SQL name of an ON DELETE / ON UPDATE action code ('a', 'r', 'c', 'n', 'd').
std::string_view FkActionSql(char action);
// The SQL name of a MATCH code ('s', 'f', 'p').
std::string_view FkMatchSql(char match);

// A column definition as in CREATE TABLE: name, type, COLLATE, COMPRESSION, DEFAULT /
// GENERATED / IDENTITY, NOT NULL. STORAGE is left out (PostgreSQL 15 accepts it only in
// ALTER TABLE). `table` is the column's table: when given, an identity sequence named
// otherwise than PostgreSQL names it (<table>_<column>_seq) is written as SEQUENCE NAME.
std::string ColumnSql(const catalog::Column& column, const catalog::QualifiedName& table = {});

// One key of an index or an EXCLUDE constraint: column or (expression), COLLATE,
// operator class with parameters, DESC, NULLS FIRST/LAST when not the default for the
// direction, and "WITH op" for EXCLUDE keys.
std::string IndexKeySql(const catalog::IndexKey& key);

// The body of a table constraint without "CONSTRAINT name": "PRIMARY KEY (id)",
// "CHECK ((a > 0)) NO INHERIT", "FOREIGN KEY (a) REFERENCES s.t(b) ON DELETE CASCADE", ...
// with DEFERRABLE / INITIALLY DEFERRED, and NOT VALID when the constraint has it and
// `with_not_valid` is true (NOT VALID is honoured only by ALTER TABLE ... ADD CONSTRAINT).
std::string ConstraintBodySql(const catalog::Constraint& constraint, bool with_not_valid);

// "CREATE [UNIQUE] INDEX name ON table USING method (keys) ...".
std::string IndexSql(const catalog::Index& index);

// "CREATE [CONSTRAINT] TRIGGER name ... ON table ... EXECUTE FUNCTION f(args)".
std::string TriggerSql(const catalog::QualifiedName& table, const catalog::Trigger& trigger);

// "CREATE POLICY name ON table [AS RESTRICTIVE] [FOR cmd] [TO roles] [USING (..)] [WITH
// CHECK (..)]".
std::string PolicySql(const catalog::QualifiedName& table, const catalog::Policy& policy);

// The argument list of a function between parentheses: "(a integer, OUT b text DEFAULT
// ...)"; TABLE arguments are not part of it (they go to RETURNS TABLE).
std::string FunctionArgsSql(const catalog::Function& function);

// "CREATE FUNCTION/PROCEDURE name(args) RETURNS ... LANGUAGE ... AS <body>"; for an
// aggregate, AggregateSql.
std::string FunctionSql(const catalog::Function& function);

// "CREATE AGGREGATE name(args) (SFUNC = ..., STYPE = ..., ...)", with ORDER BY for an
// ordered-set aggregate and `*` for one without arguments. Requires: function.aggregate.
std::string AggregateSql(const catalog::Function& function);

// How ALTER, COMMENT ON and DROP name a routine: "AGGREGATE name(*)" / "AGGREGATE
// name(types)", "PROCEDURE name(types)", "FUNCTION name(types)" (GRANT always says FUNCTION
// or PROCEDURE: GrantTarget).
std::string RoutineWhat(const catalog::Function& function);

// `body` between dollar quotes whose tag does not occur in it: $$...$$, $body$...$body$,
// $body1$...$body1$, ...
// ALTER DATABASE ... OWNER TO `owner` ("" = CURRENT_USER) for the database the script runs
// in, whatever its name: a DO block (`EXECUTE format('ALTER DATABASE %I ...',
// current_database())`) that the catalog builder reads back.
std::string DatabaseOwnerSql(const std::string& owner);
std::string DollarQuote(std::string_view body);

// True when `function` has a SQL-standard body (BEGIN ATOMIC ... END or RETURN expr),
// written without quotes, which the server parses and checks at CREATE time.
bool HasSqlStandardBody(const catalog::Function& function);

// "file:line:col" (1-based) of an origin; just "file" when the line is unknown or the
// object was read from a server ("<server>", whose lines are those of an internal dump);
// "" when the file is unknown.
std::string OriginLocation(const catalog::Origin& origin);

}  // namespace dbarch::report
