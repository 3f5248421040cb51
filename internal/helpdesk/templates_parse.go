package helpdesk

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// TemplateInfo is what a stored template asks of a send: the variables of
// its body and header, the header format and the buttons that take a
// parameter. The API shows it so that a UI can render one field per
// parameter, and CheckTemplate enforces it.
type TemplateInfo struct {
	Named        bool     // {{name}} placeholders (parameter_format NAMED)
	BodyText     string   // with placeholders
	BodyParams   []string // "1".."n" or the names, in order of first appearance
	HeaderFormat string   // "", TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION
	HeaderText   string
	HeaderParams []string
	FooterText   string
	Buttons      []TemplateButtonInfo
}

// TemplateButtonInfo is one button of a template.
type TemplateButtonInfo struct {
	Index int
	Type  string // QUICK_REPLY, URL, COPY_CODE, PHONE_NUMBER, FLOW, …
	Text  string
	URL   string
	// Param says whether a send must (URL with a {{1}} suffix, COPY_CODE)
	// or may (QUICK_REPLY payload) carry a value for this button.
	Param    bool
	Required bool
}

// templateComponent is the part of Meta's component JSON wadesk reads.
type templateComponent struct {
	Type    string `json:"type"`
	Format  string `json:"format"`
	Text    string `json:"text"`
	Buttons []struct {
		Type string `json:"type"`
		Text string `json:"text"`
		URL  string `json:"url"`
	} `json:"buttons"`
}

var placeholderRE = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// ParseTemplate reads the components Meta returned for t.
func ParseTemplate(t *Template) (*TemplateInfo, error) {
	var comps []templateComponent
	if len(t.Components) > 0 {
		if err := json.Unmarshal(t.Components, &comps); err != nil {
			return nil, fmt.Errorf("helpdesk: template %s/%s: components: %w", t.Name, t.Language, err)
		}
	}
	info := &TemplateInfo{Named: strings.EqualFold(t.ParameterFormat, "NAMED")}
	for _, c := range comps {
		switch strings.ToUpper(c.Type) {
		case "HEADER":
			info.HeaderFormat = strings.ToUpper(c.Format)
			if info.HeaderFormat == "" {
				info.HeaderFormat = "TEXT"
			}
			if info.HeaderFormat == "TEXT" {
				info.HeaderText = c.Text
				info.HeaderParams = placeholders(c.Text, info.Named)
			}
		case "BODY":
			info.BodyText = c.Text
			info.BodyParams = placeholders(c.Text, info.Named)
		case "FOOTER":
			info.FooterText = c.Text
		case "BUTTONS":
			for i, b := range c.Buttons {
				bi := TemplateButtonInfo{Index: i, Type: strings.ToUpper(b.Type), Text: b.Text, URL: b.URL}
				switch bi.Type {
				case "URL":
					bi.Param = len(placeholders(b.URL, false)) > 0
					bi.Required = bi.Param
				case "COPY_CODE":
					bi.Param, bi.Required = true, true
				case "QUICK_REPLY":
					bi.Param = true // an optional payload; Meta sends the button text without one
				}
				info.Buttons = append(info.Buttons, bi)
			}
		}
	}
	return info, nil
}

// placeholders lists a text's variables: for positional templates "1".."n"
// up to the highest index used (Meta wants a value for each), for named
// templates the distinct names in order.
func placeholders(text string, named bool) []string {
	matches := placeholderRE.FindAllStringSubmatch(text, -1)
	var out []string
	if named {
		seen := map[string]bool{}
		for _, m := range matches {
			if !seen[m[1]] {
				seen[m[1]] = true
				out = append(out, m[1])
			}
		}
		return out
	}
	highest := 0
	for _, m := range matches {
		if n, err := strconv.Atoi(m[1]); err == nil && n > highest {
			highest = n
		}
	}
	for i := 1; i <= highest; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

// Render substitutes values into text's placeholders, for the copy of a
// template message shown in the ticket.
func renderPlaceholders(text string, values map[string]string) string {
	return placeholderRE.ReplaceAllStringFunc(text, func(m string) string {
		return values[placeholderRE.FindStringSubmatch(m)[1]]
	})
}
