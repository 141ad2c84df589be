-- Undo 0001: drop the users table.
DROP TABLE users;
