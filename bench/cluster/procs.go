package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"wadesk/internal/auth"
)

// cluster is a simulator, n `wadesk serve` processes on one PostgreSQL
// schema and a round-robin balancer, as in test/cluster, without testing.T.
type cluster struct {
	bin, dir      string
	dbURL, simURL string
	lbURL         string
	token         string
	channelID     string
	hookURL       string
	seed          struct {
		AppSecret     string `json:"app_secret"`
		WABAID        string `json:"waba_id"`
		PhoneNumberID string `json:"phone_number_id"`
		AccessToken   string `json:"access_token"`
	}
	sim   *exec.Cmd
	procs []*exec.Cmd
	addrs []string
	lb    *http.Server
	next  atomic.Uint64
	http  *http.Client
	drop  func()
}

// build compiles cmd/wadesk once into dir.
func build(dir string) (string, error) {
	bin := filepath.Join(dir, "wadesk")
	cmd := exec.Command("go", "build", "-o", bin, "wadesk/cmd/wadesk")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// start boots everything; stop undoes it (and drops the schema).
func start(ctx context.Context, bin, pgBase string, instances, throughput int) (*cluster, error) {
	c := &cluster{bin: bin, http: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 128}}}
	var err error
	if c.dir, err = os.MkdirTemp("", "wadesk-bench-cluster-*"); err != nil {
		return nil, err
	}
	if c.dbURL, c.drop, err = freshSchema(ctx, pgBase); err != nil {
		return nil, err
	}
	simAddr := freeAddr()
	c.simURL = "http://" + simAddr
	c.sim = exec.Command(bin, "sim", "--addr", simAddr, "--throughput", strconv.Itoa(throughput), "--log-level", "error")
	if err := c.sim.Start(); err != nil {
		c.stop()
		return nil, err
	}
	if err := waitOK(c.simURL + "/_sim/health"); err != nil {
		c.stop()
		return nil, err
	}
	if code := c.call(c.simURL, "POST", "/_sim/seed", nil, &c.seed); code != 200 {
		c.stop()
		return nil, fmt.Errorf("sim seed: %d", code)
	}
	lbAddr := freeAddr()
	c.lbURL = "http://" + lbAddr
	if err := c.startLB(lbAddr); err != nil {
		c.stop()
		return nil, err
	}
	for range instances {
		addr := freeAddr()
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), append(c.env(), "WADESK_ADDR="+addr)...)
		if err := cmd.Start(); err != nil {
			c.stop()
			return nil, err
		}
		c.procs, c.addrs = append(c.procs, cmd), append(c.addrs, addr)
	}
	for _, a := range c.addrs {
		if err := waitOK("http://" + a + "/healthz"); err != nil {
			c.stop()
			return nil, err
		}
	}
	if err := c.bootstrap(); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

func (c *cluster) env() []string {
	return []string{"WADESK_BASE_URL=" + c.lbURL, "WADESK_DATA_DIR=" + c.dir, "WADESK_DATABASE_URL=" + c.dbURL,
		"WADESK_GRAPH_API_URL=" + c.simURL, "WADESK_ATTACHMENTS=database", "WADESK_LOG_LEVEL=warn"}
}

func (c *cluster) stop() {
	for _, p := range c.procs {
		p.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			p.Process.Kill()
			<-done
		}
	}
	if c.sim != nil && c.sim.Process != nil {
		c.sim.Process.Kill()
		c.sim.Wait()
	}
	if c.lb != nil {
		c.lb.Close()
	}
	if c.drop != nil {
		c.drop()
	}
	os.RemoveAll(c.dir)
}

// startLB is a round-robin reverse proxy over the instances.
func (c *cluster) startLB(addr string) error {
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			i := int(c.next.Add(1)) % len(c.addrs)
			r.SetURL(&url.URL{Scheme: "http", Host: c.addrs[i]})
			r.Out.Host = r.In.Host
		},
		Transport: &http.Transport{MaxIdleConnsPerHost: 256, IdleConnTimeout: 30 * time.Second},
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	c.lb = &http.Server{Handler: proxy}
	go c.lb.Serve(l)
	return nil
}

// bootstrap creates an admin, its token and the channel (mark_read off:
// read receipts for made-up messages would spend the number's budget).
func (c *cluster) bootstrap() error {
	run := func(args ...string) (string, error) {
		cmd := exec.Command(c.bin, args...)
		cmd.Env = append(os.Environ(), c.env()...)
		out, err := cmd.Output()
		return strings.TrimSpace(string(out)), err
	}
	if _, err := run("user", "add", "--email", "bench@example.com", "--name", "Bench", "--role", "admin", "--password", "bench-password-123"); err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	var err error
	if c.token, err = run("token", "create", "--email", "bench@example.com"); err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	var ch struct {
		ID          string `json:"id"`
		CallbackURL string `json:"callback_url"`
	}
	code := c.call(c.lbURL, "POST", "/api/v1/channels", map[string]any{"name": "Bench", "waba_id": c.seed.WABAID,
		"phone_number_id": c.seed.PhoneNumberID, "access_token": c.seed.AccessToken, "app_secret": c.seed.AppSecret,
		"reminder": map[string]any{"enabled": false, "after_seconds": 72000, "message": ""}}, &ch)
	if code != 201 {
		return fmt.Errorf("create channel: %d", code)
	}
	c.channelID, c.hookURL = ch.ID, ch.CallbackURL
	if code := c.call(c.lbURL, "PATCH", "/api/v1/channels/"+c.channelID, map[string]any{"mark_read": false}, nil); code != 200 {
		return fmt.Errorf("patch channel: %d", code)
	}
	return nil
}

// call sends JSON to base+path (with the admin token for wadesk) and
// decodes the answer into out.
func (c *cluster) call(base, method, path string, body, out any) int {
	var payload []byte
	if body != nil {
		payload, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(method, base+path, bytes.NewReader(payload))
	req.Header.Set("Content-Type", "application/json")
	if base != c.simURL {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		json.Unmarshal(b, out)
	}
	return resp.StatusCode
}

func waitOK(u string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s never answered 200", u)
}

// freshSchema creates a throw-away schema and returns a URL whose
// connections use it, and a function that drops it.
func freshSchema(ctx context.Context, base string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, fmt.Errorf("postgres: %w", err)
	}
	defer conn.Close(ctx)
	schema := "wadesk_bench_cluster_" + strings.ToLower(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, auth.RandomString(8)))
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	}, nil
}

// rss samples each instance's resident memory (VmRSS) and reads its peak
// (VmHWM) from /proc.
type rss struct {
	mu   sync.Mutex
	peak []int64 // highest VmRSS sampled, kB
}

func (c *cluster) sampleRSS(ctx context.Context, r *rss) {
	r.mu.Lock()
	r.peak = make([]int64, len(c.procs))
	r.mu.Unlock()
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		for i, p := range c.procs {
			if kb := procStatus(p.Process.Pid, "VmRSS"); kb > 0 {
				r.mu.Lock()
				r.peak[i] = max(r.peak[i], kb)
				r.mu.Unlock()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// procStatus reads a kB field of /proc/<pid>/status (0 if unreadable).
func procStatus(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
