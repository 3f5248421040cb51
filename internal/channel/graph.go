package channel

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"wadesk/internal/helpdesk"
	"wadesk/internal/whatsapp"
)

// graphError turns a failed Graph call into what the admin sees: Meta's
// refusal is invalid_credentials with Meta's own message (it says what is
// wrong: an expired token, a missing permission, an id the token cannot
// see); a failure to get an answer is upstream_error.
func (s *Service) graphError(err error, token, what string) error {
	if we := refused(err); we != nil {
		msg := we.Message
		if msg == "" {
			msg = we.Error()
		}
		if token != "" {
			msg = strings.ReplaceAll(msg, token, "[redacted]") // never echo a secret
		}
		return helpdesk.Errorf(helpdesk.ECodeInvalidCredentials, "%s", msg)
	}
	s.log.Warn("channel: graph call failed", "what", what, "error", err)
	return helpdesk.Errorf(helpdesk.ECodeUpstream, "could not %s: the WhatsApp Cloud API did not answer; try again", what)
}

// refused returns Meta's answer when Graph answered and said no (as opposed
// to failing: 5xx, 429, no answer at all).
func refused(err error) *whatsapp.Error {
	var we *whatsapp.Error
	if errors.As(err, &we) && we.HTTPStatus < 500 && we.HTTPStatus != http.StatusTooManyRequests {
		return we
	}
	return nil
}

// errorInfo is a Graph failure as last_error keeps it.
func errorInfo(err error) (code int, message string) {
	var we *whatsapp.Error
	if errors.As(err, &we) {
		if we.Message != "" {
			return we.Code, we.Message
		}
		return we.Code, we.Error()
	}
	return 0, "the WhatsApp Cloud API could not be reached"
}

// subscribe subscribes the app to the channel's WABA with the channel's
// callback URL and verify token, using its stored token.
func (s *Service) subscribe(ctx context.Context, ch *helpdesk.Channel) error {
	tok, err := s.AccessToken(ch)
	if err != nil {
		return err
	}
	return s.subscribeWith(ctx, ch, tok)
}

func (s *Service) subscribeWith(ctx context.Context, ch *helpdesk.Channel, token string) error {
	return s.client(token).SubscribeApp(ctx, ch.WABAID, &whatsapp.CallbackOverride{
		URI: s.CallbackURL(ch), VerifyToken: ch.VerifyToken,
	})
}

// subscribeFailed records a failed subscription on the channel (status
// error, last_error) and returns the channel.
func (s *Service) subscribeFailed(ctx context.Context, id int64, cause error, token string) (*helpdesk.Channel, error) {
	code, msg := errorInfo(cause)
	msg = strings.ReplaceAll("subscribing to webhooks failed: "+msg, token, "[redacted]")
	s.log.Warn("channel: subscribe app failed", "channel_id", id, "error", cause)
	return s.modify(ctx, id, func(ch *helpdesk.Channel) error {
		ch.Status = helpdesk.ChannelError
		ch.LastError = &helpdesk.ChannelErrorInfo{Code: code, Message: msg, At: s.nowMs()}
		return nil
	})
}

// Lookup lists the phone numbers of a WABA for the setup wizard; nothing
// is stored.
func (s *Service) Lookup(ctx context.Context, accessToken, wabaID string) ([]whatsapp.PhoneNumber, error) {
	f := fields{}
	checkNewSecret(f, "access_token", accessToken)
	checkGraphID(f, "waba_id", wabaID)
	if err := f.err(); err != nil {
		return nil, err
	}
	nums, err := s.client(accessToken).ListPhoneNumbers(ctx, wabaID)
	if err != nil {
		return nil, s.graphError(err, accessToken, "list the phone numbers")
	}
	return nums, nil
}
