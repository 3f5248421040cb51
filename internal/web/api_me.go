package web

import "net/http"

// me is the signed-in user.
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, UserJSON(UserFrom(r.Context())))
}
