package helpdesk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"wadesk/internal/helpdesk"
	"wadesk/internal/store"
	"wadesk/internal/store/storetest"
)

// recorder is a Publisher that keeps what it got.
type recorder struct{ events []helpdesk.Event }

func (r *recorder) Publish(ev helpdesk.Event) { r.events = append(r.events, ev) }

func TestAddNote(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		rec := &recorder{}
		w.svc = helpdesk.NewService(db, helpdesk.Options{Now: w.clock.Now, Events: rec})
		ctx := context.Background()
		tk := w.ticket(t, "notes", &w.groupA.ID, "hello")
		rec.events = nil
		cases := []struct {
			name, text, code string
		}{
			{"plain note", "call back tomorrow", ""},
			{"longest note", strings.Repeat("é", helpdesk.MaxNoteLength), ""},
			{"too long", strings.Repeat("x", helpdesk.MaxNoteLength+1), helpdesk.ECodeInvalid},
			{"blank", " \n ", helpdesk.ECodeInvalid},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				m, err := w.svc.AddNote(ctx, w.agentA, tk.ID, tc.text)
				wantCode(t, err, tc.code)
				if tc.code != "" {
					return
				}
				if m.Type != "note" || m.Status != helpdesk.StatusNote || m.Direction != helpdesk.Out || !m.Internal ||
					m.SenderKind != helpdesk.SenderAgent || m.SenderName != "Alice" || m.Text != tc.text || m.WAMessageID != nil {
					t.Errorf("note = %+v", m)
				}
			})
		}
		if len(rec.events) != 2 || rec.events[0].Type != helpdesk.EventMessageCreated || *rec.events[0].GroupID != w.groupA.ID {
			t.Errorf("events = %+v, want two message.created in group A", rec.events)
		}
	})
}

func TestListMessagesWithAttachmentsAndReactions(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		tk := w.ticket(t, "media", &w.groupA.ID, "first")
		var att helpdesk.Attachment
		err := w.svc.Update(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
			for i, text := range []string{"second", "third", "fourth"} {
				m := &helpdesk.Message{ChannelID: &w.channel.ID, Type: "text", Text: text, SenderID: &w.customer.ID,
					WAMessageID: ptr("wamid." + text), CreatedAt: w.clock.Now().Add(time.Duration(i+1) * time.Second)}
				if _, err := w.svc.AddInboundMessage(ctx, tx, ev, tk, m); err != nil {
					return err
				}
				if i == 0 {
					att = helpdesk.Attachment{MessageID: m.ID, MIMEType: "audio/ogg", Voice: true, State: helpdesk.AttachmentDownloading,
						WAMediaID: "media1", CreatedAt: m.CreatedAt, UpdatedAt: m.CreatedAt}
					if err := tx.InsertAttachment(ctx, &att); err != nil {
						return err
					}
					r := &helpdesk.Reaction{MessageID: m.ID, ByKind: helpdesk.SenderAgent, ByID: w.agentA.ID, Emoji: "👍", CreatedAt: m.CreatedAt}
					if err := tx.UpsertReaction(ctx, r); err != nil {
						return err
					}
					r.Emoji = "❤️" // one reaction per person: the second replaces the first
					if err := tx.UpsertReaction(ctx, r); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		page := helpdesk.Page{Limit: 3}
		for range 5 {
			ms, next, err := w.svc.ListMessages(ctx, w.agentA, tk.ID, page)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				texts = append(texts, m.Text)
				if m.Text == "second" {
					if len(m.Attachments) != 1 || !m.Attachments[0].Voice || len(m.Reactions) != 1 ||
						m.Reactions[0].Emoji != "❤️" || m.Reactions[0].ByName != "Alice" {
						t.Errorf("second message = attachments %+v reactions %+v", m.Attachments, m.Reactions)
					}
				}
				if m.SenderName != "Carla" {
					t.Errorf("sender name = %q, want Carla", m.SenderName)
				}
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
		if strings.Join(texts, ",") != "first,second,third,fourth" {
			t.Errorf("messages = %v, want oldest first, each once", texts)
		}
		got, err := w.svc.Attachment(ctx, w.agentA, att.ID)
		if err != nil || got.WAMediaID != "media1" {
			t.Errorf("Attachment = %+v, %v", got, err)
		}
		_, err = w.svc.Attachment(ctx, w.agentB, att.ID)
		wantCode(t, err, helpdesk.ECodeNotFound)
		_, err = w.svc.Message(ctx, w.agentB, att.MessageID)
		wantCode(t, err, helpdesk.ECodeNotFound)
		ticket := check(w.svc.Ticket(ctx, w.admin, tk.ID))(t)
		if ticket.UnreadCount != 4 || !ticket.WindowOpen(w.clock.Now()) || ticket.WindowOpen(w.clock.Now().Add(25*time.Hour)) {
			t.Errorf("ticket after inbound = unread %d window %v", ticket.UnreadCount, ticket.WindowExpiresAt)
		}
	})
}

func TestInboundMessageIsIdempotent(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		deliver := func() (ticketID, messageID int64, created bool) {
			err := w.svc.Update(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
				c, _, err := w.svc.FindOrCreateCustomer(ctx, tx, helpdesk.CustomerRef{WAID: "4915112345678", BSUID: "DE.42", Name: "Carla K"})
				if err != nil {
					return err
				}
				tk, _, err := w.svc.TicketForInbound(ctx, tx, ev, w.channel, c, w.clock.Now())
				if err != nil {
					return err
				}
				m := &helpdesk.Message{ChannelID: &w.channel.ID, Type: "text", Text: "hi", SenderID: &c.ID,
					WAMessageID: ptr("wamid.SAME"), CreatedAt: w.clock.Now()}
				created, err = w.svc.AddInboundMessage(ctx, tx, ev, tk, m)
				ticketID, messageID = tk.ID, m.ID
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return
		}
		t1, m1, c1 := deliver()
		t2, m2, c2 := deliver()
		if !c1 || c2 || t1 != t2 || m1 != m2 {
			t.Errorf("deliveries = (%d %d %v) and (%d %d %v); want one message", t1, m1, c1, t2, m2, c2)
		}
		tk := check(w.svc.Ticket(ctx, w.admin, t1))(t)
		if tk.UnreadCount != 1 || tk.State != helpdesk.StateNew || *tk.GroupID != w.groupA.ID || tk.Number < 10001 {
			t.Errorf("ticket = %+v", tk)
		}
		c := check(w.svc.Customer(ctx, w.admin, w.customer.ID))(t)
		if c.BSUID != "DE.42" || c.Name != "Carla" || c.Phone != "+4915112345678" {
			t.Errorf("customer = %+v; want BSUID learned, name kept", c)
		}
		// Once the ticket is closed, the next message opens a new ticket.
		check(w.svc.UpdateTicket(ctx, w.admin, t1, helpdesk.TicketPatch{State: ptr(helpdesk.StateClosed)}))(t)
		err := w.svc.Update(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
			tk, created, err := w.svc.TicketForInbound(ctx, tx, ev, w.channel, c, w.clock.Now())
			if err == nil && (!created || tk.ID == t1 || tk.Number != 10002) {
				t.Errorf("after close: ticket %d number %d created %v", tk.ID, tk.Number, created)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestCustomers(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		w.ticket(t, "for visibility", &w.groupA.ID, "")
		w.customerWithoutTickets(t)
		cases := []struct {
			name  string
			actor *helpdesk.User
			q     string
			want  int
		}{
			{"admin sees all", w.admin, "", 2},
			{"agent sees customers of their tickets", w.agentA, "", 1},
			{"agent of another group sees none", w.agentB, "", 0},
			{"name substring, any case", w.admin, "ARL", 1},
			{"phone prefix", w.admin, "+49151", 1},
			{"wa_id substring", w.admin, "12345", 1},
			{"like wildcards are literal", w.admin, "%", 0},
			{"underscore is literal", w.admin, "_", 0},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				cs, _, err := w.svc.ListCustomers(ctx, tc.actor, helpdesk.CustomerFilter{Query: tc.q})
				if err != nil || len(cs) != tc.want {
					t.Errorf("got %d customers (%v), want %d", len(cs), err, tc.want)
				}
			})
		}
		c := check(w.svc.UpdateCustomer(ctx, w.agentA, w.customer.ID, helpdesk.CustomerPatch{Name: ptr("  Carla Klein ")}))(t)
		if c.Name != "Carla Klein" {
			t.Errorf("name = %q", c.Name)
		}
		_, err := w.svc.UpdateCustomer(ctx, w.agentA, w.customer.ID, helpdesk.CustomerPatch{Name: ptr("")})
		wantCode(t, err, helpdesk.ECodeInvalid)
		_, err = w.svc.UpdateCustomer(ctx, w.agentB, w.customer.ID, helpdesk.CustomerPatch{Name: ptr("x")})
		wantCode(t, err, helpdesk.ECodeNotFound)
	})
}
