-- The SMS channel's storing of an inbound text, inside Postgres: the
-- duplicate check, the sender, the consent change, the thread and the
-- message in one statement, so a webhook costs one round trip (it used to
-- take a transaction of seven, and under load the round trips, not the
-- work, were the cost). The rules are described, for Go readers, in the
-- twiliosms package comment; this file is their one statement.
--
-- twiliosms.New defines these functions with CREATE OR REPLACE (through
-- pgdb.Define) before the channel serves a webhook, so they always match
-- the Go code that reads their answers. CREATE OR REPLACE cannot change a
-- function's parameters or result columns: a change of signature needs a
-- function of a new name, since nodes still running the previous version
-- call the old one until they stop. Migration 00021 first created them and
-- the index interactions_campaign_sms that a campaign reply's lookup uses.
-- They call customer_by_phone, which customers.Prepare defines.

-- sms_receive stores one inbound text and says what it decided:
--   dup           a retry of a stored text (same MessageSid): nothing changed
--   message_id    the stored message; 0 for a keyword that opened no thread
--   thread_id     its interaction; thread_agent is the agent serving it or 0
--   opened        a new thread (or a reopened campaign text) that must be routed
--   customer_id, customer_tier, customer_rm   who sent it (0, 'mass', 0 if unknown)
-- p_keyword is '', 'stop', 'start' or 'help' (twiliosms parses the text);
-- p_word is the keyword as written, the consent change's source. A thread is
-- open if its last message (or start) is after p_since; the last message is
-- the last stored, read from the (interaction_id, id) index rather than by
-- scanning the whole thread for its latest created_at.
--
-- Texts from one number are serialised by an advisory lock taken first, and
-- every step after it reads with a snapshot of its own (plpgsql), so two
-- texts that arrive together join one thread, and a retry racing its first
-- copy finds it stored.
CREATE OR REPLACE FUNCTION sms_receive(p_sid text, p_from text, p_to text, p_body text, p_media text[],
    p_keyword text, p_word text, p_since timestamptz, p_queue text, p_now timestamptz,
    OUT dup boolean, OUT message_id bigint, OUT thread_id bigint, OUT thread_agent bigint,
    OUT opened boolean, OUT customer_id bigint, OUT customer_tier text, OUT customer_rm bigint)
LANGUAGE plpgsql AS $$
DECLARE
    lang text := '';
BEGIN
    dup := false; message_id := 0; thread_id := 0; thread_agent := 0; opened := false;
    customer_id := 0; customer_tier := 'mass'; customer_rm := 0;
    PERFORM pg_advisory_xact_lock(hashtext('sms:' || p_from));

    SELECT m.id, m.interaction_id INTO message_id, thread_id FROM messages m WHERE m.provider_sid = p_sid;
    IF FOUND THEN
        dup := true;
        RETURN;
    END IF;
    message_id := 0;
    thread_id := 0;
    -- A keyword that opened no thread is kept only as a consent change.
    IF p_keyword <> '' AND EXISTS (SELECT 1 FROM consent_changes c
            WHERE c.phone = p_from AND c.detail = p_sid AND c.source LIKE 'sms:%') THEN
        dup := true;
        RETURN;
    END IF;

    -- Who owns the number is customers' rule (customer_by_phone.sql).
    SELECT c.id, c.value_tier, c.language, COALESCE(c.rm_id, 0)
        INTO customer_id, customer_tier, lang, customer_rm
        FROM customer_by_phone(p_from) c;
    IF NOT FOUND THEN
        customer_id := 0; customer_tier := 'mass'; lang := ''; customer_rm := 0;
    END IF;

    -- STOP and START apply to every customer with the number, as
    -- channels.RecordConsent does for other sources.
    IF p_keyword IN ('stop', 'start') THEN
        INSERT INTO consent_changes (customer_id, phone, kind, opted_out, source, detail, at)
            VALUES (NULLIF(customer_id, 0), p_from, 'sms', p_keyword = 'stop', 'sms:' || p_word, p_sid, p_now);
        UPDATE customers SET opt_out_sms = (p_keyword = 'stop'), updated_at = p_now
            WHERE phone = p_from OR phone_alt = p_from;
    END IF;

    SELECT i.id, COALESCE(i.agent_id, 0) INTO thread_id, thread_agent FROM interactions i
        WHERE i.channel = 'sms' AND i.from_addr = p_from AND i.state IN ('queued', 'offered', 'connected')
          AND COALESCE((SELECT m.created_at FROM messages m WHERE m.interaction_id = i.id ORDER BY m.id DESC LIMIT 1),
                       i.created_at) > p_since
        ORDER BY i.created_at DESC LIMIT 1;
    IF NOT FOUND THEN
        thread_id := 0; thread_agent := 0;
        IF p_keyword <> '' THEN
            -- A keyword alone opens no conversation for an agent.
            RETURN;
        END IF;
        -- A reply to a campaign's text joins that text's interaction, queued
        -- again and routed like a new thread.
        SELECT i.id INTO thread_id FROM interactions i
            WHERE i.channel = 'sms' AND i.from_addr = p_from AND i.direction = 'outbound' AND i.state = 'done'
              AND i.end_reason = 'campaign_sms'
              AND COALESCE((SELECT m.created_at FROM messages m WHERE m.interaction_id = i.id ORDER BY m.id DESC LIMIT 1),
                           i.created_at) > p_since
            ORDER BY i.created_at DESC LIMIT 1 FOR UPDATE;
        IF FOUND THEN
            UPDATE interactions i SET state = 'queued', queue = p_queue, tier = customer_tier,
                    customer_id = COALESCE(i.customer_id, NULLIF(sms_receive.customer_id, 0)), ended_at = NULL, end_reason = ''
                WHERE i.id = thread_id RETURNING COALESCE(i.agent_id, 0) INTO thread_agent;
            INSERT INTO interaction_events (interaction_id, at, kind, data)
                VALUES (thread_id, p_now, 'reopened', jsonb_build_object('reason', 'campaign_reply', 'message_sid', p_sid));
        ELSE
            INSERT INTO interactions (channel, direction, state, customer_id, queue, tier, from_addr, to_addr, language, created_at)
                VALUES ('sms', 'inbound', 'queued', NULLIF(customer_id, 0), p_queue, customer_tier, p_from, p_to, lang, p_now)
                RETURNING id INTO thread_id;
            INSERT INTO interaction_events (interaction_id, at, kind, data)
                VALUES (thread_id, p_now, 'created', jsonb_build_object('message_sid', p_sid));
        END IF;
        opened := true;
    END IF;

    INSERT INTO messages (interaction_id, direction, body, media_urls, provider_sid, status, created_at, status_at)
        VALUES (thread_id, 'inbound', p_body, p_media, p_sid, 'received', p_now, p_now)
        RETURNING id INTO message_id;
END;
$$;

-- sms_receive_all stores a group of texts in one transaction, in the order
-- given, and returns sms_receive's answer for each, in the same order.
-- p_texts is a JSON array of {"sid", "from", "to", "body", "media": [urls],
-- "keyword", "word"}. Callers sort a group by number so that groups taking
-- the numbers' locks at once take them in one order.
CREATE OR REPLACE FUNCTION sms_receive_all(p_texts jsonb, p_since timestamptz, p_queue text, p_now timestamptz)
RETURNS TABLE (dup boolean, message_id bigint, thread_id bigint, thread_agent bigint,
    opened boolean, customer_id bigint, customer_tier text, customer_rm bigint)
LANGUAGE plpgsql AS $$
DECLARE
    t jsonb;
BEGIN
    -- A group holds the rows of several threads until it commits, and so can
    -- deadlock with another transaction that locks several of them (routing
    -- recording a group of decisions). Postgres would break the cycle only
    -- after deadlock_timeout (1 s); a group gives up much sooner, and its
    -- writer stores the texts one by one, each locking one thread.
    IF jsonb_array_length(p_texts) > 1 THEN
        PERFORM set_config('lock_timeout', '200ms', true);
    END IF;
    FOR t IN SELECT e.value FROM jsonb_array_elements(p_texts) WITH ORDINALITY AS e(value, n) ORDER BY e.n LOOP
        RETURN QUERY SELECT * FROM sms_receive(t->>'sid', t->>'from', t->>'to', t->>'body',
            ARRAY(SELECT jsonb_array_elements_text(t->'media')), t->>'keyword', t->>'word', p_since, p_queue, p_now);
    END LOOP;
END;
$$;
