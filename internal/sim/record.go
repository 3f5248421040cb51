package sim

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// maxRecordedBody caps the body kept per recorded request (media uploads
// can be 100 MB; the log is for reading, not replaying).
const maxRecordedBody = 64 << 10

// Request is one Graph or media-download request the Sim received.
type Request struct {
	Seq           uint64              `json:"seq"`
	Time          time.Time           `json:"time"`
	Method        string              `json:"method"`
	Path          string              `json:"path"`
	Query         string              `json:"query,omitempty"`
	Header        map[string][]string `json:"header"`
	Body          RawBody             `json:"body,omitempty"`
	BodyTruncated bool                `json:"body_truncated,omitempty"`
	Status        int                 `json:"status"`
}

// RawBody marshals as the JSON itself when it is JSON, else as a string, so
// the request log reads naturally.
type RawBody []byte

// MarshalJSON implements json.Marshaler.
func (b RawBody) MarshalJSON() ([]byte, error) {
	if len(b) == 0 {
		return []byte(`""`), nil
	}
	if json.Valid(b) {
		return b, nil
	}
	return json.Marshal(string(b))
}

// Delivery is one webhook POST attempt (or handshake) and its outcome.
type Delivery struct {
	Seq      uint64        `json:"seq"`
	Time     time.Time     `json:"time"`
	URL      string        `json:"url"`
	AppID    string        `json:"app_id,omitempty"`
	Kind     string        `json:"kind"` // "webhook", "duplicate", "handshake", "dropped"
	Attempt  int           `json:"attempt"`
	Items    int           `json:"items"`
	Status   int           `json:"status,omitempty"`
	Error    string        `json:"error,omitempty"`
	GaveUp   bool          `json:"gave_up,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	Body     RawBody       `json:"body,omitempty"`
	// Signature is the X-Hub-Signature-256 header sent.
	Signature string `json:"signature,omitempty"`
}

// ring is a fixed-capacity log that drops the oldest entries.
type ring[T any] struct {
	mu    sync.Mutex
	buf   []T
	start int
	n     int
	seq   uint64
}

func newRing[T any](capacity int) *ring[T] { return &ring[T]{buf: make([]T, capacity)} }

// add stores v after letting set stamp the sequence number.
func (r *ring[T]) add(v T, set func(*T, uint64)) {
	r.mu.Lock()
	r.seq++
	set(&v, r.seq)
	i := (r.start + r.n) % len(r.buf)
	r.buf[i] = v
	if r.n < len(r.buf) {
		r.n++
	} else {
		r.start = (r.start + 1) % len(r.buf)
	}
	r.mu.Unlock()
}

// list returns the entries oldest first that keep says to keep.
func (r *ring[T]) list(keep func(*T) bool) []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]T, 0, r.n)
	for i := 0; i < r.n; i++ {
		v := r.buf[(r.start+i)%len(r.buf)]
		if keep == nil || keep(&v) {
			out = append(out, v)
		}
	}
	return out
}

func (r *ring[T]) clear() {
	r.mu.Lock()
	clear(r.buf)
	r.start, r.n = 0, 0
	r.mu.Unlock()
}

func (s *Sim) record(r *http.Request, body []byte, status int) {
	h := make(map[string][]string, len(r.Header))
	for k, v := range r.Header {
		if k == "Authorization" {
			// Keep the scheme so tests can see a token was sent, never its value.
			scheme, _, _ := strings.Cut(v[0], " ")
			h[k] = []string{scheme + " [redacted]"}
			continue
		}
		h[k] = v
	}
	q := r.URL.Query()
	if q.Has("access_token") {
		q.Set("access_token", "[redacted]")
	}
	req := Request{Time: s.Now(), Method: r.Method, Path: r.URL.Path, Query: q.Encode(), Header: h, Status: status}
	if len(body) > maxRecordedBody {
		req.Body, req.BodyTruncated = body[:maxRecordedBody], true
	} else {
		req.Body = body
	}
	s.requests.add(req, func(v *Request, n uint64) { v.Seq = n })
}

// RequestFilter selects recorded requests; empty fields match all.
type RequestFilter struct {
	Method string
	Path   string // substring of the path, e.g. "/messages"
}

// Requests returns the recorded Graph and download requests, oldest first.
func (s *Sim) Requests(f ...RequestFilter) []Request {
	var flt RequestFilter
	if len(f) > 0 {
		flt = f[0]
	}
	return s.requests.list(func(r *Request) bool {
		return (flt.Method == "" || strings.EqualFold(flt.Method, r.Method)) &&
			(flt.Path == "" || strings.Contains(r.Path, flt.Path))
	})
}

// ClearRequests empties the request log.
func (s *Sim) ClearRequests() { s.requests.clear() }

// Deliveries returns the webhook delivery log, oldest first.
func (s *Sim) Deliveries() []Delivery { return s.delivs.list(nil) }

// ClearDeliveries empties the delivery log.
func (s *Sim) ClearDeliveries() { s.delivs.clear() }

func (s *Sim) logDelivery(d Delivery) {
	s.delivs.add(d, func(v *Delivery, n uint64) { v.Seq = n })
}
