package helpdesk_test

import (
	"context"
	"testing"
	"time"

	"wadesk/internal/helpdesk"
	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

func TestCreateUser(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		cases := []struct {
			name      string
			in        helpdesk.NewUser
			code      string
			badField  string
			wantEmail string
		}{
			{"valid agent, email trimmed and lowercased", helpdesk.NewUser{Email: "  New.Agent@Example.COM ", Name: "New", Role: helpdesk.RoleAgent, Password: password, GroupIDs: []int64{w.groupA.ID}}, "", "", "new.agent@example.com"},
			{"duplicate email in other case → conflict", helpdesk.NewUser{Email: "ADMIN@example.com", Name: "X", Role: helpdesk.RoleAdmin, Password: password}, helpdesk.ECodeConflict, "email", ""},
			{"bad email", helpdesk.NewUser{Email: "not-an-email", Name: "X", Role: helpdesk.RoleAgent, Password: password}, helpdesk.ECodeInvalid, "email", ""},
			{"missing name", helpdesk.NewUser{Email: "x@example.com", Name: "  ", Role: helpdesk.RoleAgent, Password: password}, helpdesk.ECodeInvalid, "name", ""},
			{"unknown role", helpdesk.NewUser{Email: "x@example.com", Name: "X", Role: "root", Password: password}, helpdesk.ECodeInvalid, "role", ""},
			{"short password", helpdesk.NewUser{Email: "x@example.com", Name: "X", Role: helpdesk.RoleAgent, Password: "short"}, helpdesk.ECodeInvalid, "password", ""},
			{"unknown group", helpdesk.NewUser{Email: "x@example.com", Name: "X", Role: helpdesk.RoleAgent, Password: password, GroupIDs: []int64{9999}}, helpdesk.ECodeInvalid, "group_ids", ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				u, err := w.svc.CreateUser(ctx, tc.in)
				wantCode(t, err, tc.code)
				if tc.code != "" {
					if he := err.(*helpdesk.Error); he.Fields[tc.badField] == "" {
						t.Errorf("fields = %v, want %s", he.Fields, tc.badField)
					}
					return
				}
				if u.Email != tc.wantEmail || !u.Active || u.PasswordHash == tc.in.Password || len(u.GroupIDs) != len(tc.in.GroupIDs) {
					t.Errorf("user = %+v", u)
				}
				got, err := w.svc.UserByEmail(ctx, tc.in.Email)
				if err != nil || got.ID != u.ID {
					t.Errorf("UserByEmail = %v, %v", got, err)
				}
			})
		}
		if n, err := w.svc.CountUsers(ctx); err != nil || n != 4 {
			t.Errorf("CountUsers = %d, %v; want 4", n, err)
		}
	})
}

func TestListUsersWalksEveryUserOnce(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		seen := map[int64]int{}
		page := helpdesk.Page{Limit: 2}
		for range 10 {
			users, next, err := w.svc.ListUsers(context.Background(), page)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range users {
				seen[u.ID]++
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
		if len(seen) != 3 {
			t.Errorf("saw %d users, want 3: %v", len(seen), seen)
		}
	})
}

func TestLogin(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		cases := []struct {
			name, email, password, code string
		}{
			{"good password, email in other case", " A@Example.com", password, ""},
			{"wrong password", "a@example.com", "wrong password", helpdesk.ECodeUnauthorized},
			{"unknown email", "nobody@example.com", password, helpdesk.ECodeUnauthorized},
			{"empty password", "a@example.com", "", helpdesk.ECodeUnauthorized},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				u, raw, sess, err := w.svc.Login(ctx, tc.email, tc.password)
				wantCode(t, err, tc.code)
				if tc.code != "" {
					return
				}
				if u.ID != w.agentA.ID || raw == "" || sess.CSRFToken == "" || sess.TokenHash == raw {
					t.Fatalf("Login = %v, %q, %+v", u, raw, sess)
				}
				got, _, err := w.svc.SessionUser(ctx, raw)
				if err != nil || got.ID != u.ID {
					t.Fatalf("SessionUser = %v, %v", got, err)
				}
			})
		}
	})
}

func TestSessionExpiryAndLogout(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		_, raw, _, err := w.svc.Login(ctx, "a@example.com", password)
		if err != nil {
			t.Fatal(err)
		}
		// Used every 10 days, the session slides and stays alive past 14 days.
		for range 3 {
			w.clock.Advance(10 * 24 * time.Hour)
			if _, _, err := w.svc.SessionUser(ctx, raw); err != nil {
				t.Fatalf("session died while in use: %v", err)
			}
		}
		// 14 days idle: expired.
		w.clock.Advance(helpdesk.SessionIdle)
		_, _, err = w.svc.SessionUser(ctx, raw)
		wantCode(t, err, helpdesk.ECodeUnauthorized)

		_, raw, _, err = w.svc.Login(ctx, "a@example.com", password)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Logout(ctx, raw); err != nil {
			t.Fatal(err)
		}
		_, _, err = w.svc.SessionUser(ctx, raw)
		wantCode(t, err, helpdesk.ECodeUnauthorized)
		_, _, err = w.svc.SessionUser(ctx, "never-issued")
		wantCode(t, err, helpdesk.ECodeUnauthorized)
	})
}

func TestAPITokens(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		raw, tok, err := w.svc.CreateAPIToken(ctx, w.agentA.ID, "ci")
		if err != nil {
			t.Fatal(err)
		}
		if tok.TokenHash == raw || tok.Prefix != raw[:len(tok.Prefix)] {
			t.Fatalf("token stored in plain text or bad prefix: %+v", tok)
		}
		u, err := w.svc.AuthenticateToken(ctx, raw)
		if err != nil || u.ID != w.agentA.ID {
			t.Fatalf("AuthenticateToken = %v, %v", u, err)
		}
		toks, err := w.svc.ListAPITokens(ctx, w.agentA.ID)
		if err != nil || len(toks) != 1 || toks[0].LastUsedAt == nil || !toks[0].LastUsedAt.Equal(w.clock.Now()) {
			t.Fatalf("after use: %+v, %v", toks, err)
		}
		// last_used_at is written at most once a minute.
		w.clock.Advance(30 * time.Second)
		check(w.svc.AuthenticateToken(ctx, raw))(t)
		toks = check(w.svc.ListAPITokens(ctx, w.agentA.ID))(t)
		if !toks[0].LastUsedAt.Equal(w.clock.Now().Add(-30 * time.Second)) {
			t.Errorf("last_used_at moved within a minute: %v", toks[0].LastUsedAt)
		}

		wantCode(t, w.svc.RevokeAPIToken(ctx, w.agentB.ID, tok.ID), helpdesk.ECodeNotFound) // someone else's token
		wantCode(t, w.svc.RevokeAPIToken(ctx, w.agentA.ID, tok.ID), "")
		_, err = w.svc.AuthenticateToken(ctx, raw)
		wantCode(t, err, helpdesk.ECodeUnauthorized)
		_, err = w.svc.AuthenticateToken(ctx, "wdk_unknown")
		wantCode(t, err, helpdesk.ECodeUnauthorized)
		_, _, err = w.svc.CreateAPIToken(ctx, w.agentA.ID, "")
		wantCode(t, err, helpdesk.ECodeInvalid)
	})
}

func TestChangePassword(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		wantCode(t, w.svc.ChangePassword(ctx, w.agentA.ID, "wrong", "new password 1"), helpdesk.ECodeInvalid)
		wantCode(t, w.svc.ChangePassword(ctx, w.agentA.ID, password, "short"), helpdesk.ECodeInvalid)
		wantCode(t, w.svc.ChangePassword(ctx, w.agentA.ID, password, "new password 1"), "")
		_, _, _, err := w.svc.Login(ctx, "a@example.com", password)
		wantCode(t, err, helpdesk.ECodeUnauthorized)
		_, _, _, err = w.svc.Login(ctx, "a@example.com", "new password 1")
		wantCode(t, err, "")
	})
}

func TestGroups(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		_, err := w.svc.CreateGroup(ctx, "Support A", nil)
		wantCode(t, err, helpdesk.ECodeConflict)
		_, err = w.svc.CreateGroup(ctx, "", nil)
		wantCode(t, err, helpdesk.ECodeInvalid)
		_, err = w.svc.CreateGroup(ctx, "Ghosts", []int64{12345})
		wantCode(t, err, helpdesk.ECodeInvalid)

		wantCode(t, w.svc.SetGroupMembers(ctx, w.groupB.ID, []int64{w.agentA.ID, w.agentB.ID, w.agentA.ID}), "")
		members := check(w.svc.GroupMembers(ctx, w.groupB.ID))(t)
		if len(members) != 2 {
			t.Errorf("members = %v, want agents A and B", members)
		}
		wantCode(t, w.svc.SetGroupMembers(ctx, 9999, nil), helpdesk.ECodeNotFound)
		u := check(w.svc.User(ctx, w.agentA.ID))(t)
		if len(u.GroupIDs) != 2 {
			t.Errorf("agent A groups = %v, want 2", u.GroupIDs)
		}
		groups, next, err := w.svc.ListGroups(ctx, helpdesk.Page{})
		if err != nil || len(groups) != 2 || next != "" {
			t.Errorf("ListGroups = %v, %q, %v", groups, next, err)
		}
	})
}
