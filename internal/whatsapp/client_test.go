package whatsapp

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"
	"time"
)

const testToken = "EAAG-test-token"

// newTestClient serves h on loopback and returns a client pointed at it.
func newTestClient(t *testing.T, h http.HandlerFunc, opts ...func(*Options)) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	o := Options{BaseURL: srv.URL, Version: "v26.0", AccessToken: testToken, HTTPClient: srv.Client()}
	for _, f := range opts {
		f(&o)
	}
	return NewClient(o)
}

// reply writes a JSON body with a status.
func reply(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// jsonEqual compares two JSON documents semantically.
func jsonEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got invalid JSON %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want invalid JSON: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("JSON mismatch\n got: %s\nwant: %s", got, want)
	}
}

func TestNewClientDefaults(t *testing.T) {
	c := NewClient(Options{AccessToken: "x"})
	if got := c.endpoint("123", "messages"); got != "https://graph.facebook.com/v26.0/123/messages" {
		t.Errorf("endpoint = %s", got)
	}
	if c.timeout != DefaultTimeout || c.dlTimeout != DefaultDownloadTimeout || c.hc == nil {
		t.Errorf("defaults not applied: %+v", c)
	}
	c = NewClient(Options{BaseURL: "http://sim:8090/", Version: "26.0"})
	if got := c.endpoint("a/b"); got != "http://sim:8090/v26.0/a%2Fb" {
		t.Errorf("endpoint = %s (IDs must be escaped, version gets its v)", got)
	}
}

func TestGetPhoneNumber(t *testing.T) {
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/v26.0/106540352242922" {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
			t.Errorf("Authorization = %q", got)
		}
		if got := r.URL.Query().Get("fields"); got != "id,display_phone_number,verified_name,quality_rating,code_verification_status,name_status,platform_type,throughput,status,account_mode,is_official_business_account,whatsapp_business_manager_messaging_limit" {
			t.Errorf("fields = %q", got)
		}
		reply(w, 200, `{ "id": "277321005464405", "display_phone_number": "+1 555-096-7852", "verified_name": "Test Number",
		  "quality_rating": "GREEN", "code_verification_status": "NOT_VERIFIED", "name_status": "APPROVED",
		  "platform_type": "CLOUD_API", "throughput": { "level": "STANDARD" }, "status": "CONNECTED",
		  "account_mode": "LIVE", "is_official_business_account": false,
		  "whatsapp_business_manager_messaging_limit": "TIER_2K" }`)
	})
	p, err := c.GetPhoneNumber(context.Background(), "106540352242922")
	if err != nil {
		t.Fatal(err)
	}
	want := PhoneNumber{ID: "277321005464405", DisplayPhoneNumber: "+1 555-096-7852", VerifiedName: "Test Number",
		QualityRating: "GREEN", CodeVerificationStatus: "NOT_VERIFIED", NameStatus: "APPROVED", PlatformType: "CLOUD_API",
		Throughput: &Throughput{Level: "STANDARD"}, Status: "CONNECTED", AccountMode: "LIVE",
		MessagingLimitRaw: json.RawMessage(`"TIER_2K"`)}
	if !reflect.DeepEqual(*p, want) {
		t.Errorf("got  %+v\nwant %+v", *p, want)
	}
	eq(t, "limit", p.MessagingLimit(), "TIER_2K")
}

func TestListPhoneNumbersFollowsPages(t *testing.T) {
	pages := map[string]string{
		"": `{"data":[{"id":"1906385232743451","display_phone_number":"+1 631-555-5555","verified_name":"Jasper's Market",
		      "quality_rating":"GREEN","code_verification_status":"VERIFIED","platform_type":"CLOUD_API","throughput":{"level":"STANDARD"}}],
		      "paging":{"cursors":{"before":"QVFIUk","after":"P2"},"next":"https://graph.facebook.com/v26.0/waba/phone_numbers?after=P2"}}`,
		// The second page names its cursor only in next: the client falls back to it.
		"P2": `{"data":[{"id":"2"}],"paging":{"cursors":{"before":"P2b"},"next":"https://elsewhere.example/v26.0/waba/phone_numbers?after=P3&access_token=leak"}}`,
		"P3": `{"data":[{"id":"3"},{"id":"4"}],"paging":{"cursors":{"before":"P3b","after":"P4"}}}`,
	}
	var calls int
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.URL.Path != "/v26.0/waba/phone_numbers" || r.URL.Query().Get("limit") != "100" {
			t.Errorf("request %s", r.URL)
		}
		reply(w, 200, pages[r.URL.Query().Get("after")])
	})
	got, err := c.ListPhoneNumbers(context.Background(), "waba")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range got {
		ids = append(ids, p.ID)
	}
	if !reflect.DeepEqual(ids, []string{"1906385232743451", "2", "3", "4"}) || calls != 3 {
		t.Errorf("ids = %v after %d calls", ids, calls)
	}
	eq(t, "verified name", got[0].VerifiedName, "Jasper's Market")
}

func TestListStopsOnStuckCursor(t *testing.T) {
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, `{"data":[{"id":"1"}],"paging":{"cursors":{"after":"SAME"},"next":"https://x/next"}}`)
	})
	got, err := c.ListPhoneNumbers(context.Background(), "waba")
	if err == nil {
		t.Fatal("a cursor that does not advance must stop with an error")
	}
	eq(t, "partial pages returned", len(got), 2)
}

func TestSubscribeApp(t *testing.T) {
	tests := []struct {
		name     string
		override *CallbackOverride
		wantBody string
	}{
		{"empty body", nil, ""},
		{"override", &CallbackOverride{URI: "https://desk.example/webhooks/whatsapp/abc", VerifyToken: "vt"},
			`{"override_callback_uri":"https://desk.example/webhooks/whatsapp/abc","verify_token":"vt"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/v26.0/waba/subscribed_apps" {
					t.Errorf("%s %s", r.Method, r.URL.Path)
				}
				b, _ := io.ReadAll(r.Body)
				if tt.wantBody == "" {
					eq(t, "body", string(b), "")
				} else {
					jsonEqual(t, b, tt.wantBody)
					eq(t, "content type", r.Header.Get("Content-Type"), "application/json")
				}
				reply(w, 200, `{ "success": true }`)
			})
			if err := c.SubscribeApp(context.Background(), "waba", tt.override); err != nil {
				t.Fatal(err)
			}
		})
	}
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { reply(w, 200, `{"success":false}`) })
	if err := c.SubscribeApp(context.Background(), "waba", nil); err == nil {
		t.Error("success=false accepted")
	}
}

func TestSubscribedAppsAndRegister(t *testing.T) {
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.URL.Path {
		case "GET /v26.0/waba/subscribed_apps":
			reply(w, 200, `{ "data": [ { "whatsapp_business_api_data": { "id": "1234567890123456", "name": "Business Messaging App",
			  "link": "https://www.facebook.com/games/?app_id=1234567890123456" },
			  "override_callback_uri": "https://your-webhook-endpoint.com/webhook" } ] }`)
		case "DELETE /v26.0/waba/subscribed_apps":
			reply(w, 200, `{"success":true}`)
		case "POST /v26.0/phone/register":
			b, _ := io.ReadAll(r.Body)
			jsonEqual(t, b, `{ "messaging_product": "whatsapp", "pin": "123456" }`)
			reply(w, 200, `{"success":true}`)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		}
	})
	ctx := context.Background()
	apps, err := c.SubscribedApps(ctx, "waba")
	if err != nil || len(apps) != 1 {
		t.Fatalf("apps = %v, %v", apps, err)
	}
	eq(t, "app id", apps[0].App.ID, "1234567890123456")
	eq(t, "override", apps[0].OverrideCallbackURI, "https://your-webhook-endpoint.com/webhook")
	if err := c.UnsubscribeApp(ctx, "waba"); err != nil {
		t.Error(err)
	}
	if err := c.RegisterPhoneNumber(ctx, "phone", "123456"); err != nil {
		t.Error(err)
	}
}

func TestPerCallTimeoutIsRetryable(t *testing.T) {
	release := make(chan struct{})
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}, func(o *Options) { o.Timeout = 50 * time.Millisecond })
	defer close(release)
	start := time.Now()
	_, err := c.GetPhoneNumber(context.Background(), "1")
	if err == nil {
		t.Fatal("no error")
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("timeout not applied: %v", time.Since(start))
	}
	eq(t, "is ErrRequestTimeout", errorsIs(err, ErrRequestTimeout), true)
	eq(t, "retryable", IsRetryable(err), true)
}

func TestCallerCancellationIsNotRetryable(t *testing.T) {
	started := make(chan struct{})
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		// The server notices the client going away only once the body is read.
		io.Copy(io.Discard, r.Body)
		close(started)
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	_, err := c.SendText(ctx, "1", "16505551234", "hi", nil)
	if err == nil {
		t.Fatal("no error")
	}
	eq(t, "is context.Canceled", errorsIs(err, context.Canceled), true)
	eq(t, "retryable", IsRetryable(err), false)

	// The caller's own deadline is the caller giving up, too.
	ctx, cancel2 := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel2()
	<-ctx.Done()
	_, err = c.GetPhoneNumber(ctx, "1")
	eq(t, "deadline retryable", IsRetryable(err), false)
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
