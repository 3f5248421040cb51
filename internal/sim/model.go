package sim

import (
	"errors"
	"fmt"
	"strings"
)

// App is a Meta app: it owns the app-level callback URL and the App Secret
// that signs webhooks (§1.3).
type App struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Secret      string `json:"secret"`
	CallbackURL string `json:"callback_url,omitempty"`
	VerifyToken string `json:"verify_token,omitempty"`
}

// Business is a WhatsApp Business Account (WABA). Events reach an app only
// once that app is subscribed (POST /{waba_id}/subscribed_apps, §6.4).
type Business struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Subscriptions by app id. AddBusiness with SubscribeApp pre-subscribes.
	Subscriptions map[string]*Subscription `json:"subscriptions"`
	// SubscribeApp is an input of AddBusiness only: subscribe this app.
	SubscribeApp string `json:"subscribe_app,omitempty"`
}

// Subscription is one app's subscription to a WABA, with its optional
// WABA-level callback override (§6.5).
type Subscription struct {
	AppID               string `json:"app_id"`
	OverrideCallbackURI string `json:"override_callback_uri,omitempty"`
	VerifyToken         string `json:"verify_token,omitempty"`
}

// Number is a business phone number.
type Number struct {
	ID      string `json:"id"`
	WABAID  string `json:"waba_id"`
	Display string `json:"display_phone_number"` // "+1 555-096-7852"
	// VerifiedName, QualityRating ("GREEN"…), Status ("CONNECTED"…).
	VerifiedName  string `json:"verified_name"`
	QualityRating string `json:"quality_rating"`
	Status        string `json:"status"`
	// Throughput in msgs/s; 0 uses Options.Throughput. ≥1000 reports level HIGH.
	Throughput int `json:"throughput,omitempty"`
	// Unregistered numbers refuse sends with 133010 until POST /register.
	Unregistered bool   `json:"unregistered,omitempty"`
	PIN          string `json:"pin,omitempty"`
	// Phone-number-level webhook override (highest precedence).
	OverrideCallbackURI string `json:"override_callback_uri,omitempty"`
	OverrideVerifyToken string `json:"override_verify_token,omitempty"`
}

// digits is the display number as digits only, as in webhook metadata.
func (n *Number) digits() string { return onlyDigits(n.Display) }

// Token is an access token and what it may touch.
type Token struct {
	Value string `json:"value"`
	AppID string `json:"app_id,omitempty"`
	// WABAs the token can access; empty means all.
	WABAs []string `json:"wabas,omitempty"`
	// Expired tokens get 190/463.
	Expired bool `json:"expired,omitempty"`
	// NoMessaging / NoManagement remove the whatsapp_business_messaging /
	// whatsapp_business_management permission: calls needing it get code 10.
	NoMessaging  bool `json:"no_messaging,omitempty"`
	NoManagement bool `json:"no_management,omitempty"`
}

func (t *Token) canAccess(waba string) bool {
	if len(t.WABAs) == 0 {
		return true
	}
	for _, w := range t.WABAs {
		if w == waba {
			return true
		}
	}
	return false
}

// Customer is a simulated WhatsApp user.
type Customer struct {
	WaID     string `json:"wa_id,omitempty"`   // digits; empty for BSUID-only users
	UserID   string `json:"user_id,omitempty"` // BSUID, e.g. US.13491208655302741918
	Name     string `json:"name"`
	Username string `json:"username,omitempty"`
	// NoReadReceipts stops statuses at delivered.
	NoReadReceipts bool `json:"no_read_receipts,omitempty"`
	// NotOnWhatsApp makes sends to this user fail async with 131026.
	NotOnWhatsApp bool `json:"not_on_whatsapp,omitempty"`
}

func (c *Customer) key() string {
	if c.WaID != "" {
		return "wa:" + c.WaID
	}
	return "uid:" + c.UserID
}

// ErrNotFound is returned by Go methods given an unknown id.
var ErrNotFound = errors.New("sim: not found")

// AddApp creates or replaces an app. Empty ID/Secret are generated.
func (s *Sim) AddApp(a App) *App {
	if a.ID == "" {
		a.ID = s.newID(16)
	}
	if a.Secret == "" {
		a.Secret = randHex(16)
	}
	if a.Name == "" {
		a.Name = "Business Messaging App"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps[a.ID] = &a
	return &a
}

// AddBusiness creates or replaces a WABA. With SubscribeApp set the app is
// subscribed at once (as if POST /{waba_id}/subscribed_apps had been called).
func (s *Sim) AddBusiness(b Business) (*Business, error) {
	if b.ID == "" {
		b.ID = s.newID(15)
	}
	if b.Name == "" {
		b.Name = "Simulated Business"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.wabas[b.ID]; old != nil && b.Subscriptions == nil {
		b.Subscriptions = old.Subscriptions
	}
	if b.Subscriptions == nil {
		b.Subscriptions = map[string]*Subscription{}
	}
	if b.SubscribeApp != "" {
		if s.apps[b.SubscribeApp] == nil {
			return nil, fmt.Errorf("sim: add business: app %s: %w", b.SubscribeApp, ErrNotFound)
		}
		b.Subscriptions[b.SubscribeApp] = &Subscription{AppID: b.SubscribeApp}
		b.SubscribeApp = ""
	}
	s.wabas[b.ID] = &b
	return &b, nil
}

// AddNumber creates or replaces a phone number of an existing WABA.
func (s *Sim) AddNumber(n Number) (*Number, error) {
	if n.ID == "" {
		n.ID = s.newID(15)
	}
	if n.Display == "" {
		n.Display = "+1 555-" + fmt.Sprintf("%03d-%04d", s.seq.Add(1)%1000, s.seq.Add(1)%10000)
	}
	if !strings.HasPrefix(n.Display, "+") {
		return nil, fmt.Errorf("sim: add number: display_phone_number %q must be formatted like \"+1 555-096-7852\"", n.Display)
	}
	if n.VerifiedName == "" {
		n.VerifiedName = "Test Number"
	}
	if n.QualityRating == "" {
		n.QualityRating = "GREEN"
	}
	if n.Status == "" {
		n.Status = "CONNECTED"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wabas[n.WABAID] == nil {
		return nil, fmt.Errorf("sim: add number: waba %q: %w", n.WABAID, ErrNotFound)
	}
	s.numbers[n.ID] = &n
	return &n, nil
}

// AddToken creates or replaces an access token. Empty Value is generated.
func (s *Sim) AddToken(t Token) *Token {
	if t.Value == "" {
		t.Value = "EAAG" + randHex(24)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[t.Value] = &t
	return &t
}

// ExpireToken makes a token answer 190/463; RestoreToken undoes it.
func (s *Sim) ExpireToken(value string) error  { return s.setTokenExpired(value, true) }
func (s *Sim) RestoreToken(value string) error { return s.setTokenExpired(value, false) }

func (s *Sim) setTokenExpired(value string, expired bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[value]
	if t == nil {
		return fmt.Errorf("sim: token: %w", ErrNotFound)
	}
	t.Expired = expired
	return nil
}

// AddCustomer creates or replaces a simulated user. A missing BSUID is
// generated; a user with only a BSUID is a username user without phone.
func (s *Sim) AddCustomer(c Customer) (*Customer, error) {
	c.WaID = onlyDigits(c.WaID)
	if c.UserID == "" {
		c.UserID = "US." + randDigits(20)
	}
	if !validBSUID(c.UserID) {
		return nil, fmt.Errorf("sim: add customer: user_id %q is not a BSUID like US.13491208655302741918", c.UserID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.putCustomerLocked(&c), nil
}

func (s *Sim) putCustomerLocked(c *Customer) *Customer {
	if old := s.customers[c.key()]; old != nil && old.UserID != c.UserID {
		delete(s.custByUID, old.UserID)
	}
	s.customers[c.key()] = c
	if c.WaID != "" {
		s.custByWa[c.WaID] = c
	}
	s.custByUID[c.UserID] = c
	return c
}

// customer finds a user by wa_id digits or BSUID; with create, an unknown
// phone gets a fresh customer (any phone may be a WhatsApp user).
func (s *Sim) customer(ref, name string, create bool) *Customer {
	s.mu.Lock()
	defer s.mu.Unlock()
	if validBSUID(ref) {
		return s.custByUID[ref]
	}
	d := onlyDigits(ref)
	if c := s.custByWa[d]; c != nil {
		return c
	}
	if !create || d == "" {
		return nil
	}
	if name == "" {
		name = "Customer " + d[max(0, len(d)-4):] // Meta always sends a profile name
	}
	return s.putCustomerLocked(&Customer{WaID: d, UserID: "US." + randDigits(20), Name: name})
}

// validBSUID checks the §1.5 format: ISO country code, ".", optional "ENT.",
// then up to 128 alphanumerics.
func validBSUID(v string) bool {
	if len(v) < 4 || v[2] != '.' || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z' {
		return false
	}
	rest := strings.TrimPrefix(v[3:], "ENT.")
	if rest == "" || len(rest) > 128 {
		return false
	}
	for _, r := range rest {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func onlyDigits(v string) string {
	var b strings.Builder
	for _, r := range v {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
