package whatsapp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// PhoneNumberFields is the field list GetPhoneNumber and ListPhoneNumbers ask
// for when the caller names none. Meta returns only id, display_phone_number,
// verified_name and quality_rating unless fields are requested.
var PhoneNumberFields = []string{
	"id", "display_phone_number", "verified_name", "quality_rating",
	"code_verification_status", "name_status", "platform_type", "throughput",
	"status", "account_mode", "is_official_business_account",
	"whatsapp_business_manager_messaging_limit",
}

// PhoneNumber is a business phone number (reference §6.1). Enumerated values
// are kept as Meta's strings; unknown values must not break the setup wizard.
type PhoneNumber struct {
	ID                        string      `json:"id"`
	DisplayPhoneNumber        string      `json:"display_phone_number,omitempty"` // formatted, "+1 555-096-7852"
	VerifiedName              string      `json:"verified_name,omitempty"`
	QualityRating             string      `json:"quality_rating,omitempty"`           // GREEN, YELLOW, RED, NA, UNKNOWN
	CodeVerificationStatus    string      `json:"code_verification_status,omitempty"` // NOT_VERIFIED, VERIFIED, EXPIRED
	NameStatus                string      `json:"name_status,omitempty"`              // APPROVED, PENDING_REVIEW, …
	PlatformType              string      `json:"platform_type,omitempty"`            // CLOUD_API, ON_PREMISE, NOT_APPLICABLE
	Throughput                *Throughput `json:"throughput,omitempty"`
	Status                    string      `json:"status,omitempty"`       // CONNECTED, PENDING, FLAGGED, …
	AccountMode               string      `json:"account_mode,omitempty"` // LIVE, SANDBOX
	IsOfficialBusinessAccount bool        `json:"is_official_business_account,omitempty"`
	// MessagingLimitRaw is whatsapp_business_manager_messaging_limit as sent:
	// its format is not confirmed (a string such as "TIER_2K" is expected), so
	// it is kept raw; use MessagingLimit for the common case.
	MessagingLimitRaw json.RawMessage `json:"whatsapp_business_manager_messaging_limit,omitempty"`
}

// Throughput is the messages-per-second level of a number.
type Throughput struct {
	Level string `json:"level"` // STANDARD (80 mps), HIGH (1000 mps), NOT_APPLICABLE
}

// MessagingLimit returns the messaging limit tier as a string ("TIER_2K"),
// or the raw JSON text if Meta sent something other than a string.
func (p *PhoneNumber) MessagingLimit() string { return rawString(p.MessagingLimitRaw) }

// GetPhoneNumber reads one business phone number. With no fields,
// PhoneNumberFields is requested.
func (c *Client) GetPhoneNumber(ctx context.Context, phoneNumberID string, fields ...string) (*PhoneNumber, error) {
	if len(fields) == 0 {
		fields = PhoneNumberFields
	}
	var p PhoneNumber
	q := url.Values{"fields": {strings.Join(fields, ",")}}
	if err := c.doJSON(ctx, http.MethodGet, c.endpoint(phoneNumberID), q, nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// ListPhoneNumbers returns every phone number of a WABA, following all pages.
func (c *Client) ListPhoneNumbers(ctx context.Context, wabaID string, fields ...string) ([]PhoneNumber, error) {
	if len(fields) == 0 {
		fields = PhoneNumberFields
	}
	q := url.Values{"fields": {strings.Join(fields, ",")}, "limit": {"100"}}
	return listAll[PhoneNumber](ctx, c, c.endpoint(wabaID, "phone_numbers"), q)
}

// RegisterPhoneNumber registers a number for Cloud API use with its 6-digit
// two-step verification PIN (§6.6); sends fail with 133010 until this is done.
func (c *Client) RegisterPhoneNumber(ctx context.Context, phoneNumberID, pin string) error {
	in := map[string]string{"messaging_product": "whatsapp", "pin": pin}
	var out successResponse
	if err := c.doJSON(ctx, http.MethodPost, c.endpoint(phoneNumberID, "register"), nil, in, &out); err != nil {
		return err
	}
	return checkSuccess("register phone number", out)
}

// CallbackOverride redirects a WABA's webhooks to another callback URL
// (§6.5). Meta verifies it with the GET handshake using VerifyToken.
type CallbackOverride struct {
	URI         string `json:"override_callback_uri"`
	VerifyToken string `json:"verify_token"`
}

// SubscribeApp subscribes the token's app to the WABA's webhooks (§6.4).
// With a nil override the request body is empty and the app's own callback
// URL is used.
func (c *Client) SubscribeApp(ctx context.Context, wabaID string, override *CallbackOverride) error {
	var in any
	if override != nil {
		if override.URI == "" {
			return fmt.Errorf("whatsapp: subscribe app: override without callback URI")
		}
		in = override
	}
	var out successResponse
	if err := c.doJSON(ctx, http.MethodPost, c.endpoint(wabaID, "subscribed_apps"), nil, in, &out); err != nil {
		return err
	}
	return checkSuccess("subscribe app", out)
}

// SubscribedApp is one entry of GET /{waba_id}/subscribed_apps.
type SubscribedApp struct {
	App struct {
		ID   string `json:"id"`
		Name string `json:"name,omitempty"`
		Link string `json:"link,omitempty"`
	} `json:"whatsapp_business_api_data"`
	OverrideCallbackURI string `json:"override_callback_uri,omitempty"`
}

// SubscribedApps lists the apps subscribed to a WABA, so the setup wizard can
// tell whether SubscribeApp is needed.
func (c *Client) SubscribedApps(ctx context.Context, wabaID string) ([]SubscribedApp, error) {
	return listAll[SubscribedApp](ctx, c, c.endpoint(wabaID, "subscribed_apps"), nil)
}

// UnsubscribeApp removes the token's app from the WABA's webhooks.
func (c *Client) UnsubscribeApp(ctx context.Context, wabaID string) error {
	var out successResponse
	if err := c.doJSON(ctx, http.MethodDelete, c.endpoint(wabaID, "subscribed_apps"), nil, nil, &out); err != nil {
		return err
	}
	return checkSuccess("unsubscribe app", out)
}
