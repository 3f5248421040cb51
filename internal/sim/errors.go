package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// GraphError is a synchronous Graph API error (§7.1). WhatsApp errors carry
// error_data{messaging_product, details}; Graph-level ones (100/33, 104,
// 190) do not, which is what Graph sets NoData for.
type GraphError struct {
	HTTPStatus int    `json:"http_status"`
	Code       int    `json:"code"`
	Subcode    int    `json:"error_subcode,omitempty"`
	Type       string `json:"type,omitempty"`    // default OAuthException
	Title      string `json:"title,omitempty"`   // message becomes "(#code) title"
	Message    string `json:"message,omitempty"` // verbatim message, wins over Title
	Details    string `json:"details,omitempty"`
	Graph      bool   `json:"graph,omitempty"` // no error_data
}

func (e *GraphError) Error() string {
	return fmt.Sprintf("graph error %d: %s", e.Code, e.message())
}

func (e *GraphError) message() string {
	if e.Message != "" {
		return e.Message
	}
	return "(#" + strconv.Itoa(e.Code) + ") " + e.Title
}

// errorTitles are Meta's titles (§7.3), used for the message and for async
// webhook error objects.
var errorTitles = map[int]string{
	0: "AuthException", 1: "API Unknown", 2: "API Service", 3: "API Method",
	4: "API Too Many Calls", 10: "Permission denied", 100: "Invalid parameter",
	130429: "Rate limit hit", 130472: "User's number is part of an experiment",
	131000: "Something went wrong", 131005: "Access denied",
	131008: "Required parameter is missing", 131009: "Parameter value is not valid",
	131016: "Service unavailable", 131021: "Recipient cannot be sender",
	131026: "Message undeliverable", 131030: "Recipient phone number not in allowed list",
	131031: "Business Account locked", 131042: "Business eligibility payment issue",
	131047: "Re-engagement message", 131048: "Spam rate limit hit",
	131049: "This message was not delivered to maintain healthy ecosystem engagement.",
	131050: "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business",
	131051: "Message type unknown", 131052: "Media download error", 131053: "Media upload error",
	131056: "(Business Account, Consumer Account) pair rate limit hit",
	131057: "Account in maintenance mode", 131062: "Business-scoped user ID recipient not supported",
	132000: "Number of parameters does not match the expected number of params",
	132001: "Template name does not exist in the translation",
	132005: "Translated text too long", 132007: "Template Format Character Policy Violated",
	132008: "Template parameter value invalid",
	132012: "Parameter format does not match format in the created template",
	132015: "Template is Paused", 132016: "Template is Disabled",
	133010: "Account not registered", 190: "Invalid OAuth access token",
}

// defaultHTTP is the usual status per code (§7.3), used when a fault or a
// constructor gives none.
func defaultHTTP(code int) int {
	switch {
	case code == 0 || code == 190 || code == 104:
		return http.StatusUnauthorized
	case code == 3 || code == 131000 || code == 131057:
		return http.StatusInternalServerError
	case code == 2 || code == 131016:
		return http.StatusServiceUnavailable
	case code == 4 || code == 17 || code == 80007 || code == 130429:
		return http.StatusTooManyRequests
	case code == 10 || (code >= 200 && code <= 299) || code == 368 || code == 130497 || code == 131005 || code == 131031:
		return http.StatusForbidden
	case code == 132001:
		return http.StatusNotFound
	}
	return http.StatusBadRequest
}

// waErr builds a WhatsApp error with error_data.details.
func waErr(code int, details string, args ...any) *GraphError {
	if len(args) > 0 {
		details = fmt.Sprintf(details, args...)
	}
	return &GraphError{HTTPStatus: defaultHTTP(code), Code: code, Title: errorTitles[code], Details: details}
}

func errMissing(details string, args ...any) *GraphError { return waErr(131008, details, args...) }
func errInvalid(details string, args ...any) *GraphError { return waErr(131009, details, args...) }
func errParam(details string, args ...any) *GraphError   { return waErr(100, details, args...) }

// errNoObject is Graph's answer for unknown ids and ids the token may not see
// (§7.1): the two are deliberately indistinguishable.
func errNoObject(method, id string) *GraphError {
	return &GraphError{HTTPStatus: 400, Code: 100, Subcode: 33, Type: "GraphMethodException", Graph: true,
		Message: fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api", method, id)}
}

type errorEnvelope struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Message   string     `json:"message"`
	Type      string     `json:"type"`
	Code      int        `json:"code"`
	ErrorData *errorData `json:"error_data,omitempty"`
	Subcode   int        `json:"error_subcode,omitempty"`
	FBTraceID string     `json:"fbtrace_id"`
}

type errorData struct {
	MessagingProduct string `json:"messaging_product"`
	Details          string `json:"details"`
}

func (e *GraphError) envelope(trace string) errorEnvelope {
	b := errorBody{Message: e.message(), Type: e.Type, Code: e.Code, Subcode: e.Subcode, FBTraceID: trace}
	if b.Type == "" {
		b.Type = "OAuthException"
	}
	if !e.Graph {
		b.ErrorData = &errorData{MessagingProduct: "whatsapp", Details: e.Details}
	}
	return errorEnvelope{Error: b}
}

// writeGraphError renders the §7.1 envelope with the trace id already set in
// the x-fb-trace-id header so the two match, as at Meta.
func writeGraphError(w http.ResponseWriter, e *GraphError) {
	trace := w.Header().Get("x-fb-trace-id")
	if trace == "" {
		trace = newTraceID()
	}
	if e.Code == 190 || e.Code == 104 {
		w.Header().Set("WWW-Authenticate", `OAuth "Facebook Platform" "invalid_token" "`+e.message()+`"`)
	}
	status := e.HTTPStatus
	if status == 0 {
		status = defaultHTTP(e.Code)
	}
	writeJSON(w, status, e.envelope(trace))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":"marshal"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
