package inbound

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"wadesk/internal/whatsapp"
)

// FuzzTranslate feeds arbitrary webhook bodies through the parser and the
// translation of every message and status: whatever Meta (or an attacker
// with a leaked app secret) sends, processing must not panic.
func FuzzTranslate(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"entry":[{"changes":[{"field":"messages","value":{"messages":[{"type":"location","location":{"latitude":1e999}}]}}]}]}`))
	f.Add([]byte(`{"entry":[{"changes":[{"field":"messages","value":{"messages":[{"type":"order","order":{"product_items":[{"quantity":-1,"item_price":1.7976931348623157e308}]}}]}}]}]}`))
	received := time.Unix(1750000000, 0)
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := whatsapp.ParseNotification(body)
		if err != nil {
			return
		}
		for _, c := range n.Changes() {
			if c.Value == nil {
				continue
			}
			for i := range c.Value.Messages {
				m := &c.Value.Messages[i]
				out := Translate(whatsapp.Inbound{Metadata: c.Value.Metadata, Message: m, Contact: findContact(c.Value, m)}, received)
				if out == nil || out.Type == "" && m.Type != "" {
					t.Fatalf("translation of %s lost the type", m.Raw)
				}
			}
			for i := range c.Value.Statuses {
				translateStatus(&c.Value.Statuses[i], received)
			}
		}
	})
}
