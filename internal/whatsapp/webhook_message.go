package whatsapp

import (
	"encoding/json"
	"strings"
)

// Message is an inbound message (reference §2). Type says which payload
// field is set. A message whose type this package does not know, or whose
// payload has an unexpected shape, is still returned: Type and the common
// fields are filled, Raw holds the JSON, and DecodeErr explains a shape
// problem, so the caller can record an "unsupported" note instead of losing
// the message.
type Message struct {
	From             string      `json:"from,omitempty"` // phone digits; optional since BSUIDs
	FromUserID       string      `json:"from_user_id,omitempty"`
	FromParentUserID string      `json:"from_parent_user_id,omitempty"`
	ID               string      `json:"id"` // wamid; the dedupe key
	Timestamp        Timestamp   `json:"timestamp"`
	Type             MessageType `json:"type"`
	GroupID          string      `json:"group_id,omitempty"`
	Context          *Context    `json:"context,omitempty"`
	Referral         *Referral   `json:"referral,omitempty"`
	// Errors explain unsupported/unknown messages.
	Errors []WebhookError `json:"errors,omitempty"`
	// Origin is "contact_request/other" on answers to a contact-info request.
	Origin string `json:"origin,omitempty"`

	Text        *Text             `json:"text,omitempty"`
	Image       *Media            `json:"image,omitempty"`
	Video       *Media            `json:"video,omitempty"`
	Audio       *Media            `json:"audio,omitempty"`
	Document    *Media            `json:"document,omitempty"`
	Sticker     *Media            `json:"sticker,omitempty"`
	Location    *Location         `json:"location,omitempty"`
	Contacts    []ContactCard     `json:"contacts,omitempty"`
	Interactive *InteractiveReply `json:"interactive,omitempty"`
	Button      *ButtonReply      `json:"button,omitempty"`
	Reaction    *Reaction         `json:"reaction,omitempty"`
	Order       *Order            `json:"order,omitempty"`
	System      *System           `json:"system,omitempty"`
	Identity    *Identity         `json:"identity,omitempty"` // with system customer_identity_changed
	Unsupported *Unsupported      `json:"unsupported,omitempty"`
	Revoke      *Revoke           `json:"revoke,omitempty"`
	Edit        *Edit             `json:"edit,omitempty"`

	// Raw is the message object as received.
	Raw json.RawMessage `json:"-"`
	// DecodeErr is set when the payload did not fit the Go types; only the
	// common fields are then reliable.
	DecodeErr error `json:"-"`
}

// UnmarshalJSON decodes a message leniently; see Message.
func (m *Message) UnmarshalJSON(b []byte) error {
	type plain Message
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		// Salvage the common fields: a message we can route but not render
		// is better than a whole batch rejected.
		var h struct {
			From             string          `json:"from"`
			FromUserID       string          `json:"from_user_id"`
			FromParentUserID string          `json:"from_parent_user_id"`
			ID               string          `json:"id"`
			Timestamp        json.RawMessage `json:"timestamp"`
			Type             MessageType     `json:"type"`
			GroupID          string          `json:"group_id"`
		}
		if herr := json.Unmarshal(b, &h); herr != nil {
			return err
		}
		var ts Timestamp
		_ = ts.UnmarshalJSON(h.Timestamp) // best effort: zero means "use receipt time"
		p = plain{From: h.From, FromUserID: h.FromUserID, FromParentUserID: h.FromParentUserID,
			ID: h.ID, Timestamp: ts, Type: h.Type, GroupID: h.GroupID, DecodeErr: err}
	}
	*m = Message(p)
	m.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// Known reports whether the message has a type this package models and its
// payload decoded. Unknown messages should become an "unsupported" note.
func (m *Message) Known() bool {
	if m.DecodeErr != nil {
		return false
	}
	switch m.Type {
	case TypeText:
		return m.Text != nil
	case TypeImage, TypeVideo, TypeAudio, TypeDocument, TypeSticker:
		return m.Media() != nil
	case TypeLocation:
		return m.Location != nil
	case TypeContacts:
		return len(m.Contacts) > 0
	case TypeInteractive:
		return m.Interactive != nil
	case TypeButton:
		return m.Button != nil
	case TypeReaction:
		return m.Reaction != nil
	case TypeOrder:
		return m.Order != nil
	case TypeSystem:
		return m.System != nil
	case TypeRevoke:
		return m.Revoke != nil
	case TypeEdit:
		return m.Edit != nil
	case TypeRequestWelcome, TypeUnsupported, TypeUnknown:
		return true
	}
	return false
}

// Media returns the media payload of an image, video, audio, document or
// sticker message, or nil.
func (m *Message) Media() *Media {
	switch m.Type {
	case TypeImage:
		return m.Image
	case TypeVideo:
		return m.Video
	case TypeAudio:
		return m.Audio
	case TypeDocument:
		return m.Document
	case TypeSticker:
		return m.Sticker
	}
	return nil
}

// SenderKey returns the best identity of the sender: the parent BSUID, the
// BSUID, then the phone (reference §1.5 recommends keying on user_id).
func (m *Message) SenderKey() string {
	switch {
	case m.FromParentUserID != "":
		return m.FromParentUserID
	case m.FromUserID != "":
		return m.FromUserID
	}
	return m.From
}

// Media is an inbound media object. SHA256 is base64 in webhooks; compare
// with NormalizeSHA256. URL (newer payloads) still needs the bearer token;
// the robust path is GetMediaInfo by ID.
type Media struct {
	ID       string `json:"id"`
	MIMEType string `json:"mime_type,omitempty"` // may carry parameters: "audio/ogg; codecs=opus"
	SHA256   string `json:"sha256,omitempty"`
	Caption  string `json:"caption,omitempty"`  // image, video, document
	Filename string `json:"filename,omitempty"` // document
	Voice    bool   `json:"voice,omitempty"`    // audio recorded with the voice-note button
	Animated bool   `json:"animated,omitempty"` // sticker
	URL      string `json:"url,omitempty"`
}

// BaseMIMEType returns the MIME type without parameters, lowercased
// ("audio/ogg; codecs=opus" → "audio/ogg").
func (m *Media) BaseMIMEType() string {
	t, _, _ := strings.Cut(m.MIMEType, ";")
	return strings.ToLower(strings.TrimSpace(t))
}

// Context tells what a message replies to or where it came from (§2.17).
type Context struct {
	From                string           `json:"from,omitempty"`
	ID                  string           `json:"id,omitempty"` // wamid of the quoted message
	Forwarded           bool             `json:"forwarded,omitempty"`
	FrequentlyForwarded bool             `json:"frequently_forwarded,omitempty"`
	ReferredProduct     *ReferredProduct `json:"referred_product,omitempty"`
}

// ReferredProduct is the catalog product a user asked about.
type ReferredProduct struct {
	CatalogID         string `json:"catalog_id"`
	ProductRetailerID string `json:"product_retailer_id"`
}

// Referral is set when a message came from a Click-to-WhatsApp ad or post.
type Referral struct {
	SourceURL      string `json:"source_url,omitempty"`
	SourceID       string `json:"source_id,omitempty"`
	SourceType     string `json:"source_type,omitempty"` // ad, post
	Body           string `json:"body,omitempty"`
	Headline       string `json:"headline,omitempty"`
	MediaType      string `json:"media_type,omitempty"` // image, video
	ImageURL       string `json:"image_url,omitempty"`
	VideoURL       string `json:"video_url,omitempty"`
	ThumbnailURL   string `json:"thumbnail_url,omitempty"`
	CTWAClid       string `json:"ctwa_clid,omitempty"`
	WelcomeMessage *struct {
		Text string `json:"text"`
	} `json:"welcome_message,omitempty"`
}

// ButtonReply is a tapped template quick-reply button. Payload is what the
// business set when sending, or the button text.
type ButtonReply struct {
	Payload string `json:"payload"`
	Text    string `json:"text"`
}

// Order is a cart sent from a catalog.
type Order struct {
	CatalogID    string        `json:"catalog_id"`
	Text         string        `json:"text,omitempty"`
	ProductItems []ProductItem `json:"product_items"`
}

// ProductItem is one line of an Order; ItemPrice may be fractional.
type ProductItem struct {
	ProductRetailerID string  `json:"product_retailer_id"`
	Quantity          int     `json:"quantity"`
	ItemPrice         float64 `json:"item_price"`
	Currency          string  `json:"currency"`
}

// Unsupported names the original kind of an unsupported message, if given.
type Unsupported struct {
	Type string `json:"type,omitempty"`
}

// Revoke is a message the user deleted (Coexistence numbers only).
type Revoke struct {
	OriginalMessageID string `json:"original_message_id"`
}

// Edit is a message the user edited (Coexistence numbers only).
type Edit struct {
	OriginalMessageID string         `json:"original_message_id"`
	Message           *EditedContent `json:"message,omitempty"`
}

// EditedContent is the new content of an edited message.
type EditedContent struct {
	Type     MessageType `json:"type"`
	Text     *Text       `json:"text,omitempty"`
	Image    *Media      `json:"image,omitempty"`
	Video    *Media      `json:"video,omitempty"`
	Document *Media      `json:"document,omitempty"`
}
