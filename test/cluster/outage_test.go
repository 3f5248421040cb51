package cluster

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"
)

// dbProxy is a TCP proxy between the instances and PostgreSQL that the
// test can cut: while cut, it closes every connection and refuses new ones,
// as a database that restarts or a network that fails would.
type dbProxy struct {
	target string
	l      net.Listener

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]struct{}
}

func startProxy(t *testing.T, target string) *dbProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dbProxy{target: target, l: l, conns: map[net.Conn]struct{}{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for { // ends when the listener closes
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go p.serve(conn)
		}
	}()
	t.Cleanup(func() { l.Close(); <-done; p.closeAll() })
	return p
}

func (p *dbProxy) serve(client net.Conn) {
	p.mu.Lock()
	cut := p.cut
	p.mu.Unlock()
	if cut {
		client.Close()
		return
	}
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(client, server) {
		return
	}
	go func() { io.Copy(server, client); server.Close() }()
	io.Copy(client, server)
	client.Close()
}

// track registers a pair of connections unless the proxy was cut meanwhile.
func (p *dbProxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		for _, c := range conns {
			c.Close()
		}
		return false
	}
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
	return true
}

// Cut closes every connection and refuses new ones until Restore.
func (p *dbProxy) Cut() {
	p.mu.Lock()
	p.cut = true
	p.mu.Unlock()
	p.closeAll()
}

// Restore lets connections through again.
func (p *dbProxy) Restore() {
	p.mu.Lock()
	p.cut = false
	p.mu.Unlock()
}

func (p *dbProxy) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// rewrite points a PostgreSQL URL at the proxy.
func (p *dbProxy) rewrite(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	u.Host = p.l.Addr().String()
	return u.String()
}

// healthz returns instance base's /healthz status (0 if it did not answer).
func healthz(base string) int {
	client := http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get(base + "/healthz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// simDelivery is an entry of the simulator's webhook delivery log.
type simDelivery struct {
	Time     time.Time       `json:"time"`
	Kind     string          `json:"kind"`
	Status   int             `json:"status"`
	GaveUp   bool            `json:"gave_up"`
	Duration time.Duration   `json:"duration_ns"`
	Body     json.RawMessage `json:"body"`
}

// wamids lists the inbound message ids a webhook body carries.
func (d simDelivery) wamids() []string {
	var body struct {
		Entry []struct {
			Changes []struct {
				Value struct {
					Messages []struct {
						ID string `json:"id"`
					} `json:"messages"`
				} `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	json.Unmarshal(d.Body, &body)
	var ids []string
	for _, e := range body.Entry {
		for _, c := range e.Changes {
			for _, m := range c.Value.Messages {
				ids = append(ids, m.ID)
			}
		}
	}
	return ids
}

// TestDatabaseOutage cuts the instances off PostgreSQL for a few seconds
// while customers keep writing: webhooks must answer 503 (Meta retries)
// rather than acknowledge what could not be stored, /healthz must say so,
// and once the database is back the service recovers by itself with every
// message stored exactly once.
func TestDatabaseOutage(t *testing.T) {
	skipShort(t)
	const customers, perCustomer = 40, 10
	total := customers * perCustomer
	outage := time.Duration(envInt("WADESK_OUTAGE_SECONDS", 4)) * time.Second

	direct := ""
	var proxy *dbProxy
	c := Start(t, Options{Instances: 2, Dialect: "postgres", InstanceDB: func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		direct = u.Host
		proxy = startProxy(t, direct)
		return proxy.rewrite(raw)
	}})

	// Customers write at a steady pace (~60 messages/s) before, during and
	// after the outage.
	sent := make(chan []string, 1)
	go func() {
		var ids []string
		for i := range total {
			phone := fmt.Sprintf("4940%07d", i%customers)
			var out struct {
				ID string `json:"id"`
			}
			if code := c.SimJSON("POST", "/_sim/inbound", map[string]any{"phone_number_id": c.Seed.PhoneNumberID,
				"from": phone, "name": "Customer " + phone, "type": "text", "text": fmt.Sprintf("message %d", i)}, &out); code == 200 {
				ids = append(ids, out.ID)
			}
			time.Sleep(16 * time.Millisecond)
		}
		sent <- ids
	}()

	time.Sleep(1500 * time.Millisecond)
	cutAt := time.Now()
	proxy.Cut()
	// While the database is unreachable every instance says so.
	unhealthy := map[int]bool{}
	for time.Since(cutAt) < outage {
		for i := range c.Instances() {
			if code := healthz(c.URL(i)); code == http.StatusServiceUnavailable {
				unhealthy[i] = true
			} else if code == http.StatusOK && time.Since(cutAt) > time.Second {
				t.Errorf("instance %d: /healthz 200 with the database unreachable", i)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	restoreAt := time.Now()
	proxy.Restore()
	if len(unhealthy) != c.Instances() {
		t.Errorf("/healthz answered 503 on %d of %d instances during the outage", len(unhealthy), c.Instances())
	}

	// The service recovers by itself.
	for i := range c.Instances() {
		deadline := time.Now().Add(30 * time.Second)
		for healthz(c.URL(i)) != http.StatusOK {
			if time.Now().After(deadline) {
				t.Fatalf("instance %d: /healthz not 200 within 30 s of the database coming back", i)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	t.Logf("outage %v; every instance healthy again %v after it ended", restoreAt.Sub(cutAt).Round(time.Millisecond),
		time.Since(restoreAt).Round(time.Millisecond))

	ids := <-sent
	if len(ids) != total {
		t.Fatalf("the simulator accepted %d of %d messages", len(ids), total)
	}
	stored := waitCount(t, c, 2*time.Minute, total, `SELECT COUNT(*) FROM messages WHERE direction = 'in'`)
	time.Sleep(time.Second) // a late retry must not add anything
	db := c.DB()
	stored = Count(t, db, `SELECT COUNT(*) FROM messages WHERE direction = 'in'`)
	distinct := Count(t, db, `SELECT COUNT(DISTINCT wa_message_id) FROM messages WHERE direction = 'in'`)

	var log struct {
		Data []simDelivery `json:"data"`
	}
	c.SimJSON("GET", "/_sim/deliveries", nil, &log)
	statuses := map[int]int{}
	gaveUp, okDuringOutage := 0, 0
	acked := map[string]bool{}
	for _, d := range log.Data {
		if d.Kind != "webhook" && d.Kind != "duplicate" {
			continue
		}
		statuses[d.Status]++
		if d.GaveUp {
			gaveUp++
		}
		if d.Status == http.StatusOK {
			for _, id := range d.wamids() {
				acked[id] = true
			}
			// A second into the outage nothing can commit any more.
			if end := d.Time.Add(d.Duration); end.After(cutAt.Add(time.Second)) && end.Before(restoreAt) {
				okDuringOutage++
			}
		}
	}
	t.Logf("deliveries by HTTP status %v, gave up %d; messages sent %d, stored %d, distinct %d, acknowledged %d",
		statuses, gaveUp, total, stored, distinct, len(acked))
	if statuses[http.StatusServiceUnavailable] == 0 {
		t.Errorf("no webhook was answered 503 during the outage")
	}
	for code, n := range statuses {
		if code != http.StatusOK && code != http.StatusServiceUnavailable {
			t.Errorf("%d deliveries answered %d; an unreachable database must answer 503", n, code)
		}
	}
	if okDuringOutage != 0 {
		t.Errorf("%d deliveries answered 200 while the database was unreachable", okDuringOutage)
	}
	if gaveUp != 0 {
		t.Errorf("the simulator gave up on %d deliveries", gaveUp)
	}
	if stored != total || distinct != total {
		t.Errorf("stored %d inbound messages (%d distinct), want exactly %d", stored, distinct, total)
	}
	// Everything acknowledged is stored: check by id, not only by count.
	rows, err := db.Query(`SELECT wa_message_id FROM messages WHERE direction = 'in'`)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		have[id] = true
	}
	rows.Close()
	for id := range acked {
		if !have[id] {
			t.Errorf("message %s was acknowledged with 200 but is not stored", id)
		}
	}
	for _, id := range ids {
		if !have[id] {
			t.Errorf("message %s sent by the simulator is not stored", id)
		}
	}
}
