// Fuzz target: parsing (sql::ParseTree::Parse: libpg_query's grammar, then our decoding of the
// protobuf tree into an arena) and what walks the tree: the catalog builder applying every
// statement, which reads names, types, defaults, constraints and expressions of any DDL.
// Also fingerprints and normalizes the text as a query, as the workload readers do.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/check.h"
#include "base/source_span.h"
#include "catalog/builder.h"
#include "sql/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dbarch;
  SourceFile file("fuzz.sql", std::string(reinterpret_cast<const char*>(data), size));
  auto tree = sql::ParseTree::Parse(file);
  if (!tree.ok()) {
    DBARCH_CHECK(tree.status().span().has_value(), "a parse error without a span");
    return 0;
  }
  for (const sql::Statement& s : tree->statements()) {
    DBARCH_CHECK(s.node != nullptr, "a statement without a node");
    DBARCH_CHECK(s.begin <= s.end && s.end <= file.text().size(),
                 "statement range outside the text");
  }
  catalog::CatalogBuilder builder;
  for (const sql::Statement& s : tree->statements()) {
    if (!builder.ApplyStatement(file, s).ok()) break;
  }
  catalog::Catalog catalog = builder.Finish();
  (void)catalog;
  (void)sql::Fingerprint(file.text());
  (void)sql::NormalizeQuery(file.text());
  return 0;
}
