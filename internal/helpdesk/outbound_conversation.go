package helpdesk

import (
	"context"
	"regexp"
)

// Conversation is a business-initiated conversation: a template sent to a
// phone number, which may not have written to the business yet.
type Conversation struct {
	ChannelID int64
	To        string // +E.164
	Template  TemplateSend
	// HeaderFile is the template's media header uploaded with the request;
	// nil when the template needs none or names an attachment_id.
	HeaderFile *Upload
}

var e164RE = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// StartConversation sends a template to a phone number: the customer is
// found (or created) by the wa_id the number's digits make, their ticket
// on the channel that is not closed is reused, or a new one is opened in
// the channel's group, titled as an inbound ticket would be. Agents may
// start conversations only on channels routed to one of their groups.
func (o *Outbox) StartConversation(ctx context.Context, actor *User, c Conversation) (*Message, *Ticket, error) {
	var msg *Message
	var tk *Ticket
	_, err := o.StartConversationOnce(ctx, actor, c, Idempotency{Render: keep(&msg, &tk)})
	if err != nil {
		return nil, nil, err
	}
	return msg, tk, nil
}

// StartConversationOnce is StartConversation that answers with
// idem.Render's response and, with a key, starts the conversation at most
// once per key (idempotency.go; the key's scope has no ticket: 0).
func (o *Outbox) StartConversationOnce(ctx context.Context, actor *User, c Conversation, idem Idempotency) (Response, error) {
	f := map[string]string{}
	if !e164RE.MatchString(c.To) {
		f["to"] = "must be a phone number in E.164 form, e.g. +16505551234"
	}
	if c.Template.Name == "" || c.Template.Language == "" {
		f["template"] = "name and language are required"
	}
	if len(f) > 0 {
		return Response{}, Invalid("invalid conversation", f)
	}
	if up := c.HeaderFile; up != nil {
		if err := CheckUpload(up.MIMEType, up.Size, ""); err != nil {
			return Response{}, err
		}
	}
	// The upload's sha256 is part of the request, so a retry with the same
	// key and another file is told apart from a retry.
	request := struct {
		Kind         string
		Conversation Conversation
	}{"conversation", c}
	var resp Response
	err := o.s.Update(ctx, func(tx Tx, ev *Events) (err error) {
		resp, err = o.s.once(ctx, tx, actor, 0, idem, request, func() (*Message, *Ticket, error) {
			return o.startConversation(ctx, tx, ev, actor, c)
		})
		return err
	})
	return resp, err
}

// startConversation is StartConversation's transaction.
func (o *Outbox) startConversation(ctx context.Context, tx Tx, ev *Events, actor *User, c Conversation) (*Message, *Ticket, error) {
	ch, err := visibleChannel(ctx, tx, actor, c.ChannelID)
	if isNotFound(err) {
		return nil, nil, Invalid("unknown channel", map[string]string{"channel_id": "no such channel"})
	}
	if err != nil {
		return nil, nil, err
	}
	cust, _, err := o.s.FindOrCreateCustomer(ctx, tx, CustomerRef{WAID: c.To[1:]})
	if err != nil {
		return nil, nil, err
	}
	t, created, err := o.s.TicketForInbound(ctx, tx, ev, ch, cust, o.s.Now())
	if err != nil {
		return nil, nil, err
	}
	if created {
		// Inbound tickets start "new" for triage; this one an agent opened.
		t.State, t.UpdatedAt = StateOpen, o.s.Now()
		if err := tx.UpdateTicket(ctx, t); err != nil {
			return nil, nil, err
		}
	}
	senderID := actor.ID
	ts := c.Template
	m := &Message{SenderKind: SenderAgent, SenderID: &senderID}
	if err := o.queueOn(ctx, tx, ev, t, m, Reply{Template: &ts, File: c.HeaderFile}); err != nil {
		return nil, nil, err
	}
	// Read inside the transaction: after the commit a send worker may
	// already have moved the message on, and the answer is "queued".
	msg, err := tx.MessageByID(ctx, m.ID)
	if err != nil {
		return nil, nil, err
	}
	tk, err := tx.TicketByID(ctx, t.ID)
	return msg, tk, err
}
