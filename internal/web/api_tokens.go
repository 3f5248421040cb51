package web

import (
	"net/http"
)

// createTokenBody is the body of POST /api/v1/tokens.
type createTokenBody struct {
	Name string `json:"name"`
}

// listTokens lists the current user's API tokens (never their secrets).
func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) {
	toks, err := s.svc.ListAPITokens(r.Context(), UserFrom(r.Context()).ID)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	views := make([]TokenView, len(toks))
	for i := range toks {
		views[i] = TokenJSON(&toks[i])
	}
	writeJSON(w, http.StatusOK, List(views, ""))
}

// createToken makes a token for the current user; the raw secret is in
// this answer only.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	var body createTokenBody
	if err := DecodeJSON(w, r, &body); err != nil {
		WriteError(w, r, err)
		return
	}
	raw, tok, err := s.svc.CreateAPIToken(r.Context(), UserFrom(r.Context()).ID, body.Name)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	v := TokenJSON(tok)
	v.Token = raw
	writeJSON(w, http.StatusCreated, v)
}

// revokeToken revokes one of the current user's tokens; someone else's
// token is not_found.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	if err := s.svc.RevokeAPIToken(r.Context(), UserFrom(r.Context()).ID, id); err != nil {
		WriteError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
