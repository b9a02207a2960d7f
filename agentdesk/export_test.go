package agentdesk

// SetBeforeBreak makes the presence sweep call f just before it puts an
// agent on break, so a test can open a desk at that moment.
func (d *Desk) SetBeforeBreak(f func(agentID int64)) { d.beforeBreak.Store(&f) }
