package web_test

import (
	"strings"
	"testing"
)

func TestAttachmentDownload(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, e *env) {
		path := "/api/v1/attachments/" + id(e.attachment.ID)
		resp := e.do(nil, "GET", path, e.agentTok, "", nil)
		if resp.status != 200 || resp.body != string(e.attachmentData) {
			t.Fatalf("%d %q", resp.status, resp.body)
		}
		for h, want := range map[string]string{
			"Content-Type":           "image/png",
			"X-Content-Type-Options": "nosniff",
			"Content-Disposition":    `inline; filename="evil name.png"`,
		} {
			if got := resp.header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
		if !strings.Contains(resp.header.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("attachment CSP without sandbox: %q", resp.header.Get("Content-Security-Policy"))
		}
		for _, sc := range []scenario{
			{name: "other group's agent → 404", method: "GET", path: path, auth: "sales", status: 404},
			{name: "no credentials → 401", method: "GET", path: path, status: 401},
			{name: "not downloaded yet → 409", method: "GET", path: "/api/v1/attachments/" + id(e.unreadyAttachment.ID), auth: "agent", status: 409},
			{name: "unknown attachment → 404", method: "GET", path: "/api/v1/attachments/987654", auth: "admin", status: 404},
			{name: "malformed id → 404", method: "GET", path: "/api/v1/attachments/x1", auth: "admin", status: 404},
		} {
			t.Run(sc.name, func(t *testing.T) { e.run(t, sc) })
		}
	})
}
