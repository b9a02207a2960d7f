-- Each routing record carries the number of the decision it records (the
-- centre's decision counter in Redis). A record whose commit was cut off by
-- a lost connection is written again until it is durable; the number makes
-- the second write find the first and add nothing.

-- +goose Up
ALTER TABLE interaction_events ADD COLUMN routing_seq bigint;
CREATE UNIQUE INDEX interaction_events_decision ON interaction_events (interaction_id, routing_seq)
    WHERE routing_seq IS NOT NULL;
ALTER TABLE agent_presence_events ADD COLUMN routing_seq bigint;
CREATE UNIQUE INDEX agent_presence_events_decision ON agent_presence_events (agent_id, routing_seq)
    WHERE routing_seq IS NOT NULL;

-- +goose Down
DROP INDEX agent_presence_events_decision;
ALTER TABLE agent_presence_events DROP COLUMN routing_seq;
DROP INDEX interaction_events_decision;
ALTER TABLE interaction_events DROP COLUMN routing_seq;
