package store

import (
	"context"
	"fmt"

	"wadesk/internal/helpdesk"
)

const attachmentColumns = "id, message_id, filename, mime_type, size, sha256, voice, state, wa_media_id, error, created_at, updated_at"

func scanAttachment(s scanner) (*helpdesk.Attachment, error) {
	var a helpdesk.Attachment
	var created, updated int64
	if err := s.Scan(&a.ID, &a.MessageID, &a.Filename, &a.MIMEType, &a.Size, &a.SHA256, &a.Voice, &a.State,
		&a.WAMediaID, &a.Error, &created, &updated); err != nil {
		return nil, err
	}
	a.CreatedAt, a.UpdatedAt = fromMs(created), fromMs(updated)
	return &a, nil
}

// AttachmentByID returns one attachment.
func (r reads) AttachmentByID(ctx context.Context, id int64) (*helpdesk.Attachment, error) {
	a, err := scanAttachment(r.q.QueryRowContext(ctx, "SELECT "+attachmentColumns+" FROM attachments WHERE id = $1", id))
	if err != nil {
		return nil, fmt.Errorf("store: attachment: %w", mapErr(err))
	}
	return a, nil
}

// InsertAttachment inserts a and sets a.ID.
func (t *Tx) InsertAttachment(ctx context.Context, a *helpdesk.Attachment) error {
	err := t.q.QueryRowContext(ctx,
		`INSERT INTO attachments (message_id, filename, mime_type, size, sha256, voice, state, wa_media_id, error, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		a.MessageID, a.Filename, a.MIMEType, a.Size, a.SHA256, a.Voice, a.State, a.WAMediaID, a.Error,
		toMs(a.CreatedAt), toMs(a.UpdatedAt)).Scan(&a.ID)
	if err != nil {
		return fmt.Errorf("store: insert attachment: %w", mapErr(err))
	}
	return nil
}

// UpdateAttachment writes what a download changes: file name, type, size,
// sha256, state, error and updated_at.
func (t *Tx) UpdateAttachment(ctx context.Context, a *helpdesk.Attachment) error {
	return t.execOne(ctx, "update attachment",
		`UPDATE attachments SET filename = $1, mime_type = $2, size = $3, sha256 = $4, state = $5, error = $6, updated_at = $7
		 WHERE id = $8`,
		a.Filename, a.MIMEType, a.Size, a.SHA256, a.State, a.Error, toMs(a.UpdatedAt), a.ID)
}
