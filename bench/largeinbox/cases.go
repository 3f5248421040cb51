package main

import (
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
)

// Latency targets of issue 8, on the 2-core test machine.
const (
	listTarget   = 50  // ms, p95 of lists and of opening a ticket
	searchTarget = 100 // ms, p95 of full-text search
)

// reqCase is one kind of request to measure.
type reqCase struct {
	name   string
	kind   string // "list", "search" or "open"
	agent  bool   // as the agent (visibility-restricted) instead of the admin
	walk   bool   // follow next_cursor from the first page on
	params func(r *rand.Rand) url.Values
}

func (c reqCase) target() float64 {
	if c.kind == "search" {
		return searchTarget
	}
	return listTarget
}

// searchWords are the words the search cases look for, chosen by rank in
// the Zipf-distributed vocabulary so their frequency is known in advance.
type searchWords struct {
	common, medium, rare, pair, prefix, none string
}

func wordsFor(w *world) searchWords {
	v := w.Words
	return searchWords{
		common: "order",       // a real word near the top: in several % of messages
		medium: v[3000],       // about one message in 2,500
		rare:   v[len(v)-1],   // about one message in 50,000
		pair:   "refund card", // two common words, both required
		prefix: "deliv",       // as typed: delivery, delivered
		none:   "qqqzzzx",     // in no message
	}
}

// cases are the measured requests: each list filter, deep pages, opening a
// ticket and the search variants.
func (b *bench) cases(w *world) []reqCase {
	one := func(k, v string) func(*rand.Rand) url.Values {
		return func(*rand.Rand) url.Values { return url.Values{k: {v}} }
	}
	randomID := func(k string, n int) func(*rand.Rand) url.Values {
		return func(r *rand.Rand) url.Values { return url.Values{k: {strconv.Itoa(1 + r.IntN(n))}} }
	}
	deep := func(extra url.Values, from []sampleTicket) func(*rand.Rand) url.Values {
		return func(r *rand.Rand) url.Values {
			v := url.Values{}
			for k, vs := range extra {
				v[k] = vs
			}
			v.Set("cursor", cursorAt(from[r.IntN(len(from))]))
			return v
		}
	}
	words := wordsFor(w)
	cs := []reqCase{
		{name: "all tickets", kind: "list", params: func(*rand.Rand) url.Values { return url.Values{} }},
		{name: "state=new", kind: "list", params: one("state", "new")},
		{name: "state=open", kind: "list", params: one("state", "open")},
		{name: "state=closed", kind: "list", params: one("state", "closed")},
		{name: "state=new,open,pending", kind: "list", params: one("state", "new,open,pending")},
		{name: "group_id", kind: "list", params: randomID("group_id", numGroups)},
		{name: "assignee_id", kind: "list", params: randomID("assignee_id", numAgents)},
		{name: "channel_id", kind: "list", params: randomID("channel_id", numChannels)},
		{name: "customer_id (random)", kind: "list", params: func(r *rand.Rand) url.Values {
			return url.Values{"customer_id": {strconv.FormatInt(b.tickets[r.IntN(len(b.tickets))].customerID, 10)}}
		}},
		{name: "customer_id (most tickets)", kind: "list", params: one("customer_id", strconv.FormatInt(b.heavyCustomer, 10))},
		{name: "unassigned", kind: "list", params: one("assignee_id", "none")},
		{name: "state=new unassigned", kind: "list", params: func(*rand.Rand) url.Values {
			return url.Values{"state": {"new"}, "assignee_id": {"none"}}
		}},
		{name: "state=open group_id", kind: "list", params: func(r *rand.Rand) url.Values {
			return url.Values{"state": {"open"}, "group_id": {strconv.Itoa(1 + r.IntN(numGroups))}}
		}},
		{name: "agent: all visible", kind: "list", agent: true, params: func(*rand.Rand) url.Values { return url.Values{} }},
		{name: "agent: state=open", kind: "list", agent: true, params: one("state", "open")},
		{name: "agent: unassigned", kind: "list", agent: true, params: one("assignee_id", "none")},
		{name: "deep page (random cursor)", kind: "list", params: deep(nil, b.tickets)},
		{name: "deep page state=closed", kind: "list", params: deep(url.Values{"state": {"closed"}}, b.tickets)},
		{name: "agent: deep page", kind: "list", agent: true, params: deep(nil, b.agentTickets)},
		{name: "cursor walk, 50 per page", kind: "list", walk: true, params: func(*rand.Rand) url.Values { return url.Values{} }},
		{name: "open ticket", kind: "open"},
		{name: "agent: open ticket", kind: "open", agent: true},
	}
	for _, s := range []struct{ name, q string }{
		{"common word", words.common}, {"medium word", words.medium}, {"rare word", words.rare},
		{"two words", words.pair}, {"prefix", words.prefix}, {"no match", words.none},
	} {
		cs = append(cs, reqCase{name: "q: " + s.name + " (" + s.q + ")", kind: "search", params: one("q", s.q)})
	}
	cs = append(cs,
		reqCase{name: "agent q: common word", kind: "search", agent: true, params: one("q", words.common)},
		reqCase{name: "q: common word, state=open", kind: "search", params: func(*rand.Rand) url.Values {
			return url.Values{"q": {words.common}, "state": {"open"}}
		}},
	)
	return cs
}

// cursorAt is the list cursor that starts right after ticket s. The format
// is the helpdesk's (base64url JSON of the sort key); building it here lets
// the benchmark jump to any depth instead of walking there page by page.
func cursorAt(s sampleTicket) string {
	raw, _ := json.Marshal(struct {
		T int64 `json:"t"`
		I int64 `json:"i"`
	}{s.lastMessageAt, s.id})
	return base64.RawURLEncoding.EncodeToString(raw)
}

// parseCursor reads cursorAt's format back, for EXPLAIN.
func parseCursor(c string) (at, id int64, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, 0, false
	}
	var v struct {
		T int64 `json:"t"`
		I int64 `json:"i"`
	}
	if json.Unmarshal(raw, &v) != nil {
		return 0, 0, false
	}
	return v.T, v.I, true
}

func splitStates(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
