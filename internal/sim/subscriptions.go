package sim

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// tokenApp is the app a call acts for: the token's app, or the only app if
// the token names none (convenient for hand-made tokens).
func (s *Sim) tokenApp(t *Token) *App {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if t.AppID != "" {
		return s.apps[t.AppID]
	}
	if len(s.apps) == 1 {
		for _, a := range s.apps {
			return a
		}
	}
	return nil
}

func (s *Sim) listSubscribedApps(c *call, b *Business) {
	type apiData struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Link string `json:"link"`
	}
	type item struct {
		Data     apiData `json:"whatsapp_business_api_data"`
		Override string  `json:"override_callback_uri,omitempty"`
	}
	s.mu.RLock()
	data := []item{}
	for _, sub := range s.wabas[b.ID].Subscriptions {
		a := s.apps[sub.AppID]
		if a == nil {
			continue
		}
		data = append(data, item{Data: apiData{a.ID, a.Name, "https://www.facebook.com/games/?app_id=" + a.ID}, Override: sub.OverrideCallbackURI})
	}
	s.mu.RUnlock()
	c.ok(listResponse{Data: data})
}

// subscribeApp serves POST /{waba_id}/subscribed_apps (§6.4), optionally
// with a WABA-level override that must pass the GET handshake (§6.5).
func (s *Sim) subscribeApp(c *call, b *Business) {
	p, e := c.params()
	if e != nil {
		c.fail(e)
		return
	}
	root := obj{m: p}
	if e := root.allow("override_callback_uri", "verify_token", "subscribed_fields"); e != nil {
		c.fail(e)
		return
	}
	app := s.tokenApp(c.token)
	if app == nil {
		c.fail(errParam("The access token is not associated with an app of this simulator; create the token with app_id."))
		return
	}
	uri, e := root.str("override_callback_uri")
	if e != nil {
		c.fail(e)
		return
	}
	vt, e := root.str("verify_token")
	if e != nil {
		c.fail(e)
		return
	}
	if uri != "" {
		if vt == "" {
			c.fail(errMissing("The parameter verify_token is required with override_callback_uri."))
			return
		}
		if e := s.handshakeParam(c, uri, vt); e != nil {
			c.fail(e)
			return
		}
	}
	s.mu.Lock()
	s.wabas[b.ID].Subscriptions[app.ID] = &Subscription{AppID: app.ID, OverrideCallbackURI: uri, VerifyToken: vt}
	s.mu.Unlock()
	c.ok(map[string]bool{"success": true})
}

func (s *Sim) unsubscribeApp(c *call, b *Business) {
	app := s.tokenApp(c.token)
	if app == nil {
		c.fail(errParam("The access token is not associated with an app of this simulator."))
		return
	}
	s.mu.Lock()
	delete(s.wabas[b.ID].Subscriptions, app.ID)
	s.mu.Unlock()
	c.ok(map[string]bool{"success": true})
}

// appSubscriptions serves GET/POST /{app_id}/subscriptions with an app
// access token "APP_ID|APP_SECRET" (§6.5): sets the app-level callback.
func (s *Sim) appSubscriptions(c *call) {
	s.mu.RLock()
	app := s.apps[c.id]
	var cp App
	if app != nil {
		cp = *app
	}
	s.mu.RUnlock()
	tok := bearer(c.r)
	if tok == "" {
		c.fail(&GraphError{HTTPStatus: 401, Code: 104, Graph: true, Message: "An access token is required to request this resource."})
		return
	}
	if app == nil {
		c.fail(errNoObject(strings.ToLower(c.r.Method), c.id))
		return
	}
	if tok != cp.ID+"|"+cp.Secret {
		c.fail(&GraphError{HTTPStatus: 401, Code: 190, Graph: true, Message: "Invalid OAuth access token signature."})
		return
	}
	switch c.r.Method {
	case http.MethodGet:
		data := []map[string]any{}
		if cp.CallbackURL != "" {
			data = append(data, map[string]any{"object": "whatsapp_business_account", "callback_url": cp.CallbackURL,
				"active": true, "fields": []map[string]string{{"name": "messages", "version": c.version}}})
		}
		c.ok(listResponse{Data: data})
	case http.MethodPost:
		p, e := c.params()
		if e != nil {
			c.fail(e)
			return
		}
		root := obj{m: p}
		if o, _ := root.str("object"); o != "whatsapp_business_account" {
			c.fail(errParam("Param object must be \"whatsapp_business_account\"."))
			return
		}
		cb, e := root.reqStr("callback_url")
		if e != nil {
			c.fail(e)
			return
		}
		vt, e := root.reqStr("verify_token")
		if e != nil {
			c.fail(e)
			return
		}
		if e := s.handshakeParam(c, cb, vt); e != nil {
			c.fail(e)
			return
		}
		s.mu.Lock()
		s.apps[cp.ID].CallbackURL, s.apps[cp.ID].VerifyToken = cb, vt
		s.mu.Unlock()
		c.ok(map[string]bool{"success": true})
	default:
		s.unknownEdge(c)
	}
}

// handshakeParam runs the handshake for a Graph call and maps failure to
// Graph's error 2200 "Callback verification failed".
func (s *Sim) handshakeParam(c *call, uri, verifyToken string) *GraphError {
	if !httpURL(uri) {
		return errInvalid("The callback URL %q must be an absolute http(s) URL.", uri)
	}
	if err := s.Verify(c.r.Context(), uri, verifyToken); err != nil {
		return &GraphError{HTTPStatus: 400, Code: 2200, Type: "OAuthException", Title: "Callback verification failed",
			Message: "(#2200) Callback verification failed with the following errors: " + err.Error(),
			Details: err.Error()}
	}
	return nil
}

// Verify performs Meta's GET verification handshake (§1.1) against uri: it
// succeeds only on HTTP 200 with the challenge echoed as the raw body.
func (s *Sim) Verify(ctx context.Context, uri, verifyToken string) error {
	challenge := randDigits(10)
	u, err := url.Parse(uri)
	if err != nil {
		return fmt.Errorf("invalid callback URL: %w", err)
	}
	q := u.Query()
	q.Set("hub.mode", "subscribe")
	q.Set("hub.challenge", challenge)
	q.Set("hub.verify_token", verifyToken)
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	start := time.Now()
	d := Delivery{Time: s.Now(), URL: uri, Kind: "handshake", Attempt: 1}
	defer func() { d.Duration = time.Since(start); s.logDelivery(d) }()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		d.Error = err.Error()
		return fmt.Errorf("invalid callback URL: %w", err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		d.Error = err.Error()
		return fmt.Errorf("couldn't connect to %s: %v", uri, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	d.Status, d.Body = resp.StatusCode, body
	if resp.StatusCode != http.StatusOK {
		d.Error = "non-200"
		return fmt.Errorf("HTTP Status Code = %d; HTTP Message = %s (the endpoint must answer 200 for hub.verify_token=%q)", resp.StatusCode, http.StatusText(resp.StatusCode), verifyToken)
	}
	if string(body) != challenge {
		d.Error = "challenge mismatch"
		return fmt.Errorf("The URL couldn't be validated. Response does not match challenge, expected value=\"%s\", received=\"%s\"", challenge, truncate(string(body), 64))
	}
	return nil
}

func truncate(v string, n int) string {
	if len(v) <= n {
		return v
	}
	return v[:n] + "…"
}
