#include "pg/connection.h"

#include <cstdlib>

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <utility>

#include "base/check.h"
#include "base/source_span.h"
#include "base/strings.h"

namespace dbarch::pg {
namespace {

constexpr size_t kMaxNotices = 100;
constexpr std::string_view kMask = "***";

// Owners for the other libpq allocations this file touches; each free function is called
// only from its deleter.
struct ConninfoOptionsDeleter {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
using ConninfoOptionsPtr = std::unique_ptr<PQconninfoOption, ConninfoOptionsDeleter>;
struct LibpqMemDeleter {
  void operator()(char* p) const { PQfreemem(p); }
};
using LibpqMemPtr = std::unique_ptr<char, LibpqMemDeleter>;

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool IsSecretKeyword(std::string_view keyword) {
  return keyword == "password" || keyword == "sslpassword";
}

bool IsUri(std::string_view conninfo) {
  return StartsWith(conninfo, "postgresql://") || StartsWith(conninfo, "postgres://");
}

// libpq's parse of `conninfo`: options on success, otherwise the error text.
struct ParsedConninfo {
  ConninfoOptionsPtr options;
  std::string error;
};

ParsedConninfo ParseConninfo(const std::string& conninfo) {
  char* raw_error = nullptr;
  ParsedConninfo parsed;
  parsed.options.reset(PQconninfoParse(conninfo.c_str(), &raw_error));
  LibpqMemPtr error(raw_error);
  if (error != nullptr) parsed.error = std::string(Trim(error.get()));
  if (parsed.options == nullptr && parsed.error.empty()) parsed.error = "out of memory";
  return parsed;
}

// Every keyword libpq knows ("host", "port", ...), from the option table it parses into.
const std::vector<std::string>& LibpqKeywords() {
  static const std::vector<std::string> keywords = [] {
    std::vector<std::string> out;
    ParsedConninfo parsed = ParseConninfo("");
    if (parsed.options == nullptr) return out;
    for (PQconninfoOption* o = parsed.options.get(); o->keyword != nullptr; ++o) {
      out.emplace_back(o->keyword);
    }
    return out;
  }();
  return keywords;
}

bool IsLibpqKeyword(std::string_view word) {
  const std::vector<std::string>& keywords = LibpqKeywords();
  return std::find(keywords.begin(), keywords.end(), word) != keywords.end();
}

// Keys whose values redaction masks: the secret keywords, and unknown keys that look like
// a mistyped one ("pasword=..." still holds a password even though libpq rejects it).
bool IsMaskedKey(std::string_view key) {
  if (IsSecretKeyword(key)) return true;
  if (IsLibpqKeyword(key)) return false;
  const std::string lower = ToLower(key);
  return EditDistance(lower, "password") <= 2 || lower == "pwd" || lower == "pass";
}

// One keyword=value pair of a keyword/value conninfo, as libpq's grammar reads it:
// whitespace-separated, optional spaces around '=', values either bare or single-quoted,
// backslash escaping the next character in both.
struct KeywordToken {
  std::string key;
  std::string value;       // unescaped
  size_t key_begin = 0;    // raw byte range of the key
  size_t value_begin = 0;  // raw byte range of the value, quotes included
  size_t value_end = 0;
};

struct KeywordScan {
  std::vector<KeywordToken> tokens;
  // Byte offset where the text stops following the grammar; npos when it all parsed.
  size_t malformed_at = std::string_view::npos;
};

// Tolerant scanner: unlike PQconninfoParse it still reports where the values are when the
// text is malformed, which redaction needs.
KeywordScan ScanKeywordValue(std::string_view s) {
  KeywordScan out;
  size_t i = 0;
  const size_t n = s.size();
  while (true) {
    while (i < n && IsSpace(s[i])) ++i;
    if (i >= n) break;
    KeywordToken t;
    t.key_begin = i;
    while (i < n && !IsSpace(s[i]) && s[i] != '=') ++i;
    t.key = std::string(s.substr(t.key_begin, i - t.key_begin));
    while (i < n && IsSpace(s[i])) ++i;
    if (i >= n || s[i] != '=' || t.key.empty()) {
      out.malformed_at = t.key_begin;
      break;
    }
    ++i;
    while (i < n && IsSpace(s[i])) ++i;
    t.value_begin = i;
    if (i < n && s[i] == '\'') {
      ++i;
      bool closed = false;
      while (i < n) {
        if (s[i] == '\\' && i + 1 < n) {
          t.value += s[i + 1];
          i += 2;
        } else if (s[i] == '\'') {
          ++i;
          closed = true;
          break;
        } else {
          t.value += s[i++];
        }
      }
      if (!closed) out.malformed_at = n;
    } else {
      while (i < n && !IsSpace(s[i])) {
        if (s[i] == '\\' && i + 1 < n) {
          t.value += s[i + 1];
          i += 2;
        } else {
          t.value += s[i++];
        }
      }
    }
    t.value_end = i;
    out.tokens.push_back(std::move(t));
    if (out.malformed_at != std::string_view::npos) break;
  }
  return out;
}

// `value` quoted for a keyword/value conninfo.
std::string QuoteConninfoValue(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexDigit(s[i + 1]) >= 0 && HexDigit(s[i + 2]) >= 0) {
      out += static_cast<char>(HexDigit(s[i + 1]) * 16 + HexDigit(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Where the secrets of a URI are: the password of user:password@ and the values of
// password=/sslpassword= query parameters, as raw byte ranges.
std::vector<std::pair<size_t, size_t>> UriSecretRanges(std::string_view s) {
  std::vector<std::pair<size_t, size_t>> ranges;
  const size_t authority = s.find("://") + 3;
  const size_t query = s.find('?', authority);
  const size_t limit = query == std::string_view::npos ? s.size() : query;
  // libpq stops looking for '@' at the first '/', but a password with a raw '/' would then
  // leak; the last '@' before the query string is the safer reading for redaction.
  size_t at = std::string_view::npos;
  for (size_t i = authority; i < limit; ++i) {
    if (s[i] == '@') at = i;
  }
  if (at != std::string_view::npos) {
    size_t colon = s.find(':', authority);
    if (colon != std::string_view::npos && colon < at && colon + 1 < at) {
      ranges.emplace_back(colon + 1, at);
    }
  }
  if (query != std::string_view::npos) {
    size_t i = query + 1;
    while (i <= s.size()) {
      size_t amp = s.find('&', i);
      if (amp == std::string_view::npos) amp = s.size();
      std::string_view param = s.substr(i, amp - i);
      size_t eq = param.find('=');
      if (eq != std::string_view::npos && IsMaskedKey(PercentDecode(param.substr(0, eq))) &&
          eq + 1 < param.size()) {
        ranges.emplace_back(i + eq + 1, amp);
      }
      i = amp + 1;
    }
  }
  return ranges;
}

// Values after any "password =" in `s`, wherever it appears: a safety net for text the
// grammar reads differently from what the user meant (e.g. inside an unterminated quote).
std::vector<std::pair<size_t, size_t>> LooseSecretRanges(std::string_view s) {
  std::vector<std::pair<size_t, size_t>> ranges;
  const size_t n = s.size();
  constexpr std::string_view kWord = "password";
  for (size_t pos = s.find(kWord); pos != std::string_view::npos; pos = s.find(kWord, pos + 1)) {
    size_t i = pos + kWord.size();
    while (i < n && IsSpace(s[i])) ++i;
    if (i >= n || s[i] != '=') continue;
    ++i;
    while (i < n && IsSpace(s[i])) ++i;
    const size_t begin = i;
    if (i < n && s[i] == '\'') {
      ++i;
      while (i < n && s[i] != '\'') i += s[i] == '\\' ? 2 : 1;
      if (i < n) ++i;
    } else {
      while (i < n && !IsSpace(s[i]) && s[i] != '\'') i += s[i] == '\\' ? 2 : 1;
    }
    i = std::min(i, n);
    if (i > begin && s.substr(begin, i - begin) != kMask) ranges.emplace_back(begin, i);
  }
  return ranges;
}

std::string MaskRanges(std::string_view s, const std::vector<std::pair<size_t, size_t>>& ranges) {
  std::string out;
  size_t pos = 0;
  for (const auto& [begin, end] : ranges) {
    if (begin < pos) continue;
    out += s.substr(pos, begin - pos);
    out += kMask;
    pos = end;
  }
  out += s.substr(pos);
  return out;
}

std::string RedactUri(std::string_view s) { return MaskRanges(s, UriSecretRanges(s)); }

std::string RedactKeywordValue(std::string_view s) {
  KeywordScan scan = ScanKeywordValue(s);
  std::string out;
  size_t pos = 0;
  bool saw_secret = false;
  for (const KeywordToken& t : scan.tokens) {
    if (IsMaskedKey(t.key)) {
      out += s.substr(pos, t.value_begin - pos);
      out += kMask;
      pos = t.value_end;
      saw_secret = true;
    } else if (t.key == "dbname" && (IsUri(t.value) || t.value.find('=') != std::string::npos)) {
      // A dbname holding a whole conninfo: libpq may expand it, so mask inside it too.
      std::string inner = RedactConninfo(t.value);
      if (inner != t.value) {
        out += s.substr(pos, t.value_begin - pos);
        out += QuoteConninfoValue(inner);
        pos = t.value_end;
      }
    }
  }
  if (scan.malformed_at != std::string_view::npos && saw_secret && scan.malformed_at < s.size()) {
    // "password=my secret": the unparsable rest may be the remainder of the password.
    if (scan.malformed_at > pos) out += s.substr(pos, scan.malformed_at - pos);
    out += kMask;
    pos = s.size();
  }
  if (pos < s.size()) out += s.substr(pos);
  return MaskRanges(out, LooseSecretRanges(out));
}

// Every spelling of a secret `conninfo` holds: libpq's parsed values plus the raw text of
// secret values (percent-encoded or escaped forms can appear in libpq's messages).
std::vector<std::string> SecretsIn(const std::string& conninfo) {
  std::vector<std::string> secrets;
  ParsedConninfo parsed = ParseConninfo(conninfo);
  if (parsed.options != nullptr) {
    for (PQconninfoOption* o = parsed.options.get(); o->keyword != nullptr; ++o) {
      if (IsSecretKeyword(o->keyword) && o->val != nullptr && o->val[0] != '\0') {
        secrets.emplace_back(o->val);
      }
    }
  }
  if (IsUri(conninfo)) {
    for (const auto& [begin, end] : UriSecretRanges(conninfo)) {
      secrets.push_back(conninfo.substr(begin, end - begin));
      secrets.push_back(PercentDecode(secrets.back()));
    }
  } else {
    KeywordScan scan = ScanKeywordValue(conninfo);
    for (const KeywordToken& t : scan.tokens) {
      if (!IsMaskedKey(t.key)) continue;
      secrets.push_back(t.value);
      secrets.push_back(conninfo.substr(t.value_begin, t.value_end - t.value_begin));
    }
    for (const auto& [begin, end] : LooseSecretRanges(conninfo)) {
      secrets.push_back(conninfo.substr(begin, end - begin));
    }
  }
  std::erase_if(secrets, [](const std::string& s) { return s.empty(); });
  // Longest first, so a secret containing another is masked whole.
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return secrets;
}

void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  size_t pos = 0;
  while ((pos = text.find(from, pos)) != std::string::npos) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
}

// `message` (from libpq, about `conninfo`) with secrets masked. Secrets shorter than three
// bytes are left alone: libpq does not echo parsed passwords, and masking every "a" would
// garble the text. When `malformed`, libpq may echo raw fragments of the conninfo in double
// quotes; those are masked unless they read as a keyword libpq saw as one.
std::string ScrubMessage(std::string message, const std::string& conninfo, bool malformed) {
  for (const std::string& secret : SecretsIn(conninfo)) {
    if (secret.size() >= 3) ReplaceAll(message, secret, kMask);
  }
  if (!malformed) return message;
  std::vector<std::string> safe_keys;
  if (!IsUri(conninfo)) {
    KeywordScan scan = ScanKeywordValue(conninfo);
    bool after_secret = false;
    for (const KeywordToken& t : scan.tokens) {
      if (!after_secret || IsLibpqKeyword(t.key)) safe_keys.push_back(t.key);
      after_secret = IsMaskedKey(t.key);
    }
  } else if (size_t query = conninfo.find('?'); query != std::string::npos) {
    // Query parameter names (not values) are safe to echo.
    for (size_t i = query + 1; i < conninfo.size();) {
      size_t amp = std::min(conninfo.find('&', i), conninfo.size());
      std::string_view param = std::string_view(conninfo).substr(i, amp - i);
      safe_keys.push_back(PercentDecode(param.substr(0, param.find('='))));
      i = amp + 1;
    }
  }
  std::string out;
  size_t pos = 0;
  while (pos < message.size()) {
    size_t open = message.find('"', pos);
    if (open == std::string::npos) break;
    size_t close = message.find('"', open + 1);
    if (close == std::string::npos) break;
    std::string_view fragment = std::string_view(message).substr(open + 1, close - open - 1);
    bool keep = fragment.size() <= 1 || IsLibpqKeyword(fragment) ||
                std::find(safe_keys.begin(), safe_keys.end(), fragment) != safe_keys.end();
    out += message.substr(pos, open + 1 - pos);
    out += keep ? std::string(fragment) : std::string(kMask);
    out += '"';
    pos = close + 1;
  }
  out += message.substr(std::min(pos, message.size()));
  return out;
}

// A Status from a libpq error text: the first line is the message; tab-indented follow-up
// lines ("Is the server running ...?") become the hint; other lines join the message.
Status LibpqErrorStatus(StatusCode code, std::string_view text) {
  std::string message;
  std::string hint;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    bool indented = !line.empty() && line[0] == '\t';
    line = Trim(line);
    if (line.empty()) continue;
    std::string& into = (indented && !message.empty()) ? hint : message;
    if (&into == &hint && hint.find(line) != std::string::npos) continue;  // one per host
    if (!into.empty()) into += "; ";
    into += line;
  }
  if (message.empty()) message = "unknown libpq error";
  Status status = code == StatusCode::kInvalidArgument ? Status::InvalidArgument(message)
                                                       : Status::Connection(message);
  if (!hint.empty()) return std::move(status).WithHint(hint);
  return status;
}

// For libpq's 'invalid connection option "pasword"': the known keyword closest to the
// unknown one, or empty.
std::string SuggestKeyword(std::string_view message) {
  constexpr std::string_view kPrefix = "invalid connection option \"";
  size_t at = message.find(kPrefix);
  if (at == std::string_view::npos) return "";
  size_t begin = at + kPrefix.size();
  size_t end = message.find('"', begin);
  if (end == std::string_view::npos) return "";
  return ClosestMatch(message.substr(begin, end - begin), LibpqKeywords());
}

bool IsConnectionLoss(PGconn* conn, std::string_view sqlstate) {
  if (PQstatus(conn) == CONNECTION_BAD) return true;
  if (sqlstate.empty()) return true;  // a client-side failure: nothing reached the server
  return StartsWith(sqlstate, "08") || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

std::string_view Field(const PGresult* result, int code) {
  const char* v = PQresultErrorField(result, code);
  return v == nullptr ? std::string_view() : std::string_view(v);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// QueryResult

QueryResult::QueryResult(pg_result* result) : result_(result) {}

QueryResult::QueryResult(QueryResult&& other) noexcept
    : result_(std::exchange(other.result_, nullptr)) {}

QueryResult& QueryResult::operator=(QueryResult&& other) noexcept {
  if (this != &other) {
    QueryResult old(std::move(*this));
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

QueryResult::~QueryResult() {
  if (result_ != nullptr) PQclear(result_);
}

int QueryResult::rows() const { return result_ == nullptr ? 0 : PQntuples(result_); }

int QueryResult::columns() const { return result_ == nullptr ? 0 : PQnfields(result_); }

std::string_view QueryResult::ColumnName(int col) const {
  DBARCH_CHECK(col >= 0 && col < columns(), "QueryResult::ColumnName: column out of range");
  return PQfname(result_, col);
}

int QueryResult::ColumnIndex(std::string_view name) const {
  for (int c = 0; c < columns(); ++c) {
    if (name == PQfname(result_, c)) return c;
  }
  return -1;
}

std::string_view QueryResult::command_tag() const {
  return result_ == nullptr ? std::string_view() : std::string_view(PQcmdStatus(result_));
}

bool QueryResult::IsNull(int row, int col) const {
  DBARCH_CHECK(row >= 0 && row < rows() && col >= 0 && col < columns(),
               "QueryResult: cell out of range");
  return PQgetisnull(result_, row, col) != 0;
}

std::string_view QueryResult::Get(int row, int col) const {
  DBARCH_CHECK(row >= 0 && row < rows() && col >= 0 && col < columns(),
               "QueryResult: cell out of range");
  return std::string_view(PQgetvalue(result_, row, col),
                          static_cast<size_t>(PQgetlength(result_, row, col)));
}

int64_t QueryResult::GetInt(int row, int col) const {
  DBARCH_CHECK(!IsNull(row, col), "QueryResult::GetInt on a NULL cell");
  std::string_view text = Get(row, col);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  DBARCH_CHECK(ec == std::errc() && end == text.data() + text.size(),
               "QueryResult::GetInt on a cell that is not an integer");
  return value;
}

bool QueryResult::GetBool(int row, int col) const {
  DBARCH_CHECK(!IsNull(row, col), "QueryResult::GetBool on a NULL cell");
  std::string_view text = Get(row, col);
  DBARCH_CHECK(text == "t" || text == "f", "QueryResult::GetBool on a cell that is not t/f");
  return text == "t";
}

std::vector<std::optional<std::string>> QueryResult::GetNullableTextArray(int row, int col) const {
  if (IsNull(row, col)) return {};
  Result<std::vector<std::optional<std::string>>> parsed = ParseTextArray(Get(row, col));
  DBARCH_CHECK(parsed.ok(), "QueryResult::GetTextArray on a cell that is not a 1-D array");
  return std::move(parsed).value();
}

std::vector<std::string> QueryResult::GetTextArray(int row, int col) const {
  std::vector<std::string> out;
  for (std::optional<std::string>& element : GetNullableTextArray(row, col)) {
    DBARCH_CHECK(element.has_value(), "QueryResult::GetTextArray on an array with NULLs");
    out.push_back(std::move(*element));
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Connection

struct Connection::State {
  PGconn* conn = nullptr;
  std::vector<std::string> notices;
  int error_position = 0;
  std::string last_sqlstate;

  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    if (conn != nullptr) PQfinish(conn);
  }

  static void OnNotice(void* arg, const char* message) {
    auto* state = static_cast<State*>(arg);
    if (state->notices.size() < kMaxNotices) state->notices.emplace_back(Trim(message));
  }
};

Connection::Connection(std::unique_ptr<State> state) : state_(std::move(state)) {}
Connection::Connection(Connection&& other) noexcept = default;
Connection& Connection::operator=(Connection&& other) noexcept = default;
Connection::~Connection() = default;

Result<Connection> Connection::Open(const ConnectOptions& options) {
  if (options.statement_timeout_ms < 0 || options.lock_timeout_ms < 0 ||
      options.connect_timeout_s < 0) {
    return Status::InvalidArgument("connection timeouts must not be negative");
  }
  if (options.conninfo.find('\0') != std::string::npos) {
    return Status::InvalidArgument("connection string contains a NUL byte");
  }
  if (!options.conninfo.empty()) {
    ParsedConninfo parsed = ParseConninfo(options.conninfo);
    if (parsed.options == nullptr) {
      std::string message = ScrubMessage(parsed.error, options.conninfo, true);
      Status status =
          LibpqErrorStatus(StatusCode::kInvalidArgument, "invalid connection string: " + message);
      std::string suggestion = SuggestKeyword(message);
      if (suggestion.empty()) return status;
      return std::move(status).WithHint("did you mean \"" + suggestion + "\"?");
    }
  }

  // Order matters: with expand_dbname libpq processes entries in order and the last value
  // of a keyword wins, so the conninfo overrides the defaults before it and the encoding
  // after it is always ours.
  const std::string connect_timeout = std::to_string(options.connect_timeout_s);
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", "client_encoding",
                            nullptr};
  const char* values[] = {connect_timeout.c_str(), options.application_name.c_str(),
                          options.conninfo.c_str(), "UTF8", nullptr};
  auto state = std::make_unique<State>();
  state->conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (state->conn == nullptr) return Status::Internal("libpq could not allocate a connection");
  if (PQstatus(state->conn) != CONNECTION_OK) {
    return LibpqErrorStatus(StatusCode::kConnection,
                            ScrubMessage(PQerrorMessage(state->conn), options.conninfo, false));
  }
  PQsetNoticeProcessor(state->conn, &State::OnNotice, state.get());
  const char* encoding = PQparameterStatus(state->conn, "client_encoding");
  if (encoding == nullptr || std::string_view(encoding) != "UTF8") {
    return Status::Connection("server did not accept client_encoding UTF8");
  }

  Connection connection(std::move(state));
  std::string setup;
  if (options.read_only) setup += "SET default_transaction_read_only = on; ";
  setup += "SET statement_timeout = " + std::to_string(options.statement_timeout_ms) + "; ";
  setup += "SET lock_timeout = " + std::to_string(options.lock_timeout_ms);
  Status configured = connection.ExecScript(setup);
  if (!configured.ok()) {
    return Status::Connection(configured.message()).WithContext("configuring the session");
  }
  return connection;
}

Result<QueryResult> Connection::Exec(std::string_view sql) {
  DBARCH_CHECK(state_ != nullptr, "use of a moved-from pg::Connection");
  if (sql.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("SQL text contains a NUL byte");
  }
  const std::string text(sql);
  return Finish(QueryResult(PQexec(state_->conn, text.c_str())), sql);
}

Result<std::vector<QueryResult>> Connection::ExecEach(std::string_view sql) {
  DBARCH_CHECK(state_ != nullptr, "use of a moved-from pg::Connection");
  if (sql.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("SQL text contains a NUL byte");
  }
  const std::string text(sql);
  if (PQsendQuery(state_->conn, text.c_str()) == 0) {
    return LibpqErrorStatus(StatusCode::kConnection, PQerrorMessage(state_->conn));
  }
  std::vector<QueryResult> results;
  Status failed;
  while (true) {
    QueryResult next(PQgetResult(state_->conn));
    if (next.raw() == nullptr) break;
    if (!failed.ok()) continue;  // read to the end, as PQexec does
    const ExecStatusType status = PQresultStatus(next.raw());
    const bool copy =
        status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH;
    Result<QueryResult> finished = Finish(std::move(next), sql);
    if (!finished.ok()) {
      failed = finished.status();
      if (copy) break;  // Finish read the remaining results
      continue;
    }
    results.push_back(std::move(finished).value());
  }
  if (!failed.ok()) return failed;
  // A lost connection ends the results without an error result.
  if (PQstatus(state_->conn) != CONNECTION_OK) {
    return LibpqErrorStatus(StatusCode::kConnection, PQerrorMessage(state_->conn));
  }
  return results;
}

Result<QueryResult> Connection::ExecParams(std::string_view sql,
                                           const std::vector<std::optional<std::string>>& params) {
  DBARCH_CHECK(state_ != nullptr, "use of a moved-from pg::Connection");
  if (sql.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("SQL text contains a NUL byte");
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::optional<std::string>& p : params) {
    values.push_back(p.has_value() ? p->c_str() : nullptr);
  }
  const std::string text(sql);
  return Finish(
      QueryResult(PQexecParams(state_->conn, text.c_str(), static_cast<int>(values.size()),
                               /*paramTypes=*/nullptr, values.data(), /*paramLengths=*/nullptr,
                               /*paramFormats=*/nullptr, /*resultFormat=*/0)),
      sql);
}

Status Connection::ExecScript(std::string_view sql) {
  Result<QueryResult> result = Exec(sql);
  return result.status();
}

Status Connection::BeginCopyIn(std::string_view copy_sql) {
  std::string sql(copy_sql);
  QueryResult result(PQexec(state_->conn, sql.c_str()));
  if (result.raw() != nullptr && PQresultStatus(result.raw()) == PGRES_COPY_IN) return Status::OK();
  if (result.raw() != nullptr && PQresultStatus(result.raw()) != PGRES_COPY_OUT &&
      PQresultStatus(result.raw()) != PGRES_COPY_BOTH) {
    Result<QueryResult> r = Finish(std::move(result), sql);
    if (!r.ok()) return r.status();
    return Status::InvalidArgument("not a COPY FROM STDIN statement: " + sql);
  }
  return Finish(std::move(result), sql).status();
}

Status Connection::PutCopyData(std::string_view data) {
  if (PQputCopyData(state_->conn, data.data(), static_cast<int>(data.size())) == 1) {
    return Status::OK();
  }
  // The server ended the copy (a rejected row): its error comes with the final result.
  Result<int64_t> end = EndCopyIn();
  return end.ok() ? Status::Internal("COPY ended early") : end.status();
}

Result<int64_t> Connection::EndCopyIn() {
  PGconn* conn = state_->conn;
  if (PQputCopyEnd(conn, nullptr) != 1) {
    return LibpqErrorStatus(StatusCode::kConnection, PQerrorMessage(conn));
  }
  Status failure = Status::OK();
  int64_t rows = 0;
  while (true) {
    QueryResult r(PQgetResult(conn));
    if (r.raw() == nullptr) break;
    if (PQresultStatus(r.raw()) == PGRES_COMMAND_OK) {
      const char* tuples = PQcmdTuples(r.raw());
      if (tuples != nullptr && *tuples != '\0') rows = std::strtoll(tuples, nullptr, 10);
      continue;
    }
    Result<QueryResult> f = Finish(std::move(r), "");
    if (!f.ok() && failure.ok()) failure = f.status();
  }
  if (!failure.ok()) return failure;
  return rows;
}

Result<int64_t> Connection::CopyOut(std::string_view copy_sql,
                                    const std::function<Status(std::string_view)>& sink) {
  PGconn* conn = state_->conn;
  std::string sql(copy_sql);
  QueryResult result(PQexec(conn, sql.c_str()));
  if (result.raw() == nullptr || PQresultStatus(result.raw()) != PGRES_COPY_OUT) {
    if (result.raw() != nullptr && PQresultStatus(result.raw()) != PGRES_COPY_IN &&
        PQresultStatus(result.raw()) != PGRES_COPY_BOTH) {
      Result<QueryResult> r = Finish(std::move(result), sql);
      if (!r.ok()) return r.status();
      return Status::InvalidArgument("not a COPY TO STDOUT statement: " + sql);
    }
    return Finish(std::move(result), sql).status();
  }
  Status sink_status = Status::OK();
  while (true) {
    char* raw_row = nullptr;
    int n = PQgetCopyData(conn, &raw_row, /*async=*/0);
    LibpqMemPtr row(raw_row);
    if (n < 0) break;
    if (sink_status.ok()) sink_status = sink(std::string_view(raw_row, static_cast<size_t>(n)));
  }
  Status failure = Status::OK();
  int64_t rows = 0;
  while (true) {
    QueryResult r(PQgetResult(conn));
    if (r.raw() == nullptr) break;
    if (PQresultStatus(r.raw()) == PGRES_COMMAND_OK) {
      const char* tuples = PQcmdTuples(r.raw());
      if (tuples != nullptr && *tuples != '\0') rows = std::strtoll(tuples, nullptr, 10);
      continue;
    }
    Result<QueryResult> f = Finish(std::move(r), "");
    if (!f.ok() && failure.ok()) failure = f.status();
  }
  if (!failure.ok()) return failure;
  if (!sink_status.ok()) return sink_status;
  return rows;
}

void Connection::AbortCopyIn(std::string_view reason) {
  std::string text(reason);
  (void)PQputCopyEnd(state_->conn, text.c_str());
  while (true) {
    QueryResult r(PQgetResult(state_->conn));
    if (r.raw() == nullptr) break;
  }
}

Result<QueryResult> Connection::Finish(QueryResult result, std::string_view sql) {
  PGconn* conn = state_->conn;
  state_->error_position = 0;
  state_->last_sqlstate.clear();
  if (result.raw() == nullptr) {
    return LibpqErrorStatus(StatusCode::kConnection, PQerrorMessage(conn));
  }
  switch (PQresultStatus(result.raw())) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
    case PGRES_EMPTY_QUERY:
    case PGRES_SINGLE_TUPLE:
      return result;
    case PGRES_COPY_IN:
    case PGRES_COPY_OUT:
    case PGRES_COPY_BOTH: {
      // Leave the connection usable: refuse the input, or read and drop the output; then
      // collect the remaining results of the query string.
      if (PQresultStatus(result.raw()) == PGRES_COPY_OUT) {
        while (true) {
          char* raw_row = nullptr;
          int n = PQgetCopyData(conn, &raw_row, /*async=*/0);
          LibpqMemPtr row(raw_row);
          if (n < 0) break;
        }
      } else {
        (void)PQputCopyEnd(conn, "COPY through dbarch is not supported");
      }
      while (true) {
        QueryResult rest(PQgetResult(conn));
        if (rest.raw() == nullptr) break;
      }
      return Status::NotSupported("COPY FROM STDIN and COPY TO STDOUT are not supported here");
    }
    default:
      break;
  }

  const PGresult* res = result.raw();
  std::string_view sqlstate = Field(res, PG_DIAG_SQLSTATE);
  std::string_view primary = Field(res, PG_DIAG_MESSAGE_PRIMARY);
  std::string message =
      primary.empty() ? std::string(Trim(PQresultErrorMessage(res))) : std::string(primary);
  if (message.empty()) message = std::string(Trim(PQerrorMessage(conn)));
  if (!sqlstate.empty()) message += " (SQLSTATE " + std::string(sqlstate) + ")";
  std::string_view detail = Field(res, PG_DIAG_MESSAGE_DETAIL);
  if (!detail.empty()) message += "; detail: " + std::string(detail);

  std::string hint;
  int position = 0;
  std::string_view position_text = Field(res, PG_DIAG_STATEMENT_POSITION);
  if (!position_text.empty()) {
    std::from_chars(position_text.data(), position_text.data() + position_text.size(), position);
  }
  if (position > 0) hint = "at character " + std::to_string(position);
  std::string_view server_hint = Field(res, PG_DIAG_MESSAGE_HINT);
  if (!server_hint.empty()) hint += (hint.empty() ? "" : "; ") + std::string(server_hint);

  state_->error_position = position;
  state_->last_sqlstate = std::string(sqlstate);
  Status status = IsConnectionLoss(conn, sqlstate) ? Status::Connection(std::move(message))
                                                   : Status::InvalidArgument(std::move(message));
  if (position == 0) return std::move(status).WithHint(std::move(hint));
  SourceSpan span;
  span.begin = CharPosToByteOffset(sql, position);
  span.end = span.begin;
  return std::move(status).WithHint(std::move(hint)).WithSpan(std::move(span));
}

int Connection::server_version_num() const {
  DBARCH_CHECK(state_ != nullptr, "use of a moved-from pg::Connection");
  return PQserverVersion(state_->conn);
}

std::string Connection::DisplayName() const {
  DBARCH_CHECK(state_ != nullptr, "use of a moved-from pg::Connection");
  const char* host = PQhost(state_->conn);
  const char* port = PQport(state_->conn);
  const char* db = PQdb(state_->conn);
  std::string h = host == nullptr ? "" : host;
  if (h.find(':') != std::string::npos && h[0] != '/') h = "[" + h + "]";  // IPv6
  return h + ":" + (port == nullptr ? "" : port) + "/" + (db == nullptr ? "" : db);
}

int Connection::ErrorPosition() const { return state_ == nullptr ? 0 : state_->error_position; }

const std::string& Connection::last_sqlstate() const {
  DBARCH_CHECK(state_ != nullptr, "use of a moved-from pg::Connection");
  return state_->last_sqlstate;
}

std::vector<std::string> Connection::TakeNotices() {
  if (state_ == nullptr) return {};
  return std::exchange(state_->notices, {});
}

// ---------------------------------------------------------------------------------------
// Free functions

std::string RedactConninfo(std::string_view conninfo) {
  if (conninfo.empty()) return "";
  std::string redacted = IsUri(conninfo) ? RedactUri(conninfo) : RedactKeywordValue(conninfo);
  // Belt and braces: if libpq reads a password our scanners missed, rebuild the string
  // from libpq's own parse instead.
  const std::string original(conninfo);
  ParsedConninfo parsed = ParseConninfo(original);
  if (parsed.options == nullptr) return redacted;
  bool leaked = false;
  for (PQconninfoOption* o = parsed.options.get(); o->keyword != nullptr; ++o) {
    if (IsSecretKeyword(o->keyword) && o->val != nullptr && std::strlen(o->val) >= 3 &&
        redacted.find(o->val) != std::string::npos) {
      leaked = true;
    }
  }
  if (!leaked) return redacted;
  std::string rebuilt;
  for (PQconninfoOption* o = parsed.options.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    if (!rebuilt.empty()) rebuilt += ' ';
    rebuilt += o->keyword;
    rebuilt += '=';
    rebuilt += IsSecretKeyword(o->keyword) ? std::string(kMask) : QuoteConninfoValue(o->val);
  }
  return rebuilt;
}

Result<std::vector<std::string>> ConninfoEnvironment(std::string_view conninfo) {
  const std::string original(conninfo);
  ParsedConninfo parsed = ParseConninfo(original);
  if (parsed.options == nullptr) {
    return Status::InvalidArgument("the connection string cannot be parsed");
  }
  std::vector<std::string> out;
  for (PQconninfoOption* o = parsed.options.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr || o->envvar == nullptr) continue;
    out.push_back(std::string(o->envvar) + "=" + o->val);
  }
  return out;
}

Result<std::vector<std::optional<std::string>>> ParseTextArray(std::string_view literal) {
  const size_t n = literal.size();
  size_t i = 0;
  auto skip_space = [&] {
    while (i < n && IsSpace(literal[i])) ++i;
  };
  auto error = [&](std::string_view what) {
    return Status::ParseError("malformed array literal: " + std::string(what) + " at byte " +
                              std::to_string(i));
  };
  skip_space();
  if (i < n && literal[i] == '[') {
    // Dimension decoration, e.g. "[0:2]=": only one dimension is supported.
    size_t eq = literal.find('=', i);
    if (eq == std::string_view::npos) return error("unterminated dimension decoration");
    if (std::count(literal.begin() + i, literal.begin() + eq, '[') > 1) {
      return Status::NotSupported("multi-dimensional arrays are not supported");
    }
    i = eq + 1;
    skip_space();
  }
  if (i >= n || literal[i] != '{') return error("expected \"{\"");
  ++i;
  std::vector<std::optional<std::string>> out;
  skip_space();
  if (i < n && literal[i] == '}') {
    ++i;
  } else {
    while (true) {
      skip_space();
      if (i >= n) return error("unterminated array");
      if (literal[i] == '{')
        return Status::NotSupported("multi-dimensional arrays are not supported");
      if (literal[i] == '"') {
        ++i;
        std::string value;
        while (i < n && literal[i] != '"') {
          if (literal[i] == '\\') {
            ++i;
            if (i >= n) break;
          }
          value += literal[i++];
        }
        if (i >= n) return error("unterminated quoted element");
        ++i;
        out.emplace_back(std::move(value));
      } else {
        std::string value;
        bool escaped = false;
        size_t kept = 0;  // length of value without unescaped trailing whitespace
        while (i < n && literal[i] != ',' && literal[i] != '}') {
          char c = literal[i];
          if (c == '"' || c == '{') return error("unexpected character in element");
          if (c == '\\') {
            if (i + 1 >= n) return error("backslash at end of input");
            value += literal[i + 1];
            i += 2;
            escaped = true;
            kept = value.size();
          } else {
            value += c;
            if (!IsSpace(c)) kept = value.size();
            ++i;
          }
        }
        value.resize(kept);
        if (value.empty() && !escaped) return error("empty element");
        if (!escaped && ToLower(value) == "null") {
          out.emplace_back(std::nullopt);
        } else {
          out.emplace_back(std::move(value));
        }
      }
      skip_space();
      if (i >= n) return error("unterminated array");
      if (literal[i] == ',') {
        ++i;
        continue;
      }
      if (literal[i] == '}') {
        ++i;
        break;
      }
      return error("expected \",\" or \"}\"");
    }
  }
  skip_space();
  if (i != n) return error("unexpected text after \"}\"");
  return out;
}

PingResult Ping(std::string_view conninfo, int connect_timeout_s) {
  const std::string info(conninfo);
  const std::string timeout = std::to_string(std::max(0, connect_timeout_s));
  const char* keywords[] = {"dbname", "connect_timeout", nullptr};
  const char* values[] = {info.c_str(), timeout.c_str(), nullptr};
  switch (PQpingParams(keywords, values, /*expand_dbname=*/1)) {
    case PQPING_OK:
      return PingResult::kAccepting;
    case PQPING_REJECT:
      return PingResult::kRejecting;
    case PQPING_NO_RESPONSE:
      return PingResult::kNoResponse;
    case PQPING_NO_ATTEMPT:
      return PingResult::kBadOptions;
  }
  return PingResult::kNoResponse;
}

}  // namespace dbarch::pg
