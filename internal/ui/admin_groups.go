package ui

import (
	"net/http"
	"strconv"

	"wadesk/internal/helpdesk"
	"wadesk/internal/web"
)

// groupsView lists groups with their members and the create form.
type groupsView struct {
	Groups []groupRow
	Users  []helpdesk.User
	Name   string
	Errors map[string]string
}

type groupRow struct {
	G       helpdesk.Group
	Members map[int64]bool
	Names   []string
}

func (u *UI) groups(w http.ResponseWriter, r *http.Request) {
	u.renderGroups(w, r, http.StatusOK, &groupsView{}, "")
}

func (u *UI) renderGroups(w http.ResponseWriter, r *http.Request, status int, v *groupsView, flash string) {
	n, err := u.loadNames(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v.Users = n.users
	for _, g := range n.groups {
		ids, err := u.svc.GroupMembers(r.Context(), g.ID)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		row := groupRow{G: g, Members: map[int64]bool{}}
		for _, id := range ids {
			row.Members[id] = true
			row.Names = append(row.Names, n.user(&id))
		}
		v.Groups = append(v.Groups, row)
	}
	p := newPage(r, "Groups", "groups", v)
	p.Flash = flash
	u.render(w, r, status, "groups", p)
}

func (u *UI) createGroup(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		u.fail(w, r, helpdesk.Invalid("the form could not be read", nil))
		return
	}
	name := r.PostForm.Get("name")
	g, err := u.svc.CreateGroup(r.Context(), name, formIDs(r.PostForm["member_ids"]))
	if err != nil {
		fields, ok := fieldErrors(err)
		if !ok && helpdesk.ErrorCode(err) == helpdesk.ECodeConflict {
			fields, ok = map[string]string{"name": "already taken"}, true
		}
		if ok {
			u.renderGroups(w, r, http.StatusUnprocessableEntity, &groupsView{Name: name, Errors: fields}, "")
			return
		}
		u.fail(w, r, err)
		return
	}
	u.renderGroups(w, r, http.StatusOK, &groupsView{}, "Group "+g.Name+" was created.")
}

// setGroupMembers replaces a group's members with the checked users.
func (u *UI) setGroupMembers(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		u.fail(w, r, helpdesk.Invalid("the form could not be read", nil))
		return
	}
	if err := u.svc.SetGroupMembers(r.Context(), id, formIDs(r.PostForm["member_ids"])); err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderGroups(w, r, http.StatusOK, &groupsView{}, "Members saved.")
}

func formIDs(vals []string) []int64 {
	var out []int64
	for _, s := range vals {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
