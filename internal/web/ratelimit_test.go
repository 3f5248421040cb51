package web

import (
	"strconv"
	"testing"
	"time"
)

func TestLoginLimitsStayBounded(t *testing.T) {
	l := newLoginLimits(loginRate, loginBurst, 100)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1000 {
		l.allow(now.Add(time.Duration(i)*time.Millisecond), "ip:"+strconv.Itoa(i))
	}
	if n := l.size(); n > 100 {
		t.Fatalf("%d keys tracked, limit 100", n)
	}
	// The most recent key survived eviction and is still charged.
	for range loginBurst - 1 {
		if !l.allow(now.Add(time.Second), "ip:999") {
			t.Fatal("recent key lost its bucket too early")
		}
	}
	if l.allow(now.Add(time.Second), "ip:999") {
		t.Error("6th attempt within a second allowed")
	}
}

func TestLoginLimitsChargeEveryKey(t *testing.T) {
	for _, tc := range []struct {
		name    string
		before  []string // keys exhausted first
		keys    []string
		allowed bool
	}{
		{name: "fresh keys pass", keys: []string{"ip:a", "email:a"}, allowed: true},
		{name: "exhausted email refuses", before: []string{"email:b"}, keys: []string{"ip:b", "email:b"}, allowed: false},
		{name: "exhausted ip refuses", before: []string{"ip:c"}, keys: []string{"ip:c", "email:c"}, allowed: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLoginLimits(loginRate, loginBurst, 100)
			now := time.Now()
			for _, k := range tc.before {
				for range loginBurst {
					l.allow(now, k)
				}
			}
			if got := l.allow(now, tc.keys...); got != tc.allowed {
				t.Errorf("allow = %v, want %v", got, tc.allowed)
			}
		})
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                    "/",
		"/tickets/5":          "/tickets/5",
		"//evil.example":      "/",
		"/\\evil":             "/",
		"https://x.y/":        "/",
		"tickets":             "/",
		"/a\r\nSet-Cookie: x": "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseID(t *testing.T) {
	for in, ok := range map[string]bool{
		"1": true, "42": true, "9223372036854775807": true,
		"": false, "0": false, "-1": false, "+1": false, "abc": false, "1e3": false, " 1": false,
		"9223372036854775808": false, "99999999999999999999": false,
	} {
		if _, got := parseID(in); got != ok {
			t.Errorf("parseID(%q) ok = %v, want %v", in, got, ok)
		}
	}
}
