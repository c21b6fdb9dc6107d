// The PostgreSQL 15 SQL front-end: parses SQL text with libpg_query (the server's own
// grammar) into a ParseTree, splits text into statements with exact byte ranges, and
// fingerprints / normalises / deparses. Errors carry the source span (file, 0-based byte
// offset, 1-based line and character column). Thread-safe: libpg_query keeps its state
// per thread; each ParseTree is owned by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/source_span.h"
#include "base/status.h"
#include "sql/ast.h"

namespace dbarch::sql {

class Arena;

// One top-level statement of a parsed source.
struct Statement {
  const Node* node = nullptr;  // borrowed from the owning ParseTree
  uint32_t begin = 0;          // byte offset of the first token (after leading comments)
  uint32_t end = 0;            // byte offset just past the statement (before ';')
};

// Owns the unpacked protobuf parse result of one source text.
class ParseTree {
 public:
  // Parses all of `file`. A syntax error returns kParseError with the span of the error
  // position (line and column filled) and PostgreSQL's message.
  static Result<ParseTree> Parse(const SourceFile& file);

  ParseTree(ParseTree&& other) noexcept;
  ParseTree& operator=(ParseTree&& other) noexcept;
  ParseTree(const ParseTree&) = delete;
  ParseTree& operator=(const ParseTree&) = delete;
  ~ParseTree();

  const std::vector<Statement>& statements() const { return statements_; }

 private:
  ParseTree();
  // The unpacked tree lives in the arena: freeing it is dropping a few blocks rather than
  // walking every node.
  std::unique_ptr<Arena> arena_;
  PgQuery__ParseResult* result_ = nullptr;
  std::vector<Statement> statements_;
};

// A byte range [begin, end) of one statement in a text, as found by the scanner alone (so
// it works on text that does not parse).
struct StatementRange {
  uint32_t begin = 0;
  uint32_t end = 0;
};

// Splits `text` into statements with libpg_query's scanner; ranges start at the first
// token (leading comments and blanks skipped). Fails only on unscannable input
// (unterminated quote or comment), with the error span.
Result<std::vector<StatementRange>> SplitStatements(const SourceFile& file);

// The 64-bit query fingerprint (as 16 hex digits): equal for queries that differ only in
// constants, whitespace and comments.
Result<std::string> Fingerprint(std::string_view sql);

// `sql` with every constant replaced by $1, $2, ... (pg_stat_statements style).
Result<std::string> NormalizeQuery(std::string_view sql);

// SQL text for one statement node (as from a ParseTree or built in an Arena).
Result<std::string> DeparseStatement(const Node* stmt);
// SQL text for one expression node (a_expr / ColumnRef / FuncCall / ...).
Result<std::string> DeparseExpr(const Node* expr);

// Byte offset of the first character of `text` at or after `offset` that is not blank
// and not inside a -- or /* */ comment.
uint32_t SkipBlanksAndComments(std::string_view text, uint32_t offset);

// Frees libpg_query's per-thread memory; call before a thread or program ends to keep leak
// checkers quiet. Safe to call more than once.
void ShutdownParser();

}  // namespace dbarch::sql
