package web_test

import (
	"strings"
	"testing"
)

// snapshot is what the bad-input scenarios could have changed, read through
// the API itself.
func (e *env) snapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, p := range []string{
		"/api/v1/tickets/" + id(e.ticketA.ID),
		"/api/v1/tickets/" + id(e.ticketA.ID) + "/messages",
		"/api/v1/customers/" + id(e.custA.ID),
		"/api/v1/users?limit=200",
		"/api/v1/groups",
	} {
		resp := e.do(nil, "GET", p, e.adminTok, "", nil)
		if resp.status != 200 {
			t.Fatalf("snapshot %s: %d %s", p, resp.status, resp.body)
		}
		b.WriteString(resp.body)
	}
	return b.String()
}

func TestBadInputChangesNothing(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, e *env) {
		tA := "/api/v1/tickets/" + id(e.ticketA.ID)
		huge := `{"title":"` + strings.Repeat("x", 1<<20) + `"}`
		before := e.snapshot(t)
		for _, sc := range []scenario{
			{name: "malformed JSON → 400", method: "PATCH", path: tA, auth: "admin", body: `{"state":`, status: 400, contains: []string{`"code":"invalid_request"`}},
			{name: "not an object → 400", method: "PATCH", path: tA, auth: "admin", body: `["state"]`, status: 400},
			{name: "unknown field → 400 naming it", method: "PATCH", path: tA, auth: "admin", body: `{"state":"open","colour":"red"}`, status: 400,
				contains: []string{`"fields":{"colour":`}},
			{name: "wrong type → 400 naming the field", method: "PATCH", path: tA, auth: "admin", body: `{"title":42}`, status: 400,
				contains: []string{`"fields":{"title":"must be a string"}`}},
			{name: "bad id in body → 400 naming the field", method: "PATCH", path: tA, auth: "admin", body: `{"assignee_id":"abc"}`, status: 400,
				contains: []string{`"fields":{"assignee_id":`}},
			{name: "bad id in array → 400", method: "PUT", path: "/api/v1/groups/" + id(e.sales.ID) + "/members", auth: "admin", body: `{"user_ids":[true]}`, status: 400,
				contains: []string{`"fields":{"user_ids`}},
			{name: "trailing garbage → 400", method: "PATCH", path: tA, auth: "admin", body: `{"state":"open"} {"state":"closed"}`, status: 400},
			{name: "trailing junk → 400", method: "PATCH", path: tA, auth: "admin", body: `{"state":"open"}x`, status: 400},
			{name: "empty body → 400", method: "PATCH", path: tA, auth: "admin", header: map[string]string{"Content-Type": "application/json"}, status: 400},
			{name: "body over 1 MiB → 413", method: "PATCH", path: tA, auth: "admin", body: huge, status: 413, contains: []string{`"code":"invalid_request"`}},
			{name: "non-JSON content type → 415", method: "PATCH", path: tA, auth: "admin", body: `{"state":"open"}`,
				header: map[string]string{"Content-Type": "text/plain"}, status: 415, contains: []string{`"code":"invalid_request"`}},
			{name: "semantic error → 422", method: "PATCH", path: tA, auth: "admin", body: `{"title":""}`, status: 422},
			{name: "unknown state → 422", method: "PATCH", path: tA, auth: "admin", body: `{"state":"archived"}`, status: 422, contains: []string{`"state":`}},
			{name: "unknown group → 422", method: "PATCH", path: tA, auth: "admin", body: `{"group_id":"999999"}`, status: 422},
			{name: "letters as id → 404", method: "GET", path: "/api/v1/tickets/abc", auth: "admin", status: 404, contains: []string{`"code":"not_found"`}},
			{name: "zero id → 404", method: "GET", path: "/api/v1/tickets/0", auth: "admin", status: 404},
			{name: "negative id → 404", method: "GET", path: "/api/v1/tickets/-1", auth: "admin", status: 404},
			{name: "overflowing id → 404", method: "GET", path: "/api/v1/tickets/99999999999999999999", auth: "admin", status: 404},
			{name: "bad id on PATCH → 404", method: "PATCH", path: "/api/v1/tickets/abc", auth: "admin", body: `{"state":"closed"}`, status: 404},
			{name: "missing ticket → 404", method: "GET", path: "/api/v1/tickets/424242", auth: "admin", status: 404},
			{name: "bad customer id → 404", method: "PATCH", path: "/api/v1/customers/1e3", auth: "admin", body: `{"name":"x"}`, status: 404},
			{name: "bad cursor → 400", method: "GET", path: "/api/v1/tickets?cursor=!!!", auth: "admin", status: 400, contains: []string{`"fields":{"cursor":`}},
			{name: "forged cursor → 400", method: "GET", path: "/api/v1/users?cursor=e30", auth: "admin", status: 400},
			{name: "limit over 200 → 400", method: "GET", path: "/api/v1/tickets?limit=201", auth: "admin", status: 400, contains: []string{`"fields":{"limit":`}},
			{name: "limit zero → 400", method: "GET", path: "/api/v1/customers?limit=0", auth: "admin", status: 400},
			{name: "limit not a number → 400", method: "GET", path: "/api/v1/users?limit=ten", auth: "admin", status: 400},
			{name: "bad state filter → 400", method: "GET", path: "/api/v1/tickets?state=open,lost", auth: "admin", status: 400, contains: []string{`"fields":{"state":`}},
			{name: "bad id filter → 400", method: "GET", path: "/api/v1/tickets?group_id=x", auth: "admin", status: 400, contains: []string{`"fields":{"group_id":`}},
			{name: "note with unknown field → 400", method: "POST", path: tA + "/messages", auth: "admin", body: `{"text":"x","internal":true,"to":"+1"}`, status: 400},
			{name: "note combined with template → 422", method: "POST", path: tA + "/messages", auth: "admin",
				body: `{"text":"x","internal":true,"template":{"name":"t"}}`, status: 422},
			{name: "note too long → 422", method: "POST", path: tA + "/messages", auth: "admin",
				body: `{"text":"` + strings.Repeat("n", 65537) + `","internal":true}`, status: 422},
		} {
			t.Run(sc.name, func(t *testing.T) { e.run(t, sc) })
		}
		if after := e.snapshot(t); after != before {
			t.Errorf("bad input changed stored data\nbefore: %s\nafter:  %s", before, after)
		}
	})
}
