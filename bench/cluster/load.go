package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"wadesk/internal/whatsapp"
)

// inboundResult is the inbound phase's outcome.
type inboundResult struct {
	acked, failed int64         // messages answered 200 / otherwise
	ackTime       time.Duration // the senders' phase
	procTime      time.Duration // from the first send until every acked message was stored
	stored        int
}

func (r inboundResult) ackRate() float64  { return float64(r.acked) / r.ackTime.Seconds() }
func (r inboundResult) procRate() float64 { return float64(r.stored) / r.procTime.Seconds() }

// delivery builds a Meta-shaped signed delivery of batch text messages
// from one of customers (unique wamids).
func delivery(buf *bytes.Buffer, c *cluster, run string, n int64, batch, customers int) {
	customer := 4915200000000 + n%int64(customers)
	ts := time.Now().Unix()
	buf.Reset()
	fmt.Fprintf(buf, `{"object":"whatsapp_business_account","entry":[{"id":"%s","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"%s"},"contacts":[{"profile":{"name":"Bench %d"},"wa_id":"%d"}],"messages":[`,
		c.seed.WABAID, c.seed.PhoneNumberID, customer%int64(customers), customer)
	for i := range batch {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(buf, `{"from":"%d","id":"wamid.cl%s.%d.%d","timestamp":"%d","type":"text","text":{"body":"Cluster benchmark message %d: where is my order?"}}`,
			customer, run, n, i, ts, n)
	}
	buf.WriteString(`]}}]}]}`)
}

// inbound runs senders posting signed deliveries through the balancer in a
// closed loop for d, then waits (at most drain) until the acknowledged
// messages are all stored as messages.
func inbound(ctx context.Context, c *cluster, senders, batch, customers int, d, drain time.Duration) (inboundResult, error) {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: senders, MaxConnsPerHost: senders, IdleConnTimeout: time.Minute}}
	defer client.CloseIdleConnections()
	run := fmt.Sprint(time.Now().UnixNano() % 1e9)
	var seq, acked, failed atomic.Int64
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			var buf bytes.Buffer
			for time.Now().Before(deadline) && ctx.Err() == nil {
				delivery(&buf, c, run, seq.Add(1), batch, customers)
				req, _ := http.NewRequest("POST", c.hookURL, bytes.NewReader(buf.Bytes()))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(whatsapp.SignatureHeader, whatsapp.Sign(c.seed.AppSecret, buf.Bytes()))
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if err == nil && resp.StatusCode == 200 {
					acked.Add(int64(batch))
				} else {
					failed.Add(int64(batch))
				}
			}
		})
	}
	wg.Wait()
	r := inboundResult{acked: acked.Load(), failed: failed.Load(), ackTime: time.Since(start)}

	conn, err := pgx.Connect(ctx, c.dbURL)
	if err != nil {
		return r, err
	}
	defer conn.Close(ctx)
	limit := time.Now().Add(drain)
	for {
		if err := conn.QueryRow(ctx, `SELECT COUNT(*) FROM messages WHERE direction = 'in'`).Scan(&r.stored); err != nil {
			return r, err
		}
		if int64(r.stored) >= r.acked || time.Now().After(limit) || ctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.procTime = time.Since(start)
	return r, nil
}

// outboundResult is the outbound phase's outcome.
type outboundResult struct {
	queued, accepted, limited int
	span                      time.Duration // first to last accepted send at the simulator
}

func (r outboundResult) rate() float64 { return float64(r.accepted-1) / r.span.Seconds() }

// outbound queues n replies spread over the tickets (32 agents through the
// balancer) on a number capped at capPerSecond, and measures the sends the
// simulator accepted and refused with 130429.
func outbound(ctx context.Context, c *cluster, n, capPerSecond int, timeout time.Duration) (outboundResult, error) {
	var r outboundResult
	if code := c.call(c.lbURL, "PATCH", "/api/v1/channels/"+c.channelID, map[string]any{"rate_limit": capPerSecond}, nil); code != 200 {
		return r, fmt.Errorf("patch rate_limit: %d", code)
	}
	conn, err := pgx.Connect(ctx, c.dbURL)
	if err != nil {
		return r, err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT t.id, cu.wa_id FROM tickets t JOIN customers cu ON cu.id = t.customer_id ORDER BY t.id`)
	if err != nil {
		return r, err
	}
	type ticket struct {
		id   int64
		waID string
	}
	var tickets []ticket
	for rows.Next() {
		var t ticket
		rows.Scan(&t.id, &t.waID)
		tickets = append(tickets, t)
	}
	rows.Close()
	if len(tickets) == 0 {
		return r, fmt.Errorf("no tickets to answer (run the inbound phase first)")
	}
	// Customers the benchmark made up are unknown to the simulator: open
	// their windows there so free-form replies are allowed.
	for _, t := range tickets {
		c.call(c.simURL, "POST", "/_sim/windows", map[string]any{"phone_number_id": c.seed.PhoneNumberID, "customer": t.waID}, nil)
	}
	c.call(c.simURL, "DELETE", "/_sim/requests", nil, nil)
	var before int
	conn.QueryRow(ctx, `SELECT COUNT(*) FROM messages WHERE direction = 'out'`).Scan(&before)

	var next, queued atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				path := fmt.Sprintf("/api/v1/tickets/%d/messages", tickets[i%len(tickets)].id)
				if c.call(c.lbURL, "POST", path, map[string]any{"text": fmt.Sprintf("reply %d", i)}, nil) == 202 {
					queued.Add(1)
				}
			}
		})
	}
	wg.Wait()
	r.queued = int(queued.Load())
	limit := time.Now().Add(timeout)
	for {
		var done int
		conn.QueryRow(ctx, `SELECT COUNT(*) FROM messages WHERE direction = 'out' AND status NOT IN ('queued', 'sending')`).Scan(&done)
		if done-before >= n || time.Now().After(limit) || ctx.Err() != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	var log struct {
		Data []struct {
			Time   time.Time `json:"time"`
			Status int       `json:"status"`
		} `json:"data"`
	}
	c.call(c.simURL, "GET", "/_sim/requests?path=/messages&method=POST", nil, &log)
	var first, last time.Time
	for _, q := range log.Data {
		switch q.Status {
		case 200:
			if first.IsZero() || q.Time.Before(first) {
				first = q.Time
			}
			if q.Time.After(last) {
				last = q.Time
			}
			r.accepted++
		case 429:
			r.limited++
		}
	}
	r.span = last.Sub(first)
	return r, nil
}
