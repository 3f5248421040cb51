package ui_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"wadesk/internal/app/apptest"
)

// browserCtx is the one headless chromium this test binary shares: each
// test opens its own tab in it. Set once by TestMain, read-only afterwards.
var browserCtx context.Context

const chromiumPath = "/usr/bin/chromium"

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			fmt.Fprintf(os.Stderr, "FAIL: %s is missing and CI is set: the browser tests must run in CI (apt-get install chromium)\n", chromiumPath)
			return 1
		}
		fmt.Fprintf(os.Stderr, "\n!!!!!!!! SKIPPING THE BROWSER TESTS: %s not found (apt-get install chromium) !!!!!!!!\n\n", chromiumPath)
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "wadesk-chromium-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer removeProfile(dir)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 800),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // starts the browser, without a timeout (it would stop it)
		fmt.Fprintf(os.Stderr, "FAIL: start %s: %v\n", chromiumPath, err)
		return 1
	}
	browserCtx = ctx
	return m.Run()
}

// removeProfile retries: chromium's helpers may still write for a moment.
func removeProfile(dir string) {
	for range 50 {
		if os.RemoveAll(dir) == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// tab is one browser tab of a test, closed when the test ends. Every wait
// in it is bounded by the tab's deadline.
type tab struct {
	t       *testing.T
	ctx     context.Context
	dialogs atomic.Int32 // alert/confirm/prompt dialogs opened (and dismissed)
}

func newTab(t *testing.T) *tab {
	t.Helper()
	if browserCtx == nil {
		t.Skip("chromium is not installed (see the message at the start of the run)")
	}
	tctx, cancelT := context.WithTimeout(browserCtx, 2*time.Minute)
	ctx, cancel := chromedp.NewContext(tctx)
	t.Cleanup(func() { cancel(); cancelT() })
	tb := &tab{t: t, ctx: ctx}
	tb.do(chromedp.EmulateViewport(1280, 800))
	go func() {
		for _, err := range chromedp.Events(ctx, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			tb.dialogs.Add(1)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	return tb
}

// do runs actions and fails the test with the page's location on error.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		loc, _ := chromedp.Run(tb.ctx, chromedp.Location())
		tb.t.Fatalf("browser at %s: %v", loc, err)
	}
}

// waitJS waits until the JavaScript expression is truthy. A navigation
// while polling (the page it polled is gone) just starts a new poll.
func (tb *tab) waitJS(what, expr string, timeout time.Duration) {
	tb.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			left = time.Millisecond
		}
		ctx, cancel := context.WithTimeout(tb.ctx, left+5*time.Second)
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(left)))
		cancel()
		if err == nil {
			return
		}
		navigated := strings.Contains(err.Error(), "navigated") || strings.Contains(err.Error(), "Cannot find context")
		if !navigated || time.Now().After(deadline) {
			loc, _ := chromedp.Run(tb.ctx, chromedp.Location())
			tb.t.Fatalf("waiting for %s at %s: %v", what, loc, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// eval returns a JavaScript expression's value.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// signInBrowser signs in through the login form.
func (tb *tab) signIn(base, email, password string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("main#main")))
}

// shot saves a screenshot to docs/screenshots when WADESK_SCREENSHOTS is
// set (go test ./internal/ui -run Browser with WADESK_SCREENSHOTS=1).
func (tb *tab) shot(name string) {
	tb.t.Helper()
	if os.Getenv("WADESK_SCREENSHOTS") == "" {
		return
	}
	time.Sleep(300 * time.Millisecond) // let animations settle
	png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

// clear empties an input (and tells its listeners).
func (tb *tab) clear(sel string) {
	tb.t.Helper()
	tb.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const el = document.querySelector(%s); el.value = ''; el.dispatchEvent(new Event('input')); })()`, js(sel))))
}

// js quotes s as a JavaScript string literal.
func js(s string) string { return strconv.Quote(s) }

// hasText is a JS expression: some element matching sel contains text.
func hasText(sel, text string) string {
	return fmt.Sprintf(`[...document.querySelectorAll(%s)].some(e => e.textContent.includes(%s))`, js(sel), js(text))
}

// connectChannel connects the simulator's seeded number through the API
// (the simulator runs the webhook handshake) and syncs its templates.
func connectChannel(t *testing.T, e *apptest.Env) string {
	t.Helper()
	var ch struct{ ID string }
	status, body := e.Do("POST", "/api/v1/channels", map[string]any{
		"name": "Support line", "waba_id": e.Seed.WABAID, "phone_number_id": e.Seed.PhoneNumberID,
		"access_token": e.Seed.AccessToken, "app_secret": e.Seed.AppSecret,
	})
	if status != 201 {
		t.Fatalf("create channel: %d %s", status, body)
	}
	if err := jsonUnmarshal(body, &ch); err != nil {
		t.Fatal(err)
	}
	if status, body := e.Do("POST", "/api/v1/channels/"+ch.ID+"/templates/sync", nil); status >= 300 {
		t.Fatalf("sync templates: %d %s", status, body)
	}
	return ch.ID
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
