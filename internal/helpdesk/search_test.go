package helpdesk_test

import (
	"context"
	"fmt"
	"testing"

	"wadesk/internal/helpdesk"
	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

// TestSearchTicketsOddText searches texts whose words the full-text
// engines split or fold in ways a prefix expansion must follow: quotes,
// hyphens, backslashes, accents, a word typed as the start of longer ones.
// Both databases must find the same tickets.
func TestSearchTicketsOddText(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		quote := w.ticket(t, "Complaint", &w.groupA.ID, `O'Brien's refund-card didn't arrive`)
		path := w.ticket(t, "Upload", &w.groupA.ID, `saved as C:\temp\refunds.pdf`)
		accent := w.ticket(t, "Müller", &w.groupA.ID, "Grüße, Bestellung Nr. 4711 ist da")
		words := w.ticket(t, "Plain", &w.groupA.ID, "refunded cards, reordered")
		cases := []struct {
			q    string
			want []int64
		}{
			{"refund card", []int64{words.ID, quote.ID}},
			{"refund", []int64{words.ID, path.ID, quote.ID}},
			{"brien", []int64{quote.ID}},
			{"didn", []int64{quote.ID}},
			{"temp", []int64{path.ID}},
			{"c", []int64{words.ID, path.ID, quote.ID}},
			{"mül", []int64{accent.ID}},
			{"grüße 4711", []int64{accent.ID}},
			{"GRÜSSE", nil},
			{"order", nil},
			{"reorder", []int64{words.ID}},
		}
		for _, tc := range cases {
			t.Run(tc.q, func(t *testing.T) {
				list, _, err := w.svc.ListTickets(ctx, w.admin, helpdesk.TicketFilter{Query: tc.q})
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
