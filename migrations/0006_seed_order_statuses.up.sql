-- Create the order_statuses lookup table and seed it from a DO block.
CREATE TABLE order_statuses (
    code        text PRIMARY KEY,
    description text NOT NULL
);

DO $$
DECLARE
    seed text[] := ARRAY[
        ['pending',   'Created; waiting for payment'],
        ['paid',      'Paid; waiting to ship'],
        ['shipped',   'Handed to the carrier'],
        ['cancelled', 'Cancelled before shipping']
    ];
BEGIN
    FOR i IN 1 .. array_length(seed, 1) LOOP
        INSERT INTO order_statuses (code, description)
        VALUES (seed[i][1], seed[i][2])
        ON CONFLICT (code) DO NOTHING;
    END LOOP;
END
$$;
