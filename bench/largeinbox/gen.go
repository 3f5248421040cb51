package main

import (
	"container/heap"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strconv"
)

// sink receives rows in batches, table by table; a table's batches come
// in id order and a referenced row is always written before its referrer.
type sink interface {
	write(ctx context.Context, table string, cols []string, rows [][]any) error
}

var (
	customerCols = []string{"id", "name", "phone", "wa_id", "bsuid", "username", "created_at", "updated_at"}
	ticketCols   = []string{"id", "number", "title", "state", "channel_id", "customer_id", "group_id", "assignee_id",
		"window_expires_at", "last_inbound_at", "last_outbound_at", "last_message_at", "unread_count",
		"reminder_sent_at", "created_at", "updated_at", "closed_at"}
	messageCols = []string{"id", "ticket_id", "channel_id", "direction", "internal", "type", "text", "sender_kind",
		"sender_id", "wa_message_id", "status", "error_code", "error_title", "error_message", "reply_to_id",
		"reply_to_wamid", "payload", "attempts", "created_at", "updated_at"}
	attachmentCols = []string{"id", "message_id", "filename", "mime_type", "size", "sha256", "voice", "state",
		"wa_media_id", "error", "created_at", "updated_at"}
)

// batcher buffers one table's rows and hands them to the sink in batches.
type batcher struct {
	sink  sink
	table string
	cols  []string
	size  int
	rows  [][]any
}

func (b *batcher) add(ctx context.Context, row ...any) error {
	b.rows = append(b.rows, row)
	if len(b.rows) >= b.size {
		return b.flush(ctx)
	}
	return nil
}

func (b *batcher) flush(ctx context.Context) error {
	if len(b.rows) == 0 {
		return nil
	}
	err := b.sink.write(ctx, b.table, b.cols, b.rows)
	b.rows = b.rows[:0]
	return err
}

// generate writes customers, tickets, messages and attachments of m to s.
// Users, groups and channels are written by the loader (they are few and
// need secrets and hashes).
func generate(ctx context.Context, m *model, s sink, batch int) error {
	customerIDs, err := writeCustomers(ctx, m, s, batch)
	if err != nil {
		return err
	}
	if err := writeTickets(ctx, m, s, batch, customerIDs); err != nil {
		return err
	}
	return writeMessages(ctx, m, s, batch, customerIDs)
}

var (
	firstNames = []string{"Ana", "Bruno", "Carla", "Daniel", "Eva", "Felipe", "Greta", "Hugo", "Inès", "Jonas",
		"Karin", "Luca", "Maria", "Nils", "Olga", "Paulo", "Quentin", "Rosa", "Sven", "Tanja", "Ulla", "Víctor",
		"Wanda", "Xavier", "Yara", "Zoe", "Ahmed", "Mei", "Priya", "Kofi"}
	lastNames = []string{"Silva", "Müller", "García", "Rossi", "Dubois", "Nowak", "Santos", "Schmidt", "López",
		"Jensen", "Costa", "Weber", "Fernández", "Bianchi", "Martin", "Kowalski", "Oliveira", "Wagner", "Pérez",
		"Larsen", "Souza", "Becker", "Moreau", "Ricci", "Yilmaz", "Chen", "Patel", "Mensah", "Ivanova", "Sato"}
)

// writeCustomers gives customers ids in the order of their first ticket
// (ids grow with time, as in a live system) and returns the id of each
// popularity rank.
func writeCustomers(ctx context.Context, m *model, s sink, batch int) ([]int64, error) {
	n := max(1, m.world.Tickets/5)
	ids := make([]int64, n)
	first := make([]int64, 0, n)
	perRank := make([]int32, n)
	next := int64(1)
	for i, rank := range m.ranks {
		if ids[rank] == 0 {
			ids[rank] = next
			first = append(first, m.created[i])
			next++
		}
		perRank[rank]++
	}
	// Customers who wrote before the history starts but have no ticket left.
	r := rand.New(rand.NewPCG(m.seed, 2))
	for rank := range ids {
		if ids[rank] == 0 {
			ids[rank] = next
			first = append(first, m.start-int64(r.IntN(1e9)))
			next++
		}
	}
	m.world.Customers = n
	m.world.HeavyCustomer = ids[0]
	b := &batcher{sink: s, table: "customers", cols: customerCols, size: batch}
	for i, at := range first {
		id := int64(i + 1)
		// A bijection of the id keeps wa_id unique yet random-looking.
		waID := fmt.Sprintf("55%02d9%08d", 11+int(id%80), (id*7919)%100_000_000)
		name := firstNames[r.IntN(len(firstNames))] + " " + lastNames[r.IntN(len(lastNames))]
		if r.IntN(20) == 0 {
			name = "" // customers without a profile name
		}
		if err := b.add(ctx, id, name, "+"+waID, waID, "", "", at, at); err != nil {
			return nil, err
		}
	}
	return ids, b.flush(ctx)
}

func writeTickets(ctx context.Context, m *model, s sink, batch int, customerIDs []int64) error {
	b := &batcher{sink: s, table: "tickets", cols: ticketCols, size: batch}
	z := zipfFor(rand.New(rand.NewPCG(m.seed, 3)), len(m.world.Words))
	r := rand.New(rand.NewPCG(m.seed, 4))
	tx := &texter{words: m.world.Words}
	for i := range m.world.Tickets {
		p := m.plan(i)
		t := p.times()
		id := int64(i + 1)
		// New tickets are named after the customer; agents rename some to a topic.
		title := firstNames[r.IntN(len(firstNames))] + " " + lastNames[r.IntN(len(lastNames))]
		if p.topicTitle {
			title = tx.title(r, z)
		}
		var window, closed any
		if t.lastIn > 0 {
			window = t.lastIn + 24*3600*1000
		}
		updated := t.last
		if p.state == "closed" {
			c := t.last + int64(r.IntN(3*24*3600*1000))
			closed, updated = min(c, m.now), min(c, m.now)
		}
		err := b.add(ctx, id, int64(10000+i+1), title, p.state, int64(p.channel+1), customerIDs[m.ranks[i]],
			idOrNil(p.group), idOrNil(p.assignee), window, zeroNil(t.lastIn), zeroNil(t.lastOut), t.last, t.unread,
			nil, m.created[i], updated, closed)
		if err != nil {
			return err
		}
	}
	return b.flush(ctx)
}

// writeMessages merges the tickets' messages by time, so message ids grow
// with time and a ticket's messages are spread over the table as in a live
// system (a ticket's thread is not stored contiguously).
func writeMessages(ctx context.Context, m *model, s sink, batch int, customerIDs []int64) error {
	mb := &batcher{sink: s, table: "messages", cols: messageCols, size: batch}
	ab := &batcher{sink: s, table: "attachments", cols: attachmentCols, size: batch}
	r := rand.New(rand.NewPCG(m.seed, 5))
	z := zipfFor(r, len(m.world.Words))
	tx := &texter{words: m.world.Words}
	active := map[int]*ticketPlan{}
	var h eventHeap
	nextTicket, msgID, attID := 0, int64(0), int64(0)
	for steps := 0; steps <= m.world.Messages+m.world.Tickets; steps++ {
		// Open every ticket created before the next pending message.
		for nextTicket < m.world.Tickets && (h.Len() == 0 || m.created[nextTicket] <= h[0].at) {
			p := m.plan(nextTicket)
			active[nextTicket] = &p
			heap.Push(&h, event{at: p.msgs[0].at, ticket: int32(nextTicket)})
			nextTicket++
		}
		if h.Len() == 0 {
			break
		}
		ev := heap.Pop(&h).(event)
		p := active[int(ev.ticket)]
		mp := p.msgs[ev.msg]
		if int(ev.msg)+1 < len(p.msgs) {
			heap.Push(&h, event{at: p.msgs[ev.msg+1].at, ticket: ev.ticket, msg: ev.msg + 1})
		} else {
			delete(active, int(ev.ticket))
		}
		msgID++
		if err := mb.add(ctx, messageRow(m, r, z, tx, p, mp, msgID, int64(ev.ticket)+1, customerIDs[m.ranks[ev.ticket]])...); err != nil {
			return err
		}
		if mp.note {
			m.world.Notes++
		}
		if mp.media > 0 {
			attID++
			k := mediaKinds[mp.media]
			sum := sha256.Sum256([]byte(strconv.FormatInt(msgID, 10)))
			err := ab.add(ctx, attID, msgID, fmt.Sprintf("%s-%d.%s", k.typ, msgID, k.ext), k.mime,
				int64(20_000+r.IntN(3_000_000)), hex.EncodeToString(sum[:]), k.voice, "ready",
				strconv.FormatInt(1_000_000_000_000+msgID, 10), "", mp.at, mp.at)
			if err != nil {
				return err
			}
		}
	}
	if msgID != int64(m.world.Messages) {
		return fmt.Errorf("generated %d messages, want %d", msgID, m.world.Messages)
	}
	m.world.Attachments = int(attID)
	if err := mb.flush(ctx); err != nil {
		return err
	}
	return ab.flush(ctx)
}

// messageRow is one messages row in messageCols order.
func messageRow(m *model, r *rand.Rand, z *rand.Zipf, tx *texter, p *ticketPlan, mp msgPlan, id, ticketID, customerID int64) []any {
	k := mediaKinds[mp.media]
	typ, text := "text", tx.text(r, z)
	if mp.media > 0 {
		typ = k.typ
		if !k.caption || r.IntN(2) == 0 {
			text = ""
		}
	}
	dir, kind, status := "out", "agent", "read"
	var sender, wamid, errCode, errTitle, errMsg any
	switch {
	case mp.note:
		typ, status = "note", "note"
		sender = agentID(p, m, r)
	case mp.in:
		dir, kind, status = "in", "customer", "received"
		sender = customerID
	default:
		sender = agentID(p, m, r)
		switch u := r.Float64(); {
		case u < 0.03:
			status, errCode, errTitle, errMsg = "failed", int64(131047), "Re-engagement message", "More than 24 hours have passed since the recipient last replied"
		case u < 0.15:
			status = "delivered"
		}
	}
	if !mp.note {
		wamid = "wamid.HBgMNTUxMTk" + strconv.FormatInt(id, 36)
	}
	return []any{id, ticketID, int64(p.channel + 1), dir, mp.note, typ, text, kind, sender, wamid, status,
		errCode, errTitle, errMsg, nil, nil, nil, int64(0), mp.at, mp.at}
}

// agentID is the ticket's assignee, or someone of its group, or any agent.
func agentID(p *ticketPlan, m *model, r *rand.Rand) int64 {
	switch {
	case p.assignee >= 0:
		return int64(p.assignee + 1)
	case p.group >= 0:
		agents := m.world.GroupAgents[p.group]
		return int64(agents[r.IntN(len(agents))] + 1)
	}
	return int64(r.IntN(numAgents) + 1)
}

// zipfFor draws word ranks: with s = 1.1 over 30,000 words, "the" is in
// most messages, rank 3,000 in about one in 2,500 and the last words in
// about one in 50,000.
func zipfFor(r *rand.Rand, n int) *rand.Zipf {
	return rand.NewZipf(r, 1.1, 2, uint64(n-1))
}

func idOrNil(index int) any {
	if index < 0 {
		return nil
	}
	return int64(index + 1)
}

func zeroNil(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// event is the next message of an active ticket.
type event struct {
	at     int64
	ticket int32
	msg    int32
}

type eventHeap []event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].ticket < h[j].ticket
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(event)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
