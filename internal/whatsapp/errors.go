package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// Error is a failed Cloud API call: Meta's error envelope (reference §7.1)
// flattened into one type, or, when the body was not JSON, just the HTTP
// status. Webhook error objects convert to it with WebhookError.Err, so the
// same helpers classify synchronous and asynchronous failures.
type Error struct {
	HTTPStatus  int    // 0 for errors that came from a webhook
	Code        int    // Meta's error code, e.g. 131047; see HasCode for code 0
	Subcode     int    // error_subcode (deprecated by Meta, still sent sometimes)
	Type        string // e.g. "OAuthException", "GraphMethodException"
	Title       string // error_user_title, or the message without its "(#code) " prefix
	Message     string // message as sent by Meta
	UserMessage string // error_user_msg, when present
	Details     string // error_data.details
	FBTraceID   string // fbtrace_id (or the x-fb-trace-id header); quote it to Meta support
	IsTransient bool   // is_transient
}

// Error renders the code, title and details; it never contains the access
// token, so it is safe to log.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("whatsapp: ")
	if e.HasCode() {
		fmt.Fprintf(&b, "error %d", e.Code)
	} else {
		fmt.Fprintf(&b, "http %d", e.HTTPStatus)
	}
	if t := e.Title; t != "" {
		b.WriteString(": " + t)
	} else if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Details != "" && e.Details != e.Title {
		b.WriteString(" (" + e.Details + ")")
	}
	return b.String()
}

// HasCode reports whether Code is meaningful. Meta uses code 0 for
// AuthException, which collides with Go's zero value; an Error built from a
// non-JSON body has Code 0 and an empty Type, and must not be mistaken for it.
func (e *Error) HasCode() bool { return e.Code != 0 || e.Type != "" }

// Retryable reports whether the same request may be sent again after a
// backoff, following reference §7.3: the is_transient flag, codes marked Y
// (2, 4, 17, 80007, 130429, 131000, 131016, 131056 after a wait, 131057), and
// otherwise HTTP 429 and 5xx unless the code says the request itself is wrong
// (code 3 comes with HTTP 500 but is a permission problem).
func (e *Error) Retryable() bool {
	if e.IsTransient {
		return true
	}
	if e.HasCode() {
		if retryCodes[e.Code] {
			return true
		}
		if noRetryCode(e.Code) {
			return false
		}
	}
	return e.HTTPStatus == http.StatusTooManyRequests || e.HTTPStatus >= 500
}

// retryCodes are the codes marked Y in reference §7.3.
var retryCodes = map[int]bool{
	2: true, 4: true, 17: true, 80007: true, 130429: true,
	131000: true, 131016: true, 131056: true, 131057: true,
}

// noRetryCode reports codes marked N in §7.3: resending the same request
// cannot succeed until the request, the token or the account changes. Codes
// marked L (retry much later) are left to the HTTP status.
func noRetryCode(code int) bool {
	switch {
	case code >= 200 && code <= 299:
		return true
	case code >= 132000 && code <= 132999:
		return code != 132069 // flow throttled is "retry later"
	}
	switch code {
	case 0, 3, 10, 33, 100, 104, 190, 368,
		130472, 130497, 131005, 131008, 131009, 131021, 131026, 131030, 131031,
		131037, 131042, 131045, 131047, 131050, 131051, 131053, 131062, 131063,
		133010, 135000, 137000:
		return true
	}
	return false
}

// Error codes the helpdesk acts on.
const (
	CodeAuthException     = 0      // could not authenticate
	CodeAccessTokenNeeded = 104    // no access token (simulator, spec example)
	CodeTokenInvalid      = 190    // access token expired or invalidated
	CodeRateLimit         = 130429 // Cloud API throughput exceeded
	CodeGeneric           = 131000 // something went wrong
	CodeWindowClosed      = 131047 // more than 24 h since the user's last message
	CodeAccountLocked     = 131031 // business account locked
	CodeUnsupportedType   = 131051 // inbound message type not supported
	CodePairRateLimit     = 131056 // too many messages to the same user
	CodeBSUIDUnsupported  = 131062 // this message needs a phone number, not a BSUID
	CodeTemplateParams    = 132000 // template parameter count mismatch
	CodeTemplateMissing   = 132001 // template name/language unknown or not approved
	CodeNotRegistered     = 133010 // phone number not registered
)

// asError finds a *Error in err's chain.
func asError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) && e != nil {
		return e, true
	}
	return nil, false
}

// IsWindowClosed reports whether err is 131047: the 24-hour customer service
// window is closed and only a template can be sent.
func IsWindowClosed(err error) bool {
	e, ok := asError(err)
	return ok && e.Code == CodeWindowClosed
}

// IsAuthError reports whether err means the channel cannot work until an
// admin acts: the token is missing, expired or invalid (190, 104, 0 /
// AuthException, or a bare HTTP 401), or the account is locked (131031). The
// caller should pause the channel instead of retrying.
func IsAuthError(err error) bool {
	e, ok := asError(err)
	if !ok {
		return false
	}
	switch {
	case e.Code == CodeTokenInvalid, e.Code == CodeAccessTokenNeeded, e.Code == CodeAccountLocked:
		return true
	case e.Code == CodeAuthException && e.HasCode():
		return true
	case !e.HasCode() && e.HTTPStatus == http.StatusUnauthorized:
		return true
	}
	return false
}

// RetryAfter returns how long to wait before retry number attempt (0-based)
// when the error itself dictates a delay: the pair rate limit 131056 asks for
// 4^attempt seconds (1, 4, 16, 64, 256 s; capped there so a long-blocked pair
// is still probed every few minutes). It returns 0 when the caller's usual
// backoff applies.
func RetryAfter(err error, attempt int) time.Duration {
	e, ok := asError(err)
	if !ok || e.Code != CodePairRateLimit {
		return 0
	}
	attempt = min(max(attempt, 0), 4)
	return time.Duration(1<<(2*attempt)) * time.Second
}

// ErrRequestTimeout marks a call that ran out of the client's own per-call
// timeout (Options.Timeout). Unlike the caller's context ending, it is
// retryable.
var ErrRequestTimeout = errors.New("whatsapp: request timed out")

// IsRetryable reports whether a failed call may be retried with backoff: a
// *Error whose Retryable says so, the client's own timeout, or a network
// failure (connection refused or reset, DNS trouble, unexpected EOF). The
// caller's context being cancelled or past its deadline is never retryable:
// the caller has given up.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	if e, ok := asError(err); ok {
		return e.Retryable()
	}
	if errors.Is(err, ErrRequestTimeout) {
		return true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.IsTimeout || dnsErr.IsTemporary
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return true
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// envelope is Meta's synchronous error body.
type envelope struct {
	Error *struct {
		Message        string `json:"message"`
		Type           string `json:"type"`
		Code           int    `json:"code"`
		Subcode        int    `json:"error_subcode"`
		IsTransient    bool   `json:"is_transient"`
		ErrorUserTitle string `json:"error_user_title"`
		ErrorUserMsg   string `json:"error_user_msg"`
		FBTraceID      string `json:"fbtrace_id"`
		ErrorData      struct {
			Details string `json:"details"`
		} `json:"error_data"`
	} `json:"error"`
}

// parseError turns a non-2xx response into *Error. A body that is not Meta's
// envelope (a proxy's HTML page, an empty 502) still yields the HTTP status
// and a short excerpt, so the caller can classify it.
func parseError(status int, header http.Header, body []byte) *Error {
	e := &Error{HTTPStatus: status, FBTraceID: header.Get("x-fb-trace-id")}
	var env envelope
	if json.Unmarshal(body, &env) == nil && env.Error != nil {
		m := env.Error
		e.Code, e.Subcode, e.Type = m.Code, m.Subcode, m.Type
		e.Message, e.UserMessage, e.IsTransient = m.Message, m.ErrorUserMsg, m.IsTransient
		e.Details = m.ErrorData.Details
		e.Title = m.ErrorUserTitle
		if e.Title == "" {
			e.Title = titleFromMessage(m.Message)
		}
		if m.FBTraceID != "" {
			e.FBTraceID = m.FBTraceID
		}
		return e
	}
	e.Title = http.StatusText(status)
	e.Message = excerpt(body, 200)
	return e
}

// titleFromMessage strips Meta's "(#130429) " prefix from a message.
func titleFromMessage(msg string) string {
	if strings.HasPrefix(msg, "(#") {
		if i := strings.Index(msg, ") "); i > 0 {
			return msg[i+2:]
		}
	}
	return msg
}

// excerpt returns at most n bytes of b as trimmed text, for error messages.
func excerpt(b []byte, n int) string {
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}
