package sim

// SeedInfo lists the fixtures Seed creates, for printing or wiring a demo.
type SeedInfo struct {
	AppID         string `json:"app_id"`
	AppSecret     string `json:"app_secret"`
	VerifyToken   string `json:"verify_token"`
	WABAID        string `json:"waba_id"`
	PhoneNumberID string `json:"phone_number_id"`
	DisplayPhone  string `json:"display_phone_number"`
	AccessToken   string `json:"access_token"`
	CustomerWaID  string `json:"customer_wa_id"`
	CustomerBSUID string `json:"customer_user_id"`
}

// Seed creates a fixed, ready-to-use set of fixtures (idempotent): one app
// subscribed to one WABA with one registered number, a token for it, a few
// approved templates and one customer. The app has no callback URL yet:
// set it with POST /{app_id}/subscriptions, a WABA/number override, or
// POST /_sim/apps.
func (s *Sim) Seed() SeedInfo {
	info := SeedInfo{AppID: "1234567890123456", AppSecret: "sim-app-secret", VerifyToken: "sim-verify-token",
		WABAID: "102290129340398", PhoneNumberID: "106540352242922", DisplayPhone: "+1 555-078-3881",
		AccessToken: "sim-access-token", CustomerWaID: "16505551234", CustomerBSUID: "US.13491208655302741918"}
	s.mu.RLock()
	old := s.apps[info.AppID]
	s.mu.RUnlock()
	app := App{ID: info.AppID, Name: "wadesk simulator app", Secret: info.AppSecret, VerifyToken: info.VerifyToken}
	if old != nil {
		app.CallbackURL = old.CallbackURL // keep a callback set by hand
	}
	s.AddApp(app)
	_, _ = s.AddBusiness(Business{ID: info.WABAID, Name: "Sim Support", SubscribeApp: info.AppID})
	_, _ = s.AddNumber(Number{ID: info.PhoneNumberID, WABAID: info.WABAID, Display: info.DisplayPhone, VerifiedName: "Sim Support"})
	s.AddToken(Token{Value: info.AccessToken, AppID: info.AppID})
	for _, t := range seedTemplates(info.WABAID) {
		_, _ = s.AddTemplate(t)
	}
	_, _ = s.AddCustomer(Customer{WaID: info.CustomerWaID, UserID: info.CustomerBSUID, Name: "Sheena Nelson"})
	return info
}

func seedTemplates(waba string) []Template {
	return []Template{
		{WABAID: waba, Name: "hello_world", Language: "en_US", Category: "MARKETING", Components: []TemplateComponent{
			{Type: "HEADER", Format: "TEXT", Text: "Hello World"},
			{Type: "BODY", Text: "Welcome and congratulations!! This message demonstrates your ability to send a message notification from WhatsApp Business Platform's Cloud API. Thank you for taking the time to test with us."},
			{Type: "FOOTER", Text: "WhatsApp Business API Team"}}},
		{WABAID: waba, Name: "order_update", Language: "en_US", Category: "UTILITY", Components: []TemplateComponent{
			{Type: "BODY", Text: "Hi {{1}}, your order {{2}} has shipped."},
			{Type: "BUTTONS", Buttons: []TemplateButton{
				{Type: "URL", Text: "Track", URL: "https://example.com/track/{{1}}"},
				{Type: "QUICK_REPLY", Text: "Stop updates"}}}}},
		{WABAID: waba, Name: "ticket_reminder", Language: "en_US", Category: "UTILITY", ParameterFormat: "NAMED", Components: []TemplateComponent{
			{Type: "BODY", Text: "Hello {{first_name}}, ticket {{ticket_id}} is waiting for your reply."}}},
		{WABAID: waba, Name: "invoice_ready", Language: "en_US", Category: "UTILITY", Components: []TemplateComponent{
			{Type: "HEADER", Format: "DOCUMENT"},
			{Type: "BODY", Text: "Your invoice {{1}} is attached."}}},
	}
}
