package web

import (
	"encoding/json"
	"mime/multipart"
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
	b, file, err := readConversationRequest(w, r)
	if r.MultipartForm != nil {
		form := r.MultipartForm
		defer func() { _ = form.RemoveAll() }() // spooled temp files; best effort
	}
	if err != nil {
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
	c := helpdesk.Conversation{ChannelID: int64(b.ChannelID), To: b.To, Template: *ts}
	if file != nil {
		// The template's media header; the Outbox checks it fits the template.
		if c.HeaderFile, err = a.storeUpload(r.Context(), file, ""); err != nil {
			WriteError(w, r, err)
			return
		}
	}
	resp, err := a.out.StartConversationOnce(r.Context(), UserFrom(r.Context()), c, idem)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeResponse(w, resp)
}

// readConversationRequest reads a JSON body, or a multipart form with the
// fields channel_id, to, template (the JSON object) and one file, the
// template's media header.
func readConversationRequest(w http.ResponseWriter, r *http.Request) (conversationBody, *multipart.FileHeader, error) {
	var b conversationBody
	if !isMultipart(r) {
		return b, nil, DecodeJSON(w, r, &b)
	}
	if err := parseMultipart(w, r); err != nil {
		return b, nil, err
	}
	form := r.MultipartForm
	if v := first(form.Value["channel_id"]); v != "" {
		id, ok := parseID(v)
		if !ok {
			return b, nil, badRequest("a field has the wrong type", map[string]string{"channel_id": "must be an id"})
		}
		b.ChannelID = ID(id)
	}
	b.To = first(form.Value["to"])
	if v := first(form.Value["template"]); v != "" {
		b.Template = json.RawMessage(v)
	}
	file, err := formFile(form)
	return b, file, err
}
