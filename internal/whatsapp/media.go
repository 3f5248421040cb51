package whatsapp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
)

// MediaUpload is a file to upload with UploadMedia.
type MediaUpload struct {
	Filename string    // shown to the user for documents
	MIMEType string    // e.g. image/jpeg; must be a type of reference §5.5
	Body     io.Reader // streamed, never buffered whole
	// Size is the byte length of Body when known; it lets the request carry a
	// Content-Length instead of being chunked. Zero or negative: unknown.
	Size int64
}

// UploadMedia uploads a file for later sends (media IDs stay valid 30 days)
// and returns its media ID. The multipart body is streamed: only the part
// headers are built in memory.
func (c *Client) UploadMedia(ctx context.Context, phoneNumberID string, up MediaUpload) (string, error) {
	if up.Body == nil || up.MIMEType == "" {
		return "", fmt.Errorf("%w: upload needs a body and a MIME type", ErrInvalidMessage)
	}
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	_ = mw.WriteField("messaging_product", "whatsapp") // writes to a bytes.Buffer cannot fail
	_ = mw.WriteField("type", up.MIMEType)
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s"`, quoteEscaper.Replace(up.Filename)))
	h.Set("Content-Type", up.MIMEType)
	if _, err := mw.CreatePart(h); err != nil {
		return "", fmt.Errorf("whatsapp: upload: %w", err)
	}
	prefix := bytes.Clone(head.Bytes())
	head.Reset()
	_ = mw.Close() // writes only the closing boundary into head
	suffix := head.Bytes()

	r := request{method: http.MethodPost, url: c.endpoint(phoneNumberID, "media"),
		body:  io.MultiReader(bytes.NewReader(prefix), up.Body, bytes.NewReader(suffix)),
		ctype: mw.FormDataContentType(), length: -1}
	if up.Size > 0 {
		r.length = int64(len(prefix)) + up.Size + int64(len(suffix))
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := c.do(ctx, r, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", errors.New("whatsapp: upload: response without media id")
	}
	return out.ID, nil
}

// quoteEscaper escapes a filename for a quoted Content-Disposition parameter,
// as mime/multipart does for CreateFormFile.
var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"", "\r", "", "\n", "")

// MediaInfo describes uploaded or received media (GET /{media_id}, §5.2).
type MediaInfo struct {
	MessagingProduct string `json:"messaging_product,omitempty"`
	ID               string `json:"id"`
	// URL is valid for 5 minutes and needs the bearer token: use DownloadMedia.
	URL      string  `json:"url"`
	MIMEType string  `json:"mime_type"`
	SHA256   string  `json:"sha256"`    // hex in observed responses; see NormalizeSHA256
	FileSize FlexInt `json:"file_size"` // number, or a string in Meta's spec example
}

// GetMediaInfo returns the download URL and metadata of a media ID. A
// non-empty phoneNumberID makes the call fail unless the media belongs to
// that number.
func (c *Client) GetMediaInfo(ctx context.Context, mediaID, phoneNumberID string) (*MediaInfo, error) {
	var info MediaInfo
	if err := c.doJSON(ctx, http.MethodGet, c.endpoint(mediaID), phoneQuery(phoneNumberID), nil, &info); err != nil {
		return nil, err
	}
	return &info, nil
}

// DeleteMedia deletes uploaded media.
func (c *Client) DeleteMedia(ctx context.Context, mediaID, phoneNumberID string) error {
	var out successResponse
	if err := c.doJSON(ctx, http.MethodDelete, c.endpoint(mediaID), phoneQuery(phoneNumberID), nil, &out); err != nil {
		return err
	}
	return checkSuccess("delete media", out)
}

func phoneQuery(phoneNumberID string) url.Values {
	if phoneNumberID == "" {
		return nil
	}
	return url.Values{"phone_number_id": {phoneNumberID}}
}

// NormalizeSHA256 returns a SHA-256 digest as lowercase hex whether it was
// given as hex (media info responses) or base64 (webhooks), so both can be
// compared and stored one way.
func NormalizeSHA256(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) == hex.EncodedLen(sha256.Size) {
		if b, err := hex.DecodeString(s); err == nil {
			return hex.EncodeToString(b), nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == sha256.Size {
			return hex.EncodeToString(b), nil
		}
	}
	return "", fmt.Errorf("whatsapp: %q is not a hex or base64 SHA-256 digest", s)
}

// ErrMediaTooLarge is returned by DownloadMedia when the file exceeds the cap.
var ErrMediaTooLarge = errors.New("whatsapp: media larger than the allowed size")

// ErrChecksumMismatch is returned by DownloadMediaByID when the bytes do not
// match the digest Meta announced.
var ErrChecksumMismatch = errors.New("whatsapp: media checksum mismatch")

// Download is the result of a media download.
type Download struct {
	ContentType string
	Size        int64
	SHA256      string // lowercase hex of the bytes written
}

// DownloadMedia fetches a media URL from GetMediaInfo with the bearer token,
// following redirects, and streams at most maxBytes into w while hashing it.
// When the file is larger, ErrMediaTooLarge is returned and w holds a partial
// file the caller must discard. Bounded by Options.DownloadTimeout.
func (c *Client) DownloadMedia(ctx context.Context, mediaURL string, w io.Writer, maxBytes int64) (*Download, error) {
	u, err := url.Parse(mediaURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("whatsapp: download: not an http(s) URL")
	}
	ctx, cancel := context.WithTimeoutCause(ctx, c.dlTimeout, ErrRequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, mediaURL, nil)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: download: %w", err)
	}
	c.authorize(req)

	resp, err := c.downloadClient(u).Do(req)
	if err != nil {
		return nil, c.transportError(ctx, http.MethodGet, mediaURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return nil, parseError(resp.StatusCode, resp.Header, body)
	}
	if maxBytes > 0 && resp.ContentLength > maxBytes {
		return nil, fmt.Errorf("%w: %d > %d bytes", ErrMediaTooLarge, resp.ContentLength, maxBytes)
	}
	src := io.Reader(resp.Body)
	if maxBytes > 0 {
		src = io.LimitReader(resp.Body, maxBytes+1) // one extra byte detects overflow
	}
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, sum), src)
	if err != nil {
		return nil, c.transportError(ctx, http.MethodGet, mediaURL, err)
	}
	if maxBytes > 0 && n > maxBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrMediaTooLarge, maxBytes)
	}
	return &Download{ContentType: resp.Header.Get("Content-Type"), Size: n, SHA256: hexSum(sum)}, nil
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

// DownloadMediaByID resolves mediaID with GetMediaInfo, downloads it into w
// (at most maxBytes), and checks the bytes against the announced digest.
// Inbound media IDs can be downloaded for 7 days.
func (c *Client) DownloadMediaByID(ctx context.Context, mediaID, phoneNumberID string, w io.Writer, maxBytes int64) (*Download, *MediaInfo, error) {
	info, err := c.GetMediaInfo(ctx, mediaID, phoneNumberID)
	if err != nil {
		return nil, nil, err
	}
	d, err := c.DownloadMedia(ctx, info.URL, w, maxBytes)
	if err != nil {
		return nil, info, err
	}
	if d.ContentType == "" || d.ContentType == "application/octet-stream" {
		d.ContentType = info.MIMEType
	}
	// An unreadable announced digest is not the file's fault; only a
	// readable, different one means corruption.
	if want, nerr := NormalizeSHA256(info.SHA256); nerr == nil && want != d.SHA256 {
		return d, info, fmt.Errorf("%w: media %s", ErrChecksumMismatch, mediaID)
	}
	return d, info, nil
}

// downloadClient returns an http.Client that keeps the bearer token on
// redirects only where Meta serves media. Go drops Authorization when a
// redirect leaves the original host; lookaside URLs may redirect to another
// Meta CDN host that still needs it, while a redirect anywhere else must not
// receive the token.
func (c *Client) downloadClient(start *url.URL) *http.Client {
	hc := *c.hc // shallow copy: shares the Transport and its connections
	prev := hc.CheckRedirect
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if prev != nil {
			if err := prev(req, via); err != nil {
				return err
			}
		} else if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if trustedMediaHost(req.URL, start) {
			c.authorize(req)
		} else {
			req.Header.Del("Authorization")
		}
		return nil
	}
	return &hc
}

// metaMediaDomains are the domains media URLs and their redirects live on.
var metaMediaDomains = []string{"fbsbx.com", "facebook.com", "fbcdn.net", "whatsapp.net"}

// trustedMediaHost reports whether the token may follow a redirect to u: the
// same host as the first URL (scheme not downgraded), or HTTPS on a Meta
// domain.
func trustedMediaHost(u, start *url.URL) bool {
	if u.Scheme == "http" && start.Scheme == "https" {
		return false
	}
	if u.Host == start.Host {
		return true
	}
	if u.Scheme != "https" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	for _, d := range metaMediaDomains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}
