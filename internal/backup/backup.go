// Package backup writes and restores a consistent online backup of a
// one-machine wadesk: the SQLite database (a VACUUM INTO snapshot taken
// while serving), the attachment blobs and the generated secret key, as one
// gzip-compressed tar file.
//
// Consistency comes from the order: the database snapshot is taken first,
// then the blobs are copied. Blobs are content-addressed and immutable, and
// wadesk writes a blob before any row points to it, so every attachment the
// snapshot knows is in the copy (later blobs may be too, unreferenced and
// harmless).
//
// PostgreSQL deployments back up the database with pg_dump and the
// attachments directory with any file backup; see the README.
package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"wadesk/internal/store"
)

// Names inside the archive, relative to the data dir.
const (
	dbName     = "wadesk.db"
	blobsDir   = "blobs"
	secretName = "secret.key"
)

// Summary says what a backup holds.
type Summary struct {
	DatabaseBytes int64
	Blobs         int
	BlobBytes     int64
	SecretKey     bool
}

// Create writes the backup of the running wadesk whose database is db and
// data directory dataDir to w. attachmentsDir is where attachment files
// live ("" when they are in the database, and so in the snapshot); they are
// stored under blobs/ in the archive whatever the directory's name.
func Create(ctx context.Context, db *store.DB, dataDir, attachmentsDir string, w io.Writer) (Summary, error) {
	var sum Summary
	tmp, err := os.MkdirTemp(dataDir, ".backup-*")
	if err != nil {
		return sum, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)
	snap := filepath.Join(tmp, dbName)
	if err := db.Snapshot(ctx, snap); err != nil {
		return sum, fmt.Errorf("backup: %w", err)
	}

	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	if sum.DatabaseBytes, err = addFile(tw, snap, dbName); err != nil {
		return sum, err
	}
	if _, err := os.Stat(filepath.Join(dataDir, secretName)); err == nil {
		if _, err := addFile(tw, filepath.Join(dataDir, secretName), secretName); err != nil {
			return sum, err
		}
		sum.SecretKey = true
	}
	root := attachmentsDir
	if root == "" {
		root = filepath.Join(tmp, "no-attachments") // does not exist: nothing to walk
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == root {
				return fs.SkipDir
			}
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if d.Name() == "tmp" {
				return fs.SkipDir // half-written uploads
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		n, err := addFile(tw, p, blobsDir+"/"+filepath.ToSlash(rel))
		sum.Blobs++
		sum.BlobBytes += n
		return err
	})
	if err != nil {
		return sum, fmt.Errorf("backup: blobs: %w", err)
	}
	if err := tw.Close(); err != nil {
		return sum, fmt.Errorf("backup: %w", err)
	}
	if err := gz.Close(); err != nil {
		return sum, fmt.Errorf("backup: %w", err)
	}
	return sum, nil
}

func addFile(tw *tar.Writer, src, name string) (int64, error) {
	f, err := os.Open(src)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	hdr := &tar.Header{Name: name, Mode: 0o600, Size: st.Size(), ModTime: st.ModTime().UTC().Truncate(time.Second),
		Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return 0, fmt.Errorf("backup: %s: %w", name, err)
	}
	n, err := io.Copy(tw, f)
	if err != nil {
		return n, fmt.Errorf("backup: %s: %w", name, err)
	}
	return n, nil
}

// Restore unpacks a backup into dataDir, which must not hold a database
// yet (restoring over a live install would mix two histories). Only the
// names a backup contains are accepted; anything else is an error.
func Restore(r io.Reader, dataDir string) (Summary, error) {
	var sum Summary
	if _, err := os.Stat(filepath.Join(dataDir, dbName)); err == nil {
		return sum, fmt.Errorf("backup: %s already has a database; restore into an empty data directory", dataDir)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return sum, fmt.Errorf("backup: %w", err)
	}
	gz, err := gzip.NewReader(r)
	if err != nil {
		return sum, fmt.Errorf("backup: not a wadesk backup: %w", err)
	}
	tr := tar.NewReader(gz)
	sawDB := false
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return sum, fmt.Errorf("backup: read: %w", err)
		}
		name := path.Clean(hdr.Name)
		if hdr.Typeflag != tar.TypeReg || !allowed(name) {
			return sum, fmt.Errorf("backup: unexpected entry %q", hdr.Name)
		}
		dst := filepath.Join(dataDir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return sum, fmt.Errorf("backup: %w", err)
		}
		n, err := writeFile(dst, tr)
		if err != nil {
			return sum, err
		}
		switch {
		case name == dbName:
			sawDB, sum.DatabaseBytes = true, n
		case name == secretName:
			sum.SecretKey = true
		default:
			sum.Blobs++
			sum.BlobBytes += n
		}
	}
	if !sawDB {
		return sum, errors.New("backup: the archive has no database")
	}
	return sum, nil
}

// allowed accepts exactly the names Create writes: no absolute paths, no
// "..", nothing outside the database, the key and blobs/.
func allowed(name string) bool {
	if name == dbName || name == secretName {
		return true
	}
	if !strings.HasPrefix(name, blobsDir+"/") || strings.Contains(name, "..") || path.IsAbs(name) {
		return false
	}
	return true
}

func writeFile(dst string, r io.Reader) (int64, error) {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	n, err := io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("backup: write %s: %w", dst, err)
	}
	return n, nil
}
