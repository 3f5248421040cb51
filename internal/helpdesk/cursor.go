package helpdesk

import (
	"encoding/base64"
	"encoding/json"
	"time"
)

// Page asks for one page of a list.
type Page struct {
	Limit  int    // 0 → DefaultLimit; over MaxLimit → invalid_request
	Cursor string // opaque, from the previous page's next cursor
}

// Page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// cursor is the position after the last row of a page. Lists are keyset
// paginated: a cursor names a row, not an offset, so inserts between two
// pages do not repeat or skip rows.
type cursor struct {
	At int64 `json:"t,omitempty"` // Unix ms of the sort time, if the list sorts by time
	ID int64 `json:"i"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (c cursor) time() *time.Time {
	t := time.UnixMilli(c.At).UTC()
	return &t
}

// limitAndCursor validates p. The cursor is nil for the first page.
func (p Page) limitAndCursor() (int, *cursor, error) {
	limit := p.Limit
	switch {
	case limit == 0:
		limit = DefaultLimit
	case limit < 0 || limit > MaxLimit:
		return 0, nil, Invalid("limit must be between 1 and 200", map[string]string{"limit": "must be between 1 and 200"})
	}
	if p.Cursor == "" {
		return limit, nil, nil
	}
	bad := Invalid("invalid cursor", map[string]string{"cursor": "invalid"})
	raw, err := base64.RawURLEncoding.DecodeString(p.Cursor)
	if err != nil {
		return 0, nil, bad
	}
	var c cursor
	if err := json.Unmarshal(raw, &c); err != nil || c.ID <= 0 || c.At < 0 {
		return 0, nil, bad
	}
	return limit, &c, nil
}

// pageByID pages a list ordered by id: fetch returns up to limit rows
// after the given id; one extra row tells whether there is a next page.
func pageByID[T any](p Page, fetch func(afterID int64, limit int) ([]T, error), id func(*T) int64) ([]T, string, error) {
	limit, c, err := p.limitAndCursor()
	if err != nil {
		return nil, "", err
	}
	var after int64
	if c != nil {
		after = c.ID
	}
	rows, err := fetch(after, limit+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = cursor{ID: id(&rows[limit-1])}.encode()
	}
	return rows, next, nil
}
