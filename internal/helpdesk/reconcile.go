package helpdesk

import (
	"context"
	"sort"
	"strconv"
)

// A send whose outcome is unknown — wadesk stopped between Meta accepting
// the message and recording its wamid, or the connection broke after the
// request left — is shown as "delivery unknown" and never resent by itself
// (see outbound_send.go). Meta may still tell us what happened: every send
// carries the message id as biz_opaque_callback_data, echoed on its sent,
// delivered and read statuses. A status for a wamid we do not know whose
// callback data names such a message of the same channel and customer
// records the wamid and moves the message on, so the agent sees "delivered"
// instead of a question.

// callbackMessageID reads the message id wadesk put in
// biz_opaque_callback_data; 0 when it is not one.
func callbackMessageID(data string) int64 {
	if data == "" || len(data) > 19 {
		return 0
	}
	for _, c := range data {
		if c < '0' || c > '9' {
			return 0
		}
	}
	id, err := strconv.ParseInt(data, 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// callbackTarget returns the outbound message of channelID without a wamid
// that st's callback data names, sent to st's recipient; nil when there is
// none (another system's callback data, a message that has its wamid).
func callbackTarget(ctx context.Context, tx Tx, channelID int64, st InboundStatus) (*Message, error) {
	id := callbackMessageID(st.CallbackData)
	if id == 0 || st.RecipientWAID == "" {
		return nil, nil
	}
	m, err := tx.MessageByID(ctx, id)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if m.Direction != Out || m.ChannelID == nil || *m.ChannelID != channelID || m.WAMessageID != nil {
		return nil, nil
	}
	sc, err := tx.SendContextOf(ctx, m.ID)
	if err != nil || sc.WAID != st.RecipientWAID {
		return nil, err
	}
	return m, nil
}

// reconcile records wamid on the unknown message m and applies every status
// kept for it, in precedence order.
func (s *Service) reconcile(ctx context.Context, tx Tx, ev *Events, m *Message, wamid string, sts []InboundStatus) error {
	if err := tx.ReconcileUnknown(ctx, m.ID, wamid, s.Now()); err != nil {
		return err
	}
	if err := tx.TicketOutboundActivity(ctx, m.TicketID, s.Now(), true); err != nil {
		return err
	}
	parked, err := tx.TakePendingStatuses(ctx, *m.ChannelID, wamid)
	if err != nil {
		return err
	}
	for _, p := range parked {
		sts = append(sts, InboundStatus{WAMID: wamid, Status: p.Status, At: p.At, Error: p.Error})
	}
	ref, err := tx.MessageRefByWAMID(ctx, *m.ChannelID, wamid)
	if err != nil {
		return err
	}
	sort.SliceStable(sts, func(i, j int) bool { return rankForOrder(sts[i].Status) < rankForOrder(sts[j].Status) })
	for _, st := range sts {
		if _, err := s.applyStatusTo(ctx, tx, ev, ref, st); err != nil {
			return err
		}
	}
	ev.Add(Event{Type: EventMessageUpdated, TicketID: ref.TicketID, MessageID: ref.ID, GroupID: ref.GroupID})
	return nil
}

// ReconcileParked is called in the transaction that marked m unknown: the
// statuses that named m while its send was in flight (parked, since its
// wamid was not recorded) now reconcile it.
func (s *Service) ReconcileParked(ctx context.Context, tx Tx, ev *Events, m *Message) error {
	ps, err := tx.TakePendingStatusesOfMessage(ctx, m.ID)
	if err != nil || len(ps) == 0 {
		return err
	}
	wamid := ps[0].WAMID
	if err := tx.LockWAMID(ctx, *m.ChannelID, wamid); err != nil {
		return err
	}
	var sts []InboundStatus
	for _, p := range ps {
		if p.WAMID == wamid {
			sts = append(sts, InboundStatus{WAMID: wamid, Status: p.Status, At: p.At, Error: p.Error})
		}
	}
	return s.reconcile(ctx, tx, ev, m, wamid, sts)
}
