package web

import (
	"net/http"
	"time"
)

// loginCSRFCookie holds the double-submit token of the login form, before
// any session exists.
const loginCSRFCookie = "wadesk_login_csrf"

// setSessionCookie stores the raw session secret: HttpOnly (no script may
// read it), SameSite=Lax (no cross-site POST carries it), Secure on https.
// Its lifetime is relative (Max-Age), so a browser with a wrong clock still
// keeps it exactly as long as the server's session lives.
func (s *Server) setSessionCookie(w http.ResponseWriter, raw string, expires time.Time) {
	maxAge := int(expires.Sub(s.now()).Seconds())
	if maxAge <= 0 {
		maxAge = -1 // already expired: delete
	}
	http.SetCookie(w, &http.Cookie{
		Name:     SessionCookie,
		Value:    raw,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// clearCookie tells the browser to forget a cookie.
func (s *Server) clearCookie(w http.ResponseWriter, name, path string) {
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    "",
		Path:     path,
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   s.secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// setLoginCSRFCookie stores the login form's double-submit token. Strict:
// only a form served by wadesk itself can post it back.
func (s *Server) setLoginCSRFCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name:     loginCSRFCookie,
		Value:    token,
		Path:     "/",
		MaxAge:   int((2 * time.Hour).Seconds()),
		HttpOnly: true,
		Secure:   s.secure,
		SameSite: http.SameSiteStrictMode,
	})
}
