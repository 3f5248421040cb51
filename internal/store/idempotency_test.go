package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"wadesk/internal/helpdesk"
	"wadesk/internal/jobs"
	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

// claim claims rec in its own transaction and, when claimed, stores body
// as the response; it reports whether it claimed. (Errorf, not Fatalf:
// it runs in goroutines.)
func claim(t *testing.T, db *store.DB, rec helpdesk.IdempotencyRecord, body string) bool {
	t.Helper()
	ctx := context.Background()
	var claimed bool
	err := db.WithTx(ctx, func(tx helpdesk.Tx) (err error) {
		claimed, err = tx.ClaimIdempotencyKey(ctx, &rec, rec.CreatedAt.Add(-helpdesk.IdempotencyKeyTTL))
		if err != nil || !claimed {
			return err
		}
		rec.Status, rec.Body = 202, []byte(body)
		return tx.SetIdempotencyResponse(ctx, &rec)
	})
	if err != nil {
		t.Errorf("claim %+v: %v", rec, err)
	}
	return claimed
}

func stored(t *testing.T, db *store.DB, rec helpdesk.IdempotencyRecord) (*helpdesk.IdempotencyRecord, error) {
	t.Helper()
	ctx := context.Background()
	var got *helpdesk.IdempotencyRecord
	err := db.WithTx(ctx, func(tx helpdesk.Tx) (err error) {
		got, err = tx.IdempotencyRecordFor(ctx, rec.UserID, rec.Route, rec.TicketID, rec.Key)
		return err
	})
	return got, err
}

// A key is claimed once per (user, route, ticket); its response is stored
// with the claim; after the TTL the claim replaces it, and the cleanup
// deletes it.
func TestIdempotencyKeys(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var users []int64
		for _, email := range []string{"a@example.com", "b@example.com"} {
			u := &helpdesk.User{Email: email, Name: "U", Role: helpdesk.RoleAgent, PasswordHash: "h", Active: true, CreatedAt: t0, UpdatedAt: t0}
			if err := db.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.CreateUser(ctx, u) }); err != nil {
				t.Fatal(err)
			}
			users = append(users, u.ID)
		}
		rec := helpdesk.IdempotencyRecord{UserID: users[0], Route: "POST /r", TicketID: 7, Key: "k-1", RequestHash: "h1", CreatedAt: t0}
		if !claim(t, db, rec, `{"id":"1"}`) {
			t.Fatal("first claim refused")
		}
		if claim(t, db, rec, `{"id":"2"}`) {
			t.Fatal("second claim of the same key succeeded")
		}
		got, err := stored(t, db, rec)
		if err != nil || got.Status != 202 || string(got.Body) != `{"id":"1"}` || got.RequestHash != "h1" || !got.CreatedAt.Equal(t0) {
			t.Fatalf("stored = %+v, %v", got, err)
		}
		for name, other := range map[string]helpdesk.IdempotencyRecord{
			"another user":   {UserID: users[1], Route: rec.Route, TicketID: rec.TicketID, Key: rec.Key},
			"another ticket": {UserID: users[0], Route: rec.Route, TicketID: 8, Key: rec.Key},
			"another route":  {UserID: users[0], Route: "POST /other", TicketID: rec.TicketID, Key: rec.Key},
		} {
			other.RequestHash, other.CreatedAt = "h2", t0
			if !claim(t, db, other, "{}") {
				t.Errorf("%s: the same key was refused", name)
			}
		}

		// Past the TTL the key counts as new.
		late := rec
		late.RequestHash, late.CreatedAt = "h3", t0.Add(helpdesk.IdempotencyKeyTTL+time.Second)
		if !claim(t, db, late, `{"id":"3"}`) {
			t.Fatal("an expired key was not claimed again")
		}
		if got, _ := stored(t, db, rec); got == nil || string(got.Body) != `{"id":"3"}` || got.RequestHash != "h3" {
			t.Fatalf("after re-claim: %+v", got)
		}

		// The cleanup deletes keys older than the TTL, and only those.
		cw := &jobs.CleanupWorker{DB: db.Writer(), Now: func() time.Time { return t0.Add(helpdesk.IdempotencyKeyTTL + time.Minute) }}
		if err := cw.Work(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := stored(t, db, late); err != nil {
			t.Errorf("a live key was pruned: %v", err)
		}
		if _, err := stored(t, db, helpdesk.IdempotencyRecord{UserID: users[1], Route: rec.Route, TicketID: rec.TicketID, Key: rec.Key}); !errors.Is(err, helpdesk.ErrNotFound) {
			t.Errorf("an expired key survived the cleanup: %v", err)
		}
	})
}

// Concurrent claims of one key: exactly one transaction claims it, and
// every other one, once it may look, finds the stored response.
func TestIdempotencyKeyConcurrentClaims(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := &helpdesk.User{Email: "c@example.com", Name: "C", Role: helpdesk.RoleAgent, PasswordHash: "h", Active: true, CreatedAt: t0, UpdatedAt: t0}
		if err := db.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.CreateUser(ctx, u) }); err != nil {
			t.Fatal(err)
		}
		rec := helpdesk.IdempotencyRecord{UserID: u.ID, Route: "POST /r", Key: "race", RequestHash: "h", CreatedAt: t0}
		var wg sync.WaitGroup
		var mu sync.Mutex
		claims := 0
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if claim(t, db, rec, `{"id":"1"}`) {
					mu.Lock()
					claims++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if claims != 1 {
			t.Fatalf("%d claims of one key, want 1", claims)
		}
		if got, err := stored(t, db, rec); err != nil || got.Status != 202 {
			t.Fatalf("stored = %+v, %v", got, err)
		}
	})
}
