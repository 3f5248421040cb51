package ui

import (
	"encoding/json"
	"regexp"
	"strings"

	"wadesk/internal/helpdesk"
)

// templateView is an approved message template as the composer's picker
// shows it: its text and one field per parameter.
type templateView struct {
	T            helpdesk.Template
	Key          string // name|language, the picker's option value
	Header       string
	HeaderMedia  string // IMAGE, VIDEO or DOCUMENT: the picker asks for the header file
	HeaderParams []string
	Body         string
	Footer       string
	Named        bool
	BodyParams   []string
	Buttons      []buttonView
	Usable       bool // approved
}

type buttonView struct {
	Index int
	Type  string // url, quick_reply, copy_code (the API's names)
	Text  string
	Param bool // needs a value (a URL suffix or a code)
}

// component is the part of Meta's template component objects we read.
type component struct {
	Type    string `json:"type"`
	Format  string `json:"format"`
	Text    string `json:"text"`
	Buttons []struct {
		Type string `json:"type"`
		Text string `json:"text"`
		URL  string `json:"url"`
	} `json:"buttons"`
}

var paramRe = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// params lists the distinct placeholders of a text in order of appearance.
func params(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range paramRe.FindAllStringSubmatch(text, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

func templateViewOf(t helpdesk.Template) templateView {
	v := templateView{T: t, Key: t.Name + "|" + t.Language, Named: strings.EqualFold(t.ParameterFormat, "NAMED")}
	var comps []component
	_ = json.Unmarshal(t.Components, &comps) // a template we cannot read shows without fields
	for _, c := range comps {
		switch strings.ToUpper(c.Type) {
		case "HEADER":
			if f := strings.ToUpper(c.Format); f != "" && f != "TEXT" {
				v.HeaderMedia = f
				continue
			}
			v.Header, v.HeaderParams = c.Text, params(c.Text)
		case "BODY":
			v.Body, v.BodyParams = c.Text, params(c.Text)
		case "FOOTER":
			v.Footer = c.Text
		case "BUTTONS":
			for i, b := range c.Buttons {
				bv := buttonView{Index: i, Type: strings.ToLower(b.Type), Text: b.Text}
				bv.Param = (bv.Type == "url" && strings.Contains(b.URL, "{{")) || bv.Type == "copy_code"
				v.Buttons = append(v.Buttons, bv)
			}
		}
	}
	v.Usable = strings.EqualFold(t.Status, "APPROVED")
	return v
}

func templateViews(ts []helpdesk.Template) []templateView {
	out := make([]templateView, 0, len(ts))
	for _, t := range ts {
		out = append(out, templateViewOf(t))
	}
	return out
}
