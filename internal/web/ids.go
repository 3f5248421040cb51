package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"

	"wadesk/internal/helpdesk"
)

// ID is an id in a request body. The API writes ids as strings; clients may
// send them as strings or as plain numbers.
type ID int64

// UnmarshalJSON accepts "42" and 42; anything else is a type error that
// encoding/json reports with the field's name.
func (id *ID) UnmarshalJSON(b []byte) error {
	v, ok := parseIDJSON(b)
	if !ok {
		return &json.UnmarshalTypeError{Value: "id", Type: reflect.TypeFor[ID]()}
	}
	*id = ID(v)
	return nil
}

// parseIDJSON reads a positive id from a JSON string or number.
func parseIDJSON(b []byte) (int64, bool) {
	b = bytes.TrimSpace(b)
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	return parseID(string(b))
}

// parseID parses a positive decimal id; everything else is not an id.
func parseID(s string) (int64, bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false // no signs, spaces or "0x": ids are plain digits
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return 0, false
	}
	return v, true
}

// optionalID is an id field of a PATCH body that distinguishes absent (set
// false), null (clear) and a value.
type optionalID struct {
	set bool
	id  *int64
}

// UnmarshalJSON is called for null too, because optionalID is not a pointer.
func (o *optionalID) UnmarshalJSON(b []byte) error {
	o.set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.id = nil
		return nil
	}
	v, ok := parseIDJSON(b)
	if !ok {
		return &json.UnmarshalTypeError{Value: "id", Type: reflect.TypeFor[ID]()}
	}
	o.id = &v
	return nil
}

func (o optionalID) domain() helpdesk.OptionalID { return helpdesk.OptionalID{Set: o.set, ID: o.id} }

// ids converts request ids to domain ids.
func ids(in []ID) []int64 {
	out := make([]int64, len(in))
	for i, v := range in {
		out[i] = int64(v)
	}
	return out
}

// PathID reads the path wildcard name as an id. A malformed, zero or
// overflowing id names nothing, so it is a 404 not_found like a missing one.
func PathID(r *http.Request, name string) (int64, error) {
	v, ok := parseID(r.PathValue(name))
	if !ok {
		return 0, helpdesk.Errorf(helpdesk.ECodeNotFound, "not found")
	}
	return v, nil
}
