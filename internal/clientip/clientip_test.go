package clientip_test

import (
	"net/http/httptest"
	"testing"

	"switchboard/internal/clientip"
)

func TestAddr(t *testing.T) {
	r, err := clientip.New([]string{"10.0.0.0/8", "192.0.2.10"})
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		peer string
		xff  []string
		want string
	}{
		"direct":                          {"203.0.113.5:4711", nil, "203.0.113.5"},
		"untrusted peer's header ignored": {"203.0.113.5:4711", []string{"198.51.100.1"}, "203.0.113.5"},
		"one trusted proxy":               {"10.1.2.3:80", []string{"198.51.100.1"}, "198.51.100.1"},
		"forged left of the real client":  {"10.1.2.3:80", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		"two trusted proxies":             {"10.1.2.3:80", []string{"198.51.100.1, 192.0.2.10"}, "198.51.100.1"},
		"repeated headers":                {"10.1.2.3:80", []string{"1.2.3.4", "198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		"only proxies":                    {"10.1.2.3:80", []string{"10.0.0.7"}, "10.0.0.7"},
		"no header from a proxy":          {"10.1.2.3:80", nil, "10.1.2.3"},
		"garbage beyond the proxy":        {"10.1.2.3:80", []string{"<script>, 10.0.0.7"}, "10.0.0.7"},
		"a port in the header":            {"10.1.2.3:80", []string{"198.51.100.1:5555"}, "198.51.100.1"},
		"IPv6 in brackets":                {"10.1.2.3:80", []string{"[2001:db8::1]:443"}, "2001:db8::1"},
		"IPv4-mapped peer":                {"[::ffff:10.1.2.3]:80", []string{"198.51.100.1"}, "198.51.100.1"},
		"trusted single address, not /8":  {"192.0.2.11:80", []string{"198.51.100.1"}, "192.0.2.11"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			if got := r.Addr(req).String(); got != tc.want {
				t.Fatalf("Addr = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestHTTPS(t *testing.T) {
	r, _ := clientip.New([]string{"10.0.0.0/8"})
	tests := map[string]struct {
		peer, proto string
		want        bool
	}{
		"trusted proxy says https":  {"10.0.0.1:80", "https", true},
		"trusted proxy says http":   {"10.0.0.1:80", "http", false},
		"nearest proxy counts":      {"10.0.0.1:80", "http, https", true},
		"untrusted peer says https": {"203.0.113.5:80", "https", false},
		"trusted proxy, no header":  {"10.0.0.1:80", "", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = tc.peer
			if tc.proto != "" {
				req.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			if got := r.HTTPS(req); got != tc.want {
				t.Fatalf("HTTPS = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNewRefusesGarbage(t *testing.T) {
	if _, err := clientip.New([]string{"10.0.0.0/33"}); err == nil {
		t.Fatal("accepted 10.0.0.0/33")
	}
	if _, err := clientip.New([]string{"proxy.example"}); err == nil {
		t.Fatal("accepted a host name")
	}
}
