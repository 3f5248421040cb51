package web

import (
	"encoding/json"
	"errors"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"

	"wadesk/internal/helpdesk"
)

// MaxUploadBody bounds multipart bodies: WhatsApp's largest media (documents)
// are 100 MB, plus room for the other fields.
const MaxUploadBody = 101 << 20

// uploadMemory is how much of an upload is held in memory; the rest spools
// to a temporary file that is removed when the request ends.
const uploadMemory = 8 << 20

// ReplyRequest is an agent's reply to send to WhatsApp, as the client gave
// it; the Sender validates it.
type ReplyRequest struct {
	Text      string
	ReplyToID *int64
	Template  json.RawMessage       // the "template" object as sent; nil when absent
	File      *multipart.FileHeader // the multipart "file"; nil otherwise
	Idem      helpdesk.Idempotency  // the Idempotency-Key, if any, and the 202 response
}

// messageBody is the JSON body of POST /api/v1/tickets/{id}/messages.
type messageBody struct {
	Text      string          `json:"text"`
	Internal  bool            `json:"internal"`
	ReplyToID *ID             `json:"reply_to_id"`
	Template  json.RawMessage `json:"template"`
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, err := PageFrom(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	list, next, err := s.svc.ListMessages(r.Context(), UserFrom(r.Context()), id, p)
	if err != nil {
		WriteError(w, r, listError(err))
		return
	}
	views := make([]MessageView, len(list))
	for i := range list {
		views[i] = MessageJSON(&list[i])
	}
	writeJSON(w, http.StatusOK, List(views, next))
}

// createMessage adds an internal note (201) or hands a reply to the Sender
// (202: it is queued, not yet sent).
func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	ticketID, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	idem, err := idempotency(r, routeCreateMessage, messageResponse(http.StatusAccepted))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	body, file, err := readMessageRequest(w, r)
	if r.MultipartForm != nil {
		form := r.MultipartForm
		defer func() { _ = form.RemoveAll() }() // spooled temp files; best effort
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	actor := UserFrom(r.Context())
	if body.Internal {
		if file != nil || len(body.Template) > 0 || body.ReplyToID != nil {
			WriteError(w, r, helpdesk.Invalid("internal notes are text only",
				map[string]string{"internal": "cannot be combined with file, template or reply_to_id"}))
			return
		}
		idem.Render = messageResponse(http.StatusCreated)
		resp, err := s.svc.AddNoteOnce(r.Context(), actor, ticketID, body.Text, idem)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		writeResponse(w, resp)
		return
	}
	if s.sender == nil {
		WriteError(w, r, helpdesk.Invalid("sending to WhatsApp is not configured",
			map[string]string{"internal": "only internal notes can be added on this server"}))
		return
	}
	req := ReplyRequest{Text: body.Text, Template: body.Template, File: file, Idem: idem}
	if body.ReplyToID != nil {
		v := int64(*body.ReplyToID)
		req.ReplyToID = &v
	}
	resp, err := s.sender.SendReply(r.Context(), actor, ticketID, req)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeResponse(w, resp)
}

// readMessageRequest reads a JSON or multipart message body.
func readMessageRequest(w http.ResponseWriter, r *http.Request) (messageBody, *multipart.FileHeader, error) {
	var body messageBody
	if !isMultipart(r) {
		return body, nil, DecodeJSON(w, r, &body)
	}
	if err := parseMultipart(w, r); err != nil {
		return body, nil, err
	}
	form := r.MultipartForm
	body.Text = first(form.Value["text"])
	if v := first(form.Value["template"]); v != "" {
		// The same JSON object as in a JSON body; the file is its media header.
		body.Template = json.RawMessage(v)
	}
	if v := first(form.Value["internal"]); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return body, nil, badRequest("a field has the wrong type", map[string]string{"internal": "must be true or false"})
		}
		body.Internal = b
	}
	if v := first(form.Value["reply_to_id"]); v != "" {
		id, ok := parseID(v)
		if !ok {
			return body, nil, badRequest("a field has the wrong type", map[string]string{"reply_to_id": "must be an id"})
		}
		body.ReplyToID = (*ID)(&id)
	}
	file, err := formFile(form)
	return body, file, err
}

// formFile is the multipart form's one "file", or nil.
func formFile(form *multipart.Form) (*multipart.FileHeader, error) {
	files := form.File["file"]
	if len(files) > 1 {
		return nil, badRequest("one file per message", map[string]string{"file": "send one file per message"})
	}
	if len(files) == 1 {
		return files[0], nil
	}
	return nil, nil
}

// parseMultipart reads a multipart/form-data body of at most MaxUploadBody
// bytes; the caller removes r.MultipartForm's spooled files.
func parseMultipart(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxUploadBody)
	if err := r.ParseMultipartForm(uploadMemory); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return decodeError(err)
		}
		return badRequest("the multipart body could not be read", nil)
	}
	return nil
}

// isMultipart reports whether the request body is multipart/form-data.
func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
