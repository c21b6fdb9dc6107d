-- examples/shop/workload.sql
-- Typical application queries against examples/shop/schema.sql. Each statement is preceded by
--   -- name: <snake_case_name>
--   -- weight: <calls per minute at peak>
-- Constants stand in for bind parameters. Several queries are deliberately not served well by
-- the indexes in schema.sql (see the "-- hint:" lines): they want a composite, covering,
-- partial, expression, trigram or BRIN index.

-- name: customer_login_lookup
-- weight: 600
-- hint: expression index on lower(email); the UNIQUE index on email is case-sensitive
SELECT id, password_hash, status
  FROM core.customers
 WHERE lower(email) = lower('Alice.Martin@Example.com')
   AND deleted_at IS NULL;

-- name: session_lookup
-- weight: 9000
SELECT s.id, s.customer_id, s.expires_at
  FROM core.customer_sessions s
 WHERE s.id = '6f1c2a9e-4b7d-4c1e-9a53-2f0d8e7b1c44'
   AND s.revoked_at IS NULL
   AND s.expires_at > now();

-- name: session_touch
-- weight: 3000
UPDATE core.customer_sessions
   SET last_seen_at = now()
 WHERE id = '6f1c2a9e-4b7d-4c1e-9a53-2f0d8e7b1c44';

-- name: product_search_by_name
-- weight: 1500
-- hint: trigram GIN index on products.name (gin_trgm_ops) for ILIKE '%...%'
SELECT p.id, p.name, p.slug, p.published_at
  FROM catalog.products p
 WHERE p.status = 'active'
   AND p.name ILIKE '%wireless headphones%'
 ORDER BY p.published_at DESC
 LIMIT 24;

-- name: product_page
-- weight: 4000
SELECT p.id, p.name, p.description, p.attributes, b.name AS brand, s.display_name AS seller
  FROM catalog.products p
  JOIN core.sellers s ON s.id = p.seller_id
  LEFT JOIN catalog.brands b ON b.id = p.brand_id
 WHERE p.seller_id = 42
   AND p.slug = 'noise-cancelling-over-ear-headphones'
   AND p.status = 'active';

-- name: product_variants_for_page
-- weight: 4000
-- hint: covering index on product_variants (product_id) INCLUDE (sku, title, price, is_active)
SELECT id, sku, title, price, is_active
  FROM catalog.product_variants
 WHERE product_id = 18231
 ORDER BY id;

-- name: category_subtree
-- weight: 800
WITH RECURSIVE tree AS (
    SELECT id, parent_id, name, 0 AS depth
      FROM catalog.categories
     WHERE id = 17
    UNION ALL
    SELECT c.id, c.parent_id, c.name, t.depth + 1
      FROM catalog.categories c
      JOIN tree t ON c.parent_id = t.id
     WHERE c.is_active
)
SELECT id, parent_id, name, depth FROM tree ORDER BY depth, name;

-- name: category_product_listing
-- weight: 2500
SELECT p.id, p.name, p.slug, p.published_at
  FROM catalog.product_categories pc
  JOIN catalog.products p ON p.id = pc.product_id
 WHERE pc.category_id = 17
   AND p.status = 'active'
 ORDER BY p.published_at DESC
 LIMIT 48 OFFSET 0;

-- name: products_by_attribute
-- weight: 300
SELECT id, name
  FROM catalog.products
 WHERE attributes @> '{"color": "black", "connectivity": "bluetooth"}'
   AND status = 'active'
 LIMIT 50;

-- name: product_reviews_page
-- weight: 1200
-- hint: composite index on reviews (product_id, status, created_at DESC)
SELECT r.id, r.rating, r.title, r.body, r.verified_purchase, r.helpful_count, r.created_at
  FROM catalog.reviews r
 WHERE r.product_id = 18231
   AND r.status = 'published'
 ORDER BY r.created_at DESC
 LIMIT 10;

-- name: cart_contents
-- weight: 2000
SELECT ci.variant_id, ci.quantity, ci.unit_price, v.sku, v.title, p.name AS product_name
  FROM sales.cart_items ci
  JOIN catalog.product_variants v ON v.id = ci.variant_id
  JOIN catalog.products p ON p.id = v.product_id
 WHERE ci.cart_id = 'b8e7f3d2-51a4-4d8e-8c3f-0a9b6e2d7f10'
 ORDER BY ci.added_at;

-- name: cart_add_item
-- weight: 700
INSERT INTO sales.cart_items (cart_id, variant_id, quantity, unit_price)
VALUES ('b8e7f3d2-51a4-4d8e-8c3f-0a9b6e2d7f10', 55012, 1, 79.90)
ON CONFLICT (cart_id, variant_id)
DO UPDATE SET quantity = sales.cart_items.quantity + EXCLUDED.quantity;

-- name: stock_availability_for_variant
-- weight: 2500
-- hint: index on stock_levels (variant_id); the primary key leads with warehouse_id
SELECT sum(on_hand - reserved) AS available
  FROM inventory.stock_levels
 WHERE variant_id = 55012;

-- name: reserve_stock
-- weight: 400
UPDATE inventory.stock_levels
   SET reserved = reserved + 2
 WHERE warehouse_id = 3
   AND variant_id = 55012
   AND on_hand - reserved >= 2;

-- name: record_stock_movement
-- weight: 400
INSERT INTO inventory.stock_movements (warehouse_id, variant_id, quantity, reason, reference_type, reference_id)
VALUES (3, 55012, -2, 'sale', 'order', 100045);

-- name: customer_order_history
-- weight: 900
-- hint: composite index on orders (customer_id, placed_at DESC) instead of (customer_id) alone
SELECT id, order_number, status, grand_total, currency_code, placed_at
  FROM sales.orders
 WHERE customer_id = 73120
 ORDER BY placed_at DESC
 LIMIT 20;

-- name: order_detail_items
-- weight: 1100
SELECT oi.id, oi.product_name, oi.sku, oi.quantity, oi.unit_price, oi.line_total, oi.fulfillment_status
  FROM sales.order_items oi
 WHERE oi.order_id = 100045
 ORDER BY oi.id;

-- name: expire_pending_orders
-- weight: 2
-- hint: partial index on orders (created_at) WHERE status = 'pending'
SELECT id, order_number, customer_id
  FROM sales.orders
 WHERE status = 'pending'
   AND created_at < now() - interval '30 minutes'
 ORDER BY created_at
 LIMIT 500;

-- name: mark_order_paid
-- weight: 250
UPDATE sales.orders
   SET status = 'paid', placed_at = coalesce(placed_at, now())
 WHERE id = 100045
   AND status = 'pending';

-- name: coupon_lookup
-- weight: 120
SELECT id, discount_type, discount_value, min_order_total, max_redemptions, redemption_count
  FROM sales.coupons
 WHERE code = 'SPRING25'
   AND is_active
   AND valid_from <= now()
   AND (valid_until IS NULL OR valid_until > localtimestamp);

-- name: payment_by_provider_reference
-- weight: 300
SELECT id, order_id, status, amount, currency_code
  FROM billing.payments
 WHERE provider_reference = 'pi_3OqZ8fLkdIwHu7ix0k1b2c3d';

-- name: seller_open_invoices
-- weight: 60
-- hint: composite or partial index on invoices (seller_id, due_on) WHERE status = 'open'
SELECT id, invoice_number, total, currency_code, due_on
  FROM billing.invoices
 WHERE seller_id = 42
   AND status = 'open'
 ORDER BY due_on;

-- name: shipment_tracking_timeline
-- weight: 700
SELECT te.status, te.location, te.description, te.occurred_at
  FROM shipping.tracking_events te
  JOIN shipping.shipments s ON s.id = te.shipment_id
 WHERE s.order_id = 100045
 ORDER BY te.occurred_at DESC;

-- name: stuck_shipments_by_carrier
-- weight: 1
-- hint: partial index on shipments (carrier_id, shipped_at) WHERE status = 'in_transit'
SELECT id, order_id, tracking_number, shipped_at
  FROM shipping.shipments
 WHERE carrier_id = 2
   AND status = 'in_transit'
   AND shipped_at < now() - interval '7 days';

-- name: seller_open_tickets
-- weight: 200
-- hint: composite index on tickets (seller_id, status, priority DESC, created_at)
SELECT id, subject, status, priority, assigned_to, created_at
  FROM support.tickets
 WHERE seller_id = 42
   AND status IN ('open', 'pending')
 ORDER BY priority DESC, created_at
 LIMIT 50;

-- name: customer_admin_search
-- weight: 20
-- hint: trigram indexes on customers (last_name) and (email)
SELECT id, email, first_name, last_name, status
  FROM core.customers
 WHERE last_name ILIKE '%müller%'
    OR email ILIKE '%mueller%'
 ORDER BY last_name, first_name
 LIMIT 50;

-- name: audit_actions_per_day
-- weight: 1
-- hint: BRIN index on audit_log (occurred_at): append-only, physically ordered by time
SELECT action, count(*) AS actions
  FROM audit.audit_log
 WHERE occurred_at >= '2025-03-10 00:00:00+00'
   AND occurred_at <  '2025-03-11 00:00:00+00'
 GROUP BY action
 ORDER BY actions DESC;

-- name: events_funnel_window
-- weight: 4
-- hint: BRIN index on events (occurred_at) for time-range scans of the append-only stream
SELECT event_type, count(*) AS events, count(DISTINCT session_id) AS sessions
  FROM audit.events
 WHERE occurred_at BETWEEN '2025-03-01 00:00:00+00' AND '2025-03-01 06:00:00+00'
   AND event_type IN ('product_view', 'add_to_cart', 'checkout_started', 'order_placed')
 GROUP BY event_type;

-- name: record_event
-- weight: 6000
INSERT INTO audit.events (event_type, customer_id, session_id, properties)
VALUES ('product_view', 73120, '6f1c2a9e-4b7d-4c1e-9a53-2f0d8e7b1c44', '{"product_id": 18231, "source": "search"}');

-- name: write_audit_entry
-- weight: 900
INSERT INTO audit.audit_log (actor_type, actor_id, action, entity_type, entity_id, old_values, new_values)
VALUES ('customer', '73120', 'order.cancel', 'order', '100045', '{"status": "pending"}', '{"status": "cancelled"}');
