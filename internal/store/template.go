package store

import (
	"context"
	"encoding/json"
	"fmt"

	"wadesk/internal/helpdesk"
)

const templateColumns = "id, channel_id, meta_id, name, language, status, category, parameter_format, quality, components, synced_at"

func scanTemplate(s scanner) (*helpdesk.Template, error) {
	var t helpdesk.Template
	var components string
	var synced int64
	if err := s.Scan(&t.ID, &t.ChannelID, &t.MetaID, &t.Name, &t.Language, &t.Status, &t.Category,
		&t.ParameterFormat, &t.Quality, &components, &synced); err != nil {
		return nil, err
	}
	t.Components, t.SyncedAt = json.RawMessage(components), fromMs(synced)
	return &t, nil
}

// ListTemplates returns the channel's templates by name and language.
func (r reads) ListTemplates(ctx context.Context, channelID int64) ([]helpdesk.Template, error) {
	ts, err := queryAll(ctx, r.q, scanTemplate,
		"SELECT "+templateColumns+" FROM templates WHERE channel_id = $1 ORDER BY name, language", channelID)
	if err != nil {
		return nil, fmt.Errorf("store: list templates: %w", err)
	}
	return ts, nil
}

// TemplateByName returns one template of the channel.
func (r reads) TemplateByName(ctx context.Context, channelID int64, name, language string) (*helpdesk.Template, error) {
	t, err := scanTemplate(r.q.QueryRowContext(ctx,
		"SELECT "+templateColumns+" FROM templates WHERE channel_id = $1 AND name = $2 AND language = $3",
		channelID, name, language))
	if err != nil {
		return nil, fmt.Errorf("store: template: %w", mapErr(err))
	}
	return t, nil
}

// ReplaceTemplates makes ts the channel's complete template list, as a
// sync from Meta does; the ids of the given templates are set.
func (t *Tx) ReplaceTemplates(ctx context.Context, channelID int64, ts []helpdesk.Template) error {
	if _, err := t.q.ExecContext(ctx, "DELETE FROM templates WHERE channel_id = $1", channelID); err != nil {
		return fmt.Errorf("store: replace templates: %w", err)
	}
	for i := range ts {
		tp := &ts[i]
		tp.ChannelID = channelID
		components := string(tp.Components)
		if components == "" {
			components = "[]"
		}
		format := tp.ParameterFormat
		if format == "" {
			format = "POSITIONAL"
		}
		err := t.q.QueryRowContext(ctx,
			`INSERT INTO templates (channel_id, meta_id, name, language, status, category, parameter_format, quality, components, synced_at)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			channelID, tp.MetaID, tp.Name, tp.Language, tp.Status, tp.Category, format, tp.Quality, components,
			toMs(tp.SyncedAt)).Scan(&tp.ID)
		if err != nil {
			return fmt.Errorf("store: replace templates: %w", mapErr(err))
		}
	}
	return nil
}
