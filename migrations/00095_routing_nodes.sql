-- +goose Up
-- The routing engines running now, one row per server process, each beating
-- every few seconds. When Redis loses the routing state, the process that
-- rebuilds it waits until every live engine has written the records of the
-- decisions it made before the loss: otherwise the rebuild could read an
-- interaction as live whose ending is still on its way to Postgres.
CREATE TABLE routing_nodes (
    scope    text NOT NULL,  -- the Redis prefix and contact centre the engine routes
    node     text NOT NULL,  -- random per process start
    beat_at  timestamptz NOT NULL,
    PRIMARY KEY (scope, node)
);

-- +goose Down
DROP TABLE routing_nodes;
