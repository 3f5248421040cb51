package whatsapp

// This file holds the request and response types of
// POST /{phone_number_id}/messages (reference §4). Types shared with inbound
// webhooks (Text, Location, Reaction, ContactCard) live in webhook_types.go.

// MessageType is the "type" of a sent or received message.
type MessageType string

// Message types of §2 and §4.
const (
	TypeText           MessageType = "text"
	TypeImage          MessageType = "image"
	TypeVideo          MessageType = "video"
	TypeAudio          MessageType = "audio"
	TypeDocument       MessageType = "document"
	TypeSticker        MessageType = "sticker"
	TypeLocation       MessageType = "location"
	TypeContacts       MessageType = "contacts"
	TypeInteractive    MessageType = "interactive"
	TypeTemplate       MessageType = "template"
	TypeReaction       MessageType = "reaction"
	TypeButton         MessageType = "button"
	TypeOrder          MessageType = "order"
	TypeSystem         MessageType = "system"
	TypeUnsupported    MessageType = "unsupported"
	TypeUnknown        MessageType = "unknown" // older spelling of unsupported
	TypeRequestWelcome MessageType = "request_welcome"
	TypeRevoke         MessageType = "revoke"
	TypeEdit           MessageType = "edit"
)

// IsMedia reports whether t carries a media object.
func (t MessageType) IsMedia() bool {
	switch t {
	case TypeImage, TypeVideo, TypeAudio, TypeDocument, TypeSticker:
		return true
	}
	return false
}

// OutgoingMessage is the body of a send. Set To (phone number) or Recipient
// (BSUID), Type, and the one payload field named after Type; SendMessage
// fills MessagingProduct. The Send* helpers build it for each type.
type OutgoingMessage struct {
	MessagingProduct string      `json:"messaging_product"`
	RecipientType    string      `json:"recipient_type,omitempty"` // "individual" (default) or "group"
	To               string      `json:"to,omitempty"`
	Recipient        string      `json:"recipient,omitempty"` // BSUID; "to" wins if both are set
	Type             MessageType `json:"type"`
	// Context makes the message a quoted reply.
	Context *ReplyContext `json:"context,omitempty"`
	// BizOpaqueCallbackData (≤ 512 chars) is echoed back in status webhooks,
	// e.g. the helpdesk's message ID.
	BizOpaqueCallbackData string `json:"biz_opaque_callback_data,omitempty"`

	Text        *Text            `json:"text,omitempty"`
	Image       *MediaObject     `json:"image,omitempty"`
	Video       *MediaObject     `json:"video,omitempty"`
	Audio       *MediaObject     `json:"audio,omitempty"`
	Document    *MediaObject     `json:"document,omitempty"`
	Sticker     *MediaObject     `json:"sticker,omitempty"`
	Location    *Location        `json:"location,omitempty"`
	Contacts    []ContactCard    `json:"contacts,omitempty"`
	Interactive *Interactive     `json:"interactive,omitempty"`
	Template    *TemplateMessage `json:"template,omitempty"`
	Reaction    *Reaction        `json:"reaction,omitempty"`
}

// ReplyContext quotes an earlier message.
type ReplyContext struct {
	MessageID string `json:"message_id"`
}

// MediaObject references media in a send: exactly one of ID (uploaded,
// preferred) or Link (public URL Meta fetches). Caption applies to image,
// video and document; Filename to document only.
type MediaObject struct {
	ID       string `json:"id,omitempty"`
	Link     string `json:"link,omitempty"`
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
}

// Interactive is an interactive message: reply buttons ("button"), a list
// ("list") or a call-to-action URL button ("cta_url"). NewReplyButtons,
// NewList and NewCTAURL build valid ones.
type Interactive struct {
	Type   string             `json:"type"`
	Header *InteractiveHeader `json:"header,omitempty"`
	Body   *InteractiveText   `json:"body,omitempty"`
	Footer *InteractiveText   `json:"footer,omitempty"`
	Action InteractiveAction  `json:"action"`
}

// InteractiveHeader is a text header, or a media header (image, video,
// document) for reply buttons.
type InteractiveHeader struct {
	Type     string       `json:"type"` // text, image, video, document
	Text     string       `json:"text,omitempty"`
	Image    *MediaObject `json:"image,omitempty"`
	Video    *MediaObject `json:"video,omitempty"`
	Document *MediaObject `json:"document,omitempty"`
}

// InteractiveText is a body or footer.
type InteractiveText struct {
	Text string `json:"text"`
}

// InteractiveAction carries the buttons, list sections or CTA of an
// interactive message; only the fields of its type are set.
type InteractiveAction struct {
	Buttons    []ReplyButton    `json:"buttons,omitempty"`    // button: 1–3
	Button     string           `json:"button,omitempty"`     // list: the menu button label
	Sections   []ListSection    `json:"sections,omitempty"`   // list: 1–10 sections, ≤ 10 rows total
	Name       string           `json:"name,omitempty"`       // cta_url: "cta_url"
	Parameters *CTAURLParameter `json:"parameters,omitempty"` // cta_url
}

// ReplyButton is one reply button; Type is always "reply".
type ReplyButton struct {
	Type  string `json:"type"`
	Reply Choice `json:"reply"`
}

// Choice is a button (ID ≤ 256, Title ≤ 20 chars) or list row (ID ≤ 200,
// Title ≤ 24, Description ≤ 72). The same shape comes back in the user's
// button_reply / list_reply.
type Choice struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

// ListSection groups list rows; Title is required when there are several.
type ListSection struct {
	Title string   `json:"title,omitempty"`
	Rows  []Choice `json:"rows"`
}

// CTAURLParameter is the button of a cta_url message.
type CTAURLParameter struct {
	DisplayText string `json:"display_text"`
	URL         string `json:"url"`
}

// TemplateMessage sends an approved template (§4.10).
type TemplateMessage struct {
	Name       string              `json:"name"`
	Language   TemplateLanguage    `json:"language"`
	Components []TemplateParamsSet `json:"components,omitempty"`
}

// TemplateLanguage selects the template translation.
type TemplateLanguage struct {
	Code   string `json:"code"`             // en_US, pt_BR, …
	Policy string `json:"policy,omitempty"` // "deterministic" or empty
}

// TemplateParamsSet gives the parameters of one template component: header,
// body, or one button (SubType and Index set). Build them with
// HeaderParams, BodyParams and the *Button helpers.
type TemplateParamsSet struct {
	Type       string          `json:"type"`               // header, body, button
	SubType    string          `json:"sub_type,omitempty"` // button: quick_reply, url, copy_code, flow, …
	Index      FlexString      `json:"index,omitempty"`    // button: 0-based position, sent as a string
	Parameters []TemplateParam `json:"parameters"`
}

// TemplateParam is one parameter value. Type selects the field that is set.
type TemplateParam struct {
	Type string `json:"type"` // text, currency, date_time, image, video, document, location, payload, coupon_code
	// ParameterName names the {{variable}} in templates with NAMED parameters.
	ParameterName string       `json:"parameter_name,omitempty"`
	Text          string       `json:"text,omitempty"`
	Payload       string       `json:"payload,omitempty"`
	CouponCode    string       `json:"coupon_code,omitempty"`
	Currency      *Currency    `json:"currency,omitempty"`
	DateTime      *DateTime    `json:"date_time,omitempty"`
	Image         *MediaObject `json:"image,omitempty"`
	Video         *MediaObject `json:"video,omitempty"`
	Document      *MediaObject `json:"document,omitempty"`
	Location      *Location    `json:"location,omitempty"`
}

// Currency is a localisable amount; Amount1000 is the amount × 1000.
type Currency struct {
	FallbackValue string `json:"fallback_value"`
	Code          string `json:"code"`
	Amount1000    int64  `json:"amount_1000"`
}

// DateTime is a date parameter; the Cloud API renders FallbackValue.
type DateTime struct {
	FallbackValue string `json:"fallback_value"`
}

// SendResponse is the success body of a send (§4.1). HTTP 200 means
// "accepted", not delivered: statuses arrive by webhook.
type SendResponse struct {
	MessagingProduct string        `json:"messaging_product"`
	Contacts         []SentContact `json:"contacts"`
	Messages         []SentMessage `json:"messages"`
}

// SentContact echoes the recipient: Input as sent, and WaID (phone sends) or
// UserID (BSUID sends).
type SentContact struct {
	Input  string `json:"input"`
	WaID   string `json:"wa_id,omitempty"`
	UserID string `json:"user_id,omitempty"`
}

// SentMessage is the accepted message.
type SentMessage struct {
	ID string `json:"id"`
	// MessageStatus is accepted, held_for_quality_assessment or paused, and
	// mostly present on template sends.
	MessageStatus string `json:"message_status,omitempty"`
}

// MessageID returns the wamid of the accepted message, "" if none.
func (r *SendResponse) MessageID() string {
	if r == nil || len(r.Messages) == 0 {
		return ""
	}
	return r.Messages[0].ID
}

// WaID returns the recipient's WhatsApp ID as normalised by Meta, "" for BSUID
// sends.
func (r *SendResponse) WaID() string {
	if r == nil || len(r.Contacts) == 0 {
		return ""
	}
	return r.Contacts[0].WaID
}
