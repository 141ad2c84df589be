-- sluice:no-transaction
-- Undo 0003: drop the orders(user_id) index without blocking writes.
DROP INDEX CONCURRENTLY IF EXISTS orders_user_id_idx;
