package sim

import (
	"encoding/base64"
	"net/url"
	"strconv"
)

// listResponse is Graph's list envelope.
type listResponse struct {
	Data   any     `json:"data"`
	Paging *paging `json:"paging,omitempty"`
}

type paging struct {
	Cursors  cursors `json:"cursors"`
	Next     string  `json:"next,omitempty"`
	Previous string  `json:"previous,omitempty"`
}

type cursors struct {
	Before string `json:"before"`
	After  string `json:"after"`
}

func encodeCursor(k uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatUint(k, 10)))
}

func decodeCursor(c string) (uint64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	k, err := strconv.ParseUint(string(b), 10, 64)
	return k, err == nil
}

// paginate applies limit/after/before to n items sorted by key(i) ascending
// and returns the indices of the page. paging.next appears only when more
// items follow (§6.2), previous only when some precede.
func (s *Sim) paginate(c *call, n, defLimit int, key func(int) uint64) ([]int, *paging, *GraphError) {
	q := c.r.URL.Query()
	limit := defLimit
	if l := q.Get("limit"); l != "" {
		v, err := strconv.Atoi(l)
		if err != nil || v < 1 {
			return nil, nil, errParam("Param limit must be a positive integer, got %q.", l)
		}
		limit = min(v, 1000)
	}
	lo, hi := 0, n // candidate range [lo, hi)
	if a := q.Get("after"); a != "" {
		k, ok := decodeCursor(a)
		if !ok {
			return nil, nil, errParam("Invalid after cursor %q.", a)
		}
		for lo < n && key(lo) <= k {
			lo++
		}
		hi = min(n, lo+limit)
	} else if b := q.Get("before"); b != "" {
		k, ok := decodeCursor(b)
		if !ok {
			return nil, nil, errParam("Invalid before cursor %q.", b)
		}
		for hi > 0 && key(hi-1) >= k {
			hi--
		}
		lo = max(0, hi-limit)
	} else {
		hi = min(n, limit)
	}
	if lo >= hi {
		return nil, nil, nil
	}
	idx := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		idx = append(idx, i)
	}
	p := &paging{Cursors: cursors{Before: encodeCursor(key(lo)), After: encodeCursor(key(hi - 1))}}
	link := func(param, cur string) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "after" && k != "before" && k != "access_token" {
				v[k] = vs
			}
		}
		v.Set("limit", strconv.Itoa(limit))
		v.Set(param, cur)
		return s.BaseURL() + c.r.URL.Path + "?" + v.Encode()
	}
	if hi < n {
		p.Next = link("after", p.Cursors.After)
	}
	if lo > 0 {
		p.Previous = link("before", p.Cursors.Before)
	}
	return idx, p, nil
}
