package sim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAuthAndIDs(t *testing.T) {
	e := newEnv(t, Options{Statuses: StatusOptions{Off: true}})
	other, _ := e.s.AddBusiness(Business{ID: "300000000000001"})
	otherNum, _ := e.s.AddNumber(Number{ID: "300000000000002", WABAID: other.ID, Display: "+1 555-000-0002"})
	limited := e.s.AddToken(Token{Value: "limited", AppID: e.info.AppID, WABAs: []string{e.info.WABAID}})
	noMsg := e.s.AddToken(Token{Value: "nomsg", NoMessaging: true})
	noMgmt := e.s.AddToken(Token{Value: "nomgmt", NoManagement: true})
	expired := e.s.AddToken(Token{Value: "old"})
	if err := e.s.ExpireToken(expired.Value); err != nil {
		t.Fatal(err)
	}
	send := `{"messaging_product":"whatsapp","to":"16505551234","type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}}`
	pn := "/v25.0/" + e.info.PhoneNumberID
	cases := []struct {
		name, method, path, tok, body string
		http, code, sub               int
		typ                           string
	}{
		{"missing token → 104", "POST", pn + "/messages", "", send, 401, 104, 0, "OAuthException"},
		{"unknown token → 190", "POST", pn + "/messages", "garbage", send, 401, 190, 0, "OAuthException"},
		{"expired token → 190/463", "POST", pn + "/messages", "old", send, 401, 190, 463, "OAuthException"},
		{"token without that WABA → 100/33", "POST", "/v25.0/" + otherNum.ID + "/messages", limited.Value, send, 400, 100, 33, "GraphMethodException"},
		{"token without messaging permission → 10", "POST", pn + "/messages", noMsg.Value, send, 403, 10, 0, "OAuthException"},
		{"token without management permission → 10", "GET", pn, noMgmt.Value, "", 403, 10, 0, "OAuthException"},
		{"unknown id → 100/33", "GET", "/v25.0/999", e.info.AccessToken, "", 400, 100, 33, "GraphMethodException"},
		{"unknown edge → 100", "GET", pn + "/nope", e.info.AccessToken, "", 400, 100, 0, "OAuthException"},
		{"malformed version → 100", "GET", "/v25/" + e.info.PhoneNumberID, e.info.AccessToken, "", 400, 100, 0, "OAuthException"},
		{"no version → 100", "GET", "/" + e.info.PhoneNumberID + "/messages", e.info.AccessToken, "", 400, 100, 0, "OAuthException"},
		{"other version ok", "GET", "/v19.0/" + e.info.PhoneNumberID, e.info.AccessToken, "", 200, 0, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.body != "" {
				body = tc.body
			}
			code, out, h := e.do(t, tc.method, tc.path, tc.tok, body)
			c, sub := errCode(out)
			if code != tc.http || c != tc.code || sub != tc.sub {
				t.Fatalf("got HTTP %d %d/%d, want %d %d/%d: %v", code, c, sub, tc.http, tc.code, tc.sub, out)
			}
			if tc.code != 0 {
				eo := out["error"].(map[string]any)
				if eo["type"] != tc.typ || eo["fbtrace_id"] != h.Get("x-fb-trace-id") {
					t.Fatalf("type/trace: %v %q", eo, h.Get("x-fb-trace-id"))
				}
			}
			if tc.http == 200 && h.Get("facebook-api-version") != "v19.0" {
				t.Fatalf("facebook-api-version %q", h.Get("facebook-api-version"))
			}
		})
	}
	// restore
	if err := e.s.RestoreToken("old"); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := e.do(t, "POST", pn+"/messages", "old", send); code != 200 {
		t.Fatalf("restored token: %d %v", code, out)
	}
}

func TestResponseHeaders(t *testing.T) {
	e := newEnv(t, Options{Statuses: StatusOptions{Off: true}})
	_, _, h := e.do(t, "GET", "/v26.0/"+e.info.PhoneNumberID, e.info.AccessToken, nil)
	if h.Get("facebook-api-version") != "v26.0" || h.Get("x-fb-trace-id") == "" || h.Get("x-fb-request-id") == "" {
		t.Fatalf("headers %v", h)
	}
	var usage map[string][]map[string]any
	if err := json.Unmarshal([]byte(h.Get("x-business-use-case-usage")), &usage); err != nil || len(usage[e.info.WABAID]) != 1 {
		t.Fatalf("x-business-use-case-usage %q: %v", h.Get("x-business-use-case-usage"), err)
	}
}

func TestPhoneNumberFields(t *testing.T) {
	e := newEnv(t, Options{Statuses: StatusOptions{Off: true}})
	pn := "/v25.0/" + e.info.PhoneNumberID
	_, out, _ := e.do(t, "GET", pn, e.info.AccessToken, nil)
	want := map[string]any{"id": e.info.PhoneNumberID, "display_phone_number": "+1 555-078-3881", "verified_name": "Sim Support", "quality_rating": "GREEN"}
	if len(out) != len(want) {
		t.Fatalf("default fields: %v", out)
	}
	for k, v := range want {
		if out[k] != v {
			t.Fatalf("%s = %v, want %v", k, out[k], v)
		}
	}
	_, out, _ = e.do(t, "GET", pn+"?fields=throughput,status,platform_type", e.info.AccessToken, nil)
	if out["status"] != "CONNECTED" || out["platform_type"] != "CLOUD_API" || out["throughput"].(map[string]any)["level"] != "STANDARD" || out["id"] == nil {
		t.Fatalf("fields: %v", out)
	}
	code, out, _ := e.do(t, "GET", pn+"?fields=bogus", e.info.AccessToken, nil)
	if c, _ := errCode(out); code != 400 || c != 100 {
		t.Fatalf("bogus field: %d %v", code, out)
	}
	code, out, _ = e.do(t, "GET", "/v25.0/"+e.info.WABAID+"/phone_numbers", e.info.AccessToken, nil)
	data := out["data"].([]any)
	if code != 200 || len(data) != 1 || data[0].(map[string]any)["display_phone_number"] != "+1 555-078-3881" {
		t.Fatalf("phone_numbers: %d %v", code, out)
	}
	if p := out["paging"].(map[string]any); p["next"] != nil {
		t.Fatalf("next on a single page: %v", p)
	}
}

func TestTemplatesPagination(t *testing.T) {
	e := newEnv(t, Options{Statuses: StatusOptions{Off: true}})
	for i := range 21 {
		st := "APPROVED"
		if i%3 == 0 {
			st = "REJECTED"
		}
		if _, err := e.s.AddTemplate(Template{WABAID: e.info.WABAID, Name: "bulk_" + string(rune('a'+i)), Language: "en_US", Status: st,
			Components: []TemplateComponent{{Type: "BODY", Text: "hi {{1}}"}}}); err != nil {
			t.Fatal(err)
		}
	}
	// 4 seed + 21 = 25 templates; walk with limit 10 following paging.next.
	path := "/v25.0/" + e.info.WABAID + "/message_templates?limit=10"
	var names []string
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		code, out, _ := e.do(t, "GET", path, e.info.AccessToken, nil)
		if code != 200 {
			t.Fatal(code, out)
		}
		for _, d := range out["data"].([]any) {
			names = append(names, d.(map[string]any)["name"].(string))
		}
		p := out["paging"].(map[string]any)
		next, _ := p["next"].(string)
		path = strings.TrimPrefix(next, e.srv.URL)
		if len(names) < 25 && path == "" {
			t.Fatalf("next missing after %d items", len(names))
		}
	}
	if len(names) != 25 || names[0] != "hello_world" {
		t.Fatalf("got %d names: %v", len(names), names)
	}
	_, out, _ := e.do(t, "GET", "/v25.0/"+e.info.WABAID+"/message_templates?status=REJECTED&fields=name,status", e.info.AccessToken, nil)
	data := out["data"].([]any)
	if len(data) != 7 {
		t.Fatalf("status filter: %d", len(data))
	}
	if item := data[0].(map[string]any); len(item) != 2 || item["status"] != "REJECTED" {
		t.Fatalf("fields: %v", item)
	}
	_, out, _ = e.do(t, "GET", "/v25.0/"+e.info.WABAID+"/message_templates?name=order_update&language=en_US", e.info.AccessToken, nil)
	data = out["data"].([]any)
	if len(data) != 1 || data[0].(map[string]any)["parameter_format"] != "POSITIONAL" {
		t.Fatalf("name filter: %v", out)
	}
}

func TestSubscribedAppsAndOverrides(t *testing.T) {
	e := newEnv(t, Options{})
	waba := "/v25.0/" + e.info.WABAID + "/subscribed_apps"
	// A WABA override must pass the handshake first.
	bad := newReceiver(t, e.info.AppSecret)
	bad.verifyToken = "something-else"
	code, out, _ := e.do(t, "POST", waba, e.info.AccessToken, map[string]string{"override_callback_uri": bad.srv.URL, "verify_token": "sim-verify-token"})
	if c, _ := errCode(out); code != 400 || c != 2200 || !strings.Contains(out["error"].(map[string]any)["message"].(string), "403") {
		t.Fatalf("failed handshake: %d %v", code, out)
	}
	wabaRcv := newReceiver(t, e.info.AppSecret)
	code, out, _ = e.do(t, "POST", waba, e.info.AccessToken, map[string]string{"override_callback_uri": wabaRcv.srv.URL, "verify_token": "sim-verify-token"})
	if code != 200 || out["success"] != true {
		t.Fatalf("override: %d %v", code, out)
	}
	_, out, _ = e.do(t, "GET", waba, e.info.AccessToken, nil)
	d := out["data"].([]any)[0].(map[string]any)
	if d["override_callback_uri"] != wabaRcv.srv.URL || d["whatsapp_business_api_data"].(map[string]any)["id"] != e.info.AppID {
		t.Fatalf("subscribed_apps: %v", out)
	}
	e.inbound(t, "to the WABA override")
	if _, g := wabaRcv.next(t); g.messages()[0]["text"].(map[string]any)["body"] != "to the WABA override" {
		t.Fatal("WABA override not used")
	}
	// Phone override wins over the WABA override.
	phoneRcv := newReceiver(t, e.info.AppSecret)
	code, out, _ = e.do(t, "POST", "/v25.0/"+e.info.PhoneNumberID, e.info.AccessToken,
		map[string]any{"webhook_configuration": map[string]string{"override_callback_uri": phoneRcv.srv.URL, "verify_token": "sim-verify-token"}})
	if code != 200 {
		t.Fatalf("phone override: %d %v", code, out)
	}
	e.inbound(t, "to the phone override")
	phoneRcv.next(t)
	wabaRcv.quiet(t, 30*time.Millisecond)
	e.rcv.quiet(t, 0)
	_, out, _ = e.do(t, "GET", "/v25.0/"+e.info.PhoneNumberID+"?fields=webhook_configuration", e.info.AccessToken, nil)
	if wc := out["webhook_configuration"].(map[string]any); wc["phone_number"] != phoneRcv.srv.URL {
		t.Fatalf("webhook_configuration: %v", out)
	}
	// Unsubscribing stops delivery and is recorded as dropped.
	if code, _, _ = e.do(t, "DELETE", waba, e.info.AccessToken, nil); code != 200 {
		t.Fatal(code)
	}
	e.inbound(t, "nobody listens")
	phoneRcv.quiet(t, 30*time.Millisecond)
	dl := e.s.Deliveries()
	if last := dl[len(dl)-1]; last.Kind != "dropped" || !strings.Contains(last.Error, "subscribed") {
		t.Fatalf("last delivery %+v", last)
	}
}

func TestAppSubscriptionsHandshake(t *testing.T) {
	e := newEnv(t, Options{})
	rcv := newReceiver(t, e.info.AppSecret)
	path := "/v25.0/" + e.info.AppID + "/subscriptions"
	form := "object=whatsapp_business_account&callback_url=" + rcv.srv.URL + "&verify_token=sim-verify-token&fields=messages"
	req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+e.info.AppID+"|"+e.info.AppSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("app subscriptions: %d", resp.StatusCode)
	}
	e.inbound(t, "hello app")
	rcv.next(t)
	if code, out, _ := e.do(t, "POST", path, e.info.AccessToken, form); code != 401 {
		t.Fatalf("user token on app subscriptions: %d %v", code, out)
	}
}
