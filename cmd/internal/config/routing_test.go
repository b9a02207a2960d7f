package config

import (
	"slices"
	"strings"
	"testing"

	"switchboard"
)

func TestLoadRouting(t *testing.T) {
	tests := map[string]struct {
		env        map[string]string
		wantOffers int
		wantMiss   []switchboard.Channel
		wantErr    string
	}{
		"defaults": {wantOffers: 1, wantMiss: []switchboard.Channel{switchboard.ChannelVoice}},
		"set": {
			env:        map[string]string{"SWITCHBOARD_OFFERS_PER_AGENT": "3", "SWITCHBOARD_NOT_READY_ON_MISS": "voice, sms"},
			wantOffers: 3, wantMiss: []switchboard.Channel{switchboard.ChannelVoice, switchboard.ChannelSMS},
		},
		"no limit, nobody on break, no language": {
			env: map[string]string{"SWITCHBOARD_OFFERS_PER_AGENT": "0", "SWITCHBOARD_NOT_READY_ON_MISS": "none",
				"SWITCHBOARD_LANGUAGE_ROUTING": "off"},
			wantOffers: 0, wantMiss: []switchboard.Channel{},
		},
		"offers not a number": {env: map[string]string{"SWITCHBOARD_OFFERS_PER_AGENT": "one"},
			wantErr: "SWITCHBOARD_OFFERS_PER_AGENT is not a whole number"},
		"offers negative": {env: map[string]string{"SWITCHBOARD_OFFERS_PER_AGENT": "-1"},
			wantErr: "SWITCHBOARD_OFFERS_PER_AGENT is not a whole number"},
		"language routing not on or off": {env: map[string]string{"SWITCHBOARD_LANGUAGE_ROUTING": "yes"},
			wantErr: "SWITCHBOARD_LANGUAGE_ROUTING must be on or off"},
		"unknown channel": {env: map[string]string{"SWITCHBOARD_NOT_READY_ON_MISS": "voice,fax"},
			wantErr: "SWITCHBOARD_NOT_READY_ON_MISS must list channels"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			env := valid()
			for k, v := range tc.env {
				env[k] = v
			}
			e, err := Load(func(k string) string { return env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if e.Routing.ByLanguage != (tc.env["SWITCHBOARD_LANGUAGE_ROUTING"] != "off") {
				t.Errorf("language routing %v with %q, want on unless off", e.Routing.ByLanguage, tc.env["SWITCHBOARD_LANGUAGE_ROUTING"])
			}
			if e.Routing.OffersPerAgent != tc.wantOffers || !slices.Equal(e.Routing.NotReadyOnMiss, tc.wantMiss) {
				t.Fatalf("routing %+v, want %d offers and %v", e.Routing, tc.wantOffers, tc.wantMiss)
			}
		})
	}
}
