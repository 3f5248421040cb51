package web

import (
	"net/http"

	"wadesk/internal/helpdesk"
)

// createUserBody is the body of POST /api/v1/users.
type createUserBody struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Password string `json:"password"`
	GroupIDs []ID   `json:"group_ids"`
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	p, err := PageFrom(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	users, next, err := s.svc.ListUsers(r.Context(), p)
	if err != nil {
		WriteError(w, r, listError(err))
		return
	}
	views := make([]UserView, len(users))
	for i := range users {
		views[i] = UserJSON(&users[i])
	}
	writeJSON(w, http.StatusOK, List(views, next))
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var body createUserBody
	if err := DecodeJSON(w, r, &body); err != nil {
		WriteError(w, r, err)
		return
	}
	u, err := s.svc.CreateUser(r.Context(), helpdesk.NewUser{
		Email:    body.Email,
		Name:     body.Name,
		Role:     helpdesk.Role(body.Role),
		Password: body.Password,
		GroupIDs: ids(body.GroupIDs),
	})
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, UserJSON(u))
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	u, err := s.svc.User(r.Context(), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, UserJSON(u))
}
