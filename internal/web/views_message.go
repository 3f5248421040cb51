package web

import (
	"encoding/json"

	"wadesk/internal/helpdesk"
)

// MessageView is a message as the API shows it.
type MessageView struct {
	ID          string            `json:"id"`
	TicketID    string            `json:"ticket_id"`
	Direction   string            `json:"direction"`
	Internal    bool              `json:"internal"`
	Type        string            `json:"type"`
	Text        string            `json:"text"`
	Sender      PartyView         `json:"sender"`
	WAMessageID *string           `json:"wa_message_id"`
	Status      string            `json:"status"`
	Error       *MessageErrorView `json:"error,omitempty"`
	Attachments []AttachmentView  `json:"attachments"`
	Location    json.RawMessage   `json:"location,omitempty"`
	Reactions   []ReactionView    `json:"reactions"`
	ReplyToID   *string           `json:"reply_to_id"`
	CreatedAt   string            `json:"created_at"`
}

// PartyView says who wrote or reacted: kind customer, agent or system. id is
// null for the system.
type PartyView struct {
	Kind string  `json:"kind"`
	ID   *string `json:"id"`
	Name string  `json:"name"`
}

// MessageErrorView is Meta's reason for a failed message.
type MessageErrorView struct {
	Code    int    `json:"code"`
	Title   string `json:"title"`
	Message string `json:"message"`
}

// AttachmentView is a file on a message; url serves its bytes.
type AttachmentView struct {
	ID       string `json:"id"`
	Filename string `json:"filename"`
	MIMEType string `json:"mime_type"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
	URL      string `json:"url"`
	Voice    bool   `json:"voice"`
	State    string `json:"state"`
}

// ReactionView is one emoji on a message and who set it.
type ReactionView struct {
	Emoji string    `json:"emoji"`
	By    PartyView `json:"by"`
}

// MessageJSON is the API view of m.
func MessageJSON(m *helpdesk.Message) MessageView {
	v := MessageView{
		ID:          jsonID(m.ID),
		TicketID:    jsonID(m.TicketID),
		Direction:   string(m.Direction),
		Internal:    m.Internal,
		Type:        m.Type,
		Text:        m.Text,
		Sender:      PartyView{Kind: string(m.SenderKind), ID: jsonIDPtr(m.SenderID), Name: m.SenderName},
		WAMessageID: m.WAMessageID,
		Status:      string(m.Status),
		Attachments: make([]AttachmentView, len(m.Attachments)),
		Location:    payloadField(m.Payload, "location"),
		Reactions:   make([]ReactionView, len(m.Reactions)),
		ReplyToID:   jsonIDPtr(m.ReplyToID),
		CreatedAt:   jsonTime(m.CreatedAt),
	}
	// "unknown" (delivery unknown) carries its explanation for the agent too.
	if (m.Status == helpdesk.StatusFailed || m.Status == helpdesk.StatusUnknown) && m.Error != nil {
		v.Error = &MessageErrorView{Code: m.Error.Code, Title: m.Error.Title, Message: m.Error.Message}
	}
	for i := range m.Attachments {
		v.Attachments[i] = AttachmentJSON(&m.Attachments[i])
	}
	for i, r := range m.Reactions {
		by := r.ByID
		v.Reactions[i] = ReactionView{Emoji: r.Emoji, By: PartyView{Kind: string(r.ByKind), ID: jsonIDPtr(&by), Name: r.ByName}}
	}
	return v
}

// AttachmentJSON is the API view of a.
func AttachmentJSON(a *helpdesk.Attachment) AttachmentView {
	id := jsonID(a.ID)
	return AttachmentView{
		ID:       id,
		Filename: a.Filename,
		MIMEType: a.MIMEType,
		Size:     a.Size,
		SHA256:   a.SHA256,
		URL:      "/api/v1/attachments/" + id,
		Voice:    a.Voice,
		State:    string(a.State),
	}
}

// payloadField returns one top-level member of a message payload, or nil
// when the payload has none (or is not an object).
func payloadField(payload json.RawMessage, name string) json.RawMessage {
	if len(payload) == 0 {
		return nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(payload, &obj) != nil {
		return nil
	}
	v := obj[name]
	if string(v) == "null" {
		return nil
	}
	return v
}
