-- Every change to an outbound task tells the desks, on commit, whose task
-- list changed: whichever code path wrote it (a rule, the preview dialer,
-- an outcome, a call that reached nobody, a cancelled campaign), the
-- agent's desk shows the new list without a reload. Postgres folds
-- identical notifications of one transaction into one, so cancelling a
-- campaign sends one per agent, not one per task.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION outbound_tasks_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbound_tasks', NEW.agent_id::text);
    IF TG_OP = 'UPDATE' AND OLD.agent_id <> NEW.agent_id THEN
        PERFORM pg_notify('outbound_tasks', OLD.agent_id::text);
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER outbound_tasks_notify AFTER INSERT OR UPDATE ON outbound_tasks
    FOR EACH ROW EXECUTE FUNCTION outbound_tasks_notify();

-- +goose Down
DROP TRIGGER outbound_tasks_notify ON outbound_tasks;
DROP FUNCTION outbound_tasks_notify();
