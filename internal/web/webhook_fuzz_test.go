package web_test

import (
	"testing"

	"wadesk/internal/store/storetest"
	"wadesk/internal/whatsapp"
)

// FuzzWebhookPost throws arbitrary bodies and signatures at the webhook
// handler over a working database: it must never panic and never answer
// 5xx (503 is only for a database that is down, which it is not here).
func FuzzWebhookPost(f *testing.F) {
	h := newHookEnv(f, storetest.OpenSQLite(f))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[]}`), "", true)
	f.Add([]byte(`{"object":`), "", true)
	f.Add([]byte(``), "sha256=", false)
	f.Add([]byte("\xff\xfe"), "sha256=00", false)
	f.Add([]byte(`[]`), "SHA256=abc", false)
	f.Fuzz(func(t *testing.T, body []byte, signature string, sign bool) {
		if sign {
			signature = whatsapp.Sign(h.secret, body)
		}
		rec := h.post(body, signature, h.path)
		switch rec.Code {
		case 200, 400:
			if !sign {
				t.Fatalf("status %d without a valid signature", rec.Code)
			}
		case 401:
			if sign {
				t.Fatalf("401 with a valid signature")
			}
		case 413:
		default:
			t.Fatalf("status %d for body %q signature %q", rec.Code, body, signature)
		}
	})
}
