package channel

import (
	"context"

	"wadesk/internal/helpdesk"
)

// Update applies a patch. A new access token is checked with Graph first
// (refused → invalid_credentials, nothing saved); when it is accepted and
// the channel was in status "error", the channel is active again and the
// OnReactivated functions run. If the webhook subscription had never
// succeeded, it is retried with the new token.
func (s *Service) Update(ctx context.Context, id int64, p Patch) (*helpdesk.Channel, error) {
	cur, err := s.st.ChannelByID(ctx, id)
	if err != nil {
		return nil, err
	}
	f := fields{}
	if p.Name != nil {
		checkName(f, *p.Name)
	}
	if p.WelcomeMessage != nil {
		checkMessage(f, "welcome_message", *p.WelcomeMessage)
	}
	checkRate(f, p.RateLimit)
	if p.GroupID.Set {
		if err := s.checkGroup(ctx, f, p.GroupID.ID); err != nil {
			return nil, err
		}
	}
	token := secretUpdate(f, "access_token", p.AccessToken)
	appSecret := secretUpdate(f, "app_secret", p.AppSecret)
	var probe helpdesk.Reminder
	applyReminder(f, &probe, p.Reminder) // validation only; applied below
	if err := f.err(); err != nil {
		return nil, err
	}

	var tokenEnc, secretEnc string
	health := *cur
	if token != "" {
		pn, err := s.client(token).GetPhoneNumber(ctx, cur.PhoneNumberID)
		if err != nil {
			return nil, s.graphError(err, token, "check the new access token")
		}
		applyPhone(&health, pn)
		if tokenEnc, err = s.seal(token, adAccessToken); err != nil {
			return nil, err
		}
	}
	if appSecret != "" {
		if secretEnc, err = s.seal(appSecret, adAppSecret); err != nil {
			return nil, err
		}
	}

	reactivated := false
	ch, err := s.modify(ctx, id, func(ch *helpdesk.Channel) error {
		applyPatch(ch, p)
		if tokenEnc != "" {
			ch.AccessTokenEnc = tokenEnc
			ch.DisplayPhoneNumber, ch.VerifiedName = health.DisplayPhoneNumber, health.VerifiedName
			ch.QualityRating, ch.MessagingLimit, ch.ThroughputLevel = health.QualityRating, health.MessagingLimit, health.ThroughputLevel
			if ch.Status == helpdesk.ChannelError {
				ch.Status, ch.LastError, reactivated = helpdesk.ChannelActive, nil, true
			}
		}
		if secretEnc != "" {
			ch.AppSecretEnc = secretEnc
		}
		setStatus(ch)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("channel: updated", "channel_id", id, "new_access_token", token != "", "new_app_secret", appSecret != "")
	if reactivated {
		if ch.WebhookVerifiedAt == nil {
			if err := s.subscribeWith(ctx, ch, token); err != nil {
				return s.subscribeFailed(ctx, id, err, token)
			}
			if ch, err = s.st.ChannelByID(ctx, id); err != nil {
				return nil, err
			}
		}
		s.fireReactivated(id)
	}
	return ch, nil
}

// applyPatch copies the plain fields of p onto ch.
func applyPatch(ch *helpdesk.Channel, p Patch) {
	if p.Name != nil {
		ch.Name = *p.Name
	}
	if p.GroupID.Set {
		ch.GroupID = p.GroupID.ID
	}
	if p.Active != nil {
		ch.Active = *p.Active
	}
	if p.WelcomeMessage != nil {
		ch.WelcomeMessage = *p.WelcomeMessage
	}
	applyReminder(fields{}, &ch.Reminder, p.Reminder)
	if p.MarkRead != nil {
		ch.MarkRead = *p.MarkRead
	}
	if p.TypingIndicator != nil {
		ch.TypingIndicator = *p.TypingIndicator
	}
	if p.RateLimit != nil {
		ch.RateLimit = *p.RateLimit
	}
}

// setStatus keeps status consistent with active: an inactive channel is
// "disabled"; enabling it again makes it "active" (a lingering problem will
// put it back to "error" at the next refused call).
func setStatus(ch *helpdesk.Channel) {
	switch {
	case !ch.Active:
		ch.Status = helpdesk.ChannelDisabled
	case ch.Status == helpdesk.ChannelDisabled:
		ch.Status = helpdesk.ChannelActive
	}
}

// Verify refreshes the number's health from Graph (display number, verified
// name, quality rating, messaging limit, throughput). If Graph refuses the
// stored token, the channel goes to status "error" and is returned (200:
// the health page shows why). If it accepts it and the channel was in
// "error", the channel is active again (re-subscribing its webhooks if they
// never were) and the OnReactivated functions run. An unreachable Graph is
// upstream_error.
func (s *Service) Verify(ctx context.Context, id int64) (*helpdesk.Channel, error) {
	cur, err := s.st.ChannelByID(ctx, id)
	if err != nil {
		return nil, err
	}
	token, err := s.AccessToken(cur)
	if err != nil {
		return nil, err
	}
	pn, gerr := s.client(token).GetPhoneNumber(ctx, cur.PhoneNumberID)
	if gerr != nil {
		if refused(gerr) == nil {
			return nil, s.graphError(gerr, token, "verify the channel")
		}
		code, msg := errorInfo(gerr)
		return s.modify(ctx, id, func(ch *helpdesk.Channel) error {
			ch.LastError = &helpdesk.ChannelErrorInfo{Code: code, Message: msg, At: s.nowMs()}
			if ch.Active {
				ch.Status = helpdesk.ChannelError
			}
			return nil
		})
	}
	if cur.Status == helpdesk.ChannelError && cur.WebhookVerifiedAt == nil {
		if err := s.subscribeWith(ctx, cur, token); err != nil {
			return s.subscribeFailed(ctx, id, err, token)
		}
	}
	reactivated := false
	ch, err := s.modify(ctx, id, func(ch *helpdesk.Channel) error {
		applyPhone(ch, pn)
		if ch.Status == helpdesk.ChannelError {
			ch.Status, ch.LastError, reactivated = helpdesk.ChannelActive, nil, true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if reactivated {
		s.fireReactivated(id)
	}
	return ch, nil
}
