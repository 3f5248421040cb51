package whatsapp

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// TemplateFields is the field list ListTemplates requests by default: the
// fields of the reference's example query, which every API version serves.
// quality_score, rejected_reason, sub_category and previous_category can be
// asked for with TemplateFilter.Fields; Graph fails the whole call (code 100)
// on a field a node type lacks, so extras are opt-in.
var TemplateFields = []string{"id", "name", "language", "status", "category", "parameter_format", "components"}

// Template is a message template as read from GET /{waba_id}/message_templates
// (§6.3). Each (name, language) pair is its own Template with its own ID.
type Template struct {
	ID               string              `json:"id"`
	Name             string              `json:"name"`
	Language         string              `json:"language"`
	Status           string              `json:"status"`                     // only APPROVED is sendable
	Category         string              `json:"category"`                   // MARKETING, UTILITY, AUTHENTICATION
	ParameterFormat  string              `json:"parameter_format,omitempty"` // POSITIONAL (default) or NAMED
	Components       []TemplateComponent `json:"components,omitempty"`
	SubCategory      string              `json:"sub_category,omitempty"`
	PreviousCategory string              `json:"previous_category,omitempty"`
	RejectedReason   string              `json:"rejected_reason,omitempty"`
	QualityScore     *TemplateQuality    `json:"quality_score,omitempty"`
}

// TemplateQuality is a template's quality_score.
type TemplateQuality struct {
	Score string `json:"score"` // GREEN, YELLOW, RED, UNKNOWN
}

// TemplateComponent is one HEADER, BODY, FOOTER or BUTTONS block of a template.
type TemplateComponent struct {
	Type    string           `json:"type"`             // HEADER, BODY, FOOTER, BUTTONS (uppercase in reads)
	Format  string           `json:"format,omitempty"` // HEADER only: TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION
	Text    string           `json:"text,omitempty"`
	Buttons []TemplateButton `json:"buttons,omitempty"`
	// Example holds sample values (header_text, body_text, header_handle,
	// body_text_named_params…); its shape varies by component, so it is raw.
	Example json.RawMessage `json:"example,omitempty"`
}

// TemplateButton is one button of a BUTTONS component.
type TemplateButton struct {
	Type        string          `json:"type"` // QUICK_REPLY, URL, PHONE_NUMBER, OTP, COPY_CODE, FLOW, …
	Text        string          `json:"text,omitempty"`
	URL         string          `json:"url,omitempty"` // may end in {{1}}: a dynamic suffix is sent as parameter
	PhoneNumber string          `json:"phone_number,omitempty"`
	Example     json.RawMessage `json:"example,omitempty"`
}

// Template status and parameter format values.
const (
	TemplateApproved    = "APPROVED"
	ParameterNamed      = "NAMED"
	ParameterPositional = "POSITIONAL"
)

// Sendable reports whether the template may be sent (only APPROVED is).
func (t Template) Sendable() bool { return strings.EqualFold(t.Status, TemplateApproved) }

// Component returns the first component of the given type (case-insensitive),
// or nil.
func (t Template) Component(typ string) *TemplateComponent {
	for i := range t.Components {
		if strings.EqualFold(t.Components[i].Type, typ) {
			return &t.Components[i]
		}
	}
	return nil
}

// HeaderFormat returns the header's format in uppercase (TEXT, IMAGE, VIDEO,
// DOCUMENT, LOCATION), or "" when the template has no header. A media header
// needs a media parameter when sending.
func (t Template) HeaderFormat() string {
	h := t.Component("HEADER")
	if h == nil {
		return ""
	}
	if h.Format == "" {
		return "TEXT"
	}
	return strings.ToUpper(h.Format)
}

// Buttons returns the template's buttons in order; a button's position is the
// index to use in a button parameter component.
func (t Template) Buttons() []TemplateButton {
	if b := t.Component("BUTTONS"); b != nil {
		return b.Buttons
	}
	return nil
}

// BodyVariables describes the variables of the BODY text.
func (t Template) BodyVariables() Variables {
	var text string
	if b := t.Component("BODY"); b != nil {
		text = b.Text
	}
	return ParseVariables(text, t.ParameterFormat)
}

// HeaderVariables describes the variables of a TEXT header (at most one in
// practice).
func (t Template) HeaderVariables() Variables {
	var text string
	if h := t.Component("HEADER"); h != nil && t.HeaderFormat() == "TEXT" {
		text = h.Text
	}
	return ParseVariables(text, t.ParameterFormat)
}

// Variables lists the placeholders of a template text.
type Variables struct {
	// Named is true for {{name}} placeholders (parameter_format NAMED);
	// parameters must then carry parameter_name.
	Named bool
	// Names are the distinct placeholders in order of first appearance. For
	// positional templates they are "1".."n", where n is the highest index
	// used, since Meta expects a parameter for every index up to it.
	Names []string
}

// Count is the number of parameters a send must supply.
func (v Variables) Count() int { return len(v.Names) }

var placeholderRE = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// ParseVariables finds {{1}}-style or {{name}}-style placeholders in text.
// format is the template's parameter_format; when empty the style is
// inferred (all-numeric placeholders are positional).
func ParseVariables(text, format string) Variables {
	matches := placeholderRE.FindAllStringSubmatch(text, -1)
	named := strings.EqualFold(format, ParameterNamed)
	if format == "" {
		for _, m := range matches {
			if _, err := strconv.Atoi(m[1]); err != nil {
				named = true
				break
			}
		}
	}
	v := Variables{Named: named}
	if named {
		seen := map[string]bool{}
		for _, m := range matches {
			if !seen[m[1]] {
				seen[m[1]] = true
				v.Names = append(v.Names, m[1])
			}
		}
		return v
	}
	highest := 0
	for _, m := range matches {
		if n, err := strconv.Atoi(m[1]); err == nil && n > highest {
			highest = n
		}
	}
	for i := 1; i <= highest; i++ {
		v.Names = append(v.Names, strconv.Itoa(i))
	}
	return v
}

// TemplateFilter narrows ListTemplates; empty fields do not filter.
type TemplateFilter struct {
	Name     string
	Status   string // e.g. APPROVED
	Category string
	Language string
	Fields   []string // replaces TemplateFields when set
}

// ListTemplates returns every template of a WABA matching f (nil for all),
// following all pages.
func (c *Client) ListTemplates(ctx context.Context, wabaID string, f *TemplateFilter) ([]Template, error) {
	fields := TemplateFields
	if f != nil && len(f.Fields) > 0 {
		fields = f.Fields
	}
	q := url.Values{"fields": {strings.Join(fields, ",")}, "limit": {"100"}}
	if f != nil {
		for k, v := range map[string]string{"name": f.Name, "status": f.Status, "category": f.Category, "language": f.Language} {
			if v != "" {
				q.Set(k, v)
			}
		}
	}
	return listAll[Template](ctx, c, c.endpoint(wabaID, "message_templates"), q)
}
