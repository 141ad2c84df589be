-- Undo 0006: drop the order_statuses lookup table and its seed rows.
DROP TABLE order_statuses;
