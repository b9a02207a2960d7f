package campaigns

import (
	"math"
	"time"
)

// Figures are what the pacing of one campaign decides from: its agents now,
// its calls in flight, and what the campaign day has shown so far.
type Figures struct {
	Free     int // campaign agents available now
	Busy     int // campaign agents on a campaign call
	InFlight int // calls dialled and not yet answered
	Waiting  int // answered calls waiting for an agent
	Dialled  int // calls placed today
	Answered int // calls a person answered today
	Abandon  int // answered calls that found no agent within the wait, today
	AHT      time.Duration
}

// AbandonRate is today's abandoned share of answered calls.
func (f Figures) AbandonRate() float64 {
	if f.Answered == 0 {
		return 0
	}
	return float64(f.Abandon) / float64(f.Answered)
}

// AnswerRate is today's share of resolved calls (dialled and no longer
// ringing) a person answered, pulled towards a prior of 30 % while few
// calls have resolved, so one lucky early answer does not make the dialer
// bold. Calls still ringing are left out: counted as unanswered they would
// lower the rate, raise the overdial and ring more calls, a runaway.
func (f Figures) AnswerRate() float64 {
	const priorCalls, prior = 20, 0.3
	resolved := max(0, f.Dialled-f.InFlight)
	return max(0.05, (float64(f.Answered)+prior*priorCalls)/(float64(resolved)+priorCalls))
}

// ringTime is how long a dialled call takes, on average, to be answered;
// agents expected to finish within it are counted as nearly free.
const ringTime = 15 * time.Second

// Lines returns how many new calls to place now.
//
// Progressive places one call per free agent, counting calls already in
// flight, so an answered call always has an agent and nothing is abandoned
// unless an agent leaves.
//
// Predictive dials free agents (plus busy agents expected to finish within a
// ring, from the handle time) divided by the answer rate. A regulator
// scales that overdial between none (progressive) and all of it from the
// day's abandon rate: full while the rate is at most half the cap, none at
// 80 % of it and above, at most half while fewer than 50 calls have been
// answered, when the rate says little, and none while one more abandoned
// call would take the day over the cap. So the day's rate settles under
// the cap, and a short run stays within it too.
func Lines(mode DialMode, f Figures, abandonCap float64) int {
	if mode == Progressive || mode == Preview {
		return max(0, f.Free-f.InFlight-f.Waiting)
	}
	h := headroom(f, abandonCap)
	soon := 0.0
	if f.AHT > 0 {
		soon = float64(f.Busy) * math.Min(1, float64(ringTime)/float64(f.AHT))
	}
	agents := float64(f.Free) + h*soon
	// Each agent gets k lines: 1 with no headroom, 1/answer rate with all.
	k := 1 + h*(1/f.AnswerRate()-1)
	// Answered calls waiting need an agent each; calls in flight are lines.
	n := int(math.Floor((agents-float64(f.Waiting))*k - float64(f.InFlight)))
	return max(0, n)
}

// headroom is how much of the overdial the regulator allows, from 0 to 1.
// None while the day could not absorb one more abandoned call within the
// cap: early in the day (with a cap of 3 %, until 33 calls are answered)
// and after an abandon, the dialer is progressive, so a short run, not
// only a whole day, stays within the cap.
func headroom(f Figures, abandonCap float64) float64 {
	r, lo, hi := f.AbandonRate(), abandonCap*0.5, abandonCap*0.8
	h := 1.0
	switch {
	case float64(f.Abandon+1) > abandonCap*float64(f.Answered):
		h = 0
	case r >= hi:
		h = 0
	case r > lo:
		h = (hi - r) / (hi - lo)
	}
	if f.Answered < 50 {
		h = math.Min(h, 0.5)
	}
	return h
}
