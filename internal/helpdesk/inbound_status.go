package helpdesk

import (
	"context"
	"sort"
)

// statusRank orders the statuses a sent message moves through. Webhooks
// arrive out of order (a read may beat its delivered), so a status is
// applied only when it moves the message forward.
var statusRank = map[MessageStatus]int{
	StatusQueued: 0, StatusUnknown: 0, StatusAccepted: 1,
	StatusSent: 2, StatusDelivered: 3, StatusRead: 4, StatusPlayed: 5,
}

// StatusAdvances reports whether a message in status cur should take next:
// sent < delivered < read < played, never backwards; failed is terminal,
// except that a later delivered, read or played proves the message arrived
// after all (multi-device edge cases); failed itself only replaces a status
// before delivered.
func StatusAdvances(cur, next MessageStatus) bool {
	if cur == next {
		return false
	}
	if next == StatusFailed {
		return statusRank[cur] < statusRank[StatusDelivered] && cur != StatusFailed
	}
	nr, ok := statusRank[next]
	if !ok || nr < statusRank[StatusSent] {
		return false // only webhook statuses are applied here
	}
	if cur == StatusFailed {
		return nr >= statusRank[StatusDelivered]
	}
	cr, ok := statusRank[cur]
	return ok && nr > cr
}

// ApplyStatus applies a status webhook to the outbound message with that
// wamid on ch. When the message is not stored yet — the webhook can beat
// the send's wamid to the database — the status is kept in pending_statuses
// and applied by ApplyPendingStatuses once the wamid is recorded. A status
// whose callback data names a message that ended "delivery unknown"
// reconciles it (reconcile.go).
func (s *Service) ApplyStatus(ctx context.Context, tx Tx, ev *Events, channelID int64, st InboundStatus) (InboundOutcome, error) {
	if err := tx.LockWAMID(ctx, channelID, st.WAMID); err != nil {
		return "", err
	}
	ref, err := tx.MessageRefByWAMID(ctx, channelID, st.WAMID)
	if isNotFound(err) {
		p := &PendingStatus{ChannelID: channelID, WAMID: st.WAMID, Status: st.Status, Error: st.Error, At: st.At}
		target, err := callbackTarget(ctx, tx, channelID, st)
		if err != nil {
			return "", err
		}
		if target != nil && target.Status == StatusUnknown {
			if err := s.reconcile(ctx, tx, ev, target, st.WAMID, []InboundStatus{st}); err != nil {
				return "", err
			}
			return OutcomeStatusReconciled, nil
		}
		if target != nil {
			// Still being sent: parked, and reconciled if the send ends unknown.
			p.MessageID = &target.ID
		}
		if err := tx.AddPendingStatus(ctx, p); err != nil {
			return "", err
		}
		return OutcomeStatusPending, nil
	}
	if err != nil {
		return "", err
	}
	return s.applyStatusTo(ctx, tx, ev, ref, st)
}

func (s *Service) applyStatusTo(ctx context.Context, tx Tx, ev *Events, ref *MessageRef, st InboundStatus) (InboundOutcome, error) {
	if ref.Direction != Out || ref.Status == StatusNote {
		return OutcomeStatusNotOutward, nil
	}
	if !StatusAdvances(ref.Status, st.Status) {
		return OutcomeStatusStale, nil
	}
	var e *MessageError
	if st.Status == StatusFailed {
		e = st.Error
		if e == nil {
			e = &MessageError{Title: "Failed", Message: "WhatsApp reported the message as failed without a reason"}
		}
	}
	if err := tx.SetMessageStatus(ctx, ref.ID, st.Status, e, s.Now()); err != nil {
		return "", err
	}
	ref.Status = st.Status
	ev.Add(Event{Type: EventMessageUpdated, TicketID: ref.TicketID, MessageID: ref.ID, GroupID: ref.GroupID})
	return OutcomeStatusApplied, nil
}

// ApplyPendingStatuses applies the status webhooks that arrived for wamid
// before its send was recorded. The outbound worker calls it in the same
// transaction right after storing the wamid of a sent message, so a fast
// "delivered" or "failed" is never lost; statuses are applied in
// precedence order, so the message ends in the most advanced one.
func (s *Service) ApplyPendingStatuses(ctx context.Context, tx Tx, ev *Events, channelID int64, wamid string) error {
	// Taken after the wamid was written in this transaction and held until
	// it commits: a concurrent ApplyStatus either parked its status before
	// (and TakePendingStatuses sees it) or waits and then sees the wamid.
	if err := tx.LockWAMID(ctx, channelID, wamid); err != nil {
		return err
	}
	ps, err := tx.TakePendingStatuses(ctx, channelID, wamid)
	if err != nil || len(ps) == 0 {
		return err
	}
	ref, err := tx.MessageRefByWAMID(ctx, channelID, wamid)
	if err != nil {
		return err
	}
	sort.SliceStable(ps, func(i, j int) bool {
		return rankForOrder(ps[i].Status) < rankForOrder(ps[j].Status)
	})
	for _, p := range ps {
		if _, err := s.applyStatusTo(ctx, tx, ev, ref, InboundStatus{WAMID: wamid, Status: p.Status, At: p.At, Error: p.Error}); err != nil {
			return err
		}
	}
	return nil
}

// rankForOrder puts failed between sent and delivered, where it can apply.
func rankForOrder(st MessageStatus) int {
	if st == StatusFailed {
		return 2*statusRank[StatusSent] + 1
	}
	return 2 * statusRank[st]
}
