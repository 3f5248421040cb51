package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"time"
)

// controlRoutes is the JSON control API under /_sim/ (docs/simulator.md).
// Every route mirrors a Go method.
func (s *Sim) controlRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_sim/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /_sim/state", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, s.State()) })
	mux.HandleFunc("POST /_sim/seed", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, s.Seed()) })
	mux.HandleFunc("POST /_sim/apps", ctl(func(a App) (any, error) { return s.AddApp(a), nil }))
	mux.HandleFunc("POST /_sim/businesses", ctl(s.AddBusiness))
	mux.HandleFunc("POST /_sim/numbers", ctl(s.AddNumber))
	mux.HandleFunc("POST /_sim/tokens", ctl(func(t Token) (any, error) { return s.AddToken(t), nil }))
	mux.HandleFunc("POST /_sim/tokens/{value}/expire", func(w http.ResponseWriter, r *http.Request) {
		ctlResult(w, map[string]bool{"success": true}, s.ExpireToken(r.PathValue("value")))
	})
	mux.HandleFunc("POST /_sim/tokens/{value}/restore", func(w http.ResponseWriter, r *http.Request) {
		ctlResult(w, map[string]bool{"success": true}, s.RestoreToken(r.PathValue("value")))
	})
	mux.HandleFunc("POST /_sim/templates", ctl(s.AddTemplate))
	mux.HandleFunc("POST /_sim/customers", ctl(s.AddCustomer))
	mux.HandleFunc("POST /_sim/inbound", func(w http.ResponseWriter, r *http.Request) {
		var in Inbound
		if !decode(w, r, &in) {
			return
		}
		id, err := s.CustomerSend(r.Context(), in)
		ctlResult(w, map[string]string{"id": id}, err)
	})
	mux.HandleFunc("POST /_sim/errors", ctl(func(q struct {
		PhoneNumberID string `json:"phone_number_id"`
		Code          int    `json:"code"`
		Details       string `json:"details"`
	}) (any, error) {
		return map[string]bool{"success": true}, s.SystemError(q.PhoneNumberID, q.Code, q.Details)
	}))
	type windowReq struct {
		PhoneNumberID string `json:"phone_number_id"`
		Customer      string `json:"customer"`
	}
	mux.HandleFunc("POST /_sim/windows", ctl(func(q windowReq) (any, error) {
		return map[string]bool{"success": true}, s.OpenWindow(q.PhoneNumberID, q.Customer)
	}))
	mux.HandleFunc("DELETE /_sim/windows", ctl(func(q windowReq) (any, error) {
		s.CloseWindow(q.PhoneNumberID, q.Customer)
		return map[string]bool{"success": true}, nil
	}))
	mux.HandleFunc("GET /_sim/clock", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, s.clock()) })
	mux.HandleFunc("POST /_sim/clock", ctl(func(q struct {
		Advance Duration `json:"advance"`
	}) (any, error) {
		s.Advance(time.Duration(q.Advance))
		return s.clock(), nil
	}))
	mux.HandleFunc("GET /_sim/faults", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, s.Faults()) })
	mux.HandleFunc("PUT /_sim/faults", ctl(func(f Faults) (any, error) { s.SetFaults(f); return s.Faults(), nil }))
	mux.HandleFunc("GET /_sim/requests", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		writeJSON(w, 200, map[string]any{"data": s.Requests(RequestFilter{Method: q.Get("method"), Path: q.Get("path")})})
	})
	mux.HandleFunc("DELETE /_sim/requests", func(w http.ResponseWriter, r *http.Request) {
		s.ClearRequests()
		writeJSON(w, 200, map[string]bool{"success": true})
	})
	mux.HandleFunc("GET /_sim/deliveries", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"data": s.Deliveries()})
	})
	mux.HandleFunc("DELETE /_sim/deliveries", func(w http.ResponseWriter, r *http.Request) {
		s.ClearDeliveries()
		writeJSON(w, 200, map[string]bool{"success": true})
	})
	mux.HandleFunc("GET /_sim/messages", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		list := s.Messages(MessageFilter{PhoneNumberID: q.Get("phone_number_id"), Customer: q.Get("customer"), Direction: q.Get("direction")})
		if list == nil {
			list = []Message{}
		}
		writeJSON(w, 200, map[string]any{"data": list})
	})
	mux.HandleFunc("POST /_sim/messages/{id}/status", func(w http.ResponseWriter, r *http.Request) {
		var q struct {
			Status string `json:"status"`
		}
		if !decode(w, r, &q) {
			return
		}
		ctlResult(w, map[string]bool{"success": true}, s.EmitStatus(r.PathValue("id"), q.Status))
	})
	return mux
}

// ctl adapts a Go method taking a JSON body to a handler.
func ctl[T any, R any](f func(T) (R, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in T
		if !decode(w, r, &in) {
			return
		}
		out, err := f(in)
		ctlResult(w, out, err)
	}
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err == nil && len(b) > 0 {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields() // typos in test setup should fail loudly
		err = dec.Decode(v)
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON body: " + err.Error()})
		return false
	}
	return true
}

func ctlResult(w http.ResponseWriter, out any, err error) {
	switch {
	case errors.Is(err, ErrNotFound):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
	case err != nil:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
	default:
		writeJSON(w, http.StatusOK, out)
	}
}

func (s *Sim) clock() map[string]any {
	return map[string]any{"now": s.Now().UTC().Format(time.RFC3339Nano), "offset": Duration(s.clockOffset.Load())}
}

// State is a snapshot of the whole model, for GET /_sim/state.
type State struct {
	BaseURL    string        `json:"base_url"`
	Now        time.Time     `json:"now"`
	Apps       []App         `json:"apps"`
	Businesses []Business    `json:"businesses"`
	Numbers    []Number      `json:"numbers"`
	Tokens     []Token       `json:"tokens"`
	Templates  []Template    `json:"templates"`
	Customers  []Customer    `json:"customers"`
	Windows    []WindowState `json:"windows"`
	Faults     Faults        `json:"faults"`
}

// WindowState is one (number, customer) service window.
type WindowState struct {
	PhoneNumberID string    `json:"phone_number_id"`
	Customer      string    `json:"customer"`
	LastInbound   time.Time `json:"last_inbound"`
	ExpiresAt     time.Time `json:"expires_at"`
	Open          bool      `json:"open"`
}

// State returns a snapshot of apps, WABAs, numbers, tokens, templates,
// customers, windows and faults, each sorted by id.
func (s *Sim) State() State {
	now := s.Now()
	st := State{BaseURL: s.BaseURL(), Now: now, Faults: s.Faults()}
	s.mu.RLock()
	for _, a := range s.apps {
		st.Apps = append(st.Apps, *a)
	}
	for _, b := range s.wabas {
		cp := *b
		cp.Subscriptions = map[string]*Subscription{}
		for k, v := range b.Subscriptions {
			sub := *v
			cp.Subscriptions[k] = &sub
		}
		st.Businesses = append(st.Businesses, cp)
	}
	for _, n := range s.numbers {
		st.Numbers = append(st.Numbers, *n)
	}
	for _, t := range s.tokens {
		st.Tokens = append(st.Tokens, *t)
	}
	for _, t := range s.templates {
		st.Templates = append(st.Templates, *t)
	}
	for _, c := range s.customers {
		st.Customers = append(st.Customers, *c)
	}
	for k, last := range s.windows {
		exp := last.Add(windowLength)
		st.Windows = append(st.Windows, WindowState{PhoneNumberID: k.phone, Customer: k.customer, LastInbound: last, ExpiresAt: exp, Open: now.Before(exp)})
	}
	s.mu.RUnlock()
	sort.Slice(st.Apps, func(i, j int) bool { return st.Apps[i].ID < st.Apps[j].ID })
	sort.Slice(st.Businesses, func(i, j int) bool { return st.Businesses[i].ID < st.Businesses[j].ID })
	sort.Slice(st.Numbers, func(i, j int) bool { return st.Numbers[i].ID < st.Numbers[j].ID })
	sort.Slice(st.Tokens, func(i, j int) bool { return st.Tokens[i].Value < st.Tokens[j].Value })
	sort.Slice(st.Templates, func(i, j int) bool { return st.Templates[i].order < st.Templates[j].order })
	sort.Slice(st.Customers, func(i, j int) bool { return st.Customers[i].key() < st.Customers[j].key() })
	sort.Slice(st.Windows, func(i, j int) bool { return st.Windows[i].Customer < st.Windows[j].Customer })
	return st
}
