package web

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"wadesk/internal/auth"
	"wadesk/internal/helpdesk"
)

// maxLoginForm bounds the login form body; it holds three short fields.
const maxLoginForm = 16 << 10

// loginView is the data of the login template.
type loginView struct {
	Error     string
	Email     string
	Next      string
	CSRFToken string
}

// loginPage shows the sign-in form, or sends a signed-in browser on.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if ck, err := r.Cookie(SessionCookie); err == nil && ck.Value != "" {
		if _, _, err := s.svc.SessionUser(r.Context(), ck.Value); err == nil {
			http.Redirect(w, r, next, http.StatusSeeOther)
			return
		}
	}
	s.renderLogin(w, r, http.StatusOK, loginView{Next: next})
}

// loginSubmit checks the double-submit CSRF token and the rate limits, then
// the credentials, and starts a session.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginForm)
	if err := r.ParseForm(); err != nil {
		s.loginFailed(w, r, badRequest("the form could not be read", nil), loginView{})
		return
	}
	view := loginView{
		Email: strings.ToLower(strings.TrimSpace(r.PostForm.Get("email"))),
		Next:  safeNext(r.PostForm.Get("next")),
	}
	ck, err := r.Cookie(loginCSRFCookie)
	form := r.PostForm.Get("csrf_token")
	if err != nil || ck.Value == "" || form == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(form)) != 1 {
		s.loginFailed(w, r, helpdesk.Errorf(helpdesk.ECodeForbidden,
			"The sign-in form expired. Please try again."), view)
		return
	}
	if !s.limits.allow(s.now(), "ip:"+clientIP(r), "email:"+view.Email) {
		w.Header().Set("Retry-After", "60")
		s.loginFailed(w, r, helpdesk.Errorf(helpdesk.ECodeRateLimited,
			"Too many sign-in attempts. Please wait a minute and try again."), view)
		return
	}
	u, raw, sess, err := s.svc.Login(r.Context(), view.Email, r.PostForm.Get("password"))
	if err != nil {
		if helpdesk.ErrorCode(err) == helpdesk.ECodeUnauthorized {
			err = helpdesk.Errorf(helpdesk.ECodeUnauthorized, "Wrong email or password.")
		}
		s.loginFailed(w, r, err, view)
		return
	}
	if info := infoFrom(r.Context()); info != nil {
		info.userID = u.ID
	}
	s.setSessionCookie(w, raw, sess.ExpiresAt)
	s.clearCookie(w, loginCSRFCookie, "/")
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, UserJSON(u))
		return
	}
	http.Redirect(w, r, view.Next, http.StatusSeeOther)
}

// loginFailed answers a failed sign-in: the JSON envelope for scripts, the
// form again with the reason for browsers, with the same status either way.
func (s *Server) loginFailed(w http.ResponseWriter, r *http.Request, err error, view loginView) {
	if wantsJSON(r) {
		WriteError(w, r, err)
		return
	}
	status, msg := http.StatusInternalServerError, "Something went wrong. Please try again."
	var se *statusError
	var he *helpdesk.Error
	switch {
	case errors.As(err, &se):
		status, msg = se.status, se.err.Message
	case errors.As(err, &he) && StatusFor(he.Code) != http.StatusInternalServerError:
		status, msg = StatusFor(he.Code), he.Message
	default:
		s.log.LogAttrs(r.Context(), slog.LevelError, "http: login failed",
			slog.String("request_id", RequestID(r.Context())), slog.String("error", err.Error()))
	}
	view.Error = msg
	s.renderLogin(w, r, status, view)
}

// renderLogin renders the form with a fresh double-submit token.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, view loginView) {
	view.CSRFToken = auth.RandomString(24)
	s.setLoginCSRFCookie(w, view.CSRFToken)
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, "login.html", view); err != nil {
		WriteError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// loginCSS serves the login page's stylesheet (no inline styles: the CSP
// forbids them).
func (s *Server) loginCSS(w http.ResponseWriter, r *http.Request) {
	css, err := templateFS.ReadFile("templates/login.css")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(css)
}

// logout ends the browser session. A live session must send its CSRF token,
// so another site cannot sign a user out.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(SessionCookie); err == nil && ck.Value != "" {
		if _, sess, err := s.svc.SessionUser(r.Context(), ck.Value); err == nil {
			if !validCSRF(w, r, sess.CSRFToken) {
				WriteError(w, r, helpdesk.Errorf(helpdesk.ECodeForbidden, "missing or wrong CSRF token"))
				return
			}
			if err := s.svc.Logout(r.Context(), ck.Value); err != nil {
				WriteError(w, r, err)
				return
			}
		}
	}
	s.clearCookie(w, SessionCookie, "/")
	if wantsJSON(r) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeNext keeps redirects after sign-in on this site: only local absolute
// paths, never "//host" or "/\host", which browsers treat as other origins.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n\t") {
		return "/"
	}
	return next
}

// clientIP is the peer address. X-Forwarded-For is ignored on purpose: any
// client can set it, and trusting it would let attackers pick their bucket.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// wantsJSON reports whether the client asked for JSON rather than a page.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}
