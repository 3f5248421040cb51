package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"wadesk/internal/whatsapp"
)

// bareServer is the yardstick: net/http, the HMAC check, and an append to
// a file without fsync. Nothing else.
type bareServer struct {
	url, secret string
	stop        func()
}

func startBare() (*bareServer, error) {
	dir, err := os.MkdirTemp("", "wadesk-ack-bare-")
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "deliveries.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	const secret = "bare-app-secret"
	var mu sync.Mutex
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 3<<20))
		if err != nil {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		if !whatsapp.VerifySignature(secret, body, r.Header.Get(whatsapp.SignatureHeader)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		_, err = f.Write(append(body, '\n'))
		mu.Unlock()
		if err != nil {
			http.Error(w, "write", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &bareServer{url: "http://" + ln.Addr().String() + "/webhook", secret: secret, stop: func() {
		_ = srv.Close()
		_ = f.Close()
		_ = os.RemoveAll(dir)
	}}, nil
}
