package web

import (
	"encoding/json"
	"net/http"

	"wadesk/internal/helpdesk"
)

// TemplateView is a message template with what a send must supply, so a
// UI can render one field per parameter.
type TemplateView struct {
	Name            string               `json:"name"`
	Language        string               `json:"language"`
	Status          string               `json:"status"`
	Category        string               `json:"category"`
	ParameterFormat string               `json:"parameter_format"`
	Quality         string               `json:"quality"`
	Components      json.RawMessage      `json:"components"`
	Body            string               `json:"body"`
	BodyParams      []string             `json:"body_params"`
	Header          *TemplateHeaderView  `json:"header"`
	Buttons         []TemplateButtonView `json:"buttons"`
	SyncedAt        string               `json:"synced_at"`
}

// TemplateHeaderView is a template's header: format TEXT (with params when
// it has a variable), IMAGE, VIDEO, DOCUMENT or LOCATION.
type TemplateHeaderView struct {
	Format string   `json:"format"`
	Text   string   `json:"text,omitempty"`
	Params []string `json:"params,omitempty"`
}

// TemplateButtonView is one button; param says a send may give a value
// for it, required that it must.
type TemplateButtonView struct {
	Index    int    `json:"index"`
	Type     string `json:"type"`
	Text     string `json:"text"`
	URL      string `json:"url,omitempty"`
	Param    bool   `json:"param"`
	Required bool   `json:"required"`
}

// TemplateJSON is the API view of t.
func TemplateJSON(t *helpdesk.Template) TemplateView {
	v := TemplateView{Name: t.Name, Language: t.Language, Status: t.Status, Category: t.Category,
		ParameterFormat: t.ParameterFormat, Quality: t.Quality, Components: t.Components,
		BodyParams: []string{}, Buttons: []TemplateButtonView{}, SyncedAt: jsonTime(t.SyncedAt)}
	if len(v.Components) == 0 {
		v.Components = json.RawMessage("[]")
	}
	info, err := helpdesk.ParseTemplate(t)
	if err != nil {
		return v // components Meta sent in a shape wadesk does not read: shown as they are
	}
	v.Body = info.BodyText
	if info.BodyParams != nil {
		v.BodyParams = info.BodyParams
	}
	if info.HeaderFormat != "" {
		v.Header = &TemplateHeaderView{Format: info.HeaderFormat, Text: info.HeaderText, Params: info.HeaderParams}
	}
	for _, b := range info.Buttons {
		v.Buttons = append(v.Buttons, TemplateButtonView{Index: b.Index, Type: b.Type, Text: b.Text, URL: b.URL,
			Param: b.Param, Required: b.Required})
	}
	return v
}

func templatesJSON(ts []helpdesk.Template) []TemplateView {
	views := make([]TemplateView, len(ts))
	for i := range ts {
		views[i] = TemplateJSON(&ts[i])
	}
	return views
}

// listTemplates lists the channel's stored templates (all statuses; only
// APPROVED ones can be sent).
func (a *outboundAPI) listTemplates(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	ts, err := a.s.svc.ListTemplates(r.Context(), UserFrom(r.Context()), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, List(templatesJSON(ts), ""))
}

// syncTemplates reads the templates from Meta now (admin) and answers the
// fresh list; Meta's refusal is 502 upstream_error.
func (a *outboundAPI) syncTemplates(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	ts, err := a.tpl.SyncTemplates(r.Context(), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, List(templatesJSON(ts), ""))
}
