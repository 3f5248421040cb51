package sim

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Template is a message template of a WABA (§6.3). One (name, language)
// pair is one Template with its own id.
type Template struct {
	ID              string              `json:"id"`
	WABAID          string              `json:"waba_id"`
	Name            string              `json:"name"`
	Language        string              `json:"language"`
	Status          string              `json:"status"`           // default APPROVED
	Category        string              `json:"category"`         // default UTILITY
	ParameterFormat string              `json:"parameter_format"` // POSITIONAL (default) or NAMED
	Components      []TemplateComponent `json:"components"`
	order           uint64
}

// TemplateComponent is a HEADER, BODY, FOOTER or BUTTONS component as Graph
// returns it (uppercase types).
type TemplateComponent struct {
	Type    string           `json:"type"`
	Format  string           `json:"format,omitempty"` // HEADER: TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION
	Text    string           `json:"text,omitempty"`
	Buttons []TemplateButton `json:"buttons,omitempty"`
	Example json.RawMessage  `json:"example,omitempty"`
}

// TemplateButton is one button of a BUTTONS component.
type TemplateButton struct {
	Type        string   `json:"type"` // QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE, FLOW, OTP…
	Text        string   `json:"text"`
	URL         string   `json:"url,omitempty"`
	PhoneNumber string   `json:"phone_number,omitempty"`
	Example     []string `json:"example,omitempty"`
}

var (
	templateNameRE = regexp.MustCompile(`^[a-z0-9_]{1,512}$`)
	placeholderRE  = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)
	paramNameRE    = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,19}$`)
)

// AddTemplate creates a template, or replaces the one with the same WABA,
// name and language (keeping its id).
func (s *Sim) AddTemplate(t Template) (*Template, error) {
	if !templateNameRE.MatchString(t.Name) {
		return nil, fmt.Errorf("sim: add template: name %q must be lowercase letters, digits and underscores", t.Name)
	}
	if t.Language == "" {
		return nil, fmt.Errorf("sim: add template %s: language is required", t.Name)
	}
	t.Status = strings.ToUpper(defaultStr(t.Status, "APPROVED"))
	t.Category = strings.ToUpper(defaultStr(t.Category, "UTILITY"))
	t.ParameterFormat = strings.ToUpper(defaultStr(t.ParameterFormat, "POSITIONAL"))
	if t.ParameterFormat != "POSITIONAL" && t.ParameterFormat != "NAMED" {
		return nil, fmt.Errorf("sim: add template %s: parameter_format must be POSITIONAL or NAMED", t.Name)
	}
	for i := range t.Components {
		c := &t.Components[i]
		c.Type, c.Format = strings.ToUpper(c.Type), strings.ToUpper(c.Format)
		if _, err := t.placeholders(c.Text); err != nil {
			return nil, fmt.Errorf("sim: add template %s: %s: %w", t.Name, c.Type, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wabas[t.WABAID] == nil {
		return nil, fmt.Errorf("sim: add template %s: waba %q: %w", t.Name, t.WABAID, ErrNotFound)
	}
	if old := s.findTemplateLocked(t.WABAID, t.Name, t.Language); old != nil {
		t.ID, t.order = old.ID, old.order
	}
	if t.ID == "" {
		t.ID = s.newID(16)
	}
	if t.order == 0 {
		t.order = s.seq.Add(1)
	}
	s.templates[t.ID] = &t
	return &t, nil
}

func defaultStr(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

func (s *Sim) findTemplateLocked(waba, name, lang string) *Template {
	for _, t := range s.templates {
		if t.WABAID == waba && t.Name == name && t.Language == lang {
			return t
		}
	}
	return nil
}

// placeholders lists the variables of a component text in order of first
// appearance: "1","2"… (positional, must be 1..n) or names (named).
func (t *Template) placeholders(text string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
		v := m[1]
		if seen[v] {
			continue
		}
		seen[v] = true
		if t.ParameterFormat == "NAMED" {
			if !paramNameRE.MatchString(v) {
				return nil, fmt.Errorf("named parameter {{%s}} must match [a-z_][a-z0-9_]{0,19}", v)
			}
		} else if _, err := strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("positional parameter {{%s}} must be a number", v)
		}
		out = append(out, v)
	}
	if t.ParameterFormat != "NAMED" {
		for i := range out {
			if !seen[strconv.Itoa(i+1)] {
				return nil, fmt.Errorf("positional parameters must be {{1}}…{{%d}} without gaps", len(out))
			}
		}
	}
	return out, nil
}

func (t *Template) component(typ string) *TemplateComponent {
	for i := range t.Components {
		if t.Components[i].Type == typ {
			return &t.Components[i]
		}
	}
	return nil
}

// templateFields are the fields GET message_templates can return.
var templateFields = map[string]bool{"id": true, "name": true, "language": true, "status": true,
	"category": true, "parameter_format": true, "components": true}

func (s *Sim) listTemplates(c *call, b *Business) {
	q := c.r.URL.Query()
	fields := []string{"name", "parameter_format", "components", "language", "status", "category", "id"}
	if f := q.Get("fields"); f != "" {
		fields = strings.Split(f, ",")
		for _, f := range fields {
			if !templateFields[strings.TrimSpace(f)] {
				c.fail(&GraphError{HTTPStatus: 400, Code: 100, Graph: true,
					Message: fmt.Sprintf("(#100) Tried accessing nonexisting field (%s) on node type (WhatsAppBusinessHSM)", f)})
				return
			}
		}
	}
	s.mu.RLock()
	var list []*Template
	for _, t := range s.templates {
		if t.WABAID != b.ID ||
			(q.Get("name") != "" && t.Name != q.Get("name")) ||
			(q.Get("status") != "" && !strings.EqualFold(t.Status, q.Get("status"))) ||
			(q.Get("language") != "" && t.Language != q.Get("language")) ||
			(q.Get("category") != "" && !strings.EqualFold(t.Category, q.Get("category"))) {
			continue
		}
		cp := *t
		list = append(list, &cp)
	}
	s.mu.RUnlock()
	sort.Slice(list, func(i, j int) bool { return list[i].order < list[j].order })
	page, paging, e := s.paginate(c, len(list), 25, func(i int) uint64 { return list[i].order })
	if e != nil {
		c.fail(e)
		return
	}
	data := make([]map[string]any, 0, len(page))
	for _, i := range page {
		t := list[i]
		all := map[string]any{"id": t.ID, "name": t.Name, "language": t.Language, "status": t.Status,
			"category": t.Category, "parameter_format": t.ParameterFormat, "components": t.Components}
		item := map[string]any{}
		for _, f := range fields {
			item[strings.TrimSpace(f)] = all[strings.TrimSpace(f)]
		}
		data = append(data, item)
	}
	c.ok(listResponse{Data: data, Paging: paging})
}
