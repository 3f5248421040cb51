package sim

import (
	"embed"
	"net/http"
)

// The customer phone page: a person chats as a simulated WhatsApp user
// (pick or create a customer, send text, a picture or a location, see the
// business's replies with their ticks). It is plain HTML, CSS and JS that
// use the JSON control API (/_sim/state, /_sim/customers, /_sim/inbound,
// /_sim/messages), so it shows exactly what tests can drive.

//go:embed phone_assets
var phoneFS embed.FS

// phoneCSP keeps the page to its own files, like wadesk's own pages.
const phoneCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

// phoneRoutes serves GET /phone and its two assets.
func (s *Sim) phoneRoutes() http.Handler {
	mux := http.NewServeMux()
	serve := func(name, contentType string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, err := phoneFS.ReadFile("phone_assets/" + name)
			if err != nil {
				http.NotFound(w, r)
				return
			}
			h := w.Header()
			h.Set("Content-Type", contentType)
			h.Set("Content-Security-Policy", phoneCSP)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Cache-Control", "no-cache") // a dev tool: always the current build
			_, _ = w.Write(b)
		}
	}
	mux.HandleFunc("GET /phone", serve("phone.html", "text/html; charset=utf-8"))
	mux.HandleFunc("GET /phone/phone.css", serve("phone.css", "text/css; charset=utf-8"))
	mux.HandleFunc("GET /phone/phone.js", serve("phone.js", "text/javascript; charset=utf-8"))
	return mux
}

// isPhonePath reports whether a request is for the phone page rather than
// the Graph API (whose paths always start with a version, /vNN.N/).
func isPhonePath(p string) bool { return p == "/phone" || len(p) > 7 && p[:7] == "/phone/" }
