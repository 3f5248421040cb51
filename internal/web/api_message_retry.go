package web

import (
	"net/http"

	"wadesk/internal/helpdesk"
)

// retry queues a failed or unknown outbound message again (202 with the
// message, queued); any other state is 409 conflict.
func (a *outboundAPI) retry(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	m, err := a.out.RetryMessage(r.Context(), UserFrom(r.Context()), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, MessageJSON(m))
}

// AttemptView is one recorded send attempt of a message.
type AttemptView struct {
	ID          string  `json:"id"`
	StartedAt   string  `json:"started_at"`
	FinishedAt  *string `json:"finished_at"`
	Outcome     string  `json:"outcome"` // accepted, failed, retry, paused, unknown, requested; "" in flight
	ErrorCode   int     `json:"error_code,omitempty"`
	ErrorTitle  string  `json:"error_title,omitempty"`
	RequestedBy *string `json:"requested_by"` // the agent who retried by hand
}

// attempts lists a message's send attempts, oldest first.
func (a *outboundAPI) attempts(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	list, err := a.out.SendAttempts(r.Context(), UserFrom(r.Context()), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	views := make([]AttemptView, len(list))
	for i, at := range list {
		views[i] = attemptJSON(&at)
	}
	writeJSON(w, http.StatusOK, List(views, ""))
}

func attemptJSON(a *helpdesk.SendAttempt) AttemptView {
	return AttemptView{ID: jsonID(a.ID), StartedAt: jsonTime(a.StartedAt), FinishedAt: jsonTimePtr(a.FinishedAt),
		Outcome: a.Outcome, ErrorCode: a.ErrorCode, ErrorTitle: a.ErrorTitle, RequestedBy: jsonIDPtr(a.RequestedBy)}
}
