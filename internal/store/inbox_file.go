package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"

	"github.com/pressly/goose/v3"

	"wadesk/internal/helpdesk"
)

// On SQLite the webhook inbox lives in a database file of its own,
// wadesk-inbox.db beside wadesk.db. SQLite has one writer per file, and the
// main file's writer is shared by the inbox processor, River and the API: a
// full-text index merge at the end of a processor transaction alone can hold
// it for 50–80 ms, and every webhook ack queued behind it would wait that
// long for its 200. In a file of its own an ack waits only for other acks'
// group commits and the processor's short "done" marks.
//
// Nothing needs a transaction across the two files. A delivery is marked
// done only after the transaction that applied it committed (Tx.FinishInbox
// and friends queue the mark until then), and applying a delivery twice
// changes nothing (messages are unique by wamid, statuses never move back),
// so a crash between the two commits means the delivery is applied again,
// harmlessly. PostgreSQL keeps webhook_inbox in its one database, written in
// the same transaction.
type inboxFile struct {
	path   string
	dsn    string  // for side connections (checkpoints, snapshots)
	writer *sql.DB // one connection: acks' group commits and done marks
	reader *sql.DB // claims and counts; never waits for the writer (WAL)
}

// inboxPath names the inbox file of the main database file at mainPath.
func inboxPath(mainPath string) string {
	if strings.HasSuffix(mainPath, ".db") {
		return strings.TrimSuffix(mainPath, ".db") + "-inbox.db"
	}
	return mainPath + "-inbox"
}

// openInboxFile opens (creating and migrating) the inbox file of the SQLite
// database at mainPath. It is wadesk's private queue, so it is migrated at
// open rather than by `wadesk migrate`.
func openInboxFile(ctx context.Context, mainPath string) (*inboxFile, error) {
	f := &inboxFile{path: inboxPath(mainPath)}
	f.dsn = "file:" + (&url.URL{Path: f.path}).EscapedPath() + "?" + sqlitePragmas
	var err error
	// As the main writer: no checkpoint inside an ack's commit (RunCheckpoints
	// does them beside it), IMMEDIATE transactions.
	if f.writer, err = sql.Open("sqlite", f.dsn+"&_pragma=wal_autocheckpoint(0)&_txlock=immediate"); err != nil {
		return nil, fmt.Errorf("store: open inbox %s: %w", f.path, err)
	}
	f.writer.SetMaxOpenConns(1)
	f.writer.SetConnMaxIdleTime(0)
	if f.reader, err = sql.Open("sqlite", f.dsn+"&_query_only=1"); err != nil {
		f.writer.Close()
		return nil, fmt.Errorf("store: open inbox %s: %w", f.path, err)
	}
	f.reader.SetMaxOpenConns(2)
	if err := f.migrate(ctx); err != nil {
		f.close()
		return nil, err
	}
	return f, nil
}

func (f *inboxFile) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrationFiles, "migrations/sqlite-inbox")
	if err == nil {
		var p *goose.Provider
		if p, err = goose.NewProvider(goose.DialectSQLite3, f.writer, sub, goose.WithDisableGlobalRegistry(true)); err == nil {
			_, err = p.Up(ctx)
		}
	}
	if err != nil {
		return fmt.Errorf("store: migrate inbox %s: %w", f.path, err)
	}
	return nil
}

func (f *inboxFile) close() error {
	return errors.Join(f.reader.Close(), f.writer.Close())
}

// inboxWrite is a change to webhook_inbox waiting for the main commit.
type inboxWrite struct {
	query string
	args  []any
}

// inTx runs fn in one transaction of the inbox file's writer.
func (f *inboxFile) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := f.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return mapErr(tx.Commit())
}

// apply runs the writes queued by a committed main transaction in one
// transaction of the inbox file.
func (f *inboxFile) apply(ctx context.Context, writes []inboxWrite) error {
	return f.inTx(ctx, func(tx *sql.Tx) error {
		for _, w := range writes {
			if _, err := tx.ExecContext(ctx, w.query, w.args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// InboxDB is the connection that holds webhook_inbox: the inbox file's
// writer on SQLite, the pool on PostgreSQL. For tests and tools that look at
// the raw deliveries.
func (db *DB) InboxDB() *sql.DB {
	if db.inbox != nil {
		return db.inbox.writer
	}
	return db.writer
}

// AppendInbox stores webhook deliveries with one multi-row INSERT in a
// transaction of their own: on SQLite in the inbox file (an ack never waits
// for the main writer), on PostgreSQL with a NOTIFY wadesk_inbox, which
// PostgreSQL delivers at commit. Each item keeps its State (InboxPending when
// empty) and Error; IDs are not read back (the processor finds the rows by
// state).
func (db *DB) AppendInbox(ctx context.Context, items []*helpdesk.InboxItem) error {
	if len(items) == 0 {
		return nil
	}
	if db.inbox == nil {
		return db.inTx(ctx, func(tx *Tx) error { return tx.appendInbox(ctx, items) })
	}
	if err := db.inbox.inTx(ctx, func(tx *sql.Tx) error { return insertInbox(ctx, tx, items) }); err != nil {
		return fmt.Errorf("store: append inbox: %w", err)
	}
	return nil
}

// adoptLegacyInbox moves deliveries from the main file's webhook_inbox into
// the inbox file: rows an older wadesk stored there, or rows a backup carried
// (see Snapshot). The copy commits before the delete, so a crash in between
// leaves a delivery in both, which is applied once (idempotent processing).
func (db *DB) adoptLegacyInbox(ctx context.Context) error {
	if db.inbox == nil {
		return nil
	}
	items, err := queryAll(ctx, db.writer, scanInbox,
		"SELECT "+inboxItemColumns+" FROM webhook_inbox ORDER BY id")
	if err != nil {
		return fmt.Errorf("store: adopt inbox rows: %w", err)
	}
	if len(items) == 0 {
		return nil
	}
	err = db.inbox.inTx(ctx, func(tx *sql.Tx) error {
		for _, it := range items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_inbox (channel_id, received_at, body, state, attempts, error, processed_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, nullID(it.ChannelID), toMs(it.ReceivedAt), it.Body, it.State, it.Attempts,
				it.Error, nullMs(it.ProcessedAt)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: adopt inbox rows: %w", err)
	}
	if _, err := db.writer.ExecContext(ctx, "DELETE FROM webhook_inbox WHERE id <= $1", items[len(items)-1].ID); err != nil {
		return fmt.Errorf("store: adopt inbox rows: %w", err)
	}
	db.log.Info("store: moved webhook deliveries into the inbox file", "rows", len(items), "file", db.inbox.path)
	return nil
}
