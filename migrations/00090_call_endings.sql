-- +goose Up
-- The calls Twilio has told us have ended, by CallSid, whichever node heard
-- it and whether or not the call's interaction exists yet. A /voice webhook
-- that a paused node answers late never queues a call that has already
-- ended, and the voice sweep ends queued interactions whose call is gone.
CREATE TABLE call_endings (
    call_sid  text PRIMARY KEY CHECK (call_sid ~ '^CA[0-9a-fA-F]{32}$'),
    status    text NOT NULL,
    ended_at  timestamptz NOT NULL
);
CREATE INDEX call_endings_ended_at ON call_endings (ended_at);

-- +goose Down
DROP TABLE call_endings;
