package sim

import (
	"bytes"
	"crypto/hmac"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
)

// uploadMedia serves POST /{phone_number_id}/media (§5.1): multipart with
// messaging_product, type and file; §5.5 type/size checks give 131053.
func (s *Sim) uploadMedia(c *call, n *Number) {
	ct, params, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err != nil || ct != "multipart/form-data" || params["boundary"] == "" {
		c.fail(errParam("Media upload must be multipart/form-data with messaging_product, type and file fields."))
		return
	}
	mr := multipart.NewReader(bytes.NewReader(c.body), params["boundary"])
	fields := map[string]string{}
	var file []byte
	var filename, partType string
	haveFile := false
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			c.fail(errParam("Malformed multipart body: %v", err))
			return
		}
		data, err := io.ReadAll(p)
		if err != nil {
			c.fail(errParam("Malformed multipart body: %v", err))
			return
		}
		if p.FormName() == "file" {
			file, filename, partType, haveFile = data, p.FileName(), p.Header.Get("Content-Type"), true
			continue
		}
		fields[p.FormName()] = string(data)
	}
	switch {
	case fields["messaging_product"] == "":
		c.fail(errMissing("The parameter messaging_product is required."))
		return
	case fields["messaging_product"] != "whatsapp":
		c.fail(errParam("Param messaging_product must be one of {WHATSAPP} - got \"%s\".", fields["messaging_product"]))
		return
	case !haveFile:
		c.fail(errMissing("The parameter file is required."))
		return
	}
	typ := fields["type"]
	if typ == "" {
		typ = partType
	}
	if typ == "" {
		c.fail(errMissing("The parameter type is required (the file's MIME type)."))
		return
	}
	if e := checkMedia(typ, len(file)); e != nil {
		c.fail(e)
		return
	}
	m := s.storeMedia(n, typ, filename, file, true)
	c.ok(map[string]string{"id": m.ID})
}

// mediaRoute serves GET and DELETE /{media_id} (§5.2, §5.4).
func (s *Sim) mediaRoute(c *call) {
	m := s.media.get(c.id)
	method := strings.ToLower(c.r.Method)
	if m == nil || !c.token.canAccess(m.WABAID) || s.Now().After(m.Expires) {
		c.fail(errNoObject(method, c.id))
		return
	}
	if pn := c.r.URL.Query().Get("phone_number_id"); pn != "" && pn != m.PhoneNumberID {
		c.fail(errNoObject(method, c.id))
		return
	}
	s.setUsage(c.w, m.WABAID)
	switch c.r.Method {
	case http.MethodGet:
		type info struct {
			MessagingProduct string `json:"messaging_product"`
			URL              string `json:"url"`
			MimeType         string `json:"mime_type"`
			SHA256           string `json:"sha256"`
			FileSize         int    `json:"file_size"`
			ID               string `json:"id"`
		}
		c.ok(info{"whatsapp", s.mediaURL(m), m.MimeType, m.SHA256, m.Size, m.ID})
	case http.MethodDelete:
		s.media.delete(m.ID)
		c.ok(map[string]bool{"success": true})
	default:
		s.unknownEdge(c)
	}
}

// serveDownload serves the URL handed out by GET /{media_id}: bearer token
// required (401), expired or tampered URL → 404 (§5.3).
func (s *Sim) serveDownload(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	m := s.media.get(q.Get("mid"))
	tok := bearer(r)
	s.mu.RLock()
	t := s.tokens[tok]
	ok := t != nil && !t.Expired && (m == nil || t.canAccess(m.WABAID))
	s.mu.RUnlock()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="lookaside"`)
		http.Error(w, "Unauthorized: a valid access token is required to download media", http.StatusUnauthorized)
		return
	}
	ext, err := strconv.ParseInt(q.Get("ext"), 10, 64)
	if m == nil || err != nil || !hmac.Equal([]byte(q.Get("hash")), []byte(s.urlHash(m.ID, ext))) ||
		s.Now().Unix() > ext {
		http.Error(w, "Not Found: the media URL is unknown or has expired; call GET /{media_id} for a new one", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", m.MimeType)
	w.Header().Set("Content-Length", strconv.Itoa(len(m.Data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(m.Data)
	}
}
