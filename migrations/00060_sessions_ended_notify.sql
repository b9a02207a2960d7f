-- A session that ends (logout, an operator's DELETE, an agent removed) or
-- an agent deactivated tells every node's desk, on commit, so the desk
-- sockets opened with it close at once wherever they are. The payload is
-- "s" and the session's token hash in hex, or "a" and the agent's id.
-- A change of expiry is told too, so desks re-arm their expiry timers.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION sessions_ended_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'agents' THEN
        PERFORM pg_notify('sessions_ended', 'a' || NEW.id::text);
    ELSE
        PERFORM pg_notify('sessions_ended', 's' || encode(OLD.token_hash, 'hex'));
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER sessions_ended_notify AFTER DELETE OR UPDATE OF expires_at ON sessions
    FOR EACH ROW EXECUTE FUNCTION sessions_ended_notify();
CREATE TRIGGER agents_deactivated_notify AFTER UPDATE OF active ON agents
    FOR EACH ROW WHEN (OLD.active AND NOT NEW.active) EXECUTE FUNCTION sessions_ended_notify();

-- +goose Down
DROP TRIGGER agents_deactivated_notify ON agents;
DROP TRIGGER sessions_ended_notify ON sessions;
DROP FUNCTION sessions_ended_notify();
