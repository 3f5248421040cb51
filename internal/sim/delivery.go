package sim

import (
	"bytes"
	"context"
	"hash/fnv"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// whItem is one message, status or value-level error waiting for delivery.
type whItem struct {
	waba    string
	phoneID string
	display string // digits, for metadata
	shard   string // conversation key: keeps one customer's events in order
	contact *whContact
	message []byte
	status  *whStatus
	errors  []WebhookError
}

func (it *whItem) kind() string {
	switch {
	case it.message != nil:
		return "messages"
	case it.status != nil:
		return "statuses"
	}
	return "errors"
}

// maxLoggedBody bounds the body kept in the delivery log; batches under
// load are large and the log is a ring of thousands.
const maxLoggedBody = 16 << 10

// dispatcher owns one target (worker pool) per callback URL and app.
type dispatcher struct {
	s       *Sim
	mu      sync.Mutex
	targets map[string]*target
	wg      sync.WaitGroup
}

type target struct {
	url, appID, secret string
	queues             []*queue
}

// queue is an unbounded FIFO for one worker: producers never block, so a
// slow receiver cannot stall sends.
type queue struct {
	mu     sync.Mutex
	items  []whItem
	notify chan struct{}
}

func (q *queue) push(it whItem) {
	q.mu.Lock()
	q.items = append(q.items, it)
	q.mu.Unlock()
	select {
	case q.notify <- struct{}{}:
	default:
	}
}

func (q *queue) take(max int) []whItem {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(len(q.items), max)
	if n == 0 {
		return nil
	}
	out := make([]whItem, n)
	copy(out, q.items)
	rest := copy(q.items, q.items[n:])
	clear(q.items[rest:])
	q.items = q.items[:rest]
	return out
}

func newDispatcher(s *Sim) *dispatcher { return &dispatcher{s: s, targets: map[string]*target{}} }

func (d *dispatcher) wait() { d.wg.Wait() }

// targetSpec is where one subscribed app receives a number's events.
type targetSpec struct{ url, appID, secret string }

// targetsFor resolves callback URLs with precedence phone override > WABA
// override > app callback (§6.5), one per subscribed app.
func (s *Sim) targetsFor(phoneID, waba string) ([]targetSpec, string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b := s.wabas[waba]
	if b == nil || len(b.Subscriptions) == 0 {
		return nil, "WABA " + waba + " has no subscribed app (POST /{waba_id}/subscribed_apps)"
	}
	n := s.numbers[phoneID]
	var out []targetSpec
	for _, sub := range b.Subscriptions {
		a := s.apps[sub.AppID]
		if a == nil {
			continue
		}
		u := a.CallbackURL
		if sub.OverrideCallbackURI != "" {
			u = sub.OverrideCallbackURI
		}
		if n != nil && n.OverrideCallbackURI != "" {
			u = n.OverrideCallbackURI
		}
		if u != "" {
			out = append(out, targetSpec{u, a.ID, a.Secret})
		}
	}
	if len(out) == 0 {
		return nil, "no callback URL configured for the subscribed app(s) of WABA " + waba
	}
	return out, ""
}

// emit queues an item for every target, after Faults.ExtraDelay.
func (s *Sim) emit(it whItem) {
	if extra := time.Duration(s.faults.snapshot().ExtraDelay); extra > 0 {
		s.after(extra, func() { s.delivery.enqueue(it) })
		return
	}
	s.delivery.enqueue(it)
}

func (d *dispatcher) enqueue(it whItem) {
	if d.s.ctx.Err() != nil {
		return
	}
	specs, why := d.s.targetsFor(it.phoneID, it.waba)
	if len(specs) == 0 {
		d.s.logDelivery(Delivery{Time: d.s.Now(), Kind: "dropped", Items: 1, Error: why})
		return
	}
	h := fnv.New32a()
	h.Write([]byte(it.shard))
	shard := h.Sum32()
	for _, sp := range specs {
		t := d.target(sp)
		t.queues[shard%uint32(len(t.queues))].push(it)
	}
}

func (d *dispatcher) target(sp targetSpec) *target {
	key := sp.url + "\x00" + sp.appID + "\x00" + sp.secret
	d.mu.Lock()
	defer d.mu.Unlock()
	if t := d.targets[key]; t != nil {
		return t
	}
	t := &target{url: sp.url, appID: sp.appID, secret: sp.secret}
	for range d.s.opts.Delivery.Workers {
		q := &queue{notify: make(chan struct{}, 1)}
		t.queues = append(t.queues, q)
		d.wg.Add(1)
		go d.work(t, q)
	}
	d.targets[key] = t
	return t
}

// work drains one queue: whatever is waiting goes out in one POST (up to
// MaxBatch), which is how delivery keeps up under load.
func (d *dispatcher) work(t *target, q *queue) {
	defer d.wg.Done()
	ctx := d.s.ctx
	for {
		select {
		case <-ctx.Done():
			return
		case <-q.notify:
		}
		for ctx.Err() == nil {
			f := d.s.faults.snapshot()
			max := d.s.opts.Delivery.MaxBatch
			if f.BatchSize > 1 {
				max = f.BatchSize
			}
			batch := q.take(max)
			if len(batch) == 0 {
				break
			}
			if f.BatchSize > 1 && len(batch) < f.BatchSize {
				batch = d.gather(q, batch, f)
			}
			d.post(t, batch, nil, 1)
		}
	}
}

// gather waits up to BatchWait for the batch to fill (Faults.BatchSize).
func (d *dispatcher) gather(q *queue, batch []whItem, f Faults) []whItem {
	wait := time.Duration(f.BatchWait)
	if wait <= 0 {
		wait = 50 * time.Millisecond
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for len(batch) < f.BatchSize {
		select {
		case <-d.s.ctx.Done():
			return batch
		case <-timer.C:
			return append(batch, q.take(f.BatchSize-len(batch))...)
		case <-q.notify:
			batch = append(batch, q.take(f.BatchSize-len(batch))...)
		}
	}
	return batch
}

// post sends one webhook POST and schedules retries with exponential
// backoff on non-2xx or network errors, up to Delivery.MaxAttempts.
func (d *dispatcher) post(t *target, items []whItem, body []byte, attempt int) {
	s := d.s
	if body == nil {
		var err error
		if body, err = encodeWebhook(buildEnvelope(items)); err != nil {
			s.logDelivery(Delivery{Time: s.Now(), URL: t.url, Kind: "dropped", Items: len(items), Error: "marshal: " + err.Error()})
			return
		}
	}
	sig := sign(t.secret, body)
	status, err := d.send(t, body, sig, "webhook", attempt, len(items))
	if err == nil && status/100 == 2 {
		if s.faults.duplicate() {
			_, _ = d.send(t, body, sig, "duplicate", attempt, len(items))
		}
		return
	}
	if attempt >= s.opts.Delivery.MaxAttempts {
		s.logDelivery(Delivery{Time: s.Now(), URL: t.url, AppID: t.appID, Kind: "gave_up", Attempt: attempt, Items: len(items),
			GaveUp: true, Error: "no 2xx after " + strconv.Itoa(attempt) + " attempts"})
		s.log.Warn("sim: webhook delivery gave up", "url", t.url, "attempts", attempt)
		return
	}
	backoff := s.opts.Delivery.InitialBackoff << (attempt - 1)
	if backoff > s.opts.Delivery.MaxBackoff || backoff <= 0 {
		backoff = s.opts.Delivery.MaxBackoff
	}
	s.after(backoff, func() { d.post(t, items, body, attempt+1) })
}

// send performs one POST and logs it.
func (d *dispatcher) send(t *target, body []byte, sig, kind string, attempt, n int) (int, error) {
	s := d.s
	start := time.Now()
	rec := Delivery{Time: s.Now(), URL: t.url, AppID: t.appID, Kind: kind, Attempt: attempt, Items: n, Signature: sig}
	if len(body) <= maxLoggedBody {
		rec.Body = body
	}
	defer func() { rec.Duration = time.Since(start); s.logDelivery(rec) }()
	ctx, cancel := context.WithTimeout(s.ctx, s.opts.Delivery.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(body))
	if err != nil {
		rec.Error = err.Error()
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", sig)
	req.Header.Set("User-Agent", "facebookexternalua")
	resp, err := s.client.Do(req)
	if err != nil {
		rec.Error = err.Error()
		return 0, err
	}
	// Drain so the keep-alive connection is reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	rec.Status = resp.StatusCode
	if resp.StatusCode/100 != 2 {
		rec.Error = "non-2xx response"
	}
	return resp.StatusCode, nil
}

// after runs f once d has passed, unless the Sim is closed by then.
func (s *Sim) after(d time.Duration, f func()) {
	time.AfterFunc(d, func() {
		if s.ctx.Err() == nil {
			f()
		}
	})
}

// buildEnvelope groups items by WABA (entry) and by number and kind
// (change), as Meta batches (§1.4).
func buildEnvelope(items []whItem) *whEnvelope {
	env := &whEnvelope{Object: "whatsapp_business_account"}
	entryIdx := map[string]int{}
	type ck struct{ waba, phone, kind string }
	changeIdx := map[ck]int{}
	for i := range items {
		it := &items[i]
		ei, ok := entryIdx[it.waba]
		if !ok {
			ei = len(env.Entry)
			entryIdx[it.waba] = ei
			env.Entry = append(env.Entry, whEntry{ID: it.waba})
		}
		e := &env.Entry[ei]
		k := ck{it.waba, it.phoneID, it.kind()}
		ci, ok := changeIdx[k]
		if !ok {
			ci = len(e.Changes)
			changeIdx[k] = ci
			e.Changes = append(e.Changes, whChange{Field: "messages", Value: whValue{MessagingProduct: "whatsapp",
				Metadata: whMetadata{DisplayPhoneNumber: it.display, PhoneNumberID: it.phoneID}}})
		}
		v := &e.Changes[ci].Value
		if it.contact != nil && !hasContact(v.Contacts, it.contact) {
			v.Contacts = append(v.Contacts, *it.contact)
		}
		switch {
		case it.message != nil:
			v.Messages = append(v.Messages, it.message)
		case it.status != nil:
			v.Statuses = append(v.Statuses, *it.status)
		default:
			v.Errors = append(v.Errors, it.errors...)
		}
	}
	return env
}

func hasContact(list []whContact, c *whContact) bool {
	for _, x := range list {
		if x.WaID == c.WaID && x.UserID == c.UserID {
			return true
		}
	}
	return false
}
