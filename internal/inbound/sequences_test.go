package inbound_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"wadesk/internal/app/apptest"
	"wadesk/internal/helpdesk"
)

// outbound stores an accepted outbound message with wamid on a new ticket
// of the channel, as the send worker does once the Cloud API answered.
func outbound(t *testing.T, e *apptest.Env, c *testChannel, wamid string, applyPending bool) int64 {
	t.Helper()
	ctx := context.Background()
	chID, _ := strconv.ParseInt(c.ID, 10, 64)
	gID, _ := strconv.ParseInt(c.groupID, 10, 64)
	now := time.Now().UTC()
	var id int64
	err := e.App.Service.Update(ctx, func(tx helpdesk.Tx, ev *helpdesk.Events) error {
		cu := &helpdesk.Customer{Name: "Out", WAID: "49" + wamid[len(wamid)-6:], CreatedAt: now, UpdatedAt: now}
		cu.WAID = strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return '7'
		}, cu.WAID)
		if err := tx.CreateCustomer(ctx, cu); err != nil {
			return err
		}
		tk := &helpdesk.Ticket{Title: "out", State: helpdesk.StateOpen, ChannelID: &chID, CustomerID: cu.ID, GroupID: &gID,
			LastMessageAt: now, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateTicket(ctx, tk); err != nil {
			return err
		}
		m := &helpdesk.Message{TicketID: tk.ID, ChannelID: &chID, Direction: helpdesk.Out, Type: "text", Text: "hello",
			SenderKind: helpdesk.SenderAgent, SenderID: &e.Admin.ID, WAMessageID: &wamid, Status: helpdesk.StatusAccepted,
			CreatedAt: now, UpdatedAt: now}
		if _, err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		id = m.ID
		if applyPending {
			return e.App.Service.ApplyPendingStatuses(ctx, tx, ev, chID, wamid)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// statusBody is a status webhook for the channel's number.
func statusBody(c *testChannel, wamid, status string, ts int) []byte {
	errs := ""
	if status == "failed" {
		errs = `,"errors":[{"code":131047,"title":"Re-engagement message","message":"Re-engagement message","error_data":{"details":"More than 24 hours have passed."}}]`
	}
	return []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":%q},"statuses":[{"id":%q,"status":%q,"timestamp":"%d","recipient_id":"1"%s}]}}]}]}`,
		c.PhoneNumberID, wamid, status, ts, errs))
}

func messageByID(t *testing.T, e *apptest.Env, id int64) *helpdesk.Message {
	t.Helper()
	m, err := e.App.Service.Store().MessageByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestStatusesNeverMoveBackwards(t *testing.T) {
	cases := []struct {
		name     string
		statuses []string
		want     helpdesk.MessageStatus
		errCode  int
	}{
		{"in order", []string{"sent", "delivered", "read"}, helpdesk.StatusRead, 0},
		{"reordered: read first", []string{"read", "delivered", "sent"}, helpdesk.StatusRead, 0},
		{"duplicate statuses", []string{"sent", "sent", "delivered", "delivered"}, helpdesk.StatusDelivered, 0},
		{"failed keeps Meta's error", []string{"sent", "failed"}, helpdesk.StatusFailed, 131047},
		{"a late failed does not undo read", []string{"read", "failed"}, helpdesk.StatusRead, 0},
		{"delivered after failed wins", []string{"failed", "delivered"}, helpdesk.StatusDelivered, 131047},
		{"played after read", []string{"delivered", "played", "read"}, helpdesk.StatusPlayed, 0},
	}
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, nil)
		ids := make([]int64, len(cases))
		for i, c := range cases {
			wamid := fmt.Sprintf("wamid.OUT%06d", i)
			ids[i] = outbound(t, e, ch, wamid, false)
			for j, st := range c.statuses {
				ch.post(t, e, statusBody(ch, wamid, st, 1750000000+j))
			}
		}
		waitProcessed(t, e)
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				m := messageByID(t, e, ids[i])
				if m.Status != c.want {
					t.Errorf("status = %s, want %s", m.Status, c.want)
				}
				if c.errCode != 0 && (m.Error == nil || m.Error.Code != c.errCode || m.Error.Title != "Re-engagement message" ||
					m.Error.Message != "More than 24 hours have passed.") {
					t.Errorf("error = %+v", m.Error)
				}
			})
		}
	})
}

func TestStatusBeforeItsSendIsKeptAndApplied(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, nil)
		ch.post(t, e, statusBody(ch, "wamid.EARLY", "delivered", 1750000001))
		ch.post(t, e, statusBody(ch, "wamid.EARLY", "sent", 1750000000))
		waitProcessed(t, e)
		var n int
		if err := e.App.DB.Writer().QueryRow("SELECT COUNT(*) FROM pending_statuses WHERE wa_message_id = 'wamid.EARLY'").Scan(&n); err != nil || n != 2 {
			t.Fatalf("pending statuses = %d, %v; want 2", n, err)
		}
		id := outbound(t, e, ch, "wamid.EARLY", true)
		if m := messageByID(t, e, id); m.Status != helpdesk.StatusDelivered {
			t.Errorf("status = %s, want delivered from the kept statuses", m.Status)
		}
		if err := e.App.DB.Writer().QueryRow("SELECT COUNT(*) FROM pending_statuses").Scan(&n); err != nil || n != 0 {
			t.Errorf("pending statuses left = %d, %v", n, err)
		}
	})
}

// reactionBody is a reaction of the channel's fixture customer.
func reactionBody(c *testChannel, id, target, emoji string, ts int) []byte {
	return []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":%q},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":%q}],"messages":[{"from":%q,"id":%q,"timestamp":"%d","type":"reaction","reaction":{"message_id":%q,"emoji":%q}}]}}]}]}`,
		c.PhoneNumberID, c.waID, c.waID, id, ts, target, emoji))
}

func TestReactionsAttachToTheirTarget(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, nil)
		const target = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=" // text.json's message
		ch.post(t, e, ch.fixture(t, "text.json"))
		waitProcessed(t, e)
		steps := []struct {
			name  string
			body  []byte
			wants []string // the target's reactions afterwards
		}{
			{"a reaction", reactionBody(ch, "wamid.R1", target, "👍", 1749420000), []string{"👍"}},
			{"a later one replaces it", reactionBody(ch, "wamid.R2", target, "❤️", 1749420010), []string{"❤️"}},
			{"a late older one does not", reactionBody(ch, "wamid.R0", target, "😮", 1749419990), []string{"❤️"}},
			{"a redelivery changes nothing", reactionBody(ch, "wamid.R2", target, "❤️", 1749420010), []string{"❤️"}},
			{"an empty emoji removes it", reactionBody(ch, "wamid.R3", target, "", 1749420020), nil},
			{"a reaction to an unknown message is dropped", reactionBody(ch, "wamid.R4", "wamid.UNKNOWN", "👍", 1749420030), nil},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				ch.post(t, e, s.body)
				waitProcessed(t, e)
				_, ms := ch.onlyTicket(t, e)
				if len(ms) != 1 {
					t.Fatalf("%d messages: reactions must not become messages", len(ms))
				}
				var got []string
				for _, r := range ms[0].Reactions {
					got = append(got, r.Emoji)
					if r.By.Kind != "customer" || r.By.Name != "Sheena Nelson" {
						t.Errorf("reaction by %+v", r.By)
					}
				}
				if strings.Join(got, ",") != strings.Join(s.wants, ",") {
					t.Errorf("reactions = %v, want %v", got, s.wants)
				}
			})
		}
	})
}

func TestReplyContextLinksTheQuotedMessage(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, nil)
		ch.post(t, e, ch.fixture(t, "text.json"))
		reply := strings.NewReplacer(`"id": "wamid.OF_YOUR_INTERACTIVE_MESSAGE"`,
			`"id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="`, `"id": "wamid.ID"`, `"id": "wamid.REPLY"`).
			Replace(string(ch.fixture(t, "interactive_button_reply.json")))
		ch.post(t, e, []byte(reply))
		unknown := strings.ReplaceAll(string(ch.fixture(t, "interactive_list_reply.json")), `"id": "wamid.ID"`, `"id": "wamid.LIST"`)
		ch.post(t, e, []byte(unknown))
		waitProcessed(t, e)
		_, ms := ch.onlyTicket(t, e)
		if len(ms) != 3 {
			t.Fatalf("%d messages", len(ms))
		}
		byWAMID := map[string]int{}
		for i, m := range ms {
			byWAMID[*m.WAMessageID] = i
		}
		first, reply2, list := ms[byWAMID["wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="]], ms[byWAMID["wamid.REPLY"]], ms[byWAMID["wamid.LIST"]]
		if reply2.ReplyToID == nil || *reply2.ReplyToID != first.ID {
			t.Errorf("reply_to_id = %v, want %s", reply2.ReplyToID, first.ID)
		}
		if list.ReplyToID != nil {
			t.Errorf("unknown quoted message: reply_to_id = %v, want null", *list.ReplyToID)
		}
		id, _ := strconv.ParseInt(list.ID, 10, 64)
		if m := messageByID(t, e, id); m.ReplyToWAMID != "wamid.OF_YOUR_LIST_MESSAGE" {
			t.Errorf("reply_to_wamid = %q, kept even when unknown", m.ReplyToWAMID)
		}
	})
}

func TestNumberChangeRekeysTheCustomer(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, nil)
		ch.post(t, e, ch.fixture(t, "text.json"))
		system := ch.fixture(t, "system_user_changed_number.json")
		ch.post(t, e, system)
		ch.post(t, e, system) // Meta retries: nothing more may happen
		waitProcessed(t, e)
		tk, ms := ch.onlyTicket(t, e)
		if len(ms) != 2 || ms[1].Type != "system" || !ms[1].Internal || ms[1].Sender.Kind != "system" ||
			!strings.Contains(ms[1].Text, "changed from") {
			t.Fatalf("messages = %+v", ms)
		}
		cu := customer(t, e, tk.CustomerID)
		if cu.WAID != "12195555358" || cu.Phone != "+12195555358" {
			t.Errorf("customer = %+v, want the new number", cu)
		}
		// The customer writes from the new number: same customer and ticket.
		fromNew := strings.ReplaceAll(string(ch.fixture(t, "text.json")), ch.waID, "12195555358")
		fromNew = strings.ReplaceAll(fromNew, "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", "wamid.NEWNUMBER")
		ch.post(t, e, []byte(fromNew))
		waitProcessed(t, e)
		tk2, ms := ch.onlyTicket(t, e)
		if tk2.ID != tk.ID || len(ms) != 3 {
			t.Errorf("after the change: ticket %s (was %s), %d messages", tk2.ID, tk.ID, len(ms))
		}
	})
}

func TestBatchedDeliveryProcessesEveryChange(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, nil)
		ch.post(t, e, ch.fixture(t, "batched.json"))
		waitProcessed(t, e)
		ts := ch.tickets(t, e)
		if len(ts) != 2 {
			t.Fatalf("%d tickets, want one per customer of the known number", len(ts))
		}
		names := map[string]bool{}
		for _, tk := range ts {
			names[customer(t, e, tk.CustomerID).Name] = true
			if ms := messages(t, e, tk.ID); len(ms) != 1 {
				t.Errorf("ticket %s: %d messages", tk.Title, len(ms))
			}
		}
		if !names["Ana"] || !names["Bo"] {
			t.Errorf("customers = %v", names)
		}
		var state, note string
		err := e.App.DB.InboxDB().QueryRow("SELECT state, error FROM webhook_inbox ORDER BY id DESC LIMIT 1").Scan(&state, &note)
		if err != nil || state != "done" || !strings.Contains(note, `"222"`) {
			t.Errorf("inbox row = %s %q, %v; want done with the unknown number noted", state, note, err)
		}
		var n int
		if err := e.App.DB.Writer().QueryRow("SELECT COUNT(*) FROM messages WHERE wa_message_id = 'wamid.C1'").Scan(&n); err != nil || n != 0 {
			t.Errorf("message for the unknown number stored %d times", n)
		}
		if err := e.App.DB.Writer().QueryRow("SELECT COUNT(*) FROM pending_statuses WHERE wa_message_id = 'wamid.S1'").Scan(&n); err != nil || n != 2 {
			t.Errorf("statuses of the batch kept %d times, want 2", n)
		}
	})
}

func TestChangesForAnotherAppAreRefused(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		a := newChannel(t, e, nil)
		sameApp := newChannel(t, e, nil)
		otherApp := newChannel(t, e, map[string]any{"app_secret": "another-app-secret"})
		for _, target := range []*testChannel{sameApp, otherApp} {
			body := strings.ReplaceAll(string(target.fixture(t, "text.json")), target.waID, a.waID)
			a.post(t, e, []byte(body)) // received on a's URL, signed with a's secret
		}
		waitProcessed(t, e)
		if n := len(sameApp.tickets(t, e)); n != 1 {
			t.Errorf("same app: %d tickets, want 1", n)
		}
		if n := len(otherApp.tickets(t, e)); n != 0 {
			t.Errorf("another app: %d tickets, want none", n)
		}
		var state string
		if err := e.App.DB.InboxDB().QueryRow("SELECT state FROM webhook_inbox ORDER BY id DESC LIMIT 1").Scan(&state); err != nil || state != "ignored" {
			t.Errorf("refused delivery state = %q, %v", state, err)
		}
	})
}

func TestTemplateStatusUpdate(t *testing.T) {
	apptest.ForEachDialect(t, apptest.Options{}, func(t *testing.T, e *apptest.Env) {
		ch := newChannel(t, e, nil)
		ctx := context.Background()
		chID, _ := strconv.ParseInt(ch.ID, 10, 64)
		err := e.App.DB.WithTx(ctx, func(tx helpdesk.Tx) error {
			return tx.ReplaceTemplates(ctx, chID, []helpdesk.Template{{Name: "order_confirmation", Language: "en_US",
				Status: "PENDING", SyncedAt: time.Now()}})
		})
		if err != nil {
			t.Fatal(err)
		}
		ch.post(t, e, ch.fixture(t, "template_status_update.json"))
		waitProcessed(t, e)
		tp, err := e.App.Service.Store().TemplateByName(ctx, chID, "order_confirmation", "en_US")
		if err != nil || tp.Status != "APPROVED" {
			t.Errorf("template = %+v, %v; want APPROVED", tp, err)
		}
	})
}
