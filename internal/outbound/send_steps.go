package outbound

import (
	"context"
	"fmt"

	"wadesk/internal/helpdesk"
)

// sendSteps are the Outbox's send steps (BeginSend, Record…) with their
// writes committed through the group commit: in one transaction with the
// steps of other send workers that are waiting at the same moment.
type sendSteps struct {
	o *helpdesk.Outbox
	g *groupCommit
}

// begin records the attempt; it has committed when begin returns. A nil
// attempt means: do not send (see helpdesk.Outbox.BeginSend).
func (s sendSteps) begin(ctx context.Context, messageID int64) (*helpdesk.SendAttempt, error) {
	var a *helpdesk.SendAttempt
	err := s.g.do(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) (err error) {
		a, err = s.o.BeginSendTx(ctx, tx, ev, messageID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("outbound: begin send %d: %w", messageID, err)
	}
	return a, nil
}

func (s sendSteps) accepted(ctx context.Context, p *helpdesk.SendPlan, a *helpdesk.SendAttempt, wamid string) error {
	return s.g.do(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
		return s.o.RecordAcceptedTx(ctx, tx, ev, p, a, wamid)
	})
}

func (s sendSteps) failed(ctx context.Context, a *helpdesk.SendAttempt, messageID int64, reason *helpdesk.MessageError) error {
	return s.g.do(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
		return s.o.RecordFailedTx(ctx, tx, ev, a, messageID, reason)
	})
}

func (s sendSteps) retry(ctx context.Context, a *helpdesk.SendAttempt, reason *helpdesk.MessageError) error {
	return s.g.do(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
		return s.o.RecordRetryTx(ctx, tx, ev, a, reason)
	})
}

func (s sendSteps) paused(ctx context.Context, a *helpdesk.SendAttempt, channelID int64, reason *helpdesk.MessageError) error {
	return s.g.do(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
		return s.o.RecordPausedTx(ctx, tx, ev, a, channelID, reason)
	})
}

func (s sendSteps) unknown(ctx context.Context, a *helpdesk.SendAttempt, reason *helpdesk.MessageError) error {
	return s.g.do(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
		return s.o.RecordUnknownTx(ctx, tx, ev, a, reason)
	})
}
