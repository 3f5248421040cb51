package ui

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"wadesk/internal/helpdesk"
)

// msgView is one chat bubble: the message plus what the template needs
// already worked out (kind of bubble, ticks, media kinds, cards).
type msgView struct {
	M        *helpdesk.Message
	Kind     string // in, out, note, system
	Ticks    string // out only: queued, sent, delivered, read, failed, unknown
	DayBreak string // a day heading before this bubble, when the day changes
	Quote    *quoteView
	Location *locationView
	Contacts []contactView
	Media    []mediaView
	Template string // template name of a template send
	Forward  bool
	CanRetry bool
}

type quoteView struct {
	ID   int64
	Who  string
	Text string
}

type locationView struct {
	Latitude, Longitude float64
	Name, Address       string
	MapURL              string
}

type contactView struct {
	Name   string
	Phones []string
}

// mediaView is one attachment shown the way its type plays best.
type mediaView struct {
	A    helpdesk.Attachment
	Kind string // image, video, audio, file
	URL  string
}

// messageViews turns a ticket's messages (oldest first) into bubbles,
// with day headings and reply quotes resolved from the same list.
func messageViews(ms []helpdesk.Message) []msgView {
	byID := make(map[int64]*helpdesk.Message, len(ms))
	for i := range ms {
		byID[ms[i].ID] = &ms[i]
	}
	out := make([]msgView, len(ms))
	lastDay := ""
	for i := range ms {
		out[i] = messageView(&ms[i], byID)
		if d := dayLabel(ms[i].CreatedAt); d != lastDay {
			out[i].DayBreak, lastDay = d, d
		}
	}
	return out
}

// messageView builds one bubble; byID resolves the quoted message of a
// reply when it is on the page (else the quote says so).
func messageView(m *helpdesk.Message, byID map[int64]*helpdesk.Message) msgView {
	v := msgView{M: m}
	switch {
	case m.Internal || m.Type == "note":
		v.Kind = "note"
	case m.SenderKind == helpdesk.SenderSystem || m.Type == "system":
		v.Kind = "system"
	case m.Direction == helpdesk.In:
		v.Kind = "in"
	default:
		v.Kind = "out"
		v.Ticks = ticks(m.Status)
		v.CanRetry = m.Status == helpdesk.StatusFailed || m.Status == helpdesk.StatusUnknown
	}
	if m.ReplyToID != nil {
		q := &quoteView{ID: *m.ReplyToID, Text: "an earlier message"}
		if r := byID[*m.ReplyToID]; r != nil {
			q.Text = preview(r)
			q.Who = r.SenderName
			if r.Direction == helpdesk.In {
				q.Who = "Customer"
			}
		}
		v.Quote = q
	}
	for _, a := range m.Attachments {
		v.Media = append(v.Media, mediaView{A: a, Kind: mediaKind(m.Type, a.MIMEType), URL: fmt.Sprintf("/api/v1/attachments/%d", a.ID)})
	}
	parsePayload(m.Payload, &v)
	return v
}

// ticks maps a message status to the tick the bubble shows.
func ticks(s helpdesk.MessageStatus) string {
	switch s {
	case helpdesk.StatusQueued:
		return "queued"
	case helpdesk.StatusAccepted, helpdesk.StatusSent:
		return "sent"
	case helpdesk.StatusDelivered:
		return "delivered"
	case helpdesk.StatusRead, helpdesk.StatusPlayed:
		return "read"
	case helpdesk.StatusFailed:
		return "failed"
	}
	return "unknown"
}

func mediaKind(msgType, mimeType string) string {
	switch {
	case msgType == "sticker" || strings.HasPrefix(mimeType, "image/"):
		return "image"
	case strings.HasPrefix(mimeType, "video/"):
		return "video"
	case strings.HasPrefix(mimeType, "audio/"):
		return "audio"
	}
	return "file"
}

// preview is a one-line summary of a message for quotes and lists.
func preview(m *helpdesk.Message) string {
	text := strings.Join(strings.Fields(m.Text), " ")
	if r := []rune(text); len(r) > 90 {
		text = string(r[:90]) + "…"
	}
	if text != "" {
		return text
	}
	switch m.Type {
	case "image", "video", "audio", "document", "sticker", "location", "contacts":
		return capitalize(m.Type)
	}
	return "Message"
}

// payload is the subset of a message's structured payload the chat shows.
// Field names follow WhatsApp's webhook objects; unknown parts are ignored.
type payload struct {
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
		Address   string  `json:"address"`
	} `json:"location"`
	Contacts []struct {
		Name struct {
			FormattedName string `json:"formatted_name"`
		} `json:"name"`
		Phones []struct {
			Phone string `json:"phone"`
		} `json:"phones"`
	} `json:"contacts"`
	Template json.RawMessage `json:"template"`
	Context  *struct {
		Forwarded           bool `json:"forwarded"`
		FrequentlyForwarded bool `json:"frequently_forwarded"`
	} `json:"context"`
}

func parsePayload(raw json.RawMessage, v *msgView) {
	if len(raw) == 0 {
		return
	}
	var p payload
	if json.Unmarshal(raw, &p) != nil {
		return
	}
	if l := p.Location; l != nil {
		q := url.Values{"mlat": {fmt.Sprint(l.Latitude)}, "mlon": {fmt.Sprint(l.Longitude)}}
		v.Location = &locationView{Latitude: l.Latitude, Longitude: l.Longitude, Name: l.Name, Address: l.Address,
			MapURL: "https://www.openstreetmap.org/?" + q.Encode() + fmt.Sprintf("#map=16/%v/%v", l.Latitude, l.Longitude)}
	}
	for _, c := range p.Contacts {
		cv := contactView{Name: c.Name.FormattedName}
		for _, ph := range c.Phones {
			cv.Phones = append(cv.Phones, ph.Phone)
		}
		v.Contacts = append(v.Contacts, cv)
	}
	if len(p.Template) > 0 {
		var t struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(p.Template, &t) == nil {
			v.Template = t.Name
		} else {
			var name string
			if json.Unmarshal(p.Template, &name) == nil {
				v.Template = name
			}
		}
	}
	if p.Context != nil {
		v.Forward = p.Context.Forwarded || p.Context.FrequentlyForwarded
	}
}
