// DumpSchemaSql: reads a live database's schema from pg_catalog and writes it back as DDL
// text, a small pg_dump of the objects dbarch models (schemas, roles, extensions, types,
// functions, sequences, tables, constraints, indexes, views, triggers, RLS and policies,
// owners, grants, comments) plus a few it only keeps as "other" statements (collations,
// aggregates, statistics objects, rules, default privileges, CLUSTER ON, column
// statistics targets). pg/introspect.h feeds this text to catalog::CatalogBuilder, so a
// catalog read from a server and one built from DDL files share one normalisation.
//
// The text is built from a fixed handful of set-based catalog queries (one per object
// kind), never one query per object, so large schemas dump in seconds. The statements come
// in an order that loads into an empty database: roles, schemas, extensions, collations,
// then types / sequences / functions / tables / views ordered by their pg_depend edges,
// then sequence ownership, keys, indexes, foreign keys, triggers, RLS, policies, owners,
// grants and comments. Objects that belong to an extension are never dumped; object kinds
// that are not dumped are listed in "-- not dumped:" comment lines at the end.
//
// Thread-safety: a DumpSchemaSql call uses its connection exclusively for its duration.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace dbarch::pg {

class Connection;

struct DumpOptions {
  // When non-empty, only these schemas are dumped (system schemas never are).
  std::vector<std::string> include_schemas;
  // Schemas left out (applied after include_schemas).
  std::vector<std::string> exclude_schemas;
  // Cluster-wide roles and role memberships (all non-system roles except the connecting
  // user and the bootstrap superuser).
  bool include_roles = true;
  // With the roles, their password hashes as PASSWORD '<hash>' / PASSWORD NULL (only when
  // the session may read pg_authid, i.e. a superuser). Off by default: text that loads into
  // another server or is shown never carries them; introspection turns it on so the model
  // knows whether a role has a password (diff never prints a hash it read from a server).
  bool role_passwords = false;
  // Start the text with the session settings that a load into a server needs
  // (check_function_bodies off, search_path). Off for text that only feeds the builder.
  bool session_settings = true;
};

// The schema of the database `conn` is connected to, as DDL text (see the file comment).
// Names of objects are written schema-qualified; type names and expressions as the server
// prints them with search_path = public (objects in public bare), which this call sets on
// the session, together with TimeZone UTC, DateStyle ISO and IntervalStyle postgres so the
// text does not depend on the session's settings. Objects owned by the connecting user get
// no OWNER TO, and the connecting user appears as CURRENT_USER in policy roles and grants:
// "" / CURRENT_USER means "whoever runs the DDL", as in a DDL file.
// Errors: kConnection when a query fails (the message names the object kind being read).
// Requires: a connection to PostgreSQL 13 or later; read access to pg_catalog suffices.
Result<std::string> DumpSchemaSql(Connection& conn, const DumpOptions& options);

}  // namespace dbarch::pg
