// A mutation round trip for `dbarch diff` on schemas nobody here wrote: a base schema file
// (FROM) is loaded into a database, N random but valid schema changes are applied to it with
// ALTER / CREATE / DROP statements (each chosen from what the database holds at that moment,
// by a seeded generator), and `pg_dump --schema-only` of the result, with a
// `-- dbarch:renamed-from` annotation on each renamed object, is TO: what a user has.
// Then:
//   - the mutated database against TO's file, both ways: no statement (live vs file);
//   - TO's file against itself: no statement;
//   - FilePairCheck (diff_roundtrip.h): up from the two files applied with psql
//     ON_ERROR_STOP to a database built from FROM gives TO's pg_dump, TO is then in sync,
//     down diffed from that live database back to FROM's file gives FROM's pg_dump.
// Deterministic: the same base, seed and count give the same statements. Test-only,
// header-only; one call per thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "diff/diff_roundtrip.h"

namespace dbarch::diff::testing {

// A rename the TO text must declare: `new_line_prefix` starts the line of the renamed
// object in the dump (within the block that `block_prefix` starts, when set), and the
// annotation names `old_name`.
struct RenameNote {
  std::string block_prefix;  // "" = anywhere
  std::string line_prefix;
  std::string old_name;
};

// One applied mutation: its kind (for the failure tally) and its statements.
struct Mutation {
  std::string kind;
  std::string sql;
  std::vector<RenameNote> notes;
};

struct MutationOutcome {
  bool passed = false;
  std::string failure_kind;  // "" when passed: "mutate", "live-vs-file", "up", ...
  std::string reason;
  std::vector<Mutation> mutations;
  std::string to_sql;
  std::string up_sql;
  std::string down_sql;
  // Passed, but the dumps differ in the column order of some table (a known limit).
  bool column_order_only = false;
};

using Rows = std::vector<std::vector<std::string>>;

inline Rows Query(pg::Connection& conn, const std::string& sql) {
  Rows out;
  auto r = conn.Exec(sql);
  if (!r.ok()) return out;
  for (int i = 0; i < r->rows(); ++i) {
    std::vector<std::string> row;
    for (int j = 0; j < r->columns(); ++j) row.emplace_back(r->Get(i, j));
    out.push_back(std::move(row));
  }
  return out;
}

// The random schema changes. Each Try* picks its target from the live database and returns
// the statements (empty when nothing fits); the caller applies them and keeps them when the
// server accepts them.
class Mutator {
 public:
  Mutator(pg::Connection& conn, uint64_t seed) : conn_(conn), rng_(seed) {}

  // Applies `count` accepted mutations (gives up after 20 * count attempts).
  std::vector<Mutation> Run(int count) {
    std::vector<Mutation> done;
    int attempts = 0;
    while (static_cast<int>(done.size()) < count && attempts++ < 20 * count) {
      const auto& [kind, make] = kKinds()[Pick(kKinds().size())];
      std::vector<RenameNote> notes;
      std::string sql = (this->*make)(notes);
      if (sql.empty()) continue;
      (void)conn_.Exec("BEGIN");
      auto st = conn_.ExecScript(sql);
      if (!st.ok()) {
        (void)conn_.Exec("ROLLBACK");
        continue;
      }
      if (!conn_.Exec("COMMIT").ok()) continue;
      done.push_back({kind, sql, std::move(notes)});
      ++counter_;
    }
    return done;
  }

 private:
  using Maker = std::string (Mutator::*)(std::vector<RenameNote>&);
  static const std::vector<std::pair<std::string, Maker>>& kKinds() {
    static const std::vector<std::pair<std::string, Maker>> kinds = {
        {"add-column", &Mutator::AddColumn},
        {"drop-column", &Mutator::DropColumn},
        {"rename-column", &Mutator::RenameColumn},
        {"column-type", &Mutator::ColumnType},
        {"column-default", &Mutator::ColumnDefault},
        {"column-nullability", &Mutator::ColumnNullability},
        {"column-collation", &Mutator::ColumnCollation},
        {"add-index", &Mutator::AddIndex},
        {"drop-index", &Mutator::DropIndex},
        {"rename-index", &Mutator::RenameIndex},
        {"add-check", &Mutator::AddCheck},
        {"add-unique", &Mutator::AddUnique},
        {"add-foreign-key", &Mutator::AddForeignKey},
        {"add-exclude", &Mutator::AddExclude},
        {"drop-constraint", &Mutator::DropConstraint},
        {"alter-view", &Mutator::AlterView},
        {"matview", &Mutator::Matview},
        {"enum-add-value", &Mutator::EnumAddValue},
        {"domain", &Mutator::DomainChange},
        {"function", &Mutator::FunctionChange},
        {"trigger", &Mutator::TriggerChange},
        {"policy", &Mutator::PolicyChange},
        {"grant", &Mutator::GrantChange},
        {"comment", &Mutator::CommentChange},
        {"partition", &Mutator::PartitionChange},
        {"sequence", &Mutator::SequenceChange},
        {"table", &Mutator::TableChange},
        {"storage-parameter", &Mutator::StorageParameter},
        {"function-signature", &Mutator::FunctionSignature},
        {"circular-foreign-key", &Mutator::CircularForeignKey},
        {"inheritance", &Mutator::Inheritance},
        {"extension", &Mutator::ExtensionChange},
        {"collation", &Mutator::CollationChange},
        {"schema-grant", &Mutator::SchemaGrant},
        {"function-grant", &Mutator::FunctionGrant},
        {"aggregate", &Mutator::AggregateChange},
        {"sequence-ownership", &Mutator::SequenceOwnership},
    };
    return kinds;
  }

  size_t Pick(size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng_() % n); }
  bool Coin() { return (rng_() & 1) != 0; }
  std::string Name(const std::string& stem) { return "fz_" + stem + std::to_string(counter_); }
  template <typename T>
  const T& PickOf(const std::vector<T>& v) {
    return v[Pick(v.size())];
  }

  static constexpr const char* kUserSchemas =
      "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
      "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')";

  // Tables: qualified name (quoted), schema, name, relkind, is partition.
  Rows Tables(const std::string& extra = "") {
    return Query(conn_, std::string("SELECT format('%I.%I', n.nspname, c.relname), n.nspname, "
                                    "c.relname, c.relkind, c.relispartition FROM pg_class c "
                                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
                                    "c.relkind IN ('r', 'p') AND ") +
                            kUserSchemas + extra + " ORDER BY 1");
  }
  // Columns of a table: name (quoted), type, category, not null, has default, identity,
  // generated, inherited.
  Rows Columns(const std::string& table) {
    return Query(conn_,
                 "SELECT quote_ident(a.attname), format_type(a.atttypid, a.atttypmod), "
                 "t.typcategory, a.attnotnull, a.atthasdef, a.attidentity, a.attgenerated, "
                 "a.attinhcount > 0, t.typtype FROM pg_attribute a JOIN pg_type t ON t.oid = "
                 "a.atttypid WHERE a.attrelid = '" +
                     table +
                     "'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY "
                     "a.attnum");
  }
  bool PickTable(std::vector<std::string>& t, bool allow_partition = false) {
    Rows ts = Tables(allow_partition ? "" : " AND NOT c.relispartition");
    if (ts.empty()) return false;
    t = PickOf(ts);
    return true;
  }
  bool PickColumn(const std::string& table, std::vector<std::string>& c,
                  const std::string& category = "") {
    Rows cs = Columns(table);
    Rows fit;
    for (auto& r : cs) {
      if (r[7] == "t") continue;
      if (!category.empty() && category.find(r[2]) == std::string::npos) continue;
      fit.push_back(r);
    }
    if (fit.empty()) return false;
    c = PickOf(fit);
    return true;
  }

  std::string AddColumn(std::vector<RenameNote>&) {
    std::vector<std::string> t;
    if (!PickTable(t)) return "";
    static const std::vector<std::string> types = {
        "integer",
        "bigint DEFAULT 0 NOT NULL",
        "text",
        "varchar(40) DEFAULT 'x'",
        "numeric(10,2)",
        "timestamptz DEFAULT now()",
        "boolean DEFAULT false NOT NULL",
        "jsonb",
        "text COLLATE \"C\"",
        "integer GENERATED ALWAYS AS IDENTITY",
        "bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 10 INCREMENT BY 5)",
        "serial",
        "int[]",
        "date NOT NULL DEFAULT CURRENT_DATE"};
    std::string col = Name("c");
    std::string type = PickOf(types);
    if (Coin()) {
      // A generated column over an integer column of the table.
      std::vector<std::string> c;
      if (PickColumn(t[0], c, "N") && c[6].empty() && c[1] == "integer")
        type = "bigint GENERATED ALWAYS AS (" + c[0] + " * 2) STORED";
    }
    return "ALTER TABLE " + t[0] + " ADD COLUMN " + col + " " + type + ";";
  }

  std::string DropColumn(std::vector<RenameNote>&) {
    std::vector<std::string> t, c;
    if (!PickTable(t) || !PickColumn(t[0], c)) return "";
    return "ALTER TABLE " + t[0] + " DROP COLUMN " + c[0] + (Coin() ? " CASCADE;" : ";");
  }

  std::string RenameColumn(std::vector<RenameNote>& notes) {
    std::vector<std::string> t, c;
    if (!PickTable(t) || !PickColumn(t[0], c)) return "";
    if (c[0].rfind("fz_", 0) == 0) return "";  // renamed once at most
    std::string to = Name("r");
    notes.push_back({"CREATE TABLE " + t[0] + " (", "    " + to + " ", c[0]});
    return "ALTER TABLE " + t[0] + " RENAME COLUMN " + c[0] + " TO " + to + ";";
  }

  std::string ColumnType(std::vector<RenameNote>&) {
    std::vector<std::string> t, c;
    if (!PickTable(t) || !PickColumn(t[0], c)) return "";
    std::string to;
    const std::string& type = c[1];
    if (type == "integer" || type == "smallint") {
      to = Coin() ? "bigint" : "numeric(12,0)";
    } else if (type == "bigint") {
      to = Coin() ? "numeric" : "integer";
    } else if (type.rfind("character varying", 0) == 0) {
      to = Coin() ? "text" : "character varying(500)";
    } else if (type == "text") {
      to = Coin() ? "character varying(300)" : "character(300)";
    } else if (type.rfind("timestamp without", 0) == 0) {
      to = "timestamp with time zone";
    } else if (type.rfind("numeric", 0) == 0) {
      to = "numeric(20,4)";
    } else if (type == "boolean") {
      to = "text";
    } else {
      return "";
    }
    return "ALTER TABLE " + t[0] + " ALTER COLUMN " + c[0] + " TYPE " + to + " USING " + c[0] +
           "::" + to + ";";
  }

  std::string ColumnDefault(std::vector<RenameNote>&) {
    std::vector<std::string> t, c;
    if (!PickTable(t) || !PickColumn(t[0], c)) return "";
    if (!c[5].empty() || !c[6].empty()) return "";
    if (c[4] == "t" && Coin())
      return "ALTER TABLE " + t[0] + " ALTER COLUMN " + c[0] + " DROP DEFAULT;";
    std::string value;
    if (c[2] == "N")
      value = std::to_string(Pick(100));
    else if (c[2] == "S")
      value = "'fz" + std::to_string(Pick(100)) + "'";
    else if (c[2] == "B")
      value = Coin() ? "true" : "false";
    else if (c[2] == "D")
      value = "now()";
    else
      return "";
    return "ALTER TABLE " + t[0] + " ALTER COLUMN " + c[0] + " SET DEFAULT " + value + ";";
  }

  std::string ColumnNullability(std::vector<RenameNote>&) {
    std::vector<std::string> t, c;
    if (!PickTable(t) || !PickColumn(t[0], c)) return "";
    return "ALTER TABLE " + t[0] + " ALTER COLUMN " + c[0] +
           (c[3] == "t" ? " DROP NOT NULL;" : " SET NOT NULL;");
  }

  std::string ColumnCollation(std::vector<RenameNote>&) {
    std::vector<std::string> t, c;
    if (!PickTable(t) || !PickColumn(t[0], c, "S")) return "";
    if (c[8] != "b") return "";
    static const std::vector<std::string> collations = {"\"C\"", "\"POSIX\"", "\"default\"",
                                                        "\"en-x-icu\"", "\"und-x-icu\""};
    return "ALTER TABLE " + t[0] + " ALTER COLUMN " + c[0] + " TYPE " + c[1] + " COLLATE " +
           PickOf(collations) + ";";
  }

  std::string AddIndex(std::vector<RenameNote>&) {
    std::vector<std::string> t, c, d;
    if (!PickTable(t) || !PickColumn(t[0], c)) return "";
    std::string name = Name("i");
    std::string on =
        "CREATE INDEX " + name + " ON " + (t[3] == "p" ? std::string("ONLY ") : "") + t[0];
    if (t[3] == "p") on = "CREATE INDEX " + name + " ON " + t[0];
    switch (Pick(7)) {
      case 0:
        return on + " (" + c[0] + ");";
      case 1:
        return on + " (" + c[0] + " DESC NULLS LAST) WHERE " + c[0] + " IS NOT NULL;";
      case 2:
        return on + " ((" + c[0] + "::text));";
      case 3:
        if (!PickColumn(t[0], d)) return "";
        return on + " (" + c[0] + ") INCLUDE (" + d[0] + ");";
      case 4:
        return on + " USING hash (" + c[0] + ");";
      case 5:
        return on + " USING brin (" + c[0] + ") WITH (pages_per_range = 32);";
      default:
        if (c[2] != "S") return "";
        return on + " (lower(" + c[0] + "::text) text_pattern_ops) WITH (fillfactor = 80);";
    }
  }

  Rows Indexes() {
    return Query(conn_, std::string("SELECT format('%I.%I', n.nspname, c.relname), c.relname "
                                    "FROM pg_class c JOIN pg_namespace n ON n.oid = "
                                    "c.relnamespace JOIN pg_index i ON i.indexrelid = c.oid "
                                    "WHERE c.relkind IN ('i', 'I') AND NOT EXISTS (SELECT 1 "
                                    "FROM pg_constraint k WHERE k.conindid = c.oid) AND NOT "
                                    "c.relispartition AND ") +
                            kUserSchemas + " ORDER BY 1");
  }

  std::string DropIndex(std::vector<RenameNote>&) {
    Rows is = Indexes();
    if (is.empty()) return "";
    return "DROP INDEX " + PickOf(is)[0] + ";";
  }

  std::string RenameIndex(std::vector<RenameNote>& notes) {
    Rows is = Indexes();
    if (is.empty()) return "";
    const auto& i = PickOf(is);
    if (i[1].rfind("fz_", 0) == 0) return "";
    std::string to = Name("ri");
    std::string schema = i[0].substr(0, i[0].rfind('.'));
    notes.push_back({"", "CREATE INDEX " + to + " ON ", schema + "." + i[1]});
    notes.push_back({"", "CREATE UNIQUE INDEX " + to + " ON ", schema + "." + i[1]});
    return "ALTER INDEX " + i[0] + " RENAME TO " + to + ";";
  }

  std::string AddCheck(std::vector<RenameNote>&) {
    std::vector<std::string> t, c;
    if (!PickTable(t) || !PickColumn(t[0], c, "NS")) return "";
    std::string expr = c[2] == "N" ? c[0] + " > -1000000" : "length(" + c[0] + "::text) < 5000";
    return "ALTER TABLE " + t[0] + " ADD CONSTRAINT " + Name("ck") + " CHECK (" + expr + ")" +
           (Coin() ? " NOT VALID;" : ";");
  }

  std::string AddUnique(std::vector<RenameNote>&) {
    std::vector<std::string> t, c;
    if (!PickTable(t) || !PickColumn(t[0], c)) return "";
    if (c[8] != "b" || c[1].find("[]") != std::string::npos || c[1] == "json") return "";
    return "ALTER TABLE " + t[0] + " ADD CONSTRAINT " + Name("uq") + " UNIQUE " +
           (Coin() ? "NULLS NOT DISTINCT " : "") + "(" + c[0] + ");";
  }

  std::string AddForeignKey(std::vector<RenameNote>&) {
    // A new column referencing a table's single-column primary key.
    Rows keys = Query(conn_, std::string("SELECT format('%I.%I', n.nspname, c.relname), "
                                         "quote_ident(a.attname), format_type(a.atttypid, "
                                         "a.atttypmod) FROM pg_constraint k JOIN pg_class c ON "
                                         "c.oid = k.conrelid JOIN pg_namespace n ON n.oid = "
                                         "c.relnamespace JOIN pg_attribute a ON a.attrelid = "
                                         "c.oid AND a.attnum = k.conkey[1] WHERE k.contype = "
                                         "'p' AND cardinality(k.conkey) = 1 AND NOT "
                                         "c.relispartition AND ") +
                                 kUserSchemas + " ORDER BY 1");
    std::vector<std::string> t;
    if (keys.empty() || !PickTable(t)) return "";
    const auto& k = PickOf(keys);
    std::string col = Name("fk");
    static const std::vector<std::string> actions = {"", " ON DELETE CASCADE",
                                                     " ON DELETE SET NULL ON UPDATE CASCADE",
                                                     " DEFERRABLE INITIALLY DEFERRED"};
    return "ALTER TABLE " + t[0] + " ADD COLUMN " + col + " " + k[2] + ";\nALTER TABLE " + t[0] +
           " ADD CONSTRAINT " + col + "_fkey FOREIGN KEY (" + col + ") REFERENCES " + k[0] + " (" +
           k[1] + ")" + PickOf(actions) + ";";
  }

  std::string AddExclude(std::vector<RenameNote>&) {
    std::vector<std::string> t, c;
    if (!PickTable(t) || !PickColumn(t[0], c, "NSD")) return "";
    if (c[8] != "b") return "";
    return "ALTER TABLE " + t[0] + " ADD CONSTRAINT " + Name("ex") + " EXCLUDE USING btree (" +
           c[0] + " WITH =)" + (Coin() ? " WHERE (" + c[0] + " IS NOT NULL);" : ";");
  }

  std::string DropConstraint(std::vector<RenameNote>&) {
    Rows ks = Query(conn_, std::string("SELECT format('%I.%I', n.nspname, c.relname), "
                                       "quote_ident(k.conname) FROM pg_constraint k JOIN "
                                       "pg_class c ON c.oid = k.conrelid JOIN pg_namespace n "
                                       "ON n.oid = c.relnamespace WHERE k.contype IN ('c', "
                                       "'u', 'f', 'x', 'p') AND k.conparentid = 0 AND "
                                       "k.coninhcount = 0 AND ") +
                               kUserSchemas + " ORDER BY 1, 2");
    if (ks.empty()) return "";
    const auto& k = PickOf(ks);
    return "ALTER TABLE " + k[0] + " DROP CONSTRAINT " + k[1] + ";";
  }

  Rows Views(const std::string& kind) {
    return Query(conn_, std::string("SELECT format('%I.%I', n.nspname, c.relname), "
                                    "pg_get_viewdef(c.oid), c.relname FROM pg_class c JOIN "
                                    "pg_namespace n ON n.oid = c.relnamespace WHERE "
                                    "c.relkind = '") +
                            kind + "' AND " + kUserSchemas + " ORDER BY 1");
  }

  std::string AlterView(std::vector<RenameNote>& notes) {
    Rows vs = Views("v");
    std::vector<std::string> t;
    switch (Pick(4)) {
      case 0: {  // a new view over a table
        if (!PickTable(t)) return "";
        return "CREATE VIEW " + Name("v") + " AS SELECT * FROM " + t[0] + " WHERE true;";
      }
      case 1: {  // one more column at the end
        if (vs.empty()) return "";
        const auto& v = PickOf(vs);
        std::string def = v[1];
        while (!def.empty() && (def.back() == ';' || def.back() == '\n')) def.pop_back();
        return "CREATE OR REPLACE VIEW " + v[0] + " AS SELECT s.*, 1 AS " + Name("vc") + " FROM (" +
               def + ") s;";
      }
      case 2:
        if (vs.empty()) return "";
        return "DROP VIEW " + PickOf(vs)[0] + ";";
      default: {
        if (vs.empty()) return "";
        const auto& v = PickOf(vs);
        if (v[2].rfind("fz_", 0) == 0) return "";
        std::string to = Name("rv");
        std::string schema = v[0].substr(0, v[0].rfind('.'));
        notes.push_back({"", "CREATE VIEW " + schema + "." + to + " AS", schema + "." + v[2]});
        return "ALTER VIEW " + v[0] + " RENAME TO " + to + ";";
      }
    }
  }

  std::string Matview(std::vector<RenameNote>&) {
    Rows ms = Views("m");
    std::vector<std::string> t, c;
    switch (Pick(3)) {
      case 0:
        if (!PickTable(t) || !PickColumn(t[0], c)) return "";
        return "CREATE MATERIALIZED VIEW " + Name("mv") + " AS SELECT " + c[0] +
               ", count(*) AS n "
               "FROM " +
               t[0] + " GROUP BY " + c[0] + " WITH NO DATA;\nCREATE INDEX " + Name("mvi") + " ON " +
               Name("mv") + " (n);";
      case 1:
        if (ms.empty()) return "";
        return "DROP MATERIALIZED VIEW " + PickOf(ms)[0] + ";";
      default: {
        if (ms.empty()) return "";
        const auto& m = PickOf(ms);
        std::string def = m[1];
        while (!def.empty() && (def.back() == ';' || def.back() == '\n')) def.pop_back();
        // A changed query: dropped and created again (with a new index).
        return "DROP MATERIALIZED VIEW " + m[0] + " CASCADE;\nCREATE MATERIALIZED VIEW " + m[0] +
               " AS SELECT s.*, 2 AS " + Name("mc") + " FROM (" + def + ") s WITH NO DATA;";
      }
    }
  }

  std::string EnumAddValue(std::vector<RenameNote>&) {
    Rows es = Query(conn_,
                    "SELECT format('%I.%I', n.nspname, t.typname), (SELECT "
                    "string_agg(quote_literal(e.enumlabel), chr(31) ORDER BY e.enumsortorder) "
                    "FROM pg_enum e WHERE e.enumtypid = t.oid) FROM pg_type t JOIN "
                    "pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'e' AND "
                    "n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1");
    if (es.empty() || Pick(4) == 0) {
      return "CREATE TYPE " + Name("en") + " AS ENUM ('a', 'b');";
    }
    const auto& e = PickOf(es);
    std::vector<std::string> labels(1);
    for (char ch : e[1]) {
      if (ch == '\x1f')
        labels.emplace_back();
      else
        labels.back() += ch;
    }
    std::string v = "'" + Name("l") + "'";
    switch (Pick(3)) {
      case 0:
        return "ALTER TYPE " + e[0] + " ADD VALUE " + v + ";";
      case 1:
        return "ALTER TYPE " + e[0] + " ADD VALUE " + v + " BEFORE " + PickOf(labels) + ";";
      default:
        return "ALTER TYPE " + e[0] + " ADD VALUE " + v + " AFTER " + PickOf(labels) + ";";
    }
  }

  std::string DomainChange(std::vector<RenameNote>&) {
    Rows ds = Query(conn_,
                    "SELECT format('%I.%I', n.nspname, t.typname), t.typnotnull FROM "
                    "pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE "
                    "t.typtype = 'd' AND n.nspname NOT IN ('pg_catalog', "
                    "'information_schema') ORDER BY 1");
    if (ds.empty() || Pick(5) == 0) {
      return "CREATE DOMAIN " + Name("dom") + " AS integer DEFAULT 1 CHECK (VALUE > 0);";
    }
    const auto& d = PickOf(ds);
    switch (Pick(4)) {
      case 0:
        return "ALTER DOMAIN " + d[0] + " ADD CONSTRAINT " + Name("dck") +
               " CHECK (VALUE IS NOT NULL)" + (Coin() ? " NOT VALID;" : ";");
      case 1:
        return "ALTER DOMAIN " + d[0] + (d[1] == "t" ? " DROP NOT NULL;" : " SET NOT NULL;");
      case 2: {
        Rows cs = Query(conn_, "SELECT quote_ident(conname) FROM pg_constraint WHERE contypid = '" +
                                   d[0] + "'::regtype ORDER BY 1");
        if (cs.empty()) return "";
        return "ALTER DOMAIN " + d[0] + " DROP CONSTRAINT " + PickOf(cs)[0] + ";";
      }
      default:
        return "ALTER DOMAIN " + d[0] + " DROP DEFAULT;";
    }
  }

  std::string FunctionChange(std::vector<RenameNote>&) {
    Rows fs = Query(conn_,
                    "SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON "
                    "n.oid = p.pronamespace WHERE p.prokind = 'f' AND n.nspname NOT IN "
                    "('pg_catalog', 'information_schema') AND NOT EXISTS (SELECT 1 FROM "
                    "pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') ORDER BY 1");
    switch (Pick(4)) {
      case 0:
        return "CREATE FUNCTION " + Name("fn") +
               "(a integer, b integer DEFAULT 2) RETURNS integer LANGUAGE sql IMMUTABLE AS "
               "$$SELECT a + b$$;";
      case 1:
        if (fs.empty()) return "";
        return "ALTER FUNCTION " + PickOf(fs)[0] + (Coin() ? " STABLE;" : " COST 5;");
      case 2:
        if (fs.empty()) return "";
        return "ALTER FUNCTION " + PickOf(fs)[0] + " SET search_path = pg_catalog, public;";
      default:
        return "CREATE PROCEDURE " + Name("pr") +
               "(x integer) LANGUAGE plpgsql AS $$BEGIN RAISE NOTICE '%', x; END$$;";
    }
  }

  // Aggregates: one created over built-in functions, or over a new state function of its
  // own; an existing one renamed (declared in TO), replaced with another initial condition,
  // given a comment and EXECUTE to app_reader, or dropped (with what calls it).
  std::string AggregateChange(std::vector<RenameNote>& notes) {
    Rows as = Query(conn_,
                    "SELECT quote_ident(n.nspname), quote_ident(p.proname), "
                    "pg_get_function_identity_arguments(p.oid), p.pronargs, "
                    "pg_get_function_arguments(p.oid), a.aggkind FROM pg_proc p "
                    "JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_aggregate a "
                    "ON a.aggfnoid = p.oid WHERE p.prokind = 'a' AND " +
                        std::string(kUserFunctions) + " ORDER BY 1, 2, 3");
    auto what = [](const std::vector<std::string>& a) {
      return a[0] + "." + a[1] + "(" + (a[3] == "0" ? std::string("*") : a[2]) + ")";
    };
    switch (Pick(6)) {
      case 0:
        return "CREATE AGGREGATE " + Name("ag") +
               "(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0', PARALLEL = SAFE);";
      case 1: {
        std::string fn = Name("as");
        return "CREATE FUNCTION " + fn +
               "(acc text, item text) RETURNS text LANGUAGE sql IMMUTABLE AS "
               "$$SELECT coalesce(acc || ';', '') || item$$;\nCREATE AGGREGATE " +
               Name("ag") + "(text) (SFUNC = " + fn + ", STYPE = text);";
      }
      case 2: {
        if (as.empty()) return "";
        const auto& a = PickOf(as);
        std::string to = Name("ra");
        notes.push_back({"", "CREATE AGGREGATE " + a[0] + "." + to + "(", a[0] + "." + a[1]});
        return "ALTER AGGREGATE " + what(a) + " RENAME TO " + to + ";";
      }
      case 3: {
        if (as.empty()) return "";
        const auto& a = PickOf(as);
        Rows def =
            Query(conn_,
                  "SELECT a.aggtransfn::regproc, format_type(a.aggtranstype, NULL), "
                  "a.aggfinalfn::regproc, a.aggfinalfn <> 0 FROM pg_aggregate a JOIN "
                  "pg_proc p ON p.oid = a.aggfnoid JOIN pg_namespace n ON n.oid = "
                  "p.pronamespace WHERE quote_ident(n.nspname) = " +
                      QuoteLiteral(a[0]) + " AND quote_ident(p.proname) = " + QuoteLiteral(a[1]) +
                      " AND pg_get_function_identity_arguments("
                      "p.oid) = " +
                      QuoteLiteral(a[2]) +
                      " AND a.aggkind = 'n' AND "
                      "a.aggtranstype IN ('integer'::regtype, 'bigint'::regtype, "
                      "'numeric'::regtype) AND a.aggmtransfn = 0");
        if (def.empty()) return "";
        return "CREATE OR REPLACE AGGREGATE " + a[0] + "." + a[1] + "(" +
               (a[3] == "0" ? std::string("*") : a[4]) + ") (SFUNC = " + def[0][0] +
               ", STYPE = " + def[0][1] +
               (def[0][3] == "t" ? ", FINALFUNC = " + def[0][2] : std::string()) +
               ", INITCOND = '" + std::to_string(1 + Pick(9)) + "');";
      }
      case 4: {
        if (as.empty()) return "";
        const auto& a = PickOf(as);
        std::string sig = a[0] + "." + a[1] + "(" + a[2] + ")";
        if (a[5] != "n") return "";
        return "COMMENT ON AGGREGATE " + what(a) + " IS 'mutated';\nGRANT EXECUTE ON FUNCTION " +
               sig + " TO app_reader;";
      }
      default: {
        if (as.empty()) return "";
        return "DROP AGGREGATE " + what(PickOf(as)) + " CASCADE;";
      }
    }
  }

  std::string TriggerChange(std::vector<RenameNote>&) {
    Rows ts = Query(conn_,
                    "SELECT format('%I.%I', n.nspname, c.relname), quote_ident(g.tgname) "
                    "FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN "
                    "pg_namespace n ON n.oid = c.relnamespace WHERE NOT g.tgisinternal "
                    "AND g.tgparentid = 0 ORDER BY 1, 2");
    std::vector<std::string> t, c;
    switch (Pick(3)) {
      case 0: {
        if (!PickTable(t)) return "";
        std::string fn = Name("tf");
        std::string when;
        if (PickColumn(t[0], c, "N") && Coin()) when = " WHEN (NEW." + c[0] + " IS NOT NULL)";
        return "CREATE FUNCTION " + fn +
               "() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE "
               "TRIGGER " +
               Name("tg") + " BEFORE INSERT OR UPDATE ON " + t[0] + " FOR EACH ROW" + when +
               " EXECUTE FUNCTION " + fn + "();";
      }
      case 1:
        if (ts.empty()) return "";
        {
          const auto& g = PickOf(ts);
          return "ALTER TABLE " + g[0] + " DISABLE TRIGGER " + g[1] + ";";
        }
      default:
        if (ts.empty()) return "";
        {
          const auto& g = PickOf(ts);
          return "DROP TRIGGER " + g[1] + " ON " + g[0] + ";";
        }
    }
  }

  std::string PolicyChange(std::vector<RenameNote>&) {
    std::vector<std::string> t, c;
    if (!PickTable(t)) return "";
    switch (Pick(3)) {
      case 0: {
        std::string using_expr = "true";
        if (PickColumn(t[0], c, "N")) using_expr = c[0] + " IS NOT NULL";
        return "ALTER TABLE " + t[0] + " ENABLE ROW LEVEL SECURITY;\nCREATE POLICY " + Name("pol") +
               " ON " + t[0] + " FOR SELECT TO app_reader USING (" + using_expr + ");";
      }
      case 1:
        return "ALTER TABLE " + t[0] + " FORCE ROW LEVEL SECURITY;";
      default: {
        Rows ps = Query(conn_, "SELECT quote_ident(polname) FROM pg_policy WHERE polrelid = '" +
                                   t[0] + "'::regclass ORDER BY 1");
        if (ps.empty()) return "";
        return "DROP POLICY " + PickOf(ps)[0] + " ON " + t[0] + ";";
      }
    }
  }

  std::string GrantChange(std::vector<RenameNote>&) {
    std::vector<std::string> t, c;
    if (!PickTable(t)) return "";
    switch (Pick(4)) {
      case 0:
        return "GRANT SELECT, INSERT ON " + t[0] + " TO app_reader;";
      case 1:
        if (!PickColumn(t[0], c)) return "";
        return "GRANT SELECT (" + c[0] + "), UPDATE (" + c[0] + ") ON " + t[0] + " TO app_reader;";
      case 2:
        return "REVOKE ALL ON " + t[0] + " FROM PUBLIC;\nGRANT SELECT ON " + t[0] +
               " TO PUBLIC WITH GRANT OPTION;";
      default:
        return "GRANT USAGE ON SCHEMA " + t[1] + " TO app_reader;";
    }
  }

  std::string CommentChange(std::vector<RenameNote>&) {
    std::vector<std::string> t, c;
    if (!PickTable(t, true)) return "";
    std::string text = "'fz comment " + std::to_string(counter_) + " it''s'";
    switch (Pick(4)) {
      case 0:
        return "COMMENT ON TABLE " + t[0] + " IS " + text + ";";
      case 1:
        if (!PickColumn(t[0], c)) return "";
        return "COMMENT ON COLUMN " + t[0] + "." + c[0] + " IS " + text + ";";
      case 2: {
        // Any index but a key's, the clones the server made on partitions included.
        Rows is = Query(conn_, std::string("SELECT format('%I.%I', n.nspname, c.relname) FROM "
                                           "pg_class c JOIN pg_namespace n ON n.oid = "
                                           "c.relnamespace WHERE c.relkind IN ('i', 'I') AND "
                                           "NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE "
                                           "k.conindid = c.oid) AND ") +
                                   kUserSchemas + " ORDER BY 1");
        if (is.empty()) return "";
        return "COMMENT ON INDEX " + PickOf(is)[0] + " IS " + text + ";";
      }
      default: {
        // A partition's clone of its parent's key included.
        Rows ks = Query(conn_, "SELECT quote_ident(conname) FROM pg_constraint WHERE conrelid = '" +
                                   t[0] + "'::regclass ORDER BY 1");
        if (ks.empty()) return "";
        return "COMMENT ON CONSTRAINT " + PickOf(ks)[0] + " ON " + t[0] + " IS " + text + ";";
      }
    }
  }

  std::string PartitionChange(std::vector<RenameNote>&) {
    Rows parts = Query(conn_,
                       "SELECT format('%I.%I', n.nspname, c.relname), "
                       "format('%I.%I', pn.nspname, p.relname) FROM pg_inherits i JOIN "
                       "pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = "
                       "c.relnamespace JOIN pg_class p ON p.oid = i.inhparent JOIN "
                       "pg_namespace pn ON pn.oid = p.relnamespace WHERE c.relispartition "
                       "ORDER BY 1");
    Rows parents = Tables(" AND c.relkind = 'p'");
    switch (Pick(3)) {
      case 0:
        if (parts.empty()) return "";
        return "ALTER TABLE " + PickOf(parts)[1] + " DETACH PARTITION " + PickOf(parts)[0] + ";";
      case 1:
        if (parents.empty()) return "";
        return "CREATE TABLE " + Name("pd") + " PARTITION OF " + PickOf(parents)[0] + " DEFAULT;";
      default: {
        std::string p = Name("pt");
        return "CREATE TABLE " + p +
               " (id integer NOT NULL, region text NOT NULL, note text) "
               "PARTITION BY LIST (region);\nCREATE TABLE " +
               p + "_eu PARTITION OF " + p + " FOR VALUES IN ('eu');\nCREATE TABLE " + p +
               "_us (LIKE " + p + ");\nALTER TABLE " + p + " ATTACH PARTITION " + p +
               "_us FOR VALUES IN ('us', 'ca');\nCREATE INDEX ON " + p + " (id);";
      }
    }
  }

  std::string SequenceChange(std::vector<RenameNote>&) {
    Rows ss = Query(conn_,
                    "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN "
                    "pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND " +
                        std::string(kUserSchemas) + " ORDER BY 1");
    if (ss.empty() || Pick(4) == 0) {
      return "CREATE SEQUENCE " + Name("sq") + " AS integer START 100 INCREMENT 3 CACHE 5;";
    }
    const auto& s = PickOf(ss)[0];
    switch (Pick(4)) {
      case 0:
        return "ALTER SEQUENCE " + s + " INCREMENT BY 7;";
      case 1:
        return "ALTER SEQUENCE " + s + " MAXVALUE 99999999 CYCLE;";
      case 2:
        return "ALTER SEQUENCE " + s + " CACHE 20 START WITH 5;";
      default:
        return "ALTER SEQUENCE " + s + " MINVALUE -5;";
    }
  }

  std::string TableChange(std::vector<RenameNote>& notes) {
    std::vector<std::string> t;
    switch (Pick(4)) {
      case 0: {
        std::string n = Name("t");
        return "CREATE TABLE " + n +
               " (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
               "name text NOT NULL UNIQUE, created timestamptz DEFAULT now(), CHECK (name <> ''));";
      }
      case 1:
        if (!PickTable(t)) return "";
        return "DROP TABLE " + t[0] + ";";
      case 2: {
        if (!PickTable(t)) return "";
        if (t[2].rfind("fz_", 0) == 0) return "";
        std::string to = Name("rt");
        notes.push_back({"", "CREATE TABLE " + QuoteIdent(t[1]) + "." + to + " (",
                         QuoteIdent(t[1]) + "." + QuoteIdent(t[2])});
        return "ALTER TABLE " + t[0] + " RENAME TO " + to + ";";
      }
      default:
        if (!PickTable(t)) return "";
        return "ALTER TABLE " + t[0] + (Coin() ? " SET UNLOGGED;" : " REPLICA IDENTITY FULL;");
    }
  }

  std::string StorageParameter(std::vector<RenameNote>&) {
    std::vector<std::string> t;
    if (!PickTable(t)) return "";
    switch (Pick(3)) {
      case 0:
        return "ALTER TABLE " + t[0] + " SET (fillfactor = 70, autovacuum_enabled = false);";
      case 1:
        // Not toast.*: a table whose last variable-length column goes keeps its TOAST table
        // and the option, which its pg_dump cannot give back (docs/diff.md, known limits).
        return "ALTER TABLE " + t[0] + " SET (autovacuum_vacuum_scale_factor = 0.05);";
      default:
        return "ALTER TABLE " + t[0] + " ALTER COLUMN " + Columns(t[0]).front()[0] +
               " SET STATISTICS 500;";
    }
  }

  static constexpr const char* kUserFunctions =
      "n.nspname NOT IN ('pg_catalog', 'information_schema') AND NOT EXISTS (SELECT 1 FROM "
      "pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')";

  // A function whose argument list changes (one more argument, with a default, so that calls
  // stay valid): dropped with CASCADE and created again, with the CHECKs, column defaults,
  // indexes and views that called it added back (what else depended on it stays dropped).
  // The aggregates that use it are dropped with it (their state function cannot take the
  // extra argument) and stay dropped.
  std::string FunctionSignature(std::vector<RenameNote>&) {
    Rows fs = Query(conn_, std::string("SELECT p.oid, p.oid::regprocedure, "
                                       "pg_get_function_arguments(p.oid), "
                                       "pg_get_functiondef(p.oid) FROM pg_proc p JOIN "
                                       "pg_namespace n ON n.oid = p.pronamespace WHERE "
                                       "p.prokind = 'f' AND p.provariadic = 0 AND p.prorettype "
                                       "<> 'trigger'::regtype AND ") +
                               kUserFunctions + " ORDER BY 2");
    if (fs.empty()) return "";
    // Prefer a function something depends on.
    Rows used;
    for (const auto& f : fs) {
      if (!Query(conn_,
                 "SELECT 1 FROM pg_depend WHERE refclassid = 'pg_proc'::regclass AND "
                 "refobjid = " +
                     f[0] + " AND deptype = 'n' LIMIT 1")
               .empty())
        used.push_back(f);
    }
    const auto& f = !used.empty() && Pick(4) != 0 ? PickOf(used) : PickOf(fs);
    const std::string& args = f[2];
    std::string def = f[3];
    size_t at = def.find("(" + args + ")");
    if (at == std::string::npos) return "";
    def.replace(at, args.size() + 2,
                "(" + args + (args.empty() ? "" : ", ") + Name("arg") + " integer DEFAULT 0)");
    const std::string oid = f[0];
    std::string again;
    for (const auto& k : Query(conn_,
                               "SELECT format('%I.%I', n.nspname, c.relname), "
                               "quote_ident(k.conname), pg_get_constraintdef(k.oid) "
                               "FROM pg_depend d JOIN pg_constraint k ON k.oid = "
                               "d.objid JOIN pg_class c ON c.oid = k.conrelid JOIN "
                               "pg_namespace n ON n.oid = c.relnamespace WHERE "
                               "d.classid = 'pg_constraint'::regclass AND d.refobjid = " +
                                   oid +
                                   " AND k.contype = 'c' AND k.coninhcount = 0 ORDER BY "
                                   "1, 2"))
      again += "ALTER TABLE " + k[0] + " ADD CONSTRAINT " + k[1] + " " + k[2] + ";\n";
    for (const auto& a :
         Query(conn_,
               "SELECT format('%I.%I', n.nspname, c.relname), quote_ident(a.attname), "
               "pg_get_expr(ad.adbin, ad.adrelid) FROM pg_depend d JOIN pg_attrdef ad ON "
               "ad.oid = d.objid JOIN pg_attribute a ON a.attrelid = ad.adrelid AND "
               "a.attnum = ad.adnum JOIN pg_class c ON c.oid = ad.adrelid JOIN "
               "pg_namespace n ON n.oid = c.relnamespace WHERE d.classid = "
               "'pg_attrdef'::regclass AND d.refobjid = " +
                   oid + " AND a.attgenerated = '' ORDER BY 1, 2"))
      again += "ALTER TABLE " + a[0] + " ALTER COLUMN " + a[1] + " SET DEFAULT " + a[2] + ";\n";
    for (const auto& i : Query(conn_,
                               "SELECT pg_get_indexdef(i.oid) FROM pg_depend d JOIN "
                               "pg_class i ON i.oid = d.objid JOIN pg_index x ON "
                               "x.indexrelid = i.oid JOIN pg_class t ON t.oid = "
                               "x.indrelid WHERE d.classid = 'pg_class'::regclass AND "
                               "d.refobjid = " +
                                   oid +
                                   " AND i.relkind = 'i' AND NOT i.relispartition AND "
                                   "t.relkind IN ('r', 'm') AND NOT EXISTS (SELECT 1 "
                                   "FROM pg_constraint k WHERE k.conindid = i.oid) "
                                   "ORDER BY 1"))
      again += i[0] + ";\n";
    for (const auto& v : Query(conn_,
                               "SELECT DISTINCT format('%I.%I', n.nspname, c.relname), "
                               "pg_get_viewdef(c.oid) FROM pg_depend d JOIN pg_rewrite "
                               "r ON r.oid = d.objid JOIN pg_class c ON c.oid = "
                               "r.ev_class JOIN pg_namespace n ON n.oid = "
                               "c.relnamespace WHERE d.classid = "
                               "'pg_rewrite'::regclass AND d.refobjid = " +
                                   oid +
                                   " AND c.relkind = 'v' AND c.reloptions IS NULL AND "
                                   "NOT EXISTS (SELECT 1 FROM pg_depend d2 JOIN "
                                   "pg_rewrite r2 ON r2.oid = d2.objid WHERE "
                                   "d2.refobjid = c.oid AND r2.ev_class <> c.oid) ORDER "
                                   "BY 1")) {
      std::string body = v[1];
      while (!body.empty() && (body.back() == ';' || body.back() == '\n')) body.pop_back();
      again += "CREATE VIEW " + v[0] + " AS " + body + ";\n";
    }
    return "DROP FUNCTION " + f[1] + " CASCADE;\n" + def + ";\n" + again;
  }

  // Foreign keys that make a cycle: two new tables that reference each other, an existing
  // referenced table that references its referencing table back, or a table referencing
  // itself.
  std::string CircularForeignKey(std::vector<RenameNote>&) {
    Rows pairs = Query(conn_, std::string("SELECT format('%I.%I', pn.nspname, p.relname), "
                                          "format('%I.%I', cn.nspname, c.relname), "
                                          "quote_ident(a.attname), format_type(a.atttypid, "
                                          "a.atttypmod) FROM pg_constraint f JOIN pg_class p ON "
                                          "p.oid = f.confrelid JOIN pg_namespace pn ON pn.oid = "
                                          "p.relnamespace JOIN pg_class c ON c.oid = f.conrelid "
                                          "JOIN pg_namespace cn ON cn.oid = c.relnamespace JOIN "
                                          "pg_constraint k ON k.conrelid = c.oid AND k.contype "
                                          "= 'p' AND cardinality(k.conkey) = 1 JOIN "
                                          "pg_attribute a ON a.attrelid = c.oid AND a.attnum = "
                                          "k.conkey[1] WHERE f.contype = 'f' AND f.conrelid <> "
                                          "f.confrelid AND p.relkind = 'r' AND c.relkind = 'r' "
                                          "AND NOT p.relispartition AND NOT c.relispartition "
                                          "AND f.conparentid = 0 ORDER BY 1, 2"));
    std::string col = Name("cy");
    switch (Pick(3)) {
      case 0: {
        std::string a = Name("ca"), b = Name("cb");
        return "CREATE TABLE " + a + " (id integer PRIMARY KEY, b_id integer);\nCREATE TABLE " + b +
               " (id integer PRIMARY KEY, a_id integer REFERENCES " + a +
               " (id) ON DELETE CASCADE);\nALTER TABLE " + a + " ADD CONSTRAINT " + a +
               "_b_fkey FOREIGN KEY (b_id) REFERENCES " + b +
               " (id) DEFERRABLE INITIALLY DEFERRED;";
      }
      case 1: {
        if (pairs.empty()) return "";
        const auto& r = PickOf(pairs);
        return "ALTER TABLE " + r[0] + " ADD COLUMN " + col + " " + r[3] + ";\nALTER TABLE " +
               r[0] + " ADD CONSTRAINT " + col + "_fkey FOREIGN KEY (" + col + ") REFERENCES " +
               r[1] + " (" + r[2] + ") ON DELETE SET NULL;";
      }
      default: {
        if (pairs.empty()) return "";
        const auto& r = PickOf(pairs);
        return "ALTER TABLE " + r[1] + " ADD COLUMN " + col + " " + r[3] + " REFERENCES " + r[1] +
               " (" + r[2] + ");";
      }
    }
  }

  // Plain inheritance: a child created with INHERITS, a copy attached with INHERIT, a child
  // that leaves its parent, a column added to a parent that has children.
  std::string Inheritance(std::vector<RenameNote>&) {
    Rows kids = Query(conn_,
                      "SELECT format('%I.%I', cn.nspname, c.relname), format('%I.%I', "
                      "pn.nspname, p.relname) FROM pg_inherits i JOIN pg_class c ON c.oid "
                      "= i.inhrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace JOIN "
                      "pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = "
                      "p.relnamespace WHERE NOT c.relispartition AND p.relkind = 'r' "
                      "ORDER BY 1, 2");
    std::vector<std::string> t;
    std::string child = Name("inh");
    switch (Pick(4)) {
      case 0:
        if (!PickTable(t) || t[3] != "r") return "";
        return "CREATE TABLE " + child + " (" + Name("note") + " text DEFAULT 'x') INHERITS (" +
               t[0] + ");";
      case 1:
        if (!PickTable(t) || t[3] != "r") return "";
        return "CREATE TABLE " + child + " (LIKE " + t[0] +
               " INCLUDING DEFAULTS INCLUDING CONSTRAINTS);\nALTER TABLE " + child + " INHERIT " +
               t[0] + ";";
      case 2:
        if (kids.empty()) return "";
        {
          const auto& k = PickOf(kids);
          return "ALTER TABLE " + k[0] + " NO INHERIT " + k[1] + ";";
        }
      default:
        if (kids.empty()) return "";
        return "ALTER TABLE " + PickOf(kids)[1] + " ADD COLUMN " + Name("pc") +
               " integer DEFAULT 3 NOT NULL;";
    }
  }

  // Extensions: created (in the first schema or one of their own, some used by a column or
  // an index), commented, dropped when nothing uses them.
  std::string ExtensionChange(std::vector<RenameNote>&) {
    Rows installed = Query(conn_,
                           "SELECT quote_ident(extname) FROM pg_extension WHERE extname "
                           "<> 'plpgsql' ORDER BY 1");
    std::vector<std::string> t, c;
    switch (Pick(5)) {
      case 0:
        if (!PickTable(t)) return "";
        return "CREATE EXTENSION IF NOT EXISTS citext;\nALTER TABLE " + t[0] + " ADD COLUMN " +
               Name("ci") + " citext;";
      case 1:
        if (!PickTable(t) || !PickColumn(t[0], c, "S") || c[8] != "b") return "";
        return "CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE INDEX " + Name("trg") + " ON " +
               t[0] + " USING gin ((" + c[0] + "::text) gin_trgm_ops);";
      case 2: {
        static const std::vector<std::string> exts = {"hstore", "ltree",         "isn",
                                                      "cube",   "\"uuid-ossp\"", "tablefunc"};
        if (Coin()) return "CREATE EXTENSION IF NOT EXISTS " + PickOf(exts) + ";";
        std::string schema = Name("ext");
        return "CREATE SCHEMA " + schema + ";\nCREATE EXTENSION IF NOT EXISTS " + PickOf(exts) +
               " SCHEMA " + schema + ";";
      }
      case 3:
        return CommentOrDrop("EXTENSION", installed, false);
      default:
        return CommentOrDrop("EXTENSION", installed, true);
    }
  }

  // COMMENT ON or DROP (`kind`, e.g. "EXTENSION") one of `names`; "" when there is none.
  std::string CommentOrDrop(const std::string& kind, const Rows& names, bool drop) {
    if (names.empty()) return "";
    const std::string& name = PickOf(names)[0];
    if (drop) return "DROP " + kind + " " + name + ";";
    return "COMMENT ON " + kind + " " + name + " IS 'fz comment " + std::to_string(counter_) +
           "';";
  }

  // Collations: created (ICU, nondeterministic, copied), used by a column, commented, dropped.
  std::string CollationChange(std::vector<RenameNote>&) {
    Rows mine = Query(conn_,
                      "SELECT format('%I.%I', n.nspname, c.collname) FROM pg_collation c "
                      "JOIN pg_namespace n ON n.oid = c.collnamespace WHERE n.nspname "
                      "NOT IN ('pg_catalog', 'information_schema') ORDER BY 1");
    std::vector<std::string> t, c;
    std::string name = Name("coll");
    switch (Pick(5)) {
      case 0:
        return "CREATE COLLATION " + name + " (provider = icu, locale = 'de-u-co-phonebk');";
      case 1:
        return "CREATE COLLATION " + name +
               " (provider = icu, locale = 'und-u-ks-level2', deterministic = false);";
      case 2: {
        if (!PickTable(t) || !PickColumn(t[0], c, "S") || c[8] != "b") return "";
        return "CREATE COLLATION " + name + " FROM \"C\";\nALTER TABLE " + t[0] + " ALTER COLUMN " +
               c[0] + " TYPE " + c[1] + " COLLATE " + name + ";";
      }
      case 3:
        return CommentOrDrop("COLLATION", mine, false);
      default:
        return CommentOrDrop("COLLATION", mine, true);
    }
  }

  // Schema privileges and owners; a schema of its own.
  std::string SchemaGrant(std::vector<RenameNote>&) {
    Rows schemas = Query(conn_,
                         "SELECT quote_ident(nspname) FROM pg_namespace WHERE nspname "
                         "NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY "
                         "1");
    if (schemas.empty()) return "";
    const std::string& s = PickOf(schemas)[0];
    switch (Pick(5)) {
      case 0: {
        std::string schema = Name("s");
        return "CREATE SCHEMA " + schema + " AUTHORIZATION app_reader;\nGRANT USAGE ON SCHEMA " +
               schema + " TO PUBLIC;";
      }
      case 1:
        return "GRANT CREATE ON SCHEMA " + s + " TO app_reader;";
      case 2:
        return "REVOKE USAGE ON SCHEMA " + s + " FROM PUBLIC;";
      case 3:
        return "GRANT USAGE ON SCHEMA " + s + " TO app_reader WITH GRANT OPTION;";
      default:
        return "ALTER SCHEMA " + s + " OWNER TO app_reader;";
    }
  }

  // Function and procedure privileges and owners.
  std::string FunctionGrant(std::vector<RenameNote>&) {
    Rows fs = Query(conn_, std::string("SELECT p.oid::regprocedure FROM pg_proc p JOIN "
                                       "pg_namespace n ON n.oid = p.pronamespace WHERE "
                                       "p.prokind IN ('f', 'p') AND ") +
                               kUserFunctions + " ORDER BY 1");
    if (fs.empty()) return "";
    const std::string& f = PickOf(fs)[0];
    switch (Pick(4)) {
      case 0:
        return "REVOKE EXECUTE ON ROUTINE " + f + " FROM PUBLIC;";
      case 1:
        return "GRANT EXECUTE ON ROUTINE " + f + " TO app_reader;";
      case 2:
        return "REVOKE ALL ON ROUTINE " + f + " FROM PUBLIC;\nGRANT EXECUTE ON ROUTINE " + f +
               " TO app_reader WITH GRANT OPTION;";
      default:
        return "ALTER ROUTINE " + f + " OWNER TO app_reader;";
    }
  }

  // Which column owns a sequence: none, another column, a new sequence behind a new column's
  // default; and sequence privileges.
  std::string SequenceOwnership(std::vector<RenameNote>&) {
    Rows ss = Query(conn_, std::string("SELECT format('%I.%I', n.nspname, c.relname), EXISTS "
                                       "(SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND "
                                       "d.classid = 'pg_class'::regclass AND d.refobjsubid > 0 "
                                       "AND d.deptype = 'a') FROM pg_class c JOIN pg_namespace "
                                       "n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND "
                                       "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = "
                                       "c.oid AND d.deptype = 'i') AND ") +
                               kUserSchemas + " ORDER BY 1");
    std::vector<std::string> t, c;
    switch (Pick(4)) {
      case 0: {
        Rows owned;
        for (const auto& s : ss)
          if (s[1] == "t") owned.push_back(s);
        if (owned.empty()) return "";
        return "ALTER SEQUENCE " + PickOf(owned)[0] + " OWNED BY NONE;";
      }
      case 1:
        if (ss.empty() || !PickTable(t) || !PickColumn(t[0], c, "N")) return "";
        return "ALTER SEQUENCE " + PickOf(ss)[0] + " OWNED BY " + t[0] + "." + c[0] + ";";
      case 2: {
        if (!PickTable(t)) return "";
        std::string seq = Name("osq"), col = Name("oc");
        return "CREATE SEQUENCE " + seq + ";\nALTER TABLE " + t[0] + " ADD COLUMN " + col +
               " bigint DEFAULT nextval('" + seq + "');\nALTER SEQUENCE " + seq + " OWNED BY " +
               t[0] + "." + col + ";";
      }
      default:
        if (ss.empty()) return "";
        return "GRANT USAGE, SELECT ON SEQUENCE " + PickOf(ss)[0] + " TO app_reader;";
    }
  }

  pg::Connection& conn_;
  std::mt19937_64 rng_;
  int counter_ = 0;
};

// Applies mutations given (a replay): those the server accepts.
inline std::vector<Mutation> Replay(pg::Connection& conn, const std::vector<Mutation>& given) {
  std::vector<Mutation> done;
  for (const Mutation& m : given) {
    (void)conn.Exec("BEGIN");
    if (!conn.ExecScript(m.sql).ok() || !conn.Exec("COMMIT").ok()) {
      (void)conn.Exec("ROLLBACK");
      continue;
    }
    done.push_back(m);
  }
  return done;
}

// `dump` with the rename annotations added at the end of the renamed objects' lines. A note
// whose line is not found is left out (the object went away or its name changed again).
inline std::string Annotate(std::string dump, const std::vector<RenameNote>& notes) {
  for (const RenameNote& n : notes) {
    size_t from = 0;
    if (!n.block_prefix.empty()) {
      from = dump.find("\n" + n.block_prefix + "\n");
      if (from == std::string::npos) continue;
      from += 1;
    }
    size_t at = dump.find("\n" + n.line_prefix, from);
    if (at == std::string::npos) continue;
    if (!n.block_prefix.empty()) {
      size_t block_end = dump.find("\n);", from);
      if (block_end != std::string::npos && at > block_end) continue;
    }
    size_t eol = dump.find('\n', at + 1);
    if (eol == std::string::npos) eol = dump.size();
    dump.insert(eol, " -- dbarch:renamed-from " + n.old_name);
  }
  return dump;
}

// Runs the checks on `from_sql` changed by `mutate` (given a connection to a database loaded
// with it, returns the mutations it applied). Databases <prefix>_m and those of
// FilePairCheck are created and dropped here.
using MutateFn = std::function<std::vector<Mutation>(pg::Connection&)>;
inline MutationOutcome MutationRoundTrip(pg::Connection& admin, const std::string& base_conninfo,
                                         const std::string& prefix, const std::string& from_sql,
                                         const MutateFn& mutate) {
  MutationOutcome out;
  auto fail = [&](std::string kind, std::string reason) {
    out.passed = false;
    out.failure_kind = std::move(kind);
    out.reason = std::move(reason);
    return out;
  };
  const std::string db = prefix + "_m";
  const std::string conninfo = base_conninfo + " dbname=" + db;
  struct Cleanup {
    pg::Connection& admin;
    std::string db;
    ~Cleanup() { (void)admin.Exec("DROP DATABASE IF EXISTS " + QuoteIdent(db) + " WITH (FORCE)"); }
  } cleanup{admin, db};
  (void)admin.Exec("DROP DATABASE IF EXISTS " + QuoteIdent(db) + " WITH (FORCE)");
  if (!admin.Exec("CREATE DATABASE " + QuoteIdent(db)).ok()) return fail("setup", "create db");
  Status loaded = RunPsql(conninfo, from_sql);
  if (!loaded.ok()) return fail("setup", "loading FROM: " + FirstLine(loaded.message(), 600));
  {
    auto conn = Open(conninfo);
    if (!conn.ok()) return fail("setup", "connect");
    // The mutations name objects unqualified in the first schema that holds tables.
    Rows schemas = Query(*conn,
                         "SELECT string_agg(quote_ident(nspname), ', ' ORDER BY "
                         "nspname) FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND "
                         "nspname <> 'information_schema'");
    if (!schemas.empty() && !schemas[0][0].empty())
      (void)conn->Exec("SET search_path = " + schemas[0][0]);
    // FROM's file against the database loaded from it: in sync.
    auto before = LoadSchema(conninfo, true);
    if (!before.ok()) return fail("introspect", before.status().ToString());
    auto from_file = LoadFilesAsCli(from_sql, from_sql, before->session_role);
    if (!from_file.ok()) return fail("model", from_file.status().ToString());
    DropDefaultExtensionComments(*before, from_file->first);
    if (Diff(before->catalog, from_file->first.catalog, {}).HasChanges()) {
      return fail("live-vs-file",
                  "FROM live -> file: " + Difference(before->catalog, from_file->first.catalog));
    }
    out.mutations = mutate(*conn);
    std::vector<RenameNote> notes;
    for (const Mutation& m : out.mutations)
      notes.insert(notes.end(), m.notes.begin(), m.notes.end());
    std::string dump = SchemaDump(conninfo);
    if (dump.find("PostgreSQL database dump complete") == std::string::npos)
      return fail("setup", "pg_dump failed: " + FirstLine(dump));
    out.to_sql = Annotate(dump, notes);
    // The mutated database against TO's file, both ways, and TO against itself, read as the
    // command line reads them (a database URI and a file).
    auto live = LoadSchema(conninfo, true);
    if (!live.ok()) return fail("introspect", live.status().ToString());
    auto files = LoadFilesAsCli(from_sql, out.to_sql, live->session_role);
    if (!files.ok()) return fail("model", files.status().ToString());
    DropDefaultExtensionComments(*live, files->second);
    const catalog::Catalog& to_model = files->second.catalog;
    if (Diff(to_model, to_model, {}).HasChanges())
      return fail("self-diff", Difference(to_model, to_model));
    if (Diff(live->catalog, to_model, {}).HasChanges())
      return fail("live-vs-file", "live -> file: " + Difference(live->catalog, to_model));
    if (Diff(to_model, live->catalog, {}).HasChanges())
      return fail("live-vs-file", "file -> live: " + Difference(to_model, live->catalog));
  }
  (void)admin.Exec("DROP DATABASE IF EXISTS " + QuoteIdent(db) + " WITH (FORCE)");
  FilePairOutcome pair =
      FilePairCheck(admin, base_conninfo, prefix, from_sql, out.to_sql, {}, true);
  out.up_sql = pair.up_sql;
  out.down_sql = pair.down_sql;
  if (!pair.passed) {
    std::string kind = pair.reason.rfind("up fails", 0) == 0     ? "up-fails"
                       : pair.reason.rfind("down fails", 0) == 0 ? "down-fails"
                       : pair.reason.rfind("TO in sync", 0) == 0 ? "not-in-sync-after-up"
                                                                 : "other";
    return fail(kind, pair.reason);
  }
  if (!pair.dump_differences.empty() && !pair.dumps_equal_but_column_order) {
    std::string d = pair.dump_differences.front();
    return fail(d.rfind("after up", 0) == 0 ? "dump-after-up" : "dump-after-down", d);
  }
  out.passed = true;
  return out;
}

// `pg_dump --schema-only` of a database loaded from `sql` ("" when it does not load): a
// FROM that is a dump, as users hold. The server does not always print back what it read
// (a varchar column's `IN (...)` list is stored with its casts in another place once
// reloaded), so a file compared with its own dump can differ in such text only.
inline std::string DumpOfLoaded(pg::Connection& admin, const std::string& base_conninfo,
                                const std::string& db, const std::string& sql) {
  (void)admin.Exec("DROP DATABASE IF EXISTS " + QuoteIdent(db) + " WITH (FORCE)");
  if (!admin.Exec("CREATE DATABASE " + QuoteIdent(db)).ok()) return "";
  std::string dump;
  if (RunPsql(base_conninfo + " dbname=" + db, sql).ok())
    dump = SchemaDump(base_conninfo + " dbname=" + db);
  (void)admin.Exec("DROP DATABASE IF EXISTS " + QuoteIdent(db) + " WITH (FORCE)");
  return dump;
}

// One seed: `count` random mutations.
inline MutationOutcome SeededRoundTrip(pg::Connection& admin, const std::string& base_conninfo,
                                       const std::string& prefix, const std::string& from_sql,
                                       uint64_t seed, int count) {
  return MutationRoundTrip(admin, base_conninfo, prefix, from_sql, [&](pg::Connection& conn) {
    Mutator mutator(conn, seed);
    return mutator.Run(count);
  });
}

// The mutations of a failed run that fail on their own (each replayed alone on FROM).
inline std::vector<std::pair<Mutation, MutationOutcome>> Shrink(
    pg::Connection& admin, const std::string& base_conninfo, const std::string& prefix,
    const std::string& from_sql, const std::vector<Mutation>& mutations) {
  std::vector<std::pair<Mutation, MutationOutcome>> out;
  for (const Mutation& m : mutations) {
    MutationOutcome r = MutationRoundTrip(admin, base_conninfo, prefix, from_sql,
                                          [&](pg::Connection& conn) { return Replay(conn, {m}); });
    if (!r.passed) out.emplace_back(m, std::move(r));
  }
  return out;
}

}  // namespace dbarch::diff::testing
