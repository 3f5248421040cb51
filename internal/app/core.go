// Package app assembles wadesk from its parts: Core is the database and the
// domain service (enough for one-shot CLI commands); App adds HTTP, job
// workers and a graceful shutdown, built from a config.Config so tests boot
// the real thing on 127.0.0.1:0 with a temp data dir.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"wadesk/internal/blob"
	"wadesk/internal/config"
	"wadesk/internal/helpdesk"
	"wadesk/internal/jobs"
	"wadesk/internal/secret"
	"wadesk/internal/store"
)

// Core is the database with its schema applied, and the domain on top.
type Core struct {
	Config  *config.Config
	Logger  *slog.Logger
	DB      *store.DB
	Service *helpdesk.Service
	Secrets *secret.Box
	Blobs   blob.Store
}

// OpenCore opens the database, applies migrations (wadesk's and River's)
// and refuses a schema newer than this binary knows.
func OpenCore(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*Core, error) {
	return openCore(ctx, cfg, logger, helpdesk.Options{Logger: logger})
}

func openCore(ctx context.Context, cfg *config.Config, logger *slog.Logger, svcOpts helpdesk.Options) (*Core, error) {
	box, err := secret.NewBox(cfg.SecretKey)
	if err != nil {
		return nil, err
	}
	db, err := openAndMigrate(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	var blobs blob.Store = &blob.Table{DB: db.Writer()}
	if cfg.Attachments == "dir" {
		if blobs, err = blob.NewDir(cfg.AttachmentsDir); err != nil {
			db.Close()
			return nil, err
		}
	}
	svc := helpdesk.NewService(db, svcOpts)
	return &Core{Config: cfg, Logger: logger, DB: db, Service: svc, Secrets: box, Blobs: blobs}, nil
}

func openAndMigrate(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*store.DB, error) {
	openCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	db, err := store.Open(openCtx, store.Config{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database: %w", err)
	}
	ok, err := db.SchemaUpToDate(ctx)
	if err == nil && !ok {
		err = errors.New("the database schema is newer than this wadesk binary; upgrade wadesk")
	}
	if err == nil {
		err = jobs.Migrate(ctx, db)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("database: %w", err)
	}
	return db, nil
}

// Migrate applies every migration and closes the database again.
func Migrate(ctx context.Context, cfg *config.Config, logger *slog.Logger) error {
	db, err := openAndMigrate(ctx, cfg, logger)
	if err != nil {
		return err
	}
	return db.Close()
}

// Close closes the database.
func (c *Core) Close() error { return c.DB.Close() }
