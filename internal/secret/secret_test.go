package secret

import (
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key, err := ParseKey(NewKey())
	if err != nil {
		t.Fatal(err)
	}
	box, err := NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := box.Seal("EAAG-token", "channel:access_token")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "EAAG") || !strings.HasPrefix(sealed, "v1:") {
		t.Fatalf("ciphertext %q leaks or lacks its version", sealed)
	}
	if got, err := box.Open(sealed, "channel:access_token"); err != nil || got != "EAAG-token" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := box.Open(sealed, "channel:app_secret"); err == nil {
		t.Error("a ciphertext moved to another column must not open")
	}
	other, _ := ParseKey(NewKey())
	box2, _ := NewBox(other)
	if _, err := box2.Open(sealed, "channel:access_token"); err == nil {
		t.Error("another key must not open it")
	}
	for _, bad := range []string{"", "v1:", "v1:!!", "v2:AAAA", sealed[:len(sealed)-4]} {
		if _, err := box.Open(bad, "channel:access_token"); err == nil {
			t.Errorf("Open(%q) should fail", bad)
		}
	}
}

func TestParseKey(t *testing.T) {
	if _, err := ParseKey("dG9vIHNob3J0"); err == nil {
		t.Error("short key accepted")
	}
	if _, err := ParseKey("not base64!"); err == nil {
		t.Error("garbage accepted")
	}
	if _, err := NewBox(make([]byte, 16)); err == nil {
		t.Error("16-byte key accepted")
	}
}
