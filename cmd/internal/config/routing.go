package config

import (
	"strconv"
	"strings"
	"time"

	"switchboard"
)

// Routing is the routing policy a centre sets through the environment;
// cmd/switchboard hands it to routing.Config.
type Routing struct {
	// OffersPerAgent (SWITCHBOARD_OFFERS_PER_AGENT) is how many offers an
	// agent holds at a time across channels; 0 means no limit but capacity.
	OffersPerAgent int
	// NotReadyOnMiss (SWITCHBOARD_NOT_READY_ON_MISS) lists the channels on
	// which an agent who lets an offer time out goes on break; "none" for
	// none.
	NotReadyOnMiss []switchboard.Channel
	// WrapUp (SWITCHBOARD_WRAPUP) is the wrap-up after a conversation; 0
	// for none. WrapUpMax (SWITCHBOARD_WRAPUP_MAX) is the most an agent
	// may extend it to, counted from its start.
	WrapUp, WrapUpMax time.Duration
	// ByLanguage (SWITCHBOARD_LANGUAGE_ROUTING, on or off) routes a customer
	// to an agent who speaks their language, when one can serve the queue.
	ByLanguage bool
}

func (r *reader) routing() Routing {
	return Routing{
		OffersPerAgent: r.count("SWITCHBOARD_OFFERS_PER_AGENT", 1),
		NotReadyOnMiss: r.channels("SWITCHBOARD_NOT_READY_ON_MISS", "voice"),
		WrapUp:         r.span("SWITCHBOARD_WRAPUP", 30*time.Second),
		WrapUpMax:      r.span("SWITCHBOARD_WRAPUP_MAX", 5*time.Minute),
		ByLanguage:     r.onOff("SWITCHBOARD_LANGUAGE_ROUTING", true),
	}
}

// onOff reads on or off.
func (r *reader) onOff(name string, def bool) bool {
	v := r.get(name, map[bool]string{true: "on", false: "off"}[def])
	if v != "on" && v != "off" {
		r.fail(name, "must be on or off: %q", v)
	}
	return v == "on"
}

// span reads a duration of 0 or more.
func (r *reader) span(name string, def time.Duration) time.Duration {
	v := r.get(name, def.String())
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		r.fail(name, "is not a duration of 0 or more (30s, 2m): %q", v)
	}
	return d
}

// count reads a whole number from 0 to 100.
func (r *reader) count(name string, def int) int {
	v := r.get(name, strconv.Itoa(def))
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 100 {
		r.fail(name, "is not a whole number from 0 to 100: %q", v)
	}
	return n
}

// channels reads a comma-separated list of channels, or "none".
func (r *reader) channels(name, def string) []switchboard.Channel {
	v := r.get(name, def)
	out := []switchboard.Channel{}
	if v == "none" {
		return out
	}
	for _, s := range strings.Split(v, ",") {
		ch, err := switchboard.ParseChannel(strings.TrimSpace(s))
		if err != nil {
			r.fail(name, "must list channels (voice, chat, sms) or be none: %q", v)
			return out
		}
		out = append(out, ch)
	}
	return out
}
