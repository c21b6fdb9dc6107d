// Diagrams of a schema model (catalog/model.h): Mermaid erDiagram, DBML (dbdiagram.io),
// Graphviz DOT, and an SVG laid out here without Graphviz. Tables only (views are not
// drawn); relationships are the foreign keys, drawn from the referencing table to the
// referenced one with their cardinality (a unique or primary-key foreign key is 1:1, a
// nullable one optional). Output is deterministic (tables in catalog order). Used by
// `dbarch inspect --format mermaid|dbml|dot|svg` and by the design document. Pure functions;
// thread-safe.
#pragma once

#include <string>

#include "catalog/model.h"

namespace dbarch::report {

struct DiagramOptions {
  // Only tables whose name ("schema.table" for schemas other than public, else "table")
  // matches this glob (* and ?); foreign keys to tables left out are dropped. "" = all.
  std::string tables;
  // Only this schema; "" = all.
  std::string schema;
  // Draw columns (false: table names only, for large schemas).
  bool columns = true;
};

std::string CatalogToMermaid(const catalog::Catalog& catalog, const DiagramOptions& options = {});
std::string CatalogToDbml(const catalog::Catalog& catalog, const DiagramOptions& options = {});
std::string CatalogToDot(const catalog::Catalog& catalog, const DiagramOptions& options = {});

// The SVG layout: tables are ranked by their foreign keys (a referenced table sits left of
// the tables that reference it; a cycle is cut at its first edge), each rank is a column of
// boxes (a rank taller than the tallest reasonable column wraps into several), box sizes come
// from the longest text line at a fixed-width font; boxes never overlap by construction.
// Every table is a <g class="table" data-name="..."> holding one <rect class="box">.
std::string CatalogToSvg(const catalog::Catalog& catalog, const DiagramOptions& options = {});

}  // namespace dbarch::report
