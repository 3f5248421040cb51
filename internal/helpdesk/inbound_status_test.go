package helpdesk_test

import (
	"testing"

	"wadesk/internal/helpdesk"
)

func TestStatusAdvancesOnlyForward(t *testing.T) {
	cases := []struct {
		name      string
		cur, next helpdesk.MessageStatus
		want      bool
	}{
		{"accepted → sent", helpdesk.StatusAccepted, helpdesk.StatusSent, true},
		{"sent → delivered", helpdesk.StatusSent, helpdesk.StatusDelivered, true},
		{"accepted → read (delivered skipped)", helpdesk.StatusAccepted, helpdesk.StatusRead, true},
		{"read → delivered is backwards", helpdesk.StatusRead, helpdesk.StatusDelivered, false},
		{"read → played", helpdesk.StatusRead, helpdesk.StatusPlayed, true},
		{"played → read is backwards", helpdesk.StatusPlayed, helpdesk.StatusRead, false},
		{"same status again", helpdesk.StatusDelivered, helpdesk.StatusDelivered, false},
		{"sent → failed", helpdesk.StatusSent, helpdesk.StatusFailed, true},
		{"accepted → failed", helpdesk.StatusAccepted, helpdesk.StatusFailed, true},
		{"delivered → failed is ignored", helpdesk.StatusDelivered, helpdesk.StatusFailed, false},
		{"failed → sent stays failed", helpdesk.StatusFailed, helpdesk.StatusSent, false},
		{"failed → delivered recovers", helpdesk.StatusFailed, helpdesk.StatusDelivered, true},
		{"failed → read recovers", helpdesk.StatusFailed, helpdesk.StatusRead, true},
		{"a note never takes statuses", helpdesk.StatusNote, helpdesk.StatusRead, false},
		{"received (inbound) never takes statuses", helpdesk.StatusReceived, helpdesk.StatusRead, false},
		{"an unknown webhook status is refused", helpdesk.StatusSent, helpdesk.MessageStatus("deleted"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := helpdesk.StatusAdvances(c.cur, c.next); got != c.want {
				t.Errorf("StatusAdvances(%s, %s) = %v, want %v", c.cur, c.next, got, c.want)
			}
		})
	}
}

func TestInboundTitle(t *testing.T) {
	cases := []struct {
		name string
		c    helpdesk.Customer
		want string
	}{
		{"name and phone", helpdesk.Customer{Name: "Sheena Nelson", Phone: "+16505551234"}, "Sheena Nelson (+16505551234) via WhatsApp"},
		{"BSUID-only with username", helpdesk.Customer{Name: "Kai", Username: "kai.surf", BSUID: "US.1"}, "Kai (@kai.surf) via WhatsApp"},
		{"BSUID-only without username", helpdesk.Customer{Name: "Kai", BSUID: "US.1"}, "Kai (US.1) via WhatsApp"},
		{"no profile name", helpdesk.Customer{Phone: "+4915112345678"}, "+4915112345678 via WhatsApp"},
		{"nothing known", helpdesk.Customer{}, "WhatsApp conversation"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := helpdesk.InboundTitle(&c.c); got != c.want {
				t.Errorf("InboundTitle = %q, want %q", got, c.want)
			}
		})
	}
}
