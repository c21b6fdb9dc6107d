// IntrospectCatalog: builds the catalog model (catalog/model.h) of a live database. The
// server's schema is written out as DDL by DumpSchemaSql (pg/schema_dump.h) and that text is
// applied with catalog::CatalogBuilder, so a catalog read from a server and one built from
// DDL files go through one normalisation and compare equal when they describe the same
// schema. The partitions' index clones (Table::clones), which the dump leaves to the parents'
// indexes, are read apart, with the names and comments the server has. Used by the cli
// (inspect --db, diff against a server) and by the round-trip tests.
//
// Thread-safety: a call uses its connection exclusively for its duration.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/model.h"

namespace dbarch::pg {

class Connection;

struct IntrospectOptions {
  // When non-empty, only these schemas are read (system schemas never are).
  std::vector<std::string> include_schemas;
  // Schemas left out (applied after include_schemas). Objects elsewhere that reference an
  // excluded schema's objects (a foreign key, a column of an excluded type) still name them.
  std::vector<std::string> exclude_schemas;
  // Read cluster-wide roles and their memberships (Catalog::roles).
  bool include_roles = true;
};

// The catalog of the database `conn` is connected to. Owners equal to the connecting user
// are "" (as for DDL run by that user). Objects that belong to extensions are not part of
// it; object kinds dbarch does not model are listed as "-- not dumped:" lines in the
// DumpSchemaSql text and are not in the catalog.
// Errors: kConnection when a catalog query fails; kInternal when the builder rejects the
// DDL generated from the server (a dbarch bug: the message quotes the offending statement).
Result<catalog::Catalog> IntrospectCatalog(Connection& conn, const IntrospectOptions& options);

// Applies schema DDL text produced by DumpSchemaSql (`dump_sql`) with CatalogBuilder; the
// second half of IntrospectCatalog, exposed for tests and for reading a saved dump.
// Errors: kInternal naming the offending statement (see IntrospectCatalog).
Result<catalog::Catalog> CatalogFromDump(const std::string& dump_sql);

}  // namespace dbarch::pg
