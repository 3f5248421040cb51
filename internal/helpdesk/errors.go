package helpdesk

import (
	"errors"
	"fmt"
)

// Error codes, as the API contract names them. The web layer maps each to an
// HTTP status in one place.
const (
	ECodeUnauthorized       = "unauthorized"        // 401
	ECodeForbidden          = "forbidden"           // 403
	ECodeNotFound           = "not_found"           // 404
	ECodeInvalid            = "invalid_request"     // 400/422
	ECodeInvalidCredentials = "invalid_credentials" // 422
	ECodeWindowClosed       = "window_closed"       // 409
	ECodeConflict           = "conflict"            // 409
	ECodeUpstream           = "upstream_error"      // 502
	ECodeRateLimited        = "rate_limited"        // 429
	ECodeInternal           = "internal"            // 500
)

// Error is an error that is safe to show to the user: a code from the list
// above, a human message and, for invalid input, the reason per field.
// Anything that is not an *Error is internal and shown only as "internal".
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Code + ": " + e.Message
	}
	return fmt.Sprintf("%s: %s %v", e.Code, e.Message, e.Fields)
}

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid builds an invalid_request error naming the offending fields.
func Invalid(message string, fields map[string]string) *Error {
	return &Error{Code: ECodeInvalid, Message: message, Fields: fields}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, else "internal".
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ECodeInternal
}

// Sentinel errors returned by Store implementations.
var (
	ErrNotFound = &Error{Code: ECodeNotFound, Message: "not found"}
	ErrConflict = &Error{Code: ECodeConflict, Message: "already exists"}
)
