package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// TokenPrefix starts every API token, so a leaked token is easy to recognise
// (and to find with secret scanners).
const TokenPrefix = "wdk_"

// NewToken returns a fresh random API token ("wdk_" + 43 base64url chars,
// 256 bits) and the SHA-256 hash under which it is stored.
func NewToken() (raw, hash string) {
	raw = TokenPrefix + RandomString(32)
	return raw, HashToken(raw)
}

// HashToken is the lookup key of a bearer secret (API token or session id).
// Secrets are random and long, so a fast unsalted hash is enough: the point is
// that a database dump does not contain usable credentials.
func HashToken(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

// RandomString returns n random bytes encoded as unpadded base64url.
func RandomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("auth: crypto/rand failed: " + err.Error()) // the OS RNG never fails on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
