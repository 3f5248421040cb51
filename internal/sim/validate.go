package sim

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// obj is a decoded JSON object plus its Graph-style path (text['body']),
// so every error names the exact parameter at fault.
type obj struct {
	m    map[string]any
	path string
}

func (o obj) child(k string) string {
	if o.path == "" {
		return k
	}
	return o.path + "['" + k + "']"
}

func asObj(v any, path string) (obj, *GraphError) {
	m, ok := v.(map[string]any)
	if !ok {
		return obj{}, errInvalid("%s must be a JSON object", path)
	}
	return obj{m: m, path: path}, nil
}

// allow rejects unknown keys the way Graph does ("Unexpected key"), which
// catches misplaced fields (a caption on audio, a filename on an image).
func (o obj) allow(keys ...string) *GraphError {
	for k := range o.m {
		found := false
		for _, a := range keys {
			if k == a {
				found = true
				break
			}
		}
		if !found {
			where := o.path
			if where == "" {
				where = "the message"
			}
			return errParam("Unexpected key \"%s\" on param \"%s\".", k, where)
		}
	}
	return nil
}

func (o obj) has(k string) bool { _, ok := o.m[k]; return ok && o.m[k] != nil }

// str reads an optional string; a non-string is a bad value.
func (o obj) str(k string) (string, *GraphError) {
	v, ok := o.m[k]
	if !ok || v == nil {
		return "", nil
	}
	sv, ok := v.(string)
	if !ok {
		return "", errInvalid("%s must be a string", o.child(k))
	}
	return sv, nil
}

// reqStr reads a required, non-empty string.
func (o obj) reqStr(k string) (string, *GraphError) {
	v, e := o.str(k)
	if e != nil {
		return "", e
	}
	if strings.TrimSpace(v) == "" {
		return "", errMissing("The parameter %s is required.", o.child(k))
	}
	return v, nil
}

// maxLen checks a string limit in characters (Meta counts characters, not bytes).
func (o obj) maxLen(k, v string, n int) *GraphError {
	if c := utf8.RuneCountInString(v); c > n {
		return errInvalid("%s is too long: %d characters, the limit is %d.", o.child(k), c, n)
	}
	return nil
}

func (o obj) sub(k string) (obj, bool, *GraphError) {
	v, ok := o.m[k]
	if !ok || v == nil {
		return obj{}, false, nil
	}
	s, e := asObj(v, o.child(k))
	return s, e == nil, e
}

func (o obj) reqSub(k string) (obj, *GraphError) {
	s, ok, e := o.sub(k)
	if e != nil {
		return obj{}, e
	}
	if !ok {
		return obj{}, errMissing("The parameter %s is required.", o.child(k))
	}
	return s, nil
}

func (o obj) arr(k string) ([]any, bool, *GraphError) {
	v, ok := o.m[k]
	if !ok || v == nil {
		return nil, false, nil
	}
	a, ok := v.([]any)
	if !ok {
		return nil, true, errInvalid("%s must be an array", o.child(k))
	}
	return a, true, nil
}

func (o obj) boolean(k string) *GraphError {
	if v, ok := o.m[k]; ok && v != nil {
		if _, ok := v.(bool); !ok {
			return errInvalid("%s must be a boolean", o.child(k))
		}
	}
	return nil
}

// num reads a number. Numeric strings are accepted too, since Meta's own
// schema declares latitude/longitude as strings.
func (o obj) num(k string) (float64, bool, *GraphError) {
	v, ok := o.m[k]
	if !ok || v == nil {
		return 0, false, nil
	}
	var s string
	switch t := v.(type) {
	case json.Number:
		s = t.String()
	case float64:
		return t, true, nil
	case string:
		s = t
	default:
		return 0, true, errInvalid("%s must be a number", o.child(k))
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, true, errInvalid("%s must be a number, got %q", o.child(k), s)
	}
	return f, true, nil
}

// httpURL reports whether v is an absolute http(s) URL with a host.
func httpURL(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
