package inbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"wadesk/internal/helpdesk"
	"wadesk/internal/whatsapp"
)

// BlobPutter stores bytes by content (internal/blob.Dir).
type BlobPutter interface {
	Put(ctx context.Context, r io.Reader) (sha string, size int64, err error)
}

// MediaMaxAttempts bounds the downloads of one attachment: after the last
// failed attempt the attachment is marked failed (an agent can retry it
// through the API). With MediaBackoff that spans about 20 minutes.
const MediaMaxAttempts = 8

// MediaBackoff is the pause before retry n (1-based): 10 s doubling, at most 10 min.
func MediaBackoff(attempt int) time.Duration {
	d := 10 * time.Second
	for i := 1; i < attempt && d < 10*time.Minute; i++ {
		d *= 2
	}
	return min(d, 10*time.Minute)
}

// mediaLimits are the Cloud API's size caps per type (reference §5.5),
// so a hostile or broken URL cannot fill the disk.
var mediaLimits = map[string]int64{
	"image":    5 << 20,
	"video":    16 << 20,
	"audio":    16 << 20,
	"document": 100 << 20,
	"sticker":  500 << 10,
}

// MediaWorker downloads inbound media (helpdesk.MediaDownloadJob, bulk
// queue): media info, then the file with the channel's bearer token,
// streamed into the blob store under a size cap, its sha256 checked
// against the webhook's and the media info's.
type MediaWorker struct {
	river.WorkerDefaults[helpdesk.MediaDownloadJob]
	Service *helpdesk.Service
	Secrets Opener
	Blobs   BlobPutter
	Graph   whatsapp.Options // base URL, version and HTTP client; the token is set per channel
	Logger  *slog.Logger
}

// NextRetry spaces the attempts by MediaBackoff.
func (w *MediaWorker) NextRetry(job *river.Job[helpdesk.MediaDownloadJob]) time.Time {
	return time.Now().Add(MediaBackoff(job.Attempt))
}

// Timeout lets a 100 MB document arrive on a slow link.
func (w *MediaWorker) Timeout(*river.Job[helpdesk.MediaDownloadJob]) time.Duration {
	return 6 * time.Minute
}

// Work downloads one attachment. Errors that another try can fix (network,
// 5xx, throttling, a corrupted transfer) are returned for River to retry;
// errors no retry fixes (unknown media, a refused token, a file over the
// cap) and the last attempt mark the attachment failed with the reason.
func (w *MediaWorker) Work(ctx context.Context, job *river.Job[helpdesk.MediaDownloadJob]) error {
	st := w.Service.Store()
	a, err := st.AttachmentByID(ctx, job.Args.AttachmentID)
	if errors.Is(err, helpdesk.ErrNotFound) {
		return nil // the message was deleted meanwhile
	}
	if err != nil {
		return err
	}
	if a.State != helpdesk.AttachmentDownloading {
		return nil // done by an earlier attempt, or failed and waiting for an agent
	}
	derr := w.download(ctx, a)
	if derr == nil {
		return w.Service.SaveAttachment(ctx, a)
	}
	permanent := !retryable(derr)
	last := job.Attempt >= min(job.MaxAttempts, MediaMaxAttempts)
	a.Error = truncate(derr.Error(), 1000)
	if permanent || last {
		a.State = helpdesk.AttachmentFailed
		if err := w.Service.SaveAttachment(ctx, a); err != nil {
			return err
		}
		w.log().Warn("inbound: media download failed", "attachment_id", a.ID, "attempt", job.Attempt,
			"permanent", permanent, "error", derr)
		return river.JobCancel(derr)
	}
	if err := w.Service.SaveAttachment(ctx, a); err != nil {
		return err
	}
	return derr
}

// download fetches the file into the blob store and fills a's fields.
func (w *MediaWorker) download(ctx context.Context, a *helpdesk.Attachment) error {
	st := w.Service.Store()
	m, err := st.MessageByID(ctx, a.MessageID)
	if err != nil {
		return permanentError{fmt.Errorf("message %d: %w", a.MessageID, err)}
	}
	if m.ChannelID == nil {
		return permanentError{errors.New("the message has no channel")}
	}
	ch, err := st.ChannelByID(ctx, *m.ChannelID)
	if errors.Is(err, helpdesk.ErrNotFound) {
		return permanentError{errors.New("the channel was deleted")}
	}
	if err != nil {
		return err
	}
	token, err := w.Secrets.Open(ch.AccessTokenEnc, adAccessToken)
	if err != nil {
		return permanentError{errors.New("the channel's access token cannot be decrypted")}
	}
	opts := w.Graph
	opts.AccessToken = token
	client := whatsapp.NewClient(opts)

	limit, ok := mediaLimits[m.Type]
	if !ok {
		limit = mediaLimits["document"]
	}
	pr, pw := io.Pipe()
	type got struct {
		d    *whatsapp.Download
		info *whatsapp.MediaInfo
		err  error
	}
	done := make(chan got, 1)
	go func() {
		d, info, err := client.DownloadMediaByID(ctx, a.WAMediaID, ch.PhoneNumberID, pw, limit)
		pw.CloseWithError(err) // nil: EOF for Put
		done <- got{d, info, err}
	}()
	sha, size, perr := w.Blobs.Put(ctx, pr)
	pr.CloseWithError(errors.New("blob store stopped reading")) // unblocks the download if Put failed early
	g := <-done
	if g.err != nil {
		return g.err
	}
	if perr != nil {
		return fmt.Errorf("store media: %w", perr)
	}
	if a.SHA256 != "" && a.SHA256 != sha {
		return fmt.Errorf("%w: the file does not match the webhook's sha256", whatsapp.ErrChecksumMismatch)
	}
	a.SHA256, a.Size, a.State, a.Error = sha, size, helpdesk.AttachmentReady, ""
	if a.MIMEType == "" {
		a.MIMEType = g.d.ContentType
		if g.info != nil && g.info.MIMEType != "" {
			a.MIMEType = g.info.MIMEType
		}
	}
	return nil
}

// permanentError marks a failure no retry can fix.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// retryable sorts download failures: a corrupted or cut transfer and the
// Cloud API's transient errors are worth another try; the rest is not.
func retryable(err error) bool {
	var p permanentError
	switch {
	case errors.As(err, &p), errors.Is(err, whatsapp.ErrMediaTooLarge):
		return false
	case errors.Is(err, whatsapp.ErrChecksumMismatch):
		return true
	}
	var we *whatsapp.Error
	if errors.As(err, &we) {
		return whatsapp.IsRetryable(err)
	}
	return true // network, timeouts, the blob store: transient until proven otherwise
}

func (w *MediaWorker) log() *slog.Logger {
	if w.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Logger
}
