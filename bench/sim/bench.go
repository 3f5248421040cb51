package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"wadesk/internal/sim"
)

// config bounds a run: every phase stops at its count or at Timeout.
type config struct {
	Sends       int           // phase 1: POST /messages
	Inbound     int           // phase 2: customer messages → webhooks
	StatusSends int           // phase 3: sends whose sent/delivered/read webhooks are counted
	Concurrency int           // client goroutines
	Customers   int           // distinct customers (delivery shards by customer)
	Timeout     time.Duration // per phase
	MaxBatch    int           // sim.DeliveryOptions.MaxBatch (1 = one item per POST)
}

// result is what one run measured.
type result struct {
	Sends, SendErrors   int
	SendSeconds         float64
	Inbound             int
	InboundSeconds      float64
	Statuses            int
	StatusSeconds       float64
	Posts, BadSignature int64
}

func (r result) sendRate() float64    { return float64(r.Sends) / r.SendSeconds }
func (r result) inboundRate() float64 { return float64(r.Inbound) / r.InboundSeconds }
func (r result) statusRate() float64  { return float64(r.Statuses) / r.StatusSeconds }

// counter is the fast webhook receiver: verifies X-Hub-Signature-256 over
// the raw bytes, decodes the batch and counts messages and statuses.
type counter struct {
	secret   []byte
	messages atomic.Int64
	statuses atomic.Int64
	posts    atomic.Int64
	badSig   atomic.Int64
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	c.posts.Add(1)
	m := hmac.New(sha256.New, c.secret)
	m.Write(body)
	want := "sha256=" + hex.EncodeToString(m.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Hub-Signature-256"))) {
		c.badSig.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var env struct {
		Entry []struct {
			Changes []struct {
				Value struct {
					Messages []json.RawMessage `json:"messages"`
					Statuses []json.RawMessage `json:"statuses"`
				} `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	for _, e := range env.Entry {
		for _, ch := range e.Changes {
			c.messages.Add(int64(len(ch.Value.Messages)))
			c.statuses.Add(int64(len(ch.Value.Statuses)))
		}
	}
	w.WriteHeader(http.StatusOK)
}

func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// run boots a Sim and a receiver on loopback and measures the three phases.
func run(ctx context.Context, cfg config) (result, error) {
	var res result
	s := sim.New(sim.Options{Throughput: 1_000_000, Statuses: sim.StatusOptions{Off: true}, RecordLimit: 2000,
		Delivery: sim.DeliveryOptions{MaxBatch: cfg.MaxBatch}})
	defer s.Close()
	info := s.Seed()
	rcv := &counter{secret: []byte(info.AppSecret)}
	rcvURL, stopRcv, err := serve(rcv)
	if err != nil {
		return res, err
	}
	defer stopRcv()
	simURL, stopSim, err := serve(s.Handler())
	if err != nil {
		return res, err
	}
	defer stopSim()
	s.SetBaseURL(simURL)
	s.AddApp(sim.App{ID: info.AppID, Secret: info.AppSecret, CallbackURL: rcvURL + "/webhook"})
	customers := make([]string, cfg.Customers)
	for i := range customers {
		customers[i] = strconv.Itoa(4915100000000 + i)
		if err := s.OpenWindow(info.PhoneNumberID, customers[i]); err != nil {
			return res, err
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Concurrency, MaxIdleConns: cfg.Concurrency}, Timeout: 10 * time.Second}
	url := simURL + "/v25.0/" + info.PhoneNumberID + "/messages"

	// Phase 1: sends/s, half templates, half in-window texts.
	start := time.Now()
	okN, errN := sendMany(ctx, client, url, info.AccessToken, customers, cfg.Sends, cfg.Concurrency, cfg.Timeout)
	res.Sends, res.SendErrors, res.SendSeconds = okN, errN, time.Since(start).Seconds()

	// Phase 2: inbound customer messages pushed as webhooks.
	start = time.Now()
	var wg sync.WaitGroup
	var injectErr atomic.Value
	per := cfg.Inbound / cfg.Concurrency
	for g := range cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				in := sim.Inbound{PhoneNumberID: info.PhoneNumberID, From: customers[(g*per+i)%len(customers)], Type: "text", Text: "bench message " + strconv.Itoa(i)}
				if _, err := s.CustomerSend(ctx, in); err != nil {
					injectErr.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, _ := injectErr.Load().(error); err != nil {
		return res, err
	}
	want := int64(per * cfg.Concurrency)
	if err := waitFor(ctx, func() bool { return rcv.messages.Load() >= want }, cfg.Timeout); err != nil {
		return res, fmt.Errorf("inbound: %d of %d webhook messages arrived: %w", rcv.messages.Load(), want, err)
	}
	res.Inbound, res.InboundSeconds = int(rcv.messages.Load()), time.Since(start).Seconds()

	// Phase 3: sends with sent/delivered/read webhooks, counted at the receiver.
	s2 := sim.New(sim.Options{Throughput: 1_000_000, RecordLimit: 2000, Delivery: sim.DeliveryOptions{MaxBatch: cfg.MaxBatch},
		Statuses: sim.StatusOptions{Sent: time.Millisecond, Delivered: 2 * time.Millisecond, Read: 3 * time.Millisecond}})
	defer s2.Close()
	info2 := s2.Seed()
	rcv2 := &counter{secret: []byte(info2.AppSecret)}
	rcv2URL, stopRcv2, err := serve(rcv2)
	if err != nil {
		return res, err
	}
	defer stopRcv2()
	sim2URL, stopSim2, err := serve(s2.Handler())
	if err != nil {
		return res, err
	}
	defer stopSim2()
	s2.AddApp(sim.App{ID: info2.AppID, Secret: info2.AppSecret, CallbackURL: rcv2URL + "/webhook"})
	for _, c := range customers {
		_ = s2.OpenWindow(info2.PhoneNumberID, c)
	}
	start = time.Now()
	okN, _ = sendMany(ctx, client, sim2URL+"/v25.0/"+info2.PhoneNumberID+"/messages", info2.AccessToken, customers, cfg.StatusSends, cfg.Concurrency, cfg.Timeout)
	want = int64(3 * okN)
	if err := waitFor(ctx, func() bool { return rcv2.statuses.Load() >= want }, cfg.Timeout); err != nil {
		return res, fmt.Errorf("statuses: %d of %d arrived: %w", rcv2.statuses.Load(), want, err)
	}
	res.Statuses, res.StatusSeconds = int(rcv2.statuses.Load()), time.Since(start).Seconds()
	res.Posts = rcv.posts.Load() + rcv2.posts.Load()
	res.BadSignature = rcv.badSig.Load() + rcv2.badSig.Load()
	return res, nil
}

// sendMany posts n messages from conc goroutines over keep-alive
// connections and returns accepted and failed counts.
func sendMany(ctx context.Context, client *http.Client, url, token string, customers []string, n, conc int, timeout time.Duration) (int, int) {
	deadline := time.Now().Add(timeout)
	var ok, bad atomic.Int64
	var next atomic.Int64
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && time.Now().Before(deadline) {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				to := customers[i%len(customers)]
				body := `{"messaging_product":"whatsapp","to":"` + to + `","type":"text","text":{"body":"benchmark reply ` + strconv.Itoa(i) + `"}}`
				if i%2 == 0 {
					body = `{"messaging_product":"whatsapp","to":"` + to + `","type":"template","template":{"name":"order_update","language":{"code":"en_US"},"components":[` +
						`{"type":"body","parameters":[{"type":"text","text":"Ada"},{"type":"text","text":"` + strconv.Itoa(i) + `"}]},` +
						`{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"` + strconv.Itoa(i) + `"}]}]}}`
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader([]byte(body)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := client.Do(req)
				if err != nil {
					bad.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					ok.Add(1)
				} else {
					bad.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return int(ok.Load()), int(bad.Load())
}

func waitFor(ctx context.Context, cond func() bool, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		time.Sleep(2 * time.Millisecond)
	}
	return nil
}
