// The schema pairs of test/fixtures/diff/<case>/{FROM,TO}.sql, one per object kind and
// dependency case that diff supports, each run through the semantic round trip against
// PostgreSQL 15 (diff_roundtrip.h): up gives TO's catalog, the diff is then empty, down gives
// FROM's catalog, each also as the same pg_dump --schema-only as a database loaded with that
// file; a pair of equal files gives no statement at all.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "diff/diff_roundtrip.h"
#include "diff/online.h"

namespace dbarch::diff {
namespace {

using testing::FixturesDir;
using testing::ReadAll;

class DiffPair : public ::testing::TestWithParam<std::string> {};

TEST_P(DiffPair, UpDownAndInSync) {
  std::filesystem::path dir = FixturesDir() / GetParam();
  std::string from = ReadAll(dir / "FROM.sql");
  std::string to = ReadAll(dir / "TO.sql");
  auto server = testing::ConnectTestServer();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  // A pair whose dumps cannot match says why in KNOWN_DUMP_DIFFERENCE: its first line is a
  // text every dump difference must contain (the rest explains it).
  std::string known;
  if (std::filesystem::exists(dir / "KNOWN_DUMP_DIFFERENCE")) {
    known = ReadAll(dir / "KNOWN_DUMP_DIFFERENCE");
    known = known.substr(0, known.find('\n'));
  }
  testing::RoundTripOutcome r =
      testing::RoundTrip(server->admin, server->base, "pair_a", "pair_b", from, to, {},
                         /*compare_dumps=*/known.empty());
  ASSERT_TRUE(r.applicable) << r.reason;
  EXPECT_TRUE(r.passed) << r.reason << "\n-- up:\n" << r.up_sql << "\n-- down:\n" << r.down_sql;
  // The two files as given, through psql, compared by pg_dump --schema-only.
  testing::FilePairOutcome files =
      testing::FilePairCheck(server->admin, server->base, "pairfile", from, to);
  EXPECT_TRUE(files.passed) << files.reason << "\n-- up:\n"
                            << files.up_sql << "\n-- down:\n"
                            << files.down_sql;
  if (known.empty()) {
    EXPECT_TRUE(files.dump_differences.empty()) << files.dump_differences.front() << "\n-- up:\n"
                                                << files.up_sql << "\n-- down:\n"
                                                << files.down_sql;
  } else {
    EXPECT_FALSE(files.dump_differences.empty()) << "the known dump difference is gone: "
                                                 << "remove KNOWN_DUMP_DIFFERENCE";
    for (const std::string& d : files.dump_differences)
      EXPECT_NE(d.find(known), std::string::npos) << d;
  }
  // Each side against itself: no statement.
  for (const std::string& side : {from, to}) {
    auto model = testing::ModelOf("x.sql", side, {});
    ASSERT_TRUE(model.ok());
    EXPECT_FALSE(Diff(*model, *model, {}).HasChanges());
  }
  // Golden scripts where the exact statements matter (a rename emits the rename alone).
  if (std::filesystem::exists(dir / "up.sql")) {
    EXPECT_EQ(r.up_sql, ReadAll(dir / "up.sql"));
  }
  if (std::filesystem::exists(dir / "down.sql")) {
    EXPECT_EQ(r.down_sql, ReadAll(dir / "down.sql"));
  }
}

// Takes the loaded database to `target` with diff(database -> target) applied by psql; no
// change may be refused.
void MigrateTo(testing::LoadedDatabase& loaded, const std::string& target) {
  auto d = testing::DiffLiveTo(*loaded.db, target);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_FALSE(d->HasRefused()) << FormatSql(*d);
  std::string sql = FormatSql(*d);
  Status st = testing::RunPsql(loaded.conninfo(), sql);
  EXPECT_TRUE(st.ok()) << st.ToString() << "\n" << sql;
}

// The ACL of the database `conninfo` reaches, one "grantee privilege grantable" per line
// (PUBLIC as "-"), or "default" when the server keeps none (the built-in defaults).
std::string DatabaseAcl(const std::string& conninfo) {
  auto conn = testing::Open(conninfo);
  if (!conn.ok()) return "connect failed: " + conn.status().ToString();
  auto res = conn->Exec(
      "SELECT coalesce((SELECT string_agg(e, E'\\n' ORDER BY e) FROM (SELECT CASE WHEN "
      "a.grantee = 0 THEN '-' ELSE pg_get_userbyid(a.grantee) END || ' ' || a.privilege_type "
      "|| ' ' || a.is_grantable AS e FROM pg_database d, aclexplode(d.datacl) a "
      "WHERE d.datname = current_database()) s), 'default')");
  if (!res.ok()) return "query failed: " + res.status().ToString();
  return std::string(res->Get(0, 0));
}

// Three databases loaded from a pair whose files name the database appdb (standing for the
// database the script runs in), each with that name replaced by its own: `<prefix>_from` (the
// target of up and down), `<prefix>_to` and `<prefix>_ref` (FROM again, what down must give
// back). Dropped when this goes.
struct DatabaseLevelPair {
  std::string from_sql, to_sql;
  std::string base;  // conninfo without dbname
  std::string prefix;
  std::optional<pg::Connection> admin;
  Status status;

  std::string Conninfo(const std::string& which) const {
    return base + " dbname=" + prefix + "_" + which;
  }
  ~DatabaseLevelPair() {
    if (!admin) return;
    for (const char* which : {"_from", "_to", "_ref"})
      (void)admin->Exec("DROP DATABASE IF EXISTS " + prefix + which + " WITH (FORCE)");
  }
};

void LoadDatabaseLevelPair(const std::string& pair, const std::string& prefix,
                           const std::vector<std::string>& roles, DatabaseLevelPair* out) {
  std::filesystem::path dir = FixturesDir() / pair;
  out->from_sql = ReadAll(dir / "FROM_appdb.sql");
  out->to_sql = ReadAll(dir / "TO_appdb.sql");
  out->prefix = prefix;
  auto box = sandbox::test_util::SharedSandbox();
  if (!box.ok()) {
    out->status = box.status();
    return;
  }
  out->base = (*box)->ConnInfo();
  out->base = out->base.substr(0, out->base.find(" dbname="));
  auto admin = testing::Open(out->base + " dbname=postgres");
  if (!admin.ok()) {
    out->status = admin.status();
    return;
  }
  out->admin.emplace(std::move(*admin));
  for (const std::string& role : roles) (void)out->admin->Exec("CREATE ROLE " + role);
  auto named = [](std::string text, const std::string& db) {
    for (size_t at = text.find("appdb"); at != std::string::npos; at = text.find("appdb", at))
      text.replace(at, 5, db);
    return text;
  };
  const std::vector<std::pair<std::string, const std::string*>> dbs = {
      {"from", &out->from_sql}, {"to", &out->to_sql}, {"ref", &out->from_sql}};
  for (const auto& [which, sql] : dbs) {
    const std::string db = prefix + "_" + which;
    (void)out->admin->Exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
    if (Status st = out->admin->Exec("CREATE DATABASE " + db).status(); !st.ok()) {
      out->status = st;
      return;
    }
    if (Status st = testing::RunPsql(out->Conninfo(which), named(*sql, db)); !st.ok()) {
      out->status = st;
      return;
    }
  }
}

// Privileges on the database, written in the files with a database name (appdb) that is not
// the name of any database here: they stand for the database the script runs in. Up, applied
// with psql to a database loaded from FROM, gives it the ACL of a database loaded from TO
// (pg_dump --schema-only leaves database privileges out, so the ACLs are compared), the live
// database is then in sync with TO's file and with its own dump, and down gives FROM's ACL
// back. The files are loaded with their database name replaced by each database's own.
TEST(DiffDatabasePrivileges, FileDatabaseNameStandsForTheTargetDatabase) {
  DatabaseLevelPair dbs;
  LoadDatabaseLevelPair("database_privileges", "dbpriv", {"app_reader"}, &dbs);
  ASSERT_TRUE(dbs.status.ok()) << dbs.status.ToString();
  const std::string& from_sql = dbs.from_sql;
  const std::string& to_sql = dbs.to_sql;
  const std::string target = dbs.Conninfo("from");
  const std::string from_acl = DatabaseAcl(target);
  const std::string to_acl = DatabaseAcl(dbs.Conninfo("to"));
  ASSERT_NE(from_acl, to_acl);

  auto from_model = testing::ModelOf("FROM.sql", from_sql, {});
  auto to_model = testing::ModelOf("TO.sql", to_sql, {});
  ASSERT_TRUE(from_model.ok()) << from_model.status().ToString();
  ASSERT_TRUE(to_model.ok()) << to_model.status().ToString();
  DiffOptions options;
  options.allow_destructive = true;
  const std::string up = FormatSql(Diff(*from_model, *to_model, options));
  EXPECT_NE(up.find("current_database()"), std::string::npos) << up;
  EXPECT_EQ(up.find("appdb"), std::string::npos) << up;
  ASSERT_TRUE(testing::RunPsql(target, up).ok()) << up;
  EXPECT_EQ(DatabaseAcl(target), to_acl) << up;

  // The live database against TO's file, and against its own model: in sync.
  auto conn = testing::Open(target);
  ASSERT_TRUE(conn.ok());
  auto live = pg::IntrospectCatalog(*conn, {});
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  DiffResult again = Diff(*live, *to_model, {});
  EXPECT_FALSE(again.HasChanges()) << FormatSql(again);
  // The script's own DO blocks read back as the privileges they give.
  auto replayed = testing::ModelOf("up.sql", from_sql + up, {});
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_FALSE(Diff(*replayed, *to_model, {}).HasChanges())
      << FormatSql(Diff(*replayed, *to_model, {}));

  const std::string down = FormatSql(Diff(*live, *from_model, options));
  ASSERT_TRUE(testing::RunPsql(target, down).ok()) << down;
  EXPECT_EQ(DatabaseAcl(target), DatabaseAcl(dbs.Conninfo("ref"))) << down;
  EXPECT_EQ(DatabaseAcl(target), from_acl);
}

// The owners of the database `conninfo` reaches and of its language plpgsql, and the ACLs of
// both (aclitem text, sorted; no ACL as the built-in default, acldefault(), spells it).
std::string DatabaseAndLanguageOwners(const std::string& conninfo) {
  auto conn = testing::Open(conninfo);
  if (!conn.ok()) return "connect failed: " + conn.status().ToString();
  auto res = conn->Exec(
      "SELECT pg_get_userbyid(d.datdba) || ' ' || (SELECT string_agg(a::text, ',' ORDER BY "
      "a::text) FROM unnest(coalesce(d.datacl, acldefault('d', d.datdba))) a) || ' / ' || "
      "(SELECT pg_get_userbyid(l.lanowner) || ' ' || (SELECT string_agg(a::text, ',' ORDER BY "
      "a::text) FROM unnest(coalesce(l.lanacl, acldefault('l', l.lanowner))) a) "
      "FROM pg_language l WHERE l.lanname = 'plpgsql') "
      "FROM pg_database d WHERE d.datname = current_database()");
  if (!res.ok()) return "query failed: " + res.status().ToString();
  return std::string(res->Get(0, 0));
}

// Owners of the database and of a language (ALTER DATABASE / LANGUAGE ... OWNER TO), written
// with a database name (appdb) that stands for the database the script runs in: up, applied
// with psql to a database loaded from FROM, gives it the owners and ACLs of a database loaded
// from TO (pg_dump --schema-only names neither owner), the live database is then in sync with
// TO's file, down gives FROM's back, and a file that names no owner changes neither.
TEST(DiffDatabaseOwners, DatabaseAndLanguageOwnersFollowTheFile) {
  DatabaseLevelPair dbs;
  LoadDatabaseLevelPair("database_language_owners", "dbown", {"app_reader", "app_owner"}, &dbs);
  ASSERT_TRUE(dbs.status.ok()) << dbs.status.ToString();
  const std::string& from_sql = dbs.from_sql;
  const std::string& to_sql = dbs.to_sql;
  const std::string target = dbs.Conninfo("from");
  const std::string from_owners = DatabaseAndLanguageOwners(target);
  const std::string to_owners = DatabaseAndLanguageOwners(dbs.Conninfo("to"));
  ASSERT_NE(from_owners, to_owners);

  auto from_model = testing::ModelOf("FROM.sql", from_sql, {});
  auto to_model = testing::ModelOf("TO.sql", to_sql, {});
  ASSERT_TRUE(from_model.ok()) << from_model.status().ToString();
  ASSERT_TRUE(to_model.ok()) << to_model.status().ToString();
  DiffOptions options;
  options.allow_destructive = true;
  const std::string up = FormatSql(Diff(*from_model, *to_model, options));
  EXPECT_NE(up.find("ALTER LANGUAGE plpgsql OWNER TO app_owner"), std::string::npos) << up;
  EXPECT_EQ(up.find("appdb"), std::string::npos) << up;
  ASSERT_TRUE(testing::RunPsql(target, up).ok()) << up;
  EXPECT_EQ(DatabaseAndLanguageOwners(target), to_owners) << up;

  // The live database against TO's file: in sync; against a file that names no owner: no
  // owner change either.
  auto conn = testing::Open(target);
  ASSERT_TRUE(conn.ok());
  auto live = pg::IntrospectCatalog(*conn, {});
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  ASSERT_TRUE(live->database_owner.has_value());
  EXPECT_EQ(*live->database_owner, "app_owner");
  DiffResult again = Diff(*live, *to_model, {});
  EXPECT_FALSE(again.HasChanges()) << FormatSql(again);
  auto silent = testing::ModelOf("T.sql", "CREATE TABLE notes (id integer);", {});
  ASSERT_TRUE(silent.ok());
  EXPECT_EQ(FormatSql(Diff(*live, *silent, options)).find("OWNER TO"), std::string::npos);
  // The script's own DO block reads back as the owner it gives.
  auto replayed = testing::ModelOf("up.sql", from_sql + up, {});
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_FALSE(Diff(*replayed, *to_model, {}).HasChanges())
      << FormatSql(Diff(*replayed, *to_model, {}));

  const std::string down = FormatSql(Diff(*live, *from_model, options));
  ASSERT_TRUE(testing::RunPsql(target, down).ok()) << down;
  EXPECT_EQ(DatabaseAndLanguageOwners(target), DatabaseAndLanguageOwners(dbs.Conninfo("ref")))
      << down;
  EXPECT_EQ(DatabaseAndLanguageOwners(target), from_owners);
}

// A partitioned table whose key uses a collation that is rebuilt keeps its rows: up (applied
// with psql) renames it aside, creates it again and copies the rows through the new parent,
// and down does the same back. The rows of the table and of the table whose foreign key
// points at it are all there after each way, and no change is destructive.
TEST(DiffCopiedTables, PartitionKeyCollationKeepsRows) {
  auto fixture =
      testing::LoadedDatabase::OfPair("dep_collation_partition_key_rows", "copied_rows_db");
  ASSERT_TRUE(fixture.status.ok()) << fixture.status.ToString();
  auto& db = fixture.db;
  ASSERT_TRUE(db->ExecScript("INSERT INTO regions VALUES ('north'), ('south');\n"
                             "INSERT INTO customers VALUES (1, 'Anna', 'north'), "
                             "(2, 'Äpfelbauer', 'south'), (3, 'Müller', NULL), (4, 'Zoe', "
                             "'north'), (5, 'Ölmann', 'south');\n"
                             "INSERT INTO visits VALUES ('Anna', 1), ('Zoe', 4), ('Zoe', 4);")
                  .ok());
  const std::string rows =
      "SELECT (SELECT string_agg(id || ':' || name || ':' || coalesce(region, '-'), ',' ORDER BY "
      "id) FROM customers) || ' / ' || (SELECT string_agg(customer_name || ':' || customer_id, "
      "',' ORDER BY customer_name) FROM visits) || ' / ' || (SELECT count(*) FROM customers_a_m) "
      "|| '+' || (SELECT count(*) FROM customers_n_z)";
  const std::string want =
      "1:Anna:north,2:Äpfelbauer:south,3:Müller:-,4:Zoe:north,5:Ölmann:south / "
      "Anna:1,Zoe:4,Zoe:4 / 3+2";
  auto read_rows = [&]() -> std::string {
    auto r = db->Exec(rows);
    EXPECT_TRUE(r.ok());
    return r.ok() && r->rows() == 1 ? std::string(r->Get(0, 0)) : "<none>";
  };
  ASSERT_EQ(read_rows(), want);
  auto migrate_to = [&](const std::string& target) -> std::string {
    auto diffed = testing::DiffLiveTo(*db, target);
    EXPECT_TRUE(diffed.ok()) << diffed.status().ToString();
    if (!diffed.ok()) return "";
    const DiffResult& d = *diffed;
    bool copied = false;
    for (const Change& c : d.changes) {
      EXPECT_FALSE(c.destructive) << c.object << ": " << c.data_loss;
      EXPECT_FALSE(c.refused) << c.object;
      if (!c.sql.empty() && c.sql.front().rfind("INSERT INTO public.customers ", 0) == 0) {
        copied = true;
        EXPECT_TRUE(c.rewrites);
        EXPECT_EQ(c.lock, "ACCESS EXCLUSIVE");
      }
    }
    EXPECT_TRUE(copied) << FormatSql(d);
    std::string sql = FormatSql(d);
    Status st = testing::RunPsql(fixture.conninfo(), sql);
    EXPECT_TRUE(st.ok()) << st.ToString() << "\n" << sql;
    return sql;
  };
  std::string up = migrate_to(fixture.to_sql);
  EXPECT_EQ(read_rows(), want) << up;
  auto collation = db->Exec("SELECT colliculocale FROM pg_collation WHERE collname = 'german'");
  ASSERT_TRUE(collation.ok());
  ASSERT_EQ(collation->rows(), 1);
  EXPECT_EQ(std::string(collation->Get(0, 0)), "de-DE-u-co-phonebk");
  std::string down = migrate_to(fixture.from_sql);
  EXPECT_EQ(read_rows(), want) << down;
}

// The same with a serial and an identity column: the serial's sequence is kept (owned by the
// new column after), the identity's goes on from the old one's value, both ways.
TEST(DiffCopiedTables, PartitionKeyCollationKeepsSequences) {
  auto fixture =
      testing::LoadedDatabase::OfPair("dep_collation_partition_key_sequences", "copied_seq_db");
  ASSERT_TRUE(fixture.status.ok()) << fixture.status.ToString();
  auto& db = fixture.db;
  auto insert_and_read = [&](const std::string& name) -> std::string {
    EXPECT_TRUE(db->Exec("INSERT INTO customers (name) VALUES ('" + name + "')").ok());
    auto r = db->Exec(
        "SELECT string_agg(id || ':' || n || ':' || name, ',' ORDER BY id) FROM customers");
    EXPECT_TRUE(r.ok());
    return r.ok() && r->rows() == 1 ? std::string(r->Get(0, 0)) : "<none>";
  };
  insert_and_read("Anna");
  ASSERT_EQ(insert_and_read("Zoe"), "1:1:Anna,2:2:Zoe");
  MigrateTo(fixture, fixture.to_sql);
  EXPECT_EQ(insert_and_read("Müller"), "1:1:Anna,2:2:Zoe,3:3:Müller");
  MigrateTo(fixture, fixture.from_sql);
  EXPECT_EQ(insert_and_read("Ölmann"), "1:1:Anna,2:2:Zoe,3:3:Müller,4:4:Ölmann");
}

// A partitioned table whose key itself changes (LIST by region -> RANGE by id, and RANGE on
// one column -> RANGE on another) keeps its rows: up (applied with psql) renames it aside,
// creates it with the target's partitions, copies the rows through the new parent and drops
// the old one; down does the same back. The identity goes on from where it was, each way.
// A target whose partitions leave a row out makes the copy fail loudly: applied in one
// transaction, nothing changes.
TEST(DiffCopiedTables, PartitionKeyChangeKeepsRows) {
  auto fixture = testing::LoadedDatabase::OfPair("partition_key_change", "key_rows_db");
  ASSERT_TRUE(fixture.status.ok()) << fixture.status.ToString();
  auto& db = fixture.db;
  ASSERT_TRUE(db->ExecScript("INSERT INTO customers VALUES (1), (2);\n"
                             "INSERT INTO orders (region, customer_id, total) VALUES ('eu', 1, "
                             "10), ('us', 2, 200), ('eu', NULL, 0), ('apac', 1, 150.5), ('us', 1, "
                             "99);\n"
                             "INSERT INTO orders OVERRIDING SYSTEM VALUE VALUES (1500, 'eu', 2, "
                             "300);\n"
                             "INSERT INTO events VALUES ('2024-03-01', 1, 'a'), ('2025-07-01', 2, "
                             "'b'), ('2024-12-31', 3000000, NULL);")
                  .ok());
  auto read_rows = [&]() -> std::string {
    auto r = db->Exec(
        "SELECT (SELECT string_agg(id || ':' || region || ':' || coalesce(customer_id::text, "
        "'-') || ':' || total, ',' ORDER BY id) FROM orders) || ' / ' || (SELECT "
        "string_agg(day || ':' || seq || ':' || coalesce(payload, '-'), ',' ORDER BY seq) FROM "
        "events) || ' / ' || (SELECT count(*) FROM big_orders)");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && r->rows() == 1 ? std::string(r->Get(0, 0)) : "<none>";
  };
  auto partitions_of = [&](const std::string& table) -> std::string {
    auto r = db->Exec(
        "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i JOIN pg_class "
        "c ON c.oid = i.inhrelid WHERE i.inhparent = " +
        QuoteLiteral(table) + "::regclass");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && r->rows() == 1 ? std::string(r->Get(0, 0)) : "<none>";
  };
  const std::string want =
      "1:eu:1:10.00,2:us:2:200.00,3:eu:-:0.00,4:apac:1:150.50,5:us:1:99.00,1500:eu:2:300.00 / "
      "2024-03-01:1:a,2025-07-01:2:b,2024-12-31:3000000:- / 3";
  ASSERT_EQ(read_rows(), want);
  auto diff_to = [&](const std::string& target) -> std::string {
    auto diffed = testing::DiffLiveTo(*db, target);
    EXPECT_TRUE(diffed.ok()) << diffed.status().ToString();
    if (!diffed.ok()) return "";
    const DiffResult& d = *diffed;
    int copies = 0;
    for (const Change& c : d.changes) {
      EXPECT_FALSE(c.destructive) << c.object << ": " << c.data_loss;
      EXPECT_FALSE(c.refused) << c.object;
      if (!c.sql.empty() && c.sql.front().rfind("INSERT INTO public.", 0) == 0) {
        ++copies;
        EXPECT_TRUE(c.rewrites);
        EXPECT_EQ(c.lock, "ACCESS EXCLUSIVE");
      }
    }
    EXPECT_EQ(copies, 2) << FormatSql(d);
    return FormatSql(d);
  };
  std::string up = diff_to(fixture.to_sql);
  Status st = testing::RunPsql(fixture.conninfo(), up);
  ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << up;
  EXPECT_EQ(read_rows(), want) << up;
  EXPECT_EQ(partitions_of("orders"), "orders_high,orders_low");
  auto counts = db->Exec(
      "SELECT (SELECT count(*) FROM orders_low) || '+' || (SELECT count(*) FROM orders_high) || "
      "' ' || (SELECT count(*) FROM events_2024) || '+' || (SELECT count(*) FROM events_rest)");
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(std::string(counts->Get(0, 0)), "5+1 2+1");
  auto next = db->Exec("INSERT INTO orders (region, total) VALUES ('eu', 1) RETURNING id");
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(std::string(next->Get(0, 0)), "6");
  auto old = db->Exec("SELECT count(*) FROM pg_class WHERE relname LIKE '%dbarch_old%'");
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(std::string(old->Get(0, 0)), "0");

  std::string down = diff_to(fixture.from_sql);
  st = testing::RunPsql(fixture.conninfo(), down);
  ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << down;
  EXPECT_EQ(partitions_of("orders"), "orders_eu,orders_other,orders_us");
  counts = db->Exec(
      "SELECT (SELECT count(*) FROM orders_eu) || '+' || (SELECT count(*) FROM orders_us) || '+' "
      "|| (SELECT count(*) FROM orders_other) || ' ' || (SELECT count(*) FROM events_2024) || "
      "'+' || (SELECT count(*) FROM events_2025)");
  ASSERT_TRUE(counts.ok());
  next = db->Exec("INSERT INTO orders (region, total) VALUES ('us', 2) RETURNING id");
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(std::string(next->Get(0, 0)), "7");
  EXPECT_EQ(std::string(counts->Get(0, 0)), "4+2+1 2+1");

  // Rows that no partition of the target takes: the copy fails, naming the table, and in one
  // transaction nothing is lost or changed.
  std::string narrow = fixture.to_sql;
  size_t high = narrow.find("CREATE TABLE orders_high");
  ASSERT_NE(high, std::string::npos);
  narrow.erase(high, narrow.find('\n', high) + 1 - high);
  std::string failing = diff_to(narrow);
  st = testing::RunPsql(fixture.conninfo(), "BEGIN;\n" + failing + "COMMIT;\n");
  ASSERT_FALSE(st.ok()) << failing;
  EXPECT_NE(st.message().find("no partition of relation \"orders\" found for row"),
            std::string::npos)
      << st.message();
  EXPECT_EQ(partitions_of("orders"), "orders_eu,orders_other,orders_us");
  auto total = db->Exec("SELECT count(*) FROM orders");
  ASSERT_TRUE(total.ok());
  EXPECT_EQ(std::string(total->Get(0, 0)), "8");
}

// A partition that is itself partitioned and whose key changes (LIST by region -> RANGE by
// id) keeps its rows, both ways: up and down (applied with psql) detach it, rename it aside,
// create it again under the same parent and copy its rows; a foreign key referencing those
// rows through the parent goes and comes back around the DETACH. Nothing is destructive.
TEST(DiffCopiedTables, SubpartitionKeyChangeKeepsRows) {
  std::filesystem::path dir = FixturesDir() / "partition_key_change_subpartition";
  const std::string from_sql = ReadAll(dir / "FROM.sql");
  const std::string to_sql = ReadAll(dir / "TO.sql");
  auto box = sandbox::test_util::SharedSandbox();
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  std::string base = (*box)->ConnInfo();
  base = base.substr(0, base.find(" dbname="));
  auto admin = testing::Open(base + " dbname=postgres");
  ASSERT_TRUE(admin.ok());
  (void)admin->Exec("DROP DATABASE IF EXISTS subpart_rows_db WITH (FORCE)");
  ASSERT_TRUE(admin->Exec("CREATE DATABASE subpart_rows_db").ok());
  const std::string conninfo = base + " dbname=subpart_rows_db";
  auto db = testing::Open(conninfo);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(testing::RunPsql(conninfo, from_sql).ok());
  ASSERT_TRUE(db->ExecScript("INSERT INTO stations VALUES (1), (2);\n"
                             "INSERT INTO measurements VALUES (1, '2024-02-01', 'eu', 1, 1.5), "
                             "(2, '2024-03-01', 'us', 2, 2.5), (1500, '2024-04-01', 'eu', NULL, "
                             "3), (3, '2025-01-02', 'eu', 1, 4);\n"
                             "INSERT INTO corrections VALUES (2, '2024-03-01', 'us', 'fixed'), "
                             "(1500, '2024-04-01', 'eu', NULL);")
                  .ok());
  auto read_rows = [&]() -> std::string {
    auto r = db->Exec(
        "SELECT (SELECT string_agg(id || ':' || day || ':' || region || ':' || "
        "coalesce(station_id::text, '-') || ':' || value, ',' ORDER BY id) FROM measurements) || "
        "' / ' || (SELECT string_agg(id || ':' || coalesce(note, '-'), ',' ORDER BY id) FROM "
        "corrections) || ' / ' || (SELECT count(*) FROM measurements_2024)");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && r->rows() == 1 ? std::string(r->Get(0, 0)) : "<none>";
  };
  const std::string want =
      "1:2024-02-01:eu:1:1.5,2:2024-03-01:us:2:2.5,3:2025-01-02:eu:1:4,1500:2024-04-01:eu:-:3 / "
      "2:fixed,1500:- / 3";
  ASSERT_EQ(read_rows(), want);
  auto migrate_to = [&](const std::string& target) {
    auto live = pg::IntrospectCatalog(*db, {});
    ASSERT_TRUE(live.ok());
    auto model = testing::ModelOf("target.sql", target, {});
    ASSERT_TRUE(model.ok());
    DiffResult d = Diff(*live, *model, {});
    bool copied = false;
    for (const Change& c : d.changes) {
      EXPECT_FALSE(c.destructive) << c.object << ": " << c.data_loss;
      if (!c.sql.empty() && c.sql.front().rfind("INSERT INTO public.measurements_2024 ", 0) == 0)
        copied = true;
    }
    EXPECT_TRUE(copied) << FormatSql(d);
    std::string sql = FormatSql(d);
    Status st = testing::RunPsql(conninfo, sql);
    EXPECT_TRUE(st.ok()) << st.ToString() << "\n" << sql;
  };
  migrate_to(to_sql);
  EXPECT_EQ(read_rows(), want);
  auto counts = db->Exec(
      "SELECT (SELECT count(*) FROM measurements_2024_low) || '+' || (SELECT count(*) FROM "
      "measurements_2024_rest)");
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(std::string(counts->Get(0, 0)), "2+1");
  migrate_to(from_sql);
  EXPECT_EQ(read_rows(), want);
  counts = db->Exec(
      "SELECT (SELECT count(*) FROM measurements_2024_eu) || '+' || (SELECT count(*) FROM "
      "measurements_2024_rest)");
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(std::string(counts->Get(0, 0)), "2+1");
  db = Result<pg::Connection>(Status::Internal("closed"));
  (void)admin->Exec("DROP DATABASE IF EXISTS subpart_rows_db WITH (FORCE)");
}

// A table of an inheritance tree that becomes partitioned (and back) keeps its own rows, both
// ways: up lets its child and its parent go before it is renamed aside and copies only its
// own rows into the new table's partitions; down copies them back and has the child inherit
// the new table again. The child keeps its rows throughout. Nothing is destructive.
TEST(DiffCopiedTables, InheritanceTreeKeyChangeKeepsRows) {
  std::filesystem::path dir = FixturesDir() / "partition_key_inheritance_tree";
  const std::string from_sql = ReadAll(dir / "FROM.sql");
  const std::string to_sql = ReadAll(dir / "TO.sql");
  auto box = sandbox::test_util::SharedSandbox();
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  std::string base = (*box)->ConnInfo();
  base = base.substr(0, base.find(" dbname="));
  auto admin = testing::Open(base + " dbname=postgres");
  ASSERT_TRUE(admin.ok());
  (void)admin->Exec("DROP DATABASE IF EXISTS inherit_rows_db WITH (FORCE)");
  ASSERT_TRUE(admin->Exec("CREATE DATABASE inherit_rows_db").ok());
  const std::string conninfo = base + " dbname=inherit_rows_db";
  auto db = testing::Open(conninfo);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(testing::RunPsql(conninfo, from_sql).ok());
  ASSERT_TRUE(db->ExecScript("INSERT INTO base_event VALUES (1, 'base');\n"
                             "INSERT INTO event VALUES (2, 'login', 'a'), (3, 'logout', NULL);\n"
                             "INSERT INTO event_archive VALUES (4, 'login', 'old', '2024-01-01');")
                  .ok());
  // The rows each table holds itself, whichever tree it is in.
  auto read_rows = [&]() -> std::string {
    auto r = db->Exec(
        "SELECT (SELECT string_agg(id || ':' || kind, ',' ORDER BY id) FROM ONLY base_event) || "
        "' / ' || (SELECT string_agg(id || ':' || kind || ':' || coalesce(note, '-'), ',' ORDER "
        "BY id) FROM event WHERE tableoid <> 'event_archive'::regclass) || ' / ' || (SELECT "
        "string_agg(id || ':' || archived_on, ',' ORDER BY id) FROM ONLY event_archive)");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && r->rows() == 1 ? std::string(r->Get(0, 0)) : "<none>";
  };
  const std::string want = "1:base / 2:login:a,3:logout:- / 4:2024-01-01";
  ASSERT_EQ(read_rows(), want);
  auto migrate_to = [&](const std::string& target) {
    auto live = pg::IntrospectCatalog(*db, {});
    ASSERT_TRUE(live.ok());
    auto model = testing::ModelOf("target.sql", target, {});
    ASSERT_TRUE(model.ok());
    DiffResult d = Diff(*live, *model, {});
    bool copied = false;
    for (const Change& c : d.changes) {
      EXPECT_FALSE(c.destructive) << c.object << ": " << c.data_loss;
      if (!c.sql.empty() && c.sql.front().rfind("INSERT INTO public.event ", 0) == 0) copied = true;
    }
    EXPECT_TRUE(copied) << FormatSql(d);
    std::string sql = FormatSql(d);
    Status st = testing::RunPsql(conninfo, sql);
    EXPECT_TRUE(st.ok()) << st.ToString() << "\n" << sql;
  };
  auto count = [&](const std::string& query) -> std::string {
    auto r = db->Exec(query);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && r->rows() == 1 ? std::string(r->Get(0, 0)) : "<none>";
  };
  migrate_to(to_sql);
  EXPECT_EQ(read_rows(), want);
  EXPECT_EQ(count("SELECT (SELECT count(*) FROM event_login) || '+' || (SELECT count(*) FROM "
                  "event_other) || ' ' || (SELECT count(*) FROM base_event)"),
            "1+1 1");
  migrate_to(from_sql);
  EXPECT_EQ(read_rows(), want);
  // The whole tree again: base_event sees the rows of event and event_archive.
  EXPECT_EQ(count("SELECT count(*) FROM base_event"), "4");
  EXPECT_EQ(count("SELECT count(*) FROM pg_class WHERE relname LIKE '%dbarch_old%'"), "0");
  db = Result<pg::Connection>(Status::Internal("closed"));
  (void)admin->Exec("DROP DATABASE IF EXISTS inherit_rows_db WITH (FORCE)");
}

// Composite types rebuilt (an attribute order that ALTER TYPE cannot give, an inner type of a
// nested one): the values of their columns are kept by attribute name, inner values inside
// outer ones, a NULL stays NULL and a row of NULLs stays a row, up and down (applied with
// psql).
TEST(DiffCompositeRebuild, ValuesKeptByAttributeName) {
  auto fixture = testing::LoadedDatabase::OfPair("dep_nested_composite", "composite_rows_db");
  ASSERT_TRUE(fixture.status.ok()) << fixture.status.ToString();
  auto& db = fixture.db;
  ASSERT_TRUE(db->ExecScript("INSERT INTO orders VALUES "
                             "(1, ROW('gift', ROW('Main St 1', '1000'), ROW('Elm St 2', "
                             "'2000'), ARRAY[ROW('Stop 1', '4000')::address, NULL, ROW(NULL, "
                             "NULL)::address]), ROW('Bill St 3', '3000'), ARRAY[ROW('Old St', "
                             "'5000')::address]), "
                             "(2, NULL, NULL, NULL), "
                             "(3, ROW('bare', NULL, ROW(NULL, NULL), '{}'), ROW(NULL, NULL), "
                             "'{}');\n"
                             "INSERT INTO orders (id) VALUES (4);")
                  .ok());
  auto read_rows = [&]() -> std::string {
    auto r = db->Exec(
        "SELECT string_agg(id || ':' || coalesce((route).label, '-') || ':' || "
        "coalesce(((route).origin).street, '-') || ':' || coalesce(((route).destination).zip, "
        "'-') || ':' || (route IS NOT DISTINCT FROM NULL)::text || ':' || "
        "(num_nonnulls((route).origin) = 0)::text || ':' || "
        "(num_nonnulls((route).destination) = 0)::text || ':' || coalesce((billing).street, '-') "
        "|| ':' || coalesce((billing).zip, '-') || ':' || (num_nonnulls(billing) = 0)::text || "
        "':' || coalesce(cardinality((route).stops)::text, '-') || ':' || "
        "coalesce(((route).stops)[1].street, '-') || ':' || coalesce(((route).stops)[1].zip, "
        "'-') || ':' || (num_nonnulls(((route).stops)[2]) = 0)::text || ':' || "
        "(num_nonnulls(((route).stops)[3]) = 0)::text || ':' || coalesce(cardinality(history)::"
        "text, '-') || ':' || coalesce(history[1].street || '/' || history[1].zip, '-'), ',' "
        "ORDER BY id) FROM orders");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && r->rows() == 1 ? std::string(r->Get(0, 0)) : "<none>";
  };
  const std::string want =
      "1:gift:Main St 1:2000:false:false:false:Bill St 3:3000:false:3:Stop 1:4000:true:false:1:"
      "Old St/5000,"
      "2:-:-:-:true:true:true:-:-:true:-:-:-:true:true:-:-,"
      "3:bare:-:-:false:true:false:-:-:false:0:-:-:true:true:0:-,"
      "4:-:-:-:true:true:true:unknown:00000:false:-:-:-:true:true:-:-";
  ASSERT_EQ(read_rows(), want);
  MigrateTo(fixture, fixture.to_sql);
  EXPECT_EQ(read_rows(), want);
  auto text = db->Exec("SELECT route::text, billing::text FROM orders WHERE id = 1");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(
      std::string(text->Get(0, 0)),
      "(gift,\"(1000,\"\"Main St 1\"\",)\",\"(2000,\"\"Elm St 2\"\",)\",\"{\"\"(4000,\\\\\"\"Stop "
      "1\\\\\"\",)\"\",NULL,\"\"(,,)\"\"}\")");
  EXPECT_EQ(std::string(text->Get(0, 1)), "(3000,\"Bill St 3\",)");
  MigrateTo(fixture, fixture.from_sql);
  EXPECT_EQ(read_rows(), want);
}

// Loads pair `pair`'s FROM into database `db_name`, runs `insert`, then migrates it to TO and
// back (diff of the live database against each file, destructive changes allowed, applied
// with psql) and returns what `read` gives before, after up and after down.
std::vector<std::string> RowsThroughPair(const std::string& pair, const std::string& db_name,
                                         const std::string& insert, const std::string& read) {
  std::filesystem::path dir = FixturesDir() / pair;
  const std::string from_sql = ReadAll(dir / "FROM.sql");
  const std::string to_sql = ReadAll(dir / "TO.sql");
  std::vector<std::string> out;
  auto box = sandbox::test_util::SharedSandbox();
  EXPECT_TRUE(box.ok()) << box.status().ToString();
  if (!box.ok()) return out;
  std::string base = (*box)->ConnInfo();
  base = base.substr(0, base.find(" dbname="));
  auto admin = testing::Open(base + " dbname=postgres");
  EXPECT_TRUE(admin.ok());
  if (!admin.ok()) return out;
  (void)admin->Exec("CREATE ROLE app_reader");
  (void)admin->Exec("DROP DATABASE IF EXISTS " + db_name + " WITH (FORCE)");
  EXPECT_TRUE(admin->Exec("CREATE DATABASE " + db_name).ok());
  const std::string conninfo = base + " dbname=" + db_name;
  {
    auto db = testing::Open(conninfo);
    EXPECT_TRUE(db.ok());
    if (!db.ok()) return out;
    EXPECT_TRUE(testing::RunPsql(conninfo, from_sql).ok());
    Status inserted = db->ExecScript(insert);
    EXPECT_TRUE(inserted.ok()) << inserted.ToString();
    auto read_rows = [&]() -> std::string {
      auto r = db->Exec(read);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      return r.ok() && r->rows() == 1 ? std::string(r->Get(0, 0)) : "<none>";
    };
    out.push_back(read_rows());
    for (const std::string* target : {&to_sql, &from_sql}) {
      auto live = pg::IntrospectCatalog(*db, {});
      EXPECT_TRUE(live.ok());
      auto model = testing::ModelOf("target.sql", *target, {});
      EXPECT_TRUE(model.ok());
      if (!live.ok() || !model.ok()) return out;
      DiffOptions options;
      options.allow_destructive = true;  // a table the pair drops
      DiffResult d = Diff(*live, *model, options);
      std::string sql = FormatSql(d);
      Status st = testing::RunPsql(conninfo, sql);
      EXPECT_TRUE(st.ok()) << st.ToString() << "\n" << sql;
      out.push_back(read_rows());
    }
  }
  (void)admin->Exec("DROP DATABASE IF EXISTS " + db_name + " WITH (FORCE)");
  return out;
}

// A rebuilt composite type in a multi-dimensional array: every element converted by attribute
// name, the dimensions and their bounds kept, NULL elements and empty arrays too, both ways.
TEST(DiffCompositeRebuild, MultiDimensionalArraysKeepValuesAndBounds) {
  std::vector<std::string> rows = RowsThroughPair(
      "dep_composite_rebuild_multidim_array", "composite_grid_db",
      "INSERT INTO delivery_zones VALUES "
      "(1, 'centre', ARRAY[[ROW(8.5, 47.3)::coordinate, ROW(8.6, 47.3)::coordinate], "
      "[ROW(8.5, 47.4)::coordinate, NULL]]), "
      "(2, 'lake', '[0:1][5:5]={{\"(9.1,46.9)\"},{\"(9.2,46.9)\"}}'), "
      "(3, 'empty', '{}'), (4, 'none', NULL), "
      "(5, 'line', ARRAY[ROW(7.0, 46.0)::coordinate, ROW(NULL, NULL)::coordinate]);",
      "SELECT string_agg(id || ':' || coalesce(array_dims(grid), '-') || ':' || "
      "coalesce((SELECT string_agg(coalesce(c.lat::text, '~') || '/' || coalesce(c.lon::text, "
      "'~'), ' ') FROM unnest(grid) AS c), '-'), ', ' ORDER BY id) FROM delivery_zones");
  const std::string want =
      "1:[1:2][1:2]:47.3/8.5 47.3/8.6 47.4/8.5 ~/~, 2:[0:1][5:5]:46.9/9.1 46.9/9.2, 3:-:-, 4:-:-, "
      "5:[1:2]:46/7 ~/~";
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], want);
  EXPECT_EQ(rows[1], want);
  EXPECT_EQ(rows[2], want);
}

// A table whose rows are copied (a new partition key) while a composite type of its columns is
// rebuilt: the copy converts the values by attribute name, arrays included, both ways (the
// pair also drops a table, so destructive changes are allowed).
TEST(DiffCompositeRebuild, CopiedTableConvertsValues) {
  std::vector<std::string> rows = RowsThroughPair(
      "dep_composite_rebuild_copied_dropped_tables", "composite_copy_db",
      "INSERT INTO deliveries VALUES "
      "(1, 'north', '2025-03-01', ROW('Main St 1', '1000', 'Bern'), "
      "ARRAY[ROW('Stop 1', '2000', 'Thun')::address, NULL]), "
      "(2, 'south', '2026-07-01', NULL, '{}');",
      "SELECT string_agg(id || ':' || coalesce((destination).zip || '/' || "
      "(destination).street || '/' || (destination).city, '-') || ':' || cardinality(stops) || "
      "':' || coalesce(stops[1].zip || '/' || stops[1].city, '-') || ':' || "
      "(stops[2] IS NULL)::text, ', ' ORDER BY id) FROM deliveries");
  const std::string want = "1:1000/Main St 1/Bern:2:2000/Thun:true, 2:-:0:-:true";
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], want);
  EXPECT_EQ(rows[1], want);
  EXPECT_EQ(rows[2], want);
}

// A range type over a rebuilt composite type is rebuilt with it: its values keep their bounds
// (inclusive or not, infinite, empty), each bound converted by attribute name, both ways.
TEST(DiffCompositeRebuild, RangeOverTypeKeepsBounds) {
  std::vector<std::string> rows = RowsThroughPair(
      "dep_composite_rebuild_range_over_type", "composite_range_db",
      "INSERT INTO plugins VALUES "
      "(1, 'backup', ROW(3, 1), '[\"(2,0)\",\"(4,0)\")'), "
      "(2, 'audit', NULL, 'empty'), "
      "(3, 'search', ROW(5, 2), '(\"(5,0)\",]');",
      "SELECT string_agg(id || ':' || coalesce((built_for).major || '.' || (built_for).patch, "
      "'-') || ':' || CASE WHEN isempty(supported) THEN 'empty' ELSE "
      "CASE WHEN lower_inc(supported) THEN '[' ELSE '(' END || coalesce((lower(supported)).major "
      "|| '.' || (lower(supported)).patch, '') || ',' || coalesce((upper(supported)).major || '.' "
      "|| (upper(supported)).patch, '') || CASE WHEN upper_inc(supported) THEN ']' ELSE ')' END "
      "END, ' ' ORDER BY id) FROM plugins");
  const std::string want = "1:3.1:[2.0,4.0) 2:-:empty 3:5.2:(5.0,)";
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], want);
  EXPECT_EQ(rows[1], want);
  EXPECT_EQ(rows[2], want);
}

// Arrays of a range over a rebuilt composite type, its multirange and arrays of a domain over
// the type: every element, range and bound converted by attribute name (empty and infinite
// bounds, NULL ranges, empty arrays and multiranges kept), both ways.
TEST(DiffCompositeRebuild, RangeArraysMultirangesAndDomainArraysKeepValues) {
  std::vector<std::string> rows = RowsThroughPair(
      "dep_composite_rebuild_range_domain_arrays", "composite_range_arrays_db",
      "INSERT INTO plugins VALUES "
      "(1, 'backup', ARRAY['[\"(2,0)\",\"(4,0)\")'::host_version_range, 'empty', NULL], "
      "'{[\"(2,0)\",\"(3,0)\"), (\"(5,1)\",]}', ARRAY[ROW(2, 1)::certified_version, ROW(3, "
      "0)::certified_version]), "
      "(2, 'audit', '{}', '{}', '{}'), (3, 'search', '{}', NULL, NULL);",
      "SELECT string_agg(id || ':' || coalesce((SELECT string_agg(CASE WHEN w IS NULL THEN '~' "
      "WHEN isempty(w) "
      "THEN 'empty' ELSE coalesce((lower(w)).major || '.' || (lower(w)).patch, '') || ',' || "
      "coalesce((upper(w)).major || '.' || (upper(w)).patch, '') END, ' ') FROM "
      "unnest(windows) AS w), '-') || ':' || coalesce((SELECT string_agg(CASE WHEN lower_inc(r) "
      "THEN '[' ELSE '(' END || coalesce((lower(r)).major || '.' || (lower(r)).patch, '') || ',' "
      "|| coalesce((upper(r)).major || '.' || (upper(r)).patch, '') || CASE WHEN upper_inc(r) "
      "THEN ']' ELSE ')' END, ' ') FROM unnest(supported) AS r), CASE WHEN supported IS NULL "
      "THEN 'null' ELSE '-' END) || ':' || coalesce((SELECT string_agg(coalesce(c.major || '.' "
      "|| c.patch, '~'), ' ') FROM unnest(certified) AS c), '-'), ', ' ORDER BY id) FROM plugins");
  const std::string want = "1:2.0,4.0 empty ~:[2.0,3.0) (5.1,):2.1 3.0, 2:-:-:-, 3:-:null:-";
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], want);
  EXPECT_EQ(rows[1], want);
  EXPECT_EQ(rows[2], want);
}

// An enum that loses a value, with a composite type holding it (a column and an array of the
// type) and a range type over it: the composite values keep their labels and other fields, the
// ranges their bounds (inclusive or not, infinite, empty), both ways.
TEST(DiffEnumRebuild, CompositeAndRangeOverEnumKeepValues) {
  std::vector<std::string> rows = RowsThroughPair(
      "dep_enum_rebuild_composite_range", "enum_composite_range_db",
      "INSERT INTO tickets VALUES "
      "(1, 'disk full', ROW('urgent', '2026-01-02 03:04:05+00'), "
      "ARRAY[ROW('low', NULL)::ticket_state, NULL, ROW('normal', '2026-01-01 "
      "00:00:00+00')::ticket_state]), "
      "(2, 'typo', NULL, '{}'), (3, 'slow', ROW(NULL, NULL), '{}');"
      "INSERT INTO escalation_rules VALUES (1, '[normal,urgent]', 'oncall'), "
      "(2, '(low,)', 'lead'), (3, 'empty', 'nobody'), (4, '[,normal)', 'queue');",
      "SELECT (SELECT string_agg(id || ':' || coalesce((state).level::text, '-') || '@' || "
      "coalesce(to_char((state).since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '-') || ':' "
      "|| (state IS NOT DISTINCT FROM NULL)::text || ':' || coalesce((SELECT "
      "string_agg(coalesce(h.level::text, "
      "'~'), ' ') FROM unnest(history) AS h), '-'), ', ' ORDER BY id) FROM tickets) || ' | ' || "
      "(SELECT string_agg(id || ':' || applies_to::text, ', ' ORDER BY id) FROM "
      "escalation_rules)");
  const std::string want =
      "1:urgent@2026-01-02 03:04:05:false:low ~ normal, 2:-@-:true:-, 3:-@-:false:- | "
      "1:[normal,urgent], 2:(low,), 3:empty, 4:(,normal)";
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], want);
  EXPECT_EQ(rows[1], want);
  EXPECT_EQ(rows[2], want);
}

// A domain gains a CHECK while a table holding it inside an array and a composite type has its
// rows copied (a new partition key): the copy keeps every value (NULL elements and fields, empty
// arrays), both ways.
TEST(DiffDomainValidation, CopiedTableKeepsReleasedValues) {
  std::vector<std::string> rows = RowsThroughPair(
      "dep_domain_check_copied_table", "domain_check_copy_db",
      "INSERT INTO people VALUES (1, 'eu', 'Ada', ARRAY['Countess', 'A. L.']::person_name[], "
      "ROW('Charles', '+44 1')), (2, 'us', 'Grace', '{}', NULL), "
      "(3, 'eu', 'Alan', '{}', ROW(NULL, '+44 2'));"
      "INSERT INTO teams VALUES (1, ARRAY['Ada', 'Grace']::person_name[]);",
      "SELECT (SELECT string_agg(id || region || ':' || name || ':' || array_to_string(aliases, "
      "'/') || ':' || coalesce((emergency_contact).name, '-') || '/' || "
      "coalesce((emergency_contact).phone, '-'), ', ' ORDER BY id) FROM people) || ' | ' || "
      "(SELECT string_agg(array_to_string(members, '/'), ',') FROM teams)");
  const std::string want =
      "1eu:Ada:Countess/A. L.:Charles/+44 1, 2us:Grace::-/-, 3eu:Alan::-/+44 2 | Ada/Grace";
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], want);
  EXPECT_EQ(rows[1], want);
  EXPECT_EQ(rows[2], want);
}

// A role the target's file declares and the cluster lacks: up creates it with its attributes
// and membership, the same script runs again without error (the role then exists), and a
// later DROP ROLE in the target drops it. Roles of the cluster the file does not mention are
// left alone.
TEST(DiffRoles, CreatedWhenMissingAndDroppedOnlyByDropRole) {
  testing::LoadedDatabase loaded("roles_db", "CREATE TABLE t (id int)", "",
                                 {"app_reader", "untouched_role"});
  ASSERT_TRUE(loaded.status.ok()) << loaded.status.ToString();
  pg::Connection& admin = loaded.server().admin;
  (void)admin.Exec("DROP ROLE IF EXISTS fixture_new_role");
  auto& db = loaded.db;

  DiffOptions destructive;
  destructive.allow_destructive = true;
  auto up_to = [&](const std::string& to_sql) -> std::string {
    auto d = testing::DiffLiveTo(*db, to_sql, destructive, "to.sql");
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? FormatSql(*d) : "";
  };
  const std::string to_sql =
      "CREATE ROLE fixture_new_role LOGIN CONNECTION LIMIT 4;\n"
      "GRANT app_reader TO fixture_new_role;\n"
      "CREATE TABLE t (id int);\n"
      "GRANT SELECT ON t TO fixture_new_role;\n";
  std::string up = up_to(to_sql);
  EXPECT_EQ(up.find("untouched_role"), std::string::npos) << up;
  ASSERT_TRUE(db->ExecScript(up).ok()) << up;
  auto role = admin.Exec(
      "SELECT rolcanlogin, rolconnlimit, pg_has_role('fixture_new_role', 'app_reader', "
      "'MEMBER') FROM pg_roles WHERE rolname = 'fixture_new_role'");
  ASSERT_TRUE(role.ok());
  ASSERT_EQ(role->rows(), 1);
  EXPECT_TRUE(role->GetBool(0, 0));
  EXPECT_EQ(role->GetInt(0, 1), 4);
  EXPECT_TRUE(role->GetBool(0, 2));
  // In sync now; the creation block also runs where the role already exists.
  EXPECT_EQ(up_to(to_sql), "");
  EXPECT_TRUE(db->ExecScript(up).ok());

  std::string drop = up_to("DROP ROLE IF EXISTS fixture_new_role;\nCREATE TABLE t (id int);\n");
  ASSERT_TRUE(db->ExecScript(drop).ok()) << drop;
  auto gone = admin.Exec("SELECT 1 FROM pg_roles WHERE rolname = 'fixture_new_role'");
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->rows(), 0) << drop;
  auto kept = admin.Exec("SELECT 1 FROM pg_roles WHERE rolname = 'untouched_role'");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->rows(), 1);
}

// Passwords and VALID UNTIL of a role the target's file declares. A clear-text password is
// never copied into the script: it becomes a psql variable, guarded so that a run without it
// warns and changes nothing; a hash literal is written as given; PASSWORD NULL removes the
// password; VALID UNTIL is compared in UTC and 'infinity' removes it. Applied with psql.
TEST(DiffRoles, PasswordAndValidUntil) {
  testing::LoadedDatabase loaded("roles_pw_db", "CREATE TABLE t (id int)", "", {});
  ASSERT_TRUE(loaded.status.ok()) << loaded.status.ToString();
  pg::Connection& admin = loaded.server().admin;
  (void)admin.Exec("DROP ROLE IF EXISTS fixture_pw_role");
  (void)admin.Exec("DROP ROLE IF EXISTS fixture_pw_reader");
  const std::string& db_conninfo = loaded.conninfo();
  auto& db = loaded.db;

  DiffOptions destructive;
  destructive.allow_destructive = true;
  auto diff_to = [&](const std::string& to_sql) -> DiffResult {
    auto d = testing::DiffLiveTo(*db, to_sql, destructive, "to.sql");
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? *std::move(d) : DiffResult{};
  };
  auto role = [&](const std::string& what) -> std::string {
    auto r = admin.Exec("SELECT " + what + " FROM pg_authid WHERE rolname = 'fixture_pw_role'");
    EXPECT_TRUE(r.ok());
    return r.ok() && r->rows() == 1 ? std::string(r->Get(0, 0)) : "<none>";
  };

  const std::string clear =
      "CREATE ROLE fixture_pw_role LOGIN PASSWORD 'correct horse battery staple' "
      "VALID UNTIL '2031-06-01 12:00:00+02';\nCREATE TABLE t (id int);\n";
  DiffResult up = diff_to(clear);
  std::string sql = FormatSql(up);
  EXPECT_EQ(sql.find("horse"), std::string::npos) << sql;
  EXPECT_EQ(FormatJson(up).find("horse"), std::string::npos);
  EXPECT_NE(sql.find("\\if :{?fixture_pw_role_password}\n"
                     "ALTER ROLE fixture_pw_role PASSWORD :'fixture_pw_role_password';\n"
                     "\\else\n"),
            std::string::npos)
      << sql;
  EXPECT_NE(sql.find("VALID UNTIL '2031-06-01 10:00:00+00'"), std::string::npos) << sql;
  for (const std::string& s : up.UpStatements()) EXPECT_EQ(s.find(":'"), std::string::npos) << s;
  // Without the variable: the role is created, warned about, and has no password.
  ASSERT_TRUE(testing::RunPsql(db_conninfo, sql).ok()) << sql;
  EXPECT_EQ(role("rolpassword IS NULL"), "t");
  EXPECT_EQ(role("rolvaliduntil AT TIME ZONE 'UTC'"), "2031-06-01 10:00:00");
  // Still no password: the same placeholder again; with the variable it is set.
  sql = FormatSql(diff_to(clear));
  EXPECT_NE(sql.find("PASSWORD :'fixture_pw_role_password'"), std::string::npos) << sql;
  EXPECT_EQ(sql.find("VALID UNTIL"), std::string::npos) << sql;
  ASSERT_TRUE(
      testing::RunPsql(db_conninfo, sql, {{"fixture_pw_role_password", "correct horse"}}).ok());
  EXPECT_EQ(role("left(rolpassword, 14)"), "SCRAM-SHA-256$");
  // A password is set now; a clear text cannot be compared with its hash: in sync.
  EXPECT_FALSE(diff_to(clear).HasChanges()) << FormatSql(diff_to(clear));

  // A hash literal is written as given; no VALID UNTIL means 'infinity'.
  const std::string hashed =
      "CREATE ROLE fixture_pw_role LOGIN PASSWORD 'md5d8c0c4b2e5ecf0a2c1b0bd9e4f9a1c3d';\n"
      "CREATE TABLE t (id int);\n";
  sql = FormatSql(diff_to(hashed));
  EXPECT_NE(sql.find("ALTER ROLE fixture_pw_role WITH VALID UNTIL 'infinity';\n"),
            std::string::npos)
      << sql;
  EXPECT_NE(sql.find("ALTER ROLE fixture_pw_role PASSWORD "
                     "'md5d8c0c4b2e5ecf0a2c1b0bd9e4f9a1c3d';\n"),
            std::string::npos)
      << sql;
  ASSERT_TRUE(testing::RunPsql(db_conninfo, sql).ok()) << sql;
  EXPECT_EQ(role("rolpassword"), "md5d8c0c4b2e5ecf0a2c1b0bd9e4f9a1c3d");
  EXPECT_EQ(role("rolvaliduntil"), "infinity");
  EXPECT_FALSE(diff_to(hashed).HasChanges()) << FormatSql(diff_to(hashed));

  // PASSWORD NULL removes it; the way back (a hash read from the server) is never written.
  DiffResult removal =
      diff_to("CREATE ROLE fixture_pw_role LOGIN PASSWORD NULL;\nCREATE TABLE t (id int);\n");
  sql = FormatSql(removal);
  EXPECT_NE(sql.find("ALTER ROLE fixture_pw_role PASSWORD NULL;"), std::string::npos) << sql;
  EXPECT_EQ(FormatJson(removal).find("md5d8c0"), std::string::npos);
  ASSERT_TRUE(testing::RunPsql(db_conninfo, sql).ok()) << sql;
  EXPECT_EQ(role("rolpassword IS NULL"), "t");

  // A session that may not read pg_authid cannot compare passwords: nothing, and a warning.
  ASSERT_TRUE(admin.Exec("CREATE ROLE fixture_pw_reader LOGIN").ok());
  {
    auto reader = testing::Open(db_conninfo + " user=fixture_pw_reader");
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    auto d = testing::DiffLiveTo(*reader, clear, {}, "to.sql");
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(FormatSql(*d).find("PASSWORD"), std::string::npos) << FormatSql(*d);
    bool warned = false;
    for (const std::string& w : d->warnings)
      warned = warned || w.find("cannot be read") != std::string::npos;
    EXPECT_TRUE(warned);
  }
  loaded.Drop();
  (void)admin.Exec("DROP ROLE IF EXISTS fixture_pw_reader");
  (void)admin.Exec("DROP ROLE IF EXISTS fixture_pw_role");
}

// The online plan (`dbarch diff --online`) of a role whose password the target's file gives
// in clear text: the step refers to a psql variable, guarded as in the plain script, so that
// the plan applied with psql without it warns and leaves the password alone, and with it sets
// the password; the secret is in no output, and the JSON names the variable.
TEST(DiffRoles, OnlinePlanGuardsThePassword) {
  testing::LoadedDatabase loaded("roles_online_db", "CREATE TABLE t (id int)", "", {});
  ASSERT_TRUE(loaded.status.ok()) << loaded.status.ToString();
  pg::Connection& admin = loaded.server().admin;
  (void)admin.Exec("DROP ROLE IF EXISTS fixture_online_pw");
  const std::string& conninfo = loaded.conninfo();
  auto& db = loaded.db;
  const std::string to_sql =
      "CREATE ROLE fixture_online_pw LOGIN PASSWORD 'tr0ub4dor and 3';\n"
      "CREATE TABLE t (id int, note text);\nGRANT SELECT ON t TO fixture_online_pw;\n";
  auto plan_sql = [&]() -> std::pair<std::string, std::string> {
    auto live = pg::IntrospectCatalog(*db, {});
    EXPECT_TRUE(live.ok()) << live.status().ToString();
    auto to = testing::ModelOf("to.sql", to_sql, {});
    EXPECT_TRUE(to.ok()) << to.status().ToString();
    if (!live.ok() || !to.ok()) return {};
    OnlinePlan plan = MakeOnlinePlan(*live, *to, Diff(*live, *to, {}));
    return {FormatOnlineSql(plan), FormatOnlineJson(plan)};
  };
  auto password_is_null = [&]() -> std::string {
    auto r =
        admin.Exec("SELECT rolpassword IS NULL FROM pg_authid WHERE rolname = 'fixture_online_pw'");
    EXPECT_TRUE(r.ok());
    return r.ok() && r->rows() == 1 ? std::string(r->Get(0, 0)) : "<none>";
  };
  auto [sql, json] = plan_sql();
  EXPECT_EQ(sql.find("tr0ub4dor"), std::string::npos) << sql;
  EXPECT_EQ(json.find("tr0ub4dor"), std::string::npos) << json;
  EXPECT_NE(sql.find("\\if :{?fixture_online_pw_password}\n"
                     "ALTER ROLE fixture_online_pw PASSWORD :'fixture_online_pw_password';\n"
                     "\\else\n\\warn 'psql variable fixture_online_pw_password is not set: "
                     "fixture_online_pw keeps its password'\n\\endif\n"),
            std::string::npos)
      << sql;
  EXPECT_NE(json.find("\"psql_variable\": \"fixture_online_pw_password\""), std::string::npos)
      << json;
  // Without the variable: everything else is applied, the role has no password.
  Status st = testing::RunPsql(conninfo, sql);
  ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << sql;
  EXPECT_EQ(password_is_null(), "t");
  auto note = db->Exec(
      "SELECT 1 FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = "
      "'note'");
  ASSERT_TRUE(note.ok());
  EXPECT_EQ(note->rows(), 1);
  // Still no password: the plan has the guarded step alone; with the variable it is set.
  sql = plan_sql().first;
  EXPECT_NE(sql.find("PASSWORD :'fixture_online_pw_password'"), std::string::npos) << sql;
  ASSERT_TRUE(
      testing::RunPsql(conninfo, sql, {{"fixture_online_pw_password", "tr0ub4dor and 3"}}).ok());
  EXPECT_EQ(password_is_null(), "f");
  EXPECT_EQ(plan_sql().first, "");
  loaded.Drop();
  (void)admin.Exec("DROP OWNED BY fixture_online_pw");
  (void)admin.Exec("DROP ROLE IF EXISTS fixture_online_pw");
}

// VALID UNTIL read from files: one UTC form, whatever zone or precision it is written with.
TEST(DiffRoles, ValidUntilNormalForm) {
  auto model =
      testing::ModelOf("x.sql",
                       "CREATE ROLE a VALID UNTIL '2030-01-01';\n"
                       "CREATE ROLE b VALID UNTIL '2030-01-01 01:30:00+02:30';\n"
                       "CREATE ROLE c VALID UNTIL 'infinity';\n"
                       "CREATE ROLE d VALID UNTIL '2030-01-01T00:00:00.5Z';\n"
                       "CREATE ROLE e PASSWORD 'SCRAM-SHA-256$4096:c2FsdA==$a2V5:c2VydmVy';\n"
                       "CREATE ROLE f PASSWORD 'secret';\n",
                       {});
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->roles.at("a").valid_until, "2030-01-01 00:00:00+00");
  EXPECT_EQ(model->roles.at("b").valid_until, "2029-12-31 23:00:00+00");
  EXPECT_EQ(model->roles.at("c").valid_until, "");
  EXPECT_EQ(model->roles.at("d").valid_until, "2030-01-01 00:00:00+00");
  EXPECT_EQ(model->roles.at("e").password, catalog::RolePassword::kHash);
  EXPECT_EQ(model->roles.at("f").password, catalog::RolePassword::kClearText);
  EXPECT_TRUE(model->roles.at("f").password_hash.empty());
  EXPECT_EQ(model->roles.at("f").password_fingerprint.size(), 16u);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, DiffPair, ::testing::ValuesIn(testing::FixturePairNames()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace dbarch::diff
