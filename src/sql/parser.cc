#include "sql/parser.h"

#include <pg_query.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <system_error>
#include <thread>

#include "sql/arena.h"
#include "sql/proto_writer.h"

namespace dbarch::sql {

namespace {

// Converts a libpg_query error on `parsed` (the whole text, or a chunk of it with every byte
// before the chunk blanked, so byte offsets agree) into a Status pointing into `file`.
std::string LowerWord(std::string_view text, size_t at, size_t* end) {
  size_t j = at;
  std::string w;
  while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) {
    w += static_cast<char>(std::tolower(static_cast<unsigned char>(text[j])));
    ++j;
  }
  *end = j;
  return w;
}

// The word before offset `at` (skipping blanks), lower-cased.
std::string PreviousWord(std::string_view text, size_t at) {
  size_t i = at;
  while (i > 0 && std::isspace(static_cast<unsigned char>(text[i - 1]))) --i;
  size_t e = i;
  while (i > 0 && (std::isalnum(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '_')) --i;
  std::string w(text.substr(i, e - i));
  for (char& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return w;
}

// Syntax that newer PostgreSQL versions accept and the PostgreSQL 15 grammar rejects, named
// with the version it needs, from the token where the parser stopped; "" when not known.
std::string NewerSyntax(std::string_view text, size_t offset) {
  size_t end = 0;
  std::string word = LowerWord(text, offset, &end);
  std::string before = PreviousWord(text, offset);
  // The statement so far, lower-cased, for constructs recognised by what precedes them.
  size_t stmt = text.rfind(';', offset == 0 ? 0 : offset - 1);
  std::string head(text.substr(stmt == std::string_view::npos ? 0 : stmt + 1,
                               offset - (stmt == std::string_view::npos ? 0 : stmt + 1)));
  for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (word == "virtual") return "virtual generated columns need PostgreSQL 18";
  size_t next_end = 0;
  size_t next_at = end;
  while (next_at < text.size() && std::isspace(static_cast<unsigned char>(text[next_at]))) ++next_at;
  std::string next = LowerWord(text, next_at, &next_end);
  if ((word == "overlaps" && before == "without") || (word == "without" && next == "overlaps")) {
    return "WITHOUT OVERLAPS keys need PostgreSQL 18";
  }
  if (word == "period") return "PERIOD foreign keys need PostgreSQL 18";
  if ((word == "enforced" && before == "not") || (word == "not" && next == "enforced")) {
    return "NOT ENFORCED constraints need PostgreSQL 18";
  }
  if (head.find("json_table") != std::string::npos) return "JSON_TABLE needs PostgreSQL 17";
  if (head.find("json_exists") != std::string::npos || head.find("json_query") != std::string::npos ||
      head.find("json_value") != std::string::npos) {
    return "JSON_EXISTS, JSON_QUERY and JSON_VALUE need PostgreSQL 17";
  }
  if ((word == "json" && (before == "is" || before == "not")) ||
      ((word == "is" || word == "not") && next == "json")) {
    return "IS JSON needs PostgreSQL 16";
  }
  if (head.find("json_object") != std::string::npos || head.find("json_array") != std::string::npos) {
    return "the SQL/JSON constructors (JSON_OBJECT, JSON_ARRAY...) need PostgreSQL 16";
  }
  size_t first = 0;
  std::string verb = LowerWord(head, head.find_first_not_of(" \t\r\n"), &first);
  if (verb == "merge" && word == "returning") return "MERGE ... RETURNING needs PostgreSQL 17";
  if (verb == "merge" && word == "by" && before == "matched") {
    return "WHEN NOT MATCHED BY SOURCE needs PostgreSQL 17";
  }
  if (word == "expression" && before == "set") return "ALTER COLUMN ... SET EXPRESSION needs PostgreSQL 17";
  if (word == "inherit" && before == "with") return "GRANT ... WITH INHERIT needs PostgreSQL 16";
  if (offset > 0 && text[offset - 1] == '0' && (word.rfind("x", 0) == 0 || word.rfind("o", 0) == 0 ||
                                                word.rfind("b", 0) == 0)) {
    return "hexadecimal, octal and binary integer literals need PostgreSQL 16";
  }
  if (!word.empty() && word[0] == '_' && offset > 0 && std::isdigit(static_cast<unsigned char>(text[offset - 1]))) {
    return "underscores in numeric literals need PostgreSQL 16";
  }
  return "";
}

Status ErrorStatus(const PgQueryError* error, std::string_view parsed, const SourceFile& file) {
  std::string message = error->message != nullptr ? error->message : "syntax error";
  uint32_t offset = 0;
  if (error->cursorpos > 0) offset = CharPosToByteOffset(parsed, error->cursorpos);
  std::string newer = NewerSyntax(parsed, offset);
  Status st = Status::ParseError(message);
  if (!newer.empty()) {
    st = Status::ParseError(message + ": " + newer).WithHint(
        "dbarch reads SQL with the PostgreSQL 15 grammar (libpg_query 15, the version Debian 12 "
        "ships)");
  }
  return std::move(st).WithSpan(file.Span(offset, offset));
}

Status BareErrorStatus(const PgQueryError* error) {
  return Status::ParseError(error->message != nullptr ? error->message : "syntax error");
}

}  // namespace

uint32_t SkipBlanksAndComments(std::string_view text, uint32_t offset) {
  size_t i = offset;
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
    } else if (c == '-' && i + 1 < text.size() && text[i + 1] == '-') {
      // A -- comment ends at \n or \r, as in the server's scanner (scan.l: newline [\n\r]).
      while (i < text.size() && text[i] != '\n' && text[i] != '\r') ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      // PostgreSQL block comments nest.
      int depth = 0;
      while (i < text.size()) {
        if (text[i] == '/' && i + 1 < text.size() && text[i + 1] == '*') {
          ++depth;
          i += 2;
        } else if (text[i] == '*' && i + 1 < text.size() && text[i + 1] == '/') {
          i += 2;
          if (--depth == 0) break;
        } else {
          ++i;
        }
      }
    } else {
      break;
    }
  }
  return static_cast<uint32_t>(i);
}

namespace {

// libpg_query reads C strings, so a NUL byte would silently end the text where it stands
// (the rest of a file ignored, statement ranges cut short). The server refuses one in a
// query as well; this is its message.
Status NulByteError() {
  return Status::ParseError("invalid byte sequence for encoding \"UTF8\": 0x00");
}

// Parses the NUL-terminated `text` and decodes libpg_query's protobuf output into `arena`.
Result<PgQuery__ParseResult*> ParseInto(const std::string& text, const SourceFile& file,
                                        Arena& arena) {
  if (size_t nul = text.find('\0'); nul != std::string::npos) {
    auto at = static_cast<uint32_t>(nul);
    return NulByteError().WithSpan(file.Span(at, at));
  }
  PgQueryProtobufParseResult raw = pg_query_parse_protobuf(text.c_str());
  if (raw.error != nullptr) {
    Status st = ErrorStatus(raw.error, text, file);
    pg_query_free_protobuf_parse_result(raw);
    return st;
  }
  ProtobufCMessage* unpacked =
      arena.Unpack(pg_query__parse_result__descriptor,
                   std::string_view(raw.parse_tree.data, raw.parse_tree.len));
  pg_query_free_protobuf_parse_result(raw);
  if (unpacked == nullptr) return Status::Internal("could not decode the libpg_query parse tree");
  return reinterpret_cast<PgQuery__ParseResult*>(unpacked);
}

// Appends the statements of `result` with their byte ranges in `text`. `chunk_begin` is
// where the parsed chunk starts (0 for the whole text): the first statement of a chunk
// that starts later was parsed with location 0 and a length counted from 0, and gets the
// location a whole-text parse gives it, the byte after the preceding ';', which is
// chunk_begin.
void AppendStatements(const PgQuery__ParseResult& result, std::string_view text,
                      uint32_t chunk_begin, std::vector<Statement>& out) {
  for (size_t i = 0; i < result.n_stmts; ++i) {
    const PgQuery__RawStmt* raw_stmt = result.stmts[i];
    auto loc = static_cast<uint32_t>(raw_stmt->stmt_location);
    auto len = static_cast<uint32_t>(raw_stmt->stmt_len);
    if (chunk_begin > 0 && loc == 0) {
      if (len != 0) len -= chunk_begin;
      loc = chunk_begin;
    }
    uint32_t end = len == 0 ? static_cast<uint32_t>(text.size()) : loc + len;
    uint32_t begin = SkipBlanksAndComments(text, loc);
    // A final statement without ';' runs to the end of text: trim trailing blanks.
    while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\n' ||
                           text[end - 1] == '\t' || text[end - 1] == '\r')) {
      --end;
    }
    out.push_back(Statement{raw_stmt->stmt, begin, end});
  }
}

// One piece of a text parsed on its own thread.
struct Chunk {
  uint32_t begin = 0;  // byte range of the whole text
  uint32_t end = 0;
  std::unique_ptr<Arena> arena;
  PgQuery__ParseResult* result = nullptr;  // null if the chunk did not parse
};

// Parses `chunk` of `file` as a string of chunk.end bytes whose bytes before chunk.begin
// are blanks, so that every location (and error position) is a byte offset into the whole
// text. A blank is one byte and one character, so cursor positions convert exactly too.
void ParseChunk(const SourceFile& file, Chunk& chunk) {
  const std::string& text = file.text();
  std::string padded(chunk.end, ' ');
  std::memcpy(padded.data() + chunk.begin, text.data() + chunk.begin, chunk.end - chunk.begin);
  chunk.arena = std::make_unique<Arena>();
  auto result = ParseInto(padded, file, *chunk.arena);
  if (result.ok()) chunk.result = *result;
}

// Where chunks start: 0, then for each further chunk the byte just past the ';' that ends
// the first statement reaching a 1/n_chunks share of the text. A cut is made only where
// another statement follows. Fewer starts than n_chunks come back when statements are few.
std::vector<uint32_t> ChunkStarts(std::string_view text, const std::vector<StatementRange>& ranges,
                                  size_t n_chunks) {
  std::vector<uint32_t> starts = {0};
  size_t r = 0;
  for (size_t k = 1; k < n_chunks; ++k) {
    size_t target = text.size() * k / n_chunks;
    while (r < ranges.size() && ranges[r].end < target) ++r;
    if (r + 1 >= ranges.size()) break;
    // SplitStatements ends a range before the blanks that precede its ';'.
    size_t p = ranges[r].end;
    while (p < text.size() &&
           (text[p] == ' ' || text[p] == '\n' || text[p] == '\t' || text[p] == '\r')) {
      ++p;
    }
    ++r;
    if (p >= text.size() || text[p] != ';') continue;
    auto cut = static_cast<uint32_t>(p + 1);
    if (cut > starts.back()) starts.push_back(cut);
  }
  return starts;
}

unsigned ThreadsFor(const SourceFile& file, const ParseOptions& options) {
  size_t size = file.text().size();
  if (size < options.min_parallel_bytes) return 1;
  unsigned threads = options.threads;
  if (threads == 0) threads = std::min(std::max(1u, std::thread::hardware_concurrency()),
                                       kMaxParseThreads);
  size_t by_size = size / std::max<size_t>(options.min_chunk_bytes, 1);
  return static_cast<unsigned>(std::clamp<size_t>(by_size, 1, threads));
}

}  // namespace

Result<ParseTree> ParseTree::Parse(const SourceFile& file) { return Parse(file, ParseOptions{}); }

Result<ParseTree> ParseTree::Parse(const SourceFile& file, const ParseOptions& options) {
  const std::string& text = file.text();
  unsigned threads = ThreadsFor(file, options);
  if (threads > 1) {
    auto ranges = SplitStatements(file);
    // An unscannable text fails below as well; let the one-thread parse report it.
    std::vector<uint32_t> starts;
    if (ranges.ok()) starts = sql::ChunkStarts(text, *ranges, threads);
    if (starts.size() > 1) {
      std::vector<Chunk> chunks(starts.size());
      for (size_t k = 0; k < chunks.size(); ++k) {
        chunks[k].begin = starts[k];
        chunks[k].end = k + 1 < starts.size() ? starts[k + 1] : static_cast<uint32_t>(text.size());
      }
      std::vector<std::thread> workers;
      size_t started = 1;  // chunk 0 runs on this thread
      for (; started < chunks.size(); ++started) {
        try {
          // No pg_query_exit() at the end: libpg_query frees a thread's memory context
          // itself when the thread ends, and freeing it before makes that a double free.
          workers.emplace_back([&file, &chunk = chunks[started]] { ParseChunk(file, chunk); });
        } catch (const std::system_error&) {
          break;  // no more threads: parse the rest here
        }
      }
      ParseChunk(file, chunks[0]);
      for (size_t k = started; k < chunks.size(); ++k) ParseChunk(file, chunks[k]);
      for (std::thread& w : workers) w.join();
      bool all_parsed = true;
      for (const Chunk& c : chunks) all_parsed = all_parsed && c.result != nullptr;
      if (all_parsed) {
        ParseTree tree;
        size_t n = 0;
        for (const Chunk& c : chunks) n += c.result->n_stmts;
        tree.statements_.reserve(n);
        for (Chunk& c : chunks) {
          AppendStatements(*c.result, text, c.begin, tree.statements_);
          tree.arenas_.push_back(std::move(c.arena));
        }
        return tree;
      }
      // A chunk failed: the split may be wrong for unusual text, and the error position
      // must be the one-thread parse's, so the whole text is parsed again below.
    }
  }
  ParseTree tree;
  tree.arenas_.push_back(std::make_unique<Arena>());
  DBARCH_ASSIGN_OR_RETURN(PgQuery__ParseResult * result,
                          ParseInto(text, file, *tree.arenas_.back()));
  tree.statements_.reserve(result->n_stmts);
  AppendStatements(*result, text, 0, tree.statements_);
  return tree;
}

std::vector<uint32_t> ParseTree::ChunkStarts(const SourceFile& file, size_t n_chunks) {
  auto ranges = SplitStatements(file);
  if (!ranges.ok() || n_chunks < 2) return {0};
  return sql::ChunkStarts(file.text(), *ranges, n_chunks);
}

Result<ParseTree> ParseTree::ParseRange(const SourceFile& file, uint32_t begin, uint32_t end) {
  const std::string& text = file.text();
  end = std::min<uint32_t>(end, static_cast<uint32_t>(text.size()));
  begin = std::min(begin, end);
  std::string padded(end, ' ');
  std::memcpy(padded.data() + begin, text.data() + begin, end - begin);
  ParseTree tree;
  tree.arenas_.push_back(std::make_unique<Arena>());
  DBARCH_ASSIGN_OR_RETURN(PgQuery__ParseResult * result,
                          ParseInto(padded, file, *tree.arenas_.back()));
  tree.statements_.reserve(result->n_stmts);
  AppendStatements(*result, text, begin, tree.statements_);
  return tree;
}

ParseTree::ParseTree() = default;
ParseTree::ParseTree(ParseTree&& other) noexcept = default;
ParseTree& ParseTree::operator=(ParseTree&& other) noexcept = default;
ParseTree::~ParseTree() = default;

namespace {

bool IsIdentChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '$' || c >= 0x80;
}

bool IsIdentStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

// The offset just past the block comment that starts at `begin` ("/*"; they nest), or npos
// if the text ends inside it.
size_t SkipBlockComment(std::string_view text, size_t begin) {
  int depth = 0;
  size_t i = begin;
  while (i + 1 < text.size()) {
    if (text[i] == '/' && text[i + 1] == '*') {
      ++depth;
      i += 2;
    } else if (text[i] == '*' && text[i + 1] == '/') {
      i += 2;
      if (--depth == 0) return i;
    } else {
      ++i;
    }
  }
  return std::string_view::npos;
}

bool WordIs(std::string_view text, size_t begin, size_t end, std::string_view word) {
  if (end - begin != word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    char c = text[begin + i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != word[i]) return false;
  }
  return true;
}

}  // namespace

// A small lexer of our own rather than pg_query_split_with_scanner(): that one drops
// statements that do not start with a keyword (so "SELEC 1;" vanishes), and a linter must
// keep every statement, parseable or not, to report it.
Result<std::vector<StatementRange>> SplitStatements(const SourceFile& file) {
  std::string_view text = file.text();
  std::vector<StatementRange> out;
  size_t stmt_begin = 0;
  int paren_depth = 0;
  int atomic_depth = 0;        // inside BEGIN ATOMIC ... END (SQL-standard function bodies)
  bool last_word_begin = false;
  auto flush = [&](size_t end) {
    uint32_t b = SkipBlanksAndComments(text, static_cast<uint32_t>(stmt_begin));
    size_t e = end;
    while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\n' || text[e - 1] == '\t' ||
                     text[e - 1] == '\r')) {
      --e;
    }
    if (b < e) out.push_back(StatementRange{b, static_cast<uint32_t>(e)});
  };
  auto unterminated = [&](size_t at, const char* what) {
    return Status::ParseError(std::string("unterminated ") + what)
        .WithSpan(file.Span(static_cast<uint32_t>(at), static_cast<uint32_t>(at)));
  };
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '-' && i + 1 < text.size() && text[i + 1] == '-') {
      // A -- comment ends at \n or \r, as in the server's scanner (scan.l: newline [\n\r]).
      while (i < text.size() && text[i] != '\n' && text[i] != '\r') ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      size_t after = SkipBlockComment(text, i);
      if (after == std::string_view::npos) return unterminated(i, "/* comment");
      i = after;
    } else if (c == '\'' || ((c == 'e' || c == 'E') && i + 1 < text.size() && text[i + 1] == '\'' &&
                             (i == 0 || !IsIdentChar(static_cast<unsigned char>(text[i - 1]))))) {
      bool escapes = c != '\'';
      size_t start = i;
      i += escapes ? 2 : 1;
      bool closed = false;
      while (i < text.size()) {
        if (escapes && text[i] == '\\') {
          i += 2;
        } else if (text[i] == '\'') {
          if (i + 1 < text.size() && text[i + 1] == '\'') {
            i += 2;
          } else {
            ++i;
            closed = true;
            break;
          }
        } else {
          ++i;
        }
      }
      if (!closed) return unterminated(start, "quoted string");
      last_word_begin = false;
    } else if (c == '"') {
      size_t start = i++;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            i += 2;
          } else {
            ++i;
            closed = true;
            break;
          }
        } else {
          ++i;
        }
      }
      if (!closed) return unterminated(start, "quoted identifier");
      last_word_begin = false;
    } else if (c == '$' && (i == 0 || !IsIdentChar(static_cast<unsigned char>(text[i - 1])))) {
      // $tag$ ... $tag$ or $$ ... $$; $1 is a parameter.
      size_t j = i + 1;
      if (j < text.size() && IsIdentStart(static_cast<unsigned char>(text[j]))) {
        while (j < text.size() && IsIdentChar(static_cast<unsigned char>(text[j])) && text[j] != '$') ++j;
      }
      if (j < text.size() && text[j] == '$') {
        std::string_view tag = text.substr(i, j - i + 1);
        size_t close = text.find(tag, j + 1);
        if (close == std::string_view::npos) return unterminated(i, "dollar-quoted string");
        i = close + tag.size();
      } else {
        ++i;
      }
      last_word_begin = false;
    } else if (IsIdentStart(c)) {
      size_t start = i;
      while (i < text.size() && IsIdentChar(static_cast<unsigned char>(text[i]))) ++i;
      if (last_word_begin && WordIs(text, start, i, "atomic")) {
        ++atomic_depth;
      } else if (atomic_depth > 0 && WordIs(text, start, i, "case")) {
        ++atomic_depth;
      } else if (atomic_depth > 0 && WordIs(text, start, i, "end")) {
        --atomic_depth;
      }
      last_word_begin = WordIs(text, start, i, "begin");
    } else {
      if (c == '(') {
        ++paren_depth;
      } else if (c == ')') {
        if (paren_depth > 0) --paren_depth;
      } else if (c == ';' && paren_depth == 0 && atomic_depth == 0) {
        flush(i);
        stmt_begin = i + 1;
      }
      if (c != ' ' && c != '\n' && c != '\t' && c != '\r') last_word_begin = false;
      ++i;
    }
  }
  flush(text.size());
  return out;
}

Result<std::string> Fingerprint(std::string_view sql) {
  if (sql.find('\0') != std::string_view::npos) return NulByteError();
  std::string text(sql);
  PgQueryFingerprintResult r = pg_query_fingerprint(text.c_str());
  if (r.error != nullptr) {
    Status st = BareErrorStatus(r.error);
    pg_query_free_fingerprint_result(r);
    return st;
  }
  std::string out = r.fingerprint_str;
  pg_query_free_fingerprint_result(r);
  return out;
}

Result<std::string> NormalizeQuery(std::string_view sql) {
  // Only one query statement reaches pg_query_normalize: libpg_query 15-4.0 computes a negative
  // copy length there (and writes out of bounds) for some valid statements that are not
  // queries, e.g. CREATE FUNCTION ... SET search_path = "$user" AS '...', and for texts that
  // mix a SET with a query. pg_stat_statements in PostgreSQL 15 keeps the text of utility
  // statements unnormalized too, so nothing that dbarch reads needs more.
  ParseOptions one_thread;
  one_thread.threads = 1;
  DBARCH_ASSIGN_OR_RETURN(ParseTree tree,
                          ParseTree::Parse(SourceFile("<query>", std::string(sql)), one_thread));
  if (tree.statements().size() != 1 || !IsQueryOrDml(tree.statements()[0].node)) {
    return Status::NotSupported(
        "only a single SELECT, INSERT, UPDATE, DELETE or MERGE statement can be normalized");
  }
  std::string text(sql);
  PgQueryNormalizeResult r = pg_query_normalize(text.c_str());
  if (r.error != nullptr) {
    Status st = BareErrorStatus(r.error);
    pg_query_free_normalize_result(r);
    return st;
  }
  std::string out = r.normalized_query;
  pg_query_free_normalize_result(r);
  return out;
}

Result<std::string> DeparseStatement(const Node* stmt) {
  PgQuery__RawStmt raw = PG_QUERY__RAW_STMT__INIT;
  raw.stmt = const_cast<Node*>(stmt);
  PgQuery__RawStmt* stmts[1] = {&raw};
  PgQuery__ParseResult result = PG_QUERY__PARSE_RESULT__INIT;
  result.version = PG_VERSION_NUM;
  result.n_stmts = 1;
  result.stmts = stmts;
  std::string bytes = PackMessage(&result.base);
  PgQueryProtobuf pb{bytes.size(), bytes.data()};
  PgQueryDeparseResult r = pg_query_deparse_protobuf(pb);
  if (r.error != nullptr) {
    Status st = Status::Internal(std::string("deparse failed: ") +
                                 (r.error->message != nullptr ? r.error->message : "?"));
    pg_query_free_deparse_result(r);
    return st;
  }
  std::string out = r.query;
  pg_query_free_deparse_result(r);
  return out;
}

Result<std::string> DeparseExpr(const Node* expr) {
  // libpg_query deparses whole statements only: wrap the expression as "SELECT <expr>".
  PgQuery__ResTarget target = PG_QUERY__RES_TARGET__INIT;
  target.val = const_cast<Node*>(expr);
  target.location = -1;
  Node target_node = PG_QUERY__NODE__INIT;
  target_node.node_case = PG_QUERY__NODE__NODE_RES_TARGET;
  target_node.res_target = &target;
  Node* targets[1] = {&target_node};
  PgQuery__SelectStmt select = PG_QUERY__SELECT_STMT__INIT;
  select.n_target_list = 1;
  select.target_list = targets;
  select.limit_option = PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_DEFAULT;
  select.op = PG_QUERY__SET_OPERATION__SETOP_NONE;
  Node select_node = PG_QUERY__NODE__INIT;
  select_node.node_case = PG_QUERY__NODE__NODE_SELECT_STMT;
  select_node.select_stmt = &select;
  DBARCH_ASSIGN_OR_RETURN(std::string text, DeparseStatement(&select_node));
  constexpr std::string_view kPrefix = "SELECT ";
  if (text.compare(0, kPrefix.size(), kPrefix) != 0) {
    return Status::Internal("unexpected deparse output: " + text);
  }
  return text.substr(kPrefix.size());
}

void ShutdownParser() {
  // libpg_query 15-4.0 frees a thread's memory context from a thread-exit hook, which
  // pg_query_exit() does not disarm, and pg_query_exit() on an already freed context
  // crashes. So free it only on the main thread (whose hook never runs) and only once.
  thread_local bool done = false;
  if (done || gettid() != getpid()) return;
  done = true;
  pg_query_exit();
}

}  // namespace dbarch::sql
