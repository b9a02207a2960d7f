package agentdesk

import (
	"context"
	"encoding/json"
	"strconv"

	"switchboard"
	"switchboard/campaigns"
	"switchboard/customers"
)

// taskChannel is the Postgres notification a trigger on outbound_tasks
// sends on commit, naming the agent whose task list changed.
const taskChannel = "outbound_tasks"

// tasksFrame is the agent's whole open task list: small, and idempotent,
// so a desk that missed one push is right again at the next.
type tasksFrame struct {
	Tasks []campaigns.Task `json:"tasks"`
}

// taskView is the customer view of a task's customer: the same pop an
// offer carries, read (and audited) when the agent opens the task.
type taskView struct {
	Task campaigns.Task `json:"task"`
	Pop  *Pop           `json:"pop"`
}

type taskData struct {
	TaskID int64 `json:"task_id"`
}

type taskOutcomeData struct {
	TaskID int64 `json:"task_id"`
	campaigns.TaskOutcome
}

// watchTasks pushes an agent's task list to their desks on this node
// whenever it changes. Every node listens; the notification is delivered
// only after the change commits, so the list read here already holds it.
// If Postgres drops the listener, every desk here is refreshed once it
// listens again, since changes may have been missed meanwhile.
func (d *Desk) watchTasks(ctx context.Context) error {
	return d.listen(ctx, taskChannel, func(ctx context.Context, payload string) {
		if id, err := strconv.ParseInt(payload, 10, 64); err == nil {
			d.pushTasks(ctx, id)
		}
	}, func(ctx context.Context) {
		for _, id := range d.hub.agentIDs() {
			d.pushTasks(ctx, id)
		}
	})
}

// pushTasks sends agentID's open tasks to their desks here, if any.
func (d *Desk) pushTasks(ctx context.Context, agentID int64) {
	if d.hub.agent(agentID) == nil {
		return
	}
	ts, err := d.deps.Tasks.Tasks(ctx, agentID)
	if err != nil {
		d.logError(ctx, "agentdesk: tasks", err, "agent", agentID)
		return
	}
	d.hub.toAgent(agentID, encode(push("tasks", tasksFrame{Tasks: nonNilTasks(ts)})))
}

func nonNilTasks(ts []campaigns.Task) []campaigns.Task {
	if ts == nil {
		return []campaigns.Task{}
	}
	return ts
}

// onTasks answers a desk asking for its task list.
func (d *Desk) onTasks(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	if err := decodeData(raw, &struct{}{}); err != nil {
		return nil, err
	}
	ts, err := d.taskList(ctx, c.agent.ID)
	return tasksFrame{Tasks: ts}, err
}

// taskList is agentID's open tasks, or none when no campaigns run here.
func (d *Desk) taskList(ctx context.Context, agentID int64) ([]campaigns.Task, error) {
	if d.deps.Tasks == nil {
		return []campaigns.Task{}, nil
	}
	ts, err := d.deps.Tasks.Tasks(ctx, agentID)
	return nonNilTasks(ts), err
}

func decodeTask(raw json.RawMessage) (int64, error) {
	var x taskData
	if err := decodeData(raw, &x); err != nil {
		return 0, err
	}
	if x.TaskID <= 0 {
		return 0, switchboard.Errorf(switchboard.ErrInvalid, "task_id is required")
	}
	return x.TaskID, nil
}

// ownTask loads task id, which must be the agent's (a supervisor may open
// anyone's). ErrNotFound hides other agents' tasks.
func (d *Desk) ownTask(ctx context.Context, a *switchboard.Agent, id int64) (*campaigns.Task, error) {
	if d.deps.Tasks == nil {
		return nil, switchboard.Errorf(switchboard.ErrUnavailable, "outbound tasks are not configured on this server")
	}
	t, err := d.deps.Tasks.Task(ctx, id)
	if err == nil && t.AgentID != a.ID && !a.Can(switchboard.RoleSupervisor) {
		err = switchboard.Errorf(switchboard.ErrNotFound, "no task %d in your desk", id)
	}
	return t, err
}

// onTaskView opens the task's customer: the unified view, read through the
// same audited path as a screen pop, with the suggested next actions.
func (d *Desk) onTaskView(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	id, err := decodeTask(raw)
	if err != nil {
		return nil, err
	}
	t, err := d.ownTask(ctx, c.agent, id)
	if err != nil {
		return nil, err
	}
	v, err := d.deps.Customers.View(ctx, c.agent, t.CustomerID, "outbound_task")
	if err != nil {
		return nil, err
	}
	p := &Pop{Customer: v, Alerts: []customers.Alert{}, NextActions: nextActions(v, d.cfg.Now())}
	if v.Alerts != nil {
		p.Alerts = v.Alerts
	}
	return taskView{Task: *t, Pop: p}, nil
}

// onTaskDial places the task's call (preview or triggered) after the
// compliance gates; a refusal comes back as a conflict naming the reason.
func (d *Desk) onTaskDial(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	id, err := decodeTask(raw)
	if err != nil {
		return nil, err
	}
	if d.deps.Dialer == nil {
		return nil, switchboard.Errorf(switchboard.ErrUnavailable, "the dialer is not configured on this server")
	}
	attempt, err := d.deps.Dialer.DialTask(ctx, c.agent, id)
	if err != nil {
		return nil, err
	}
	return map[string]int64{"task_id": id, "attempt_id": attempt}, nil
}

// onTaskOutcome records how the task's contact went: a disposition from
// the glossary, a note, and optionally a lead.
func (d *Desk) onTaskOutcome(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	var x taskOutcomeData
	if err := decodeData(raw, &x); err != nil {
		return nil, err
	}
	if x.TaskID <= 0 {
		return nil, switchboard.Errorf(switchboard.ErrInvalid, "task_id is required")
	}
	if d.deps.Tasks == nil {
		return nil, switchboard.Errorf(switchboard.ErrUnavailable, "outbound tasks are not configured on this server")
	}
	lead, err := d.deps.Tasks.CompleteTask(ctx, c.agent, x.TaskID, x.TaskOutcome)
	if err != nil {
		return nil, err
	}
	return map[string]any{"task_id": x.TaskID, "lead": lead}, nil
}
