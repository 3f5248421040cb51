package helpdesk

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// TemplateSend is an agent's request to send a template, as the API
// contract spells it: positional Params or Named params, an optional header
// (text, or media from an attachment wadesk already has) and button values.
// It is also stored, checked, in the message payload under "template", and
// the send worker builds the Cloud API body from it.
type TemplateSend struct {
	Name     string                `json:"name"`
	Language string                `json:"language"`
	Params   []string              `json:"params,omitempty"`
	Named    map[string]string     `json:"named,omitempty"`
	Header   *TemplateHeaderParam  `json:"header,omitempty"`
	Buttons  []TemplateButtonParam `json:"buttons,omitempty"`
	// NamedOrder is the template's variable order, filled by CheckTemplate,
	// so the Cloud API body lists named parameters deterministically.
	NamedOrder []string `json:"named_order,omitempty"`
}

// TemplateHeaderParam is the header value: {type: text, text} or
// {type: image|video|document, attachment_id}, or a media header whose file
// came with the request (Uploaded). A media header is uploaded from a file
// wadesk stores, never passed to Meta as a link; either way the file is the
// message's attachment, which the send worker uploads.
type TemplateHeaderParam struct {
	Type         string `json:"type"`
	Text         string `json:"text,omitempty"`
	AttachmentID int64  `json:"attachment_id,omitempty"`
	Uploaded     bool   `json:"uploaded,omitempty"`
}

// TemplateButtonParam is a value for the button at Index: the URL suffix
// (url), the coupon code (copy_code) or the payload (quick_reply).
type TemplateButtonParam struct {
	Index int    `json:"index"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

// maxTemplateBody is the longest body after substitution (132005 beyond).
const maxTemplateBody = 1024

// CheckTemplate checks ts against the stored template: it must be approved
// and every parameter the template has must be given, with nothing extra.
// The error is an invalid_request whose fields name each problem, e.g.
// "template.params": "expects 2 parameters, got 1". On success it returns
// the body as the customer will read it.
func CheckTemplate(t *Template, ts *TemplateSend) (rendered string, err error) {
	if !strings.EqualFold(t.Status, "APPROVED") {
		return "", Invalid("the template cannot be sent",
			map[string]string{"template.name": fmt.Sprintf("template %s (%s) is %s, not APPROVED", t.Name, t.Language, t.Status)})
	}
	info, err := ParseTemplate(t)
	if err != nil {
		return "", err
	}
	f := map[string]string{}
	values := checkBodyParams(info, ts, f)
	checkHeader(info, ts, f)
	checkButtons(info, ts, f)
	if len(f) > 0 {
		return "", Invalid("the template parameters do not match the template", f)
	}
	rendered = renderPlaceholders(info.BodyText, values)
	if n := utf8.RuneCountInString(rendered); n > maxTemplateBody {
		return "", Invalid("the template body is too long",
			map[string]string{"template.params": fmt.Sprintf("the body would be %d characters; the limit is %d", n, maxTemplateBody)})
	}
	if info.Named {
		ts.NamedOrder = info.BodyParams
	}
	return rendered, nil
}

func checkBodyParams(info *TemplateInfo, ts *TemplateSend, f map[string]string) map[string]string {
	values := map[string]string{}
	if info.Named {
		if len(ts.Params) > 0 {
			f["template.params"] = "this template has named parameters: send an object {\"name\": \"value\"}"
			return values
		}
		for _, name := range info.BodyParams {
			v, ok := ts.Named[name]
			if !ok {
				f["template.params."+name] = "required"
				continue
			}
			if why := paramProblem(v); why != "" {
				f["template.params."+name] = why
			}
			values[name] = v
		}
		for name := range ts.Named {
			if _, ok := values[name]; !ok && f["template.params."+name] == "" {
				f["template.params."+name] = "the template has no such parameter"
			}
		}
		return values
	}
	if len(ts.Named) > 0 {
		f["template.params"] = "this template has positional parameters: send an array"
		return values
	}
	if len(ts.Params) != len(info.BodyParams) {
		f["template.params"] = fmt.Sprintf("expects %d parameter(s), got %d", len(info.BodyParams), len(ts.Params))
		return values
	}
	for i, v := range ts.Params {
		if why := paramProblem(v); why != "" {
			f["template.params."+strconv.Itoa(i)] = why
		}
		values[strconv.Itoa(i+1)] = v
	}
	return values
}

// paramProblem applies Meta's rules for a body parameter value.
func paramProblem(v string) string {
	switch {
	case strings.TrimSpace(v) == "":
		return "must not be empty"
	case strings.ContainsAny(v, "\n\t"):
		return "must not contain newlines or tabs"
	case strings.Contains(v, "     "):
		return "must not contain more than 4 consecutive spaces"
	}
	return ""
}

func checkHeader(info *TemplateInfo, ts *TemplateSend, f map[string]string) {
	h := ts.Header
	switch info.HeaderFormat {
	case "":
		if h != nil {
			f["template.header"] = "the template has no header"
		}
	case "TEXT":
		if len(info.HeaderParams) == 0 {
			if h != nil {
				f["template.header"] = "the template's header has no parameter"
			}
			return
		}
		if h == nil || h.Type != "text" || strings.TrimSpace(h.Text) == "" {
			f["template.header"] = "required: {\"type\": \"text\", \"text\": \"…\"}"
		}
	case "IMAGE", "VIDEO", "DOCUMENT":
		want := strings.ToLower(info.HeaderFormat)
		switch {
		case h == nil:
			f["template.header"] = fmt.Sprintf("required: a %s file, or {\"type\": %q, \"attachment_id\": \"…\"}", want, want)
		case h.Type != want:
			f["template.header.type"] = fmt.Sprintf("must be %q", want)
		case h.AttachmentID <= 0 && !h.Uploaded:
			f["template.header.attachment_id"] = "required: the header file is uploaded with the request (file) or from an attachment, not a link"
		}
	default:
		f["template.header"] = fmt.Sprintf("templates with a %s header cannot be sent from wadesk", info.HeaderFormat)
	}
}

var buttonTypes = map[string]string{"url": "URL", "copy_code": "COPY_CODE", "quick_reply": "QUICK_REPLY"}

func checkButtons(info *TemplateInfo, ts *TemplateSend, f map[string]string) {
	given := map[int]bool{}
	for i, b := range ts.Buttons {
		key := "template.buttons." + strconv.Itoa(i)
		switch {
		case b.Index < 0 || b.Index >= len(info.Buttons):
			f[key+".index"] = fmt.Sprintf("the template has %d button(s)", len(info.Buttons))
		case buttonTypes[b.Type] == "" || buttonTypes[b.Type] != info.Buttons[b.Index].Type:
			f[key+".type"] = fmt.Sprintf("button %d is %s", b.Index, strings.ToLower(info.Buttons[b.Index].Type))
		case !info.Buttons[b.Index].Param:
			f[key] = fmt.Sprintf("button %d takes no value", b.Index)
		case given[b.Index]:
			f[key+".index"] = "given twice"
		case strings.TrimSpace(b.Value) == "":
			f[key+".value"] = "must not be empty"
		}
		given[b.Index] = true
	}
	for _, b := range info.Buttons {
		if b.Required && !given[b.Index] {
			f["template.buttons"] = fmt.Sprintf("button %d (%s) needs a value", b.Index, strings.ToLower(b.Type))
		}
	}
}

// ListTemplates returns the templates of a channel the actor may use.
func (s *Service) ListTemplates(ctx context.Context, actor *User, channelID int64) ([]Template, error) {
	if _, err := visibleChannel(ctx, s.st, actor, channelID); err != nil {
		return nil, err
	}
	return s.st.ListTemplates(ctx, channelID)
}

// ReplaceTemplates stores a fresh sync of the channel's templates from Meta.
func (s *Service) ReplaceTemplates(ctx context.Context, channelID int64, ts []Template) error {
	now := s.Now()
	for i := range ts {
		ts[i].SyncedAt = now
	}
	return s.st.WithTx(ctx, func(tx Tx) error {
		if _, err := tx.ChannelByID(ctx, channelID); err != nil {
			return err
		}
		return tx.ReplaceTemplates(ctx, channelID, ts)
	})
}

// UpdateTemplateStatus applies a message_template_status_update (or a
// quality update) webhook: the template (name, language) of every channel
// of the WABA gets the new status and quality; an empty value keeps the
// stored one. It returns how many stored templates changed (0 when wadesk
// has not synced that template yet). A template that is no longer APPROVED
// is refused by CheckTemplate from then on.
func (s *Service) UpdateTemplateStatus(ctx context.Context, tx Tx, wabaID, name, language, status, quality string) (int64, error) {
	return tx.SetTemplateStatus(ctx, wabaID, name, language, strings.ToUpper(status), strings.ToUpper(quality))
}

// visibleChannel loads a channel the actor may use: admins any, agents
// those routed to one of their groups; others are not_found.
func visibleChannel(ctx context.Context, r Reader, actor *User, id int64) (*Channel, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	ch, err := r.ChannelByID(ctx, id)
	if err != nil {
		return nil, err
	}
	ok, err := canSee(ctx, r, actor, ch.GroupID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	return ch, nil
}
