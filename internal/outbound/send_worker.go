package outbound

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"wadesk/internal/helpdesk"
	"wadesk/internal/whatsapp"
)

// SendWorker sends one queued message (helpdesk.SendMessageJob). See the
// package doc for the steps and the crash-safety policy.
type SendWorker struct {
	river.WorkerDefaults[helpdesk.SendMessageJob]
	d *Dispatcher
	// afterSend, when set (tests only), runs after the Cloud API answered
	// and before the answer is recorded; an error there stands for the
	// process dying at that moment.
	afterSend func(messageID int64) error
}

// maxInlinePairWait is the longest a worker sleeps for the pair limiter;
// longer waits snooze the job so the worker can send to other customers.
const maxInlinePairWait = time.Second

// Work sends the message or decides why not now.
func (w *SendWorker) Work(ctx context.Context, job *river.Job[helpdesk.SendMessageJob]) error {
	d := w.d
	id := job.Args.MessageID
	p, err := d.outbox.PrepareSend(ctx, id)
	if err == nil && p.Action == helpdesk.SendWait {
		// An older message of the ticket is usually milliseconds from being
		// accepted: wait for it here rather than snoozing, which costs a
		// fetch round trip per message of a ticket's burst.
		var turn bool
		if turn, err = d.awaitTurn(ctx, p.Message); turn {
			p, err = d.outbox.PrepareSend(ctx, id)
		}
	}
	if err != nil {
		return err
	}
	if p.Message != nil {
		// Whatever happens to this message, the next one of its ticket
		// may look again.
		defer d.turns.done(p.Message.TicketID)
	}
	switch p.Action {
	case helpdesk.SendDone:
		return nil
	case helpdesk.SendWait:
		return river.JobSnooze(d.o.FIFOWait)
	case helpdesk.SendPaused:
		return river.JobSnooze(d.o.PauseCheck)
	}
	if p.Interrupted {
		// BeginSend finds the open attempt and marks the message unknown.
		_, err := d.outbox.BeginSend(ctx, id)
		d.log.Warn("outbound: earlier send attempt was interrupted; delivery unknown", "message_id", id)
		d.metrics.sends.WithLabelValues(helpdesk.AttemptUnknown).Inc()
		return err
	}
	if wait, ok := d.limits.reservePair(p.Channel.ID, recipient(p.Customer), maxInlinePairWait); !ok {
		return river.JobSnooze(wait)
	} else if wait > 0 {
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
	client, err := d.client(p.Channel)
	if err != nil {
		return err
	}
	mediaIDs, err := w.upload(ctx, client, p)
	if err != nil || mediaIDs == nil {
		return err
	}
	out, err := buildMessage(p, mediaIDs)
	if err != nil {
		return d.outbox.RecordFailed(ctx, nil, id, reasonOf(err))
	}
	if err := d.limits.waitNumber(ctx, p.Channel.ID, p.Channel.RateLimit); err != nil {
		return err
	}
	a, err := d.steps.begin(ctx, id)
	if a == nil || err != nil {
		return err
	}
	start := time.Now()
	resp, sendErr := client.SendMessage(ctx, p.Channel.PhoneNumberID, out)
	d.metrics.sendSeconds.Observe(time.Since(start).Seconds())
	if w.afterSend != nil {
		if err := w.afterSend(id); err != nil {
			return err
		}
	}
	return w.record(ctx, p, a, resp, sendErr)
}

// record stores the outcome of one call; the returned error (a snooze for
// retries and pauses) tells River what to do with the job.
func (w *SendWorker) record(ctx context.Context, p *helpdesk.SendPlan, a *helpdesk.SendAttempt, resp *whatsapp.SendResponse, sendErr error) error {
	d := w.d
	id := p.Message.ID
	// The outcome must be recorded even if the job's context ends now: Meta
	// has answered, and losing the answer would make the message unknown.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	outcome := func(o string) { d.metrics.sends.WithLabelValues(o).Inc() }
	if sendErr == nil {
		if wamid := resp.MessageID(); wamid != "" {
			outcome(helpdesk.AttemptAccepted)
			return d.steps.accepted(ctx, p, a, wamid)
		}
		outcome(helpdesk.AttemptUnknown)
		return d.steps.unknown(ctx, a, &helpdesk.MessageError{Title: "delivery unknown",
			Message: "the Cloud API accepted the request but returned no message id"})
	}
	reason := reasonOf(sendErr)
	attempt := p.Message.Attempts + 1
	var we *whatsapp.Error
	if errors.As(sendErr, &we) && we.Code == whatsapp.CodeRateLimit {
		d.metrics.rateLimited.Inc()
	}
	switch {
	case whatsapp.IsAuthError(sendErr):
		outcome(helpdesk.AttemptPaused)
		d.log.Warn("outbound: channel credentials refused; sends paused", "channel_id", p.Channel.ID,
			"code", reason.Code, "error", sendErr)
		if err := d.steps.paused(ctx, a, p.Channel.ID, reason); err != nil {
			return err
		}
		return river.JobSnooze(d.o.PauseCheck)
	case whatsapp.IsWindowClosed(sendErr):
		outcome(helpdesk.AttemptFailed)
		return d.steps.failed(ctx, a, id, reason)
	case !neverSent(sendErr):
		outcome(helpdesk.AttemptUnknown)
		d.log.Warn("outbound: send outcome unknown", "message_id", id, "error", sendErr)
		reason.Title = "delivery unknown"
		reason.Message = "the connection to WhatsApp broke after the message was sent (" + sendErr.Error() +
			"); it may or may not have arrived. Check with the customer, then retry if needed."
		return d.steps.unknown(ctx, a, reason)
	case whatsapp.IsRetryable(sendErr) && attempt < d.o.MaxAttempts:
		outcome(helpdesk.AttemptRetry)
		if err := d.steps.retry(ctx, a, reason); err != nil {
			return err
		}
		wait := backoff(sendErr, attempt, d.o.RetryBase, d.o.RetryMax, jitter)
		d.log.Info("outbound: transient send failure, retrying", "message_id", id, "attempt", attempt,
			"code", reason.Code, "retry_in", wait.String())
		return river.JobSnooze(wait)
	case whatsapp.IsRetryable(sendErr):
		reason.Message = fmt.Sprintf("%s (gave up after %d attempts)", reason.Message, attempt)
	}
	outcome(helpdesk.AttemptFailed)
	return d.steps.failed(ctx, a, id, reason)
}

// upload makes sure every file of the message is uploaded to the Cloud API
// and returns attachment id → media id. A nil map with a nil error means
// the job was dealt with (the message failed, or the channel paused).
func (w *SendWorker) upload(ctx context.Context, c *whatsapp.Client, p *helpdesk.SendPlan) (map[int64]string, error) {
	d := w.d
	ids := map[int64]string{}
	for i := range p.Message.Attachments {
		a := &p.Message.Attachments[i]
		// Uploaded media ids last 30 days; older ones are uploaded again.
		if a.WAMediaID != "" && time.Since(a.UpdatedAt) < 25*24*time.Hour {
			ids[a.ID] = a.WAMediaID
			continue
		}
		rc, err := d.o.Blobs.Open(a.SHA256)
		if err != nil {
			d.log.Error("outbound: attachment bytes missing", "attachment_id", a.ID, "sha256", a.SHA256, "error", err)
			return nil, d.outbox.RecordFailed(ctx, nil, p.Message.ID, &helpdesk.MessageError{Title: "file missing",
				Message: "the file of this message is no longer in wadesk's storage"})
		}
		mediaID, err := c.UploadMedia(ctx, p.Channel.PhoneNumberID, whatsapp.MediaUpload{
			Filename: a.Filename, MIMEType: a.MIMEType, Body: rc, Size: a.Size})
		rc.Close()
		if err != nil {
			if d.pauseOnAuth(ctx, p.Channel.ID, err) {
				return nil, river.JobSnooze(d.o.PauseCheck)
			}
			if whatsapp.IsRetryable(err) || !neverSent(err) {
				return nil, fmt.Errorf("outbound: upload attachment %d: %w", a.ID, err)
			}
			return nil, d.outbox.RecordFailed(ctx, nil, p.Message.ID, reasonOf(err))
		}
		if err := d.outbox.SetMediaID(ctx, a, mediaID); err != nil {
			return nil, err
		}
		ids[a.ID] = mediaID
	}
	return ids, nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
