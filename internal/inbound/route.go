package inbound

import (
	"context"
	"crypto/subtle"
	"fmt"

	"wadesk/internal/helpdesk"
	"wadesk/internal/whatsapp"
)

// Associated data of sealed channel secrets (internal/secret).
const (
	adAccessToken = "channel:access_token"
	adAppSecret   = "channel:app_secret"
)

// router routes the changes of one batch: channels are read once per
// transaction, so a change to channels takes effect at the next batch.
type router struct {
	p       *Processor
	byID    map[int64]*helpdesk.Channel
	byPhone map[string]*helpdesk.Channel // active channels only
	sameApp map[[2]int64]bool            // memo of app-secret comparisons
}

func (p *Processor) newRouter(ctx context.Context, tx helpdesk.Tx) (*router, error) {
	cs, err := tx.ListChannels(ctx)
	if err != nil {
		return nil, err
	}
	rt := &router{p: p, byID: make(map[int64]*helpdesk.Channel, len(cs)),
		byPhone: make(map[string]*helpdesk.Channel, len(cs)), sameApp: map[[2]int64]bool{}}
	for i := range cs {
		c := &cs[i]
		rt.byID[c.ID] = c
		if c.Active {
			rt.byPhone[c.PhoneNumberID] = c
		}
	}
	return rt, nil
}

// route picks the channel of a change by its phone_number_id. A delivery
// received on channel A's URL may carry changes for channel B when both
// numbers belong to one Meta app (the app has one callback URL); it is
// accepted only when B's app secret equals A's — the signature A checked
// then vouches for B too. Otherwise the change is refused with the reason.
func (rt *router) route(recv *helpdesk.Channel, phoneNumberID string) (*helpdesk.Channel, string) {
	ch := rt.byPhone[phoneNumberID]
	switch {
	case ch == nil:
		return nil, fmt.Sprintf("no active channel has phone_number_id %q", phoneNumberID)
	case recv == nil, recv.ID == ch.ID:
		// Rows without a receiving channel come from trusted internal
		// callers (tests, replays); the webhook always sets it.
		return ch, ""
	}
	key := [2]int64{recv.ID, ch.ID}
	same, ok := rt.sameApp[key]
	if !ok {
		same = rt.p.sameSecret(recv, ch)
		rt.sameApp[key] = same
	}
	if !same {
		return nil, fmt.Sprintf("phone_number_id %q belongs to channel %d of another app than channel %d that received it",
			phoneNumberID, ch.ID, recv.ID)
	}
	return ch, ""
}

// sameSecret compares two channels' app secrets (sealed with random
// nonces, so only the plain texts can be compared).
func (p *Processor) sameSecret(a, b *helpdesk.Channel) bool {
	sa, err := p.secrets.Open(a.AppSecretEnc, adAppSecret)
	if err != nil {
		p.log.Error("inbound: cannot open app secret", "channel_id", a.ID, "error", err)
		return false
	}
	sb, err := p.secrets.Open(b.AppSecretEnc, adAppSecret)
	if err != nil {
		p.log.Error("inbound: cannot open app secret", "channel_id", b.ID, "error", err)
		return false
	}
	return subtle.ConstantTimeCompare([]byte(sa), []byte(sb)) == 1
}

// fieldTemplateQualityUpdate is the webhook field of template quality changes.
const fieldTemplateQualityUpdate = "message_template_quality_update"

// templateUpdate applies a template status or quality change to the
// stored templates of the entry's WABA. Only a delivery received by a
// channel of that WABA may change them.
// A refused or malformed update gives a note; err is a database failure.
func (p *Processor) templateUpdate(ctx context.Context, tx helpdesk.Tx, recv *helpdesk.Channel, e *whatsapp.Entry, c *whatsapp.Change) (note string, err error) {
	if recv != nil && recv.WABAID != e.ID {
		return fmt.Sprintf("template update for WABA %q received by channel %d of WABA %q", e.ID, recv.ID, recv.WABAID), nil
	}
	var name, lang, status, quality string
	if c.Field == whatsapp.FieldMessageTemplateStatusUpdate {
		u, err := c.TemplateStatusUpdate()
		if err != nil {
			return err.Error(), nil
		}
		name, lang, status = u.MessageTemplateName, u.MessageTemplateLanguage, u.Event
	} else {
		var u struct {
			Name     string `json:"message_template_name"`
			Language string `json:"message_template_language"`
			Score    string `json:"new_quality_score"`
		}
		if err := c.DecodeValue(&u); err != nil {
			return fmt.Sprintf("%s: %v", c.Field, err), nil
		}
		name, lang, quality = u.Name, u.Language, u.Score
	}
	n, err := tx.SetTemplateStatus(ctx, e.ID, name, lang, status, quality)
	if err != nil {
		return "", err
	}
	p.log.Info("inbound: template updated", "waba_id", e.ID, "template", name, "language", lang,
		"status", status, "quality", quality, "rows", n)
	return "", nil
}
