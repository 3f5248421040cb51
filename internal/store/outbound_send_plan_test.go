package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"wadesk/internal/helpdesk"
	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

// SendPlanOf reads in one query exactly what OutboundMessage, SendContextOf
// and ChannelByID read, and answers not-found once the channel is deleted.
func TestSendPlanOfMatchesTheSeparateReads(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c, ch := newCustomerAndChannel(t, db)
		tk := &helpdesk.Ticket{Title: "t", State: helpdesk.StateOpen, ChannelID: &ch.ID, CustomerID: c.ID, LastMessageAt: t0, CreatedAt: t0, UpdatedAt: t0}
		queued := func(text string) *helpdesk.Message {
			m := &helpdesk.Message{TicketID: tk.ID, ChannelID: &ch.ID, Direction: helpdesk.Out, Type: "text", Text: text,
				SenderKind: helpdesk.SenderSystem, Status: helpdesk.StatusQueued, CreatedAt: t0, UpdatedAt: t0}
			if err := db.WithTx(ctx, func(tx helpdesk.Tx) error { _, err := tx.InsertMessage(ctx, m); return err }); err != nil {
				t.Fatal(err)
			}
			return m
		}
		if err := db.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.CreateTicket(ctx, tk) }); err != nil {
			t.Fatal(err)
		}
		first, second := queued("first"), queued("second")
		for _, id := range []int64{first.ID, second.ID} {
			m, sc, gotCh, err := db.SendPlanOf(ctx, id)
			if err != nil {
				t.Fatalf("SendPlanOf(%d): %v", id, err)
			}
			wantM, _ := db.OutboundMessage(ctx, id)
			wantSC, _ := db.SendContextOf(ctx, id)
			wantCh, _ := db.ChannelByID(ctx, ch.ID)
			if !reflect.DeepEqual(m, wantM) || !reflect.DeepEqual(sc, wantSC) || !reflect.DeepEqual(gotCh, wantCh) {
				t.Errorf("SendPlanOf(%d) =\n%+v\n%+v\n%+v\nwant\n%+v\n%+v\n%+v", id, m, sc, gotCh, wantM, wantSC, wantCh)
			}
		}
		if _, sc, _, _ := db.SendPlanOf(ctx, second.ID); !sc.EarlierUnsent || sc.OpenAttempt {
			t.Errorf("second message's context = %+v, want an earlier unsent one and no open attempt", sc)
		}
		if err := db.WithTx(ctx, func(tx helpdesk.Tx) error { return tx.DeleteChannel(ctx, ch.ID, t0) }); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := db.SendPlanOf(ctx, first.ID); !errors.Is(err, helpdesk.ErrNotFound) {
			t.Errorf("SendPlanOf with the channel deleted: %v, want not found", err)
		}
		if _, _, _, err := db.SendPlanOf(ctx, 999999); !errors.Is(err, helpdesk.ErrNotFound) {
			t.Errorf("SendPlanOf of no message: %v, want not found", err)
		}
	})
}
