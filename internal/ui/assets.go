package ui

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// asset is one embedded static file, served under a content-hashed name so
// browsers may cache it forever: a changed file gets a new URL.
type asset struct {
	body        []byte
	contentType string
}

// assets maps logical names ("app.css") to hashed URLs and hashed names to
// bytes. Built once at start; read-only afterwards.
type assets struct {
	urls  map[string]string // "app.css" → "/static/app.1a2b3c4d5e.css"
	files map[string]asset  // "app.1a2b3c4d5e.css" → bytes
}

// loadAssets reads every embedded file under static/ and names it by the
// first 10 hex digits of its SHA-256.
func loadAssets() (*assets, error) {
	a := &assets{urls: map[string]string{}, files: map[string]asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".md") {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := path.Base(p)
		sum := sha256.Sum256(b)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		a.urls[name] = "/static/" + hashed
		a.files[hashed] = asset{body: b, contentType: ct}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ui: static assets: %w", err)
	}
	return a, nil
}

// url is the template function "asset": the hashed URL of a logical name.
// An unknown name is a programming error caught when templates execute.
func (a *assets) url(name string) (string, error) {
	u, ok := a.urls[name]
	if !ok {
		return "", fmt.Errorf("ui: no static asset %q", name)
	}
	return u, nil
}

// ServeHTTP serves GET /static/{name}: immutable for a year, since the
// name changes with the content.
func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := a.files[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(f.body)
}
