-- Undo 0002: drop the orders table.
DROP TABLE orders;
