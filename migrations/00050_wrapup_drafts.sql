-- What an agent has typed in the wrap-up so far, saved as they type: when
-- the wrap-up time runs out before they finish, the interaction is
-- completed with this rather than with nothing. A row lives until the
-- wrap-up is recorded, by the agent or by the timeout.

-- +goose Up
CREATE TABLE wrapup_drafts (
    interaction_id bigint PRIMARY KEY REFERENCES interactions(id) ON DELETE CASCADE,
    agent_id bigint NOT NULL REFERENCES agents(id),
    disposition text NOT NULL DEFAULT '',
    notes text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE wrapup_drafts;
