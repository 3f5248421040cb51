package ui

import (
	"net/http"

	"wadesk/internal/helpdesk"
	"wadesk/internal/web"
)

// accountView is the account page: password form and API tokens. NewToken
// is the raw secret of a token just created, shown this once only.
type accountView struct {
	Tokens      []helpdesk.APIToken
	NewToken    string
	NewName     string
	PasswordErr map[string]string
	TokenErr    map[string]string
}

func (u *UI) account(w http.ResponseWriter, r *http.Request) {
	u.renderAccount(w, r, http.StatusOK, &accountView{}, "")
}

func (u *UI) renderAccount(w http.ResponseWriter, r *http.Request, status int, v *accountView, flash string) {
	toks, err := u.svc.ListAPITokens(r.Context(), web.UserFrom(r.Context()).ID)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v.Tokens = toks
	p := newPage(r, "Account", "account", v)
	p.Flash = flash
	u.render(w, r, status, "account", p)
}

// changePassword checks the current password and sets the new one.
func (u *UI) changePassword(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		u.fail(w, r, helpdesk.Invalid("the form could not be read", nil))
		return
	}
	v := &accountView{}
	if r.PostForm.Get("new_password") != r.PostForm.Get("confirm_password") {
		v.PasswordErr = map[string]string{"confirm_password": "does not match the new password"}
		u.renderAccount(w, r, http.StatusUnprocessableEntity, v, "")
		return
	}
	err := u.svc.ChangePassword(r.Context(), web.UserFrom(r.Context()).ID, r.PostForm.Get("old_password"), r.PostForm.Get("new_password"))
	if fields, ok := fieldErrors(err); ok {
		v.PasswordErr = fields
		u.renderAccount(w, r, http.StatusUnprocessableEntity, v, "")
		return
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderAccount(w, r, http.StatusOK, v, "Your password was changed.")
}

// createToken makes an API token and shows its secret once.
func (u *UI) createToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		u.fail(w, r, helpdesk.Invalid("the form could not be read", nil))
		return
	}
	v := &accountView{}
	raw, tok, err := u.svc.CreateAPIToken(r.Context(), web.UserFrom(r.Context()).ID, r.PostForm.Get("name"))
	if fields, ok := fieldErrors(err); ok {
		v.TokenErr = fields
		u.renderAccount(w, r, http.StatusUnprocessableEntity, v, "")
		return
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v.NewToken, v.NewName = raw, tok.Name
	u.renderAccount(w, r, http.StatusOK, v, "")
}

// revokeToken revokes one of the user's own tokens.
func (u *UI) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if err := u.svc.RevokeAPIToken(r.Context(), web.UserFrom(r.Context()).ID, id); err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderAccount(w, r, http.StatusOK, &accountView{}, "The token was revoked; scripts using it are signed out.")
}

// fieldErrors returns the per-field reasons of an invalid_request, with
// the message under "" when no field is named, so forms can show them
// beside their inputs.
func fieldErrors(err error) (map[string]string, bool) {
	if err == nil || helpdesk.ErrorCode(err) != helpdesk.ECodeInvalid {
		return nil, false
	}
	he := asHelpdeskError(err)
	out := map[string]string{"": he.Message}
	for k, v := range he.Fields {
		out[k] = v
	}
	return out, true
}
