package inbound

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"wadesk/internal/helpdesk"
	"wadesk/internal/whatsapp"
)

// Translate turns one inbound webhook message into the helpdesk's terms.
// It never fails: a message whose payload does not fit becomes an
// "unsupported" note, so nothing a customer sends is lost. received stands
// in for a missing Meta timestamp.
func Translate(in whatsapp.Inbound, received time.Time) *helpdesk.InboundMessage {
	m := in.Message
	out := &helpdesk.InboundMessage{WAMID: m.ID, At: m.Timestamp.Time(), From: customerRef(in), Type: string(m.Type)}
	if out.At.IsZero() {
		out.At = received
	}
	out.At = out.At.UTC().Truncate(time.Millisecond)
	p := payload{}
	if c := m.Context; c != nil {
		out.ReplyToWAMID = c.ID
		if c.Forwarded || c.FrequentlyForwarded || c.ReferredProduct != nil {
			p["context"] = map[string]any{"forwarded": c.Forwarded, "frequently_forwarded": c.FrequentlyForwarded,
				"referred_product": c.ReferredProduct}
		}
	}
	if m.Referral != nil {
		p["referral"] = m.Referral
	}
	if !m.Known() {
		unsupported(out, m, p)
	} else {
		render(out, m, p)
	}
	out.Payload = p.encode()
	return out
}

// customerRef names the sender: wa_id from contacts or from, BSUID from
// from_user_id or contacts, the profile name and username from contacts.
func customerRef(in whatsapp.Inbound) helpdesk.CustomerRef {
	m := in.Message
	ref := helpdesk.CustomerRef{WAID: digits(m.From), BSUID: m.FromUserID}
	if c := in.Contact; c != nil {
		if ref.WAID == "" {
			ref.WAID = digits(c.WaID)
		}
		if ref.BSUID == "" {
			ref.BSUID = c.UserID
		}
		ref.Name, ref.Username = strings.TrimSpace(c.Profile.Name), c.Profile.Username
	}
	return ref
}

// digits keeps the digits of a wa_id; Meta sends digits only, but a "+" or
// spaces must not create a second customer.
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// render fills the readable text and structured payload of a known type.
func render(out *helpdesk.InboundMessage, m *whatsapp.Message, p payload) {
	switch m.Type {
	case whatsapp.TypeText:
		out.Text = m.Text.Body
	case whatsapp.TypeImage, whatsapp.TypeVideo, whatsapp.TypeAudio, whatsapp.TypeDocument, whatsapp.TypeSticker:
		renderMedia(out, m)
	case whatsapp.TypeLocation:
		renderLocation(out, m.Location, p)
	case whatsapp.TypeContacts:
		out.Text = contactsText(m.Contacts)
		p["contacts"] = m.Contacts
	case whatsapp.TypeInteractive:
		renderInteractive(out, m.Interactive, p)
	case whatsapp.TypeButton:
		out.Text = m.Button.Text
		if out.Text == "" {
			out.Text = m.Button.Payload
		}
		p["button"] = map[string]string{"text": m.Button.Text, "payload": m.Button.Payload}
	case whatsapp.TypeOrder:
		renderOrder(out, m.Order, p)
	case whatsapp.TypeReaction:
		out.Reaction = &helpdesk.InboundReaction{TargetWAMID: m.Reaction.MessageID, Emoji: m.Reaction.Emoji}
	case whatsapp.TypeSystem:
		renderSystem(out, m, p)
	case whatsapp.TypeRevoke:
		out.Type, out.Text = "unsupported", "The customer deleted a message."
		out.Unsupported = &helpdesk.MessageError{Title: "Message deleted"}
		p["revoke"] = m.Revoke
	case whatsapp.TypeEdit:
		renderEdit(out, m.Edit, p)
	default: // request_welcome, unsupported, unknown
		unsupported(out, m, p)
	}
}

func renderMedia(out *helpdesk.InboundMessage, m *whatsapp.Message) {
	md := m.Media()
	out.Text = md.Caption
	sha, err := whatsapp.NormalizeSHA256(md.SHA256)
	if err != nil {
		sha = "" // the download checks the digest from media info instead
	}
	out.Media = &helpdesk.InboundMedia{MediaID: md.ID, MIMEType: md.MIMEType, SHA256: sha,
		Filename: mediaFilename(m.Type, md), Voice: m.Type == whatsapp.TypeAudio && md.Voice}
}

// unsupported turns a message WhatsApp (or this version of wadesk) cannot
// render into an internal note with Meta's error title and details.
func unsupported(out *helpdesk.InboundMessage, m *whatsapp.Message, p payload) {
	kind := ""
	if m.Unsupported != nil {
		kind = m.Unsupported.Type
	}
	if kind == "" && m.Type != whatsapp.TypeUnsupported && m.Type != whatsapp.TypeUnknown {
		kind = string(m.Type)
	}
	e := &helpdesk.MessageError{Title: "Message type unknown"}
	if len(m.Errors) > 0 {
		we := m.Errors[0]
		e = &helpdesk.MessageError{Code: we.Code, Title: we.Title, Message: we.Details()}
		if e.Title == "" {
			e.Title = we.Message
		}
		if e.Message == "" && we.Message != e.Title {
			e.Message = we.Message
		}
	} else if m.DecodeErr != nil {
		e.Message = "the payload did not match its type: " + m.DecodeErr.Error()
	}
	out.Type, out.Unsupported = "unsupported", e
	out.Text = helpdesk.UnsupportedText(kind, e)
	p["unsupported"] = map[string]any{"type": kind, "error": e}
	if len(m.Raw) > 0 && len(m.Raw) <= maxRawKept {
		p["raw"] = json.RawMessage(m.Raw)
	}
}

// maxRawKept bounds the original JSON kept on unsupported notes.
const maxRawKept = 16 << 10

// payload is a message's structured parts, stored as one JSON object.
type payload map[string]any

func (p payload) encode() json.RawMessage {
	if len(p) == 0 {
		return nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		// Only unencodable values (NaN coordinates) get here; keep what says why.
		b, _ = json.Marshal(map[string]string{"encode_error": fmt.Sprint(err)})
	}
	return b
}
