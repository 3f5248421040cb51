package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"wadesk/internal/blob"
	"wadesk/internal/helpdesk"
	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

func TestBackupWhileWritingThenRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "secret.key"), []byte("key\n"), 0o600)
	blobs, _ := blob.NewDir(filepath.Join(dir, "blobs"))
	sha, _, err := blobs.Put(ctx, strings.NewReader("a picture"))
	if err != nil {
		t.Fatal(err)
	}
	svc := storetest.NewService(t, db, time.Now)
	if _, err := svc.CreateUser(ctx, helpdesk.NewUser{Email: "first@example.com", Name: "First", Role: helpdesk.RoleAdmin, Password: "password1"}); err != nil {
		t.Fatal(err)
	}

	// Keep writing while the backup runs: the snapshot must not block or break.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			svc.CreateGroup(ctx, "g"+strings.Repeat("x", i%7)+time.Now().Format("150405.000000"), nil)
		}
	})
	var buf bytes.Buffer
	sum, err := Create(ctx, db, dir, filepath.Join(dir, "blobs"), &buf)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sum.Blobs != 1 || !sum.SecretKey || sum.DatabaseBytes == 0 {
		t.Fatalf("summary %+v", sum)
	}

	restored := t.TempDir()
	if _, err := Restore(bytes.NewReader(buf.Bytes()), restored); err != nil {
		t.Fatal(err)
	}
	db2, err := store.Open(ctx, store.Config{DataDir: restored})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if ok, err := db2.SchemaUpToDate(ctx); err != nil || !ok {
		t.Fatalf("restored schema up to date = %v, %v", ok, err)
	}
	if _, err := db2.UserByEmail(ctx, "first@example.com"); err != nil {
		t.Fatalf("restored database lacks the user: %v", err)
	}
	if !(blob.Dir{Root: filepath.Join(restored, "blobs")}).Has(sha) {
		t.Fatal("restored blobs lack the attachment")
	}
	if _, err := Restore(bytes.NewReader(buf.Bytes()), restored); err == nil {
		t.Fatal("restoring over an existing database must fail")
	}
}

func TestRestoreRejectsForeignArchives(t *testing.T) {
	for _, name := range []string{"../evil", "/etc/passwd", "blobs/../../x", "other.txt"} {
		var buf bytes.Buffer
		gz := gzip.NewWriter(&buf)
		tw := tar.NewWriter(gz)
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: 1, Typeflag: tar.TypeReg})
		tw.Write([]byte("x"))
		tw.Close()
		gz.Close()
		if _, err := Restore(&buf, t.TempDir()); err == nil {
			t.Errorf("entry %q accepted", name)
		}
	}
	if _, err := Restore(strings.NewReader("not gzip"), t.TempDir()); err == nil {
		t.Error("garbage accepted")
	}
}

func TestPostgresIsRefused(t *testing.T) {
	db := storetest.OpenPostgres(t)
	if _, err := Create(context.Background(), db, t.TempDir(), "", &bytes.Buffer{}); err == nil {
		t.Fatal("want ErrBackupUnsupported")
	}
}
