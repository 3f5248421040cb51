package outbound

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"wadesk/internal/helpdesk"
	"wadesk/internal/whatsapp"
)

// MarkReadWorker marks a customer's message read on WhatsApp.
type MarkReadWorker struct {
	river.WorkerDefaults[helpdesk.MarkReadJob]
	d *Dispatcher
}

// Work calls the Cloud API; see readCall for what happens on errors.
func (w *MarkReadWorker) Work(ctx context.Context, job *river.Job[helpdesk.MarkReadJob]) error {
	return w.d.readCall(ctx, job.Args.ChannelID, job.Args.WAMID, false)
}

// TypingWorker shows the typing indicator.
type TypingWorker struct {
	river.WorkerDefaults[helpdesk.TypingJob]
	d *Dispatcher
}

// typingStale is how old a typing job may be: the indicator shows 25 s,
// so a late one would flash after the agent stopped typing.
const typingStale = 15 * time.Second

// Work calls the Cloud API unless the job is stale.
func (w *TypingWorker) Work(ctx context.Context, job *river.Job[helpdesk.TypingJob]) error {
	if time.Since(job.CreatedAt) > typingStale {
		return nil
	}
	return w.d.readCall(ctx, job.Args.ChannelID, job.Args.WAMID, true)
}

// readCall marks wamid read (with the typing indicator if typing). Only
// transient errors are retried: a read receipt is a courtesy, and a broken
// token pauses the channel as a send would.
func (d *Dispatcher) readCall(ctx context.Context, channelID int64, wamid string, typing bool) error {
	ch, err := d.svc.Store().ChannelByID(ctx, channelID)
	if err != nil {
		return nil // the channel was deleted
	}
	if !ch.Active || ch.Status != helpdesk.ChannelActive {
		return nil
	}
	c, err := d.client(ch)
	if err != nil {
		return err
	}
	if err := d.limits.waitNumber(ctx, ch.ID, ch.RateLimit); err != nil {
		return err
	}
	if typing {
		err = c.SendTypingIndicator(ctx, ch.PhoneNumberID, wamid)
	} else {
		err = c.MarkRead(ctx, ch.PhoneNumberID, wamid)
	}
	switch {
	case err == nil:
		return nil
	case d.pauseOnAuth(ctx, ch.ID, err):
		return nil
	case whatsapp.IsRetryable(err) && !typing:
		return err
	}
	d.log.Info("outbound: mark read refused", "channel_id", ch.ID, "typing", typing, "error", err)
	return nil
}
