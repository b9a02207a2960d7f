package routing

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"switchboard"
)

// wire checks t and turns it into what the scripts keep.
func (e *Engine) wire(ctx context.Context, t Task) (wireTask, error) {
	if t.InteractionID <= 0 {
		return wireTask{}, switchboard.Errorf(switchboard.ErrInvalid, "interaction id must be positive")
	}
	if _, err := switchboard.ParseChannel(string(t.Channel)); err != nil {
		return wireTask{}, err
	}
	if _, err := switchboard.ParseValueTier(string(t.Tier)); err != nil {
		return wireTask{}, err
	}
	q, err := e.queueNamed(ctx, t.Queue)
	if err != nil {
		return wireTask{}, err
	}
	at := t.EnqueuedAt
	if at.IsZero() {
		at = e.now()
	}
	a0 := at.UnixMilli()
	w := wireTask{ID: t.InteractionID, Ch: string(t.Channel), T: string(t.Tier), R: t.Tier.Rank(),
		Cu: t.CustomerID, P: t.PreferredAgent, A0: a0, E: a0, Sc: a0 - e.cfg.creditMs(t.Tier),
		RS: e.cfg.Rings[t.Tier].Milliseconds(), Sk: strList{}}
	if w.P != 0 {
		w.RU = a0 + e.cfg.RMWait.Milliseconds()
	}
	own := t.Skills
	if lang, err := e.languageSkill(ctx, t.Language, q); err != nil {
		return wireTask{}, err
	} else if lang != "" {
		own = append(slices.Clip(own), lang)
	}
	w.OS = skillSet(own)
	w.setQueue(q, own, a0)
	return w, nil
}

// setQueue applies queue q, whose timers start at since, with the task's own
// skills on top of the queue's.
func (w *wireTask) setQueue(q Queue, own []string, since int64) {
	w.Q = q.Name
	w.Sk = skillSet(own, q.Skills)
	w.SL = q.SLThreshold.Milliseconds()
	w.OW = 0
	if q.Overflow != "" && q.OverflowAfter > 0 {
		w.OW = since + q.OverflowAfter.Milliseconds()
	}
}

func skillSet(lists ...[]string) []string {
	out := []string{}
	for _, l := range lists {
		for _, s := range l {
			if s != "" && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return out
}

func (e *Engine) enqueue(ctx context.Context, t Task) error {
	q, err := e.prepare(ctx, t)
	if err != nil {
		return err
	}
	if err := e.recordQueued(ctx, q); err != nil {
		return fmt.Errorf("routing: enqueue %d: %w", t.InteractionID, err)
	}
	return e.route(ctx, q)
}

func (e *Engine) prepare(ctx context.Context, t Task) (Queued, error) {
	w, err := e.wire(ctx, t)
	if err != nil {
		return Queued{}, fmt.Errorf("routing: enqueue %d: %w", t.InteractionID, err)
	}
	data, err := json.Marshal(w)
	if err != nil {
		return Queued{}, fmt.Errorf("routing: enqueue %d: %w", t.InteractionID, err)
	}
	return Queued{w: w, data: data}, nil
}

func (e *Engine) route(ctx context.Context, q Queued) error {
	if _, err := e.call(ctx, opEnqueue, append([]any{string(q.data)}, e.tail()...)...); err != nil {
		return fmt.Errorf("routing: enqueue %d: %w", q.w.ID, err)
	}
	return nil
}

func (e *Engine) cancel(ctx context.Context, id int64, reason string) error {
	if reason == "" {
		reason = "hangup"
	}
	if _, err := e.call(ctx, opCancel, append([]any{id, reason}, e.tail()...)...); err != nil {
		return fmt.Errorf("routing: cancel %d: %w", id, err)
	}
	return nil
}

// transfer moves interaction id to target; kind is the event it records.
func (e *Engine) transfer(ctx context.Context, id int64, to Target, kind string) error {
	change, err := e.transferChange(ctx, to)
	if err != nil {
		return fmt.Errorf("routing: transfer %d: %w", id, err)
	}
	if _, err := e.call(ctx, opTransfer, append([]any{id, change, kind, ""}, e.tail()...)...); err != nil {
		return fmt.Errorf("routing: transfer %d: %w", id, err)
	}
	return nil
}

// transferChange is the JSON of the task fields a transfer to `to` sets.
// A transfer to an agent keeps the current queue and waits RMWait for them.
func (e *Engine) transferChange(ctx context.Context, to Target) (string, error) {
	now := e.now().UnixMilli()
	change := map[string]any{"e": now, "p": 0, "ru": 0}
	if to.AgentID == 0 && to.Queue == "" {
		return "", switchboard.Errorf(switchboard.ErrInvalid, "transfer needs a queue or an agent")
	}
	if to.Queue != "" {
		q, err := e.queueNamed(ctx, to.Queue)
		if err != nil {
			return "", err
		}
		var w wireTask
		w.setQueue(q, nil, now)
		change["q"], change["sl"], change["ow"] = w.Q, w.SL, w.OW
		change["qs"] = w.Sk // the script adds the task's own skills
	}
	if to.AgentID != 0 {
		change["p"], change["ru"] = to.AgentID, now+e.cfg.RMWait.Milliseconds()
	}
	b, err := json.Marshal(change)
	return string(b), err
}

// overflow moves id from queue `from` to its overflow queue, unless it has
// left `from` (or been offered) since the sweeper found it due.
func (e *Engine) overflow(ctx context.Context, id int64, from string) error {
	q, err := e.queueNamed(ctx, from)
	if err != nil || q.Overflow == "" {
		return err
	}
	change, err := e.transferChange(ctx, Target{Queue: q.Overflow})
	if err != nil {
		return err
	}
	_, err = e.call(ctx, opTransfer, append([]any{id, change, EventOverflowed, from}, e.tail()...)...)
	return err
}

func (e *Engine) queueNamed(ctx context.Context, name string) (Queue, error) {
	e.mu.Lock()
	q, ok := e.queue[name]
	e.mu.Unlock()
	if ok {
		return q, nil
	}
	if e.pool != nil {
		if err := e.loadQueues(ctx); err != nil {
			return Queue{}, err
		}
		e.mu.Lock()
		q, ok = e.queue[name]
		e.mu.Unlock()
		if ok {
			return q, nil
		}
	}
	return Queue{}, switchboard.Errorf(switchboard.ErrInvalid, "unknown queue %q", name)
}
