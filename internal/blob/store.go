package blob

import (
	"context"
	"io"
)

// Store keeps attachment bytes by SHA-256. Dir keeps them in a directory
// (the default; on several instances, a directory they all mount); Table
// keeps them in the database, so instances need nothing shared but the
// database.
type Store interface {
	// Put stores the bytes of r and returns their SHA-256 (lowercase hex)
	// and size. Storing the same bytes twice is harmless.
	Put(ctx context.Context, r io.Reader) (sha string, size int64, err error)
	// Open returns the bytes, or ErrNotFound. The reader is an
	// io.ReadSeeker when the store can seek (both can), for HTTP ranges.
	Open(sha string) (io.ReadCloser, error)
	// Has reports whether the blob is stored.
	Has(sha string) bool
}

var (
	_ Store = (*Dir)(nil)
	_ Store = (*Table)(nil)
)
