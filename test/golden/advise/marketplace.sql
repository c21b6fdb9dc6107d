CREATE INDEX events_occurred_at_idx ON ops.events (occurred_at) INCLUDE (kind);
CREATE INDEX CONCURRENTLY order_items_product_id_order_id_idx ON shop.order_items (product_id, order_id);
CREATE INDEX CONCURRENTLY orders_placed_at_idx ON shop.orders (placed_at);
CREATE INDEX CONCURRENTLY orders_user_id_placed_at_idx ON shop.orders (user_id, placed_at DESC) INCLUDE (grand_total, id, status);
CREATE INDEX CONCURRENTLY products_seller_id_idx ON shop.products (seller_id) WHERE status = 'active';
CREATE INDEX CONCURRENTLY shipments_shipped_at_idx ON shop.shipments (shipped_at) INCLUDE (carrier, id, order_id) WHERE delivered_at IS NULL;
CREATE INDEX CONCURRENTLY users_lower_email_idx ON shop.users ((lower(email))) INCLUDE (email, full_name, id, is_active);
