// Package agentdesk serves the agents' and supervisors' desk: a WebSocket
// protocol at /agentdesk/ws (documented in docs/desk-protocol.md) and the
// desk and wallboard pages, embedded in the binary.
//
// Every server process runs a Desk. Each desk socket has one reader
// goroutine, which handles the desk's frames one at a time, and one writer
// goroutine, the only one that writes data frames; everything for a desk
// goes through its bounded send queue. A desk that lets its queue fill is
// disconnected, never skipped: it reconnects, on any node, and the "sync"
// frame it gets then is read from Postgres and routing's Redis state, not
// from any node's memory, so nothing is lost or shown twice.
//
// Every node subscribes to every routing and desk event through Redis (the
// channels' events, and the frames other nodes tell an agent's desks) and
// delivers those about agents whose sockets it holds. Events of one agent
// are handled in order by one of a few workers, so an offer's withdrawal
// never overtakes the offer, while pops for different agents are built in
// parallel. The screen pop is the customers service's unified view, read
// with reason "screen_pop" (which writes the audit row), plus the alerts,
// the IVR path, the conversation so far and suggested next actions.
//
// Outbound tasks (campaign previews, triggered outreach) come from the
// campaigns store. A trigger on their table notifies Postgres listeners when
// a change commits, whichever code path made it; every node listens and
// pushes the agent's whole open list to the desks it holds. The desk dials
// a task through the campaign dialer, so the compliance gates apply.
//
// Every node keeps the agents it holds a desk for fresh in a Redis sorted
// set; an available agent missing from every node for Config.DeskGone is
// put on break ("desk_closed"), so routing does not keep offering work to a
// closed tab and waiting out each offer.
//
// Errors reach a desk only through errorFrame, as {code, message,
// temporary}; internal errors carry just an id that names the log line.
package agentdesk
