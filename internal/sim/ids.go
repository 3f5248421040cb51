package sim

import (
	crand "crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strconv"
)

// newID returns a digit string of length n, unique within this Sim: Graph
// ids are opaque digit strings (§0). The counter keeps it unique, the random
// prefix keeps two Sims from sharing ids.
func (s *Sim) newID(n int) string {
	c := strconv.FormatUint(s.seq.Add(1), 10)
	if len(c) >= n {
		return c
	}
	return "1" + randDigits(n-1-len(c)) + c
}

func randDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + rand.IntN(10))
	}
	if n > 0 && b[0] == '0' {
		b[0] = '1'
	}
	return string(b)
}

// randHex is for secrets and tokens, so it uses crypto/rand.
func randHex(nbytes int) string {
	b := make([]byte, nbytes)
	_, _ = crand.Read(b)
	return hex.EncodeToString(b)
}

// newWamid mimics Meta's ids: "wamid." + base64 of a protobuf-ish blob that
// embeds the recipient, so clients that assume a charset or length break
// here as they would in production (ids contain '=', '+', '/').
func (s *Sim) newWamid(waID string) string {
	blob := fmt.Sprintf("\x1c\x18\x0b%s\x15\x02\x00\x11\x18\x12%016X%04X\x00", waID, rand.Uint64(), s.seq.Add(1)&0xffff)
	return "wamid." + base64.StdEncoding.EncodeToString([]byte(blob))
}

const traceAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// newTraceID is an fbtrace_id / x-fb-trace-id lookalike.
func newTraceID() string {
	b := make([]byte, 23)
	for i := range b {
		b[i] = traceAlphabet[rand.IntN(len(traceAlphabet))]
	}
	return string(b)
}
