-- The campaign agent an answered call was offered to first, so that two
-- calls answered at the same moment are offered to two different agents.

-- +goose Up
ALTER TABLE outreach_attempts ADD COLUMN offered_to bigint REFERENCES agents(id);
CREATE INDEX outreach_attempts_offered_to ON outreach_attempts (offered_to) WHERE live;

-- +goose Down
DROP INDEX outreach_attempts_offered_to;
ALTER TABLE outreach_attempts DROP COLUMN offered_to;
