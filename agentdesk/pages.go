package agentdesk

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
)

//go:embed web
var web embed.FS

// WallboardPath is the supervisors' wallboard; `make run` prints it and
// the desk links to it for supervisors.
const WallboardPath = "/agentdesk/wallboard"

// pages serves the desk and the wallboard from the binary: nothing is
// fetched from any other host, so they work on a closed network. The Twilio
// Voice JS SDK is among the files (web/vendor); with the softphone on, the
// page may also open Twilio's signalling socket, the one connection a
// softphone cannot do without.
func pages(softphone bool) http.Handler {
	sub, err := fs.Sub(web, "web")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.StripPrefix("/agentdesk/", http.FileServerFS(noListing{sub}))
	connect := "'self'"
	if softphone {
		connect += " wss://*.twilio.com"
	}
	csp := "default-src 'self'; connect-src " + connect + "; img-src 'self' data:; style-src 'self'; script-src 'self'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Pages are small; never let a browser run yesterday's desk.
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Content-Security-Policy", csp)
		switch r.URL.Path {
		case WallboardPath: // the wallboard's address without ".html"
			r = rewrite(r, WallboardPath+".html")
		case "/favicon.ico": // browsers ask at the root, for every page
			r = rewrite(r, "/agentdesk/favicon.ico")
		}
		files.ServeHTTP(w, r)
	})
}

// rewrite is r asking for path instead.
func rewrite(r *http.Request, path string) *http.Request {
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = path, ""
	return r2
}

// noListing hides the folders without an index page, which the file
// server would otherwise answer with a list of their files.
type noListing struct{ fs.FS }

func (n noListing) Open(name string) (fs.File, error) {
	f, err := n.FS.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		if _, err := fs.Stat(n.FS, path.Join(name, "index.html")); err != nil {
			f.Close()
			return nil, fs.ErrNotExist
		}
	}
	return f, nil
}
