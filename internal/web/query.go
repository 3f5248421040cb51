package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"wadesk/internal/helpdesk"
)

// Page limits of list routes, as the contract fixes them.
const (
	DefaultLimit = helpdesk.DefaultLimit
	MaxLimit     = helpdesk.MaxLimit
)

// PageFrom reads ?limit= and ?cursor=. A limit that is not a number in
// 1..MaxLimit is a 400; the cursor is checked by the service (see listError).
func PageFrom(r *http.Request) (helpdesk.Page, error) {
	q := r.URL.Query()
	p := helpdesk.Page{Limit: DefaultLimit, Cursor: q.Get("cursor")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			return p, badRequest("bad limit", map[string]string{"limit": fmt.Sprintf("must be a number from 1 to %d", MaxLimit)})
		}
		p.Limit = n
	}
	return p, nil
}

// queryID reads an optional id filter; absent is nil, malformed is a 400.
func queryID(r *http.Request, name string) (*int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return nil, nil
	}
	v, ok := parseID(s)
	if !ok {
		return nil, badRequest("bad filter", map[string]string{name: "must be an id"})
	}
	return &v, nil
}

// listError makes the service's complaint about a cursor or limit a 400:
// those are malformed requests, not semantic errors of the domain.
func listError(err error) error {
	var he *helpdesk.Error
	if errors.As(err, &he) && he.Code == helpdesk.ECodeInvalid {
		if _, ok := he.Fields["cursor"]; ok {
			return &statusError{status: http.StatusBadRequest, err: he}
		}
		if _, ok := he.Fields["limit"]; ok {
			return &statusError{status: http.StatusBadRequest, err: he}
		}
	}
	return err
}

// listBody is the envelope of every list: next_cursor is null at the end.
type listBody[T any] struct {
	Data       []T     `json:"data"`
	NextCursor *string `json:"next_cursor"`
}

// List builds a list response from one page of items and the next cursor
// ("" at the end).
func List[T any](items []T, next string) any {
	if items == nil {
		items = []T{} // an empty list is [], never null
	}
	b := listBody[T]{Data: items}
	if next != "" {
		b.NextCursor = &next
	}
	return b
}
