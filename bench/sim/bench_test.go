package main

import (
	"testing"
	"time"
)

// TestRunSmall runs every phase at a small, bounded size so CI keeps the
// benchmark working; rates are reported, not asserted (machines differ).
func TestRunSmall(t *testing.T) {
	res, err := run(t.Context(), config{Sends: 500, Inbound: 512, StatusSends: 100, Concurrency: 8, Customers: 50, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sends != 500 || res.SendErrors != 0 || res.Inbound != 512 || res.Statuses != 300 || res.BadSignature != 0 {
		t.Fatalf("%+v", res)
	}
	t.Logf("sends/s %.0f, inbound msgs/s %.0f, statuses/s %.0f", res.sendRate(), res.inboundRate(), res.statusRate())
}
