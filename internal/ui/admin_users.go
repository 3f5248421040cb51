package ui

import (
	"net/http"
	"strconv"

	"wadesk/internal/helpdesk"
)

// usersView is the admin's user list with the create form.
type usersView struct {
	Users  []helpdesk.User
	Groups []helpdesk.Group
	Form   map[string]string // the submitted values, kept on error
	Errors map[string]string
}

func (u *UI) users(w http.ResponseWriter, r *http.Request) {
	u.renderUsers(w, r, http.StatusOK, &usersView{}, "")
}

func (u *UI) renderUsers(w http.ResponseWriter, r *http.Request, status int, v *usersView, flash string) {
	n, err := u.loadNames(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v.Users, v.Groups = n.users, n.groups
	p := newPage(r, "Users", "users", v)
	p.Flash = flash
	u.render(w, r, status, "users", p)
}

// createUser adds an agent or admin, optionally into groups.
func (u *UI) createUser(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		u.fail(w, r, helpdesk.Invalid("the form could not be read", nil))
		return
	}
	f := r.PostForm
	in := helpdesk.NewUser{Email: f.Get("email"), Name: f.Get("name"), Role: helpdesk.Role(f.Get("role")), Password: f.Get("password")}
	for _, s := range f["group_ids"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			in.GroupIDs = append(in.GroupIDs, id)
		}
	}
	created, err := u.svc.CreateUser(r.Context(), in)
	if err != nil {
		fields, ok := fieldErrors(err)
		if !ok && helpdesk.ErrorCode(err) == helpdesk.ECodeConflict {
			fields, ok = map[string]string{"email": "already taken"}, true
		}
		if ok {
			v := &usersView{Errors: fields, Form: map[string]string{"email": in.Email, "name": in.Name, "role": string(in.Role)}}
			u.renderUsers(w, r, http.StatusUnprocessableEntity, v, "")
			return
		}
		u.fail(w, r, err)
		return
	}
	u.renderUsers(w, r, http.StatusOK, &usersView{}, created.Name+" can now sign in as "+created.Email+".")
}
