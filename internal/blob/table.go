package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"
)

// MaxTableBlob bounds one blob in the database. The Cloud API's largest
// files (documents) are 100 MB; a blob is held in memory while it is
// written or read, which is the price of needing no shared directory.
const MaxTableBlob = 100 << 20

// Table keeps blobs in the `blobs` table of the wadesk database (migration
// 00007), for several instances that share only PostgreSQL.
type Table struct {
	DB *sql.DB
}

// Put implements Store.
func (t *Table) Put(ctx context.Context, r io.Reader) (string, int64, error) {
	var buf bytes.Buffer
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(&buf, h), io.LimitReader(ctxReader{ctx, r}, MaxTableBlob+1))
	if err != nil {
		return "", 0, fmt.Errorf("blob: put: %w", err)
	}
	if n > MaxTableBlob {
		return "", 0, fmt.Errorf("blob: put: larger than %d bytes", MaxTableBlob)
	}
	sha := hex.EncodeToString(h.Sum(nil))
	_, err = t.DB.ExecContext(ctx, `INSERT INTO blobs (sha256, size, data, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (sha256) DO NOTHING`, sha, n, buf.Bytes(), time.Now().UnixMilli())
	if err != nil {
		return "", 0, fmt.Errorf("blob: put: %w", err)
	}
	return sha, n, nil
}

// Open implements Store.
func (t *Table) Open(sha string) (io.ReadCloser, error) {
	if !validSHA(sha) {
		return nil, ErrNotFound
	}
	var data []byte
	err := t.DB.QueryRow(`SELECT data FROM blobs WHERE sha256 = $1`, sha).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("blob: open: %w", err)
	}
	return readSeekNopCloser{bytes.NewReader(data)}, nil
}

// Has implements Store.
func (t *Table) Has(sha string) bool {
	if !validSHA(sha) {
		return false
	}
	var one int
	return t.DB.QueryRow(`SELECT 1 FROM blobs WHERE sha256 = $1`, sha).Scan(&one) == nil
}

type readSeekNopCloser struct{ *bytes.Reader }

func (readSeekNopCloser) Close() error { return nil }
