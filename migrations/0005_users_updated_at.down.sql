-- Undo 0005: drop the trigger, its function and the updated_at column, in reverse order.
DROP TRIGGER users_touch_updated_at ON users;
DROP FUNCTION touch_updated_at();
ALTER TABLE users DROP COLUMN updated_at;
