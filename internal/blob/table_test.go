package blob_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"wadesk/internal/blob"
	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

func TestTableOnBothDatabases(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var s blob.Store = &blob.Table{DB: db.Writer()}
		sha, n, err := s.Put(ctx, strings.NewReader("hello attachment"))
		if err != nil {
			t.Fatal(err)
		}
		if n != 16 || sha != "7fa36b95d5c98859ed72b4787f3c28b29eaa103970786755c9711cbb19be631c" {
			t.Fatalf("Put = %s, %d", sha, n)
		}
		if _, _, err := s.Put(ctx, strings.NewReader("hello attachment")); err != nil {
			t.Fatalf("second Put of the same bytes: %v", err)
		}
		rc, err := s.Open(sha)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != "hello attachment" || !s.Has(sha) {
			t.Fatalf("Open = %q", b)
		}
		if _, err := rc.(io.Seeker).Seek(0, io.SeekStart); err != nil {
			t.Error("Open must return a seeker for HTTP ranges")
		}
		for _, bad := range []string{"", "../x", strings.Repeat("0", 64)} {
			if _, err := s.Open(bad); err != blob.ErrNotFound || s.Has(bad) {
				t.Errorf("Open(%q) = %v", bad, err)
			}
		}
	})
}
