#include "pg/connection.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "sandbox/test_util.h"

namespace dbarch::pg {
namespace {

using Elements = std::vector<std::optional<std::string>>;

// ---------------------------------------------------------------------------------------
// RedactConninfo

TEST(RedactConninfo, KeywordForm) {
  struct Case {
    std::string in, out;
  } cases[] = {
      {"host=db password=hunter2 dbname=app", "host=db password=*** dbname=app"},
      {"host=db password = 'a b\\'c' user=u", "host=db password = *** user=u"},
      {"password=x", "password=***"},
      {"sslpassword=keypass sslkey=/k", "sslpassword=*** sslkey=/k"},
      {"host=db port=5432 dbname=app", "host=db port=5432 dbname=app"},
      {"", ""},
      // Malformed: the part libpq cannot parse may be the rest of the password.
      {"host=db password=my secret", "host=db password=*** ***"},
      {"host=db password='unterminated", "host=db password=***"},
      // A whole conninfo inside dbname (libpq may expand it).
      {"dbname='host=h password=pw'", "dbname='host=h password=***'"},
      {"host=h pasword=typo", "host=h pasword=***"},
      {"host='unterminated password=x", "host='unterminated password=***"},
      {"host=db options='-c search_path=app'", "host=db options='-c search_path=app'"},
  };
  for (const Case& c : cases) EXPECT_EQ(RedactConninfo(c.in), c.out) << c.in;
}

TEST(RedactConninfo, UriForm) {
  struct Case {
    std::string in, out;
  } cases[] = {
      {"postgresql://alice:s3cret@db:5432/app?sslmode=require",
       "postgresql://alice:***@db:5432/app?sslmode=require"},
      {"postgres://alice:p%40ss@db/app", "postgres://alice:***@db/app"},
      {"postgresql://alice@db/app", "postgresql://alice@db/app"},
      {"postgresql://db/app?user=bob&password=pw&sslmode=disable",
       "postgresql://db/app?user=bob&password=***&sslmode=disable"},
      {"postgresql://u:a/b@db/app", "postgresql://u:***@db/app"},
      {"postgresql://db/app?passwd=x", "postgresql://db/app?passwd=***"},
      {"postgresql://u:pw@h1:5432,h2:5433/app", "postgresql://u:***@h1:5432,h2:5433/app"},
      {"postgresql://", "postgresql://"},
  };
  for (const Case& c : cases) EXPECT_EQ(RedactConninfo(c.in), c.out) << c.in;
}

// ---------------------------------------------------------------------------------------
// ParseTextArray

TEST(ParseTextArray, Elements) {
  struct Case {
    std::string in;
    Elements out;
  } cases[] = {
      {"{}", {}},
      {"{a}", {"a"}},
      {"{a,\"b c\",NULL}", {"a", "b c", std::nullopt}},
      {"{\"NULL\",null,Null}", {"NULL", std::nullopt, std::nullopt}},
      {"{\"say \\\"hi\\\"\",\"back\\\\slash\"}", {"say \"hi\"", "back\\slash"}},
      {"{a\\,b,c\\ }", {"a,b", "c "}},
      {"{ a , b }", {"a", "b"}},
      {"{\"\"}", {""}},
      {"{\"{x}\",\"a,b\"}", {"{x}", "a,b"}},
      {"{é,\"日本\"}", {"é", "日本"}},
      {"[0:1]={x,y}", {"x", "y"}},
      {"{\\NULL}", {"NULL"}},
  };
  for (const Case& c : cases) {
    Result<Elements> r = ParseTextArray(c.in);
    ASSERT_TRUE(r.ok()) << c.in << ": " << r.status().ToString();
    EXPECT_EQ(*r, c.out) << c.in;
  }
}

TEST(ParseTextArray, Errors) {
  struct Case {
    std::string in;
    StatusCode code;
  } cases[] = {
      {"", StatusCode::kParseError},
      {"a,b", StatusCode::kParseError},
      {"{a", StatusCode::kParseError},
      {"{a,}", StatusCode::kParseError},
      {"{\"a}", StatusCode::kParseError},
      {"{\"a\"b}", StatusCode::kParseError},
      {"{a} x", StatusCode::kParseError},
      {"{{a,b},{c,d}}", StatusCode::kNotSupported},
      {"[1:2][1:2]={{a,b},{c,d}}", StatusCode::kNotSupported},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseTextArray(c.in).status().code(), c.code) << c.in;
  }
}

// ---------------------------------------------------------------------------------------
// Against a real server (the shared test sandbox).

class ConnectionTest : public ::testing::Test {
 protected:
  static std::string ConnInfo() {
    Result<std::string> conninfo = sandbox::test_util::SharedConnInfo();
    EXPECT_TRUE(conninfo.ok()) << conninfo.status().ToString();
    return conninfo.ok() ? *conninfo : "";
  }
  static Connection Open(ConnectOptions options) {
    if (options.conninfo.empty()) options.conninfo = ConnInfo();
    Result<Connection> conn = Connection::Open(options);
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    if (!conn.ok()) std::abort();
    return std::move(conn).value();
  }
  static Connection OpenReadWrite() {
    ConnectOptions options;
    options.read_only = false;
    return Open(options);
  }
};

TEST_F(ConnectionTest, ExecReturnsTheLastResult) {
  Connection conn = OpenReadWrite();
  Result<QueryResult> r = conn.Exec(
      "CREATE TEMP TABLE t (id int, name text, ok bool, tags text[]);"
      "INSERT INTO t VALUES (1, 'a', true, '{x,\"y z\",NULL}'), (2, NULL, false, NULL);"
      "SELECT id, name, ok, tags FROM t ORDER BY id");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows(), 2);
  ASSERT_EQ(r->columns(), 4);
  EXPECT_EQ(r->ColumnName(1), "name");
  EXPECT_EQ(r->ColumnIndex("tags"), 3);
  EXPECT_EQ(r->ColumnIndex("nope"), -1);
  EXPECT_EQ(r->command_tag(), "SELECT 2");
  EXPECT_EQ(r->GetInt(0, 0), 1);
  EXPECT_EQ(r->Get(0, 1), "a");
  EXPECT_TRUE(r->GetBool(0, 2));
  EXPECT_FALSE(r->GetBool(1, 2));
  EXPECT_TRUE(r->IsNull(1, 1));
  EXPECT_EQ(r->Get(1, 1), "");
  EXPECT_EQ(r->GetNullableTextArray(0, 3), (Elements{"x", "y z", std::nullopt}));
  EXPECT_TRUE(r->GetTextArray(1, 3).empty());

  Result<QueryResult> names = conn.Exec("SELECT ARRAY['a b', 'c\"d', 'e\\f', '']::text[]");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->GetTextArray(0, 0), (std::vector<std::string>{"a b", "c\"d", "e\\f", ""}));

  QueryResult moved = std::move(r).value();
  EXPECT_EQ(moved.rows(), 2);
  QueryResult empty;
  EXPECT_EQ(empty.rows(), 0);
  EXPECT_EQ(empty.columns(), 0);
}

TEST_F(ConnectionTest, ExecEachReturnsEveryStatementsResultAndStopsAtTheFirstError) {
  Connection conn = OpenReadWrite();
  Result<std::vector<QueryResult>> all = conn.ExecEach(
      "CREATE TEMP TABLE each_t (id int); INSERT INTO each_t VALUES (1), (2);"
      "SELECT id FROM each_t ORDER BY id; SELECT 'x' AS y");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].command_tag(), "CREATE TABLE");
  EXPECT_EQ((*all)[1].command_tag(), "INSERT 0 2");
  ASSERT_EQ((*all)[2].rows(), 2);
  EXPECT_EQ((*all)[2].GetInt(1, 0), 2);
  EXPECT_EQ((*all)[3].Get(0, 0), "x");

  // The failing statement rolls back the implicit transaction; the one after it never runs.
  Result<std::vector<QueryResult>> bad = conn.ExecEach(
      "INSERT INTO each_t VALUES (3); SELECT * FROM each_missing; INSERT INTO each_t VALUES (4)");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("each_missing"), std::string::npos);
  EXPECT_EQ(conn.last_sqlstate(), "42P01");
  Result<QueryResult> count = conn.Exec("SELECT count(*) FROM each_t");
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(count->GetInt(0, 0), 2);
}

TEST_F(ConnectionTest, ExecParamsBindsTextAndNull) {
  Connection conn = Open(ConnectOptions());
  Result<QueryResult> r = conn.ExecParams("SELECT $1::text IS NULL, $2::int + 1, $3::text",
                                          {std::nullopt, "41", "it's \"quoted\""});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->GetBool(0, 0));
  EXPECT_EQ(r->GetInt(0, 1), 42);
  EXPECT_EQ(r->Get(0, 2), "it's \"quoted\"");

  Result<QueryResult> bad = conn.ExecParams("SELECT $1::int", {"not a number"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(conn.last_sqlstate(), "22P02");
}

TEST_F(ConnectionTest, ReadOnlyRefusesWrites) {
  Connection conn = Open(ConnectOptions());  // read_only is the default
  Result<QueryResult> r = conn.Exec("CREATE TABLE must_not_exist (x int)");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("cannot execute CREATE TABLE in a read-only transaction"),
            std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("SQLSTATE 25006"), std::string::npos);
  EXPECT_EQ(conn.last_sqlstate(), "25006");
  // The session is still usable after the error.
  Result<QueryResult> ok = conn.Exec("SELECT 1");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(conn.last_sqlstate(), "");
}

TEST_F(ConnectionTest, TimeoutsAreApplied) {
  ConnectOptions options;
  options.statement_timeout_ms = 1234;
  options.lock_timeout_ms = 0;
  Connection conn = Open(options);
  Result<QueryResult> st = conn.Exec("SHOW statement_timeout");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->Get(0, 0), "1234ms");
  Result<QueryResult> lt = conn.Exec("SHOW lock_timeout");
  ASSERT_TRUE(lt.ok());
  EXPECT_EQ(lt->Get(0, 0), "0");
  Result<QueryResult> enc = conn.Exec("SHOW client_encoding");
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(enc->Get(0, 0), "UTF8");
  Result<QueryResult> app = conn.Exec("SHOW application_name");
  ASSERT_TRUE(app.ok());
  EXPECT_EQ(app->Get(0, 0), "dbarch");

  ConnectOptions quick;
  quick.statement_timeout_ms = 50;
  Connection fast = Open(quick);
  Result<QueryResult> slow = fast.Exec("SELECT pg_sleep(5)");
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(fast.last_sqlstate(), "57014");
  EXPECT_NE(slow.status().message().find("statement timeout"), std::string::npos);

  ConnectOptions negative;
  negative.statement_timeout_ms = -1;
  EXPECT_EQ(Connection::Open(negative).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ConnectionTest, ErrorsCarryThePosition) {
  Connection conn = Open(ConnectOptions());
  const std::string sql = "SELECT 'é', x FROM nowhere";
  Result<QueryResult> r = conn.Exec(sql);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "relation \"nowhere\" does not exist (SQLSTATE 42P01)");
  EXPECT_EQ(r.status().hint(), "at character 20");
  EXPECT_EQ(conn.ErrorPosition(), 20);
  ASSERT_TRUE(r.status().span().has_value());
  EXPECT_EQ(r.status().span()->begin, sql.find("nowhere"));

  Result<QueryResult> syntax = conn.Exec("SELEC 1");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(conn.last_sqlstate(), "42601");
  EXPECT_EQ(conn.ErrorPosition(), 1);
}

TEST_F(ConnectionTest, LostConnectionIsAConnectionError) {
  Connection victim = Open(ConnectOptions());
  Result<QueryResult> pid = victim.Exec("SELECT pg_backend_pid()");
  ASSERT_TRUE(pid.ok());
  Connection killer = Open(ConnectOptions());
  Result<QueryResult> killed =
      killer.ExecParams("SELECT pg_terminate_backend($1::int)", {std::string(pid->Get(0, 0))});
  ASSERT_TRUE(killed.ok()) << killed.status().ToString();
  Result<QueryResult> after = victim.Exec("SELECT 1");
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.status().code(), StatusCode::kConnection) << after.status().message();
}

TEST_F(ConnectionTest, NoticesAreCollectedNotPrinted) {
  Connection conn = Open(ConnectOptions());
  ASSERT_TRUE(conn.ExecScript("DO $$ BEGIN RAISE NOTICE 'hello %', 42; END $$").ok());
  std::vector<std::string> notices = conn.TakeNotices();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0], "NOTICE:  hello 42");
  EXPECT_TRUE(conn.TakeNotices().empty());
}

TEST_F(ConnectionTest, CopyIsRefusedAndTheSessionSurvives) {
  Connection conn = OpenReadWrite();
  ASSERT_TRUE(conn.ExecScript("CREATE TEMP TABLE c (x int); INSERT INTO c VALUES (1), (2)").ok());
  Result<QueryResult> out = conn.Exec("COPY c TO STDOUT");
  EXPECT_EQ(out.status().code(), StatusCode::kNotSupported);
  Result<QueryResult> in = conn.Exec("COPY c FROM STDIN");
  EXPECT_EQ(in.status().code(), StatusCode::kNotSupported);
  Result<QueryResult> count = conn.Exec("SELECT count(*) FROM c");
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(count->GetInt(0, 0), 2);
}

// CopyOut streams COPY TO STDOUT rows to the sink, also in a read-only session; a statement
// that is not such a COPY, or a sink that fails, is an error and the session stays usable.
TEST_F(ConnectionTest, CopyOutStreamsRowsToTheSink) {
  Connection conn = Open(ConnectOptions());  // read-only
  std::string text;
  Result<int64_t> rows = conn.CopyOut(
      "COPY (SELECT g, 'a b' FROM generate_series(1, 3) g) TO STDOUT", [&](std::string_view chunk) {
        text += chunk;
        return Status::OK();
      });
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, 3);
  EXPECT_EQ(text, "1\ta b\n2\ta b\n3\ta b\n");

  Result<int64_t> not_copy =
      conn.CopyOut("SELECT 1", [](std::string_view) { return Status::OK(); });
  EXPECT_EQ(not_copy.status().code(), StatusCode::kInvalidArgument);
  Result<int64_t> failing =
      conn.CopyOut("COPY (SELECT g FROM generate_series(1, 100) g) TO STDOUT",
                   [](std::string_view) { return Status::IOError("sink full"); });
  EXPECT_EQ(failing.status().code(), StatusCode::kIO);
  Result<QueryResult> ok = conn.Exec("SELECT 1");
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
}

TEST_F(ConnectionTest, DisplayNameAndVersion) {
  Connection conn = Open(ConnectOptions());
  std::string name = conn.DisplayName();
  EXPECT_NE(name.find("/dbarch-sandbox-"), std::string::npos) << name;
  EXPECT_TRUE(name.ends_with("/postgres")) << name;
  EXPECT_GE(conn.server_version_num(), 150000);

  Result<sandbox::Sandbox*> sb = sandbox::test_util::SharedSandbox();
  ASSERT_TRUE(sb.ok());
  ConnectOptions tcp;
  tcp.conninfo = (*sb)->TcpConnInfo();
  Connection over_tcp = Open(tcp);
  EXPECT_EQ(over_tcp.DisplayName(), "127.0.0.1:" + std::to_string((*sb)->port()) + "/postgres");
}

TEST_F(ConnectionTest, BadConninfoNeverShowsThePassword) {
  Result<sandbox::Sandbox*> sb = sandbox::test_util::SharedSandbox();
  ASSERT_TRUE(sb.ok());
  const std::string port = std::to_string((*sb)->port());
  struct Case {
    std::string conninfo;
    StatusCode code;
    std::string secret;
    std::string expect;  // substring of the message
  } cases[] = {
      // Nothing listens on port 1.
      {"host=127.0.0.1 port=1 user=postgres password=hunter2secret connect_timeout=2",
       StatusCode::kConnection, "hunter2secret", "Connection refused"},
      {"postgresql://postgres:s3cr3tpw@127.0.0.1:1/postgres", StatusCode::kConnection, "s3cr3tpw",
       "Connection refused"},
      // Wrong password for a real server.
      {"host=127.0.0.1 port=" + port + " user=postgres password=notthepassword",
       StatusCode::kConnection, "notthepassword", "password authentication failed"},
      // Malformed: libpq's message would echo the fragment after the space.
      {"host=127.0.0.1 password=hunter2 tailsecret", StatusCode::kInvalidArgument, "tailsecret",
       "invalid connection string"},
      {"postgresql://u:pa%zzss@h/db", StatusCode::kInvalidArgument, "pa%zzss",
       "invalid connection string"},
      {"host=h pasword=typo", StatusCode::kInvalidArgument, "", "did you mean \"password\"?"},
      {"postgresql://u:pw@h/db?bogus=1", StatusCode::kInvalidArgument, "",
       "invalid URI query parameter: \"bogus\""},
  };
  for (const Case& c : cases) {
    ConnectOptions options;
    options.conninfo = c.conninfo;
    Result<Connection> conn = Connection::Open(options);
    ASSERT_FALSE(conn.ok()) << c.conninfo;
    EXPECT_EQ(conn.status().code(), c.code) << c.conninfo << ": " << conn.status().message();
    const std::string all = conn.status().message() + " " + conn.status().hint();
    if (!c.secret.empty()) {
      EXPECT_EQ(all.find(c.secret), std::string::npos) << all;
    }
    EXPECT_NE(all.find(c.expect), std::string::npos) << c.conninfo << ": " << all;
  }
}

}  // namespace
}  // namespace dbarch::pg
