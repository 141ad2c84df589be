-- Create the orders table: each order belongs to a user and has a non-negative amount.
CREATE TABLE orders (
    id         bigint        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    amount     numeric(12,2) NOT NULL CHECK (amount >= 0),
    status     text          NOT NULL DEFAULT 'pending',
    created_at timestamptz   NOT NULL DEFAULT now()
);
