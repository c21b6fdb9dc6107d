// Small string helpers shared by every stage: identifier quoting the way PostgreSQL's
// quote_ident() does it, SQL literal quoting, joining and case folding. Pure functions,
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dbarch {

// Quotes `ident` with double quotes unless it is a lower-case, non-keyword identifier that
// PostgreSQL would print bare (same rule as quote_ident()): "Order", "select", "a b" are
// quoted; orders is not.
std::string QuoteIdent(std::string_view ident);
// Always double-quotes `ident`, doubling embedded quotes.
std::string ForceQuoteIdent(std::string_view ident);
// QuoteIdent(schema) + "." + QuoteIdent(name); just QuoteIdent(name) when schema is empty.
std::string QualifiedName(std::string_view schema, std::string_view name);
// 'text' with embedded quotes doubled (E'' is never needed: standard_conforming_strings).
std::string QuoteLiteral(std::string_view text);

// True when `word` is a PostgreSQL keyword that must be quoted as a column or table name.
bool IsReservedKeyword(std::string_view word);

std::string Join(const std::vector<std::string>& parts, std::string_view sep);
std::string ToLower(std::string_view s);
bool StartsWith(std::string_view s, std::string_view prefix);
// A plain decimal number: an optional sign, then digits with at most one '.' ("-1", "2.50",
// ".5"); no exponent, no spaces.
bool IsDecimalNumber(std::string_view s);
bool EndsWith(std::string_view s, std::string_view suffix);
std::string_view Trim(std::string_view s);

// Levenshtein distance, for "did you mean" hints.
size_t EditDistance(std::string_view a, std::string_view b);
// The candidate closest to `word` within a small edit distance; empty if none is close.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace dbarch
