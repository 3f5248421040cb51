package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults used by NewClient for zero Options fields.
const (
	DefaultBaseURL         = "https://graph.facebook.com"
	DefaultVersion         = "v26.0"
	DefaultTimeout         = 30 * time.Second
	DefaultDownloadTimeout = 5 * time.Minute
	defaultUserAgent       = "wadesk-whatsapp/1"
	// maxResponseBytes bounds JSON responses; the largest real ones (template
	// pages) are a few hundred KiB.
	maxResponseBytes = 8 << 20
)

// Options configures a Client. Only AccessToken is required.
type Options struct {
	// BaseURL is the Graph API origin, DefaultBaseURL unless a simulator is used.
	BaseURL string
	// Version is the pinned Graph API version such as "v26.0"; a missing "v" is
	// added. Pin it: unversioned calls get the oldest version Meta still serves.
	Version string
	// AccessToken is the system-user token sent as a bearer token.
	AccessToken string
	// HTTPClient is shared between channels so they share connections; its own
	// Timeout should be zero or generous, as each call has its own deadline.
	HTTPClient *http.Client
	// Timeout bounds each API call (DefaultTimeout when zero).
	Timeout time.Duration
	// DownloadTimeout bounds a media download, body included
	// (DefaultDownloadTimeout when zero).
	DownloadTimeout time.Duration
	// UserAgent is sent on every request; some CDN paths reject empty agents.
	UserAgent string
}

// Client calls the Cloud API for one set of credentials. It is cheap to
// build (one per channel) and safe for concurrent use.
type Client struct {
	base        string // BaseURL + "/" + version, no trailing slash
	token       string
	hc          *http.Client
	timeout     time.Duration
	dlTimeout   time.Duration
	userAgent   string
	baseHost    string
	baseIsHTTPS bool
}

// NewClient returns a Client with defaults applied to zero fields of o.
func NewClient(o Options) *Client {
	base := strings.TrimRight(o.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	v := strings.Trim(o.Version, "/")
	if v == "" {
		v = DefaultVersion
	}
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	c := &Client{
		base:      base + "/" + v,
		token:     o.AccessToken,
		hc:        o.HTTPClient,
		timeout:   o.Timeout,
		dlTimeout: o.DownloadTimeout,
		userAgent: o.UserAgent,
	}
	if c.hc == nil {
		c.hc = &http.Client{}
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.dlTimeout <= 0 {
		c.dlTimeout = DefaultDownloadTimeout
	}
	if c.userAgent == "" {
		c.userAgent = defaultUserAgent
	}
	if u, err := url.Parse(base); err == nil {
		c.baseHost, c.baseIsHTTPS = u.Host, u.Scheme == "https"
	}
	return c
}

// endpoint joins escaped path segments (IDs are opaque strings) to the
// versioned base URL.
func (c *Client) endpoint(segments ...string) string {
	var b strings.Builder
	b.WriteString(c.base)
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// request describes one JSON API call.
type request struct {
	method string
	url    string // absolute, from endpoint
	query  url.Values
	body   io.Reader // nil for no body
	ctype  string    // Content-Type of body
	length int64     // body length when known, else -1
}

// doJSON sends a JSON-encoded body (nil sends none) and decodes the JSON
// response into out (nil discards it).
func (c *Client) doJSON(ctx context.Context, method, u string, query url.Values, in, out any) error {
	r := request{method: method, url: u, query: query, length: -1}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("whatsapp: encode %s request: %w", method, err)
		}
		r.body, r.ctype, r.length = bytes.NewReader(b), "application/json", int64(len(b))
	}
	return c.do(ctx, r, out)
}

// do runs r under the client's per-call timeout. Non-2xx responses become
// *Error; transport failures keep their cause and are marked with
// ErrRequestTimeout when our deadline, not the caller's, ended them.
func (c *Client) do(ctx context.Context, r request, out any) error {
	ctx, cancel := context.WithTimeoutCause(ctx, c.timeout, ErrRequestTimeout)
	defer cancel()

	u := r.url
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, r.body)
	if err != nil {
		return fmt.Errorf("whatsapp: build request: %w", err)
	}
	if r.body != nil {
		req.Header.Set("Content-Type", r.ctype)
		req.ContentLength = r.length
	}
	c.authorize(req)
	req.Header.Set("Accept", "application/json")

	resp, err := c.hc.Do(req)
	if err != nil {
		return c.transportError(ctx, r.method, r.url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return c.transportError(ctx, r.method, r.url, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return parseError(resp.StatusCode, resp.Header, body)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		// A 2xx we cannot read is not retryable: the call may have taken
		// effect (a message sent), and retrying could duplicate it.
		return fmt.Errorf("whatsapp: %s %s: decode response: %w", r.method, c.redact(r.url), err)
	}
	return nil
}

func (c *Client) authorize(req *http.Request) {
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("User-Agent", c.userAgent)
}

// transportError wraps a failure to get a response. If the per-call context
// (derived from the caller's) ended, the cause tells whose deadline it was.
func (c *Client) transportError(ctx context.Context, method, u string, err error) error {
	if ctx.Err() != nil {
		// context.Cause is ErrRequestTimeout for our own deadline and the
		// caller's cause (usually context.Canceled) otherwise.
		return fmt.Errorf("whatsapp: %s %s: %w", method, c.redact(u), context.Cause(ctx))
	}
	// url.Error repeats the full URL, signed query included; keep its cause.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("whatsapp: %s %s: %w", method, c.redact(u), err)
}

// redact returns u without its query string: media URLs carry signed
// parameters that should not end up in logs.
func (c *Client) redact(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}

// successResponse is the {"success": true} body of several endpoints.
type successResponse struct {
	Success bool `json:"success"`
}

// checkSuccess turns {"success": false} into an error; Meta normally answers
// failures with an error envelope, so this is a safety net.
func checkSuccess(what string, r successResponse) error {
	if !r.Success {
		return fmt.Errorf("whatsapp: %s: API answered success=false", what)
	}
	return nil
}
