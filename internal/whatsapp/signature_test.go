package whatsapp

import (
	"bytes"
	"strings"
	"testing"
)

func TestSign(t *testing.T) {
	// HMAC-SHA256("It's a Secret to Everybody", "Hello, World!"), the vector
	// GitHub documents for the same header scheme.
	got := Sign("It's a Secret to Everybody", []byte("Hello, World!"))
	eq(t, "signature", got, "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
}

func TestVerifySignature(t *testing.T) {
	body := []byte(`{"object":"whatsapp_business_account","entry":[]}`)
	good := Sign("secret", body)
	tests := []struct {
		name, secret, header string
		body                 []byte
		want                 bool
	}{
		{"valid", "secret", good, body, true},
		{"uppercase hex still decodes", "secret", "sha256=" + strings.ToUpper(good[7:]), body, true},
		{"wrong secret", "other", good, body, false},
		{"body changed by one byte", "secret", good, append(bytes.Clone(body[:len(body)-1]), ' '), false},
		{"re-encoded body", "secret", good, []byte(`{"object": "whatsapp_business_account", "entry": []}`), false},
		{"missing prefix", "secret", good[7:], body, false},
		{"sha1 prefix", "secret", "sha1=" + good[7:], body, false},
		{"empty header", "secret", "", body, false},
		{"not hex", "secret", "sha256=zz" + good[9:], body, false},
		{"truncated", "secret", good[:len(good)-2], body, false},
		{"empty secret never verifies", "", Sign("", body), body, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eq(t, "VerifySignature", VerifySignature(tt.secret, tt.body, tt.header), tt.want)
		})
	}
}

func FuzzVerifySignature(f *testing.F) {
	f.Add("secret", []byte(`{"a":1}`), "sha256=00")
	f.Add("s", []byte{}, "")
	f.Fuzz(func(t *testing.T, secret string, body []byte, header string) {
		ok := VerifySignature(secret, body, header)
		if secret == "" {
			if ok {
				t.Fatal("empty secret verified")
			}
			return
		}
		if ok && !strings.EqualFold(header, Sign(secret, body)) {
			t.Fatalf("accepted a header that is not the signature: %q", header)
		}
		if !VerifySignature(secret, body, Sign(secret, body)) {
			t.Fatal("own signature rejected")
		}
	})
}

func TestMarshalLikeMeta(t *testing.T) {
	v := map[string]string{"name": "Lucía Gómez", "emoji": "👍", "html": "<a&b>", "ascii": "plain/text"}
	got, err := MarshalLikeMeta(v)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"ascii":"plain/text","emoji":"\ud83d\udc4d","html":"<a&b>","name":"Luc\u00eda G\u00f3mez"}`
	eq(t, "encoding", string(got), want)
	for _, c := range got {
		if c >= 0x80 {
			t.Fatalf("non-ASCII byte in %s", got)
		}
	}
	// Parsing it back gives the original text, and the signature is over
	// these exact bytes.
	n, err := ParseNotification(mustMeta(t, Notification{Object: ObjectWhatsAppBusinessAccount, Entry: []Entry{{ID: "1",
		Changes: []Change{{Field: FieldMessages, Value: &Value{Messages: []Message{{ID: "w", Type: TypeText, Text: &Text{Body: "¿Qué tal? 🙂"}}}}}}}}}))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "round trip", n.Entry[0].Changes[0].Value.Messages[0].Text.Body, "¿Qué tal? 🙂")
}

func mustMeta(t *testing.T, v any) []byte {
	t.Helper()
	b, err := MarshalLikeMeta(v)
	if err != nil {
		t.Fatal(err)
	}
	if !VerifySignature("k", b, Sign("k", b)) {
		t.Fatal("signature of Meta-style bytes does not verify")
	}
	return b
}
