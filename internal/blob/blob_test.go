package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wadesk/internal/blob"
)

func TestPutStoresContentAddressedAndIdempotent(t *testing.T) {
	d := blob.Dir{Root: t.TempDir()}
	data := []byte("hello, voice note")
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	for i := range 2 { // the second Put of the same bytes must be a no-op
		sha, size, err := d.Put(context.Background(), bytes.NewReader(data))
		if err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
		if sha != want || size != int64(len(data)) {
			t.Fatalf("put %d = %s, %d; want %s, %d", i, sha, size, want, len(data))
		}
	}
	if _, err := os.Stat(filepath.Join(d.Root, want[:2], want[2:4], want)); err != nil {
		t.Fatalf("blob not at ab/cd/<sha>: %v", err)
	}
	if !d.Has(want) {
		t.Error("Has = false after Put")
	}
	rc, err := d.Open(want)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, data) {
		t.Errorf("Open read %q, want %q", got, data)
	}
	tmp, _ := os.ReadDir(filepath.Join(d.Root, "tmp"))
	if len(tmp) != 0 {
		t.Errorf("temporary files left behind: %d", len(tmp))
	}
}

func TestNewDirCreatesRootOrFails(t *testing.T) {
	root := filepath.Join(t.TempDir(), "data", "blobs")
	d, err := blob.NewDir(root)
	if err != nil || d.Root != root {
		t.Fatalf("NewDir = %v, %v", d, err)
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		t.Fatalf("root not created: %v", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := blob.NewDir(filepath.Join(file, "blobs")); err == nil {
		t.Error("NewDir under a regular file succeeded")
	}
}

func TestOpenRejectsUnknownAndMalformed(t *testing.T) {
	d := blob.Dir{Root: t.TempDir()}
	for name, sha := range map[string]string{
		"unknown":        strings.Repeat("a", 64),
		"uppercase":      strings.Repeat("A", 64),
		"path traversal": "../../../../etc/passwd" + strings.Repeat("0", 42),
		"short":          "abcd",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := d.Open(sha); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("Open = %v, want ErrNotFound", err)
			}
			if d.Has(sha) {
				t.Error("Has = true")
			}
		})
	}
}

func TestPutStopsWhenContextCancelled(t *testing.T) {
	d := blob.Dir{Root: t.TempDir()}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := d.Put(ctx, strings.NewReader("x")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put = %v, want context.Canceled", err)
	}
}
