package web

import (
	"embed"
	"html/template"
)

//go:embed templates
var templateFS embed.FS // read-only: embedded files cannot change

// parsePages parses every page template at start. The templates are
// compiled into the binary, so a failure is a programming error: fail fast.
func parsePages() *template.Template {
	return template.Must(template.ParseFS(templateFS, "templates/*.html"))
}
