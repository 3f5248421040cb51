package whatsapp

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// SignatureHeader is the header carrying the webhook signature.
const SignatureHeader = "X-Hub-Signature-256"

const signaturePrefix = "sha256="

// Sign returns the X-Hub-Signature-256 value for body: "sha256=" and the
// lowercase hex HMAC-SHA256 of the exact bytes, keyed with the app secret.
func Sign(appSecret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write(body)
	return signaturePrefix + hex.EncodeToString(m.Sum(nil))
}

// VerifySignature reports whether header is a valid signature of the raw
// body (reference §1.3). The comparison is constant time. An empty app
// secret never verifies: a channel without a configured secret must not
// accept anything, and an HMAC with an empty key is forgeable by anyone.
func VerifySignature(appSecret string, body []byte, header string) bool {
	if appSecret == "" || !strings.HasPrefix(header, signaturePrefix) {
		return false
	}
	got, err := hex.DecodeString(header[len(signaturePrefix):])
	if err != nil || len(got) != sha256.Size {
		return false
	}
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

// MarshalLikeMeta encodes v as compact JSON the way Meta's webhooks are
// encoded: every non-ASCII character escaped as \uXXXX with lowercase hex
// (surrogate pairs above U+FFFF) and <, >, & left as they are. A simulator
// signing these bytes exercises the same path as production, where the
// receiver must hash the raw body and never a re-encoding.
func MarshalLikeMeta(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return escapeNonASCII(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// escapeNonASCII rewrites non-ASCII runes of valid JSON as \uXXXX escapes.
// encoding/json only emits non-ASCII bytes inside strings, so a byte-level
// rewrite cannot touch the structure.
func escapeNonASCII(b []byte) []byte {
	const hexdigits = "0123456789abcdef"
	out := make([]byte, 0, len(b)+len(b)/8)
	esc := func(r rune) {
		out = append(out, '\\', 'u',
			hexdigits[r>>12&0xf], hexdigits[r>>8&0xf], hexdigits[r>>4&0xf], hexdigits[r&0xf])
	}
	for len(b) > 0 {
		c := b[0]
		if c < utf8.RuneSelf {
			out = append(out, c)
			b = b[1:]
			continue
		}
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		if r > 0xffff {
			r -= 0x10000
			esc(0xd800 + (r>>10)&0x3ff)
			esc(0xdc00 + r&0x3ff)
			continue
		}
		esc(r) // invalid bytes decode to U+FFFD, which encoding/json would also emit
	}
	return out
}
