-- Channels: what the voice, SMS and chat adapters need beyond the foundation.

-- +goose Up
-- A caller who chose to be called back keeps the place in the queue; the
-- number to dial is kept on the interaction so any node can place the call.
ALTER TABLE interactions ADD COLUMN callback_to text NOT NULL DEFAULT ''
    CHECK (callback_to = '' OR callback_to ~ '^\+[1-9][0-9]{6,14}$');
-- The language the caller chose in the IVR or the chat widget.
ALTER TABLE interactions ADD COLUMN language text NOT NULL DEFAULT ''
    CHECK (language IN ('', 'zh', 'en'));
-- The SMS thread lookup: the open thread of a number, newest first.
CREATE INDEX interactions_open_thread ON interactions (channel, from_addr, created_at DESC)
    WHERE state IN ('queued', 'offered', 'connected', 'wrapup');
-- When a message's status last changed, so a late, out-of-order callback
-- cannot move delivered back to sent.
ALTER TABLE messages ADD COLUMN status_at timestamptz;
ALTER TABLE messages ADD COLUMN error_code int;

-- +goose Down
ALTER TABLE messages DROP COLUMN error_code;
ALTER TABLE messages DROP COLUMN status_at;
DROP INDEX interactions_open_thread;
ALTER TABLE interactions DROP COLUMN language;
ALTER TABLE interactions DROP COLUMN callback_to;
