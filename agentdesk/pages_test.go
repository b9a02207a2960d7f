package agentdesk

import (
	"net/http/httptest"
	"testing"
)

// TestPagesListNoFolder asks for the desk's folders: the one with an
// index page shows it, the others are not found rather than listed.
func TestPagesListNoFolder(t *testing.T) {
	h := pages(false)
	for path, want := range map[string]int{
		"/agentdesk/":                     200,
		"/agentdesk/vendor/":              404,
		"/agentdesk/sounds/":              404,
		"/agentdesk/vendor/twilio.min.js": 200,
		"/agentdesk/sounds/tone.wav":      200,
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != want {
			t.Errorf("GET %s = %d, want %d", path, w.Code, want)
		}
	}
}
