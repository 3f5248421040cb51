package ui

import (
	"context"
	"net/http"

	"wadesk/internal/helpdesk"
	"wadesk/internal/web"
)

// SendCounts are a channel's outbound messages waiting and failed.
type SendCounts struct{ Queued, Failed int }

// SendCounter reports SendCounts per channel id for the health page.
type SendCounter func(ctx context.Context) (map[int64]SendCounts, error)

// channelRow is one channel with its health.
type channelRow struct {
	C        helpdesk.Channel
	Group    string
	Callback string
	Counts   SendCounts
}

type channelsView struct {
	Channels []channelRow
}

func (u *UI) channelRows(r *http.Request) ([]channelRow, error) {
	n, err := u.loadNames(r.Context())
	if err != nil {
		return nil, err
	}
	counts := map[int64]SendCounts{}
	if u.counts != nil {
		if counts, err = u.counts(r.Context()); err != nil {
			return nil, err
		}
	}
	var rows []channelRow
	for _, c := range n.channels {
		rows = append(rows, channelRow{C: c, Group: n.group(c.GroupID), Callback: u.callbackURL(&c), Counts: counts[c.ID]})
	}
	return rows, nil
}

// channels lists channels with their health; admin only.
func (u *UI) channels(w http.ResponseWriter, r *http.Request) {
	rows, err := u.channelRows(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.render(w, r, http.StatusOK, "channels", newPage(r, "Channels", "channels", channelsView{Channels: rows}))
}

// channelDetail is one channel's page: the webhook settings to paste into
// Meta's dashboard, the live webhook indicator and its health.
type channelDetail struct {
	Row     channelRow
	Created bool
	Groups  []helpdesk.Group
}

func (u *UI) loadChannel(r *http.Request) (*channelDetail, error) {
	id, err := web.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	rows, err := u.channelRows(r)
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		if row.C.ID == id {
			n, err := u.loadNames(r.Context())
			if err != nil {
				return nil, err
			}
			return &channelDetail{Row: row, Created: r.URL.Query().Get("created") == "1", Groups: n.groups}, nil
		}
	}
	return nil, helpdesk.ErrNotFound
}

func (u *UI) channelPage(w http.ResponseWriter, r *http.Request) {
	d, err := u.loadChannel(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.render(w, r, http.StatusOK, "channel", newPage(r, d.Row.C.Name, "channels", d))
}

// channelStatus is the live indicator, polled by htmx every few seconds.
func (u *UI) channelStatus(w http.ResponseWriter, r *http.Request) {
	d, err := u.loadChannel(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.fragment(w, r, http.StatusOK, "channel_status", d.Row)
}

func (u *UI) channelEdit(w http.ResponseWriter, r *http.Request) {
	d, err := u.loadChannel(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.render(w, r, http.StatusOK, "channel_edit", newPage(r, "Edit "+d.Row.C.Name, "channels", d))
}

// channelTemplates lists a channel's synced templates, with a sync button.
func (u *UI) channelTemplates(w http.ResponseWriter, r *http.Request) {
	d, err := u.loadChannel(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	ts, err := u.svc.Store().ListTemplates(r.Context(), d.Row.C.ID)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := struct {
		Row       channelRow
		Templates []templateView
	}{d.Row, templateViews(ts)}
	u.render(w, r, http.StatusOK, "channel_templates", newPage(r, "Templates · "+d.Row.C.Name, "channels", v))
}

// channelWizard is the new-channel wizard; its steps run in app.js
// against the channel API (lookup of the WABA's numbers, then create).
func (u *UI) channelWizard(w http.ResponseWriter, r *http.Request) {
	n, err := u.loadNames(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := struct{ Groups []helpdesk.Group }{n.groups}
	u.render(w, r, http.StatusOK, "channel_new", newPage(r, "Connect a WhatsApp number", "channels", v))
}
