package outbound

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"wadesk/internal/helpdesk"
)

// The automatic messages only queue a message (with its SendMessageJob);
// the send worker sends it like an agent's reply.

// WelcomeWorker queues the channel's welcome message on a new ticket.
type WelcomeWorker struct {
	river.WorkerDefaults[helpdesk.WelcomeJob]
	d *Dispatcher
}

// Work queues the welcome text, once per ticket.
func (w *WelcomeWorker) Work(ctx context.Context, job *river.Job[helpdesk.WelcomeJob]) error {
	_, err := w.d.outbox.QueueWelcome(ctx, job.Args.TicketID)
	return err
}

// ReminderWorker queues the reminder before the window closes.
type ReminderWorker struct {
	river.WorkerDefaults[helpdesk.ReminderJob]
	d *Dispatcher
}

// Work queues the reminder unless it no longer applies (see
// helpdesk.Outbox.QueueReminder).
func (w *ReminderWorker) Work(ctx context.Context, job *river.Job[helpdesk.ReminderJob]) error {
	queued, why, retryAt, err := w.d.outbox.QueueReminder(ctx, job.Args)
	if err != nil {
		return err
	}
	if !retryAt.IsZero() {
		// The customer wrote again: the same job runs at the new due time.
		return river.JobSnooze(max(time.Until(retryAt), time.Second))
	}
	if !queued {
		w.d.log.Debug("outbound: reminder skipped", "ticket_id", job.Args.TicketID, "reason", why)
	}
	return nil
}

// ApologyWorker answers an unsupported inbound message with an apology.
type ApologyWorker struct {
	river.WorkerDefaults[helpdesk.ApologyJob]
	d *Dispatcher
}

// Work queues the apology, once per unsupported message.
func (w *ApologyWorker) Work(ctx context.Context, job *river.Job[helpdesk.ApologyJob]) error {
	_, err := w.d.outbox.QueueApology(ctx, job.Args.TicketID, job.Args.MessageID)
	return err
}
