package whatsapp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// The Cloud API is loose about JSON types: webhook timestamps are strings of
// digits (integers in group webhooks), a template button index is "0" or 0,
// and file_size is a number in practice but a string in Meta's spec examples.
// The types in this file accept both spellings so that one oddity never makes
// a whole payload undecodable.

// Timestamp is a Unix time in seconds as sent by the Cloud API. It decodes from
// a JSON string ("1749416383") or number (1749416383) and encodes as a string,
// like Meta does. Empty strings and null decode to the zero Timestamp.
type Timestamp int64

// Time returns t as a UTC time.Time, or the zero time.Time when t is zero, so
// callers can test IsZero and fall back to the time of receipt.
func (t Timestamp) Time() time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.Unix(int64(t), 0).UTC()
}

// IsZero reports whether the timestamp was absent.
func (t Timestamp) IsZero() bool { return t == 0 }

// TimestampOf converts a time.Time to a Timestamp (seconds, truncated).
func TimestampOf(tm time.Time) Timestamp {
	if tm.IsZero() {
		return 0
	}
	return Timestamp(tm.Unix())
}

// MarshalJSON encodes t as a string of digits.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.FormatInt(int64(t), 10) + `"`), nil
}

// UnmarshalJSON accepts a string or a number of seconds.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	s, err := unquoteFlex(b)
	if err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	if s == "" {
		*t = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// A float such as 1749416383.0 is still a usable second count.
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f < -1<<62 || f > 1<<62 {
			return fmt.Errorf("timestamp: %q is not a number of seconds", s)
		}
		n = int64(f)
	}
	*t = Timestamp(n)
	return nil
}

// FlexString is a string that may arrive as a JSON string or number (for
// example a template button "index" or a message_template_id). It encodes as
// a JSON string.
type FlexString string

// UnmarshalJSON accepts a string, a number, or null.
func (f *FlexString) UnmarshalJSON(b []byte) error {
	s, err := unquoteFlex(b)
	if err != nil {
		return err
	}
	*f = FlexString(s)
	return nil
}

// FlexInt is an integer that may arrive as a JSON number or as a string of
// digits (media file_size). It encodes as a JSON number.
type FlexInt int64

// UnmarshalJSON accepts a number, a string of digits, or null.
func (f *FlexInt) UnmarshalJSON(b []byte) error {
	s, err := unquoteFlex(b)
	if err != nil {
		return err
	}
	if s == "" {
		*f = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("integer: %q is not an integer", s)
	}
	*f = FlexInt(n)
	return nil
}

// unquoteFlex returns the text of a JSON string or the literal of a JSON
// number; null yields "". Other JSON kinds are an error.
func unquoteFlex(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return "", nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", err
		}
		return s, nil
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		return string(b), nil
	default:
		return "", fmt.Errorf("want a string or number, got %.20s", b)
	}
}
