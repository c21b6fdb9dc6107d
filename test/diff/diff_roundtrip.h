// The semantic round trip that scores a schema diff against real PostgreSQL 15, shared by
// the sqldef conformance runner and the fixture pairs of test/fixtures/diff: load FROM into
// a database, apply diff(FROM -> TO) and compare the server's catalog with that of a
// database loaded with TO; diff again must give nothing; then the same back to FROM.
// Test-only, header-only. Thread-safety: one call per thread; calls share nothing but the
// sandbox (each uses databases of its own).
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/strings.h"
#include "catalog/builder.h"
#include "diff/diff.h"
#include "diff/format.h"
#include "diff/pipeline.h"
#include "pg/connection.h"
#include "pg/introspect.h"
#include "sandbox/test_util.h"
#include "sql/psql_script.h"

namespace dbarch::diff::testing {

struct RoundTripOutcome {
  bool applicable = true;  // false: FROM or TO itself is rejected by the server
  bool passed = false;
  std::string reason;  // why it failed (or is not applicable)
  std::string up_sql;
  std::string down_sql;
  // Set (with passed false) when the catalogs after up and after down differ from the wanted
  // ones only in the order of some table's columns, which ALTER TABLE cannot change.
  std::string column_order_only;
};

// The source tree: $DBARCH_SOURCE_DIR (ctest sets it), else the tree the test was built from.
inline std::filesystem::path SourceDir() {
  const char* env = std::getenv("DBARCH_SOURCE_DIR");
  return env != nullptr ? env : DBARCH_SOURCE_DIR;
}

// test/fixtures/diff: one folder a schema pair (FROM.sql, TO.sql).
inline std::filesystem::path FixturesDir() { return SourceDir() / "test" / "fixtures" / "diff"; }

// The names of the fixture pairs' folders, sorted.
inline std::vector<std::string> FixturePairNames() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(FixturesDir())) {
    if (e.is_directory() && std::filesystem::exists(e.path() / "FROM.sql")) {
      out.push_back(e.path().filename().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Whether two catalogs are equal once every table's columns are sorted by name.
inline bool EqualIgnoringColumnOrder(catalog::Catalog a, catalog::Catalog b) {
  for (catalog::Catalog* c : {&a, &b}) {
    for (auto& [q, t] : c->tables) {
      std::sort(t.columns.begin(), t.columns.end(),
                [](const catalog::Column& x, const catalog::Column& y) { return x.name < y.name; });
    }
  }
  return a == b;
}

inline Result<catalog::Catalog> ModelOf(const std::string& name, const std::string& text,
                                        const std::vector<std::string>& search_path) {
  catalog::BuildOptions options;
  if (!search_path.empty()) options.search_path = search_path;
  // The databases are loaded and read by the sandbox's superuser.
  options.session_role = "postgres";
  catalog::CatalogBuilder builder(options);
  // The schemas of the search path exist before the file runs (as in the databases).
  std::string schemas;
  for (const std::string& s : search_path) {
    if (s != "public") schemas += "CREATE SCHEMA IF NOT EXISTS " + QuoteIdent(s) + ";\n";
  }
  if (!schemas.empty()) {
    DBARCH_RETURN_IF_ERROR(builder.ApplyFile(SourceFile("search_path.sql", schemas)));
  }
  DBARCH_RETURN_IF_ERROR(builder.ApplyFile(SourceFile(name, text)));
  return builder.Finish();
}

// Runs a script diff wrote the way psql would (its \if guards of psql variables, none set).
inline Status ExecAsPsql(pg::Connection& conn, const std::string& text) {
  auto script = sql::ExpandPsqlScript(SourceFile("script.sql", text), sql::PsqlOptions{});
  if (!script.ok()) return script.status();
  for (const sql::ScriptPart& part : script->parts) {
    Status st = conn.ExecScript(part.file.text());
    if (!st.ok()) return st;
  }
  return Status::OK();
}

inline Result<pg::Connection> Open(const std::string& conninfo) {
  pg::ConnectOptions options;
  options.conninfo = conninfo;
  options.read_only = false;
  options.statement_timeout_ms = 60000;
  return pg::Connection::Open(options);
}

// The server every diff test runs against: the test process's shared sandbox
// (sandbox/test_util.h). `base` is its conninfo without a database (callers name one with
// ConnInfo), `admin` a superuser connection to its `postgres` database.
struct TestServer {
  std::string base;
  pg::Connection admin;
  std::string ConnInfo(const std::string& db) const { return base + " dbname=" + db; }
};

// Starts (or reuses) the shared sandbox, connects to it and creates `roles`, the roles that
// fixtures grant to (cluster-wide, so created once; one that exists is left as it is).
inline Result<TestServer> ConnectTestServer(const std::vector<std::string>& roles = {
                                                "app_reader"}) {
  DBARCH_ASSIGN_OR_RETURN(sandbox::Sandbox * box, sandbox::test_util::SharedSandbox());
  std::string base = box->ConnInfo();
  base = base.substr(0, base.find(" dbname="));
  DBARCH_ASSIGN_OR_RETURN(pg::Connection admin, Open(base + " dbname=postgres"));
  for (const std::string& role : roles) (void)admin.Exec("CREATE ROLE " + QuoteIdent(role));
  return TestServer{std::move(base), std::move(admin)};
}

// A database of the test server for one test: dropped first when an earlier run left it
// behind, created empty, and dropped again (WITH FORCE) by Drop() or when this goes out of
// scope. `created` says whether CREATE DATABASE succeeded.
class ScratchDatabase {
 public:
  ScratchDatabase(TestServer& server, std::string name)
      : server_(server), name_(std::move(name)), conninfo_(server.ConnInfo(name_)) {
    Drop();
    auto st = server_.admin.Exec("CREATE DATABASE " + QuoteIdent(name_));
    created = st.ok() ? Status::OK() : st.status();
  }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  ~ScratchDatabase() { Drop(); }

  const std::string& conninfo() const { return conninfo_; }
  void Drop() {
    (void)server_.admin.Exec("DROP DATABASE IF EXISTS " + QuoteIdent(name_) + " WITH (FORCE)");
  }

  Status created = Status::OK();

 private:
  TestServer& server_;
  std::string name_;
  std::string conninfo_;
};

// The diff from the database `conn` reaches (introspected) to the schema text `target_sql`
// (its model, read as file `name`).
inline Result<DiffResult> DiffLiveTo(pg::Connection& conn, const std::string& target_sql,
                                     const DiffOptions& options = {},
                                     const std::string& name = "target.sql") {
  DBARCH_ASSIGN_OR_RETURN(catalog::Catalog live, pg::IntrospectCatalog(conn, {}));
  DBARCH_ASSIGN_OR_RETURN(catalog::Catalog target, ModelOf(name, target_sql, {}));
  return Diff(live, target, options);
}

inline std::string FirstLine(const std::string& s, size_t max = 300) {
  std::string out = s.substr(0, s.find('\n'));
  if (out.size() > max) out = out.substr(0, max) + "...";
  return out;
}

// `pg_dump --schema-only` of a database, without the \restrict lines (a random key per run);
// "" when pg_dump cannot run.
inline std::string SchemaDump(const std::string& conninfo) {
  std::string quoted = "'";
  for (char c : conninfo) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  quoted += "'";
  std::string cmd = "/usr/lib/postgresql/15/bin/pg_dump --schema-only -d " + quoted + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return "";
  std::string dump;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) dump.append(buf, n);
  pclose(pipe);
  std::string out;
  size_t pos = 0;
  while (pos < dump.size()) {
    size_t end = dump.find('\n', pos);
    if (end == std::string::npos) end = dump.size();
    std::string line = dump.substr(pos, end - pos);
    if (line.rfind("\\restrict ", 0) != 0 && line.rfind("\\unrestrict ", 0) != 0)
      out += line + "\n";
    pos = end + 1;
  }
  return out;
}

// The first line where two dumps differ, or "".
inline std::string FirstDumpDifference(const std::string& got, const std::string& want) {
  size_t a = 0, b = 0;
  while (a < got.size() || b < want.size()) {
    size_t ea = got.find('\n', a), eb = want.find('\n', b);
    if (ea == std::string::npos) ea = got.size();
    if (eb == std::string::npos) eb = want.size();
    std::string la = got.substr(a, ea - a), lb = want.substr(b, eb - b);
    if (la != lb) return "got '" + la + "', want '" + lb + "'";
    a = ea + 1;
    b = eb + 1;
  }
  return "";
}

// What differs between two catalogs, in one line (the first change diff writes).
inline std::string Difference(const catalog::Catalog& got, const catalog::Catalog& want) {
  DiffOptions options;
  options.allow_destructive = true;
  DiffResult d = Diff(got, want, options);
  if (!d.changes.empty() && !d.changes.front().sql.empty()) {
    return std::string(catalog::ObjectKindName(d.changes.front().kind)) + " " +
           d.changes.front().object + ": " + FirstLine(d.changes.front().sql.front(), 200);
  }
  if (!d.warnings.empty()) return d.warnings.front();
  return "catalogs differ in a way diff does not express";
}

// Runs `script` with `psql -X -v ON_ERROR_STOP=1 -f` (each statement in its own transaction,
// as a user runs a migration) against the database `conninfo` reaches; `variables` are
// passed as `-v name=value`. OK, or the psql output of the failure.
inline Status RunPsql(const std::string& conninfo, const std::string& script,
                      const std::vector<std::pair<std::string, std::string>>& variables = {}) {
  auto quote = [](const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
  };
  char path[] = "/tmp/dbarch_pair_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return Status::IOError("mkstemp failed");
  FILE* f = fdopen(fd, "w");
  fwrite(script.data(), 1, script.size(), f);
  fclose(f);
  std::string cmd = "/usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1";
  for (const auto& [name, value] : variables) cmd += " -v " + quote(name + "=" + value);
  cmd += " -d " + quote(conninfo) + " -f " + path + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  std::string output;
  if (pipe != nullptr) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
  }
  int rc = pipe != nullptr ? pclose(pipe) : -1;
  std::remove(path);
  if (rc != 0) return Status::InvalidArgument("psql failed: " + output);
  return Status::OK();
}

// A scratch database (ScratchDatabase, of the server ConnectTestServer gives, with `roles`)
// loaded with `from_sql` by psql, for a test that puts rows in it and migrates them: the
// schema texts, the database's conninfo and a connection `db` to it. `status` says whether
// every step worked; the database is dropped with this.
class LoadedDatabase {
 public:
  LoadedDatabase(const std::string& name, std::string from, std::string to = "",
                 const std::vector<std::string>& roles = {"app_reader"})
      : from_sql(std::move(from)), to_sql(std::move(to)) {
    status = Load(name, roles);
  }
  // Fixture pair `pair`'s FROM.sql loaded, its TO.sql beside it.
  static LoadedDatabase OfPair(const std::string& pair, const std::string& name) {
    return LoadedDatabase(name, ReadAll(FixturesDir() / pair / "FROM.sql"),
                          ReadAll(FixturesDir() / pair / "TO.sql"));
  }
  LoadedDatabase(const LoadedDatabase&) = delete;
  LoadedDatabase& operator=(const LoadedDatabase&) = delete;
  ~LoadedDatabase() { Drop(); }

  TestServer& server() { return *server_; }
  const std::string& conninfo() const { return scratch_->conninfo(); }
  // Closes `db` and drops the database (before the roles of a test go, say).
  void Drop() {
    db = Status::Internal("closed");
    scratch_.reset();
  }

  const std::string from_sql;
  const std::string to_sql;
  Status status = Status::OK();
  Result<pg::Connection> db = Status::Internal("not connected");

 private:
  Status Load(const std::string& name, const std::vector<std::string>& roles) {
    auto server = ConnectTestServer(roles);
    if (!server.ok()) return server.status();
    server_ = std::make_unique<TestServer>(std::move(*server));
    scratch_ = std::make_unique<ScratchDatabase>(*server_, name);
    DBARCH_RETURN_IF_ERROR(scratch_->created);
    db = Open(scratch_->conninfo());
    if (!db.ok()) return db.status();
    return RunPsql(scratch_->conninfo(), from_sql);
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<ScratchDatabase> scratch_;
};

// `dump` with the column lines of each CREATE TABLE sorted (their trailing commas dropped):
// two dumps equal in this form differ at most in column order, which ALTER TABLE cannot
// change (a column dropped and added back ends up last; docs/diff.md, known limits).
inline std::string SortColumnLines(const std::string& dump) {
  std::string out;
  size_t pos = 0;
  std::vector<std::string> block;
  bool in_table = false;
  while (pos < dump.size()) {
    size_t end = dump.find('\n', pos);
    if (end == std::string::npos) end = dump.size();
    std::string line = dump.substr(pos, end - pos);
    pos = end + 1;
    if (in_table && line.rfind(")", 0) == 0) {
      std::sort(block.begin(), block.end());
      for (const std::string& b : block) out += b + "\n";
      block.clear();
      in_table = false;
    }
    if (in_table) {
      if (!line.empty() && line.back() == ',') line.pop_back();
      block.push_back(line);
      continue;
    }
    out += line + "\n";
    if (line.rfind("CREATE TABLE ", 0) == 0 || line.rfind("CREATE UNLOGGED TABLE ", 0) == 0)
      in_table = line.back() == '(';
  }
  return out;
}

// FROM and TO written to files of a temporary directory and read by diff::LoadSchema, as
// the command line reads them.
inline Result<std::pair<LoadedSchema, LoadedSchema>> LoadFilesAsCli(
    const std::string& from_sql, const std::string& to_sql, const std::string& session_role = "") {
  char dir[] = "/tmp/dbarch_files_XXXXXX";
  if (mkdtemp(dir) == nullptr) return Status::IOError("mkdtemp failed");
  const std::string from_path = std::string(dir) + "/FROM.sql";
  const std::string to_path = std::string(dir) + "/TO.sql";
  for (const auto& [path, text] : {std::pair{from_path, from_sql}, {to_path, to_sql}}) {
    FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) return Status::IOError("cannot write " + path);
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  auto from = LoadSchema(from_path, false, {}, session_role);
  auto to = LoadSchema(to_path, false, {}, session_role);
  std::remove(from_path.c_str());
  std::remove(to_path.c_str());
  rmdir(dir);
  if (!from.ok()) return Status(from.status()).WithContext("model of FROM");
  if (!to.ok()) return Status(to.status()).WithContext("model of TO");
  return std::pair{std::move(*from), std::move(*to)};
}

struct FilePairOutcome {
  bool passed = false;  // everything but the dump comparison
  std::string reason;
  // Where the dumps differ: "after up: got '...', want '...'" / "after down: ...".
  std::vector<std::string> dump_differences;
  // The dumps that differ are equal once each CREATE TABLE's column lines are sorted.
  bool dumps_equal_but_column_order = true;
  std::string up_sql;
  std::string down_sql;
};

// The check a user of `dbarch diff` relies on, with the two files as given: a database is
// built from FROM with psql; diff(FROM file -> TO file) is applied to it with `psql -v
// ON_ERROR_STOP=1`; its `pg_dump --schema-only` must equal that of a database built from TO,
// and diffing it against TO's file must give nothing. Then down, diffed from that live
// database back to FROM's file (the renames of TO read backwards, as `--down` does), is
// applied the same way and the dump must equal that of a database built from FROM. The dump
// differences are returned apart (`passed` covers the rest), so that a pair whose dumps are
// known to differ still has everything else checked.
// Databases <prefix>_{a,b,c} are created and dropped here. `psql_variables` are passed to
// every psql run (the placeholders of role passwords).
inline FilePairOutcome FilePairCheck(
    pg::Connection& admin, const std::string& base_conninfo, const std::string& prefix,
    const std::string& from_sql, const std::string& to_sql,
    const std::vector<std::pair<std::string, std::string>>& psql_variables = {},
    bool load_as_cli = false) {
  FilePairOutcome out;
  auto fail = [&](std::string reason) {
    out.passed = false;
    out.reason = std::move(reason);
    return out;
  };
  const std::string db_a = prefix + "_a", db_b = prefix + "_b", db_c = prefix + "_c";
  struct Cleanup {
    pg::Connection& admin;
    std::vector<std::string> dbs;
    ~Cleanup() {
      for (const std::string& d : dbs)
        (void)admin.Exec("DROP DATABASE IF EXISTS " + QuoteIdent(d) + " WITH (FORCE)");
    }
  } cleanup{admin, {db_a, db_b, db_c}};
  for (const std::string& db : cleanup.dbs) {
    (void)admin.Exec("DROP DATABASE IF EXISTS " + QuoteIdent(db) + " WITH (FORCE)");
    auto created = admin.Exec("CREATE DATABASE " + QuoteIdent(db));
    if (!created.ok()) return fail("create database: " + created.status().ToString());
  }
  auto conninfo = [&](const std::string& db) { return base_conninfo + " dbname=" + db; };
  for (const auto& [db, sql] : {std::pair{db_a, from_sql}, {db_b, to_sql}, {db_c, from_sql}}) {
    Status st = RunPsql(conninfo(db), sql, psql_variables);
    if (!st.ok()) return fail("loading " + db + ": " + FirstLine(st.message(), 600));
  }
  Result<catalog::Catalog> from_model = Status::OK();
  Result<catalog::Catalog> to_model = Status::OK();
  DiffOptions up_options;
  up_options.allow_destructive = true;
  if (load_as_cli) {
    // As `dbarch diff FROM.sql TO.sql` reads them: files on disk, psql meta-commands
    // expanded, the renames read from TO's file.
    auto loaded = LoadFilesAsCli(from_sql, to_sql);
    if (!loaded.ok()) return fail(FirstLine(loaded.status().ToString()));
    from_model = std::move(loaded->first.catalog);
    to_model = std::move(loaded->second.catalog);
    up_options.renames = std::move(loaded->second.renames);
  } else {
    from_model = ModelOf("FROM.sql", from_sql, {});
    to_model = ModelOf("TO.sql", to_sql, {});
  }
  if (!from_model.ok()) return fail("model of FROM: " + FirstLine(from_model.status().ToString()));
  if (!to_model.ok()) return fail("model of TO: " + FirstLine(to_model.status().ToString()));
  if (!load_as_cli) up_options.renames = RenameAnnotationsInText(*to_model, "TO.sql", to_sql);
  out.up_sql = FormatSql(Diff(*from_model, *to_model, up_options));
  Status applied = RunPsql(conninfo(db_a), out.up_sql, psql_variables);
  if (!applied.ok()) return fail("up fails: " + FirstLine(applied.message(), 600));
  std::string got = SchemaDump(conninfo(db_a));
  std::string want = SchemaDump(conninfo(db_b));
  if (got.find("PostgreSQL database dump complete") == std::string::npos)
    return fail("pg_dump failed: " + FirstLine(got));
  std::string diff = FirstDumpDifference(got, want);
  if (!diff.empty()) {
    out.dump_differences.push_back("after up: " + diff);
    if (SortColumnLines(got) != SortColumnLines(want)) out.dumps_equal_but_column_order = false;
  }
  auto conn_a = Open(conninfo(db_a));
  if (!conn_a.ok()) return fail("connect failed");
  auto after_up = pg::IntrospectCatalog(*conn_a, {});
  if (!after_up.ok()) return fail("introspect after up: " + after_up.status().ToString());
  if (load_as_cli) {
    // The database against the files, as `dbarch diff postgres://... TO.sql` reads them: the
    // files run as the database session's role.
    auto live = LoadSchema(conninfo(db_a), true);
    if (!live.ok()) return fail("introspect after up: " + live.status().ToString());
    auto files = LoadFilesAsCli(from_sql, to_sql, live->session_role);
    if (!files.ok()) return fail(FirstLine(files.status().ToString()));
    DropDefaultExtensionComments(*live, files->first);
    DropDefaultExtensionComments(*live, files->second);
    from_model = std::move(files->first.catalog);
    to_model = std::move(files->second.catalog);
  }
  DiffResult again = Diff(*after_up, *to_model, {});
  if (again.HasChanges()) return fail("TO in sync gives DDL: " + Difference(*after_up, *to_model));
  DiffResult down =
      Diff(*after_up, *from_model, ReverseOptions(up_options, *from_model, *to_model));
  out.down_sql = FormatSql(down);
  applied = RunPsql(conninfo(db_a), out.down_sql, psql_variables);
  if (!applied.ok()) return fail("down fails: " + FirstLine(applied.message(), 600));
  got = SchemaDump(conninfo(db_a));
  want = SchemaDump(conninfo(db_c));
  diff = FirstDumpDifference(got, want);
  if (!diff.empty()) {
    out.dump_differences.push_back("after down: " + diff);
    if (SortColumnLines(got) != SortColumnLines(want)) out.dumps_equal_but_column_order = false;
  }
  out.passed = true;
  return out;
}

// Runs the round trip in databases `db_a` and `db_b` (created and dropped here) of the
// server `admin` is connected to; `base_conninfo` reaches that server (dbname is appended).
inline RoundTripOutcome RoundTrip(pg::Connection& admin, const std::string& base_conninfo,
                                  const std::string& db_a, const std::string& db_b,
                                  const std::string& from_sql, const std::string& to_sql,
                                  const std::vector<std::string>& search_path = {},
                                  bool compare_dumps = false) {
  RoundTripOutcome out;
  auto fail = [&](std::string reason) {
    out.passed = false;
    out.reason = std::move(reason);
    return out;
  };
  for (const std::string& db : {db_a, db_b}) {
    (void)admin.Exec("DROP DATABASE IF EXISTS " + QuoteIdent(db));
    auto created = admin.Exec("CREATE DATABASE " + QuoteIdent(db));
    if (!created.ok()) return fail("create database: " + created.status().ToString());
  }
  struct Cleanup {
    pg::Connection& admin;
    std::string a, b;
    ~Cleanup() {
      (void)admin.Exec("DROP DATABASE IF EXISTS " + QuoteIdent(a) + " WITH (FORCE)");
      (void)admin.Exec("DROP DATABASE IF EXISTS " + QuoteIdent(b) + " WITH (FORCE)");
    }
  } cleanup{admin, db_a, db_b};

  std::string set_path;
  if (!search_path.empty()) {
    std::vector<std::string> quoted;
    for (const std::string& s : search_path) quoted.push_back(QuoteIdent(s));
    set_path = "SET search_path = " + Join(quoted, ", ") + ";\n";
  }
  auto conn_a = Open(base_conninfo + " dbname=" + db_a);
  auto conn_b = Open(base_conninfo + " dbname=" + db_b);
  if (!conn_a.ok() || !conn_b.ok()) return fail("connect failed");
  if (!search_path.empty()) {
    for (const std::string& s : search_path) {
      if (s == "public") continue;
      (void)conn_a->Exec("CREATE SCHEMA IF NOT EXISTS " + QuoteIdent(s));
      (void)conn_b->Exec("CREATE SCHEMA IF NOT EXISTS " + QuoteIdent(s));
    }
  }
  Status loaded_a = conn_a->ExecScript(set_path + from_sql);
  Status loaded_b = conn_b->ExecScript(set_path + to_sql);
  if (!loaded_a.ok() || !loaded_b.ok()) {
    out.applicable = false;
    out.reason = "PostgreSQL 15 rejects the " +
                 std::string(!loaded_a.ok() ? "current" : "desired") +
                 " schema: " + FirstLine((!loaded_a.ok() ? loaded_a : loaded_b).ToString());
    return out;
  }
  auto from_model = ModelOf("current.sql", from_sql, search_path);
  if (!from_model.ok())
    return fail("model of current: " + FirstLine(from_model.status().ToString()));
  auto to_model = ModelOf("desired.sql", to_sql, search_path);
  if (!to_model.ok()) return fail("model of desired: " + FirstLine(to_model.status().ToString()));
  std::vector<Rename> renames = RenameAnnotationsInText(*to_model, "desired.sql", to_sql);

  auto want_to = pg::IntrospectCatalog(*conn_b, {});
  if (!want_to.ok()) return fail("introspect desired: " + FirstLine(want_to.status().ToString()));
  auto want_from = pg::IntrospectCatalog(*conn_a, {});
  if (!want_from.ok())
    return fail("introspect current: " + FirstLine(want_from.status().ToString()));

  DiffOptions up_options;
  up_options.allow_destructive = true;
  up_options.renames = renames;
  // Step 1: the server of `current` against its own DDL: nothing.
  DiffResult idle = Diff(*want_from, *from_model, {});
  if (idle.HasChanges()) {
    return fail("current in sync gives DDL: " + Difference(*want_from, *from_model));
  }
  // Step 2: up.
  DiffResult up = Diff(*want_from, *to_model, up_options);
  out.up_sql = FormatSql(up);
  Status applied = ExecAsPsql(*conn_a, set_path + out.up_sql);
  if (!applied.ok()) return fail("up fails: " + FirstLine(applied.ToString()));
  auto after_up = pg::IntrospectCatalog(*conn_a, {});
  if (!after_up.ok())
    return fail("introspect after up: " + FirstLine(after_up.status().ToString()));
  std::string column_order;
  if (!(*after_up == *want_to)) {
    if (!EqualIgnoringColumnOrder(*after_up, *want_to))
      return fail("after up: " + Difference(*after_up, *want_to));
    column_order = "after up: " + Difference(*after_up, *want_to);
  }
  if (compare_dumps) {
    std::string got = SchemaDump(base_conninfo + " dbname=" + db_a);
    std::string want = SchemaDump(base_conninfo + " dbname=" + db_b);
    if (got.find("PostgreSQL database dump complete") == std::string::npos) {
      return fail("pg_dump failed: " + FirstLine(got));
    }
    std::string diff = FirstDumpDifference(got, want);
    if (!diff.empty()) return fail("pg_dump after up differs: " + diff);
  }
  DiffResult again = Diff(*after_up, *to_model, {});
  if (again.HasChanges())
    return fail("desired in sync gives DDL: " + Difference(*after_up, *to_model));
  // Step 3: down.
  DiffResult down =
      Diff(*after_up, *from_model, ReverseOptions(up_options, *from_model, *to_model));
  out.down_sql = FormatSql(down);
  applied = ExecAsPsql(*conn_a, set_path + out.down_sql);
  if (!applied.ok()) return fail("down fails: " + FirstLine(applied.ToString()));
  auto after_down = pg::IntrospectCatalog(*conn_a, {});
  if (!after_down.ok())
    return fail("introspect after down: " + FirstLine(after_down.status().ToString()));
  if (!(*after_down == *want_from)) {
    if (!EqualIgnoringColumnOrder(*after_down, *want_from))
      return fail("after down: " + Difference(*after_down, *want_from));
    if (column_order.empty()) column_order = "after down: " + Difference(*after_down, *want_from);
  }
  if (compare_dumps && column_order.empty()) {
    // The source database is gone (migrated): a fresh one loaded with FROM is the reference.
    std::string ref = db_b + "_from";
    (void)admin.Exec("DROP DATABASE IF EXISTS " + QuoteIdent(ref) + " WITH (FORCE)");
    if (!admin.Exec("CREATE DATABASE " + QuoteIdent(ref)).ok()) return fail("create " + ref);
    std::string want;
    {
      auto conn_ref = Open(base_conninfo + " dbname=" + ref);
      if (!conn_ref.ok()) return fail("connect failed");
      for (const std::string& s : search_path) {
        if (s != "public") (void)conn_ref->Exec("CREATE SCHEMA IF NOT EXISTS " + QuoteIdent(s));
      }
      Status loaded = conn_ref->ExecScript(set_path + from_sql);
      if (loaded.ok()) want = SchemaDump(base_conninfo + " dbname=" + ref);
    }
    (void)admin.Exec("DROP DATABASE IF EXISTS " + QuoteIdent(ref) + " WITH (FORCE)");
    std::string got = SchemaDump(base_conninfo + " dbname=" + db_a);
    std::string diff = FirstDumpDifference(got, want);
    if (!diff.empty()) return fail("pg_dump after down differs: " + diff);
  }
  if (!column_order.empty()) {
    out.column_order_only = column_order;
    return fail(column_order);
  }
  out.passed = true;
  return out;
}

}  // namespace dbarch::diff::testing
