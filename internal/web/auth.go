package web

import (
	"context"
	"crypto/subtle"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"wadesk/internal/helpdesk"
)

// SessionCookie holds the raw session secret; the database keeps its hash.
const SessionCookie = "wadesk_session"

// CSRFHeader carries the session's CSRF token on unsafe cookie requests
// (forms may send the field csrf_token instead).
const CSRFHeader = "X-CSRF-Token"

type userKey struct{}
type sessionKey struct{}

// UserFrom returns the authenticated user of the request, or nil.
func UserFrom(ctx context.Context) *helpdesk.User {
	u, _ := ctx.Value(userKey{}).(*helpdesk.User)
	return u
}

// SessionFrom returns the browser session of the request, or nil when it
// was authenticated by bearer token (or not at all).
func SessionFrom(ctx context.Context) *helpdesk.Session {
	sess, _ := ctx.Value(sessionKey{}).(*helpdesk.Session)
	return sess
}

// CSRFTokenFrom returns the token that pages must put in their forms (field
// csrf_token) or scripts in the X-CSRF-Token header; "" without a session.
func CSRFTokenFrom(ctx context.Context) string {
	if sess := SessionFrom(ctx); sess != nil {
		return sess.CSRFToken
	}
	return ""
}

// authenticate finds the request's user: a bearer token wins over the
// cookie (scripts may carry a stale cookie jar). It returns nil, nil when the
// request carries no credentials at all.
func (s *Server) authenticate(r *http.Request) (*helpdesk.User, *helpdesk.Session, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, raw, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(raw) == "" {
			return nil, nil, helpdesk.Errorf(helpdesk.ECodeUnauthorized, "the Authorization header must be \"Bearer <token>\"")
		}
		u, err := s.svc.AuthenticateToken(r.Context(), strings.TrimSpace(raw))
		return u, nil, err
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil, nil
	}
	return s.svc.SessionUser(r.Context(), c.Value)
}

// requireUser answers 401 without valid credentials and 403 when a cookie
// request with an unsafe method lacks the session's CSRF token.
func (s *Server) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, sess, err := s.authenticate(r)
		if err == nil && u == nil {
			err = helpdesk.Errorf(helpdesk.ECodeUnauthorized, "authentication required")
		}
		if err != nil {
			WriteError(w, r, err)
			return
		}
		s.serveAs(w, r, next, u, sess)
	})
}

// requirePage is requireUser for browser pages: without a valid session a
// GET is sent to the login page, which brings the user back afterwards.
func (s *Server) requirePage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, sess, err := s.authenticate(r)
		if err == nil && u != nil {
			s.serveAs(w, r, next, u, sess)
			return
		}
		if err != nil && helpdesk.ErrorCode(err) == helpdesk.ECodeInternal {
			WriteError(w, r, err)
			return
		}
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		WriteError(w, r, helpdesk.Errorf(helpdesk.ECodeUnauthorized, "authentication required"))
	})
}

// serveAs checks CSRF for cookie sessions and runs next as user u.
func (s *Server) serveAs(w http.ResponseWriter, r *http.Request, next http.Handler, u *helpdesk.User, sess *helpdesk.Session) {
	if info := infoFrom(r.Context()); info != nil {
		info.userID = u.ID
	}
	if sess != nil && !safeMethod(r.Method) && !validCSRF(w, r, sess.CSRFToken) {
		WriteError(w, r, helpdesk.Errorf(helpdesk.ECodeForbidden, "missing or wrong CSRF token"))
		return
	}
	ctx := context.WithValue(r.Context(), userKey{}, u)
	if sess != nil {
		ctx = context.WithValue(ctx, sessionKey{}, sess)
		// Re-send the cookie so its lifetime follows the sliding session.
		if ck, err := r.Cookie(SessionCookie); err == nil {
			s.setSessionCookie(w, ck.Value, sess.ExpiresAt)
		}
	}
	next.ServeHTTP(w, r.WithContext(ctx))
}

// RequireAdmin answers 403 forbidden unless the user is an admin. It must
// run after authentication (HandleAdmin does both).
func RequireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !UserFrom(r.Context()).IsAdmin() {
			WriteError(w, r, helpdesk.Errorf(helpdesk.ECodeForbidden, "only admins may do this"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// validCSRF compares the header or form token with want in constant time.
// The form is read only for form bodies, so JSON bodies stay untouched;
// its size is bounded before parsing.
func validCSRF(w http.ResponseWriter, r *http.Request, want string) bool {
	got := r.Header.Get(CSRFHeader)
	if got == "" && isForm(r) {
		r.Body = http.MaxBytesReader(w, r.Body, MaxUploadBody)
		got = r.PostFormValue("csrf_token")
	}
	return want != "" && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func isForm(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data"
}
