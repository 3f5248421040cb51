package outbound

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"wadesk/internal/helpdesk"
	"wadesk/internal/whatsapp"
)

// TemplateSyncJob refreshes the templates of every active channel from
// Meta; it runs daily (SyncPeriodic) and can be enqueued by hand.
type TemplateSyncJob struct{}

// Kind implements river.JobArgs.
func (TemplateSyncJob) Kind() string { return "template_sync" }

// InsertOpts puts the sync on the bulk queue, at most once per hour.
func (TemplateSyncJob) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: helpdesk.QueueBulk, UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// SyncPeriodic schedules TemplateSyncJob daily (and once at start, so a
// fresh install has its templates without waiting a day).
func SyncPeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return TemplateSyncJob{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

// TemplateSyncWorker works TemplateSyncJob.
type TemplateSyncWorker struct {
	river.WorkerDefaults[TemplateSyncJob]
	d *Dispatcher
}

// Work syncs each active channel; one channel's failure does not stop the others.
func (w *TemplateSyncWorker) Work(ctx context.Context, job *river.Job[TemplateSyncJob]) error {
	chs, err := w.d.svc.Store().ListChannels(ctx)
	if err != nil {
		return err
	}
	for i := range chs {
		ch := &chs[i]
		if !ch.Active || ch.Status != helpdesk.ChannelActive {
			continue
		}
		if _, err := w.d.SyncTemplates(ctx, ch.ID); err != nil {
			w.d.log.Warn("outbound: template sync", "channel_id", ch.ID, "error", err)
		}
	}
	return nil
}

// SyncTemplates reads every page of the channel's WABA templates from
// GET /{waba_id}/message_templates and makes them the channel's stored
// templates. Meta's refusals are upstream_error (a refused token also
// puts the channel in error status).
func (d *Dispatcher) SyncTemplates(ctx context.Context, channelID int64) ([]helpdesk.Template, error) {
	ch, err := d.svc.Store().ChannelByID(ctx, channelID)
	if err != nil {
		return nil, err
	}
	c, err := d.client(ch)
	if err != nil {
		return nil, err
	}
	list, err := c.ListTemplates(ctx, ch.WABAID, nil)
	if err != nil {
		d.pauseOnAuth(ctx, ch.ID, err)
		var we *whatsapp.Error
		if errors.As(err, &we) {
			return nil, helpdesk.Errorf(helpdesk.ECodeUpstream, "WhatsApp refused the template list: %s (code %d)", we.Title, we.Code)
		}
		return nil, &helpdesk.Error{Code: helpdesk.ECodeUpstream, Message: "WhatsApp could not be reached to read the templates"}
	}
	ts := make([]helpdesk.Template, 0, len(list))
	for _, t := range list {
		comps, err := json.Marshal(t.Components)
		if err != nil {
			return nil, fmt.Errorf("outbound: template %s: %w", t.Name, err)
		}
		ht := helpdesk.Template{MetaID: t.ID, Name: t.Name, Language: t.Language, Status: t.Status,
			Category: t.Category, ParameterFormat: t.ParameterFormat, Components: comps}
		if ht.ParameterFormat == "" {
			ht.ParameterFormat = whatsapp.ParameterPositional
		}
		if t.QualityScore != nil {
			ht.Quality = t.QualityScore.Score
		}
		ts = append(ts, ht)
	}
	if err := d.svc.ReplaceTemplates(ctx, ch.ID, ts); err != nil {
		return nil, err
	}
	d.log.Info("outbound: templates synced", "channel_id", ch.ID, "templates", len(ts))
	return d.svc.Store().ListTemplates(ctx, ch.ID)
}
