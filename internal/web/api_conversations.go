package web

import (
	"encoding/json"
	"net/http"

	"wadesk/internal/helpdesk"
)

// conversationBody is POST /api/v1/conversations.
type conversationBody struct {
	ChannelID ID              `json:"channel_id"`
	To        string          `json:"to"`
	Template  json.RawMessage `json:"template"`
}

// ConversationView answers a started conversation: the ticket (new or
// reused) and the queued template message.
type ConversationView struct {
	Ticket  TicketView  `json:"ticket"`
	Message MessageView `json:"message"`
}

// startConversation sends a template to a phone number (202), once per
// Idempotency-Key.
func (a *outboundAPI) startConversation(w http.ResponseWriter, r *http.Request) {
	idem, err := idempotency(r, routeStartConversation, func(m *helpdesk.Message, t *helpdesk.Ticket) (helpdesk.Response, error) {
		return renderJSON(http.StatusAccepted, ConversationView{Ticket: TicketJSONAt(t, a.s.now()), Message: MessageJSON(m)})
	})
	if err != nil {
		WriteError(w, r, err)
		return
	}
	var b conversationBody
	if err := DecodeJSON(w, r, &b); err != nil {
		WriteError(w, r, err)
		return
	}
	if len(b.Template) == 0 || string(b.Template) == "null" {
		WriteError(w, r, helpdesk.Invalid("invalid conversation", map[string]string{"template": "required"}))
		return
	}
	ts, err := parseTemplateSend(b.Template)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	resp, err := a.out.StartConversationOnce(r.Context(), UserFrom(r.Context()),
		helpdesk.Conversation{ChannelID: int64(b.ChannelID), To: b.To, Template: *ts}, idem)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeResponse(w, resp)
}
