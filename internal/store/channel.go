package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"wadesk/internal/helpdesk"
)

// Secrets (access_token_enc, app_secret_enc) are stored as the domain hands
// them over: already sealed by internal/secret. The store never sees plain text.

const channelColumns = `id, name, waba_id, phone_number_id, display_phone_number, verified_name, webhook_id,
	verify_token, access_token_enc, app_secret_enc, group_id, active, welcome_message,
	reminder_enabled, reminder_after_seconds, reminder_message, reminder_skip_answered,
	mark_read, typing_indicator, rate_limit, status, last_error_code, last_error_message, last_error_at,
	webhook_verified_at, last_webhook_at, quality_rating, messaging_limit, throughput_level, created_at, updated_at`

func scanChannel(s scanner) (*helpdesk.Channel, error) {
	var c helpdesk.Channel
	var group, errCode, errAt, verified, lastWebhook sql.NullInt64
	var errMessage sql.NullString
	var created, updated int64
	if err := s.Scan(&c.ID, &c.Name, &c.WABAID, &c.PhoneNumberID, &c.DisplayPhoneNumber, &c.VerifiedName, &c.WebhookID,
		&c.VerifyToken, &c.AccessTokenEnc, &c.AppSecretEnc, &group, &c.Active, &c.WelcomeMessage,
		&c.Reminder.Enabled, &c.Reminder.AfterSeconds, &c.Reminder.Message, &c.Reminder.SkipAnswered,
		&c.MarkRead, &c.TypingIndicator, &c.RateLimit, &c.Status, &errCode, &errMessage, &errAt,
		&verified, &lastWebhook, &c.QualityRating, &c.MessagingLimit, &c.ThroughputLevel, &created, &updated); err != nil {
		return nil, err
	}
	c.GroupID = idPtr(group)
	if errCode.Valid || errMessage.Valid {
		c.LastError = &helpdesk.ChannelErrorInfo{Code: int(errCode.Int64), Message: errMessage.String, At: fromMs(errAt.Int64)}
	}
	c.WebhookVerifiedAt, c.LastWebhookAt = timePtr(verified), timePtr(lastWebhook)
	c.CreatedAt, c.UpdatedAt = fromMs(created), fromMs(updated)
	return &c, nil
}

func (r reads) channelWhere(ctx context.Context, where string, arg any) (*helpdesk.Channel, error) {
	c, err := scanChannel(r.q.QueryRowContext(ctx,
		"SELECT "+channelColumns+" FROM channels WHERE deleted_at IS NULL AND "+where, arg))
	if err != nil {
		return nil, fmt.Errorf("store: channel: %w", mapErr(err))
	}
	return c, nil
}

// ChannelByID returns a channel that is not deleted.
func (r reads) ChannelByID(ctx context.Context, id int64) (*helpdesk.Channel, error) {
	return r.channelWhere(ctx, "id = $1", id)
}

// ChannelByWebhookID finds the channel a webhook delivery is for.
func (r reads) ChannelByWebhookID(ctx context.Context, webhookID string) (*helpdesk.Channel, error) {
	return r.channelWhere(ctx, "webhook_id = $1", webhookID)
}

// ChannelByPhoneNumberID finds the channel of a Cloud API phone number id.
func (r reads) ChannelByPhoneNumberID(ctx context.Context, phoneNumberID string) (*helpdesk.Channel, error) {
	return r.channelWhere(ctx, "phone_number_id = $1", phoneNumberID)
}

// ListChannels returns every channel that is not deleted, by id.
func (r reads) ListChannels(ctx context.Context) ([]helpdesk.Channel, error) {
	cs, err := queryAll(ctx, r.q, scanChannel,
		"SELECT "+channelColumns+" FROM channels WHERE deleted_at IS NULL ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("store: list channels: %w", err)
	}
	return cs, nil
}

// channelArgs are the values of every column but id, in channelColumns order.
func channelArgs(c *helpdesk.Channel) []any {
	var errCode, errMessage, errAt any
	if c.LastError != nil {
		errCode, errMessage, errAt = c.LastError.Code, c.LastError.Message, toMs(c.LastError.At)
	}
	return []any{c.Name, c.WABAID, c.PhoneNumberID, c.DisplayPhoneNumber, c.VerifiedName, c.WebhookID,
		c.VerifyToken, c.AccessTokenEnc, c.AppSecretEnc, nullID(c.GroupID), c.Active, c.WelcomeMessage,
		c.Reminder.Enabled, c.Reminder.AfterSeconds, c.Reminder.Message, c.Reminder.SkipAnswered,
		c.MarkRead, c.TypingIndicator, c.RateLimit, c.Status, errCode, errMessage, errAt,
		nullMs(c.WebhookVerifiedAt), nullMs(c.LastWebhookAt), c.QualityRating, c.MessagingLimit, c.ThroughputLevel,
		toMs(c.CreatedAt), toMs(c.UpdatedAt)}
}

// CreateChannel inserts c and sets c.ID. A phone number id already used by
// a live channel, or a taken webhook id, is helpdesk.ErrConflict.
func (t *Tx) CreateChannel(ctx context.Context, c *helpdesk.Channel) error {
	err := t.q.QueryRowContext(ctx,
		`INSERT INTO channels (name, waba_id, phone_number_id, display_phone_number, verified_name, webhook_id,
			verify_token, access_token_enc, app_secret_enc, group_id, active, welcome_message,
			reminder_enabled, reminder_after_seconds, reminder_message, reminder_skip_answered,
			mark_read, typing_indicator, rate_limit, status, last_error_code, last_error_message, last_error_at,
			webhook_verified_at, last_webhook_at, quality_rating, messaging_limit, throughput_level, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
			$21, $22, $23, $24, $25, $26, $27, $28, $29, $30)
		 RETURNING id`, channelArgs(c)...).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("store: create channel: %w", mapErr(err))
	}
	return nil
}

// UpdateChannel writes every column of c but id and created_at.
func (t *Tx) UpdateChannel(ctx context.Context, c *helpdesk.Channel) error {
	a := channelArgs(c)
	a = append(a[:len(a)-2], a[len(a)-1], c.ID) // drop created_at
	return t.execOne(ctx, "update channel",
		`UPDATE channels SET name = $1, waba_id = $2, phone_number_id = $3, display_phone_number = $4,
			verified_name = $5, webhook_id = $6, verify_token = $7, access_token_enc = $8, app_secret_enc = $9,
			group_id = $10, active = $11, welcome_message = $12, reminder_enabled = $13, reminder_after_seconds = $14,
			reminder_message = $15, reminder_skip_answered = $16, mark_read = $17, typing_indicator = $18,
			rate_limit = $19, status = $20, last_error_code = $21, last_error_message = $22, last_error_at = $23,
			webhook_verified_at = $24, last_webhook_at = $25, quality_rating = $26, messaging_limit = $27,
			throughput_level = $28, updated_at = $29
		 WHERE id = $30 AND deleted_at IS NULL`, a...)
}

// DeleteChannel hides the channel. The row stays because tickets and
// messages refer to it; its phone number id becomes free for a new channel.
func (t *Tx) DeleteChannel(ctx context.Context, id int64, at time.Time) error {
	return t.execOne(ctx, "delete channel",
		"UPDATE channels SET deleted_at = $1, active = FALSE, updated_at = $1 WHERE id = $2 AND deleted_at IS NULL", toMs(at), id)
}
