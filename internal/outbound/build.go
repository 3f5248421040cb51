package outbound

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"wadesk/internal/helpdesk"
	"wadesk/internal/whatsapp"
)

// recipient is how the Cloud API addresses the customer: the wa_id, or the
// business-scoped user id for customers known only by it.
func recipient(c *helpdesk.Customer) string {
	if c.WAID != "" {
		return c.WAID
	}
	return c.BSUID
}

// buildMessage translates a queued message into the Cloud API body.
// mediaIDs maps attachment ids to uploaded media ids.
func buildMessage(p *helpdesk.SendPlan, mediaIDs map[int64]string) (*whatsapp.OutgoingMessage, error) {
	m := p.Message
	to := recipient(p.Customer)
	if to == "" {
		return nil, fmt.Errorf("%w: the customer has neither a phone number nor a WhatsApp user id", whatsapp.ErrInvalidMessage)
	}
	opts := &whatsapp.SendOptions{ReplyTo: m.ReplyToWAMID, BizOpaqueCallbackData: strconv.FormatInt(m.ID, 10)}
	switch m.Type {
	case "text":
		out := whatsapp.NewMessage(to, whatsapp.TypeText, opts)
		out.Text = &whatsapp.Text{Body: m.Text, PreviewURL: hasURL(m.Text)}
		return out, nil
	case "image", "video", "audio", "document", "sticker":
		if len(m.Attachments) == 0 {
			return nil, fmt.Errorf("%w: a %s message without its file", whatsapp.ErrInvalidMessage, m.Type)
		}
		a := m.Attachments[0]
		media := whatsapp.MediaObject{ID: mediaIDs[a.ID]}
		if m.Type == "image" || m.Type == "video" || m.Type == "document" {
			media.Caption = m.Text
		}
		if m.Type == "document" {
			media.Filename = a.Filename
		}
		out := whatsapp.NewMessage(to, whatsapp.MessageType(m.Type), opts)
		switch m.Type {
		case "image":
			out.Image = &media
		case "video":
			out.Video = &media
		case "audio":
			out.Audio = &media
		case "document":
			out.Document = &media
		case "sticker":
			out.Sticker = &media
		}
		return out, nil
	case "template":
		tm, err := buildTemplate(m, mediaIDs)
		if err != nil {
			return nil, err
		}
		out := whatsapp.NewMessage(to, whatsapp.TypeTemplate, opts)
		out.Template = tm
		return out, nil
	}
	return nil, fmt.Errorf("%w: wadesk does not send %q messages", whatsapp.ErrInvalidMessage, m.Type)
}

// hasURL reports whether text has a link worth a preview.
func hasURL(text string) bool {
	return strings.Contains(text, "https://") || strings.Contains(text, "http://")
}

// buildTemplate makes the template object from the checked TemplateSend
// stored in the message payload.
func buildTemplate(m *helpdesk.Message, mediaIDs map[int64]string) (*whatsapp.TemplateMessage, error) {
	var p struct {
		Template *helpdesk.TemplateSend `json:"template"`
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil || p.Template == nil {
		return nil, fmt.Errorf("%w: template message %d without its template", whatsapp.ErrInvalidMessage, m.ID)
	}
	ts := p.Template
	tm := &whatsapp.TemplateMessage{Name: ts.Name, Language: whatsapp.TemplateLanguage{Code: ts.Language}}
	if h := ts.Header; h != nil {
		switch h.Type {
		case "text":
			tm.Components = append(tm.Components, whatsapp.HeaderParams(whatsapp.TextParam(h.Text)))
		case "image", "video", "document":
			if len(m.Attachments) == 0 {
				return nil, fmt.Errorf("%w: template header file missing", whatsapp.ErrInvalidMessage)
			}
			a := m.Attachments[0]
			media := whatsapp.MediaObject{ID: mediaIDs[a.ID]}
			if h.Type == "document" {
				media.Filename = a.Filename
			}
			tm.Components = append(tm.Components, whatsapp.HeaderParams(whatsapp.MediaParam(whatsapp.MessageType(h.Type), media)))
		}
	}
	var body []whatsapp.TemplateParam
	for _, v := range ts.Params {
		body = append(body, whatsapp.TextParam(v))
	}
	for _, name := range ts.NamedOrder {
		if v, ok := ts.Named[name]; ok {
			body = append(body, whatsapp.NamedParam(name, v))
		}
	}
	if len(body) > 0 {
		tm.Components = append(tm.Components, whatsapp.BodyParams(body...))
	}
	for _, b := range ts.Buttons {
		switch b.Type {
		case "url":
			tm.Components = append(tm.Components, whatsapp.URLButton(b.Index, b.Value))
		case "copy_code":
			tm.Components = append(tm.Components, whatsapp.CopyCodeButton(b.Index, b.Value))
		case "quick_reply":
			tm.Components = append(tm.Components, whatsapp.QuickReplyButton(b.Index, b.Value))
		}
	}
	return tm, nil
}
