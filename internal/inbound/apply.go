package inbound

import (
	"context"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"wadesk/internal/helpdesk"
	"wadesk/internal/whatsapp"
)

// work is one message or status of a delivery, routed to its channel.
type work struct {
	item   *helpdesk.InboxItem
	ch     *helpdesk.Channel
	msg    *helpdesk.InboundMessage
	status *helpdesk.InboundStatus
}

// delivery is what one inbox row turned into.
type delivery struct {
	item  *helpdesk.InboxItem
	state string   // done, ignored or failed
	notes []string // what was not turned into tickets, and why
}

// apply processes claimed deliveries inside tx: every entry, change,
// message and status of each. Messages of the whole batch are applied in
// Meta-timestamp order (stable, so a delivery's own order breaks ties),
// then statuses, so a status for a message sent in the same batch finds it.
// Each row is finished in the same transaction, which makes a crash at any
// point harmless: either everything of the batch is stored, or nothing and
// the rows are still pending.
func (p *Processor) apply(ctx context.Context, tx helpdesk.Tx, ev *helpdesk.Events, items []helpdesk.InboxItem, r *result) (err error) {
	defer func() {
		if v := recover(); v != nil {
			// A bug in processing one delivery must not kill the worker; the
			// batch is redone one by one and the culprit parked.
			err = fmt.Errorf("inbound: panic: %v\n%s", v, debug.Stack())
		}
	}()
	if len(items) == 0 {
		return nil
	}
	rt, err := p.newRouter(ctx, tx)
	if err != nil {
		return err
	}
	var works []work
	deliveries := make([]*delivery, len(items))
	for i := range items {
		d := &delivery{item: &items[i], state: helpdesk.InboxDone}
		deliveries[i] = d
		w, err := p.split(ctx, tx, rt, d, r)
		if err != nil {
			return err
		}
		works = append(works, w...)
	}
	sort.SliceStable(works, func(i, j int) bool {
		a, b := works[i], works[j]
		if (a.msg == nil) != (b.msg == nil) {
			return a.msg != nil // messages first
		}
		return a.msg != nil && a.msg.At.Before(b.msg.At)
	})
	batch := p.svc.NewInboundBatch(p.jobs)
	refs := make([]helpdesk.CustomerRef, 0, len(works))
	for _, w := range works {
		if w.msg != nil {
			refs = append(refs, w.msg.From)
		}
	}
	if err := p.svc.Prefetch(ctx, tx, batch, refs); err != nil {
		return err
	}
	for _, w := range works {
		var out helpdesk.InboundOutcome
		if w.msg != nil {
			out, err = p.svc.ApplyInbound(ctx, tx, ev, batch, w.ch, w.msg)
			if out == helpdesk.OutcomeCreated {
				r.messages[w.msg.Type]++
			}
		} else {
			out, err = p.svc.ApplyStatus(ctx, tx, ev, w.ch.ID, *w.status)
			r.statuses[string(w.status.Status)]++
		}
		if err != nil {
			return fmt.Errorf("inbound: delivery %d: %w", w.item.ID, err)
		}
		r.outcomes[string(out)]++
	}
	if err := p.svc.Flush(ctx, tx, ev, batch); err != nil {
		return err
	}
	return p.finish(ctx, tx, deliveries, r)
}

// split parses a delivery and routes each of its changes.
func (p *Processor) split(ctx context.Context, tx helpdesk.Tx, rt *router, d *delivery, r *result) ([]work, error) {
	n, err := whatsapp.ParseNotification(d.item.Body)
	if err != nil {
		d.state = helpdesk.InboxFailed
		d.notes = append(d.notes, "malformed delivery: "+err.Error())
		return nil, nil
	}
	if n.Object != "" && n.Object != whatsapp.ObjectWhatsAppBusinessAccount {
		d.state = helpdesk.InboxIgnored
		d.notes = append(d.notes, "object "+n.Object+" is not whatsapp_business_account")
		return nil, nil
	}
	recv := rt.byID[idOf(d.item.ChannelID)]
	var works []work
	routed := 0
	for e, c := range n.Changes() {
		switch c.Field {
		case whatsapp.FieldMessages:
			if c.Value == nil {
				continue
			}
			ch, why := rt.route(recv, c.Value.Metadata.PhoneNumberID)
			if ch == nil {
				r.unrouted++
				d.notes = append(d.notes, why)
				p.log.Warn("inbound: change not routed", "inbox_id", d.item.ID, "phone_number_id", c.Value.Metadata.PhoneNumberID, "reason", why)
				continue
			}
			routed++
			works = append(works, p.valueWork(d, ch, c.Value, r)...)
		case whatsapp.FieldMessageTemplateStatusUpdate, fieldTemplateQualityUpdate:
			note, err := p.templateUpdate(ctx, tx, recv, e, c)
			if err != nil {
				return nil, err
			}
			if note != "" {
				d.notes = append(d.notes, note)
			} else {
				routed++
			}
		default:
			r.otherFields[c.Field]++
			routed++ // acknowledged: fields wadesk does not act on are not errors
		}
	}
	if routed == 0 && len(d.notes) > 0 {
		d.state = helpdesk.InboxIgnored
	}
	return works, nil
}

// valueWork turns a "messages" value into work: every message, every status.
func (p *Processor) valueWork(d *delivery, ch *helpdesk.Channel, v *whatsapp.Value, r *result) []work {
	var works []work
	for i := range v.Messages {
		m := &v.Messages[i]
		if m.Type == whatsapp.TypeRequestWelcome || m.GroupID != "" {
			r.outcomes["skipped_"+skipReason(m)]++ // no content to show; group chats are not supported
			continue
		}
		in := whatsapp.Inbound{Metadata: v.Metadata, Message: m, Contact: findContact(v, m)}
		works = append(works, work{item: d.item, ch: ch, msg: Translate(in, d.item.ReceivedAt)})
	}
	for i := range v.Statuses {
		st := translateStatus(&v.Statuses[i], d.item.ReceivedAt)
		if st == nil {
			r.outcomes["status_unknown"]++
			continue
		}
		works = append(works, work{item: d.item, ch: ch, status: st})
	}
	for _, e := range v.Errors {
		// Value-level errors (§2.18) concern the number, not a message: log them.
		p.log.Warn("inbound: WhatsApp reported an error for the number", "channel_id", ch.ID,
			"code", e.Code, "title", e.Title, "details", e.Details())
		r.outcomes["value_error"]++
	}
	return works
}

func skipReason(m *whatsapp.Message) string {
	if m.GroupID != "" {
		return "group"
	}
	return string(m.Type)
}

// findContact matches the sender to the value's contacts (by BSUID, then
// wa_id; a lone contact when the message names nobody).
func findContact(v *whatsapp.Value, m *whatsapp.Message) *whatsapp.Contact {
	for i := range v.Contacts {
		c := &v.Contacts[i]
		if m.FromUserID != "" && (c.UserID == m.FromUserID || c.ParentUserID == m.FromUserID) {
			return c
		}
	}
	for i := range v.Contacts {
		if c := &v.Contacts[i]; m.From != "" && c.WaID == m.From {
			return c
		}
	}
	if m.From == "" && m.FromUserID == "" && len(v.Contacts) == 1 {
		return &v.Contacts[0]
	}
	return nil
}

// translateStatus maps a status webhook; unknown statuses give nil.
func translateStatus(s *whatsapp.Status, received time.Time) *helpdesk.InboundStatus {
	st := helpdesk.MessageStatus(s.Status)
	switch st {
	case helpdesk.StatusSent, helpdesk.StatusDelivered, helpdesk.StatusRead, helpdesk.StatusPlayed, helpdesk.StatusFailed:
	default:
		return nil
	}
	out := &helpdesk.InboundStatus{WAMID: s.ID, Status: st, At: s.Timestamp.Time(),
		CallbackData: s.BizOpaqueCallbackData, RecipientWAID: s.RecipientID}
	if out.At.IsZero() {
		out.At = received
	}
	if e := s.Error(); e != nil {
		out.Error = &helpdesk.MessageError{Code: e.Code, Title: e.Title, Message: first(e.Details, e.Message)}
	}
	return out
}

// finish marks every delivery of the batch, grouping rows with the same
// outcome into one statement.
func (p *Processor) finish(ctx context.Context, tx helpdesk.Tx, ds []*delivery, r *result) error {
	now := p.svc.Now()
	var plain []int64
	for _, d := range ds {
		r.received = append(r.received, d.item.ReceivedAt)
		r.finished[d.state]++
		if d.state == helpdesk.InboxDone && len(d.notes) == 0 {
			plain = append(plain, d.item.ID)
			continue
		}
		if d.state == helpdesk.InboxFailed {
			p.log.Error("inbound: delivery parked as failed", "inbox_id", d.item.ID, "reason", strings.Join(d.notes, "; "))
		}
		note := truncate(strings.Join(d.notes, "; "), 2000)
		if err := tx.FinishInbox(ctx, []int64{d.item.ID}, d.state, note, now); err != nil {
			return err
		}
	}
	return tx.FinishInbox(ctx, plain, helpdesk.InboxDone, "", now)
}

func idOf(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
