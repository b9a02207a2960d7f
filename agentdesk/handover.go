package agentdesk

import (
	"time"

	"switchboard/interactions"
)

// withOverflow completes the handovers of an interaction offered from
// queue: routing tells the offer before its overflow record is in
// Postgres, so a transfer to another queue followed by no overflow means
// the overflow is on its way, and is shown now.
func withOverflow(hs []interactions.Handover, queue string, at time.Time) []interactions.Handover {
	if len(hs) == 0 || queue == "" {
		return hs
	}
	last := hs[len(hs)-1]
	if last.ToQueue == "" || last.ToQueue == queue {
		return hs
	}
	return append(hs, interactions.Handover{At: at, Kind: "overflow", ToQueue: queue})
}
