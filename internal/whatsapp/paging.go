package whatsapp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// Paging is the Graph API cursor block of list responses.
type Paging struct {
	Cursors struct {
		Before string `json:"before,omitempty"`
		After  string `json:"after,omitempty"`
	} `json:"cursors"`
	// Next is present only when another page exists.
	Next     string `json:"next,omitempty"`
	Previous string `json:"previous,omitempty"`
}

// page is one response of a Graph list endpoint.
type page[T any] struct {
	Data   []T     `json:"data"`
	Paging *Paging `json:"paging,omitempty"`
}

// maxPages stops a misbehaving server from keeping us paging forever.
const maxPages = 1000

// listAll fetches every page of a list endpoint. Meta includes paging.next
// only when more pages exist; we use it as the "continue" signal but request
// the next page ourselves with its `after` cursor, so the token is only ever
// sent to our configured host and API version.
func listAll[T any](ctx context.Context, c *Client, u string, query url.Values) ([]T, error) {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	var all []T
	seen := map[string]bool{}
	for range maxPages {
		var p page[T]
		if err := c.doJSON(ctx, http.MethodGet, u, q, nil, &p); err != nil {
			return all, err
		}
		all = append(all, p.Data...)
		if p.Paging == nil || p.Paging.Next == "" {
			return all, nil
		}
		after := p.Paging.Cursors.After
		if after == "" {
			if nu, err := url.Parse(p.Paging.Next); err == nil {
				after = nu.Query().Get("after")
			}
		}
		if after == "" || seen[after] {
			return all, fmt.Errorf("whatsapp: GET %s: paging does not advance (after=%q)", u, after)
		}
		seen[after] = true
		q.Set("after", after)
	}
	return all, fmt.Errorf("whatsapp: GET %s: more than %d pages", u, maxPages)
}

// rawString returns the string inside a JSON string, or the JSON text itself
// for other kinds; "" for absent values.
func rawString(r json.RawMessage) string {
	if len(r) == 0 || string(r) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(r, &s) == nil {
		return s
	}
	return string(r)
}
