package outbound

import (
	"errors"
	"net"
	"time"

	"wadesk/internal/helpdesk"
	"wadesk/internal/whatsapp"
)

// reasonOf turns a Cloud API failure into what the agent reads on the
// message: Meta's code, title and details, or a description of a network
// failure. whatsapp errors never contain the access token.
func reasonOf(err error) *helpdesk.MessageError {
	var we *whatsapp.Error
	if errors.As(err, &we) {
		msg := we.Details
		if msg == "" {
			msg = we.UserMessage
		}
		if msg == "" && we.Message != we.Title {
			msg = we.Message
		}
		return &helpdesk.MessageError{Code: we.Code, Title: we.Title, Message: msg}
	}
	if errors.Is(err, whatsapp.ErrInvalidMessage) {
		return &helpdesk.MessageError{Title: "invalid message", Message: err.Error()}
	}
	return &helpdesk.MessageError{Title: "network error", Message: err.Error()}
}

// neverSent reports whether a failed call certainly did not reach Meta, so
// repeating it cannot duplicate a message: Meta answered with an error, the
// request was refused before sending, or no connection could be opened.
func neverSent(err error) bool {
	var we *whatsapp.Error
	if errors.As(err, &we) {
		return true
	}
	if errors.Is(err, whatsapp.ErrInvalidMessage) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// backoff is the wait before retry number attempt (1-based) of a transient
// failure: base·2^(attempt-1) capped at max, with ±20 % jitter so that a
// burst of failures does not retry in lockstep; for the pair rate limit
// (131056) the reference's 4^n seconds.
func backoff(err error, attempt int, base, maxWait time.Duration, jitter func() float64) time.Duration {
	if d := whatsapp.RetryAfter(err, attempt-1); d > 0 {
		return d
	}
	d := base
	for i := 1; i < attempt && d < maxWait; i++ {
		d *= 2
	}
	d = min(d, maxWait)
	return time.Duration(float64(d) * (0.8 + 0.4*jitter()))
}
