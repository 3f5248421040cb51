package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// download GETs a media URL with tok and checks the status.
func (e *env) download(t *testing.T, url, tok string, want int) []byte {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: HTTP %d, want %d: %s", url, resp.StatusCode, want, b)
	}
	return b
}

func TestMediaLifecycle(t *testing.T) {
	now := time.Date(2026, 8, 1, 10, 0, 0, 0, time.UTC)
	e := newEnv(t, Options{Now: func() time.Time { return now }})
	data, _ := sampleFile("image/png", false)
	code, out := e.upload(t, "image/png", data)
	if code != 200 {
		t.Fatal(code, out)
	}
	id := out["id"].(string)
	code, info, _ := e.do(t, "GET", "/v25.0/"+id, e.info.AccessToken, nil)
	if code != 200 || info["messaging_product"] != "whatsapp" || info["mime_type"] != "image/png" ||
		info["sha256"] != sha256Hex(data) || info["file_size"] != float64(len(data)) || info["id"] != id {
		t.Fatalf("media info %d %v", code, info)
	}
	url := info["url"].(string)
	if !strings.HasPrefix(url, e.srv.URL+"/whatsapp_business/attachments/?mid="+id) {
		t.Fatalf("url %s", url)
	}
	got := e.download(t, url, e.info.AccessToken, 200)
	if sha256Hex(got) != info["sha256"] || len(got) != len(data) {
		t.Fatal("downloaded bytes differ")
	}
	e.download(t, url, "", 401)
	e.download(t, url, "garbage", 401)
	e.download(t, strings.Replace(url, "hash=AT", "hash=XX", 1), e.info.AccessToken, 404)
	// phone_number_id must match the owner
	if code, _, _ := e.do(t, "GET", "/v25.0/"+id+"?phone_number_id=123", e.info.AccessToken, nil); code != 400 {
		t.Fatalf("foreign phone_number_id: %d", code)
	}
	// The URL lives 5 minutes on the sim clock; a fresh GET gives a new one.
	e.s.Advance(4 * time.Minute)
	e.download(t, url, e.info.AccessToken, 200)
	e.s.Advance(2 * time.Minute)
	e.download(t, url, e.info.AccessToken, 404)
	_, info, _ = e.do(t, "GET", "/v25.0/"+id, e.info.AccessToken, nil)
	e.download(t, info["url"].(string), e.info.AccessToken, 200)
	// Delete, then the id is gone.
	if code, out, _ := e.do(t, "DELETE", "/v25.0/"+id, e.info.AccessToken, nil); code != 200 || out["success"] != true {
		t.Fatalf("delete %d %v", code, out)
	}
	if code, out, _ := e.do(t, "GET", "/v25.0/"+id, e.info.AccessToken, nil); code != 400 {
		t.Fatalf("after delete %d %v", code, out)
	}
	// Uploads expire after 30 days.
	id2 := e.mustUpload(t, "image/jpeg")
	e.s.Advance(31 * 24 * time.Hour)
	if code, _, _ := e.do(t, "GET", "/v25.0/"+id2, e.info.AccessToken, nil); code != 400 {
		t.Fatalf("expired media: %d", code)
	}
}

func TestMediaUploadChecks(t *testing.T) {
	e := newEnv(t, Options{})
	cases := []struct {
		name string
		mime string
		size int
		code int
	}{
		{"jpeg ok", "image/jpeg", 1000, 0},
		{"gif unsupported → 131053", "image/gif", 1000, 131053},
		{"image over 5 MB → 131053", "image/png", 5<<20 + 1, 131053},
		{"sticker over 500 KB → 131053", "image/webp", 500<<10 + 1, 131053},
		{"ogg with params ok", "audio/ogg; codecs=opus", 1000, 0},
		{"ogg not opus → 131053", "audio/ogg; codecs=vorbis", 1000, 131053},
		{"docx ok", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 1000, 0},
		{"empty file → 131053", "application/pdf", 0, 131053},
		{"video/quicktime → 131053", "video/quicktime", 1000, 131053},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out := e.upload(t, tc.mime, make([]byte, tc.size))
			if c, _ := errCode(out); c != tc.code || (tc.code == 0) != (code == 200) {
				t.Fatalf("HTTP %d %v", code, out)
			}
		})
	}
	// Not multipart → 100.
	if code, out := e.send(t, "{}"); code != 400 {
		t.Fatalf("%d %v", code, out)
	}
	code, out, _ := e.do(t, "POST", "/v25.0/"+e.info.PhoneNumberID+"/media", e.info.AccessToken, `{"file":"x"}`)
	if c, _ := errCode(out); code != 400 || c != 100 {
		t.Fatalf("json upload: %d %v", code, out)
	}
}

// A media id of the wrong kind is accepted, then fails with 131053 (async).
func TestMediaTypeMismatchFailsAsync(t *testing.T) {
	e := newEnv(t, Options{})
	e.inbound(t, "hi")
	e.rcv.next(t)
	pdf := e.mustUpload(t, "application/pdf")
	code, out := e.send(t, `{"messaging_product":"whatsapp","to":"16505551234","type":"image","image":{"id":"`+pdf+`"}}`)
	if code != 200 {
		t.Fatal(code, out)
	}
	st := e.rcv.collectStatuses(t, 1)
	if st[0]["status"] != "failed" || st[0]["errors"].([]any)[0].(map[string]any)["code"] != float64(131053) {
		t.Fatalf("status %v", st[0])
	}
}
