#include "catalog/function_body.h"

#include <gtest/gtest.h>

#include <string>

#include "catalog/builder.h"

namespace dbarch::catalog {
namespace {

constexpr const char* kTables =
    "CREATE TABLE orders (id integer PRIMARY KEY, amount numeric(10,2), note varchar(20));\n";

// The normal form of function `signature` of a catalog built from kTables and `ddl`.
std::string NormalFormOf(const std::string& ddl, const std::string& signature) {
  CatalogBuilder b;
  Status st = b.ApplyFile(SourceFile("t.sql", std::string(kTables) + ddl));
  EXPECT_TRUE(st.ok()) << st.message();
  Catalog c = b.Finish();
  auto it = c.functions.find(signature);
  EXPECT_NE(it, c.functions.end()) << signature;
  return it == c.functions.end() ? "" : SqlBodyNormalForm(c, it->second);
}

// The body a user writes and the one pg_get_functiondef prints for it (PostgreSQL 15):
// columns and parameters qualified, literal casts, varchar-to-text casts and output names
// added. Each pair must have one normal form.
TEST(SqlBodyNormalForm, UserTextAndServerTextAgree) {
  struct Case {
    const char* written;
    const char* printed;
  };
  const Case cases[] = {
      {"CREATE FUNCTION f(p_id integer) RETURNS numeric LANGUAGE sql STABLE BEGIN ATOMIC "
       "SELECT amount * 2 FROM orders WHERE id = p_id; END;",
       "CREATE FUNCTION f(p_id integer) RETURNS numeric LANGUAGE sql STABLE BEGIN ATOMIC "
       "SELECT (orders.amount * (2)::numeric) FROM orders WHERE (orders.id = f.p_id); END;"},
      {"CREATE FUNCTION f(p_id integer) RETURNS integer LANGUAGE sql "
       "RETURN (SELECT length(note) FROM orders o WHERE o.id = p_id);",
       "CREATE FUNCTION f(p_id integer) RETURNS integer LANGUAGE sql "
       "RETURN (SELECT length((o.note)::text) AS length FROM orders o WHERE (o.id = f.p_id));"},
      {"CREATE FUNCTION f(x integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN x + 1;",
       "CREATE FUNCTION f(x integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN (x + 1);"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(NormalFormOf(c.written, "public.f(integer)"),
              NormalFormOf(c.printed, "public.f(integer)"))
        << c.written;
  }
}

// A body that reads something else, or computes something else, has another normal form.
TEST(SqlBodyNormalForm, ChangedBodiesDiffer) {
  const std::string base =
      "CREATE FUNCTION f(p_id integer) RETURNS numeric LANGUAGE sql BEGIN ATOMIC "
      "SELECT amount * 2 FROM orders WHERE id = p_id; END;";
  const std::string other_factor =
      "CREATE FUNCTION f(p_id integer) RETURNS numeric LANGUAGE sql BEGIN ATOMIC "
      "SELECT amount * 3 FROM orders WHERE id = p_id; END;";
  const std::string other_filter =
      "CREATE FUNCTION f(p_id integer) RETURNS numeric LANGUAGE sql BEGIN ATOMIC "
      "SELECT amount * 2 FROM orders WHERE id > p_id; END;";
  const std::string two_statements =
      "CREATE FUNCTION f(p_id integer) RETURNS numeric LANGUAGE sql BEGIN ATOMIC "
      "DELETE FROM orders WHERE id = p_id; SELECT amount * 2 FROM orders WHERE id = p_id; END;";
  std::string sig = "public.f(integer)";
  EXPECT_NE(NormalFormOf(base, sig), NormalFormOf(other_factor, sig));
  EXPECT_NE(NormalFormOf(base, sig), NormalFormOf(other_filter, sig));
  EXPECT_NE(NormalFormOf(base, sig), NormalFormOf(two_statements, sig));
}

// A parameter that a relation's column shadows stays qualified only where the text qualifies
// it: `f.id` (the parameter) and `id` (the column) are different references.
TEST(SqlBodyNormalForm, QualifiedParameterIsNotTheColumn) {
  std::string sig = "public.f(integer)";
  EXPECT_NE(NormalFormOf("CREATE FUNCTION f(id integer) RETURNS numeric LANGUAGE sql BEGIN ATOMIC "
                         "SELECT amount FROM orders WHERE orders.id = f.id; END;",
                         sig),
            NormalFormOf("CREATE FUNCTION f(id integer) RETURNS numeric LANGUAGE sql BEGIN ATOMIC "
                         "SELECT amount FROM orders WHERE orders.id = orders.id; END;",
                         sig));
}

}  // namespace
}  // namespace dbarch::catalog
