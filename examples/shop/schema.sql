-- examples/shop/schema.sql
-- A multi-seller e-commerce marketplace (OLTP), PostgreSQL 15.
--
-- Schemas: core (customers, sellers, sessions, reference data), catalog (products, variants,
-- categories, reviews), inventory (warehouses, stock, purchasing), sales (carts, orders,
-- coupons, promotions, wishlists, gift cards), billing (payments, refunds, invoices, taxes,
-- payouts), shipping (shipments, tracking, returns), support (tickets, RLS per seller) and
-- audit (a monthly-partitioned audit log and an append-only event stream).
--
-- The schema is deliberately not perfect: lines marked "-- smell:" are design problems a
-- linter or index advisor should find (missing PK, FKs without an index, json instead of
-- jsonb, timestamp without time zone, varchar(255) everywhere, floating-point money,
-- a duplicate index, case-sensitive unique e-mail that is looked up case-insensitively).
-- Indexes that examples/shop/workload.sql would benefit from are intentionally missing.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS citext;

CREATE SCHEMA core;
CREATE SCHEMA catalog;
CREATE SCHEMA inventory;
CREATE SCHEMA sales;
CREATE SCHEMA billing;
CREATE SCHEMA shipping;
CREATE SCHEMA support;
CREATE SCHEMA audit;

COMMENT ON SCHEMA core IS 'Customers, sellers, staff, sessions and reference data';
COMMENT ON SCHEMA catalog IS 'Products, variants, categories, prices and reviews';
COMMENT ON SCHEMA inventory IS 'Warehouses, stock levels and purchasing';
COMMENT ON SCHEMA sales IS 'Carts, orders, coupons, promotions, wishlists and gift cards';
COMMENT ON SCHEMA billing IS 'Payments, refunds, invoices, taxes and seller payouts';
COMMENT ON SCHEMA shipping IS 'Carriers, shipments, tracking and returns';
COMMENT ON SCHEMA support IS 'Customer support tickets (row level security per seller)';
COMMENT ON SCHEMA audit IS 'Append-only audit log and domain events';

-- =====================================================================================
-- Shared trigger function
-- =====================================================================================
CREATE FUNCTION core.set_updated_at() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION core.set_updated_at() IS 'BEFORE UPDATE row trigger: stamps updated_at';

-- =====================================================================================
-- Types
-- =====================================================================================
CREATE TYPE core.customer_status AS ENUM ('active', 'suspended', 'closed');
CREATE TYPE core.seller_status AS ENUM ('onboarding', 'active', 'paused', 'terminated');
CREATE TYPE core.staff_role AS ENUM ('agent', 'catalog_manager', 'finance', 'admin');
CREATE TYPE catalog.product_status AS ENUM ('draft', 'active', 'archived');
CREATE TYPE catalog.review_status AS ENUM ('pending', 'published', 'rejected');
CREATE TYPE sales.order_status AS ENUM
    ('pending', 'paid', 'fulfilling', 'shipped', 'delivered', 'cancelled', 'refunded');
CREATE TYPE billing.payment_status AS ENUM
    ('pending', 'authorized', 'captured', 'failed', 'refunded', 'voided');
CREATE TYPE shipping.shipment_status AS ENUM
    ('label_created', 'in_transit', 'out_for_delivery', 'delivered', 'exception', 'returned');
CREATE TYPE shipping.return_status AS ENUM ('requested', 'approved', 'received', 'refunded', 'rejected');
CREATE TYPE support.ticket_status AS ENUM ('open', 'pending', 'on_hold', 'solved', 'closed');

CREATE DOMAIN core.money_amount AS numeric(12,2);
CREATE DOMAIN core.positive_qty AS integer CHECK (VALUE > 0);

-- =====================================================================================
-- core
-- =====================================================================================
CREATE TABLE core.currencies (
    code            char(3) PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
    name            text NOT NULL,
    minor_units     smallint NOT NULL DEFAULT 2 CHECK (minor_units BETWEEN 0 AND 4)
);

CREATE TABLE core.countries (
    code            char(2) PRIMARY KEY CHECK (code ~ '^[A-Z]{2}$'),
    name            text NOT NULL,
    currency_code   char(3) NOT NULL REFERENCES core.currencies,
    is_shippable    boolean NOT NULL DEFAULT true
);

CREATE TABLE core.customers (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id       uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    -- smell: case-sensitive UNIQUE, but logins look customers up by lower(email)
    email           text NOT NULL UNIQUE,
    password_hash   text,
    first_name      text NOT NULL,
    last_name       text NOT NULL,
    phone           varchar(32),
    status          core.customer_status NOT NULL DEFAULT 'active',
    marketing_opt_in boolean NOT NULL DEFAULT false,
    default_currency char(3) NOT NULL DEFAULT 'EUR' REFERENCES core.currencies,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz,
    CONSTRAINT customers_email_format CHECK (position('@' in email) > 1)
);
COMMENT ON TABLE core.customers IS 'Registered shoppers; soft-deleted via deleted_at';
COMMENT ON COLUMN core.customers.public_id IS 'Identifier exposed in URLs and APIs';

CREATE TABLE core.customer_addresses (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id     bigint NOT NULL REFERENCES core.customers ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('shipping', 'billing')),
    full_name       text NOT NULL,
    company         text,
    line1           text NOT NULL,
    line2           text,
    city            text NOT NULL,
    region          text,
    postal_code     text NOT NULL,
    country_code    char(2) NOT NULL REFERENCES core.countries,  -- smell: FK without index
    phone           varchar(32),
    is_default      boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_addresses_customer_idx ON core.customer_addresses (customer_id);
CREATE UNIQUE INDEX customer_addresses_one_default_key ON core.customer_addresses (customer_id, kind)
    WHERE is_default;

CREATE TABLE core.customer_sessions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id     bigint REFERENCES core.customers ON DELETE CASCADE,
    user_agent      text,
    ip_address      inet,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL DEFAULT now() + interval '30 days',
    revoked_at      timestamptz
);
CREATE INDEX customer_sessions_customer_idx ON core.customer_sessions (customer_id)
    WHERE revoked_at IS NULL;

CREATE TABLE core.staff_users (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email           citext NOT NULL UNIQUE,
    full_name       text NOT NULL,
    role            core.staff_role NOT NULL DEFAULT 'agent',
    is_active       boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE core.sellers (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug            text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    legal_name      text NOT NULL,
    display_name    text NOT NULL,
    country_code    char(2) NOT NULL REFERENCES core.countries,
    vat_number      text,
    commission_rate numeric(5,4) NOT NULL DEFAULT 0.1200 CHECK (commission_rate BETWEEN 0 AND 1),
    payout_currency char(3) NOT NULL DEFAULT 'EUR' REFERENCES core.currencies,
    status          core.seller_status NOT NULL DEFAULT 'onboarding',
    onboarded_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE core.sellers IS 'Merchants selling on the marketplace; the tenant of support data';

CREATE TABLE core.seller_members (
    seller_id       bigint NOT NULL REFERENCES core.sellers ON DELETE CASCADE,
    email           citext NOT NULL,
    full_name       text NOT NULL,
    role            text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),
    invited_at      timestamptz NOT NULL DEFAULT now(),
    accepted_at     timestamptz,
    PRIMARY KEY (seller_id, email)
);

CREATE TABLE core.api_keys (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seller_id       bigint NOT NULL REFERENCES core.sellers ON DELETE CASCADE,
    key_prefix      char(8) NOT NULL,
    key_hash        bytea NOT NULL UNIQUE,
    label           text NOT NULL,
    scopes          text[] NOT NULL DEFAULT '{orders:read}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz,
    revoked_at      timestamptz
);
CREATE INDEX api_keys_seller_idx ON core.api_keys (seller_id);

-- smell: no primary key, varchar(255) everywhere, duplicates allowed
CREATE TABLE core.newsletter_signups (
    email           varchar(255),
    first_name      varchar(255),
    source          varchar(255),
    locale          varchar(255),
    signed_up_at    timestamp DEFAULT now()    -- smell: timestamp without time zone
);
COMMENT ON TABLE core.newsletter_signups IS 'Imported from the old newsletter tool; not deduplicated';

-- =====================================================================================
-- catalog
-- =====================================================================================
CREATE TABLE catalog.brands (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    slug            text NOT NULL UNIQUE,
    website         text
);

CREATE TABLE catalog.categories (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id       integer REFERENCES catalog.categories ON DELETE RESTRICT,
    name            text NOT NULL,
    slug            text NOT NULL,
    position        smallint NOT NULL DEFAULT 0,
    is_active       boolean NOT NULL DEFAULT true,
    CONSTRAINT categories_not_own_parent CHECK (parent_id <> id)
);
CREATE UNIQUE INDEX categories_parent_slug_key ON catalog.categories (coalesce(parent_id, 0), slug);
CREATE INDEX categories_parent_idx ON catalog.categories (parent_id);
COMMENT ON TABLE catalog.categories IS 'Category tree (adjacency list); roots have parent_id NULL';

CREATE TABLE catalog.products (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seller_id       bigint NOT NULL REFERENCES core.sellers,
    brand_id        integer REFERENCES catalog.brands,       -- smell: FK without index
    name            varchar(255) NOT NULL,                   -- smell: arbitrary varchar(255)
    slug            text NOT NULL,
    description     text,
    status          catalog.product_status NOT NULL DEFAULT 'draft',
    attributes      jsonb NOT NULL DEFAULT '{}',
    is_digital      boolean NOT NULL DEFAULT false,
    published_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, slug),
    CHECK (status <> 'active' OR published_at IS NOT NULL)
);
CREATE INDEX products_attributes_idx ON catalog.products USING gin (attributes jsonb_path_ops);

CREATE TABLE catalog.product_categories (
    product_id      bigint NOT NULL REFERENCES catalog.products ON DELETE CASCADE,
    category_id     integer NOT NULL REFERENCES catalog.categories ON DELETE CASCADE,
    is_primary      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (product_id, category_id)
);
CREATE INDEX product_categories_category_idx ON catalog.product_categories (category_id);

CREATE TABLE catalog.product_variants (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id      bigint NOT NULL REFERENCES catalog.products ON DELETE CASCADE,  -- smell: FK without index
    sku             text NOT NULL,
    title           text NOT NULL,
    price           core.money_amount NOT NULL CHECK (price >= 0),
    compare_at_price core.money_amount,
    currency_code   char(3) NOT NULL DEFAULT 'EUR' REFERENCES core.currencies,
    weight_grams    integer CHECK (weight_grams > 0),
    barcode         text,
    options         jsonb NOT NULL DEFAULT '{}',
    is_active       boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT product_variants_sku_key UNIQUE (sku),
    CONSTRAINT product_variants_compare_price_check CHECK (compare_at_price IS NULL OR compare_at_price > price)
);
-- smell: duplicate of the unique index behind product_variants_sku_key
CREATE INDEX product_variants_sku_idx ON catalog.product_variants (sku);
CREATE INDEX product_variants_barcode_idx ON catalog.product_variants (barcode) WHERE barcode IS NOT NULL;

CREATE TABLE catalog.product_images (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id      bigint NOT NULL REFERENCES catalog.products ON DELETE CASCADE,
    variant_id      bigint REFERENCES catalog.product_variants ON DELETE SET NULL,  -- smell: FK without index
    url             text NOT NULL,
    alt_text        text,
    position        smallint NOT NULL DEFAULT 0,
    width_px        integer,
    height_px       integer,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX product_images_product_idx ON catalog.product_images (product_id, position);

CREATE TABLE catalog.attributes (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            text NOT NULL UNIQUE,
    name            text NOT NULL,
    data_type       text NOT NULL DEFAULT 'text' CHECK (data_type IN ('text', 'number', 'boolean', 'color'))
);

CREATE TABLE catalog.attribute_values (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    attribute_id    integer NOT NULL REFERENCES catalog.attributes ON DELETE CASCADE,
    value           text NOT NULL,
    UNIQUE (attribute_id, value)
);

CREATE TABLE catalog.variant_attribute_values (
    variant_id      bigint NOT NULL REFERENCES catalog.product_variants ON DELETE CASCADE,
    attribute_value_id integer NOT NULL REFERENCES catalog.attribute_values ON DELETE CASCADE,
    PRIMARY KEY (variant_id, attribute_value_id)
);
CREATE INDEX variant_attribute_values_value_idx ON catalog.variant_attribute_values (attribute_value_id);

CREATE TABLE catalog.price_lists (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seller_id       bigint NOT NULL REFERENCES core.sellers ON DELETE CASCADE,
    name            text NOT NULL,
    currency_code   char(3) NOT NULL REFERENCES core.currencies,
    valid_during    tstzrange NOT NULL DEFAULT tstzrange(now(), NULL),
    priority        smallint NOT NULL DEFAULT 0,
    UNIQUE (seller_id, name)
);

CREATE TABLE catalog.price_list_items (
    price_list_id   integer NOT NULL REFERENCES catalog.price_lists ON DELETE CASCADE,
    variant_id      bigint NOT NULL REFERENCES catalog.product_variants ON DELETE CASCADE,
    min_quantity    integer NOT NULL DEFAULT 1 CHECK (min_quantity > 0),
    price           core.money_amount NOT NULL CHECK (price >= 0),
    PRIMARY KEY (price_list_id, variant_id, min_quantity)
);

CREATE TABLE catalog.reviews (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id      bigint NOT NULL REFERENCES catalog.products ON DELETE CASCADE,
    customer_id     bigint NOT NULL REFERENCES core.customers,
    rating          smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title           text,
    body            text,
    status          catalog.review_status NOT NULL DEFAULT 'pending',
    verified_purchase boolean NOT NULL DEFAULT false,
    helpful_count   integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (product_id, customer_id)
);
CREATE INDEX reviews_customer_idx ON catalog.reviews (customer_id);

CREATE TABLE catalog.review_votes (
    review_id       bigint NOT NULL REFERENCES catalog.reviews ON DELETE CASCADE,
    customer_id     bigint NOT NULL REFERENCES core.customers ON DELETE CASCADE,
    is_helpful      boolean NOT NULL,
    voted_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (review_id, customer_id)
);

-- =====================================================================================
-- inventory
-- =====================================================================================
CREATE TABLE inventory.warehouses (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            text NOT NULL UNIQUE,
    name            text NOT NULL,
    country_code    char(2) NOT NULL REFERENCES core.countries,
    address         json NOT NULL,                   -- smell: json instead of jsonb
    timezone        text NOT NULL DEFAULT 'Europe/Berlin',
    is_active       boolean NOT NULL DEFAULT true
);

CREATE TABLE inventory.stock_levels (
    warehouse_id    integer NOT NULL REFERENCES inventory.warehouses,
    variant_id      bigint NOT NULL REFERENCES catalog.product_variants ON DELETE CASCADE,  -- smell: FK without index (PK leads with warehouse_id)
    on_hand         integer NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved        integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    reorder_point   integer NOT NULL DEFAULT 5,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (warehouse_id, variant_id),
    CONSTRAINT stock_levels_reserved_le_on_hand CHECK (reserved <= on_hand)
) WITH (fillfactor = 80);
COMMENT ON TABLE inventory.stock_levels IS 'Current stock per warehouse and variant; updated in place';

CREATE TABLE inventory.suppliers (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL,
    contact_email   citext,
    phone           varchar(32),
    country_code    char(2) REFERENCES core.countries
);

CREATE TABLE inventory.purchase_orders (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    supplier_id     integer NOT NULL REFERENCES inventory.suppliers,
    warehouse_id    integer NOT NULL REFERENCES inventory.warehouses,
    status          text NOT NULL DEFAULT 'draft'
                        CHECK (status IN ('draft', 'sent', 'partially_received', 'received', 'cancelled')),
    ordered_at      timestamptz,
    expected_on     date,
    received_at     timestamptz,
    created_by      integer REFERENCES core.staff_users,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX purchase_orders_supplier_idx ON inventory.purchase_orders (supplier_id);

CREATE TABLE inventory.purchase_order_lines (
    purchase_order_id bigint NOT NULL REFERENCES inventory.purchase_orders ON DELETE CASCADE,
    line_no         smallint NOT NULL,
    variant_id      bigint NOT NULL REFERENCES catalog.product_variants,
    quantity        core.positive_qty NOT NULL,
    unit_cost       core.money_amount NOT NULL,
    received_quantity integer NOT NULL DEFAULT 0,
    PRIMARY KEY (purchase_order_id, line_no)
);

CREATE TABLE inventory.stock_movements (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    warehouse_id    integer NOT NULL REFERENCES inventory.warehouses,
    variant_id      bigint NOT NULL REFERENCES catalog.product_variants,
    quantity        integer NOT NULL CHECK (quantity <> 0),
    reason          text NOT NULL CHECK (reason IN ('purchase', 'sale', 'return', 'adjustment', 'transfer')),
    reference_type  text,
    reference_id    bigint,
    created_by      integer REFERENCES core.staff_users,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stock_movements_variant_idx ON inventory.stock_movements (variant_id, created_at);

-- =====================================================================================
-- sales
-- =====================================================================================
CREATE TABLE sales.coupons (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            text NOT NULL UNIQUE,
    description     text,
    discount_type   text NOT NULL CHECK (discount_type IN ('percent', 'fixed', 'free_shipping')),
    discount_value  numeric(10,2) NOT NULL DEFAULT 0,
    min_order_total core.money_amount,
    max_redemptions integer,
    redemption_count integer NOT NULL DEFAULT 0,
    valid_from      timestamptz NOT NULL DEFAULT now(),
    valid_until     timestamp,                        -- smell: timestamp without time zone
    is_active       boolean NOT NULL DEFAULT true,
    CONSTRAINT coupons_percent_range CHECK (discount_type <> 'percent' OR discount_value BETWEEN 0 AND 100),
    CONSTRAINT coupons_redemptions_check CHECK (max_redemptions IS NULL OR redemption_count <= max_redemptions)
);

CREATE TABLE sales.carts (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id     bigint REFERENCES core.customers ON DELETE CASCADE,
    session_id      uuid REFERENCES core.customer_sessions ON DELETE SET NULL,
    currency_code   char(3) NOT NULL DEFAULT 'EUR' REFERENCES core.currencies,
    coupon_id       integer REFERENCES sales.coupons,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX carts_customer_idx ON sales.carts (customer_id);
CREATE INDEX carts_session_idx ON sales.carts (session_id);

CREATE TABLE sales.cart_items (
    cart_id         uuid NOT NULL REFERENCES sales.carts ON DELETE CASCADE,
    variant_id      bigint NOT NULL REFERENCES catalog.product_variants ON DELETE CASCADE,
    quantity        core.positive_qty NOT NULL DEFAULT 1,
    unit_price      core.money_amount NOT NULL,
    added_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cart_id, variant_id)
);

CREATE SEQUENCE sales.order_number_seq AS bigint START WITH 100001 CACHE 20;

CREATE TABLE sales.orders (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_number    text NOT NULL UNIQUE DEFAULT 'SO-' || nextval('sales.order_number_seq'),
    customer_id     bigint NOT NULL REFERENCES core.customers,
    cart_id         uuid REFERENCES sales.carts ON DELETE SET NULL,
    status          sales.order_status NOT NULL DEFAULT 'pending',
    currency_code   char(3) NOT NULL REFERENCES core.currencies,
    subtotal        core.money_amount NOT NULL DEFAULT 0,
    discount_total  core.money_amount NOT NULL DEFAULT 0,
    shipping_total  core.money_amount NOT NULL DEFAULT 0,
    tax_total       core.money_amount NOT NULL DEFAULT 0,
    grand_total     core.money_amount NOT NULL DEFAULT 0,
    coupon_id       integer REFERENCES sales.coupons,
    shipping_address_id bigint REFERENCES core.customer_addresses,
    billing_address_id bigint REFERENCES core.customer_addresses,  -- smell: FK without index
    customer_note   text,
    placed_at       timestamptz,
    cancelled_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orders_grand_total_check
        CHECK (grand_total = subtotal - discount_total + shipping_total + tax_total),
    CONSTRAINT orders_placed_check CHECK (status = 'pending' OR placed_at IS NOT NULL)
);
ALTER SEQUENCE sales.order_number_seq OWNED BY sales.orders.order_number;
CREATE INDEX orders_customer_idx ON sales.orders (customer_id);
CREATE INDEX orders_shipping_address_idx ON sales.orders (shipping_address_id);
COMMENT ON COLUMN sales.orders.order_number IS 'Human-facing order number, e.g. SO-100001';

CREATE TABLE sales.order_items (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id        bigint NOT NULL REFERENCES sales.orders ON DELETE CASCADE,
    variant_id      bigint NOT NULL REFERENCES catalog.product_variants,  -- smell: FK without index
    seller_id       bigint NOT NULL REFERENCES core.sellers,
    product_name    text NOT NULL,
    sku             text NOT NULL,
    quantity        core.positive_qty NOT NULL,
    unit_price      core.money_amount NOT NULL,
    discount_amount core.money_amount NOT NULL DEFAULT 0,
    tax_rate        numeric(6,4) NOT NULL DEFAULT 0,
    line_total      numeric(12,2) GENERATED ALWAYS AS (quantity * unit_price - discount_amount) STORED,
    fulfillment_status text NOT NULL DEFAULT 'unfulfilled'
                        CHECK (fulfillment_status IN ('unfulfilled', 'partial', 'fulfilled', 'returned'))
);
CREATE INDEX order_items_order_idx ON sales.order_items (order_id);
CREATE INDEX order_items_seller_idx ON sales.order_items (seller_id, order_id);

CREATE TABLE sales.order_status_history (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id        bigint NOT NULL REFERENCES sales.orders ON DELETE CASCADE,
    from_status     sales.order_status,
    to_status       sales.order_status NOT NULL,
    changed_by      integer REFERENCES core.staff_users,
    note            text,
    changed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_status_history_order_idx ON sales.order_status_history (order_id, changed_at);

CREATE TABLE sales.coupon_redemptions (
    coupon_id       integer NOT NULL REFERENCES sales.coupons,
    order_id        bigint NOT NULL REFERENCES sales.orders ON DELETE CASCADE,
    customer_id     bigint NOT NULL REFERENCES core.customers,
    amount          core.money_amount NOT NULL,
    redeemed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (coupon_id, order_id)
);
CREATE INDEX coupon_redemptions_customer_idx ON sales.coupon_redemptions (customer_id, coupon_id);

CREATE TABLE sales.promotions (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seller_id       bigint REFERENCES core.sellers ON DELETE CASCADE,
    name            text NOT NULL,
    kind            text NOT NULL,                    -- smell: free-text status/kind, no CHECK
    rule            jsonb NOT NULL,
    active_during   tstzrange NOT NULL,
    priority        smallint NOT NULL DEFAULT 100,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- one seller cannot run two promotions of the same kind at the same time
    CONSTRAINT promotions_no_overlap EXCLUDE USING gist (seller_id WITH =, kind WITH =, active_during WITH &&)
);

CREATE TABLE sales.promotion_products (
    promotion_id    integer NOT NULL REFERENCES sales.promotions ON DELETE CASCADE,
    product_id      bigint NOT NULL REFERENCES catalog.products ON DELETE CASCADE,
    PRIMARY KEY (promotion_id, product_id)
);

CREATE TABLE sales.wishlists (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id     bigint NOT NULL REFERENCES core.customers ON DELETE CASCADE,
    name            text NOT NULL DEFAULT 'Wishlist',
    is_public       boolean NOT NULL DEFAULT false,
    share_token     uuid UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX wishlists_customer_idx ON sales.wishlists (customer_id);

CREATE TABLE sales.wishlist_items (
    wishlist_id     bigint NOT NULL REFERENCES sales.wishlists ON DELETE CASCADE,
    variant_id      bigint NOT NULL REFERENCES catalog.product_variants ON DELETE CASCADE,
    added_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (wishlist_id, variant_id)
);

CREATE TABLE sales.gift_cards (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code_hash       bytea NOT NULL UNIQUE,
    last4           char(4) NOT NULL,
    currency_code   char(3) NOT NULL REFERENCES core.currencies,
    initial_balance core.money_amount NOT NULL CHECK (initial_balance > 0),
    balance         core.money_amount NOT NULL,
    purchased_by    bigint REFERENCES core.customers ON DELETE SET NULL,
    expires_on      date,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT gift_cards_balance_check CHECK (balance BETWEEN 0 AND initial_balance)
);

CREATE TABLE sales.gift_card_transactions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    gift_card_id    bigint NOT NULL REFERENCES sales.gift_cards,
    order_id        bigint REFERENCES sales.orders,
    amount          core.money_amount NOT NULL CHECK (amount <> 0),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX gift_card_transactions_card_idx ON sales.gift_card_transactions (gift_card_id, created_at);

-- =====================================================================================
-- billing
-- =====================================================================================
CREATE TABLE billing.payment_methods (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id     bigint NOT NULL REFERENCES core.customers ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('card', 'sepa_debit', 'paypal', 'invoice')),
    provider        text NOT NULL,
    provider_token  text NOT NULL,
    card_brand      text,
    last4           char(4),
    exp_month       smallint CHECK (exp_month BETWEEN 1 AND 12),
    exp_year        smallint,
    is_default      boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (provider, provider_token)
);
CREATE INDEX payment_methods_customer_idx ON billing.payment_methods (customer_id);

CREATE TABLE billing.payments (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id        bigint NOT NULL REFERENCES sales.orders,
    payment_method_id bigint REFERENCES billing.payment_methods,  -- smell: FK without index
    amount          core.money_amount NOT NULL CHECK (amount > 0),
    currency_code   char(3) NOT NULL REFERENCES core.currencies,
    status          billing.payment_status NOT NULL DEFAULT 'pending',
    provider        text NOT NULL,
    provider_reference text UNIQUE,
    failure_code    text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    authorized_at   timestamptz,
    captured_at     timestamptz
);
CREATE INDEX payments_order_idx ON billing.payments (order_id);

CREATE TABLE billing.refunds (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    payment_id      bigint NOT NULL REFERENCES billing.payments,
    amount          core.money_amount NOT NULL CHECK (amount > 0),
    reason          text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    requested_by    integer REFERENCES core.staff_users,
    provider_reference text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    processed_at    timestamptz
);
CREATE INDEX refunds_payment_idx ON billing.refunds (payment_id);

CREATE TABLE billing.tax_rates (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    country_code    char(2) NOT NULL REFERENCES core.countries,
    region          text,
    tax_category    text NOT NULL DEFAULT 'standard',
    rate            numeric(6,4) NOT NULL CHECK (rate >= 0 AND rate < 1),
    valid_from      date NOT NULL,
    valid_to        date,
    CONSTRAINT tax_rates_no_overlap EXCLUDE USING gist (
        country_code WITH =, coalesce(region, '') WITH =, tax_category WITH =,
        daterange(valid_from, valid_to) WITH &&)
);

CREATE TABLE billing.invoices (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_number  text NOT NULL UNIQUE,
    order_id        bigint NOT NULL REFERENCES sales.orders,
    seller_id       bigint NOT NULL REFERENCES core.sellers,
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('draft', 'open', 'paid', 'void')),
    currency_code   char(3) NOT NULL REFERENCES core.currencies,
    subtotal        core.money_amount NOT NULL,
    tax_total       core.money_amount NOT NULL,
    total           core.money_amount NOT NULL,
    issued_at       timestamptz NOT NULL DEFAULT now(),
    due_on          date NOT NULL,
    paid_at         timestamptz,
    pdf_url         text
);
CREATE INDEX invoices_order_idx ON billing.invoices (order_id);

CREATE TABLE billing.invoice_lines (
    invoice_id      bigint NOT NULL REFERENCES billing.invoices ON DELETE CASCADE,
    line_no         smallint NOT NULL,
    order_item_id   bigint REFERENCES sales.order_items,
    description     text NOT NULL,
    quantity        numeric(10,3) NOT NULL,
    unit_price      core.money_amount NOT NULL,
    tax_rate        numeric(6,4) NOT NULL,
    amount          core.money_amount NOT NULL,
    PRIMARY KEY (invoice_id, line_no)
);

CREATE TABLE billing.seller_payouts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seller_id       bigint NOT NULL REFERENCES core.sellers,
    period          daterange NOT NULL,
    amount          core.money_amount NOT NULL,
    currency_code   char(3) NOT NULL REFERENCES core.currencies,
    status          text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'sent', 'failed')),
    bank_reference  text,
    paid_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT seller_payouts_no_overlap EXCLUDE USING gist (seller_id WITH =, period WITH &&)
);

CREATE TABLE billing.ledger_entries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seller_id       bigint NOT NULL REFERENCES core.sellers,
    order_id        bigint REFERENCES sales.orders,
    payout_id       bigint REFERENCES billing.seller_payouts,
    entry_type      text NOT NULL CHECK (entry_type IN ('sale', 'commission', 'refund', 'payout', 'adjustment')),
    amount          double precision NOT NULL,        -- smell: floating-point money
    currency_code   char(3) NOT NULL REFERENCES core.currencies,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_entries_seller_idx ON billing.ledger_entries (seller_id, created_at);

-- =====================================================================================
-- shipping
-- =====================================================================================
CREATE TABLE shipping.carriers (
    id              smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            text NOT NULL UNIQUE,
    name            text NOT NULL,
    tracking_url_template text
);

CREATE TABLE shipping.shipping_methods (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    carrier_id      smallint NOT NULL REFERENCES shipping.carriers,
    code            text NOT NULL,
    name            text NOT NULL,
    min_days        smallint NOT NULL,
    max_days        smallint NOT NULL,
    base_price      core.money_amount NOT NULL,
    is_active       boolean NOT NULL DEFAULT true,
    UNIQUE (carrier_id, code),
    CHECK (min_days <= max_days)
);

CREATE TABLE shipping.shipments (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id        bigint NOT NULL REFERENCES sales.orders,
    warehouse_id    integer NOT NULL REFERENCES inventory.warehouses,
    carrier_id      smallint NOT NULL REFERENCES shipping.carriers,
    shipping_method_id integer REFERENCES shipping.shipping_methods,
    tracking_number text,
    status          shipping.shipment_status NOT NULL DEFAULT 'label_created',
    weight_grams    integer,
    shipped_at      timestamptz,
    delivered_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (carrier_id, tracking_number)
);
CREATE INDEX shipments_order_idx ON shipping.shipments (order_id);

CREATE TABLE shipping.shipment_items (
    shipment_id     bigint NOT NULL REFERENCES shipping.shipments ON DELETE CASCADE,
    order_item_id   bigint NOT NULL REFERENCES sales.order_items,
    quantity        core.positive_qty NOT NULL,
    PRIMARY KEY (shipment_id, order_item_id)
);

CREATE TABLE shipping.tracking_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shipment_id     bigint NOT NULL REFERENCES shipping.shipments ON DELETE CASCADE,
    status          text NOT NULL,
    location        text,
    description     text,
    occurred_at     timestamp NOT NULL,               -- smell: timestamp without time zone
    raw_payload     jsonb,
    received_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tracking_events_shipment_idx ON shipping.tracking_events (shipment_id);

CREATE TABLE shipping.returns (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id        bigint NOT NULL REFERENCES sales.orders,
    customer_id     bigint NOT NULL REFERENCES core.customers,
    status          shipping.return_status NOT NULL DEFAULT 'requested',
    reason          text NOT NULL,
    refund_id       bigint REFERENCES billing.refunds,
    requested_at    timestamptz NOT NULL DEFAULT now(),
    received_at     timestamptz
);
CREATE INDEX returns_order_idx ON shipping.returns (order_id);

CREATE TABLE shipping.return_items (
    return_id       bigint NOT NULL REFERENCES shipping.returns ON DELETE CASCADE,
    order_item_id   bigint NOT NULL REFERENCES sales.order_items,
    quantity        core.positive_qty NOT NULL,
    condition       text CHECK (condition IN ('new', 'opened', 'damaged')),
    PRIMARY KEY (return_id, order_item_id)
);

-- =====================================================================================
-- support (multi-tenant by seller, row level security)
-- =====================================================================================
CREATE TABLE support.tickets (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seller_id       bigint NOT NULL REFERENCES core.sellers,
    customer_id     bigint REFERENCES core.customers,
    order_id        bigint REFERENCES sales.orders,   -- smell: FK without index
    subject         text NOT NULL,
    status          support.ticket_status NOT NULL DEFAULT 'open',
    priority        smallint NOT NULL DEFAULT 2 CHECK (priority BETWEEN 1 AND 4),
    assigned_to     integer REFERENCES core.staff_users,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    closed_at       timestamptz
);
CREATE INDEX tickets_seller_idx ON support.tickets (seller_id);
CREATE INDEX tickets_subject_trgm_idx ON support.tickets USING gin (subject gin_trgm_ops);
COMMENT ON TABLE support.tickets IS 'Support tickets; each seller sees only its own rows (RLS)';

ALTER TABLE support.tickets ENABLE ROW LEVEL SECURITY;
CREATE POLICY tickets_seller_isolation ON support.tickets
    USING (seller_id = nullif(current_setting('app.current_seller_id', true), '')::bigint)
    WITH CHECK (seller_id = nullif(current_setting('app.current_seller_id', true), '')::bigint);
COMMENT ON POLICY tickets_seller_isolation ON support.tickets IS
    'Applications set app.current_seller_id per transaction';

CREATE TABLE support.ticket_messages (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id       bigint NOT NULL REFERENCES support.tickets ON DELETE CASCADE,
    author_kind     text NOT NULL CHECK (author_kind IN ('customer', 'seller', 'staff', 'system')),
    author_ref      text,
    body            text NOT NULL,
    attachments     jsonb NOT NULL DEFAULT '[]',
    is_internal     boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_messages_ticket_idx ON support.ticket_messages (ticket_id, created_at);

CREATE TABLE support.canned_responses (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seller_id       bigint REFERENCES core.sellers ON DELETE CASCADE,
    title           text NOT NULL,
    body            text NOT NULL,
    created_by      integer REFERENCES core.staff_users,
    UNIQUE NULLS NOT DISTINCT (seller_id, title)
);

-- =====================================================================================
-- audit
-- =====================================================================================
CREATE TABLE audit.audit_log (
    id              bigint GENERATED ALWAYS AS IDENTITY,
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    actor_type      text NOT NULL CHECK (actor_type IN ('customer', 'seller', 'staff', 'system')),
    actor_id        text,
    action          text NOT NULL,
    entity_type     text NOT NULL,
    entity_id       text NOT NULL,
    old_values      jsonb,
    new_values      jsonb,
    ip_address      inet,
    PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);
COMMENT ON TABLE audit.audit_log IS 'Append-only audit trail, one partition per month';

CREATE TABLE audit.audit_log_2025_01 PARTITION OF audit.audit_log
    FOR VALUES FROM ('2025-01-01 00:00:00+00') TO ('2025-02-01 00:00:00+00');
CREATE TABLE audit.audit_log_2025_02 PARTITION OF audit.audit_log
    FOR VALUES FROM ('2025-02-01 00:00:00+00') TO ('2025-03-01 00:00:00+00');
CREATE TABLE audit.audit_log_2025_03 PARTITION OF audit.audit_log
    FOR VALUES FROM ('2025-03-01 00:00:00+00') TO ('2025-04-01 00:00:00+00');
CREATE TABLE audit.audit_log_2025_04 PARTITION OF audit.audit_log
    FOR VALUES FROM ('2025-04-01 00:00:00+00') TO ('2025-05-01 00:00:00+00');
CREATE TABLE audit.audit_log_default PARTITION OF audit.audit_log DEFAULT;

CREATE INDEX audit_log_entity_idx ON audit.audit_log (entity_type, entity_id);

-- clickstream / domain events, insert-only and naturally ordered by time
CREATE TABLE audit.events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    event_type      text NOT NULL,
    customer_id     bigint,
    session_id      uuid,
    properties      jsonb NOT NULL DEFAULT '{}'
);
COMMENT ON TABLE audit.events IS 'Append-only event stream (page views, add-to-cart, checkout steps)';

-- =====================================================================================
-- updated_at triggers
-- =====================================================================================
CREATE TRIGGER customers_set_updated_at BEFORE UPDATE ON core.customers
    FOR EACH ROW EXECUTE FUNCTION core.set_updated_at();
CREATE TRIGGER sellers_set_updated_at BEFORE UPDATE ON core.sellers
    FOR EACH ROW EXECUTE FUNCTION core.set_updated_at();
CREATE TRIGGER products_set_updated_at BEFORE UPDATE ON catalog.products
    FOR EACH ROW EXECUTE FUNCTION core.set_updated_at();
CREATE TRIGGER product_variants_set_updated_at BEFORE UPDATE ON catalog.product_variants
    FOR EACH ROW EXECUTE FUNCTION core.set_updated_at();
CREATE TRIGGER stock_levels_set_updated_at BEFORE UPDATE ON inventory.stock_levels
    FOR EACH ROW EXECUTE FUNCTION core.set_updated_at();
CREATE TRIGGER carts_set_updated_at BEFORE UPDATE ON sales.carts
    FOR EACH ROW EXECUTE FUNCTION core.set_updated_at();
CREATE TRIGGER orders_set_updated_at BEFORE UPDATE ON sales.orders
    FOR EACH ROW EXECUTE FUNCTION core.set_updated_at();
CREATE TRIGGER tickets_set_updated_at BEFORE UPDATE ON support.tickets
    FOR EACH ROW EXECUTE FUNCTION core.set_updated_at();

-- order status changes are recorded automatically
CREATE FUNCTION sales.record_order_status_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO sales.order_status_history (order_id, from_status, to_status)
    VALUES (NEW.id, OLD.status, NEW.status);
    RETURN NULL;
END;
$$;
CREATE TRIGGER orders_record_status_change AFTER UPDATE OF status ON sales.orders
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION sales.record_order_status_change();

-- =====================================================================================
-- views
-- =====================================================================================
CREATE VIEW catalog.active_product_listing AS
SELECT p.id              AS product_id,
       p.seller_id,
       s.display_name    AS seller_name,
       p.name,
       p.slug,
       b.name            AS brand,
       min(v.price)      AS min_price,
       max(v.price)      AS max_price,
       count(v.id)       AS variant_count,
       p.published_at
  FROM catalog.products p
  JOIN core.sellers s ON s.id = p.seller_id
  LEFT JOIN catalog.brands b ON b.id = p.brand_id
  JOIN catalog.product_variants v ON v.product_id = p.id AND v.is_active
 WHERE p.status = 'active' AND s.status = 'active'
 GROUP BY p.id, s.display_name, b.name;

CREATE VIEW inventory.variant_availability AS
SELECT variant_id,
       sum(on_hand)              AS on_hand,
       sum(reserved)             AS reserved,
       sum(on_hand - reserved)   AS available,
       count(*)                  AS warehouses
  FROM inventory.stock_levels
 GROUP BY variant_id;

CREATE VIEW sales.order_summaries AS
SELECT o.id,
       o.order_number,
       o.customer_id,
       c.email                   AS customer_email,
       o.status,
       o.grand_total,
       o.currency_code,
       count(oi.id)              AS item_lines,
       coalesce(sum((oi.quantity)::integer), 0) AS units,
       o.placed_at
  FROM sales.orders o
  JOIN core.customers c ON c.id = o.customer_id
  LEFT JOIN sales.order_items oi ON oi.order_id = o.id
 GROUP BY o.id, c.email;

CREATE VIEW support.open_tickets WITH (security_barrier = true) AS
SELECT t.id, t.seller_id, t.subject, t.status, t.priority, t.assigned_to, t.created_at,
       (SELECT max(m.created_at) FROM support.ticket_messages m WHERE m.ticket_id = t.id) AS last_message_at
  FROM support.tickets t
 WHERE t.status IN ('open', 'pending', 'on_hold');

CREATE MATERIALIZED VIEW billing.daily_seller_revenue AS
SELECT date_trunc('day', o.placed_at AT TIME ZONE 'UTC')::date AS day,
       oi.seller_id,
       o.currency_code,
       count(DISTINCT o.id)      AS orders,
       sum(oi.line_total)        AS revenue
  FROM sales.orders o
  JOIN sales.order_items oi ON oi.order_id = o.id
 WHERE o.status IN ('paid', 'fulfilling', 'shipped', 'delivered')
 GROUP BY 1, 2, 3
WITH NO DATA;
CREATE UNIQUE INDEX daily_seller_revenue_key ON billing.daily_seller_revenue (day, seller_id, currency_code);
COMMENT ON MATERIALIZED VIEW billing.daily_seller_revenue IS 'Refreshed nightly (REFRESH ... CONCURRENTLY)';
