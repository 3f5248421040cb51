package sim

import (
	"net/http"
	"strings"
)

// bearer extracts the access token from the Authorization header or, as
// Graph also allows, the access_token query parameter.
func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
			return strings.TrimSpace(h[7:])
		}
		if len(h) > 6 && strings.EqualFold(h[:6], "OAuth ") {
			return strings.TrimSpace(h[6:])
		}
		return ""
	}
	return r.URL.Query().Get("access_token")
}

// authenticate resolves the token: missing → 104, unknown → 190, expired →
// 190/463 (§7.1, §10.2).
func (s *Sim) authenticate(c *call) *GraphError {
	v := bearer(c.r)
	if v == "" {
		return &GraphError{HTTPStatus: http.StatusUnauthorized, Code: 104, Graph: true,
			Message: "An access token is required to request this resource."}
	}
	s.mu.RLock()
	t := s.tokens[v]
	var cp Token
	if t != nil {
		cp = *t
	}
	s.mu.RUnlock()
	if t == nil {
		return &GraphError{HTTPStatus: http.StatusUnauthorized, Code: 190, Graph: true,
			Message: "Invalid OAuth access token - Cannot parse access token"}
	}
	if cp.Expired {
		return &GraphError{HTTPStatus: http.StatusUnauthorized, Code: 190, Subcode: 463, Graph: true,
			Message: "Error validating access token: Session has expired on " + s.Now().Add(-1e9*3600).Format("Monday, 02-Jan-06 15:04:05 MST") + "."}
	}
	c.token = &cp
	return nil
}

// needScope answers code 10 when the token lacks the permission: sending and
// media need whatsapp_business_messaging, the rest whatsapp_business_management.
func needScope(c *call, messaging bool) *GraphError {
	if messaging && c.token.NoMessaging {
		return &GraphError{HTTPStatus: http.StatusForbidden, Code: 10, Title: "Application does not have permission for this action",
			Details: "The access token lacks the whatsapp_business_messaging permission."}
	}
	if !messaging && c.token.NoManagement {
		return &GraphError{HTTPStatus: http.StatusForbidden, Code: 10, Title: "Application does not have permission for this action",
			Details: "The access token lacks the whatsapp_business_management permission."}
	}
	return nil
}

// setUsage emits x-business-use-case-usage (§0) for the WABA the call
// touched. The numbers are fixed and low: the sim does not model Graph
// management rate limits.
func (s *Sim) setUsage(w http.ResponseWriter, waba string) {
	// Built by hand: ids are digits, and this runs on every send.
	w.Header().Set("x-business-use-case-usage", `{"`+waba+
		`":[{"type":"whatsapp","call_count":1,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":0}]}`)
}
