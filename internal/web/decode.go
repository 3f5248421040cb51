package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"wadesk/internal/helpdesk"
)

// MaxJSONBody is the largest JSON request body accepted (1 MiB).
const MaxJSONBody = 1 << 20

// DecodeJSON reads one JSON value from the request body into dst. It
// refuses, with the error envelope's status already chosen (pass the error to
// WriteError): a non-JSON content type (415), a body over MaxJSONBody (413),
// malformed JSON, unknown fields, wrong types (naming the field) and trailing
// data (400).
func DecodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	if !isJSON(r.Header.Get("Content-Type")) {
		return &statusError{status: http.StatusUnsupportedMediaType,
			err: helpdesk.Invalid("the body must be JSON (Content-Type: application/json)", nil)}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	// A second value, or anything but whitespace, after the first is garbage.
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return decodeError(err)
		}
		return badRequest("the body must hold a single JSON value", nil)
	}
	return nil
}

// isJSON accepts application/json and the +json media types, any charset.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// decodeError explains a json.Decoder error without echoing the body.
func decodeError(err error) error {
	var (
		tooLarge *http.MaxBytesError
		syntax   *json.SyntaxError
		typeErr  *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooLarge):
		return &statusError{status: http.StatusRequestEntityTooLarge,
			err: helpdesk.Invalid(fmt.Sprintf("the body is larger than %d bytes", tooLarge.Limit), nil)}
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return badRequest("the body must be a JSON object", nil)
		}
		return badRequest("a field has the wrong type",
			map[string]string{field: "must be " + jsonKind(typeErr.Type)})
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("the body is not valid JSON", nil)
	case errors.Is(err, io.EOF):
		return badRequest("the body is empty", nil)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no typed error for this; the name is in quotes.
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return badRequest("unknown field", map[string]string{name: "is not a known field"})
	}
	return badRequest("the body could not be read", nil)
}

// jsonKind names a Go type as the JSON type a client should send.
func jsonKind(t reflect.Type) string {
	if t == reflect.TypeFor[ID]() {
		return "an id (a string of digits)"
	}
	switch t.Kind().String() {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "a number"
	}
	return "of another type"
}
