package sim

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// Faults are test knobs. SetFaults replaces them all; counters (FailSends,
// AsyncFailures) count down as they are used.
type Faults struct {
	// FailSends makes the next N POST /messages fail synchronously with
	// FailCode (default 131000) and FailHTTPStatus (default per §7.3).
	FailSends      int    `json:"fail_sends,omitempty"`
	FailCode       int    `json:"fail_code,omitempty"`
	FailHTTPStatus int    `json:"fail_http_status,omitempty"`
	FailSubcode    int    `json:"fail_subcode,omitempty"`
	FailDetails    string `json:"fail_details,omitempty"`
	// AsyncFailures makes the next N accepted sends end in a failed status
	// with AsyncCode (default 131026) instead of sent/delivered/read.
	AsyncFailures int `json:"async_failures,omitempty"`
	AsyncCode     int `json:"async_code,omitempty"`
	// Webhook delivery: post the same bytes twice, with a probability or
	// every Nth POST.
	DuplicateProbability float64 `json:"duplicate_probability,omitempty"`
	DuplicateEvery       int     `json:"duplicate_every,omitempty"`
	// BatchSize > 1 holds items until BatchSize are queued (or BatchWait,
	// default 50ms, passes) and sends them in one POST.
	BatchSize int      `json:"batch_size,omitempty"`
	BatchWait Duration `json:"batch_wait,omitempty"`
	// ReorderStatuses emits read, delivered, sent in that order.
	ReorderStatuses bool `json:"reorder_statuses,omitempty"`
	// SkipDelivered drops delivered statuses (read follows sent directly).
	SkipDelivered bool `json:"skip_delivered,omitempty"`
	// ExtraDelay delays every webhook (statuses and inbound) by this much.
	ExtraDelay Duration `json:"extra_delay,omitempty"`
}

// Duration is a time.Duration that reads and writes JSON as "250ms"
// (numbers are taken as nanoseconds).
type Duration time.Duration

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch t := v.(type) {
	case float64:
		*d = Duration(t)
	case string:
		x, err := time.ParseDuration(t)
		if err != nil {
			return fmt.Errorf("duration %q: %w", t, err)
		}
		*d = Duration(x)
	default:
		return fmt.Errorf("duration must be a string like \"250ms\" or nanoseconds")
	}
	return nil
}

type faultState struct {
	mu    sync.Mutex
	f     Faults
	posts uint64 // webhook POSTs, for DuplicateEvery
}

// SetFaults replaces the fault knobs.
func (s *Sim) SetFaults(f Faults) {
	s.faults.mu.Lock()
	s.faults.f = f
	s.faults.posts = 0
	s.faults.mu.Unlock()
}

// Faults returns the current knobs, with counters as they stand.
func (s *Sim) Faults() Faults {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.faults.f
}

// takeSendFault consumes one FailSends and returns the error to answer.
func (fs *faultState) takeSendFault() *GraphError {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.f.FailSends <= 0 {
		return nil
	}
	fs.f.FailSends--
	code := fs.f.FailCode
	if code == 0 {
		code = 131000
	}
	e := waErr(code, "%s", fs.f.FailDetails)
	if e.Details == "" {
		e.Details = "Injected fault: " + errorTitles[code]
	}
	if fs.f.FailHTTPStatus != 0 {
		e.HTTPStatus = fs.f.FailHTTPStatus
	}
	e.Subcode = fs.f.FailSubcode
	if code == 190 || code == 100 || code == 104 {
		e.Graph = true // Graph-level errors have no error_data
		e.Message = "(#" + itoa(code) + ") " + e.Details
	}
	if code == 190 && e.Subcode == 0 {
		e.Subcode = 463
	}
	return e
}

// takeAsyncFault consumes one AsyncFailures and returns its code, or 0.
func (fs *faultState) takeAsyncFault() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.f.AsyncFailures <= 0 {
		return 0
	}
	fs.f.AsyncFailures--
	if fs.f.AsyncCode == 0 {
		return 131026
	}
	return fs.f.AsyncCode
}

// duplicate decides whether this webhook POST is sent twice.
func (fs *faultState) duplicate() bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.posts++
	if fs.f.DuplicateEvery > 0 && fs.posts%uint64(fs.f.DuplicateEvery) == 0 {
		return true
	}
	return fs.f.DuplicateProbability > 0 && rand.Float64() < fs.f.DuplicateProbability
}

func (fs *faultState) snapshot() Faults {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.f
}
