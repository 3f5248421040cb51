package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"
)

// ErrInvalidMessage wraps problems found before sending: a request Meta
// would reject anyway (131008/131009/100) is not worth a round trip, and these
// errors are never retryable.
var ErrInvalidMessage = errors.New("whatsapp: invalid message")

// SendOptions are the optional parts common to most sends.
type SendOptions struct {
	// ReplyTo is the wamid to quote.
	ReplyTo string
	// BizOpaqueCallbackData (≤ 512 chars) is echoed back in status webhooks.
	BizOpaqueCallbackData string
	// PreviewURL renders a link preview for the first URL of a text message.
	PreviewURL bool
}

// IsBSUID reports whether id looks like a business-scoped user ID
// ("US.13491208655302741918", "US.ENT.118…") rather than a phone number:
// two ASCII letters then a dot. Phone numbers never contain letters.
func IsBSUID(id string) bool {
	return len(id) > 3 && isUpperASCII(id[0]) && isUpperASCII(id[1]) && id[2] == '.'
}

func isUpperASCII(c byte) bool { return c >= 'A' && c <= 'Z' }

// NewMessage starts an OutgoingMessage of type t to a phone number or, when
// IsBSUID(to), to a BSUID via "recipient", with opts applied (nil allowed).
func NewMessage(to string, t MessageType, opts *SendOptions) *OutgoingMessage {
	m := &OutgoingMessage{Type: t}
	if IsBSUID(to) {
		m.Recipient = to
	} else {
		m.To = to
	}
	if opts != nil {
		if opts.ReplyTo != "" {
			m.Context = &ReplyContext{MessageID: opts.ReplyTo}
		}
		m.BizOpaqueCallbackData = opts.BizOpaqueCallbackData
	}
	return m
}

// SendMessage sends m from the business number phoneNumberID. It fills
// messaging_product and checks the message's structure first.
//
// On a timeout or network error the message may or may not have been
// accepted; a retry can then duplicate it. Use BizOpaqueCallbackData and the
// status webhooks to reconcile.
func (c *Client) SendMessage(ctx context.Context, phoneNumberID string, m *OutgoingMessage) (*SendResponse, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	m.MessagingProduct = "whatsapp"
	var out SendResponse
	if err := c.doJSON(ctx, http.MethodPost, c.endpoint(phoneNumberID, "messages"), nil, m, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Validate checks what the Cloud API requires structurally: a recipient, a
// payload matching Type, one of id/link for media, captions only where
// allowed. Content limits (text length, button titles) are left to Meta.
func (m *OutgoingMessage) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidMessage, fmt.Sprintf(format, a...))
	}
	if m.To == "" && m.Recipient == "" {
		return bad("no recipient")
	}
	if utf8.RuneCountInString(m.BizOpaqueCallbackData) > 512 {
		return bad("biz_opaque_callback_data longer than 512 characters")
	}
	var present bool
	switch m.Type {
	case TypeText:
		present = m.Text != nil && m.Text.Body != ""
	case TypeImage, TypeVideo, TypeAudio, TypeDocument, TypeSticker:
		mo := m.mediaObject()
		if mo == nil {
			break
		}
		if (mo.ID == "") == (mo.Link == "") {
			return bad("%s needs exactly one of id or link", m.Type)
		}
		if mo.Caption != "" && m.Type != TypeImage && m.Type != TypeVideo && m.Type != TypeDocument {
			return bad("%s cannot have a caption", m.Type)
		}
		if mo.Filename != "" && m.Type != TypeDocument {
			return bad("only documents have a filename")
		}
		present = true
	case TypeLocation:
		present = m.Location != nil
	case TypeContacts:
		present = len(m.Contacts) > 0
		for _, card := range m.Contacts {
			if card.Name.FormattedName == "" {
				return bad("contact without name.formatted_name")
			}
		}
	case TypeInteractive:
		present = m.Interactive != nil && m.Interactive.Type != ""
	case TypeTemplate:
		present = m.Template != nil && m.Template.Name != "" && m.Template.Language.Code != ""
	case TypeReaction:
		present = m.Reaction != nil && m.Reaction.MessageID != ""
	case "":
		return bad("no type")
	default:
		return bad("unsupported type %q", m.Type)
	}
	if !present {
		return bad("type %s without its %s object", m.Type, m.Type)
	}
	return nil
}

func (m *OutgoingMessage) mediaObject() *MediaObject {
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

// SendText sends a text message (≤ 4096 characters).
func (c *Client) SendText(ctx context.Context, phoneNumberID, to, body string, opts *SendOptions) (*SendResponse, error) {
	m := NewMessage(to, TypeText, opts)
	m.Text = &Text{Body: body, PreviewURL: opts != nil && opts.PreviewURL}
	return c.SendMessage(ctx, phoneNumberID, m)
}

// SendMedia sends an image, video, audio, document or sticker by media ID or
// link. Caption is allowed on image, video and document; Filename on document.
func (c *Client) SendMedia(ctx context.Context, phoneNumberID, to string, kind MessageType, media MediaObject, opts *SendOptions) (*SendResponse, error) {
	m := NewMessage(to, kind, opts)
	switch kind {
	case TypeImage:
		m.Image = &media
	case TypeVideo:
		m.Video = &media
	case TypeAudio:
		m.Audio = &media
	case TypeDocument:
		m.Document = &media
	case TypeSticker:
		m.Sticker = &media
	default:
		return nil, fmt.Errorf("%w: %q is not a media type", ErrInvalidMessage, kind)
	}
	return c.SendMessage(ctx, phoneNumberID, m)
}

// SendLocation sends a location pin.
func (c *Client) SendLocation(ctx context.Context, phoneNumberID, to string, loc Location, opts *SendOptions) (*SendResponse, error) {
	m := NewMessage(to, TypeLocation, opts)
	m.Location = &loc
	return c.SendMessage(ctx, phoneNumberID, m)
}

// SendContacts sends up to 5 contact cards.
func (c *Client) SendContacts(ctx context.Context, phoneNumberID, to string, cards []ContactCard, opts *SendOptions) (*SendResponse, error) {
	m := NewMessage(to, TypeContacts, opts)
	m.Contacts = cards
	return c.SendMessage(ctx, phoneNumberID, m)
}

// SendInteractive sends reply buttons, a list or a CTA URL button; see
// NewReplyButtons, NewList and NewCTAURL.
func (c *Client) SendInteractive(ctx context.Context, phoneNumberID, to string, in *Interactive, opts *SendOptions) (*SendResponse, error) {
	m := NewMessage(to, TypeInteractive, opts)
	m.Interactive = in
	return c.SendMessage(ctx, phoneNumberID, m)
}

// SendTemplate sends an approved template, the only kind of message allowed
// outside the 24-hour window.
func (c *Client) SendTemplate(ctx context.Context, phoneNumberID, to string, t *TemplateMessage, opts *SendOptions) (*SendResponse, error) {
	m := NewMessage(to, TypeTemplate, opts)
	m.Template = t
	return c.SendMessage(ctx, phoneNumberID, m)
}

// SendReaction reacts to messageID with emoji; an empty emoji removes the
// business's earlier reaction.
func (c *Client) SendReaction(ctx context.Context, phoneNumberID, to, messageID, emoji string) (*SendResponse, error) {
	m := NewMessage(to, TypeReaction, nil)
	m.Reaction = &Reaction{MessageID: messageID, Emoji: emoji}
	return c.SendMessage(ctx, phoneNumberID, m)
}

// readRequest is the body of mark-as-read and typing-indicator calls.
type readRequest struct {
	MessagingProduct string `json:"messaging_product"`
	Status           string `json:"status"`
	MessageID        string `json:"message_id"`
	TypingIndicator  *struct {
		Type string `json:"type"`
	} `json:"typing_indicator,omitempty"`
}

// MarkRead marks the inbound message messageID (and earlier ones in the
// chat) as read, showing blue ticks to the user.
func (c *Client) MarkRead(ctx context.Context, phoneNumberID, messageID string) error {
	return c.markRead(ctx, phoneNumberID, messageID, false)
}

// SendTypingIndicator marks messageID read and shows "typing…" to the user
// until the next message or for 25 s. Only use it when an answer follows.
func (c *Client) SendTypingIndicator(ctx context.Context, phoneNumberID, messageID string) error {
	return c.markRead(ctx, phoneNumberID, messageID, true)
}

func (c *Client) markRead(ctx context.Context, phoneNumberID, messageID string, typing bool) error {
	if messageID == "" {
		return fmt.Errorf("%w: mark read without message_id", ErrInvalidMessage)
	}
	in := readRequest{MessagingProduct: "whatsapp", Status: "read", MessageID: messageID}
	if typing {
		in.TypingIndicator = &struct {
			Type string `json:"type"`
		}{Type: "text"}
	}
	var out successResponse
	if err := c.doJSON(ctx, http.MethodPost, c.endpoint(phoneNumberID, "messages"), nil, in, &out); err != nil {
		return err
	}
	return checkSuccess("mark read", out)
}
