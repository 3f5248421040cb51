package channel

import (
	"fmt"
	"strings"

	"wadesk/internal/helpdesk"
	"wadesk/internal/whatsapp"
)

// masked reports whether a secret looks like what a UI shows instead of the
// real value ("••••••••", "sk_***", "abcd…wxyz"). Such a value is never
// saved over a real secret.
func masked(v string) bool {
	return strings.ContainsAny(v, "•●…") || strings.Contains(v, "***")
}

func (s *Service) seal(plain, ad string) (string, error) {
	enc, err := s.box.Seal(plain, ad)
	if err != nil {
		return "", fmt.Errorf("channel: seal secret: %w", err)
	}
	return enc, nil
}

// AccessToken opens the channel's access token, for calling the Graph API.
// Do not log or store the result.
func (s *Service) AccessToken(ch *helpdesk.Channel) (string, error) {
	tok, err := s.box.Open(ch.AccessTokenEnc, adAccessToken)
	if err != nil {
		return "", fmt.Errorf("channel %d: access token: %w", ch.ID, err)
	}
	return tok, nil
}

// AppSecret opens the channel's app secret, for checking webhook signatures.
func (s *Service) AppSecret(ch *helpdesk.Channel) (string, error) {
	sec, err := s.box.Open(ch.AppSecretEnc, adAppSecret)
	if err != nil {
		return "", fmt.Errorf("channel %d: app secret: %w", ch.ID, err)
	}
	return sec, nil
}

// Client returns a Cloud API client with the channel's access token
// (inbound media downloads and outbound sends use it).
func (s *Service) Client(ch *helpdesk.Channel) (*whatsapp.Client, error) {
	tok, err := s.AccessToken(ch)
	if err != nil {
		return nil, err
	}
	return s.client(tok), nil
}

func (s *Service) client(token string) *whatsapp.Client {
	o := s.graph
	o.AccessToken = token
	return whatsapp.NewClient(o)
}
