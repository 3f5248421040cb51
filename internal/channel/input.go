package channel

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"wadesk/internal/helpdesk"
)

// Limits of channel fields. Message texts follow WhatsApp's 4096-character
// text limit; after_seconds must leave the reminder inside the 24-hour window.
const (
	maxName         = 100
	maxMessage      = 4096
	maxID           = 32
	maxSecret       = 4096
	minAfterSeconds = 1
	maxAfterSeconds = 86399
	defaultAfter    = 72000 // 20 hours
	defaultRate     = 80    // Meta's standard throughput, messages per second
	maxRate         = 1000  // Meta's high throughput level
)

// ReminderInput changes a channel's window reminder; nil fields stay (on
// create: take their defaults).
type ReminderInput struct {
	Enabled      *bool
	AfterSeconds *int
	Message      *string
	SkipAnswered *bool
}

// NewChannel is what an admin enters to connect a number.
type NewChannel struct {
	Name            string
	WABAID          string
	PhoneNumberID   string
	AccessToken     string
	AppSecret       string
	GroupID         *int64
	WelcomeMessage  string
	Reminder        *ReminderInput
	MarkRead        *bool // default true
	TypingIndicator *bool // default false
	RateLimit       *int  // messages per second, default 80
}

// Patch changes some fields of a channel; nil and unset fields stay. An
// empty or masked AccessToken or AppSecret counts as unset: secrets are
// write-only and a form sends back what it was shown.
type Patch struct {
	Name            *string
	GroupID         helpdesk.OptionalID
	Active          *bool
	WelcomeMessage  *string
	Reminder        *ReminderInput
	AccessToken     *string
	AppSecret       *string
	MarkRead        *bool
	TypingIndicator *bool
	RateLimit       *int
}

// fields collects per-field complaints.
type fields map[string]string

func (f fields) err() error {
	if len(f) == 0 {
		return nil
	}
	return helpdesk.Invalid("the channel is not valid", f)
}

func checkName(f fields, name string) {
	switch n := utf8.RuneCountInString(name); {
	case strings.TrimSpace(name) == "":
		f["name"] = "must not be empty"
	case n > maxName:
		f["name"] = fmt.Sprintf("must be at most %d characters", maxName)
	}
}

// checkGraphID accepts Meta's numeric ids.
func checkGraphID(f fields, key, v string) {
	if v == "" {
		f[key] = "must not be empty"
		return
	}
	if len(v) > maxID {
		f[key] = fmt.Sprintf("must be at most %d digits", maxID)
		return
	}
	for _, c := range []byte(v) {
		if c < '0' || c > '9' {
			f[key] = "must be the numeric id Meta shows"
			return
		}
	}
}

// checkNewSecret refuses empty, masked or absurd secrets on create.
func checkNewSecret(f fields, key, v string) {
	switch {
	case strings.TrimSpace(v) == "":
		f[key] = "must not be empty"
	case masked(v):
		f[key] = "must be the real value, not a masked one"
	case len(v) > maxSecret || strings.ContainsAny(v, " \t\r\n"):
		f[key] = "is not a valid secret"
	}
}

func checkMessage(f fields, key, v string) {
	if utf8.RuneCountInString(v) > maxMessage {
		f[key] = fmt.Sprintf("must be at most %d characters", maxMessage)
	}
}

func checkRate(f fields, v *int) {
	if v != nil && (*v < 1 || *v > maxRate) {
		f["rate_limit"] = fmt.Sprintf("must be from 1 to %d messages per second", maxRate)
	}
}

// applyReminder checks r and writes it onto dst.
func applyReminder(f fields, dst *helpdesk.Reminder, r *ReminderInput) {
	if r == nil {
		return
	}
	if r.AfterSeconds != nil {
		if *r.AfterSeconds < minAfterSeconds || *r.AfterSeconds > maxAfterSeconds {
			f["reminder.after_seconds"] = fmt.Sprintf("must be from %d to %d", minAfterSeconds, maxAfterSeconds)
		}
		dst.AfterSeconds = *r.AfterSeconds
	}
	if r.Message != nil {
		checkMessage(f, "reminder.message", *r.Message)
		dst.Message = *r.Message
	}
	if r.Enabled != nil {
		dst.Enabled = *r.Enabled
	}
	if r.SkipAnswered != nil {
		dst.SkipAnswered = *r.SkipAnswered
	}
}

// checkGroup complains unless the group exists.
func (s *Service) checkGroup(ctx context.Context, f fields, id *int64) error {
	if id == nil {
		return nil
	}
	if _, err := s.st.GroupByID(ctx, *id); err != nil {
		if helpdesk.ErrorCode(err) == helpdesk.ECodeNotFound {
			f["group_id"] = "no such group"
			return nil
		}
		return err
	}
	return nil
}

// secretUpdate is the new value of a write-only secret in a patch, or ""
// to keep the stored one.
func secretUpdate(f fields, key string, v *string) string {
	if v == nil || strings.TrimSpace(*v) == "" || masked(*v) {
		return ""
	}
	if len(*v) > maxSecret || strings.ContainsAny(*v, " \t\r\n") {
		f[key] = "is not a valid secret"
		return ""
	}
	return *v
}
