// Package blob stores attachment bytes by content: a file's name is the
// SHA-256 of its bytes, so storing the same file twice keeps one copy and a
// stored file never changes.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrNotFound is returned by Open for an unknown or malformed sha256.
var ErrNotFound = errors.New("blob: not found")

// Dir is a blob store under Root, laid out as Root/ab/cd/<sha256 hex>.
type Dir struct {
	Root string
}

// NewDir returns a Dir at root, creating the directory if needed, so that
// a data directory without write permission fails at start, not at the
// first attachment.
func NewDir(root string) (*Dir, error) {
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &Dir{Root: root}, nil
}

// Put stores the bytes of r and returns their SHA-256 (lowercase hex) and
// size. The bytes are written to a temporary file, synced, then renamed
// into place, so a reader never sees a partial blob.
func (d Dir) Put(ctx context.Context, r io.Reader) (sha string, size int64, err error) {
	tmpDir := filepath.Join(d.Root, "tmp")
	if err := os.MkdirAll(tmpDir, 0o700); err != nil {
		return "", 0, fmt.Errorf("blob: put: %w", err)
	}
	tmp, err := os.CreateTemp(tmpDir, "put-*")
	if err != nil {
		return "", 0, fmt.Errorf("blob: put: %w", err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name()) // no-op after the rename
	}()
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, r})
	if err != nil {
		return "", 0, fmt.Errorf("blob: put: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, fmt.Errorf("blob: put: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", 0, fmt.Errorf("blob: put: %w", err)
	}
	sha = hex.EncodeToString(h.Sum(nil))
	final := d.path(sha)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return "", 0, fmt.Errorf("blob: put: %w", err)
	}
	// Renaming over an existing blob is harmless: same name, same bytes.
	if err := os.Rename(tmp.Name(), final); err != nil {
		return "", 0, fmt.Errorf("blob: put: %w", err)
	}
	if dir, err := os.Open(filepath.Dir(final)); err == nil {
		dir.Sync() // make the rename itself durable
		dir.Close()
	}
	return sha, size, nil
}

// Open returns the blob's bytes.
func (d Dir) Open(sha string) (io.ReadCloser, error) {
	if !validSHA(sha) {
		return nil, ErrNotFound
	}
	f, err := os.Open(d.path(sha))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("blob: open: %w", err)
	}
	return f, nil
}

// Has reports whether the blob is stored.
func (d Dir) Has(sha string) bool {
	if !validSHA(sha) {
		return false
	}
	_, err := os.Stat(d.path(sha))
	return err == nil
}

func (d Dir) path(sha string) string {
	return filepath.Join(d.Root, sha[0:2], sha[2:4], sha)
}

// validSHA accepts only 64 lowercase hex digits, so a sha from a URL can
// never name a path outside Root.
func validSHA(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ctxReader stops a long copy when ctx is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
