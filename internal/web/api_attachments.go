package web

import (
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"wadesk/internal/helpdesk"
)

// getAttachment serves an attachment's bytes with its stored content type.
// Media a browser can show safely (images, audio, video) are inline, the
// rest are downloads; a sandbox CSP keeps a hostile file (HTML, SVG) from
// running script in wadesk's origin even if opened directly.
func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	a, err := s.svc.Attachment(r.Context(), UserFrom(r.Context()), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	if a.State != helpdesk.AttachmentReady || a.SHA256 == "" {
		WriteError(w, r, helpdesk.Errorf(helpdesk.ECodeConflict, "the attachment is not downloaded (state %s)", a.State))
		return
	}
	if s.blobs == nil {
		WriteError(w, r, helpdesk.Errorf(helpdesk.ECodeNotFound, "attachment storage is not configured"))
		return
	}
	rc, err := s.blobs.Open(a.SHA256)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	defer rc.Close()

	ctype := safeContentType(a.MIMEType)
	h := w.Header()
	h.Set("Content-Type", ctype)
	cd := mime.FormatMediaType(disposition(ctype), map[string]string{"filename": safeFilename(a.Filename, a.ID)})
	if cd == "" { // a name FormatMediaType cannot encode
		cd = disposition(ctype) + "; filename=attachment-" + strconv.FormatInt(a.ID, 10)
	}
	h.Set("Content-Disposition", cd)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; media-src 'self'")
	h.Set("Cache-Control", "private, max-age=86400") // content-addressed: the bytes never change
	if rs, ok := rc.(io.ReadSeeker); ok {
		// Range requests let browsers seek in audio and video.
		http.ServeContent(w, r, "", time.Time{}, rs)
		return
	}
	if a.Size > 0 {
		h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	}
	_, _ = io.Copy(w, rc) // the client may hang up; nothing to do then
}

// safeContentType returns the stored MIME type when it parses, else a
// generic binary type (never something a browser would sniff).
func safeContentType(t string) string {
	mt, params, err := mime.ParseMediaType(t)
	if err != nil || !strings.Contains(mt, "/") {
		return "application/octet-stream"
	}
	return mime.FormatMediaType(mt, params)
}

// disposition shows images, audio and video inline, except SVG, which is a
// document that can carry script.
func disposition(ctype string) string {
	mt, _, _ := mime.ParseMediaType(ctype)
	if mt == "image/svg+xml" {
		return "attachment"
	}
	for _, p := range []string{"image/", "audio/", "video/"} {
		if strings.HasPrefix(mt, p) {
			return "inline"
		}
	}
	return "attachment"
}

// safeFilename keeps the last path element of name without control
// characters, quotes or separators; an empty result becomes "attachment-ID".
func safeFilename(name string, id int64) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == ';' || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, name)
	name = strings.Trim(strings.TrimSpace(name), ".")
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	if name == "" {
		return "attachment-" + strconv.FormatInt(id, 10)
	}
	return name
}
