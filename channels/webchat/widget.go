package webchat

import (
	_ "embed"
	"net/http"
)

//go:embed widget.js
var widgetJS []byte

// handleWidget serves the embeddable script. It is public and cacheable;
// the socket, not the script, checks the embedding page's origin.
func (c *Channel) handleWidget(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(widgetJS)
}
