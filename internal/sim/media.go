package sim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"strings"
	"sync"
	"time"
)

// Media is one stored file: uploaded by the business (valid 30 days) or
// sent by a customer (downloadable 7 days).
type Media struct {
	ID            string    `json:"id"`
	WABAID        string    `json:"waba_id"`
	PhoneNumberID string    `json:"phone_number_id"`
	MimeType      string    `json:"mime_type"`
	Filename      string    `json:"filename,omitempty"`
	SHA256        string    `json:"sha256"` // lowercase hex
	Size          int       `json:"file_size"`
	Uploaded      bool      `json:"uploaded"` // by the business, usable in sends
	Created       time.Time `json:"created"`
	Expires       time.Time `json:"expires"`
	Data          []byte    `json:"-"`
}

// sha256Base64 is the webhook form of the digest (§2.2).
func (m *Media) sha256Base64() string {
	b, _ := hex.DecodeString(m.SHA256)
	return base64.StdEncoding.EncodeToString(b)
}

type mediaStore struct {
	mu    sync.RWMutex
	items map[string]*Media
	key   []byte // signs download URLs
}

func newMediaStore() *mediaStore {
	return &mediaStore{items: map[string]*Media{}, key: []byte(randHex(16))}
}

func (ms *mediaStore) get(id string) *Media {
	ms.mu.RLock()
	defer ms.mu.RUnlock()
	return ms.items[id]
}

func (ms *mediaStore) put(m *Media) {
	ms.mu.Lock()
	ms.items[m.ID] = m
	ms.mu.Unlock()
}

func (ms *mediaStore) delete(id string) bool {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	_, ok := ms.items[id]
	delete(ms.items, id)
	return ok
}

// mediaLimits is §5.5: accepted MIME types per kind and their size caps.
var mediaLimits = []struct {
	kind  string
	types []string
	max   int
}{
	{"audio", []string{"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"}, 16 << 20},
	{"document", []string{"text/plain", "application/pdf", "application/vnd.ms-excel",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/msword",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/vnd.ms-powerpoint",
		"application/vnd.openxmlformats-officedocument.presentationml.presentation"}, 100 << 20},
	{"image", []string{"image/jpeg", "image/png"}, 5 << 20},
	{"sticker", []string{"image/webp"}, 500 << 10},
	{"video", []string{"video/mp4", "video/3gpp"}, 16 << 20},
}

// baseMime strips parameters: "audio/ogg; codecs=opus" → "audio/ogg".
func baseMime(t string) string {
	if mt, _, err := mime.ParseMediaType(t); err == nil {
		return mt
	}
	return strings.ToLower(strings.TrimSpace(strings.SplitN(t, ";", 2)[0]))
}

// mediaKind maps a MIME type to the message type that can carry it, or "".
func mediaKind(mimeType string) string {
	mt := baseMime(mimeType)
	for _, l := range mediaLimits {
		if contains(l.types, mt) {
			return l.kind
		}
	}
	return ""
}

// checkMedia applies §5.5 to an upload: unsupported type or size → 131053.
func checkMedia(mimeType string, size int) *GraphError {
	mt := baseMime(mimeType)
	for _, l := range mediaLimits {
		if !contains(l.types, mt) {
			continue
		}
		if size > l.max {
			return waErr(131053, "Media upload error: %s file of %d bytes exceeds the %s limit of %d bytes.", mt, size, l.kind, l.max)
		}
		if size == 0 {
			return waErr(131053, "Media upload error: the file is empty.")
		}
		if mt == "audio/ogg" && strings.Contains(mimeType, "codecs=") && !strings.Contains(mimeType, "opus") {
			return waErr(131053, "Media upload error: audio/ogg must use the OPUS codec.")
		}
		return nil
	}
	return waErr(131053, "Media upload error: unsupported MIME type %q.", mimeType)
}

// storeMedia keeps bytes under a fresh id.
func (s *Sim) storeMedia(n *Number, mimeType, filename string, data []byte, uploaded bool) *Media {
	sum := sha256.Sum256(data)
	now := s.Now()
	ttl := 7 * 24 * time.Hour
	if uploaded {
		ttl = 30 * 24 * time.Hour
	}
	m := &Media{ID: s.newID(16), WABAID: n.WABAID, PhoneNumberID: n.ID, MimeType: mimeType, Filename: filename,
		SHA256: hex.EncodeToString(sum[:]), Size: len(data), Uploaded: uploaded, Created: now, Expires: now.Add(ttl), Data: data}
	s.media.put(m)
	return m
}

// downloadPath mimics lookaside.fbsbx.com/whatsapp_business/attachments/.
const downloadPath = "/whatsapp_business/attachments/"

// urlTTL is how long a media URL works (§5.2).
const urlTTL = 5 * time.Minute

// mediaURL builds a signed download URL valid 5 minutes by the sim clock.
func (s *Sim) mediaURL(m *Media) string {
	ext := s.Now().Add(urlTTL).Unix()
	return fmt.Sprintf("%s%s?mid=%s&ext=%d&hash=%s", s.BaseURL(), downloadPath, m.ID, ext, s.urlHash(m.ID, ext))
}

func (s *Sim) urlHash(id string, ext int64) string {
	h := hmac.New(sha256.New, s.media.key)
	fmt.Fprintf(h, "%s|%d", id, ext)
	return "AT" + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}
