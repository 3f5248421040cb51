package helpdesk

import (
	"context"
	"fmt"
	"time"
)

// InboundBatch is the state of one transaction of inbound processing. A
// webhook batch often holds several messages of one customer; the batch
// remembers customers and live tickets it already loaded and writes each
// touched ticket once, at Flush, which makes a transaction of many
// deliveries cost little more than its inserts.
//
// A batch belongs to one transaction: build a new one when a transaction is
// retried, since a rolled-back batch remembers rows that no longer exist.
type InboundBatch struct {
	enq       Enqueuer
	customers map[string]*inboundCustomer // "w:"+wa_id, "b:"+bsuid
	tickets   map[[2]int64]*Ticket        // (customer, channel) → live ticket
	dirty     map[int64]*dirtyTicket      // tickets to write at Flush
	order     []int64                     // dirty ticket ids in first-touch order, so writes are deterministic
	jobs      []Job                       // enqueued at Flush, in one insert when the enqueuer can
	// Keys ("w:"/"b:") and customer ids whose absence is known from
	// Prefetch: no query needed to learn they do not exist.
	absent   map[string]bool
	complete map[int64]bool // customers whose live tickets are all in tickets
}

// BatchEnqueuer is an Enqueuer that can insert several jobs at once
// (internal/jobs.Runner); InboundBatch uses it when available.
type BatchEnqueuer interface {
	EnqueueManyTx(ctx context.Context, tx Tx, jobs []Job) error
}

// enqueue queues a job of the batch's transaction for Flush.
func (b *InboundBatch) enqueue(j Job) { b.jobs = append(b.jobs, j) }

type inboundCustomer struct {
	c       *Customer
	profile string // WhatsApp profile name last seen
}

type dirtyTicket struct {
	t        *Ticket
	ch       *Channel
	u        InboundTicketUpdate
	lastCust time.Time // latest customer message in this batch; zero if none
}

// NewInboundBatch starts a batch whose jobs (media downloads, welcome,
// reminders, apologies) are enqueued through enq in the same transaction.
func (s *Service) NewInboundBatch(enq Enqueuer) *InboundBatch {
	return &InboundBatch{enq: enq, customers: map[string]*inboundCustomer{},
		tickets: map[[2]int64]*Ticket{}, dirty: map[int64]*dirtyTicket{},
		absent: map[string]bool{}, complete: map[int64]bool{}}
}

// Prefetch loads the customers the refs name and their live tickets with
// two queries, so that applying a batch of messages costs little more than
// its inserts (one lookup per message is a network round trip each on
// PostgreSQL). Lookups of anything not prefetched still work.
func (s *Service) Prefetch(ctx context.Context, tx Tx, b *InboundBatch, refs []CustomerRef) error {
	var waIDs, bsuids []string
	seen := map[string]bool{}
	for _, r := range refs {
		if r.WAID != "" && !seen["w:"+r.WAID] && b.cached(CustomerRef{WAID: r.WAID}) == nil {
			seen["w:"+r.WAID] = true
			waIDs = append(waIDs, r.WAID)
		}
		if r.BSUID != "" && !seen["b:"+r.BSUID] && b.cached(CustomerRef{BSUID: r.BSUID}) == nil {
			seen["b:"+r.BSUID] = true
			bsuids = append(bsuids, r.BSUID)
		}
	}
	if len(seen) == 0 {
		return nil
	}
	cs, err := tx.InboundCustomers(ctx, waIDs, bsuids)
	if err != nil {
		return err
	}
	var ids []int64
	for i := range cs {
		cp := &cs[i]
		if b.cached(CustomerRef{WAID: cp.WAID, BSUID: cp.BSUID}) != nil {
			continue // found by both identifiers
		}
		c := cp.Customer
		b.remember(&inboundCustomer{c: &c, profile: cp.ProfileName})
		ids = append(ids, c.ID)
	}
	for k := range seen {
		if b.customers[k] == nil {
			b.absent[k] = true
		}
	}
	ts, err := tx.LiveTickets(ctx, ids)
	if err != nil {
		return err
	}
	for i := range ts {
		t := &ts[i]
		key := [2]int64{t.CustomerID, idOrZero(t.ChannelID)}
		if b.tickets[key] == nil { // newest first: the first is OpenTicketFor's answer
			b.tickets[key] = t
		}
	}
	for _, id := range ids {
		b.complete[id] = true
	}
	return nil
}

func idOrZero(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// Flush writes every ticket the batch changed, publishes ticket.updated for
// each, and enqueues the batch's jobs (media downloads, welcome messages,
// apologies) plus a reminder job for a ticket that has none pending.
func (s *Service) Flush(ctx context.Context, tx Tx, ev *Events, b *InboundBatch) error {
	for _, id := range b.order {
		d := b.dirty[id]
		d.u.UpdatedAt = s.Now()
		if err := tx.ApplyInboundTicket(ctx, &d.u); err != nil {
			return err
		}
		ev.Add(Event{Type: EventTicketUpdated, TicketID: d.t.ID, GroupID: d.t.GroupID})
		r := d.ch.Reminder
		if d.lastCust.IsZero() || !r.Enabled || r.AfterSeconds <= 0 || d.t.WindowExpiresAt == nil {
			continue
		}
		// One pending reminder job per ticket: while one is scheduled, a
		// newer message only moves the window, and that job snoozes to the
		// new due time when it runs (QueueReminder).
		due := d.lastCust.Add(time.Duration(r.AfterSeconds) * time.Second)
		claimed, err := tx.ClaimReminder(ctx, d.t.ID, due, s.Now())
		if err != nil {
			return err
		}
		if claimed {
			b.enqueue(ReminderJob{TicketID: d.t.ID, WindowExpiresAt: *d.t.WindowExpiresAt, At: due})
		}
	}
	clear(b.dirty)
	b.order = b.order[:0]
	jobs := b.jobs
	b.jobs = nil
	if many, ok := b.enq.(BatchEnqueuer); ok {
		if err := many.EnqueueManyTx(ctx, tx, jobs); err != nil {
			return fmt.Errorf("helpdesk: enqueue: %w", err)
		}
		return nil
	}
	for _, j := range jobs {
		if err := b.enq.EnqueueTx(ctx, tx, j); err != nil {
			return fmt.Errorf("helpdesk: enqueue %s: %w", j.Kind(), err)
		}
	}
	return nil
}

// touch marks t to be written at Flush; customerAt is the Meta time of a
// customer message that touched it (zero for notes).
func (b *InboundBatch) touch(t *Ticket, ch *Channel, customerAt time.Time) {
	d := b.dirty[t.ID]
	if d == nil {
		d = &dirtyTicket{t: t, ch: ch, u: InboundTicketUpdate{TicketID: t.ID, LastMessageAt: t.LastMessageAt}}
		b.dirty[t.ID] = d
		b.order = append(b.order, t.ID)
	}
	if customerAt.IsZero() {
		return // a note: the ticket only records the change time
	}
	u := &d.u
	u.UnreadDelta++
	u.Reopen, u.ResetReminder = true, true
	u.WindowExpiresAt, u.LastInboundAt = t.WindowExpiresAt, t.LastInboundAt
	u.LastMessageAt = t.LastMessageAt
	if customerAt.After(d.lastCust) {
		d.lastCust = customerAt
	}
}

// customer finds the customer of ref (by wa_id, then BSUID) in the batch or
// the database, creating it when create is set. The name follows changes of
// the WhatsApp profile name unless an agent renamed the customer; a
// customer known by one identifier learns the other.
func (s *Service) customer(ctx context.Context, tx Tx, b *InboundBatch, ref CustomerRef, create bool) (*Customer, error) {
	ic := b.cached(ref)
	if ic == nil {
		var c *Customer
		var profile string
		err := fmt.Errorf("helpdesk: customer: %w", ErrNotFound)
		if !b.knownAbsent(ref) {
			c, profile, err = tx.InboundCustomer(ctx, ref.WAID, ref.BSUID)
		}
		switch {
		case err == nil:
			ic = &inboundCustomer{c: c, profile: profile}
		case !isNotFound(err) || !create:
			return nil, err
		default:
			now := s.Now()
			c = &Customer{Name: ref.Name, WAID: ref.WAID, BSUID: ref.BSUID, Username: ref.Username, CreatedAt: now, UpdatedAt: now}
			if c.WAID != "" {
				c.Phone = "+" + c.WAID
			}
			if err := tx.CreateInboundCustomer(ctx, c, ref.Name); err != nil {
				return nil, err
			}
			ic = &inboundCustomer{c: c, profile: ref.Name}
			b.remember(ic)
			b.complete[c.ID] = true // a new customer has no tickets
			return c, nil
		}
	}
	if err := s.learn(ctx, tx, ic, ref); err != nil {
		return nil, err
	}
	b.remember(ic)
	return ic.c, nil
}

// knownAbsent reports whether Prefetch found that no customer has any of
// ref's identifiers.
func (b *InboundBatch) knownAbsent(ref CustomerRef) bool {
	if ref.WAID == "" && ref.BSUID == "" {
		return false
	}
	return (ref.WAID == "" || b.absent["w:"+ref.WAID]) && (ref.BSUID == "" || b.absent["b:"+ref.BSUID])
}

func (b *InboundBatch) cached(ref CustomerRef) *inboundCustomer {
	if ref.WAID != "" {
		if ic := b.customers["w:"+ref.WAID]; ic != nil {
			return ic
		}
	}
	if ref.BSUID != "" {
		return b.customers["b:"+ref.BSUID]
	}
	return nil
}

func (b *InboundBatch) remember(ic *inboundCustomer) {
	if ic.c.WAID != "" {
		b.customers["w:"+ic.c.WAID] = ic
	}
	if ic.c.BSUID != "" {
		b.customers["b:"+ic.c.BSUID] = ic
	}
}

// learn records what ref tells about a known customer.
func (s *Service) learn(ctx context.Context, tx Tx, ic *inboundCustomer, ref CustomerRef) error {
	c := ic.c
	before, profile := *c, ic.profile
	if c.WAID == "" && ref.WAID != "" {
		if _, _, err := tx.InboundCustomer(ctx, ref.WAID, ""); isNotFound(err) {
			c.WAID, c.Phone = ref.WAID, "+"+ref.WAID
		} else if err != nil {
			return err
		}
	}
	if c.BSUID == "" && ref.BSUID != "" {
		if _, _, err := tx.InboundCustomer(ctx, "", ref.BSUID); isNotFound(err) {
			c.BSUID = ref.BSUID
		} else if err != nil {
			return err
		}
	}
	if ref.Name != "" && ref.Name != ic.profile {
		if c.Name == "" || c.Name == ic.profile { // not renamed by an agent
			c.Name = ref.Name
		}
		profile = ref.Name
	}
	if ref.Username != "" {
		c.Username = ref.Username
	}
	if *c == before && profile == ic.profile {
		return nil
	}
	c.UpdatedAt = s.Now()
	ic.profile = profile
	return tx.UpdateInboundCustomer(ctx, c, profile)
}

// liveTicket returns the customer's not-closed ticket on the channel from
// the batch or the database; nil when there is none.
func (b *InboundBatch) liveTicket(ctx context.Context, tx Tx, c *Customer, ch *Channel) (*Ticket, error) {
	key := [2]int64{c.ID, ch.ID}
	if t := b.tickets[key]; t != nil {
		return t, nil
	}
	if b.complete[c.ID] {
		return nil, nil // Prefetch loaded all of this customer's live tickets
	}
	t, err := tx.OpenTicketFor(ctx, c.ID, ch.ID)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	b.tickets[key] = t
	return t, nil
}

// newTicket opens a conversation ticket titled "<name> (+<phone>) via
// WhatsApp" in the channel's group, claims it as the customer's live
// conversation (a concurrent twin fails with ErrConflict and the caller
// retries) and queues the channel's welcome message.
func (s *Service) newTicket(ctx context.Context, tx Tx, ev *Events, b *InboundBatch, c *Customer, ch *Channel, at time.Time) (*Ticket, error) {
	now := s.Now()
	channelID := ch.ID
	t := &Ticket{Title: truncate(InboundTitle(c), maxTitleLength), State: StateNew, ChannelID: &channelID, CustomerID: c.ID,
		GroupID: ch.GroupID, LastMessageAt: at, CreatedAt: now, UpdatedAt: now}
	if err := tx.CreateTicket(ctx, t); err != nil {
		return nil, err
	}
	if err := tx.ClaimConversation(ctx, t.ID); err != nil {
		return nil, err
	}
	ev.Add(Event{Type: EventTicketCreated, TicketID: t.ID, GroupID: t.GroupID})
	if ch.WelcomeMessage != "" {
		b.enqueue(WelcomeJob{TicketID: t.ID})
	}
	b.tickets[[2]int64{c.ID, ch.ID}] = t
	return t, nil
}

// InboundTitle is the title of a ticket a customer's message opens:
// "<name> (+<phone>) via WhatsApp"; without a phone (a BSUID-only user) the
// username or the BSUID stands in for it.
func InboundTitle(c *Customer) string {
	name := c.Name
	if name == "" {
		name = c.Username
	}
	id := c.Phone
	if id == "" && c.Username != "" && c.Username != name {
		id = "@" + c.Username
	}
	if id == "" {
		id = c.BSUID
	}
	switch {
	case name != "" && id != "":
		return name + " (" + id + ") via WhatsApp"
	case name != "":
		return name + " via WhatsApp"
	case id != "":
		return id + " via WhatsApp"
	}
	return "WhatsApp conversation"
}
