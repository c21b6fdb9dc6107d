-- The marketplace's workload: what the application runs, with how often (weight: calls per
-- minute at peak) and sample parameter values. Used by `dbarch bench` (and the index
-- advisor). The indexes these queries need are known (see README.md in this directory).

-- name: order history of a customer
-- weight: 400
-- params: 42
SELECT id, status, grand_total, placed_at
FROM shop.orders
WHERE user_id = $1
ORDER BY placed_at DESC
LIMIT 20;

-- name: order lines
-- weight: 300
-- params: 1234
SELECT oi.line_no, oi.quantity, oi.unit_price, p.title
FROM shop.order_items oi
JOIN shop.products p ON p.id = oi.product_id
WHERE oi.order_id = $1
ORDER BY oi.line_no;

-- name: login by email
-- weight: 250
-- params: anna.smith1.1@example.com
SELECT id, full_name, is_active FROM shop.users WHERE lower(email) = lower($1);

-- name: seller's active products
-- weight: 120
-- params: 7
SELECT id, sku, title, price
FROM shop.products
WHERE seller_id = $1 AND status = 'active'
ORDER BY published_at DESC
LIMIT 50;

-- name: product search
-- weight: 80
-- params: %maple%
SELECT id, title, price FROM shop.products WHERE title ILIKE $1 AND status = 'active' LIMIT 50;

-- name: reviews of a product
-- weight: 90
-- params: 00000000-0000-4000-8000-000000000000
SELECT rating, body, created_at FROM shop.reviews WHERE product_id = $1::uuid ORDER BY created_at DESC LIMIT 10;

-- name: undelivered shipments
-- weight: 10
SELECT id, order_id, carrier, shipped_at FROM shop.shipments WHERE delivered_at IS NULL ORDER BY shipped_at;

-- name: events of last week
-- weight: 5
SELECT kind, count(*) FROM ops.events
WHERE occurred_at >= '2025-09-20' AND occurred_at < '2025-09-27'
GROUP BY kind;

-- name: revenue per day
-- weight: 2
SELECT date_trunc('day', placed_at) AS day, sum(grand_total)
FROM shop.orders
WHERE placed_at >= '2025-11-01' AND status <> 'cancelled'
GROUP BY 1 ORDER BY 1;

-- name: who bought a product
-- weight: 20
-- params: 00000000-0000-4000-8000-000000000000
SELECT DISTINCT o.user_id FROM shop.order_items oi JOIN shop.orders o ON o.id = oi.order_id
WHERE oi.product_id = $1::uuid;
