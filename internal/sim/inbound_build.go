package sim

import (
	"encoding/json"
	"fmt"
	"strings"
)

// whInbound is a §2 message object; field order follows Meta's examples.
type whInbound struct {
	Context     *whContext       `json:"context,omitempty"`
	Referral    json.RawMessage  `json:"referral,omitempty"`
	From        string           `json:"from,omitempty"`
	FromUserID  string           `json:"from_user_id,omitempty"`
	ID          string           `json:"id"`
	Timestamp   string           `json:"timestamp"`
	Type        string           `json:"type"`
	Text        *whText          `json:"text,omitempty"`
	Image       *whMedia         `json:"image,omitempty"`
	Video       *whMedia         `json:"video,omitempty"`
	Audio       *whMedia         `json:"audio,omitempty"`
	Document    *whMedia         `json:"document,omitempty"`
	Sticker     *whMedia         `json:"sticker,omitempty"`
	Location    *InboundLocation `json:"location,omitempty"`
	Contacts    json.RawMessage  `json:"contacts,omitempty"`
	Interactive json.RawMessage  `json:"interactive,omitempty"`
	Button      *InboundButton   `json:"button,omitempty"`
	Reaction    *whReaction      `json:"reaction,omitempty"`
	Order       json.RawMessage  `json:"order,omitempty"`
	System      *whSystem        `json:"system,omitempty"`
	Unsupported *whUnsupported   `json:"unsupported,omitempty"`
	Errors      []WebhookError   `json:"errors,omitempty"`
}

type whContext struct {
	Forwarded           bool             `json:"forwarded,omitempty"`
	FrequentlyForwarded bool             `json:"frequently_forwarded,omitempty"`
	From                string           `json:"from,omitempty"`
	ID                  string           `json:"id,omitempty"`
	ReferredProduct     *ReferredProduct `json:"referred_product,omitempty"`
}

type whText struct {
	Body string `json:"body"`
}

type whMedia struct {
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	ID       string `json:"id"`
	URL      string `json:"url,omitempty"`
	Voice    *bool  `json:"voice,omitempty"`
	Animated *bool  `json:"animated,omitempty"`
}

type whReaction struct {
	MessageID string `json:"message_id"`
	Emoji     string `json:"emoji"`
}

type whSystem struct {
	Body string `json:"body"`
	WaID string `json:"wa_id"`
	Type string `json:"type"`
}

type whUnsupported struct {
	Type string `json:"type"`
}

// fillInbound validates in and fills the type-specific part of m.
func (s *Sim) fillInbound(n *Number, cust *Customer, in *Inbound, m *whInbound) error {
	if cust.WaID == "" {
		m.From = "" // BSUID-only users have no phone in webhooks (§1.5)
	}
	if err := s.inboundContext(n, cust, in, m); err != nil {
		return err
	}
	if len(in.Referral) > 0 {
		if !json.Valid(in.Referral) {
			return badInbound("referral is not valid JSON")
		}
		m.Referral = in.Referral
	}
	switch in.Type {
	case "text":
		if in.Text == "" {
			return badInbound("text is required for a text message")
		}
		m.Text = &whText{Body: in.Text}
	case "image", "video", "audio", "document", "sticker":
		return s.inboundMedia(n, in, m)
	case "location":
		if in.Location == nil {
			return badInbound("location is required")
		}
		m.Location = in.Location
	case "contacts":
		var list []map[string]any
		if err := json.Unmarshal(in.Contacts, &list); err != nil || len(list) == 0 {
			return badInbound("contacts must be a non-empty JSON array of contact objects (§2.8)")
		}
		m.Contacts = in.Contacts
	case "interactive":
		return inboundInteractive(in, m)
	case "button":
		if in.Button == nil || in.Button.Text == "" {
			return badInbound("button.text is required (payload defaults to it)")
		}
		b := *in.Button
		if b.Payload == "" {
			b.Payload = b.Text // Meta sends the button text when no payload was set
		}
		m.Button = &b
	case "reaction":
		if in.Reaction == nil || !strings.HasPrefix(in.Reaction.MessageID, "wamid.") {
			return badInbound("reaction.message_id must be a wamid")
		}
		m.Reaction = &whReaction{MessageID: in.Reaction.MessageID, Emoji: in.Reaction.Emoji}
	case "order":
		var o struct {
			CatalogID    string           `json:"catalog_id"`
			ProductItems []map[string]any `json:"product_items"`
		}
		if err := json.Unmarshal(in.Order, &o); err != nil || o.CatalogID == "" || len(o.ProductItems) == 0 {
			return badInbound("order must be an object with catalog_id and product_items (§2.14)")
		}
		m.Order = in.Order
	case "system":
		return s.inboundSystem(cust, in, m)
	case "unsupported":
		kind := defaultStr(in.Unsupported, "unknown")
		m.Unsupported = &whUnsupported{Type: kind}
		m.Errors = []WebhookError{{Code: 131051, Title: "Message type unknown", Message: "Message type unknown",
			ErrorData: &WebhookErrData{Details: "Message type is currently not supported."}}}
	default:
		return badInbound("unknown type %q", in.Type)
	}
	return nil
}

// inboundContext fills context; button taps default to the last message
// of the kind that carries buttons sent to this customer.
func (s *Sim) inboundContext(n *Number, cust *Customer, in *Inbound, m *whInbound) error {
	ctx := in.Context
	needs := in.Type == "button" || (in.Type == "interactive" && in.Interactive != nil)
	if ctx == nil && !needs {
		return nil
	}
	if ctx == nil {
		ctx = &InboundContext{}
	}
	wc := &whContext{Forwarded: ctx.Forwarded, FrequentlyForwarded: ctx.FrequentlyForwarded, ReferredProduct: ctx.ReferredProduct}
	id := ctx.MessageID
	if id == "" && needs {
		want := "template"
		if in.Type == "interactive" {
			want = "interactive"
		}
		for _, x := range s.Messages(MessageFilter{PhoneNumberID: n.ID, Customer: cust.UserID, Direction: "out"}) {
			if x.Type == want {
				id = x.ID
			}
		}
		if id == "" {
			return badInbound("context.message_id is required: no %s message was sent to this customer", want)
		}
	}
	if id != "" {
		wc.ID, wc.From = id, n.digits()
		if x, ok := s.messages.get(id); ok && x.Direction == "in" {
			wc.From = x.WaID // replying to their own (or another user's) message
		}
	}
	if ctx.ReferredProduct != nil && wc.ID == "" {
		wc.From, wc.ID = n.digits(), s.newWamid(cust.WaID)
	}
	m.Context = wc
	return nil
}

func inboundInteractive(in *Inbound, m *whInbound) error {
	it := in.Interactive
	if it == nil {
		return badInbound("interactive is required")
	}
	var v any
	switch it.Type {
	case "button_reply":
		if it.ID == "" || it.Title == "" {
			return badInbound("button_reply needs id and title")
		}
		v = map[string]any{"type": it.Type, "button_reply": map[string]string{"id": it.ID, "title": it.Title}}
	case "list_reply":
		if it.ID == "" || it.Title == "" {
			return badInbound("list_reply needs id and title")
		}
		r := map[string]string{"id": it.ID, "title": it.Title}
		if it.Description != "" {
			r["description"] = it.Description
		}
		v = map[string]any{"type": it.Type, "list_reply": r}
	case "nfm_reply":
		if !json.Valid([]byte(it.ResponseJSON)) {
			return badInbound("nfm_reply.response_json must be a JSON-encoded string")
		}
		v = map[string]any{"type": it.Type, "nfm_reply": map[string]string{"name": defaultStr(it.Name, "flow"),
			"body": defaultStr(it.Body, "Sent"), "response_json": it.ResponseJSON}}
	default:
		return badInbound("interactive.type must be button_reply, list_reply or nfm_reply, got %q", it.Type)
	}
	raw, err := marshalJSON(v)
	if err != nil {
		return err
	}
	m.Interactive = raw
	return nil
}

// inboundSystem handles user_changed_number: the customer gets the new
// wa_id and, as §1.5 says, a new BSUID.
func (s *Sim) inboundSystem(cust *Customer, in *Inbound, m *whInbound) error {
	if in.System == nil || in.System.Type != "user_changed_number" {
		return badInbound("system.type must be user_changed_number")
	}
	nw := onlyDigits(in.System.NewWaID)
	if nw == "" || cust.WaID == "" {
		return badInbound("system.new_wa_id is required and the customer must have a phone number")
	}
	m.System = &whSystem{Body: fmt.Sprintf("User %s changed from %s to %s", cust.Name, cust.WaID, nw), WaID: nw, Type: in.System.Type}
	moved := *cust
	moved.WaID, moved.UserID = nw, "US."+randDigits(20)
	s.mu.Lock()
	delete(s.custByWa, cust.WaID)
	delete(s.customers, cust.key())
	s.putCustomerLocked(&moved)
	s.mu.Unlock()
	return nil
}

// defaultMime is the MIME type used when an inbound media has none.
var defaultMime = map[string]string{"image": "image/jpeg", "video": "video/mp4", "audio": "audio/ogg; codecs=opus",
	"document": "application/pdf", "sticker": "image/webp"}

func (s *Sim) inboundMedia(n *Number, in *Inbound, m *whInbound) error {
	md := in.Media
	if md == nil {
		md = &InboundMedia{}
	}
	mt := defaultStr(md.MimeType, defaultMime[in.Type])
	if mediaKind(mt) != in.Type {
		return badInbound("mime_type %q cannot be a %s", mt, in.Type)
	}
	data := md.Data
	if len(data) == 0 {
		var err error
		if data, err = sampleFile(mt, md.Animated); err != nil {
			return badInbound("%v", err)
		}
	}
	stored := s.storeMedia(n, mt, md.Filename, data, false)
	w := &whMedia{MimeType: mt, SHA256: stored.sha256Base64(), ID: stored.ID}
	if s.BaseURL() != "" { // a relative URL would mislead; GET /{media_id} always works
		w.URL = s.mediaURL(stored)
	}
	switch in.Type {
	case "image":
		w.Caption, m.Image = md.Caption, w
	case "video":
		w.Caption, m.Video = md.Caption, w
	case "document":
		w.Caption, w.Filename, m.Document = md.Caption, defaultStr(md.Filename, "document.pdf"), w
	case "audio":
		v := md.Voice
		w.Voice, m.Audio = &v, w
	case "sticker":
		a := md.Animated
		w.Animated, m.Sticker = &a, w
	}
	return nil
}
