package routing

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// checkInvariants checks one consistent snapshot of Redis: no agent over
// capacity on any channel, a call exclusive of everything else, an agent's
// load equal to what it holds, and every offered or answered interaction
// held by exactly one agent (so no interaction has two live reservations).
func checkInvariants(tasks map[string]wireTask, rawAgents map[string]string) error {
	holder := map[string]int64{}
	for id, v := range rawAgents {
		var a wireAgent
		if err := json.Unmarshal([]byte(v), &a); err != nil {
			return fmt.Errorf("agent %s: %w", id, err)
		}
		held := map[string]int{}
		for tid, ch := range a.Its {
			if h, ok := holder[tid]; ok {
				return fmt.Errorf("interaction %s held by agents %d and %d", tid, h, a.ID)
			}
			holder[tid] = a.ID
			held[ch]++
			if t, ok := tasks[tid]; ok && t.Ag != a.ID {
				return fmt.Errorf("agent %d holds interaction %s, which is with agent %d (%s)", a.ID, tid, t.Ag, t.St)
			}
		}
		for ch, n := range a.Ld {
			if n > a.Cap[ch] {
				return fmt.Errorf("agent %d: %d %s, capacity %d", a.ID, n, ch, a.Cap[ch])
			}
			if n != held[ch] {
				return fmt.Errorf("agent %d: load %d %s but holds %d", a.ID, n, ch, held[ch])
			}
		}
		if a.Ld["voice"] > 0 && a.Ld["chat"]+a.Ld["sms"] > 0 {
			return fmt.Errorf("agent %d: a call and %d chats/SMS at once", a.ID, a.Ld["chat"]+a.Ld["sms"])
		}
	}
	for id, t := range tasks {
		if t.St == "queued" {
			continue
		}
		if h, ok := holder[id]; ok && h != t.Ag {
			return fmt.Errorf("interaction %s is %s with %d but held by %d", id, t.St, t.Ag, h)
		}
		if _, ok := holder[id]; !ok && rawAgents[strconv.FormatInt(t.Ag, 10)] != "" {
			return fmt.Errorf("interaction %s is %s with agent %d, who does not hold it", id, t.St, t.Ag)
		}
	}
	return nil
}
