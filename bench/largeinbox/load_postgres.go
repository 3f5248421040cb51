package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// loadPostgres drops the secondary indexes, COPYs every row, rebuilds the
// indexes, moves the sequences past the generated ids and runs VACUUM
// ANALYZE (what autovacuum would have done on a live server), so the
// planner has statistics and index-only scans see an all-visible map.
func loadPostgres(ctx context.Context, t *target, m *model) (loadResult, error) {
	var res loadResult
	conn, err := pgx.Connect(ctx, t.dbURL)
	if err != nil {
		return res, fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	exec := func(ctx context.Context, q string, args ...any) error {
		_, err := conn.Exec(ctx, q, args...)
		return err
	}
	for _, q := range []string{"SET synchronous_commit = off", "SET maintenance_work_mem = '512MB'"} {
		if err := exec(ctx, q); err != nil {
			return res, fmt.Errorf("%s: %w", q, err)
		}
	}
	// Foreign-key triggers would check 5 million rows one by one; the
	// generator writes referenced rows first anyway. Needs a superuser:
	// without one the load is only slower.
	if err := exec(ctx, "SET session_replication_role = replica"); err != nil {
		slog.Warn("foreign keys stay checked during the load", "err", err)
	}
	indexes, err := pgSaved(ctx, conn)
	if err != nil {
		return res, err
	}
	for _, ix := range indexes {
		if err := exec(ctx, "DROP INDEX "+pgx.Identifier{ix.name}.Sanitize()); err != nil {
			return res, err
		}
	}

	began := time.Now()
	if err := seedTeam(ctx, exec, m, t.key); err != nil {
		return res, err
	}
	if err := generate(ctx, m, &pgSink{conn: conn}, 20_000); err != nil {
		return res, err
	}
	res.rows = time.Since(began)

	began = time.Now()
	for _, ix := range indexes {
		if err := exec(ctx, ix.def); err != nil {
			return res, fmt.Errorf("%s: %w", ix.def, err)
		}
	}
	res.index = time.Since(began)

	began = time.Now()
	for _, table := range []string{"users", "groups", "channels", "customers", "tickets", "messages", "attachments"} {
		q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM %s), false)", table, table)
		if err := exec(ctx, q); err != nil {
			return res, fmt.Errorf("%s: %w", q, err)
		}
	}
	if err := exec(ctx, "SELECT setval('ticket_number_seq', $1)", int64(10000+max(1, m.world.Tickets))); err != nil {
		return res, err
	}
	for _, table := range append([]string{"users", "groups", "group_members", "channels"}, bigTables...) {
		if err := exec(ctx, "VACUUM (ANALYZE) "+table); err != nil {
			return res, fmt.Errorf("vacuum %s: %w", table, err)
		}
	}
	res.finish = time.Since(began)
	return res, nil
}

// pgSaved lists the big tables' indexes that no constraint owns.
func pgSaved(ctx context.Context, conn *pgx.Conn) ([]savedIndex, error) {
	rows, err := conn.Query(ctx, `SELECT indexname, indexdef FROM pg_indexes
		WHERE schemaname = current_schema() AND tablename = ANY($1)
		  AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE connamespace = current_schema()::regnamespace)
		ORDER BY indexname`, bigTables)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (savedIndex, error) {
		var ix savedIndex
		err := r.Scan(&ix.name, &ix.def)
		return ix, err
	})
}

// pgSink COPYs each batch.
type pgSink struct{ conn *pgx.Conn }

func (s *pgSink) write(ctx context.Context, table string, cols []string, rows [][]any) error {
	n, err := s.conn.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	if int(n) != len(rows) {
		return fmt.Errorf("copy %s: %d of %d rows", table, n, len(rows))
	}
	return nil
}
