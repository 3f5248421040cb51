package helpdesk

import (
	"context"
	"time"
)

// ChannelReads are the extra read queries of channel setup and the webhook endpoint.
type ChannelReads interface {
	// ChannelsByWABA returns the live (not deleted) channels of a WhatsApp
	// Business Account, by id: several numbers may share one WABA.
	ChannelsByWABA(ctx context.Context, wabaID string) ([]Channel, error)
}

// ChannelWrites are the extra writes of channel setup and the webhook endpoint.
type ChannelWrites interface {
	// TouchChannelsWebhook sets last_webhook_at to at on the channels, never
	// moving it backwards. It does not change updated_at.
	TouchChannelsWebhook(ctx context.Context, channelIDs []int64, at time.Time) error
	// SetChannelWebhookVerified records a successful GET handshake.
	SetChannelWebhookVerified(ctx context.Context, channelID int64, at time.Time) error
}
