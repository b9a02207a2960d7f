-- Routing decisions are taken in Redis in one order and recorded here by
-- several processes, which may commit in another. Each decision carries a
-- sequence number from Redis; a row is only changed by a newer one.

-- +goose Up
ALTER TABLE interactions ADD COLUMN routing_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE agent_presence ADD COLUMN routing_seq bigint NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE agent_presence DROP COLUMN routing_seq;
ALTER TABLE interactions DROP COLUMN routing_seq;
