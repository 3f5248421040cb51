package web

import (
	"errors"
	"log/slog"
	"net/http"

	"wadesk/internal/helpdesk"
)

// ECodeMethodNotAllowed answers a known API path called with the wrong
// method (405); the contract's list of codes is a minimum.
const ECodeMethodNotAllowed = "method_not_allowed"

// statusError is a helpdesk.Error whose HTTP status the web layer chose
// itself, because the code alone does not say it: malformed bodies (400),
// oversized bodies (413), wrong content types (415).
type statusError struct {
	status int
	err    *helpdesk.Error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// badRequest is a 400 invalid_request: the request itself is malformed.
func badRequest(message string, fields map[string]string) error {
	return &statusError{status: http.StatusBadRequest, err: helpdesk.Invalid(message, fields)}
}

// StatusFor maps an error code to its HTTP status (the API and the UI pages
// share it). invalid_request is 422
// here: semantic errors from the domain; malformed requests use statusError.
func StatusFor(code string) int {
	switch code {
	case helpdesk.ECodeUnauthorized:
		return http.StatusUnauthorized
	case helpdesk.ECodeForbidden:
		return http.StatusForbidden
	case helpdesk.ECodeNotFound:
		return http.StatusNotFound
	case helpdesk.ECodeInvalid, helpdesk.ECodeInvalidCredentials:
		return http.StatusUnprocessableEntity
	case helpdesk.ECodeWindowClosed, helpdesk.ECodeConflict:
		return http.StatusConflict
	case helpdesk.ECodeUpstream:
		return http.StatusBadGateway
	case helpdesk.ECodeRateLimited:
		return http.StatusTooManyRequests
	case ECodeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	}
	return http.StatusInternalServerError
}

// WriteError renders err as the API's error envelope — the one place where
// errors become HTTP answers. A *helpdesk.Error is shown as it is; anything
// else is logged with the request id and answered as a generic 500.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var se *statusError
	if errors.As(err, &se) {
		writeErrorBody(w, r, se.status, se.err)
		return
	}
	var he *helpdesk.Error
	if errors.As(err, &he) && StatusFor(he.Code) != http.StatusInternalServerError {
		if he.Code == helpdesk.ECodeUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="wadesk"`)
		}
		writeErrorBody(w, r, StatusFor(he.Code), he)
		return
	}
	log := slog.Default()
	if info := infoFrom(r.Context()); info != nil {
		log = info.log
	}
	log.LogAttrs(r.Context(), slog.LevelError, "http: internal error",
		slog.String("request_id", RequestID(r.Context())),
		slog.String("method", r.Method),
		slog.String("route", routeLabel(r.Pattern)),
		slog.String("error", err.Error()))
	writeErrorBody(w, r, http.StatusInternalServerError,
		helpdesk.Errorf(helpdesk.ECodeInternal, "internal error"))
}

// errorBody is the JSON error envelope of the contract.
type errorBody struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

func writeErrorBody(w http.ResponseWriter, r *http.Request, status int, e *helpdesk.Error) {
	writeJSON(w, status, errorBody{Error: errorJSON{
		Code:      e.Code,
		Message:   e.Message,
		Fields:    e.Fields,
		RequestID: RequestID(r.Context()),
	}})
}
