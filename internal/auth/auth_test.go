package auth

import (
	"strings"
	"testing"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$") || strings.Contains(h, "correct horse") {
		t.Fatalf("unexpected hash format %q", h)
	}
	if err := CheckPassword(h, "correct horse"); err != nil {
		t.Errorf("right password rejected: %v", err)
	}
	if err := CheckPassword(h, "correct horsE"); err != ErrMismatch {
		t.Errorf("wrong password: got %v, want ErrMismatch", err)
	}
	h2, _ := HashPassword("correct horse")
	if h == h2 {
		t.Error("two hashes of one password must differ (random salt)")
	}
}

func TestCheckPasswordRejectsMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=18$m=1,t=1,p=1$AA$AA",
		"$argon2id$v=19$m=x$AA$AA", "$argon2id$v=19$m=1,t=1,p=1$!!$AA"} {
		if err := CheckPassword(h, "x"); err == nil {
			t.Errorf("hash %q accepted", h)
		}
	}
}

func TestTokens(t *testing.T) {
	raw, hash := NewToken()
	if !strings.HasPrefix(raw, TokenPrefix) || len(raw) != len(TokenPrefix)+43 {
		t.Fatalf("token %q has the wrong shape", raw)
	}
	if HashToken(raw) != hash || len(hash) != 64 || strings.Contains(hash, raw) {
		t.Fatal("hash must be the hex SHA-256 of the raw token")
	}
	raw2, _ := NewToken()
	if raw == raw2 {
		t.Fatal("tokens must be random")
	}
}
