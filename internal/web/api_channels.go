package web

import (
	"context"
	"net/http"

	"wadesk/internal/channel"
	"wadesk/internal/helpdesk"
	"wadesk/internal/whatsapp"
)

// Channels is the channel use cases the API needs (internal/channel).
type Channels interface {
	Create(ctx context.Context, in channel.NewChannel) (*helpdesk.Channel, error)
	List(ctx context.Context) ([]helpdesk.Channel, error)
	Get(ctx context.Context, id int64) (*helpdesk.Channel, error)
	Update(ctx context.Context, id int64, p channel.Patch) (*helpdesk.Channel, error)
	Delete(ctx context.Context, id int64) error
	Verify(ctx context.Context, id int64) (*helpdesk.Channel, error)
	Lookup(ctx context.Context, accessToken, wabaID string) ([]whatsapp.PhoneNumber, error)
	CallbackURL(ch *helpdesk.Channel) string
}

// channelAPI serves /api/v1/channels (admin only).
type channelAPI struct{ ch Channels }

// MountChannels mounts the channel routes.
func (s *Server) MountChannels(c Channels) {
	a := &channelAPI{ch: c}
	s.HandleAdmin("GET /api/v1/channels", http.HandlerFunc(a.list))
	s.HandleAdmin("POST /api/v1/channels", http.HandlerFunc(a.create))
	s.HandleAdmin("POST /api/v1/channels/lookup", http.HandlerFunc(a.lookup))
	s.HandleAdmin("GET /api/v1/channels/{id}", http.HandlerFunc(a.get))
	s.HandleAdmin("PATCH /api/v1/channels/{id}", http.HandlerFunc(a.update))
	s.HandleAdmin("DELETE /api/v1/channels/{id}", http.HandlerFunc(a.remove))
	s.HandleAdmin("POST /api/v1/channels/{id}/verify", http.HandlerFunc(a.verify))
}

// reminderBody is the reminder object of channel bodies.
type reminderBody struct {
	Enabled      *bool   `json:"enabled"`
	AfterSeconds *int    `json:"after_seconds"`
	Message      *string `json:"message"`
	SkipAnswered *bool   `json:"skip_answered"`
}

func (r *reminderBody) input() *channel.ReminderInput {
	if r == nil {
		return nil
	}
	return &channel.ReminderInput{Enabled: r.Enabled, AfterSeconds: r.AfterSeconds, Message: r.Message, SkipAnswered: r.SkipAnswered}
}

// createChannelBody is the body of POST /api/v1/channels.
type createChannelBody struct {
	Name            string        `json:"name"`
	WABAID          string        `json:"waba_id"`
	PhoneNumberID   string        `json:"phone_number_id"`
	AccessToken     string        `json:"access_token"`
	AppSecret       string        `json:"app_secret"`
	GroupID         *ID           `json:"group_id"`
	WelcomeMessage  string        `json:"welcome_message"`
	Reminder        *reminderBody `json:"reminder"`
	MarkRead        *bool         `json:"mark_read"`
	TypingIndicator *bool         `json:"typing_indicator"`
	RateLimit       *int          `json:"rate_limit"`
}

// patchChannelBody is the body of PATCH /api/v1/channels/{id}.
type patchChannelBody struct {
	Name            *string       `json:"name"`
	GroupID         optionalID    `json:"group_id"`
	Active          *bool         `json:"active"`
	WelcomeMessage  *string       `json:"welcome_message"`
	Reminder        *reminderBody `json:"reminder"`
	AccessToken     *string       `json:"access_token"`
	AppSecret       *string       `json:"app_secret"`
	MarkRead        *bool         `json:"mark_read"`
	TypingIndicator *bool         `json:"typing_indicator"`
	RateLimit       *int          `json:"rate_limit"`
}

// lookupBody is the body of POST /api/v1/channels/lookup.
type lookupBody struct {
	AccessToken string `json:"access_token"`
	WABAID      string `json:"waba_id"`
}

func (a *channelAPI) list(w http.ResponseWriter, r *http.Request) {
	chs, err := a.ch.List(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	views := make([]ChannelView, len(chs))
	for i := range chs {
		views[i] = ChannelJSON(&chs[i], a.ch.CallbackURL(&chs[i]))
	}
	writeJSON(w, http.StatusOK, List(views, "")) // channels are few: one page
}

func (a *channelAPI) create(w http.ResponseWriter, r *http.Request) {
	var b createChannelBody
	if err := DecodeJSON(w, r, &b); err != nil {
		WriteError(w, r, err)
		return
	}
	in := channel.NewChannel{
		Name: b.Name, WABAID: b.WABAID, PhoneNumberID: b.PhoneNumberID,
		AccessToken: b.AccessToken, AppSecret: b.AppSecret, WelcomeMessage: b.WelcomeMessage,
		Reminder: b.Reminder.input(), MarkRead: b.MarkRead, TypingIndicator: b.TypingIndicator, RateLimit: b.RateLimit,
	}
	if b.GroupID != nil {
		id := int64(*b.GroupID)
		in.GroupID = &id
	}
	ch, err := a.ch.Create(r.Context(), in)
	a.write(w, r, http.StatusCreated, ch, err)
}

func (a *channelAPI) get(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	ch, err := a.ch.Get(r.Context(), id)
	a.write(w, r, http.StatusOK, ch, err)
}

func (a *channelAPI) update(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	var b patchChannelBody
	if err := DecodeJSON(w, r, &b); err != nil {
		WriteError(w, r, err)
		return
	}
	ch, err := a.ch.Update(r.Context(), id, channel.Patch{
		Name: b.Name, GroupID: b.GroupID.domain(), Active: b.Active, WelcomeMessage: b.WelcomeMessage,
		Reminder: b.Reminder.input(), AccessToken: b.AccessToken, AppSecret: b.AppSecret,
		MarkRead: b.MarkRead, TypingIndicator: b.TypingIndicator, RateLimit: b.RateLimit,
	})
	a.write(w, r, http.StatusOK, ch, err)
}

func (a *channelAPI) remove(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	if err := a.ch.Delete(r.Context(), id); err != nil {
		WriteError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *channelAPI) verify(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	ch, err := a.ch.Verify(r.Context(), id)
	a.write(w, r, http.StatusOK, ch, err)
}

func (a *channelAPI) lookup(w http.ResponseWriter, r *http.Request) {
	var b lookupBody
	if err := DecodeJSON(w, r, &b); err != nil {
		WriteError(w, r, err)
		return
	}
	nums, err := a.ch.Lookup(r.Context(), b.AccessToken, b.WABAID)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	views := make([]PhoneNumberView, len(nums))
	for i := range nums {
		views[i] = phoneNumberJSON(&nums[i])
	}
	writeJSON(w, http.StatusOK, List(views, ""))
}

// write answers with the channel, or the error.
func (a *channelAPI) write(w http.ResponseWriter, r *http.Request, status int, ch *helpdesk.Channel, err error) {
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, status, ChannelJSON(ch, a.ch.CallbackURL(ch)))
}

// ChannelView is a channel as the API shows it. access_token and app_secret
// are write-only: they have no field here, so they cannot leak.
type ChannelView struct {
	ID                 string            `json:"id"`
	Name               string            `json:"name"`
	WABAID             string            `json:"waba_id"`
	PhoneNumberID      string            `json:"phone_number_id"`
	DisplayPhoneNumber string            `json:"display_phone_number"`
	VerifiedName       string            `json:"verified_name"`
	CallbackURL        string            `json:"callback_url"`
	VerifyToken        string            `json:"verify_token"`
	GroupID            *string           `json:"group_id"`
	Active             bool              `json:"active"`
	WelcomeMessage     string            `json:"welcome_message"`
	Reminder           ReminderView      `json:"reminder"`
	Status             string            `json:"status"`
	LastError          *ChannelErrorView `json:"last_error"`
	CreatedAt          string            `json:"created_at"`
	UpdatedAt          string            `json:"updated_at"`
	WebhookVerifiedAt  *string           `json:"webhook_verified_at"`
	LastWebhookAt      *string           `json:"last_webhook_at"`
	QualityRating      string            `json:"quality_rating"`
	MessagingLimit     string            `json:"messaging_limit"`
	ThroughputLevel    string            `json:"throughput_level"`
	RateLimit          int               `json:"rate_limit"`
	MarkRead           bool              `json:"mark_read"`
	TypingIndicator    bool              `json:"typing_indicator"`
}

// ReminderView is a channel's window reminder.
type ReminderView struct {
	Enabled      bool   `json:"enabled"`
	AfterSeconds int    `json:"after_seconds"`
	Message      string `json:"message"`
	SkipAnswered bool   `json:"skip_answered"`
}

// ChannelErrorView is Meta's last complaint about a channel.
type ChannelErrorView struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	At      string `json:"at"`
}

// ChannelJSON is the API view of ch; callbackURL comes from the channel
// service (it depends on the configured base URL).
func ChannelJSON(ch *helpdesk.Channel, callbackURL string) ChannelView {
	v := ChannelView{
		ID:                 jsonID(ch.ID),
		Name:               ch.Name,
		WABAID:             ch.WABAID,
		PhoneNumberID:      ch.PhoneNumberID,
		DisplayPhoneNumber: ch.DisplayPhoneNumber,
		VerifiedName:       ch.VerifiedName,
		CallbackURL:        callbackURL,
		VerifyToken:        ch.VerifyToken,
		GroupID:            jsonIDPtr(ch.GroupID),
		Active:             ch.Active,
		WelcomeMessage:     ch.WelcomeMessage,
		Reminder: ReminderView{Enabled: ch.Reminder.Enabled, AfterSeconds: ch.Reminder.AfterSeconds,
			Message: ch.Reminder.Message, SkipAnswered: ch.Reminder.SkipAnswered},
		Status:            string(ch.Status),
		CreatedAt:         jsonTime(ch.CreatedAt),
		UpdatedAt:         jsonTime(ch.UpdatedAt),
		WebhookVerifiedAt: jsonTimePtr(ch.WebhookVerifiedAt),
		LastWebhookAt:     jsonTimePtr(ch.LastWebhookAt),
		QualityRating:     ch.QualityRating,
		MessagingLimit:    ch.MessagingLimit,
		ThroughputLevel:   ch.ThroughputLevel,
		RateLimit:         ch.RateLimit,
		MarkRead:          ch.MarkRead,
		TypingIndicator:   ch.TypingIndicator,
	}
	if e := ch.LastError; e != nil {
		v.LastError = &ChannelErrorView{Code: e.Code, Message: e.Message, At: jsonTime(e.At)}
	}
	return v
}

// PhoneNumberView is one number of a WABA in the setup wizard.
type PhoneNumberView struct {
	ID                     string `json:"id"`
	DisplayPhoneNumber     string `json:"display_phone_number"`
	VerifiedName           string `json:"verified_name"`
	QualityRating          string `json:"quality_rating"`
	Status                 string `json:"status"`
	CodeVerificationStatus string `json:"code_verification_status"`
	NameStatus             string `json:"name_status"`
	ThroughputLevel        string `json:"throughput_level"`
	MessagingLimit         string `json:"messaging_limit"`
}

func phoneNumberJSON(p *whatsapp.PhoneNumber) PhoneNumberView {
	v := PhoneNumberView{
		ID: p.ID, DisplayPhoneNumber: p.DisplayPhoneNumber, VerifiedName: p.VerifiedName,
		QualityRating: p.QualityRating, Status: p.Status, CodeVerificationStatus: p.CodeVerificationStatus,
		NameStatus: p.NameStatus, MessagingLimit: p.MessagingLimit(),
	}
	if p.Throughput != nil {
		v.ThroughputLevel = p.Throughput.Level
	}
	return v
}
