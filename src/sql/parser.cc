#include "sql/parser.h"

#include <pg_query.h>

#include <memory>

#include "sql/arena.h"

namespace dbarch::sql {

namespace {

// Converts a libpg_query error into a Status pointing at the error position in `file`.
Status ErrorStatus(const PgQueryError* error, const SourceFile& file, uint32_t base_offset) {
  std::string message = error->message != nullptr ? error->message : "syntax error";
  Status st = Status::ParseError(message);
  uint32_t offset = base_offset;
  if (error->cursorpos > 0) {
    std::string_view rest(file.text());
    rest.remove_prefix(base_offset);
    offset += CharPosToByteOffset(rest, error->cursorpos);
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
      while (i < text.size() && text[i] != '\n') ++i;
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

Result<ParseTree> ParseTree::Parse(const SourceFile& file) {
  // libpg_query needs a NUL-terminated string; std::string guarantees one.
  PgQueryProtobufParseResult raw = pg_query_parse_protobuf(file.text().c_str());
  if (raw.error != nullptr) {
    Status st = ErrorStatus(raw.error, file, 0);
    pg_query_free_protobuf_parse_result(raw);
    return st;
  }
  ParseTree tree;
  PgQuery__ParseResult* unpacked = pg_query__parse_result__unpack(
      tree.arena_->allocator(), raw.parse_tree.len,
      reinterpret_cast<const uint8_t*>(raw.parse_tree.data));
  pg_query_free_protobuf_parse_result(raw);
  if (unpacked == nullptr) return Status::Internal("could not unpack the libpg_query parse tree");
  tree.result_ = unpacked;
  const std::string& text = file.text();
  tree.statements_.reserve(unpacked->n_stmts);
  for (size_t i = 0; i < unpacked->n_stmts; ++i) {
    const PgQuery__RawStmt* raw_stmt = unpacked->stmts[i];
    uint32_t loc = static_cast<uint32_t>(raw_stmt->stmt_location);
    uint32_t end = raw_stmt->stmt_len == 0 ? static_cast<uint32_t>(text.size())
                                           : loc + static_cast<uint32_t>(raw_stmt->stmt_len);
    uint32_t begin = SkipBlanksAndComments(text, loc);
    // A final statement without ';' runs to the end of text: trim trailing blanks.
    while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\n' ||
                           text[end - 1] == '\t' || text[end - 1] == '\r')) {
      --end;
    }
    tree.statements_.push_back(Statement{raw_stmt->stmt, begin, end});
  }
  return tree;
}

ParseTree::ParseTree() : arena_(std::make_unique<Arena>()) {}

ParseTree::ParseTree(ParseTree&& other) noexcept
    : arena_(std::move(other.arena_)),
      result_(other.result_),
      statements_(std::move(other.statements_)) {
  other.result_ = nullptr;
}

ParseTree& ParseTree::operator=(ParseTree&& other) noexcept {
  if (this != &other) {
    arena_ = std::move(other.arena_);
    result_ = other.result_;
    statements_ = std::move(other.statements_);
    other.result_ = nullptr;
  }
  return *this;
}

ParseTree::~ParseTree() = default;

namespace {

bool IsIdentChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '$' || c >= 0x80;
}

bool IsIdentStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
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
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      size_t start = i;
      size_t after = SkipBlanksAndComments(text, static_cast<uint32_t>(i));
      // SkipBlanksAndComments stops at end of text for an unclosed comment.
      if (after >= text.size() && !(text.size() >= 2 && text.substr(text.size() - 2) == "*/")) {
        return unterminated(start, "/* comment");
      }
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
  size_t size = pg_query__parse_result__get_packed_size(&result);
  std::unique_ptr<uint8_t[]> buf(new uint8_t[size + 1]);
  pg_query__parse_result__pack(&result, buf.get());
  PgQueryProtobuf pb{size, reinterpret_cast<char*>(buf.get())};
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

void ShutdownParser() { pg_query_exit(); }

}  // namespace dbarch::sql
