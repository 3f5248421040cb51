package web

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes mounts the foundation's routes. One line per route, so this file is
// the map of the HTTP surface.
func (s *Server) routes() {
	s.Handle("GET /healthz", http.HandlerFunc(s.healthz))
	s.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))

	s.Handle("GET /login", http.HandlerFunc(s.loginPage))
	s.Handle("POST /login", http.HandlerFunc(s.loginSubmit))
	s.Handle("POST /logout", http.HandlerFunc(s.logout))
	s.Handle("GET /login.css", http.HandlerFunc(s.loginCSS))

	s.HandleAPI("GET /api/v1/me", http.HandlerFunc(s.me))

	s.HandleAdmin("GET /api/v1/users", http.HandlerFunc(s.listUsers))
	s.HandleAdmin("POST /api/v1/users", http.HandlerFunc(s.createUser))
	s.HandleAdmin("GET /api/v1/users/{id}", http.HandlerFunc(s.getUser))

	s.HandleAdmin("GET /api/v1/groups", http.HandlerFunc(s.listGroups))
	s.HandleAdmin("POST /api/v1/groups", http.HandlerFunc(s.createGroup))
	s.HandleAdmin("GET /api/v1/groups/{id}", http.HandlerFunc(s.getGroup))
	s.HandleAdmin("PUT /api/v1/groups/{id}/members", http.HandlerFunc(s.setGroupMembers))

	s.HandleAPI("GET /api/v1/tokens", http.HandlerFunc(s.listTokens))
	s.HandleAPI("POST /api/v1/tokens", http.HandlerFunc(s.createToken))
	s.HandleAPI("DELETE /api/v1/tokens/{id}", http.HandlerFunc(s.revokeToken))

	s.HandleAPI("GET /api/v1/customers", http.HandlerFunc(s.listCustomers))
	s.HandleAPI("GET /api/v1/customers/{id}", http.HandlerFunc(s.getCustomer))
	s.HandleAPI("PATCH /api/v1/customers/{id}", http.HandlerFunc(s.updateCustomer))

	s.HandleAPI("GET /api/v1/tickets", http.HandlerFunc(s.listTickets))
	s.HandleAPI("GET /api/v1/tickets/{id}", http.HandlerFunc(s.getTicket))
	s.HandleAPI("PATCH /api/v1/tickets/{id}", http.HandlerFunc(s.updateTicket))

	s.HandleAPI("GET /api/v1/tickets/{id}/messages", http.HandlerFunc(s.listMessages))
	s.HandleAPI("POST /api/v1/tickets/{id}/messages", http.HandlerFunc(s.createMessage))

	s.HandleAPI("GET /api/v1/attachments/{id}", http.HandlerFunc(s.getAttachment))
}
