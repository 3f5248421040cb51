package web

import (
	"net/http"

	"wadesk/internal/helpdesk"
)

// customerPatchBody is the body of PATCH /api/v1/customers/{id}.
type customerPatchBody struct {
	Name *string `json:"name"`
}

func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request) {
	p, err := PageFrom(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	list, next, err := s.svc.ListCustomers(r.Context(), UserFrom(r.Context()),
		helpdesk.CustomerFilter{Query: r.URL.Query().Get("q"), Page: p})
	if err != nil {
		WriteError(w, r, listError(err))
		return
	}
	views := make([]CustomerView, len(list))
	for i := range list {
		views[i] = CustomerJSON(&list[i])
	}
	writeJSON(w, http.StatusOK, List(views, next))
}

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	c, err := s.svc.Customer(r.Context(), UserFrom(r.Context()), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, CustomerJSON(c))
}

func (s *Server) updateCustomer(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	var body customerPatchBody
	if err := DecodeJSON(w, r, &body); err != nil {
		WriteError(w, r, err)
		return
	}
	c, err := s.svc.UpdateCustomer(r.Context(), UserFrom(r.Context()), id, helpdesk.CustomerPatch{Name: body.Name})
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, CustomerJSON(c))
}
