package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"wadesk/internal/store/storetest"
)

// buildBinary compiles wadesk once per test binary run, as a user would.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "wadesk")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type runner struct {
	t   *testing.T
	bin string
	env []string
}

func (r runner) run(stdin string, args ...string) (stdout, stderr string, code int) {
	r.t.Helper()
	cmd := exec.Command(r.bin, args...)
	cmd.Env = append(os.Environ(), r.env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		r.t.Fatalf("run %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestCLIEndToEnd drives the real binary: migrate, user add, token create,
// serve, an API call with the token, and a graceful stop on SIGTERM.
func TestCLIEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			addr := freePort(t)
			env := []string{
				"WADESK_DATA_DIR=" + t.TempDir(),
				"WADESK_ADDR=" + addr,
				"WADESK_BASE_URL=http://" + addr,
				"WADESK_LOG_LEVEL=info",
				"WADESK_DATABASE_URL=",
			}
			if dialect == "postgres" {
				env = append(env, "WADESK_DATABASE_URL="+storetest.PostgresURL(t))
			}
			r := runner{t: t, bin: bin, env: env}

			if out, errs, code := r.run("", "migrate"); code != 0 {
				t.Fatalf("migrate: exit %d: %s %s", code, out, errs)
			}
			if _, errs, code := r.run("", "migrate"); code != 0 {
				t.Fatalf("second migrate must be a no-op: exit %d: %s", code, errs)
			}
			if _, errs, code := r.run("s3cret-pass\n", "user", "add", "--email", "Ada@Example.com", "--name", "Ada", "--role", "admin"); code != 0 {
				t.Fatalf("user add: exit %d: %s", code, errs)
			}
			_, errs, code := r.run("", "user", "add", "--email", "ada@example.com", "--name", "Ada", "--role", "admin", "--password", "another-pass")
			if code != 1 || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Errorf("duplicate user: exit %d, stderr %q; want 1 and one line", code, errs)
			}
			if _, _, code := r.run("", "user", "add", "--email", "x@example.com"); code != 2 {
				t.Errorf("missing --name: exit %d, want 2 (usage)", code)
			}
			token, errs, code := r.run("", "token", "create", "--email", "ada@example.com")
			token = strings.TrimSpace(token)
			if code != 0 || !strings.HasPrefix(token, "wdk_") {
				t.Fatalf("token create: exit %d, %q, %s", code, token, errs)
			}
			if _, _, code := r.run("", "token", "create", "--email", "nobody@example.com"); code != 1 {
				t.Errorf("token for unknown user: exit %d, want 1", code)
			}

			srv := exec.Command(bin, "serve")
			srv.Env = append(os.Environ(), env...)
			stderr, err := srv.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := srv.Start(); err != nil {
				t.Fatal(err)
			}
			logs := make(chan string, 1)
			go func() {
				b, _ := io.ReadAll(bufio.NewReader(stderr))
				logs <- string(b)
			}()
			t.Cleanup(func() { srv.Process.Kill() })

			base := "http://" + addr
			waitHealthy(t, base)
			req, _ := http.NewRequest("GET", base+"/api/v1/me", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var me struct {
				Email string `json:"email"`
				Role  string `json:"role"`
			}
			json.NewDecoder(resp.Body).Decode(&me)
			resp.Body.Close()
			if resp.StatusCode != 200 || me.Email != "ada@example.com" || me.Role != "admin" {
				t.Fatalf("GET /api/v1/me = %d %+v", resp.StatusCode, me)
			}
			resp, err = http.Get(base + "/api/v1/tickets")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 401 {
				t.Errorf("no token: %d, want 401", resp.StatusCode)
			}

			if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- srv.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve after SIGTERM: %v (want exit 0)", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("serve did not stop within 30 s of SIGTERM")
			}
			out := <-logs
			if !strings.Contains(out, `"msg":"stopped"`) {
				t.Errorf("no graceful stop in the logs:\n%s", out)
			}
			if strings.Contains(out, token) || strings.Contains(out, "s3cret-pass") {
				t.Error("a secret appeared in the logs")
			}
			if dialect == "sqlite" {
				checkBackupRestore(t, r, token)
			}
		})
	}
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s/healthz never answered 200", base)
}

// TestCLIUsageAndConfigErrors checks the exit codes of the contract:
// 2 on bad usage, 1 with one line on stderr for a bad configuration.
func TestCLIUsageAndConfigErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	r := runner{t: t, bin: bin, env: []string{"WADESK_DATA_DIR=" + dir}}
	cases := []struct {
		name string
		env  []string
		args []string
		code int
		want string
	}{
		{"no command", nil, nil, 2, "usage"},
		{"unknown command", nil, []string{"frobnicate"}, 2, "unknown command"},
		{"unknown flag", nil, []string{"migrate", "--nope"}, 2, "flag provided but not defined"},
		{"version", nil, []string{"version"}, 0, ""},
		{"bad log level", []string{"WADESK_LOG_LEVEL=loud"}, []string{"migrate"}, 1, "WADESK_LOG_LEVEL"},
		{"malformed base URL", []string{"WADESK_BASE_URL=::nope"}, []string{"serve"}, 1, "WADESK_BASE_URL"},
		{"unreachable database", []string{"WADESK_DATABASE_URL=postgres://nobody@127.0.0.1:1/x?connect_timeout=2"}, []string{"migrate"}, 1, "database"},
		{"unwritable data dir", []string{"WADESK_DATA_DIR=/proc/wadesk"}, []string{"migrate"}, 1, "WADESK_DATA_DIR"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rr := r
			rr.env = append(append([]string{}, r.env...), tc.env...)
			out, errs, code := rr.run("", tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d (stdout %q, stderr %q)", code, tc.code, out, errs)
			}
			if tc.code == 1 && strings.Count(strings.TrimRight(errs, "\n"), "\n") != 0 {
				t.Errorf("stderr must be one line, got %q", errs)
			}
			if !strings.Contains(out+errs, tc.want) {
				t.Errorf("output %q lacks %q", out+errs, tc.want)
			}
			if tc.name == "version" && !strings.HasPrefix(out, "wadesk ") {
				t.Errorf("version printed %q", out)
			}
		})
	}
}

// checkBackupRestore backs the SQLite install up, restores it into a new
// data dir, and checks the restored copy knows the same user and token.
func checkBackupRestore(t *testing.T, r runner, token string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "wadesk-backup.tar.gz")
	if _, errs, code := r.run("", "backup", file); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, errs)
	}
	if _, _, code := r.run("", "backup", file); code != 1 {
		t.Errorf("backup over an existing file: exit %d, want 1", code)
	}
	restored := runner{t: t, bin: r.bin, env: append(append([]string{}, r.env...), "WADESK_DATA_DIR="+t.TempDir())}
	if out, errs, code := restored.run("", "restore", file); code != 0 || !strings.Contains(out, "restored") {
		t.Fatalf("restore: exit %d: %s %s", code, out, errs)
	}
	if _, errs, code := restored.run("", "restore", file); code != 1 {
		t.Errorf("restore over a database: exit %d (%s), want 1", code, errs)
	}
	if out, errs, code := restored.run("", "token", "create", "--email", "ada@example.com"); code != 0 || !strings.HasPrefix(out, "wdk_") {
		t.Fatalf("the restored install does not know the user: exit %d %s %s", code, out, errs)
	}
}
