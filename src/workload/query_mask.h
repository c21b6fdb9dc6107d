// A fast cache key for query fingerprints: the text of a statement with its literals,
// numbers and $n parameters replaced by '?', comments removed and blanks collapsed. Two
// statements with the same mask always have the same libpg_query fingerprint, so the log
// reader calls the parser once per distinct mask instead of once per logged statement.
// Used by log_reader.cc. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dbarch::workload {

// Writes the mask of `sql` into `*out` (cleared first). Literals are masked only in
// statements that start with SELECT, INSERT, UPDATE, DELETE, MERGE, WITH, VALUES, TABLE or
// '(': there every literal is a constant node that the fingerprint ignores. Any other
// statement (SET, COPY ... FROM 'file', utility commands) keeps its text verbatim, because
// some of their literals are plain strings that the fingerprint does include. Quoted
// identifiers are kept as written. Text the lexer cannot follow (an unterminated quote) is
// kept verbatim from that point, which is still a correct key.
void MaskQuery(std::string_view sql, std::string* out);

// One constant that normalization replaced by $k.
struct ConstantValue {
  bool replaced = false;  // false: $k was already a parameter in the original text
  bool is_null = false;   // the constant was NULL
  std::string text;       // the value as text: 'quoted' strings unquoted ('' -> ')
};

// The constants that PostgreSQL's normalization replaced: `normalized` must be `original`
// with some constant tokens replaced by $k (what pg_query_normalize returns). Element k-1
// describes $k, for every $k in `normalized`. nullopt when the two texts do not align (the
// caller then has no sample values). Pure.
std::optional<std::vector<ConstantValue>> ExtractConstants(std::string_view original,
                                                           std::string_view normalized);

}  // namespace dbarch::workload
