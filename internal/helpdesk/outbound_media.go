package helpdesk

import (
	"fmt"
	"mime"
	"strings"
)

// The Cloud API's media types and size limits (reference §5.5). An upload
// outside them would be refused by Meta with 131053 after it was queued;
// checking first lets the agent see the reason at once (422).

// mediaLimit is one MIME type WhatsApp accepts, the message type it is sent
// as, and the largest file.
type mediaLimit struct {
	kind    string
	maxSize int64
}

const mb = 1 << 20

var mediaLimits = map[string]mediaLimit{
	"audio/aac": {"audio", 16 * mb}, "audio/amr": {"audio", 16 * mb}, "audio/mpeg": {"audio", 16 * mb},
	"audio/mp4": {"audio", 16 * mb}, "audio/ogg": {"audio", 16 * mb},
	"text/plain": {"document", 100 * mb}, "application/pdf": {"document", 100 * mb},
	"application/vnd.ms-excel": {"document", 100 * mb},
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"document", 100 * mb},
	"application/msword": {"document", 100 * mb},
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   {"document", 100 * mb},
	"application/vnd.ms-powerpoint":                                             {"document", 100 * mb},
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": {"document", 100 * mb},
	"image/jpeg": {"image", 5 * mb}, "image/png": {"image", 5 * mb},
	// Animated stickers may be 500 KB; a static one only 100 KB, but the
	// file alone does not say which, so the larger limit is checked here.
	"image/webp": {"sticker", 500 << 10},
	"video/mp4":  {"video", 16 * mb}, "video/3gpp": {"video", 16 * mb},
}

// MaxCaptionLength is the longest caption of an image, video or document.
const MaxCaptionLength = 1024

// MaxTextLength is the longest text message.
const MaxTextLength = 4096

// NormalizeMIME returns the bare, lowercase media type of a Content-Type
// value ("image/jpeg; foo=bar" → "image/jpeg"), or "" when it does not parse.
func NormalizeMIME(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return strings.ToLower(mt)
}

// MediaKind returns the WhatsApp message type a file of this MIME type is
// sent as (image, video, audio, document, sticker), or "" if WhatsApp does
// not accept the type.
func MediaKind(mimeType string) string {
	return mediaLimits[NormalizeMIME(mimeType)].kind
}

// CheckUpload checks a file an agent wants to send against WhatsApp's
// type and size limits and the caption rule. The error is an invalid_request
// naming the field ("file" or "text") and the reason.
func CheckUpload(mimeType string, size int64, caption string) error {
	mt := NormalizeMIME(mimeType)
	lim, ok := mediaLimits[mt]
	if !ok {
		return Invalid("WhatsApp does not accept this file type",
			map[string]string{"file": fmt.Sprintf("type %q is not supported; send JPEG/PNG images, MP4/3GPP videos, AAC/AMR/MP3/MP4/Ogg audio, WebP stickers or PDF/Office/text documents", mimeType)})
	}
	if size <= 0 {
		return Invalid("the file is empty", map[string]string{"file": "is empty"})
	}
	if size > lim.maxSize {
		return Invalid("the file is too large for WhatsApp",
			map[string]string{"file": fmt.Sprintf("a %s may be at most %s; this file is %s", lim.kind, humanSize(lim.maxSize), humanSize(size))})
	}
	if caption != "" {
		if lim.kind != "image" && lim.kind != "video" && lim.kind != "document" {
			return Invalid("a caption is only allowed on images, videos and documents",
				map[string]string{"text": fmt.Sprintf("a %s cannot have a caption", lim.kind)})
		}
		if n := len([]rune(caption)); n > MaxCaptionLength {
			return Invalid("the caption is too long",
				map[string]string{"text": fmt.Sprintf("must be at most %d characters (is %d)", MaxCaptionLength, n)})
		}
	}
	return nil
}

func humanSize(n int64) string {
	switch {
	case n >= mb:
		return fmt.Sprintf("%.1f MB", float64(n)/mb)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
