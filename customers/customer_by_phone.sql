-- customer_by_phone is the customer who owns a number (E.164): the oldest
-- customer whose main phone it is, else the oldest whose alternative phone
-- it is; no row for a number no customer has. It is the one statement of
-- that rule. customers.ByPhone, customers.Identify and the view's lookup by
-- phone read through it from Go; sms_receive (channels/twiliosms) calls it
-- inside Postgres, to store a text in one round trip.
--
-- One SELECT in LANGUAGE sql, STABLE and not STRICT: Postgres inlines it
-- into the calling query and plans it as if written there, two index scans
-- and the second only when the first finds nothing.
CREATE OR REPLACE FUNCTION customer_by_phone(p_phone text) RETURNS SETOF customers
LANGUAGE sql STABLE AS $$
    SELECT * FROM customers WHERE id = coalesce(
        (SELECT id FROM customers WHERE phone = p_phone ORDER BY id LIMIT 1),
        (SELECT id FROM customers WHERE phone_alt = p_phone ORDER BY id LIMIT 1))
$$;
