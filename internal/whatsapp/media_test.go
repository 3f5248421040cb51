package whatsapp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestUploadMediaMultipart(t *testing.T) {
	file := []byte("%PDF-1.4 fake invoice")
	for _, size := range []int64{int64(len(file)), 0} {
		t.Run("size "+strconv.FormatInt(size, 10), func(t *testing.T) {
			c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/v26.0/106540352242922/media" {
					t.Errorf("%s %s", r.Method, r.URL.Path)
				}
				if size > 0 && r.ContentLength <= size {
					t.Errorf("Content-Length = %d, want the exact multipart length", r.ContentLength)
				}
				if size == 0 && r.ContentLength != -1 {
					t.Errorf("unknown size should be chunked, Content-Length = %d", r.ContentLength)
				}
				if err := r.ParseMultipartForm(1 << 20); err != nil {
					t.Fatalf("parse multipart: %v", err)
				}
				eq(t, "messaging_product", r.FormValue("messaging_product"), "whatsapp")
				eq(t, "type", r.FormValue("type"), "application/pdf")
				f, h, err := r.FormFile("file")
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(f)
				eq(t, "content", string(got), string(file))
				eq(t, "filename", h.Filename, `in"voice.pdf`)
				eq(t, "part content type", h.Header.Get("Content-Type"), "application/pdf")
				reply(w, 200, `{ "id": "4490709327384033" }`)
			})
			id, err := c.UploadMedia(ctx, "106540352242922", MediaUpload{
				Filename: `in"voice.pdf`, MIMEType: "application/pdf", Body: bytes.NewReader(file), Size: size})
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "id", id, "4490709327384033")
		})
	}
	c := NewClient(Options{})
	if _, err := c.UploadMedia(ctx, "1", MediaUpload{Body: strings.NewReader("x")}); !errors.Is(err, ErrInvalidMessage) {
		t.Errorf("upload without MIME type: %v", err)
	}
}

func TestUploadMediaErrorEnvelope(t *testing.T) {
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		reply(w, 400, `{"error":{"message":"(#131053) Media upload error","type":"OAuthException","code":131053,"error_data":{"details":"Unsupported MIME type"}}}`)
	})
	_, err := c.UploadMedia(ctx, "1", MediaUpload{Filename: "a.exe", MIMEType: "application/x-msdownload", Body: strings.NewReader("MZ")})
	var e *Error
	if !errors.As(err, &e) || e.Code != 131053 || e.Details != "Unsupported MIME type" {
		t.Fatalf("err = %v", err)
	}
}

func TestGetMediaInfoTolerantFileSize(t *testing.T) {
	for _, size := range []string{`303833`, `"303833"`} {
		t.Run(size, func(t *testing.T) {
			c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/v26.0/2621233374848975" || r.URL.Query().Get("phone_number_id") != "106540352242922" {
					t.Errorf("request %s", r.URL)
				}
				reply(w, 200, `{ "messaging_product": "whatsapp",
				  "url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=2621233374848975&ext=1750000300&hash=ATs...",
				  "mime_type": "image/jpeg", "sha256": "49f227634806293b0995459bc310b593e1400f41591efcf07e9bced335f41942",
				  "file_size": `+size+`, "id": "2621233374848975" }`)
			})
			info, err := c.GetMediaInfo(ctx, "2621233374848975", "106540352242922")
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "size", info.FileSize, FlexInt(303833))
			eq(t, "mime", info.MIMEType, "image/jpeg")
			eq(t, "id", info.ID, "2621233374848975")
		})
	}
}

func TestDeleteMedia(t *testing.T) {
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodDelete || r.URL.Path != "/v26.0/42" || r.URL.RawQuery != "" {
			t.Errorf("%s %s", r.Method, r.URL)
		}
		reply(w, 200, `{ "success": true }`)
	})
	if err := c.DeleteMedia(ctx, "42", ""); err != nil {
		t.Fatal(err)
	}
}

func TestNormalizeSHA256(t *testing.T) {
	const hexSum = "49f227634806293b0995459bc310b593e1400f41591efcf07e9bced335f41942"
	tests := []struct {
		in, want string
		ok       bool
	}{
		{hexSum, hexSum, true},
		{strings.ToUpper(hexSum), hexSum, true},
		{"SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=", hexSum, true}, // webhook base64 of the same digest
		{"SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI", hexSum, true},  // unpadded
		{"SfInY0gGKTsJlUWbwxC1k-FAD0FZHvzwfpvO0zX0GUI=", hexSum, true}, // URL alphabet
		{"HcwyCKrTKXHk0a00ms4HWIA76GY0Du6q4Z/iuwevw=", "", false},      // truncated in the reference
		{"", "", false},
		{"zz" + hexSum[2:], "", false},
	}
	for _, tt := range tests {
		got, err := NormalizeSHA256(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("NormalizeSHA256(%q) = %q, %v", tt.in, got, err)
		}
	}
}

// mediaServer serves /file with a bearer check and /redirect → /file.
func mediaServer(t *testing.T, content []byte) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /file", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			reply(w, 401, `{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}}`)
			return
		}
		if r.Header.Get("User-Agent") == "" {
			t.Error("no User-Agent")
		}
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(content)
	})
	mux.HandleFunc("GET /redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/file", http.StatusFound)
	})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.Write([]byte("partial"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestDownloadMedia(t *testing.T) {
	content := bytes.Repeat([]byte("jpegdata"), 1000)
	sum := sha256.Sum256(content)
	srv := mediaServer(t, content)
	c := NewClient(Options{AccessToken: testToken, HTTPClient: srv.Client(), DownloadTimeout: 200 * time.Millisecond})

	for _, path := range []string{"/file?mid=1&hash=x", "/redirect"} {
		var buf bytes.Buffer
		d, err := c.DownloadMedia(ctx, srv.URL+path, &buf, 1<<20)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		eq(t, path+" bytes", buf.Len(), len(content))
		eq(t, path+" size", d.Size, int64(len(content)))
		eq(t, path+" sha", d.SHA256, hex.EncodeToString(sum[:]))
		eq(t, path+" type", d.ContentType, "image/jpeg")
	}

	t.Run("over the cap", func(t *testing.T) {
		_, err := c.DownloadMedia(ctx, srv.URL+"/file", io.Discard, 100)
		if !errors.Is(err, ErrMediaTooLarge) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("wrong token", func(t *testing.T) {
		bad := NewClient(Options{AccessToken: "nope", HTTPClient: srv.Client()})
		_, err := bad.DownloadMedia(ctx, srv.URL+"/file", io.Discard, 0)
		eq(t, "auth error", IsAuthError(err), true)
	})
	t.Run("stalled body hits the download timeout", func(t *testing.T) {
		_, err := c.DownloadMedia(ctx, srv.URL+"/slow", io.Discard, 0)
		eq(t, "timeout", errors.Is(err, ErrRequestTimeout), true)
		eq(t, "retryable", IsRetryable(err), true)
	})
	t.Run("not a URL", func(t *testing.T) {
		if _, err := c.DownloadMedia(ctx, "file:///etc/passwd", io.Discard, 0); err == nil {
			t.Error("file URL accepted")
		}
	})
}

func TestDownloadDoesNotLeakTokenAcrossHosts(t *testing.T) {
	var leaked string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked = r.Header.Get("Authorization")
		w.Write([]byte("x"))
	}))
	defer other.Close()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/elsewhere", http.StatusFound)
	}))
	defer origin.Close()
	c := NewClient(Options{AccessToken: testToken})
	if _, err := c.DownloadMedia(ctx, origin.URL+"/file", io.Discard, 0); err != nil {
		t.Fatal(err)
	}
	eq(t, "Authorization at the other host", leaked, "")
}

func TestTrustedMediaHost(t *testing.T) {
	start := mustURL(t, "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1")
	for raw, want := range map[string]bool{
		"https://lookaside.fbsbx.com/x":    true,
		"https://scontent.xx.fbcdn.net/v/": true,
		"https://mmg.whatsapp.net/d/f":     true,
		"http://lookaside.fbsbx.com/x":     false, // downgrade
		"https://evil.example/x":           false,
		"https://fbcdn.net.evil.example/":  false,
	} {
		eq(t, raw, trustedMediaHost(mustURL(t, raw), start), want)
	}
}

func TestDownloadMediaByIDChecksSHA(t *testing.T) {
	content := []byte("hello media")
	sum := sha256.Sum256(content)
	var fileURL string
	announced := hex.EncodeToString(sum[:])
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v26.0/777":
			reply(w, 200, `{"messaging_product":"whatsapp","url":"`+fileURL+`","mime_type":"audio/ogg","sha256":"`+announced+`","file_size":11,"id":"777"}`)
		case "/dl":
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(content)
		}
	})
	fileURL = c.base[:strings.LastIndex(c.base, "/")] + "/dl"
	var buf bytes.Buffer
	d, info, err := c.DownloadMediaByID(ctx, "777", "", &buf, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "content type falls back to info", d.ContentType, "audio/ogg")
	eq(t, "info id", info.ID, "777")
	eq(t, "bytes", buf.String(), "hello media")

	announced = hex.EncodeToString(make([]byte, 32))
	if _, _, err := c.DownloadMediaByID(ctx, "777", "", io.Discard, 1<<20); !errors.Is(err, ErrChecksumMismatch) {
		t.Errorf("err = %v, want checksum mismatch", err)
	}
}
