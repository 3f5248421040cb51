package helpdesk

import (
	"context"
	"fmt"
)

// RetryAttachmentDownload starts a new download of an attachment whose
// download failed, for an agent who can see its ticket: the attachment is
// back to downloading and a MediaDownloadJob is enqueued in the same
// transaction. Only failed downloads can be retried (conflict otherwise).
func (s *Service) RetryAttachmentDownload(ctx context.Context, actor *User, id int64, enq Enqueuer) (*Attachment, error) {
	if _, err := s.Attachment(ctx, actor, id); err != nil {
		return nil, err
	}
	var a *Attachment
	err := s.Update(ctx, func(tx Tx, ev *Events) error {
		var err error
		if a, err = tx.AttachmentByID(ctx, id); err != nil {
			return err
		}
		if a.State != AttachmentFailed {
			return Errorf(ECodeConflict, "the attachment is %s, only a failed download can be retried", a.State)
		}
		if a.WAMediaID == "" {
			return Errorf(ECodeConflict, "the attachment has no WhatsApp media id to download")
		}
		a.State, a.Error, a.UpdatedAt = AttachmentDownloading, "", s.Now()
		if err := tx.UpdateAttachment(ctx, a); err != nil {
			return err
		}
		if err := enq.EnqueueTx(ctx, tx, MediaDownloadJob{AttachmentID: a.ID}); err != nil {
			return fmt.Errorf("helpdesk: enqueue media download: %w", err)
		}
		return s.attachmentChanged(ctx, tx, ev, a)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// SaveAttachment stores the outcome of a download (ready with the file's
// size, sha256 and type, or failed with the reason, or still downloading
// with the last error) and publishes message.updated.
func (s *Service) SaveAttachment(ctx context.Context, a *Attachment) error {
	return s.Update(ctx, func(tx Tx, ev *Events) error {
		a.UpdatedAt = s.Now()
		if err := tx.UpdateAttachment(ctx, a); err != nil {
			return err
		}
		return s.attachmentChanged(ctx, tx, ev, a)
	})
}

func (s *Service) attachmentChanged(ctx context.Context, tx Tx, ev *Events, a *Attachment) error {
	m, err := tx.MessageByID(ctx, a.MessageID)
	if err != nil {
		return err
	}
	t, err := tx.TicketByID(ctx, m.TicketID)
	if err != nil {
		return err
	}
	ev.Add(Event{Type: EventMessageUpdated, TicketID: t.ID, MessageID: m.ID, GroupID: t.GroupID})
	return nil
}
