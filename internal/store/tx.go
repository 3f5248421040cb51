package store

import (
	"context"
	"database/sql"
	"fmt"

	"wadesk/internal/helpdesk"
)

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// reads holds the read queries; DB runs them on the reader pool and Tx
// inside its transaction.
type reads struct {
	q  querier
	d  string  // dialect
	in querier // webhook_inbox: q, or the inbox file's readers on SQLite (inbox_file.go)
}

// Tx is one write transaction. It has every read method too, so that rules
// can be checked against the state the transaction will change.
type Tx struct {
	reads
	sqlTx *sql.Tx
	inbox *inboxFile   // SQLite only
	later []inboxWrite // changes to the inbox file, made once this transaction committed
}

// inboxExec changes webhook_inbox: inside the transaction on PostgreSQL; on
// SQLite in the inbox file once this transaction committed, so a delivery is
// never marked done before what it applied is stored.
func (t *Tx) inboxExec(ctx context.Context, what, query string, args ...any) error {
	if t.inbox != nil {
		t.later = append(t.later, inboxWrite{query: query, args: args})
		return nil
	}
	if _, err := t.q.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}

// SQLTx is the underlying transaction, for River's InsertTx (a job is then
// committed together with the change that needs it).
func (t *Tx) SQLTx() *sql.Tx { return t.sqlTx }

var _ helpdesk.Store = (*DB)(nil)
var _ helpdesk.Tx = (*Tx)(nil)

// WithTx runs fn in one write transaction on the writer, committing when fn
// returns nil and rolling back otherwise. On SQLite the transaction starts
// IMMEDIATE, so it never fails half-way on a lock upgrade.
func (db *DB) WithTx(ctx context.Context, fn func(tx helpdesk.Tx) error) error {
	return db.inTx(ctx, func(tx *Tx) error { return fn(tx) })
}

// inTx is WithTx with the concrete type, for the store's own tests.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	sqlTx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
	}()
	var q querier = sqlTx
	if db.dialect == SQLite {
		q = newStmtCache(sqlTx) // see stmtcache.go
	}
	tx := &Tx{reads: reads{q: q, d: db.dialect, in: q}, sqlTx: sqlTx, inbox: db.inbox}
	if db.inbox != nil {
		tx.in = db.inbox.reader
	}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if db.dialect == SQLite {
		if err := indexNewMessages(ctx, q); err != nil {
			_ = sqlTx.Rollback()
			return err
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", mapErr(err))
	}
	if db.inbox != nil && len(tx.later) > 0 {
		if err := db.inbox.apply(ctx, tx.later); err != nil {
			// What the transaction applied is stored; its deliveries stay
			// pending and are applied again, which changes nothing.
			db.log.Warn("store: marking webhook deliveries processed failed; they will be processed again", "error", err)
		}
	}
	return nil
}
