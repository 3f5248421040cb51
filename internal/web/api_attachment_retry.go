package web

import (
	"net/http"

	"wadesk/internal/helpdesk"
)

// AttachmentRetryHandler serves POST /api/v1/attachments/{id}/retry: a
// failed media download is queued again as a new attempt, for an agent who
// can see the ticket. 202 with the attachment (state downloading); 409 when
// the download did not fail. Mount it with HandleAPI.
func (s *Server) AttachmentRetryHandler(jobs helpdesk.Enqueuer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := PathID(r, "id")
		if err != nil {
			WriteError(w, r, err)
			return
		}
		a, err := s.svc.RetryAttachmentDownload(r.Context(), UserFrom(r.Context()), id, jobs)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		writeJSON(w, http.StatusAccepted, AttachmentJSON(a))
	})
}
