package web_test

import (
	"bytes"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"
)

// scenario is one API request and what must come back (pocketbase's
// ApiScenario): the status and fragments of the compact JSON body.
type scenario struct {
	name        string
	method      string
	path        string
	auth        string // "admin", "agent", "sales", "bad", "revoked" or "" for none
	body        string
	header      map[string]string
	status      int
	contains    []string
	notContains []string
}

func (e *env) token(who string) string {
	switch who {
	case "admin":
		return e.adminTok
	case "agent":
		return e.agentTok
	case "sales":
		return e.salesTok
	case "bad":
		return "wdk_not-a-real-token"
	case "revoked":
		return e.revokedTok
	}
	return ""
}

// run sends the scenario and checks status and fragments.
func (e *env) run(t *testing.T, sc scenario) response {
	t.Helper()
	resp := e.do(nil, sc.method, sc.path, e.token(sc.auth), sc.body, sc.header)
	if resp.status != sc.status {
		t.Errorf("%s %s: status %d, want %d\n%s", sc.method, sc.path, resp.status, sc.status, resp.body)
	}
	for _, frag := range sc.contains {
		if !strings.Contains(resp.body, frag) {
			t.Errorf("%s %s: body lacks %s\n%s", sc.method, sc.path, frag, resp.body)
		}
	}
	for _, frag := range sc.notContains {
		if strings.Contains(resp.body, frag) {
			t.Errorf("%s %s: body must not contain %s\n%s", sc.method, sc.path, frag, resp.body)
		}
	}
	return resp
}

// q quotes an id the way the API writes it: a JSON string.
func q(v int64) string { return `"` + id(v) + `"` }

func TestAuthentication(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, e *env) {
		for _, sc := range []scenario{
			{name: "no credentials → 401", method: "GET", path: "/api/v1/me", status: 401, contains: []string{`"code":"unauthorized"`}},
			{name: "unknown token → 401", method: "GET", path: "/api/v1/me", auth: "bad", status: 401, contains: []string{`"code":"unauthorized"`}},
			{name: "revoked token → 401", method: "GET", path: "/api/v1/me", auth: "revoked", status: 401, contains: []string{`"code":"unauthorized"`}},
			{name: "malformed Authorization → 401", method: "GET", path: "/api/v1/me", header: map[string]string{"Authorization": "Basic YTpi"}, status: 401},
			{name: "bogus session cookie → 401", method: "GET", path: "/api/v1/me", header: map[string]string{"Cookie": "wadesk_session=nope"}, status: 401},
			{name: "valid token → the user", method: "GET", path: "/api/v1/me", auth: "agent", status: 200,
				contains: []string{`"email":"agent@example.com"`, `"role":"agent"`, `"group_ids":[` + q(e.support.ID) + `]`}, notContains: []string{"password", "argon2"}},
			{name: "agent on admin route → 403", method: "GET", path: "/api/v1/users", auth: "agent", status: 403, contains: []string{`"code":"forbidden"`}},
			{name: "agent creating a user → 403", method: "POST", path: "/api/v1/users", auth: "agent", body: `{"email":"x@example.com","name":"X","role":"admin","password":"longenough1"}`, status: 403},
			{name: "agent on groups → 403", method: "GET", path: "/api/v1/groups", auth: "agent", status: 403},
			{name: "agent on other group's ticket → 404", method: "GET", path: "/api/v1/tickets/" + id(e.ticketB.ID), auth: "agent", status: 404, contains: []string{`"code":"not_found"`}},
			{name: "agent patching other group's ticket → 404", method: "PATCH", path: "/api/v1/tickets/" + id(e.ticketB.ID), auth: "agent", body: `{"state":"closed"}`, status: 404},
			{name: "agent on other group's messages → 404", method: "GET", path: "/api/v1/tickets/" + id(e.ticketB.ID) + "/messages", auth: "agent", status: 404},
			{name: "agent on other group's customer → 404", method: "GET", path: "/api/v1/customers/" + id(e.custB.ID), auth: "agent", status: 404},
			{name: "unknown API route → JSON 404", method: "GET", path: "/api/v1/nope", auth: "admin", status: 404, contains: []string{`"code":"not_found"`}},
			{name: "wrong method → JSON 405", method: "DELETE", path: "/api/v1/me", auth: "admin", status: 405, contains: []string{`"code":"method_not_allowed"`}},
		} {
			t.Run(sc.name, func(t *testing.T) { e.run(t, sc) })
		}
		// The agent's list shows only their group's ticket.
		e.run(t, scenario{method: "GET", path: "/api/v1/tickets", auth: "agent", status: 200,
			contains: []string{`"id":` + q(e.ticketA.ID)}, notContains: []string{`"id":` + q(e.ticketB.ID)}})
	})
}

func TestRoutesHappyPath(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, e *env) {
		tA, tB := id(e.ticketA.ID), id(e.ticketB.ID)
		for _, sc := range []scenario{
			{name: "list users", method: "GET", path: "/api/v1/users", auth: "admin", status: 200,
				contains: []string{`"email":"admin@example.com"`, `"email":"sales@example.com"`, `"next_cursor":null`}, notContains: []string{"password"}},
			{name: "list users paged", method: "GET", path: "/api/v1/users?limit=1", auth: "admin", status: 200,
				contains: []string{`"email":"admin@example.com"`}, notContains: []string{`"next_cursor":null`, "agent@example.com"}},
			{name: "get user", method: "GET", path: "/api/v1/users/" + id(e.agent.ID), auth: "admin", status: 200,
				contains: []string{`"id":` + q(e.agent.ID), `"name":"Alan Agent"`, `"active":true`, `"created_at":"2026-03-01T12:00:00.000Z"`}},
			{name: "create user → 201", method: "POST", path: "/api/v1/users", auth: "admin",
				body:   `{"email":" New@Example.com ","name":"Nora New","role":"agent","password":"longenough1","group_ids":[` + q(e.sales.ID) + `]}`,
				status: 201, contains: []string{`"email":"new@example.com"`, `"group_ids":[` + q(e.sales.ID) + `]`}, notContains: []string{"longenough1"}},
			{name: "duplicate user → 409", method: "POST", path: "/api/v1/users", auth: "admin",
				body: `{"email":"agent@example.com","name":"Again","role":"agent","password":"longenough1"}`, status: 409, contains: []string{`"code":"conflict"`}},
			{name: "invalid user → 422 with fields", method: "POST", path: "/api/v1/users", auth: "admin",
				body: `{"email":"not-an-email","name":"","role":"boss","password":"short"}`, status: 422, contains: []string{`"code":"invalid_request"`, `"fields":{`}},
			{name: "list groups", method: "GET", path: "/api/v1/groups", auth: "admin", status: 200,
				contains: []string{`"name":"support"`, `"member_ids":[` + q(e.agent.ID) + `]`}},
			{name: "get group", method: "GET", path: "/api/v1/groups/" + id(e.sales.ID), auth: "admin", status: 200,
				contains: []string{`"name":"sales"`, `"member_ids":[` + q(e.salesRep.ID)}},
			{name: "create group → 201", method: "POST", path: "/api/v1/groups", auth: "admin",
				body: `{"name":"billing","member_ids":[` + q(e.agent.ID) + `]}`, status: 201, contains: []string{`"name":"billing"`, `"member_ids":[` + q(e.agent.ID) + `]`}},
			{name: "set group members", method: "PUT", path: "/api/v1/groups/" + id(e.support.ID) + "/members", auth: "admin",
				body: `{"user_ids":[` + q(e.agent.ID) + `,` + id(e.admin.ID) + `]}`, status: 200, contains: []string{`"member_ids":[`, q(e.agent.ID), q(e.admin.ID)}},
			{name: "set members of unknown group → 404", method: "PUT", path: "/api/v1/groups/999999/members", auth: "admin", body: `{"user_ids":[]}`, status: 404},
			{name: "unknown group → 404", method: "GET", path: "/api/v1/groups/999999", auth: "admin", status: 404},
			{name: "list customers", method: "GET", path: "/api/v1/customers", auth: "admin", status: 200,
				contains: []string{`"name":"Carla Customer"`, `"name":"Bruno Buyer"`}},
			{name: "search customers", method: "GET", path: "/api/v1/customers?q=Carla", auth: "admin", status: 200,
				contains: []string{`"wa_id":"4915112345678"`}, notContains: []string{"Bruno"}},
			{name: "agent sees own group's customers only", method: "GET", path: "/api/v1/customers", auth: "agent", status: 200,
				contains: []string{"Carla"}, notContains: []string{"Bruno"}},
			{name: "get customer", method: "GET", path: "/api/v1/customers/" + id(e.custA.ID), auth: "agent", status: 200,
				contains: []string{`"phone":"+4915112345678"`, `"bsuid":""`}},
			{name: "rename customer", method: "PATCH", path: "/api/v1/customers/" + id(e.custA.ID), auth: "agent",
				body: `{"name":"Carla C."}`, status: 200, contains: []string{`"name":"Carla C."`}},
			{name: "list tickets newest first", method: "GET", path: "/api/v1/tickets", auth: "admin", status: 200,
				contains: []string{`{"data":[{"id":"` + tA + `"`, `"id":"` + tB + `"`, `"next_cursor":null`}},
			{name: "filter tickets by states", method: "GET", path: "/api/v1/tickets?state=open,pending", auth: "admin", status: 200,
				contains: []string{`"id":"` + tB + `"`}, notContains: []string{`"id":"` + tA + `"`}},
			{name: "filter tickets by group", method: "GET", path: "/api/v1/tickets?group_id=" + id(e.support.ID), auth: "admin", status: 200,
				contains: []string{`"id":"` + tA + `"`}, notContains: []string{`"id":"` + tB + `"`}},
			{name: "filter tickets by customer", method: "GET", path: "/api/v1/tickets?customer_id=" + id(e.custB.ID), auth: "admin", status: 200,
				contains: []string{`"id":"` + tB + `"`}, notContains: []string{`"id":"` + tA + `"`}},
			{name: "filter unassigned tickets", method: "GET", path: "/api/v1/tickets?assignee_id=none", auth: "admin", status: 200,
				contains: []string{`"id":"` + tA + `"`, `"id":"` + tB + `"`}},
			{name: "filter tickets by assignee", method: "GET", path: "/api/v1/tickets?assignee_id=" + id(e.agent.ID), auth: "admin", status: 200,
				contains: []string{`"data":[]`}},
			{name: "full-text search over messages", method: "GET", path: "/api/v1/tickets?q=parcel", auth: "admin", status: 200,
				contains: []string{`"id":"` + tA + `"`}, notContains: []string{`"id":"` + tB + `"`}},
			{name: "full-text search over titles", method: "GET", path: "/api/v1/tickets?q=price", auth: "admin", status: 200,
				contains: []string{`"id":"` + tB + `"`}, notContains: []string{`"id":"` + tA + `"`}},
			{name: "get ticket", method: "GET", path: "/api/v1/tickets/" + tA, auth: "agent", status: 200,
				contains: []string{`"title":"Refund for order 4711"`, `"state":"new"`, `"window_open":true`, `"window_expires_at":"2026-03-01T13:00:00.000Z"`,
					`"channel_id":null`, `"assignee_id":null`, `"group_id":` + q(e.support.ID), `"customer_id":` + q(e.custA.ID), `"number":`}},
			{name: "ticket without window", method: "GET", path: "/api/v1/tickets/" + tB, auth: "admin", status: 200,
				contains: []string{`"window_open":false`, `"window_expires_at":null`}},
			{name: "assign and open ticket", method: "PATCH", path: "/api/v1/tickets/" + tA, auth: "agent",
				body: `{"state":"open","assignee_id":` + q(e.agent.ID) + `,"title":"Refund 4711"}`, status: 200,
				contains: []string{`"state":"open"`, `"assignee_id":` + q(e.agent.ID), `"title":"Refund 4711"`}},
			{name: "clear assignee with null", method: "PATCH", path: "/api/v1/tickets/" + tA, auth: "agent",
				body: `{"assignee_id":null}`, status: 200, contains: []string{`"assignee_id":null`, `"state":"open"`}},
			{name: "bad state transition → 422 fields.state", method: "PATCH", path: "/api/v1/tickets/" + tA, auth: "agent",
				body: `{"state":"new"}`, status: 422, contains: []string{`"code":"invalid_request"`, `"state":`}},
			{name: "assignee outside the group → 422", method: "PATCH", path: "/api/v1/tickets/" + tA, auth: "admin",
				body: `{"assignee_id":` + q(e.salesRep.ID) + `}`, status: 422},
			{name: "list messages oldest first", method: "GET", path: "/api/v1/tickets/" + tA + "/messages", auth: "agent", status: 200,
				contains: []string{`{"data":[{"id":` + q(e.msgIn.ID), `"direction":"in"`, `"type":"image"`,
					`"sender":{"kind":"customer","id":` + q(e.custA.ID) + `,"name":"Carla`, `"wa_message_id":"wamid.IN1"`, `"status":"received"`,
					`"url":"/api/v1/attachments/` + id(e.attachment.ID) + `"`, `"state":"ready"`, `"state":"downloading"`, `"sha256":"`,
					`"reactions":[{"emoji":"👍","by":{"kind":"agent","id":` + q(e.agent.ID),
					`"error":{"code":131047,"title":"Re-engagement message","message":"window closed"}`, `"status":"failed"`, `"reply_to_id":null`}},
			{name: "add internal note → 201", method: "POST", path: "/api/v1/tickets/" + tA + "/messages", auth: "agent",
				body: `{"text":"customer called too","internal":true}`, status: 201,
				contains: []string{`"type":"note"`, `"status":"note"`, `"internal":true`, `"direction":"out"`,
					`"sender":{"kind":"agent","id":` + q(e.agent.ID) + `,"name":"Alan Agent"}`, `"attachments":[]`, `"reactions":[]`},
				notContains: []string{`"error"`}},
			{name: "reply without sender → 422 clearly", method: "POST", path: "/api/v1/tickets/" + tA + "/messages", auth: "agent",
				body: `{"text":"hello"}`, status: 422, contains: []string{`"code":"invalid_request"`, "sending to WhatsApp is not configured"}},
			{name: "empty note → 422", method: "POST", path: "/api/v1/tickets/" + tA + "/messages", auth: "agent",
				body: `{"text":"","internal":true}`, status: 422},
			{name: "note on invisible ticket → 404", method: "POST", path: "/api/v1/tickets/" + tB + "/messages", auth: "agent",
				body: `{"text":"peek","internal":true}`, status: 404},
			{name: "list tokens", method: "GET", path: "/api/v1/tokens", auth: "agent", status: 200,
				contains: []string{`"name":"test"`, `"name":"old"`, `"prefix":"wdk_`, `"revoked_at":"`}, notContains: []string{e.agentTok, "token_hash", `"token":`}},
		} {
			t.Run(sc.name, func(t *testing.T) { e.run(t, sc) })
		}
	})
}

func TestTicketPagination(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, e *env) {
		var seen []string
		path := "/api/v1/tickets?limit=1"
		for page := 0; page < 5 && path != ""; page++ {
			resp := e.run(t, scenario{method: "GET", path: path, auth: "admin", status: 200})
			var body struct {
				Data       []struct{ ID string }
				NextCursor *string `json:"next_cursor"`
			}
			resp.json(t, &body)
			for _, tk := range body.Data {
				seen = append(seen, tk.ID)
			}
			path = ""
			if body.NextCursor != nil {
				path = "/api/v1/tickets?limit=1&cursor=" + url.QueryEscape(*body.NextCursor)
			}
		}
		want := []string{id(e.ticketA.ID), id(e.ticketB.ID)}
		if strings.Join(seen, ",") != strings.Join(want, ",") {
			t.Errorf("pages gave %v, want %v", seen, want)
		}
	})
}

func TestMultipartNote(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, e *env) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("text", "note from a form")
		_ = mw.WriteField("internal", "true")
		_ = mw.Close()
		path := "/api/v1/tickets/" + id(e.ticketA.ID) + "/messages"
		resp := e.do(nil, "POST", path, e.agentTok, buf.String(), map[string]string{"Content-Type": mw.FormDataContentType()})
		if resp.status != 201 || !strings.Contains(resp.body, `"text":"note from a form"`) {
			t.Errorf("multipart note: %d %s", resp.status, resp.body)
		}
		buf.Reset()
		mw = multipart.NewWriter(&buf)
		_ = mw.WriteField("text", "with a file")
		fw, _ := mw.CreateFormFile("file", "a.txt")
		_, _ = fw.Write([]byte("hello"))
		_ = mw.Close()
		resp = e.do(nil, "POST", path, e.agentTok, buf.String(), map[string]string{"Content-Type": mw.FormDataContentType()})
		if resp.status != 422 || !strings.Contains(resp.body, "sending to WhatsApp is not configured") {
			t.Errorf("file reply without sender: %d %s", resp.status, resp.body)
		}
	})
}
