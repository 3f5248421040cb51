package cluster

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// envInt reads a size knob, so a developer can run the proofs bigger.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes and sends thousands of messages")
	}
}

// sendInbound makes the simulator's customers write: perCustomer messages
// from each of customers, with workers concurrent senders. It returns the
// wamids the simulator created.
func sendInbound(t *testing.T, c *Cluster, customers, perCustomer, workers int, offset int) []string {
	t.Helper()
	type job struct{ customer, n int }
	jobs := make(chan job)
	var mu sync.Mutex
	var ids []string
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Go(func() {
			for j := range jobs {
				var out struct {
					ID string `json:"id"`
				}
				phone := fmt.Sprintf("4930%07d", offset+j.customer)
				code := c.SimJSON("POST", "/_sim/inbound", map[string]any{
					"phone_number_id": c.Seed.PhoneNumberID, "from": phone, "name": "Customer " + phone,
					"type": "text", "text": fmt.Sprintf("message %d of customer %s", j.n, phone),
				}, &out)
				if code != 200 || out.ID == "" {
					t.Errorf("sim inbound: %d", code)
					continue
				}
				mu.Lock()
				ids = append(ids, out.ID)
				mu.Unlock()
			}
		})
	}
	// Round by round, so each customer's messages go out in order and are
	// interleaved with everybody else's.
	for n := 0; n < perCustomer; n++ {
		for cu := 0; cu < customers; cu++ {
			jobs <- job{cu, n}
		}
	}
	close(jobs)
	wg.Wait()
	return ids
}

// waitCount polls a COUNT query until it reaches want or the timeout passes.
func waitCount(t *testing.T, c *Cluster, timeout time.Duration, want int, q string, args ...any) int {
	t.Helper()
	db := c.DB()
	deadline := time.Now().Add(timeout)
	n := -1
	for time.Now().Before(deadline) {
		if n = Count(t, db, q, args...); n >= want {
			return n
		}
		time.Sleep(200 * time.Millisecond)
	}
	return n
}

// TestThreeInstancesNothingLostNothingDoubled is the first proof:
// 3 instances on PostgreSQL, 10,000 messages from 1,000 customers with 20%
// duplicated deliveries and reordered statuses → exactly 10,000 messages,
// one open ticket per customer, every agent reply sent exactly once.
func TestThreeInstancesNothingLostNothingDoubled(t *testing.T) {
	skipShort(t)
	customers := envInt("WADESK_CLUSTER_CUSTOMERS", 1000)
	per := envInt("WADESK_CLUSTER_PER_CUSTOMER", 10)
	c := Start(t, Options{Instances: 3, Dialect: "postgres"})
	if code := c.SimJSON("PUT", "/_sim/faults", map[string]any{"duplicate_probability": 0.2, "reorder_statuses": true}, nil); code != 200 {
		t.Fatalf("faults: %d", code)
	}
	start := time.Now()
	ids := sendInbound(t, c, customers, per, 32, 0)
	total := customers * per
	if len(ids) != total {
		t.Fatalf("the simulator accepted %d of %d messages", len(ids), total)
	}
	got := waitCount(t, c, 3*time.Minute, total, `SELECT COUNT(*) FROM messages WHERE direction = 'in'`)
	elapsed := time.Since(start)
	db := c.DB()
	if got != total {
		t.Fatalf("inbound messages stored: %d, want exactly %d", got, total)
	}
	time.Sleep(time.Second) // late duplicates must not add anything
	if n := Count(t, db, `SELECT COUNT(*) FROM messages WHERE direction = 'in'`); n != total {
		t.Fatalf("after duplicates: %d inbound messages, want %d", n, total)
	}
	if n := Count(t, db, `SELECT COUNT(DISTINCT wa_message_id) FROM messages WHERE direction = 'in'`); n != total {
		t.Fatalf("distinct wamids %d, want %d", n, total)
	}
	if n := Count(t, db, `SELECT COUNT(*) FROM customers`); n != customers {
		t.Errorf("customers %d, want %d", n, customers)
	}
	if n := Count(t, db, `SELECT COUNT(*) FROM tickets WHERE state <> 'closed'`); n != customers {
		t.Errorf("open tickets %d, want one per customer (%d)", n, customers)
	}
	if n := Count(t, db, `SELECT COUNT(*) FROM (SELECT customer_id FROM tickets WHERE state <> 'closed' GROUP BY customer_id HAVING COUNT(*) > 1) x`); n != 0 {
		t.Errorf("%d customers have more than one open ticket", n)
	}
	t.Logf("%d messages from %d customers stored exactly once in %v (%.0f msg/s end to end, 3 instances, 20%% duplicates)",
		total, customers, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds())

	// Every agent replies once per ticket, through any instance.
	tickets := TicketIDs(t, db)
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for w := 0; w < 16; w++ {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if int(i) >= len(tickets) {
					return
				}
				code := c.API("POST", fmt.Sprintf("/api/v1/tickets/%d/messages", tickets[i]), map[string]any{"text": "Thanks, we are on it."}, nil)
				if code != 202 {
					t.Errorf("reply to ticket %d: %d", tickets[i], code)
				}
			}
		})
	}
	wg.Wait()
	replies := len(tickets)
	sent := waitCount(t, c, 2*time.Minute, replies,
		`SELECT COUNT(*) FROM messages WHERE direction = 'out' AND internal = FALSE AND status IN ('accepted','sent','delivered','read')`)
	if sent != replies {
		t.Fatalf("replies accepted by the Cloud API: %d of %d", sent, replies)
	}
	var simMsgs struct {
		Data []struct {
			WaID string `json:"wa_id"`
		} `json:"data"`
	}
	c.SimJSON("GET", "/_sim/messages?direction=out&phone_number_id="+c.Seed.PhoneNumberID, nil, &simMsgs)
	perCustomer := map[string]int{}
	for _, m := range simMsgs.Data {
		perCustomer[m.WaID]++
	}
	if len(simMsgs.Data) != replies || len(perCustomer) != customers {
		t.Fatalf("the simulator received %d sends for %d customers; want %d for %d", len(simMsgs.Data), len(perCustomer), replies, customers)
	}
	for wa, n := range perCustomer {
		if n != 1 {
			t.Fatalf("customer %s got %d replies, want exactly 1", wa, n)
		}
	}
	// Reordered statuses (read first) must end at read, never go back.
	read := waitCount(t, c, time.Minute, replies, `SELECT COUNT(*) FROM messages WHERE direction = 'out' AND status = 'read'`)
	if read != replies {
		t.Errorf("replies at read: %d of %d", read, replies)
	}
}

// crashLoad runs inbound load and agent replies while instances are killed
// with SIGKILL and restarted, then checks that every message the simulator
// delivered is stored exactly once, every reply was sent at most once (and
// exactly once unless marked unknown), and nothing is left stuck.
func crashLoad(t *testing.T, c *Cluster, kills int) {
	customers := envInt("WADESK_CRASH_CUSTOMERS", 200)
	per := envInt("WADESK_CRASH_PER_CUSTOMER", 10)
	total := customers * per

	stop := make(chan struct{})
	var killed atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		r := rand.New(rand.NewPCG(1, 2))
		for int(killed.Load()) < kills {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(150+r.IntN(350)) * time.Millisecond):
			}
			i := r.IntN(c.Instances())
			c.Kill(i)
			killed.Add(1)
			time.Sleep(time.Duration(r.IntN(200)) * time.Millisecond)
			c.Restart(i)
		}
	})
	ids := sendInbound(t, c, customers, per, 16, 5000)
	if len(ids) != total {
		t.Fatalf("the simulator accepted %d of %d messages", len(ids), total)
	}
	got := waitCount(t, c, 3*time.Minute, total, `SELECT COUNT(*) FROM messages WHERE direction = 'in'`)
	if got != total {
		close(stop)
		wg.Wait()
		t.Fatalf("after crashes: %d inbound messages stored, want exactly %d (a delivery was lost)", got, total)
	}

	// Replies while the killing goes on.
	db, inbox := c.DB(), c.InboxDB()
	tickets := TicketIDs(t, db)
	for _, id := range tickets {
		c.API("POST", fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]any{"text": "On it."}, nil)
	}
	for int(killed.Load()) < kills {
		time.Sleep(100 * time.Millisecond)
	}
	close(stop)
	wg.Wait()

	// Let everything settle with every instance up. On PostgreSQL a job
	// orphaned by a kill waits for River's rescuer (90 s + its 30 s period).
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		pending := Count(t, db, `SELECT COUNT(*) FROM messages WHERE direction = 'out' AND status IN ('queued','sending')`) +
			Count(t, inbox, `SELECT COUNT(*) FROM webhook_inbox WHERE state = 'pending'`) +
			Count(t, db, `SELECT COUNT(*) FROM river_job WHERE state IN ('running','retryable','available') AND kind <> 'cleanup'`)
		if pending == 0 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	in := Count(t, db, `SELECT COUNT(*) FROM messages WHERE direction = 'in'`)
	distinct := Count(t, db, `SELECT COUNT(DISTINCT wa_message_id) FROM messages WHERE direction = 'in'`)
	stuckOut := Count(t, db, `SELECT COUNT(*) FROM messages WHERE direction = 'out' AND status IN ('queued','sending')`)
	stuckInbox := Count(t, inbox, `SELECT COUNT(*) FROM webhook_inbox WHERE state = 'pending'`)
	unknown := Count(t, db, `SELECT COUNT(*) FROM messages WHERE direction = 'out' AND status = 'unknown'`)
	failed := Count(t, db, `SELECT COUNT(*) FROM messages WHERE direction = 'out' AND status = 'failed'`)
	stuckJobs := Count(t, db, `SELECT COUNT(*) FROM river_job WHERE state IN ('running','retryable','available') AND kind <> 'cleanup'`)
	replies := Count(t, db, `SELECT COUNT(*) FROM messages WHERE direction = 'out' AND internal = FALSE`)

	var simMsgs struct {
		Data []struct {
			WaID    string         `json:"wa_id"`
			Payload map[string]any `json:"payload"`
		} `json:"data"`
	}
	c.SimJSON("GET", "/_sim/messages?direction=out&phone_number_id="+c.Seed.PhoneNumberID, nil, &simMsgs)
	sends := len(simMsgs.Data)
	t.Logf("kills=%d inbound=%d/%d distinct=%d replies=%d sends_at_meta=%d unknown=%d failed=%d stuck_out=%d stuck_inbox=%d stuck_jobs=%d",
		killed.Load(), in, total, distinct, replies, sends, unknown, failed, stuckOut, stuckInbox, stuckJobs)
	if in != total || distinct != total {
		t.Errorf("inbound: %d stored, %d distinct, want exactly %d", in, distinct, total)
	}
	if sends > replies {
		t.Errorf("Meta received %d sends for %d replies: a reply was sent twice", sends, replies)
	}
	if sends+unknown+failed < replies {
		t.Errorf("%d replies, but only %d sent + %d unknown + %d failed: a reply was lost silently", replies, sends, unknown, failed)
	}
	if stuckOut != 0 || stuckInbox != 0 || stuckJobs != 0 {
		t.Errorf("stuck: %d outbound messages, %d inbox rows, %d jobs", stuckOut, stuckInbox, stuckJobs)
		rows, err := db.Query(`SELECT kind, state, attempt FROM river_job WHERE state IN ('running','retryable','available')`)
		if err == nil {
			for rows.Next() {
				var kind, state string
				var attempt int
				rows.Scan(&kind, &state, &attempt)
				t.Logf("stuck job: %s %s attempt %d", kind, state, attempt)
			}
			rows.Close()
		}
	}
}

// TestCrashThreeInstances kills instances of a PostgreSQL cluster 20 times.
func TestCrashThreeInstances(t *testing.T) {
	skipShort(t)
	c := Start(t, Options{Instances: 3, Dialect: "postgres"})
	crashLoad(t, c, envInt("WADESK_CRASH_KILLS", 20))
}

// TestCrashSQLiteSingleInstance kills the only instance on SQLite 20 times.
func TestCrashSQLiteSingleInstance(t *testing.T) {
	skipShort(t)
	c := Start(t, Options{Instances: 1, Dialect: "sqlite"})
	crashLoad(t, c, envInt("WADESK_CRASH_KILLS", 20))
}
