package outbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"wadesk/internal/whatsapp"
)

// Only failures that prove Meta did not take the message may be resent.
func TestNeverSent(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"Meta's error answer", &whatsapp.Error{HTTPStatus: 500, Code: 131000}, true},
		{"refused before sending", fmt.Errorf("%w: no recipient", whatsapp.ErrInvalidMessage), true},
		{"connection refused while dialling", fmt.Errorf("whatsapp: POST x: %w", &net.OpError{Op: "dial", Err: errors.New("refused")}), true},
		{"connection reset after writing", fmt.Errorf("whatsapp: POST x: %w", &net.OpError{Op: "read", Err: errors.New("reset")}), false},
		{"our own timeout", fmt.Errorf("whatsapp: POST x: %w", whatsapp.ErrRequestTimeout), false},
		{"unexpected EOF", fmt.Errorf("whatsapp: POST x: %w", io.ErrUnexpectedEOF), false},
		{"the job was cancelled mid-call", fmt.Errorf("whatsapp: POST x: %w", context.Canceled), false},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			if got := neverSent(tt.err); got != tt.want {
				t.Fatalf("neverSent = %v, want %v", got, tt.want)
			}
		})
	}
}

// Backoff doubles from the base up to the cap with ±20 % jitter, and the
// pair rate limit waits 4^n seconds.
func TestBackoff(t *testing.T) {
	transient := &whatsapp.Error{HTTPStatus: 500, Code: 131000}
	pair := &whatsapp.Error{HTTPStatus: 400, Code: whatsapp.CodePairRateLimit}
	cases := []struct {
		name    string
		err     error
		attempt int
		jitter  float64
		want    time.Duration
	}{
		{"first retry, no jitter", transient, 1, 0.5, time.Second},
		{"third retry doubles twice", transient, 3, 0.5, 4 * time.Second},
		{"capped", transient, 30, 0.5, time.Minute},
		{"lowest jitter", transient, 1, 0, 800 * time.Millisecond},
		{"highest jitter", transient, 1, 0.999999, 1200*time.Millisecond - 1200*time.Nanosecond},
		{"pair limit, first", pair, 1, 0.5, time.Second},
		{"pair limit, third", pair, 3, 0.5, 16 * time.Second},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got := backoff(tt.err, tt.attempt, time.Second, time.Minute, func() float64 { return tt.jitter })
			if d := got - tt.want; d < -time.Microsecond || d > time.Microsecond {
				t.Fatalf("backoff = %v, want %v", got, tt.want)
			}
		})
	}
}
