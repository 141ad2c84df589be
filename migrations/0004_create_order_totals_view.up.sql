-- Create the order_totals view: order count and total amount per user (zero for users without orders).
CREATE VIEW order_totals AS
SELECT u.id                       AS user_id,
       u.email                    AS email,
       count(o.id)                AS order_count,
       coalesce(sum(o.amount), 0) AS total_amount
FROM users u
LEFT JOIN orders o ON o.user_id = u.id
GROUP BY u.id, u.email;
