package helpdesk

import "context"

// applyReaction attaches a customer's reaction to its target message,
// replacing their earlier one; an empty emoji removes it. Reactions carry
// Meta's time, so a late redelivery of an older reaction does not undo a
// newer one. A reaction whose target is not stored here (a message from
// before wadesk, or on another channel) is dropped and counted: keeping it
// would wait forever, since inbound targets are always stored first and an
// outbound target's wamid is recorded long before the customer can react.
func (s *Service) applyReaction(ctx context.Context, tx Tx, ev *Events, b *InboundBatch, ch *Channel, m *InboundMessage) (InboundOutcome, error) {
	target, err := tx.MessageRefByWAMID(ctx, ch.ID, m.Reaction.TargetWAMID)
	if isNotFound(err) {
		return OutcomeReactionDropped, nil
	}
	if err != nil {
		return "", err
	}
	c, err := s.customer(ctx, tx, b, m.From, true)
	if err != nil {
		return "", err
	}
	current, err := tx.ReactionBy(ctx, target.ID, SenderCustomer, c.ID)
	switch {
	case isNotFound(err):
		current = nil
	case err != nil:
		return "", err
	}
	if current != nil && current.CreatedAt.After(m.At) {
		return OutcomeReaction, nil // a newer reaction already replaced this one
	}
	switch {
	case m.Reaction.Emoji == "" && current == nil:
		return OutcomeReaction, nil
	case m.Reaction.Emoji == "":
		err = tx.DeleteReaction(ctx, target.ID, SenderCustomer, c.ID)
	case current != nil && current.Emoji == m.Reaction.Emoji:
		return OutcomeReaction, nil // a redelivery
	default:
		err = tx.UpsertReaction(ctx, &Reaction{MessageID: target.ID, ByKind: SenderCustomer, ByID: c.ID,
			Emoji: m.Reaction.Emoji, WAMessageID: m.WAMID, CreatedAt: m.At})
	}
	if err != nil {
		return "", err
	}
	ev.Add(Event{Type: EventMessageUpdated, TicketID: target.TicketID, MessageID: target.ID, GroupID: target.GroupID})
	return OutcomeReaction, nil
}
