package helpdesk_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"wadesk/internal/helpdesk"
	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

func TestTicketVisibility(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		inA := w.ticket(t, "in group A", &w.groupA.ID, "hello A")
		inB := w.ticket(t, "in group B", &w.groupB.ID, "hello B")
		noGroup := w.ticket(t, "no group", nil, "hello")
		cases := []struct {
			name    string
			actor   *helpdesk.User
			ticket  *helpdesk.Ticket
			visible bool
		}{
			{"admin sees group A", w.admin, inA, true},
			{"admin sees ungrouped", w.admin, noGroup, true},
			{"agent A sees group A", w.agentA, inA, true},
			{"agent A does not see group B → not_found", w.agentA, inB, false},
			{"agent A does not see ungrouped → not_found", w.agentA, noGroup, false},
			{"agent B sees group B", w.agentB, inB, true},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				want := helpdesk.ECodeNotFound
				if tc.visible {
					want = ""
				}
				_, err := w.svc.Ticket(ctx, tc.actor, tc.ticket.ID)
				wantCode(t, err, want)
				_, _, err = w.svc.ListMessages(ctx, tc.actor, tc.ticket.ID, helpdesk.Page{})
				wantCode(t, err, want)
				_, err = w.svc.UpdateTicket(ctx, tc.actor, tc.ticket.ID, helpdesk.TicketPatch{Title: ptr("x")})
				wantCode(t, err, want)
				_, err = w.svc.AddNote(ctx, tc.actor, tc.ticket.ID, "note")
				wantCode(t, err, want)
				list, _, err := w.svc.ListTickets(ctx, tc.actor, helpdesk.TicketFilter{})
				if err != nil {
					t.Fatal(err)
				}
				listed := false
				for _, tk := range list {
					listed = listed || tk.ID == tc.ticket.ID
				}
				if listed != tc.visible {
					t.Errorf("listed = %v, want %v", listed, tc.visible)
				}
			})
		}
		_, err := w.svc.Ticket(ctx, w.admin, 987654)
		wantCode(t, err, helpdesk.ECodeNotFound)
		// Customers: agent B has no ticket of this customer... until group B's ticket counts.
		_, err = w.svc.Customer(ctx, w.agentB, w.customer.ID)
		wantCode(t, err, "")
		other := w.customerWithoutTickets(t)
		_, err = w.svc.Customer(ctx, w.agentA, other.ID)
		wantCode(t, err, helpdesk.ECodeNotFound)
		_, err = w.svc.Customer(ctx, w.admin, other.ID)
		wantCode(t, err, "")
	})
}

func (w *world) customerWithoutTickets(t *testing.T) *helpdesk.Customer {
	t.Helper()
	var c *helpdesk.Customer
	err := w.svc.Update(context.Background(), func(tx helpdesk.Tx, ev *helpdesk.Events) (err error) {
		c, _, err = w.svc.FindOrCreateCustomer(context.Background(), tx, helpdesk.CustomerRef{BSUID: "US.123", Name: "Otto"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestStateTransitions(t *testing.T) {
	all := []helpdesk.TicketState{helpdesk.StateNew, helpdesk.StateOpen, helpdesk.StatePending, helpdesk.StateClosed}
	allowed := map[[2]helpdesk.TicketState]bool{
		{"new", "open"}: true, {"new", "pending"}: true, {"new", "closed"}: true,
		{"open", "pending"}: true, {"open", "closed"}: true,
		{"pending", "open"}: true, {"pending", "closed"}: true,
		{"closed", "open"}: true,
	}
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		for _, from := range all {
			for _, to := range append(all, "archived") {
				ok := from == to || allowed[[2]helpdesk.TicketState{from, to}]
				name := fmt.Sprintf("%s → %s allowed=%v", from, to, ok)
				t.Run(name, func(t *testing.T) {
					tk := w.ticket(t, "transition", &w.groupA.ID, "")
					if from != helpdesk.StateNew {
						// Reach "from" by an allowed path: new → from, or new → open → … is not needed.
						check(w.svc.UpdateTicket(ctx, w.admin, tk.ID, helpdesk.TicketPatch{State: ptr(from)}))(t)
					}
					got, err := w.svc.UpdateTicket(ctx, w.agentA, tk.ID, helpdesk.TicketPatch{State: ptr(to)})
					if !ok {
						wantCode(t, err, helpdesk.ECodeInvalid)
						if he := err.(*helpdesk.Error); he.Fields["state"] == "" {
							t.Errorf("fields = %v, want state", he.Fields)
						}
						stored := check(w.svc.Ticket(ctx, w.admin, tk.ID))(t)
						if stored.State != from {
							t.Errorf("state changed to %s by a refused transition", stored.State)
						}
						return
					}
					wantCode(t, err, "")
					if got.State != to || (to == helpdesk.StateClosed) != (got.ClosedAt != nil) {
						t.Errorf("ticket = state %s closed_at %v", got.State, got.ClosedAt)
					}
				})
			}
		}
	})
}

func TestAssigneeAndGroupRules(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		inactive := check(w.svc.CreateUser(ctx, helpdesk.NewUser{Email: "gone@example.com", Name: "Gone", Role: helpdesk.RoleAgent, Password: password, GroupIDs: []int64{w.groupA.ID}}))(t)
		err := db.WithTx(ctx, func(tx helpdesk.Tx) error {
			inactive.Active = false
			return tx.UpdateUser(ctx, inactive)
		})
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name  string
			patch helpdesk.TicketPatch
			field string // "" = accepted
		}{
			{"member of the ticket's group", helpdesk.TicketPatch{AssigneeID: helpdesk.OptionalID{Set: true, ID: &w.agentA.ID}}, ""},
			{"admin outside the group", helpdesk.TicketPatch{AssigneeID: helpdesk.OptionalID{Set: true, ID: &w.admin.ID}}, ""},
			{"agent of another group", helpdesk.TicketPatch{AssigneeID: helpdesk.OptionalID{Set: true, ID: &w.agentB.ID}}, "assignee_id"},
			{"inactive member", helpdesk.TicketPatch{AssigneeID: helpdesk.OptionalID{Set: true, ID: &inactive.ID}}, "assignee_id"},
			{"unknown user", helpdesk.TicketPatch{AssigneeID: helpdesk.OptionalID{Set: true, ID: ptr(int64(4242))}}, "assignee_id"},
			{"unknown group", helpdesk.TicketPatch{GroupID: helpdesk.OptionalID{Set: true, ID: ptr(int64(4242))}}, "group_id"},
			{"empty title", helpdesk.TicketPatch{Title: ptr("   ")}, "title"},
			{"title of 201 characters", helpdesk.TicketPatch{Title: ptr(string(make([]rune, 201)) + "x")}, "title"},
			{"move to group B and assign agent B together", helpdesk.TicketPatch{GroupID: helpdesk.OptionalID{Set: true, ID: &w.groupB.ID}, AssigneeID: helpdesk.OptionalID{Set: true, ID: &w.agentB.ID}}, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				tk := w.ticket(t, "rules", &w.groupA.ID, "")
				got, err := w.svc.UpdateTicket(ctx, w.admin, tk.ID, tc.patch)
				if tc.field == "" {
					wantCode(t, err, "")
					if tc.patch.AssigneeID.Set && *got.AssigneeID != *tc.patch.AssigneeID.ID {
						t.Errorf("assignee = %v", got.AssigneeID)
					}
					return
				}
				wantCode(t, err, helpdesk.ECodeInvalid)
				if he := err.(*helpdesk.Error); he.Fields[tc.field] == "" {
					t.Errorf("fields = %v, want %s", he.Fields, tc.field)
				}
			})
		}
		t.Run("moving the ticket away from the assignee's group unassigns", func(t *testing.T) {
			tk := w.ticket(t, "move", &w.groupA.ID, "")
			check(w.svc.UpdateTicket(ctx, w.admin, tk.ID, helpdesk.TicketPatch{AssigneeID: helpdesk.OptionalID{Set: true, ID: &w.agentA.ID}}))(t)
			got := check(w.svc.UpdateTicket(ctx, w.admin, tk.ID, helpdesk.TicketPatch{GroupID: helpdesk.OptionalID{Set: true, ID: &w.groupB.ID}}))(t)
			if got.AssigneeID != nil || *got.GroupID != w.groupB.ID {
				t.Errorf("ticket = group %v assignee %v", got.GroupID, got.AssigneeID)
			}
			got = check(w.svc.UpdateTicket(ctx, w.admin, tk.ID, helpdesk.TicketPatch{GroupID: helpdesk.OptionalID{Set: true}}))(t)
			if got.GroupID != nil {
				t.Errorf("group not cleared: %v", got.GroupID)
			}
		})
	})
}

func TestListTicketsCursorWalkIsStableUnderInserts(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		want := map[int64]bool{}
		for i := range 7 {
			want[w.ticket(t, fmt.Sprintf("ticket %d", i), &w.groupA.ID, "").ID] = true
		}
		// Two tickets with the same activity time: the id breaks the tie.
		same := w.clock.Now().Add(time.Second)
		for range 2 {
			tk := w.ticket(t, "tie", &w.groupA.ID, "")
			tk.LastMessageAt = same
			if err := db.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.UpdateTicket(ctx, tk) }); err != nil {
				t.Fatal(err)
			}
			want[tk.ID] = true
		}
		seen := map[int64]int{}
		page := helpdesk.TicketFilter{Page: helpdesk.Page{Limit: 2}}
		var prev *helpdesk.Ticket
		for range 20 {
			list, next, err := w.svc.ListTickets(ctx, w.agentA, page)
			if err != nil {
				t.Fatal(err)
			}
			for i := range list {
				tk := &list[i]
				seen[tk.ID]++
				if prev != nil && (tk.LastMessageAt.After(prev.LastMessageAt) ||
					tk.LastMessageAt.Equal(prev.LastMessageAt) && tk.ID > prev.ID) {
					t.Errorf("ticket %d out of order after %d", tk.ID, prev.ID)
				}
				prev = tk
			}
			// A newer ticket arrives between pages: it belongs before the cursor.
			w.ticket(t, "late arrival", &w.groupA.ID, "")
			if next == "" {
				break
			}
			page.Cursor = next
		}
		for id := range want {
			if seen[id] != 1 {
				t.Errorf("ticket %d seen %d times, want 1", id, seen[id])
			}
		}
		for id, n := range seen {
			if !want[id] {
				t.Errorf("ticket %d inserted during the walk was listed (%d times)", id, n)
			}
		}
	})
}

func TestListTicketsFilters(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		a := w.ticket(t, "a", &w.groupA.ID, "")
		w.ticket(t, "b", &w.groupB.ID, "")
		check(w.svc.UpdateTicket(ctx, w.admin, a.ID, helpdesk.TicketPatch{
			State: ptr(helpdesk.StatePending), AssigneeID: helpdesk.OptionalID{Set: true, ID: &w.agentA.ID}}))(t)
		cases := []struct {
			name string
			f    helpdesk.TicketFilter
			want int
		}{
			{"all", helpdesk.TicketFilter{}, 2},
			{"state pending", helpdesk.TicketFilter{States: []helpdesk.TicketState{helpdesk.StatePending}}, 1},
			{"state new or pending", helpdesk.TicketFilter{States: []helpdesk.TicketState{"new", "pending"}}, 2},
			{"group B", helpdesk.TicketFilter{GroupID: &w.groupB.ID}, 1},
			{"assignee A", helpdesk.TicketFilter{AssigneeID: &w.agentA.ID}, 1},
			{"unassigned", helpdesk.TicketFilter{Unassigned: true}, 1},
			{"customer", helpdesk.TicketFilter{CustomerID: &w.customer.ID}, 2},
			{"channel", helpdesk.TicketFilter{ChannelID: &w.channel.ID}, 2},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				list, _, err := w.svc.ListTickets(ctx, w.admin, tc.f)
				if err != nil || len(list) != tc.want {
					t.Errorf("got %d tickets (%v), want %d", len(list), err, tc.want)
				}
			})
		}
	})
}

func TestPageValidation(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		cases := []struct {
			name  string
			page  helpdesk.Page
			field string
		}{
			{"limit over 200", helpdesk.Page{Limit: 201}, "limit"},
			{"negative limit", helpdesk.Page{Limit: -1}, "limit"},
			{"cursor not base64", helpdesk.Page{Cursor: "!!!"}, "cursor"},
			{"cursor not json", helpdesk.Page{Cursor: "bm90IGpzb24"}, "cursor"},
			{"cursor without id", helpdesk.Page{Cursor: "e30"}, "cursor"},
			{"limit 200 is fine", helpdesk.Page{Limit: 200}, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				for what, call := range map[string]func() error{
					"tickets": func() error {
						_, _, err := w.svc.ListTickets(ctx, w.admin, helpdesk.TicketFilter{Page: tc.page})
						return err
					},
					"users": func() error { _, _, err := w.svc.ListUsers(ctx, tc.page); return err },
					"customers": func() error {
						_, _, err := w.svc.ListCustomers(ctx, w.admin, helpdesk.CustomerFilter{Page: tc.page})
						return err
					},
				} {
					err := call()
					if tc.field == "" {
						wantCode(t, err, "")
						continue
					}
					wantCode(t, err, helpdesk.ECodeInvalid)
					if he := err.(*helpdesk.Error); he.Fields[tc.field] == "" {
						t.Errorf("%s: fields = %v, want %s", what, he.Fields, tc.field)
					}
				}
			})
		}
		_, _, err := w.svc.ListTickets(ctx, w.admin, helpdesk.TicketFilter{States: []helpdesk.TicketState{"archived"}})
		wantCode(t, err, helpdesk.ECodeInvalid)
	})
}

func TestSearchTickets(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		byTitle := w.ticket(t, "Refund for order 4711", &w.groupA.ID, "hi there")
		byText := w.ticket(t, "Question", &w.groupA.ID, "Where is my parcel? Tracking says Hamburg")
		hidden := w.ticket(t, "Parcel lost", &w.groupB.ID, "")
		note := w.ticket(t, "Other", &w.groupA.ID, "")
		check(w.svc.AddNote(ctx, w.agentA, note.ID, "internal: customer is a VIP"))(t)
		cases := []struct {
			name  string
			actor *helpdesk.User
			q     string
			want  []int64
		}{
			{"title word", w.admin, "refund", []int64{byTitle.ID}},
			{"title number", w.admin, "4711", []int64{byTitle.ID}},
			{"message text, any case", w.admin, "HAMBURG", []int64{byText.ID}},
			{"prefix", w.admin, "parc", []int64{hidden.ID, byText.ID}},
			{"two words must both match", w.admin, "parcel hamburg", []int64{byText.ID}},
			{"note text", w.admin, "vip", []int64{note.ID}},
			{"agent sees only own groups", w.agentA, "parcel", []int64{byText.ID}},
			{"no match", w.admin, "zeppelin", nil},
			{"hostile quotes and parens", w.admin, `"foo AND (`, nil},
			{"fts operators", w.admin, `refund OR NEAR(x y) NOT * ^ - :`, nil},
			{"sql-ish", w.admin, `'; DROP TABLE tickets; --`, nil},
			{"only punctuation is no filter", w.admin, `"(*)"`, []int64{note.ID, hidden.ID, byText.ID, byTitle.ID}},
			{"tsquery syntax", w.admin, `refund & !order | <->`, []int64{byTitle.ID}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				list, _, err := w.svc.ListTickets(ctx, tc.actor, helpdesk.TicketFilter{Query: tc.q})
				if err != nil {
					t.Fatalf("search %q: %v", tc.q, err)
				}
				var got []int64
				for _, tk := range list {
					got = append(got, tk.ID)
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("search %q = %v, want %v", tc.q, got, tc.want)
				}
			})
		}
	})
}
