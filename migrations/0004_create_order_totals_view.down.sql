-- Undo 0004: drop the order_totals view.
DROP VIEW order_totals;
