package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"wadesk/internal/helpdesk"
)

// The routes that honour Idempotency-Key: a retried POST (a client timeout,
// a double click) gets the first response back instead of a second message.
// The names are part of the stored keys' scope: keep them stable.
const (
	routeCreateMessage     = "POST /api/v1/tickets/{id}/messages"
	routeStartConversation = "POST /api/v1/conversations"
)

// idempotencyHeader is the request header (as Stripe names it), and
// replayedHeader marks a response that is a stored one.
const (
	idempotencyHeader = "Idempotency-Key"
	replayedHeader    = "Idempotent-Replayed"
)

// idempotency reads the optional Idempotency-Key header for route; render
// makes the response that is stored with the created message. A header
// that is present but not 1–255 printable ASCII characters is a 400.
func idempotency(r *http.Request, route string, render func(*helpdesk.Message, *helpdesk.Ticket) (helpdesk.Response, error)) (helpdesk.Idempotency, error) {
	idem := helpdesk.Idempotency{Route: route, Render: render}
	values := r.Header.Values(idempotencyHeader)
	if len(values) == 0 {
		return idem, nil
	}
	if len(values) > 1 || !helpdesk.ValidIdempotencyKey(values[0]) {
		return idem, badRequest("invalid Idempotency-Key header", map[string]string{
			idempotencyHeader: fmt.Sprintf("must be one value of 1 to %d printable ASCII characters", helpdesk.MaxIdempotencyKeyLength)})
	}
	idem.Key = values[0]
	return idem, nil
}

// renderJSON encodes v as writeJSON would, for a response that may be stored.
func renderJSON(status int, v any) (helpdesk.Response, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		return helpdesk.Response{}, fmt.Errorf("web: render response: %w", err)
	}
	return helpdesk.Response{Status: status, Body: b.Bytes()}, nil
}

// writeResponse writes a rendered (maybe replayed) JSON response; first
// answers and replays have the same bytes.
func writeResponse(w http.ResponseWriter, resp helpdesk.Response) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if resp.Replayed {
		w.Header().Set(replayedHeader, "true")
	}
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body) // the client may be gone; nothing useful to do about it
}

// messageResponse renders the created message with status.
func messageResponse(status int) func(*helpdesk.Message, *helpdesk.Ticket) (helpdesk.Response, error) {
	return func(m *helpdesk.Message, _ *helpdesk.Ticket) (helpdesk.Response, error) {
		return renderJSON(status, MessageJSON(m))
	}
}
