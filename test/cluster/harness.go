// Package cluster proves wadesk's "nothing lost, nothing doubled" promise
// with real processes: a Cloud API simulator (`wadesk sim`), N `wadesk
// serve` instances sharing one database, and a round-robin load balancer
// in front of them, all on loopback. Tests kill instances with SIGKILL while
// load runs and then check the database and the simulator's records.
package cluster

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
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"wadesk/internal/store/storetest"
)

// Options shape a cluster.
type Options struct {
	Instances  int    // wadesk serve processes (default 1)
	Dialect    string // "sqlite" (one instance only) or "postgres"
	Throughput int    // the simulator's per-number cap (default 1000)
	SimArgs    []string
	// InstanceDB, if set, rewrites the PostgreSQL URL the instances (and
	// the CLI) use, e.g. to go through a proxy the test can cut; DB() keeps
	// reading the database directly.
	InstanceDB func(url string) string
}

// Cluster is a running simulator, wadesk instances and load balancer.
type Cluster struct {
	T         *testing.T
	Bin       string
	SimURL    string
	LBURL     string
	DBURL     string // PostgreSQL URL, or "" for SQLite
	appDBURL  string // the URL the instances use (DBURL unless Options.InstanceDB)
	DataDir   string
	Token     string // an admin API token
	ChannelID string
	Seed      SeedInfo

	mu        sync.Mutex
	instances []*Instance
	sim       *exec.Cmd
	lb        *http.Server
	next      atomic.Uint64
	client    *http.Client
}

// SeedInfo is the simulator's seeded fixture (GET /_sim/seed).
type SeedInfo struct {
	AppID         string `json:"app_id"`
	AppSecret     string `json:"app_secret"`
	WABAID        string `json:"waba_id"`
	PhoneNumberID string `json:"phone_number_id"`
	AccessToken   string `json:"access_token"`
}

// Instance is one `wadesk serve` process.
type Instance struct {
	Addr  string
	cmd   *exec.Cmd
	env   []string
	logs  *bytes.Buffer
	alive atomic.Bool
	exit  chan struct{}
}

var buildOnce sync.Once
var builtBin, buildErr = "", error(nil)

// Binary builds cmd/wadesk once per test binary.
func Binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "wadesk-cluster-*")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "wadesk")
		cmd := exec.Command("go", "build", "-o", builtBin, "wadesk/cmd/wadesk")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Start builds and boots a cluster; everything stops when the test ends.
func Start(t *testing.T, o Options) *Cluster {
	t.Helper()
	if o.Instances == 0 {
		o.Instances = 1
	}
	if o.Throughput == 0 {
		o.Throughput = 1000
	}
	c := &Cluster{T: t, Bin: Binary(t), DataDir: t.TempDir(),
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	if o.Dialect == "postgres" {
		c.DBURL = storetest.PostgresURL(t)
		c.appDBURL = c.DBURL
		if o.InstanceDB != nil {
			c.appDBURL = o.InstanceDB(c.DBURL)
		}
	} else if o.Instances > 1 {
		t.Fatal("cluster: several instances need PostgreSQL")
	}

	simAddr := freeAddr(t)
	c.SimURL = "http://" + simAddr
	c.sim = exec.Command(c.Bin, append([]string{"sim", "--addr", simAddr, "--throughput", fmt.Sprint(o.Throughput),
		"--log-level", "warn"}, o.SimArgs...)...)
	c.sim.Stderr = io.Discard
	if err := c.sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.sim.Process.Kill(); c.sim.Wait() })
	c.waitOK(c.SimURL + "/_sim/health")
	c.SimJSON("POST", "/_sim/seed", nil, &c.Seed)

	lbAddr := freeAddr(t)
	c.LBURL = "http://" + lbAddr
	c.startLB(lbAddr)

	for i := 0; i < o.Instances; i++ {
		c.instances = append(c.instances, c.newInstance())
	}
	for _, in := range c.instances {
		c.startInstance(in)
	}
	t.Cleanup(c.stopAll)
	c.bootstrap()
	return c
}

func (c *Cluster) env() []string {
	return []string{
		"WADESK_BASE_URL=" + c.LBURL,
		"WADESK_DATA_DIR=" + c.DataDir, // SQLite file and secret key; PostgreSQL instances share the key file
		"WADESK_DATABASE_URL=" + c.appDBURL,
		"WADESK_GRAPH_API_URL=" + c.SimURL,
		"WADESK_ATTACHMENTS=database",
		"WADESK_LOG_LEVEL=warn",
	}
}

func (c *Cluster) newInstance() *Instance {
	in := &Instance{Addr: freeAddr(c.T), logs: &bytes.Buffer{}}
	in.env = append(c.env(), "WADESK_ADDR="+in.Addr)
	return in
}

func (c *Cluster) startInstance(in *Instance) {
	c.T.Helper()
	cmd := exec.Command(c.Bin, "serve")
	cmd.Env = append(os.Environ(), in.env...)
	in.logs.Reset()
	cmd.Stdout, cmd.Stderr = in.logs, in.logs
	if err := cmd.Start(); err != nil {
		c.T.Fatal(err)
	}
	in.cmd, in.exit = cmd, make(chan struct{})
	go func() { cmd.Wait(); in.alive.Store(false); close(in.exit) }()
	c.waitOK("http://" + in.Addr + "/healthz")
	in.alive.Store(true)
}

// Kill sends SIGKILL to instance i (no graceful anything) and waits for it to die.
func (c *Cluster) Kill(i int) {
	in := c.instances[i]
	in.alive.Store(false)
	in.cmd.Process.Signal(syscall.SIGKILL)
	<-in.exit
}

// Restart starts a killed instance again on the same address.
func (c *Cluster) Restart(i int) { c.startInstance(c.instances[i]) }

// URL is instance i's own address, bypassing the load balancer.
func (c *Cluster) URL(i int) string { return "http://" + c.instances[i].Addr }

// Instances is the number of wadesk processes.
func (c *Cluster) Instances() int { return len(c.instances) }

// Logs returns what instance i printed since its last start.
func (c *Cluster) Logs(i int) string { return c.instances[i].logs.String() }

func (c *Cluster) stopAll() {
	for _, in := range c.instances {
		if in.cmd != nil && in.alive.Load() {
			in.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-in.exit:
			case <-time.After(20 * time.Second):
				in.cmd.Process.Kill()
				<-in.exit
			}
		}
	}
	if c.lb != nil {
		c.lb.Close()
	}
}

// startLB runs a round-robin reverse proxy over the live instances, as any
// load balancer would; a request that finds its instance dead is retried on
// the next one only if nothing was sent yet (connection refused).
func (c *Cluster) startLB(addr string) {
	transport := &http.Transport{MaxIdleConnsPerHost: 256, IdleConnTimeout: 30 * time.Second}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(r.In.Context().Value(targetKey{}).(*url.URL))
			r.Out.Host = r.In.Host
		},
		Transport: transport,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, "upstream unavailable", http.StatusBadGateway)
		},
	}
	c.lb = &http.Server{Addr: addr, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in := c.pick()
		if in == nil {
			http.Error(w, "no instance", http.StatusServiceUnavailable)
			return
		}
		u, _ := url.Parse("http://" + in.Addr)
		proxy.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), targetKey{}, u)))
	})}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		c.T.Fatal(err)
	}
	go c.lb.Serve(l)
}

type targetKey struct{}

func (c *Cluster) pick() *Instance {
	n := len(c.instances)
	for k := 0; k < n; k++ {
		in := c.instances[int(c.next.Add(1))%n]
		if in.alive.Load() {
			return in
		}
	}
	return nil
}

func (c *Cluster) waitOK(u string) {
	c.T.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(u)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	c.T.Fatalf("cluster: %s never answered 200", u)
}

// bootstrap creates an admin and its token with the CLI, then a channel on
// the simulator's seeded number through the API (the simulator performs the
// webhook handshake through the load balancer).
func (c *Cluster) bootstrap() {
	t := c.T
	t.Helper()
	run := func(stdin string, args ...string) string {
		cmd := exec.Command(c.Bin, args...)
		cmd.Env = append(os.Environ(), c.env()...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("wadesk %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	run("", "user", "add", "--email", "admin@example.com", "--name", "Admin", "--role", "admin", "--password", "cluster-admin-pass")
	c.Token = run("", "token", "create", "--email", "admin@example.com")
	var ch struct {
		ID string `json:"id"`
	}
	code := c.API("POST", "/api/v1/channels", map[string]any{
		"name": "Cluster", "waba_id": c.Seed.WABAID, "phone_number_id": c.Seed.PhoneNumberID,
		"access_token": c.Seed.AccessToken, "app_secret": c.Seed.AppSecret,
		"reminder": map[string]any{"enabled": false, "after_seconds": 72000, "message": ""},
	}, &ch)
	if code != 201 {
		t.Fatalf("cluster: create channel: %d", code)
	}
	c.ChannelID = ch.ID
}

// API calls wadesk through the load balancer with the admin token and
// decodes the JSON answer into out (may be nil). It retries requests that
// met a dead instance (502/503 from the balancer).
func (c *Cluster) API(method, path string, body, out any) int {
	return c.do(c.LBURL, "Bearer "+c.Token, method, path, body, out)
}

// SimJSON calls the simulator's control API.
func (c *Cluster) SimJSON(method, path string, body, out any) int {
	return c.do(c.SimURL, "", method, path, body, out)
}

func (c *Cluster) do(base, auth, method, path string, body, out any) int {
	c.T.Helper()
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			c.T.Fatal(err)
		}
	}
	for attempt := 0; ; attempt++ {
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(payload))
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := c.client.Do(req)
		if err == nil && (resp.StatusCode == 502 || resp.StatusCode == 503) && attempt < 50 {
			resp.Body.Close()
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if err != nil {
			if attempt < 50 {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			c.T.Fatalf("%s %s: %v", method, path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if out != nil && len(b) > 0 {
			if err := json.Unmarshal(b, out); err != nil {
				c.T.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, b, err)
			}
		}
		return resp.StatusCode
	}
}
