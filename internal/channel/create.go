package channel

import (
	"context"
	"errors"

	"wadesk/internal/auth"
	"wadesk/internal/helpdesk"
	"wadesk/internal/whatsapp"
)

// Create connects a number: checks the input and the credentials (Graph
// GET /{phone_number_id}), stores the channel with sealed secrets, then
// subscribes the app to the WABA with the channel's callback URL. Meta (or
// the simulator) runs the GET handshake against that URL during the
// subscription, which works because the channel is committed first.
//
// Errors: invalid_request with fields; conflict when a live channel has the
// number; invalid_credentials with Meta's message when Graph refuses;
// upstream_error when Graph cannot be reached. A failed subscription is not
// an error: the channel is returned with status "error" and last_error.
func (s *Service) Create(ctx context.Context, in NewChannel) (*helpdesk.Channel, error) {
	ch, err := s.newChannel(ctx, in)
	if err != nil {
		return nil, err
	}
	if _, err := s.st.ChannelByPhoneNumberID(ctx, in.PhoneNumberID); err == nil {
		return nil, duplicate()
	} else if helpdesk.ErrorCode(err) != helpdesk.ECodeNotFound {
		return nil, err
	}
	pn, err := s.client(in.AccessToken).GetPhoneNumber(ctx, in.PhoneNumberID)
	if err != nil {
		return nil, s.graphError(err, in.AccessToken, "check the credentials")
	}
	applyPhone(ch, pn)
	if ch.AccessTokenEnc, err = s.seal(in.AccessToken, adAccessToken); err != nil {
		return nil, err
	}
	if ch.AppSecretEnc, err = s.seal(in.AppSecret, adAppSecret); err != nil {
		return nil, err
	}
	if err := s.st.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.CreateChannel(ctx, ch) }); err != nil {
		if errors.Is(err, helpdesk.ErrConflict) {
			return nil, duplicate() // a concurrent create of the same number
		}
		return nil, err
	}
	s.targets.invalidate()
	s.log.Info("channel: created", "channel_id", ch.ID, "phone_number_id", ch.PhoneNumberID, "waba_id", ch.WABAID)

	if err := s.subscribeWith(ctx, ch, in.AccessToken); err != nil {
		return s.subscribeFailed(ctx, ch.ID, err, in.AccessToken)
	}
	return s.st.ChannelByID(ctx, ch.ID) // with the handshake time
}

func duplicate() error {
	return helpdesk.Errorf(helpdesk.ECodeConflict, "a channel for this phone number already exists")
}

// newChannel validates the input and builds the channel with defaults, a
// random webhook id and verify token.
func (s *Service) newChannel(ctx context.Context, in NewChannel) (*helpdesk.Channel, error) {
	f := fields{}
	checkName(f, in.Name)
	checkGraphID(f, "waba_id", in.WABAID)
	checkGraphID(f, "phone_number_id", in.PhoneNumberID)
	checkNewSecret(f, "access_token", in.AccessToken)
	checkNewSecret(f, "app_secret", in.AppSecret)
	checkMessage(f, "welcome_message", in.WelcomeMessage)
	checkRate(f, in.RateLimit)
	if err := s.checkGroup(ctx, f, in.GroupID); err != nil {
		return nil, err
	}
	now := s.nowMs()
	ch := &helpdesk.Channel{
		Name:           in.Name,
		WABAID:         in.WABAID,
		PhoneNumberID:  in.PhoneNumberID,
		GroupID:        in.GroupID,
		Active:         true,
		WelcomeMessage: in.WelcomeMessage,
		// Reminders are on by default, as the schema says: the agent is
		// told before the 24-hour window closes. An empty message means
		// outbound's default text.
		Reminder:  helpdesk.Reminder{Enabled: true, AfterSeconds: defaultAfter},
		MarkRead:  true,
		RateLimit: defaultRate,
		Status:    helpdesk.ChannelActive,
		// 32 random bytes each: unguessable, URL-safe (base64url).
		WebhookID:   auth.RandomString(32),
		VerifyToken: auth.RandomString(32),
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	applyReminder(f, &ch.Reminder, in.Reminder)
	if in.MarkRead != nil {
		ch.MarkRead = *in.MarkRead
	}
	if in.TypingIndicator != nil {
		ch.TypingIndicator = *in.TypingIndicator
	}
	if in.RateLimit != nil {
		ch.RateLimit = *in.RateLimit
	}
	return ch, f.err()
}

// applyPhone copies what Graph says about the number onto the channel.
func applyPhone(ch *helpdesk.Channel, pn *whatsapp.PhoneNumber) {
	if pn.DisplayPhoneNumber != "" {
		ch.DisplayPhoneNumber = pn.DisplayPhoneNumber
	}
	if pn.VerifiedName != "" {
		ch.VerifiedName = pn.VerifiedName
	}
	ch.QualityRating = pn.QualityRating
	ch.MessagingLimit = pn.MessagingLimit()
	if pn.Throughput != nil {
		ch.ThroughputLevel = pn.Throughput.Level
	}
}
