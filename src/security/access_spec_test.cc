#include "security/access_spec.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "catalog/builder.h"

namespace dbarch::security {
namespace {

std::string SourceDir() {
  const char* env = std::getenv("DBARCH_SOURCE_DIR");
  return env != nullptr ? env : DBARCH_SOURCE_DIR;
}

const catalog::Catalog& Marketplace() {
  static const catalog::Catalog catalog = [] {
    auto built = catalog::BuildCatalogFromPaths({SourceDir() + "/examples/marketplace/schema.sql"});
    EXPECT_TRUE(built.ok()) << built.status().ToString();
    return built.ok() ? std::move(built).value() : catalog::Catalog{};
  }();
  return catalog;
}

// A small valid spec; tests replace one line to make it invalid.
const char* kSpec = R"yaml(database: shopdb
prefix: t
tenant:
  column: user_id
  root: shop.users
  shared: [shop.sellers]
personal_data:
  shop.users.email: email
roles:
  app:
    login: t_app_svc
    hosts: [10.1.0.0/24]
    read: [shop.*]
    write: [shop.orders]
    personal_data: clear
  owner:
    login: t_migrator
    owner: true
  analyst:
    login: t_analyst_bob
    tenant: all
    read: [shop.users, "shop.orders(id, user_id)"]
)yaml";

Result<AccessSpec> Parse(const std::string& text) {
  return ParseAccessSpec("access.yaml", text, Marketplace());
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

// The error of parsing `text` as "line:col: message".
std::string ErrorOf(const std::string& text) {
  auto spec = Parse(text);
  if (spec.ok()) return "ok";
  std::optional<SourceSpan> span = spec.status().span();
  std::string where = span ? std::to_string(span->line) + ":" + std::to_string(span->column) : "?";
  return where + ": " + std::string(spec.status().message());
}

TEST(AccessSpec, MarketplaceExampleResolvesRolesAndTenantTables) {
  auto spec = LoadAccessSpec(SourceDir() + "/examples/marketplace/access.yaml", Marketplace());
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  ASSERT_EQ(spec->roles.size(), 4u);
  EXPECT_EQ(spec->owner().key, "migration");
  EXPECT_EQ(spec->owner().group, "mkt_migration");
  EXPECT_EQ(spec->roles[0].logins, std::vector<std::string>{"mkt_app_svc"});
  ASSERT_TRUE(spec->tenant);
  EXPECT_EQ(spec->tenant->root_key, "id");
  EXPECT_EQ(spec->tenant->key_type, "bigint");
  std::vector<std::string> got;
  for (const TenantTable& t : spec->tenant->tables) {
    std::string how = t.kind == TenantPath::kRoot     ? "root"
                      : t.kind == TenantPath::kColumn ? "column " + t.column
                                                      : "fk";
    for (const ForeignKeyHop& h : t.hops) how += " " + h.parent.name;
    got.push_back(t.table.schema + "." + t.table.name + ": " + how);
  }
  // Tables reached only through NOT NULL foreign keys take their parent's tenant; sellers
  // are shared (so products, inventory and api_keys stay shared too); carts.user_id is
  // nullable but is the tenant column itself; audit_log.actor_id is not a tenant column.
  EXPECT_EQ(got, (std::vector<std::string>{
                     "ops.events: column user_id",
                     "ops.events_2025_q1: column user_id",
                     "ops.events_2025_q2: column user_id",
                     "ops.events_2025_q3: column user_id",
                     "shop.addresses: column user_id",
                     "shop.cart_items: fk carts",
                     "shop.carts: column user_id",
                     "shop.order_items: fk orders",
                     "shop.orders: column user_id",
                     "shop.payments: fk orders",
                     "shop.reviews: column user_id",
                     "shop.shipments: fk orders",
                     "shop.user_profiles: column user_id",
                     "shop.users: root",
                     "shop.wishlists: column user_id",
                 }));
}

TEST(AccessSpec, ForeignKeyToTheTenantKeyIsATenantColumn) {
  std::string text = Replace(kSpec, "  shared: [shop.sellers]\n", "");
  text = Replace(text, "    read: [shop.*]\n", "    read: [shop.*]\n");
  auto spec = Parse(text);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  const TenantTable* sellers = spec->tenant->Find({"shop", "sellers"});
  ASSERT_NE(sellers, nullptr);
  EXPECT_EQ(sellers->kind, TenantPath::kColumn);
  EXPECT_EQ(sellers->column, "owner_id");
  const TenantTable* inventory = spec->tenant->Find({"shop", "inventory"});
  ASSERT_NE(inventory, nullptr);  // inventory -> products -> sellers
  ASSERT_EQ(inventory->hops.size(), 2u);
  EXPECT_EQ(TenantOfRowSql(*inventory, "r"),
            "(SELECT \"dbarch_t2\".\"owner_id\" FROM \"shop\".\"products\" AS \"dbarch_t1\" JOIN "
            "\"shop\".\"sellers\" AS \"dbarch_t2\" ON \"dbarch_t2\".\"id\" = "
            "\"dbarch_t1\".\"seller_id\" WHERE \"dbarch_t1\".\"id\" = r.\"product_id\")");
}

TEST(AccessSpec, ColumnReadsAndWritesMerge) {
  auto spec = Parse(kSpec);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  const AccessRole* analyst = spec->FindRole("analyst");
  ASSERT_NE(analyst, nullptr);
  const TableAccess& orders = analyst->tables.at({"shop", "orders"});
  EXPECT_TRUE(orders.select);
  EXPECT_EQ(orders.select_columns, (std::vector<std::string>{"id", "user_id"}));
  EXPECT_FALSE(orders.insert);
  const AccessRole* app = spec->FindRole("app");
  EXPECT_TRUE(app->tables.at({"shop", "orders"}).insert);
  EXPECT_TRUE(app->tables.at({"shop", "orders"}).select);
  EXPECT_FALSE(app->tables.at({"shop", "users"}).insert);
  EXPECT_EQ(app->read_schemas, std::vector<std::string>{"shop"});
}

TEST(AccessSpec, ErrorsPointAtTheNode) {
  struct Case {
    std::string from, to, error;
  };
  std::vector<Case> cases = {
      {"write: [shop.orders]", "write: [shop.order]",
       "14:13: relation \"shop.order\" does not exist in the schema, did you mean "
       "\"shop.orders\"?"},
      {"shop.users.email: email", "shop.users.emial: email",
       "8:3: column \"emial\" of relation \"shop.users\" does not exist, did you mean \"email\"?"},
      {"shop.users.email: email", "shop.users.email: emial",
       "8:21: unknown mask \"emial\" (email, partial, redact, hash, year, null), did you mean "
       "\"email\"?"},
      {"hosts: [10.1.0.0/24]", "hosts: [0.0.0.0/0]",
       "12:13: host \"0.0.0.0/0\" is too wide: at most a /16 may log in; list the "
       "application's own subnets"},
      {"    tenant: all\n", "    tenant: some\n",
       "21:13: tenant: expected isolated or all, got \"some\""},
      {"    owner: true\n", "    ownr: true\n",
       "18:5: unknown key \"ownr\" in role owner, did you mean \"owner\"?"},
      {"read: [shop.users, \"shop.orders(id, user_id)\"]",
       "read: [shop.users, \"shop.orders(id, usr_id)\"]",
       "22:24: column \"usr_id\" of relation \"shop.orders\" does not exist, did you mean "
       "\"user_id\"?"},
      {"  root: shop.users", "  root: shop.user",
       "5:9: relation \"shop.user\" does not exist in the schema, did you mean \"shop.users\"?"},
      {"    read: [shop.*]\n", "    read: [shopp.*]\n",
       "13:12: schema \"shopp\" has no tables in the schema, did you mean \"shop\"?"},
      {"    login: t_analyst_bob\n", "    login: T-analyst\n",
       "20:12: role name \"T-analyst\": expected a lower-case name of letters, digits and _ (at "
       "most 63)"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ErrorOf(Replace(kSpec, c.from, c.to)), c.error) << c.to;
  }
}

TEST(AccessSpec, RejectsDesignsThatCannotHold) {
  // Masked personal data for a tenant-isolated role: the masked view runs as its owner.
  std::string masked = Replace(kSpec, "    tenant: all\n", "");
  EXPECT_EQ(ErrorOf(masked),
            "19:3: role analyst reads personal data of \"shop.users\" masked and is "
            "tenant-isolated: masked views run as their owner, who sees every tenant; make it "
            "personal_data: clear or tenant: all");
  // An isolated role reading payments must read orders, which its tenant check reads.
  std::string no_parent = Replace(kSpec, "    read: [shop.*]\n    write: [shop.orders]\n",
                                  "    read: [shop.payments]\n");
  EXPECT_EQ(ErrorOf(no_parent),
            "10:3: role app uses \"shop.payments\", whose tenant check reads \"shop.orders\": "
            "add it to the role's read list");
  // Exactly one owner.
  std::string two = Replace(kSpec, "    tenant: all\n", "    tenant: all\n    owner: true\n");
  EXPECT_EQ(ErrorOf(two),
            "10:3: exactly one role needs owner: true (the role that owns the schema and runs "
            "migrations); found 2");
  EXPECT_EQ(ErrorOf(Replace(kSpec, "\"shop.orders(id, user_id)\"", "shop.orders(id, user_id)")),
            "22:24: read \"shop.orders(id\": missing \")\" (inside [a, b] quote an entry with "
            "columns: \"schema.table(a, b)\")");
  EXPECT_EQ(ErrorOf("database: x\nroles: [a]\n"),
            "2:8: the access spec needs roles: a map of role names");
  EXPECT_EQ(ErrorOf("database: x\nroles:\n  a: {read: [shop.users\n"),
            "4:1: invalid YAML: end of sequence flow not found");
}

}  // namespace
}  // namespace dbarch::security
