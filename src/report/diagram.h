// Diagrams of a schema model (catalog/model.h): Mermaid erDiagram, DBML (dbdiagram.io),
// Graphviz DOT, and SVG (that DOT laid out and rendered by Graphviz in process). Tables only
// (views are not drawn); relationships are the foreign keys, drawn from the referencing table to
// the referenced one with their cardinality (a unique or primary-key foreign key is 1:1, a nullable
// one optional). Output is deterministic (tables in catalog order). Used by `dbarch inspect
// --format mermaid|dbml|dot|svg` and by the design document. Pure functions; thread-safe (SVG
// renders take turns, see graphviz.h).
#pragma once

#include <string>

#include "base/status.h"
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

// The DOT of CatalogToDot laid out by Graphviz's dot engine (graphviz.h) as an SVG document.
// Every table is one Graphviz node, <g class="node"> whose <title> is the table's name, with
// one bordered box around the header and a row per column (name, type with a trailing "?"
// when nullable, PK/FK/UK); each foreign key is a <g class="edge"> labelled with its columns
// (dashed when nullable). Errors: Graphviz's, with its message (see RenderDotToSvg); never
// partial output.
Result<std::string> CatalogToSvg(const catalog::Catalog& catalog,
                                 const DiagramOptions& options = {});

}  // namespace dbarch::report
