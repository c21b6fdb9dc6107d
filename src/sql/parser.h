// The PostgreSQL 15 SQL front-end: parses SQL text with libpg_query (the server's own
// grammar) into a ParseTree, splits text into statements with exact byte ranges, and
// fingerprints / normalises / deparses. Errors carry the source span (file, 0-based byte
// offset, 1-based line and character column). Thread-safe: libpg_query keeps its state
// per thread; each ParseTree is owned by one thread at a time. Parsing a large text starts
// worker threads of its own (see ParseOptions) and joins them before it returns.
#pragma once

#include <cstddef>
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

// How ParseTree::Parse may spread one text over threads.
struct ParseOptions {
  // Threads for one text, the calling thread included: 0 picks
  // std::thread::hardware_concurrency() (capped at kMaxParseThreads); 1 parses on the calling
  // thread only.
  unsigned threads = 0;
  // Texts shorter than this are parsed on the calling thread: below it, starting threads
  // costs more than it saves.
  size_t min_parallel_bytes = size_t{1} << 20;
  // Each thread gets at least this many bytes of text.
  size_t min_chunk_bytes = size_t{256} << 10;
};

// More threads cost memory (each chunk is parsed as a copy of the text up to its end) for
// little gain.
inline constexpr unsigned kMaxParseThreads = 8;

// Owns the parse tree of one source text.
class ParseTree {
 public:
  // Parses all of `file`. A syntax error returns kParseError with the span of the error
  // position (line and column filled) and PostgreSQL's message. Same as
  // Parse(file, ParseOptions{}).
  static Result<ParseTree> Parse(const SourceFile& file);

  // Parses all of `file`; a text of at least options.min_parallel_bytes is cut at statement
  // boundaries (as SplitStatements finds them) into one chunk per thread, and each chunk is
  // parsed on its own thread. The result is the same as a parse on one thread: statements in
  // text order, node locations as byte offsets into the whole text, and on any failure the
  // whole text is parsed again on the calling thread, so errors (and their spans) are
  // exactly those of a one-thread parse. Each chunk is parsed as a copy of the text up to
  // the chunk's end, with the bytes before the chunk blanked. libpg_query frees a worker's
  // per-thread memory when the worker ends; the calling thread keeps its own.
  static Result<ParseTree> Parse(const SourceFile& file, const ParseOptions& options);

  // Where to cut `file` into about `n_chunks` pieces that ParseRange can parse one by one:
  // 0, then offsets just past a ';' that ends a statement (as SplitStatements finds them),
  // near equal shares of the text. Fewer starts come back when statements are few; an
  // unscannable text (an unterminated literal) gives {0}.
  static std::vector<uint32_t> ChunkStarts(const SourceFile& file, size_t n_chunks);

  // Parses bytes [begin, end) of `file` as a piece of the whole text: `begin` is 0, a value
  // from ChunkStarts or the start of a statement; `end` the next such cut or the text's end.
  // Locations, statement ranges and error spans are those of the whole text. Thread-safe
  // (each thread has libpg_query's own per-thread memory).
  static Result<ParseTree> ParseRange(const SourceFile& file, uint32_t begin, uint32_t end);

  ParseTree(ParseTree&& other) noexcept;
  ParseTree& operator=(ParseTree&& other) noexcept;
  ParseTree(const ParseTree&) = delete;
  ParseTree& operator=(const ParseTree&) = delete;
  ~ParseTree();

  const std::vector<Statement>& statements() const { return statements_; }
  // How many pieces the text was parsed in: 1, or the number of threads that shared it.
  size_t chunk_count() const { return arenas_.size(); }

 private:
  ParseTree();
  // The decoded trees live in arenas (one per parsed chunk): freeing them is dropping a few
  // blocks rather than walking every node.
  std::vector<std::unique_ptr<Arena>> arenas_;
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

// `sql` with every constant replaced by $1, $2, ... (pg_stat_statements style). `sql` must be
// one SELECT, INSERT, UPDATE, DELETE or MERGE statement: anything else is kNotSupported (and
// text that does not parse kParseError).
Result<std::string> NormalizeQuery(std::string_view sql);

// SQL text for one statement node (as from a ParseTree or built in an Arena).
Result<std::string> DeparseStatement(const Node* stmt);
// SQL text for one expression node (a_expr / ColumnRef / FuncCall / ...).
Result<std::string> DeparseExpr(const Node* expr);

// Byte offset of the first character of `text` at or after `offset` that is not blank
// and not inside a -- or /* */ comment.
uint32_t SkipBlanksAndComments(std::string_view text, uint32_t offset);

// Frees the main thread's libpg_query memory; call before the program ends to keep leak
// checkers quiet. Other threads need no call (libpg_query frees their memory when they
// end), so there it does nothing; a second call does nothing either. Requires: no sql/
// parse, deparse or fingerprint on the main thread afterwards.
void ShutdownParser();

}  // namespace dbarch::sql
