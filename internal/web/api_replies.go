package web

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"

	"wadesk/internal/helpdesk"
)

// BlobWriter stores attachment bytes and returns their sha256 and size.
type BlobWriter interface {
	Put(ctx context.Context, r io.Reader) (sha string, size int64, err error)
}

// TemplateSyncer reads a channel's templates from Meta and stores them.
type TemplateSyncer interface {
	SyncTemplates(ctx context.Context, channelID int64) ([]helpdesk.Template, error)
}

// OutboundDeps are what the sending routes need; internal/app builds them.
type OutboundDeps struct {
	Outbox    *helpdesk.Outbox
	Blobs     BlobWriter
	Templates TemplateSyncer
}

// outboundAPI serves replies, retries, read receipts, typing, templates
// and business-initiated conversations.
type outboundAPI struct {
	s   *Server
	out *helpdesk.Outbox
	bw  BlobWriter
	tpl TemplateSyncer
}

// MountOutbound makes replies go to WhatsApp through d.Outbox and mounts
// the outbound routes. Call it before serving starts.
func (s *Server) MountOutbound(d OutboundDeps) {
	a := &outboundAPI{s: s, out: d.Outbox, bw: d.Blobs, tpl: d.Templates}
	s.SetSender(a)
	s.HandleAPI("POST /api/v1/tickets/{id}/read", http.HandlerFunc(a.markRead))
	s.HandleAPI("POST /api/v1/tickets/{id}/typing", http.HandlerFunc(a.typing))
	s.HandleAPI("POST /api/v1/messages/{id}/retry", http.HandlerFunc(a.retry))
	s.HandleAPI("GET /api/v1/messages/{id}/attempts", http.HandlerFunc(a.attempts))
	s.HandleAPI("GET /api/v1/channels/{id}/templates", http.HandlerFunc(a.listTemplates))
	s.HandleAdmin("POST /api/v1/channels/{id}/templates/sync", http.HandlerFunc(a.syncTemplates))
	s.HandleAPI("POST /api/v1/conversations", http.HandlerFunc(a.startConversation))
}

// SendReply implements Sender: the file goes to the blob store (after its
// type and size were checked), the template JSON is read as the contract
// spells it, and the Outbox checks the rest and queues the message.
func (a *outboundAPI) SendReply(ctx context.Context, actor *helpdesk.User, ticketID int64, req ReplyRequest) (helpdesk.Response, error) {
	r := helpdesk.Reply{Text: req.Text, ReplyToID: req.ReplyToID}
	if len(req.Template) > 0 && string(req.Template) != "null" {
		ts, err := parseTemplateSend(req.Template)
		if err != nil {
			return helpdesk.Response{}, err
		}
		r.Template = ts
	}
	if req.File != nil {
		// A retry stores the same bytes again: the blob store keeps one copy
		// per sha256, and the file's sha256 is part of the request's hash.
		// With a template the file is its media header and has no caption
		// (text with a template is refused by the Outbox).
		caption := req.Text
		if r.Template != nil {
			caption = ""
		}
		up, err := a.storeUpload(ctx, req.File, caption)
		if err != nil {
			return helpdesk.Response{}, err
		}
		r.File = up
	}
	return a.out.QueueReplyOnce(ctx, actor, ticketID, r, req.Idem)
}

// storeUpload checks a multipart file against WhatsApp's limits and puts
// its bytes in the blob store.
func (a *outboundAPI) storeUpload(ctx context.Context, fh *multipart.FileHeader, caption string) (*helpdesk.Upload, error) {
	ctype := helpdesk.NormalizeMIME(fh.Header.Get("Content-Type"))
	if ctype == "" || ctype == "application/octet-stream" {
		// Browsers send octet-stream for types they do not know; the
		// extension is the better guess then.
		ctype = helpdesk.NormalizeMIME(mime.TypeByExtension(strings.ToLower(filepath.Ext(fh.Filename))))
	}
	if err := helpdesk.CheckUpload(ctype, fh.Size, caption); err != nil {
		return nil, err
	}
	f, err := fh.Open()
	if err != nil {
		return nil, badRequest("the file could not be read", map[string]string{"file": "unreadable"})
	}
	defer f.Close()
	sha, size, err := a.bw.Put(ctx, f)
	if err != nil {
		return nil, err
	}
	return &helpdesk.Upload{Filename: safeFilename(fh.Filename, 0), MIMEType: ctype, Size: size, SHA256: sha}, nil
}

// markRead resets the ticket's unread count and marks the newest customer
// message read on WhatsApp (POST /api/v1/tickets/{id}/read → the ticket).
func (a *outboundAPI) markRead(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	t, err := a.out.MarkTicketRead(r.Context(), UserFrom(r.Context()), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, TicketJSONAt(t, a.s.now()))
}

// typingView answers POST /api/v1/tickets/{id}/typing.
type typingView struct {
	Queued bool   `json:"queued"`
	Reason string `json:"reason,omitempty"` // why not, when not queued
}

// typing shows the typing indicator to the customer (202 either way; the
// body says whether one was queued and why not).
func (a *outboundAPI) typing(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	queued, why, err := a.out.Typing(r.Context(), UserFrom(r.Context()), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, typingView{Queued: queued, Reason: why})
}

// parseTemplateSend reads the contract's template object: params is an
// array (positional) or an object (named), values strings or numbers.
func parseTemplateSend(raw json.RawMessage) (*helpdesk.TemplateSend, error) {
	var b struct {
		Name     string          `json:"name"`
		Language string          `json:"language"`
		Params   json.RawMessage `json:"params"`
		Header   *struct {
			Type         string `json:"type"`
			Text         string `json:"text"`
			AttachmentID *ID    `json:"attachment_id"`
			Link         string `json:"link"`
		} `json:"header"`
		Buttons []struct {
			Index int    `json:"index"`
			Type  string `json:"type"`
			Value string `json:"value"`
		} `json:"buttons"`
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, prefixFields(decodeError(err), "template.")
	}
	ts := &helpdesk.TemplateSend{Name: strings.TrimSpace(b.Name), Language: strings.TrimSpace(b.Language)}
	if err := parseParams(b.Params, ts); err != nil {
		return nil, err
	}
	if h := b.Header; h != nil {
		if h.Link != "" {
			return nil, helpdesk.Invalid("invalid template header", map[string]string{
				"template.header.link": "media headers are uploaded from a file: send it as the multipart file, or give attachment_id; not a link"})
		}
		ts.Header = &helpdesk.TemplateHeaderParam{Type: strings.ToLower(h.Type), Text: h.Text}
		if h.AttachmentID != nil {
			ts.Header.AttachmentID = int64(*h.AttachmentID)
		}
	}
	for _, bt := range b.Buttons {
		ts.Buttons = append(ts.Buttons, helpdesk.TemplateButtonParam{Index: bt.Index, Type: strings.ToLower(bt.Type), Value: bt.Value})
	}
	return ts, nil
}

func parseParams(raw json.RawMessage, ts *helpdesk.TemplateSend) error {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return nil
	}
	bad := badRequest("a field has the wrong type",
		map[string]string{"template.params": "must be an array (positional) or an object (named) of strings"})
	var v any
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return bad
	}
	str := func(x any) (string, bool) {
		switch t := x.(type) {
		case string:
			return t, true
		case json.Number:
			return t.String(), true
		}
		return "", false
	}
	switch t := v.(type) {
	case []any:
		ts.Params = make([]string, len(t))
		for i, x := range t {
			sv, ok := str(x)
			if !ok {
				return bad
			}
			ts.Params[i] = sv
		}
	case map[string]any:
		ts.Named = make(map[string]string, len(t))
		for k, x := range t {
			sv, ok := str(x)
			if !ok {
				return bad
			}
			ts.Named[k] = sv
		}
	default:
		return bad
	}
	return nil
}

// prefixFields renames the fields of a decode error to sit under prefix,
// so that a problem inside "template" names "template.x".
func prefixFields(err error, prefix string) error {
	se, ok := err.(*statusError)
	if !ok || len(se.err.Fields) == 0 {
		return err
	}
	f := make(map[string]string, len(se.err.Fields))
	for k, v := range se.err.Fields {
		f[prefix+k] = v
	}
	return &statusError{status: se.status, err: helpdesk.Invalid(se.err.Message, f)}
}
