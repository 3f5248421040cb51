package main

import (
	"context"
	"fmt"
	"time"

	"wadesk/internal/auth"
	"wadesk/internal/secret"
	"wadesk/internal/store"
)

// bigTables are the tables the bulk load fills; their secondary indexes are
// dropped before and rebuilt after, which is several times faster than
// maintaining them row by row.
var bigTables = []string{"customers", "tickets", "messages", "attachments"}

// savedIndex is a secondary index to rebuild after the load.
type savedIndex struct{ name, def string }

// execFunc runs one statement with $n arguments.
type execFunc func(ctx context.Context, sql string, args ...any) error

// loadResult is what the generation took.
type loadResult struct {
	rows, index, finish time.Duration
}

// generateInbox fills the freshly migrated database of t.
func generateInbox(ctx context.Context, t *target, m *model) (loadResult, error) {
	if err := t.migrate(ctx); err != nil {
		return loadResult{}, fmt.Errorf("migrate: %w", err)
	}
	if t.dialect == store.Postgres {
		return loadPostgres(ctx, t, m)
	}
	return loadSQLite(ctx, t, m)
}

// seedTeam writes the groups, agents and channels: few rows, through plain
// INSERTs. Every agent gets the same password hash (argon2id is slow on
// purpose); nobody logs in as them.
func seedTeam(ctx context.Context, exec execFunc, m *model, key []byte) error {
	now := m.start - 24*3600*1000
	for g, name := range groupNames {
		if err := exec(ctx, "INSERT INTO groups (id, name, created_at) VALUES ($1, $2, $3)", int64(g+1), name, now); err != nil {
			return fmt.Errorf("group: %w", err)
		}
	}
	hash, err := auth.HashPassword("largeinbox-agent-password")
	if err != nil {
		return err
	}
	for a := range numAgents {
		name := firstNames[a%len(firstNames)] + " " + lastNames[(a*7)%len(lastNames)]
		err := exec(ctx, `INSERT INTO users (id, email, name, role, password_hash, active, created_at, updated_at)
			VALUES ($1, $2, $3, 'agent', $4, TRUE, $5, $5)`, int64(a+1), fmt.Sprintf("agent%02d@largeinbox.test", a+1), name, hash, now)
		if err != nil {
			return fmt.Errorf("agent: %w", err)
		}
		for _, g := range m.world.AgentGroups[a] {
			if err := exec(ctx, "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)", int64(g+1), int64(a+1)); err != nil {
				return fmt.Errorf("group member: %w", err)
			}
		}
	}
	box, err := secret.NewBox(key)
	if err != nil {
		return err
	}
	for c := range numChannels {
		token, err := box.Seal("largeinbox-token-"+randomHex(16), "channel:access_token")
		if err != nil {
			return err
		}
		appSecret, err := box.Seal(randomHex(16), "channel:app_secret")
		if err != nil {
			return err
		}
		// Reminders and welcome messages off: the measurement must not be
		// mixed with sends to a Cloud API that is not there.
		err = exec(ctx, `INSERT INTO channels (id, name, waba_id, phone_number_id, display_phone_number, verified_name,
				webhook_id, verify_token, access_token_enc, app_secret_enc, group_id, active, reminder_enabled,
				created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, TRUE, FALSE, $12, $12)`,
			int64(c+1), fmt.Sprintf("Shop line %d", c+1), fmt.Sprintf("10%013d", c+1), fmt.Sprintf("20%013d", c+1),
			fmt.Sprintf("+1 555 010 %04d", c+1), "Largeinbox Shop", randomHex(16), randomHex(12), token, appSecret,
			int64(channelGroup[c]+1), now)
		if err != nil {
			return fmt.Errorf("channel: %w", err)
		}
	}
	return nil
}
