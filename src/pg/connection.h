// pg::Connection and pg::QueryResult: dbarch's only door to a live PostgreSQL server.
// Connection owns one libpq connection (PGconn) and QueryResult owns one query result
// (PGresult); both are move-only RAII owners, so a connection is closed and a result freed
// exactly once. Used by pg/ introspection, sandbox/ (readiness and setup) and the cli.
// Nothing here prints, reads environment variables itself or throws; libpq may read its own
// PG* variables and ~/.pgpass when the conninfo leaves a setting out (that is libpq's
// documented behaviour and the reason an empty conninfo is useful).
//
// Thread-safety: a Connection or QueryResult may be used by one thread at a time; distinct
// objects may be used from different threads concurrently. The free functions are
// thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

// libpq's opaque types, forward-declared so no stage outside pg/ sees libpq-fe.h.
struct pg_conn;
struct pg_result;

namespace dbarch::pg {

struct ConnectOptions {
  // keyword=value string ("host=db port=5432 dbname=app") or URI
  // ("postgresql://user@db:5432/app"). Empty means libpq's defaults: the PG* environment
  // variables and ~/.pgpass, looked up by libpq itself. Settings given here win over
  // application_name and connect_timeout below.
  std::string conninfo;
  // When true every transaction starts READ ONLY (default_transaction_read_only = on). This
  // guards against accidental writes by dbarch; it is not a security boundary (a session
  // may still run SET or BEGIN READ WRITE).
  bool read_only = true;
  // Per-statement limit; 0 disables the limit.
  int statement_timeout_ms = 30000;
  // Limit on waiting for a lock; 0 disables the limit.
  int lock_timeout_ms = 5000;
  // Shown in pg_stat_activity. Empty leaves libpq's default.
  std::string application_name = "dbarch";
  // Limit on establishing the connection, per host tried; 0 waits indefinitely.
  int connect_timeout_s = 10;
};

// The rows of one statement's result, as text. Cells are read in place; the views returned
// by Get() and ColumnName() live as long as this object (moving keeps them valid).
// A default-constructed or moved-from QueryResult has no rows and no columns.
//
// Row and column numbers are 0-based. Requires (all accessors taking them):
// 0 <= row < rows(), 0 <= col < columns(); violations are checked bugs.
class QueryResult {
 public:
  QueryResult() = default;
  QueryResult(QueryResult&& other) noexcept;
  QueryResult& operator=(QueryResult&& other) noexcept;
  QueryResult(const QueryResult&) = delete;
  QueryResult& operator=(const QueryResult&) = delete;
  ~QueryResult();

  int rows() const;
  int columns() const;
  // The column's name as the server labelled it.
  std::string_view ColumnName(int col) const;
  // Index of the first column called `name` (exact, case-sensitive match), -1 if none.
  int ColumnIndex(std::string_view name) const;
  // The command tag, e.g. "SELECT 3" or "CREATE TABLE"; empty when there is none.
  std::string_view command_tag() const;

  bool IsNull(int row, int col) const;
  // The cell's text; empty for NULL (use IsNull to tell NULL from '').
  std::string_view Get(int row, int col) const;
  // The cell as a base-10 integer. Requires: not NULL and an integer in range (the query
  // selected an integer column); violations are checked bugs.
  int64_t GetInt(int row, int col) const;
  // The cell as a boolean ("t" / "f"). Requires: not NULL and a boolean column.
  bool GetBool(int row, int col) const;
  // The cell as a one-dimensional text array ({a,"b c"}); a NULL cell gives an empty
  // vector. Requires: the column is an array without NULL elements (catalog name lists,
  // reloptions, ...): a NULL element is a checked bug, so use GetNullableTextArray when the
  // data may hold NULLs.
  std::vector<std::string> GetTextArray(int row, int col) const;
  // Like GetTextArray, with NULL elements as nullopt.
  std::vector<std::optional<std::string>> GetNullableTextArray(int row, int col) const;

 private:
  friend class Connection;
  // Takes ownership of `result` (may be null).
  explicit QueryResult(pg_result* result);
  // Borrowed, for reading error fields; null when empty.
  pg_result* raw() const { return result_; }

  pg_result* result_ = nullptr;
};

// One session with a PostgreSQL server. Open() returns a connection already configured
// (UTF8 client encoding, timeouts, optional read-only default); the destructor closes it.
// Server NOTICE/WARNING messages are collected, never printed (see TakeNotices).
class Connection {
 public:
  // Connects and configures the session. Failures:
  //   kInvalidArgument  malformed conninfo or negative timeouts;
  //   kConnection       server unreachable, authentication failed, setup rejected.
  // Error messages never contain the password (given in the conninfo or not).
  static Result<Connection> Open(const ConnectOptions& options);

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs `sql` with the simple query protocol. It may hold several statements separated by
  // ';' (they run as one implicit transaction unless they contain BEGIN/COMMIT); the result
  // of the last one is returned. Failures carry the server's message and SQLSTATE:
  //   kConnection       the connection is lost or unusable (SQLSTATE class 08, 57P0x);
  //   kNotSupported     COPY FROM STDIN / TO STDOUT (the copy is aborted);
  //   kInvalidArgument  any other server error (syntax, permissions, read-only, timeout).
  // When the server reports a position, the hint says "at character N" (1-based, in
  // characters of `sql`) and the span holds its 0-based byte offset in `sql` (file empty).
  Result<QueryResult> Exec(std::string_view sql);
  // Like Exec, in one round trip, but returns the result of every statement of `sql`, in
  // order. The statements up to the first failing one have run (and the implicit transaction
  // is rolled back); that failure is returned as Exec would, the results before it are lost.
  Result<std::vector<QueryResult>> ExecEach(std::string_view sql);
  // Runs one statement with $1..$n bound to `params` as text (nullopt binds NULL); the
  // server infers parameter types. Errors as Exec.
  Result<QueryResult> ExecParams(std::string_view sql,
                                 const std::vector<std::optional<std::string>>& params);
  // Exec for scripts whose results are not needed.
  Status ExecScript(std::string_view sql);
  // COPY ... FROM STDIN: BeginCopyIn runs `copy_sql` (which must be such a COPY), then
  // PutCopyData sends chunks of COPY-format text (whole rows or not), and EndCopyIn ends
  // the copy and returns the rows the server loaded; AbortCopyIn(reason) cancels it. While
  // a copy is open no other call may be made. Errors as Exec (a row the server rejects is
  // reported by EndCopyIn, or by PutCopyData once the server has stopped the copy).
  Status BeginCopyIn(std::string_view copy_sql);
  Status PutCopyData(std::string_view data);
  Result<int64_t> EndCopyIn();
  void AbortCopyIn(std::string_view reason);

  // COPY ... TO STDOUT: runs `copy_sql` (which must be such a COPY) and hands each chunk of
  // COPY-format text the server sends (one row per chunk, as libpq delivers it) to `sink`;
  // returns the rows copied. When `sink` fails the copy is read to its end and dropped, and
  // that error is returned. Errors as Exec; kInvalidArgument when `copy_sql` is not a COPY
  // TO STDOUT.
  Result<int64_t> CopyOut(std::string_view copy_sql,
                          const std::function<Status(std::string_view)>& sink);
  // The server's version as an integer, e.g. 150004 for 15.4.
  int server_version_num() const;
  // "host:port/dbname" for messages (the socket directory as host for Unix sockets).
  // Never contains the password.
  std::string DisplayName() const;
  // The 1-based character position the server reported for the last failed statement, 0
  // when it gave none (or the last statement succeeded).
  int ErrorPosition() const;
  // The SQLSTATE of the last failed statement ("42P01"), empty when none.
  const std::string& last_sqlstate() const;
  // Server notices and warnings received so far (oldest first, at most 100 kept), and
  // forgets them.
  std::vector<std::string> TakeNotices();

 private:
  struct State;
  explicit Connection(std::unique_ptr<State> state);
  Result<QueryResult> Finish(QueryResult result, std::string_view sql);

  std::unique_ptr<State> state_;  // heap-held so libpq's notice callback survives moves
};

// `conninfo` (keyword=value or URI) with the values of password and sslpassword replaced by
// "***"; everything else is kept as written. Malformed input is redacted conservatively, so
// it does not leak either: unparsable text after a password, mistyped keys such as
// "pasword=", and "password=" inside an unterminated quote are masked too. Empty in, empty
// out.
std::string RedactConninfo(std::string_view conninfo);

// `conninfo` (keyword=value or URI) as libpq environment variables ("PGHOST=db",
// "PGPASSWORD=..."), one per option it sets that has one, so that a client program (pg_dump)
// reaches the same server without the conninfo, and its password, on its command line.
// kInvalidArgument when libpq cannot parse it (the message never holds the conninfo).
Result<std::vector<std::string>> ConninfoEnvironment(std::string_view conninfo);

// Parses a one-dimensional PostgreSQL array literal in text output form:
// {a,"b c","say \"hi\"",NULL,"NULL"} gives a, b c, say "hi", nullopt, NULL. An optional
// dimension decoration ("[0:1]={x,y}") is accepted and ignored. Failures: kParseError for
// malformed text, kNotSupported for multi-dimensional arrays.
Result<std::vector<std::optional<std::string>>> ParseTextArray(std::string_view literal);

enum class PingResult {
  kAccepting,   // the server accepts connections
  kRejecting,   // the server answered but refuses connections (e.g. still starting up)
  kNoResponse,  // no server answered
  kBadOptions,  // the conninfo is malformed
};

// Asks the server named by `conninfo` whether it accepts connections, without logging in
// (libpq's PQping). Waits at most `connect_timeout_s` (0: indefinitely).
PingResult Ping(std::string_view conninfo, int connect_timeout_s);

}  // namespace dbarch::pg
