package whatsapp

import (
	"slices"
	"strings"
	"testing"
)

func TestParseStatuses(t *testing.T) {
	tests := []struct {
		file  string
		check func(t *testing.T, su StatusUpdate)
	}{
		{"status_sent", func(t *testing.T, su StatusUpdate) {
			s := su.Status
			eq(t, "status", s.Status, StatusSent)
			eq(t, "id", s.ID, "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJCOTY3NDc0NDFDRUI3NTA0Q0UA")
			eq(t, "ts", s.Timestamp.Time().Unix(), int64(1750857384))
			eq(t, "recipient", s.RecipientID, "16505551234")
			eq(t, "recipient bsuid", s.RecipientUserID, "US.13491208655302741918")
			eq(t, "opaque", s.BizOpaqueCallbackData, "ticket-4711")
			eq(t, "pricing type", s.Pricing.Type, "free_customer_service")
			eq(t, "pricing category", s.Pricing.Category, "service")
			eq(t, "billable", *s.Pricing.Billable, false)
			eq(t, "entry", su.EntryID, "5467539754836534")
			if su.Contact == nil || su.Contact.Profile.Name != "Test Name" {
				t.Errorf("contact = %+v", su.Contact)
			}
		}},
		{"status_delivered_legacy_conversation", func(t *testing.T, su StatusUpdate) {
			s := su.Status
			eq(t, "status", s.Status, StatusDelivered)
			eq(t, "conversation", s.Conversation.ID, "7270432eae37498234f4444b35ffc5")
			eq(t, "origin", s.Conversation.Origin.Type, "service")
			eq(t, "model", s.Pricing.PricingModel, "CBP")
		}},
		{"status_read", func(t *testing.T, su StatusUpdate) {
			eq(t, "status", su.Status.Status, StatusRead)
			if su.Status.Error() != nil {
				t.Error("read has no error")
			}
		}},
		{"status_failed", func(t *testing.T, su StatusUpdate) {
			s := su.Status
			eq(t, "status", s.Status, StatusFailed)
			if su.Contact != nil {
				t.Error("failed statuses have no contact")
			}
			err := s.Error()
			eq(t, "code", err.Code, CodeWindowClosed)
			eq(t, "window closed", IsWindowClosed(err), true)
			eq(t, "retryable", err.Retryable(), false)
			eq(t, "title", err.Title, "Re-engagement message")
			eq(t, "details", strings.HasPrefix(err.Details, "Message failed to send"), true)
		}},
		{"status_bsuid_parent_alias", func(t *testing.T, su StatusUpdate) {
			s := su.Status
			eq(t, "parent via alias", s.RecipientParentUserID, "US.ENT.11815799212886844830")
			eq(t, "recipient_id omitted", s.RecipientID, "")
			eq(t, "integer timestamp", s.Timestamp, Timestamp(1750857400))
			if su.Contact == nil || su.Contact.UserID != "US.13491208655302741918" {
				t.Errorf("contact = %+v", su.Contact)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			n := load(t, tt.file)
			all := slices.Collect(n.Statuses())
			if len(all) != 1 {
				t.Fatalf("got %d statuses", len(all))
			}
			if len(all[0].Status.Raw) == 0 {
				t.Error("raw not kept")
			}
			if got := slices.Collect(n.Messages()); len(got) != 0 {
				t.Errorf("status payload yielded %d messages", len(got))
			}
			tt.check(t, all[0])
		})
	}
}

func TestParseValueErrors(t *testing.T) {
	n := load(t, "value_errors")
	errs := slices.Collect(n.Errors())
	if len(errs) != 1 {
		t.Fatalf("got %d errors", len(errs))
	}
	e := errs[0]
	eq(t, "phone", e.Metadata.PhoneNumberID, "106540352242922")
	eq(t, "code", e.Error.Code, CodeGeneric)
	eq(t, "details", e.Error.Details(), "Unsupported webhook payload")
	eq(t, "href", strings.HasSuffix(e.Error.Href, "/error-codes/"), true)
	eq(t, "retryable", e.Error.Err().Retryable(), true)
}

func TestParseBatched(t *testing.T) {
	n := load(t, "batched")
	var got []string
	for in := range n.Messages() {
		name := ""
		if in.Contact != nil {
			name = in.Contact.Profile.Name
		}
		got = append(got, in.EntryID+"/"+in.Metadata.PhoneNumberID+"/"+in.Message.ID+"/"+in.Message.Text.Body+"/"+name)
	}
	want := []string{
		// Contacts are listed in another order than messages: matched by ID.
		"102290129340398/106540352242922/wamid.B1/first/Bo",
		"102290129340398/106540352242922/wamid.A1/second/Ana",
		"999000111/222/wamid.C1/third/Cy",
	}
	if !slices.Equal(got, want) {
		t.Errorf("messages:\n got %q\nwant %q", got, want)
	}
	var sts []string
	for su := range n.Statuses() {
		sts = append(sts, su.Status.ID+"/"+su.Status.Status)
	}
	if want := []string{"wamid.S1/delivered", "wamid.S1/read", "wamid.S2/sent"}; !slices.Equal(sts, want) {
		t.Errorf("statuses = %q, want %q", sts, want)
	}
	var fields []string
	for e, c := range n.Changes() {
		fields = append(fields, e.ID+":"+c.Field)
	}
	if want := []string{"102290129340398:messages", "102290129340398:messages", "999000111:messages", "999000111:account_update"}; !slices.Equal(fields, want) {
		t.Errorf("changes = %q", fields)
	}
	// Unknown fields are kept raw and decodable on demand.
	c := n.Entry[1].Changes[1]
	if c.Value != nil {
		t.Error("account_update must not decode as a messages value")
	}
	var au struct{ Event string }
	if err := c.DecodeValue(&au); err != nil || au.Event != "VERIFIED_ACCOUNT" {
		t.Errorf("DecodeValue = %+v, %v", au, err)
	}
	// Stopping early must stop the walk.
	count := 0
	for range n.Messages() {
		count++
		break
	}
	eq(t, "early stop", count, 1)
}

func TestParseTemplateStatusUpdate(t *testing.T) {
	n := load(t, "template_status_update")
	e := n.Entry[0]
	eq(t, "entry time", e.Time.Time().Unix(), int64(1674864290))
	c := e.Changes[0]
	u, err := c.TemplateStatusUpdate()
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "event", u.Event, "APPROVED")
	eq(t, "numeric id as string", u.MessageTemplateID, FlexString("1192339204654487"))
	eq(t, "name", u.MessageTemplateName, "order_confirmation")
	eq(t, "lang", u.MessageTemplateLanguage, "en_US")
	if q, err := c.QualityUpdate(); q != nil || err != nil {
		t.Error("QualityUpdate on a template change")
	}
	if len(slices.Collect(n.Messages())) != 0 {
		t.Error("template update yielded messages")
	}

	q, err := load(t, "phone_number_quality_update").Entry[0].Changes[0].QualityUpdate()
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "quality event", q.Event, "THROUGHPUT_UPGRADE")
	eq(t, "limit", q.MaxDailyConversationsPerBusiness, FlexString("TIER_UNLIMITED"))
}

func TestParseMalformedStatusKeepsIdentity(t *testing.T) {
	body := `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
	  "metadata":{"phone_number_id":"9"},
	  "statuses":[{"id":"wamid.F","status":"failed","timestamp":"1700000000","recipient_id":"1555",
	    "pricing":{"billable":"no"},"errors":[{"code":131047}]}]}}]}]}`
	n, err := ParseNotification([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	s := slices.Collect(n.Statuses())[0].Status
	eq(t, "id", s.ID, "wamid.F")
	eq(t, "status", s.Status, StatusFailed)
	eq(t, "recipient", s.RecipientID, "1555")
	eq(t, "ts", s.Timestamp, Timestamp(1700000000))
	eq(t, "error code kept", IsWindowClosed(s.Error()), true)
	if s.DecodeErr == nil {
		t.Error("DecodeErr not set")
	}
}
