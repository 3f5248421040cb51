package ui

import (
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// funcs are the template helpers. They format; they never decide rules.
func (u *UI) funcs() template.FuncMap {
	return template.FuncMap{
		"asset":    u.assets.url,
		"clock":    func(t time.Time) string { return t.UTC().Format("15:04") },
		"fullTime": func(t time.Time) string { return t.UTC().Format("Mon 2 Jan 2006, 15:04 UTC") },
		"iso":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"ago":      u.ago,
		"day":      dayLabel,
		"size":     humanSize,
		"initials": initials,
		"hue":      func(id int64) int64 { return id % 8 },
		"idOf": func(p *int64) int64 {
			if p == nil {
				return 0
			}
			return *p
		},
		"sameID": func(p *int64, id int64) bool { return p != nil && *p == id },
		"dict":   dict,
		"join":   strings.Join,
		"title":  capitalize,
		"hours":  func(sec int) float64 { return float64(sec) / 3600 },
	}
}

// ago is a short relative time for lists ("now", "5m", "3h", "Tue", "12 Mar").
func (u *UI) ago(t time.Time) string {
	d := u.now().Sub(t)
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case d < 6*24*time.Hour:
		return t.UTC().Format("Mon")
	}
	return t.UTC().Format("2 Jan")
}

// dayLabel heads a run of chat messages from the same day.
func dayLabel(t time.Time) string { return t.UTC().Format("Monday, 2 January 2006") }

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// initials are the avatar letters of a name: "Sheena Nelson" → "SN".
// A name without letters (a phone number) gets "#".
func initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		r, _ := utf8.DecodeRuneInString(w)
		if unicode.IsLetter(r) {
			out = append(out, unicode.ToUpper(r))
		}
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "#"
	}
	return string(out)
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// dict builds a map for passing several values to a sub-template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("ui: dict needs key/value pairs")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("ui: dict key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}
