package sim

import (
	"strings"
)

// sendResponse is §4.1.
type sendResponse struct {
	MessagingProduct string        `json:"messaging_product"`
	Contacts         []sendContact `json:"contacts"`
	Messages         []sendMessage `json:"messages"`
}

type sendContact struct {
	Input  string `json:"input"`
	WaID   string `json:"wa_id,omitempty"`
	UserID string `json:"user_id,omitempty"`
}

type sendMessage struct {
	ID            string `json:"id"`
	MessageStatus string `json:"message_status,omitempty"`
}

// sendMessage serves POST /{phone_number_id}/messages: validation, faults,
// registration, limits, the 24-hour window, then the §4.1 answer and the
// status webhooks.
func (s *Sim) sendMessage(c *call, n *Number) {
	p, e := c.params()
	if e != nil {
		c.fail(e)
		return
	}
	if e := s.faults.takeSendFault(); e != nil {
		c.fail(e)
		return
	}
	if n.Unregistered {
		c.fail(waErr(133010, "Phone number %s is not registered; call POST /%s/register first.", n.Display, n.ID))
		return
	}
	if _, ok := p["status"]; ok {
		s.markRead(c, n, p)
		return
	}
	req, e := s.validateSend(n, p)
	if e != nil {
		c.fail(e)
		return
	}
	var cust *Customer
	if req.waID != "" {
		cust = s.customer(req.waID, "", true)
	} else {
		cust = s.customer(req.bsuid, "", false)
	}
	limitKey := req.input
	if cust != nil {
		limitKey = cust.key()
	}
	if e := s.limits.allow(n, limitKey); e != nil {
		c.fail(e)
		return
	}
	open := cust != nil && s.windowOpen(n.ID, cust)
	freeForm := req.typ != "template"
	if freeForm && !open && s.opts.WindowSyncError && cust != nil {
		c.fail(waErr(131047, "Message failed to send because more than 24 hours have passed since the customer last replied to this number."))
		return
	}
	m := &Message{Direction: "out", PhoneNumberID: n.ID, Type: req.typ, Time: s.Now(), Status: "accepted",
		BizOpaque: req.bizOpaque, Payload: append([]byte(nil), c.body...), toBSUID: req.bsuid != ""}
	m.category, m.free = "service", true
	if req.tmpl != nil {
		m.Template = req.tmpl.Name
		m.category = strings.ToLower(req.tmpl.Category)
		m.free = open && req.tmpl.Category == "UTILITY"
	}
	resp := sendResponse{MessagingProduct: "whatsapp", Contacts: []sendContact{{Input: req.input}}}
	if cust != nil {
		m.WaID, m.UserID = cust.WaID, cust.UserID
	}
	if req.bsuid != "" {
		m.UserID = req.bsuid
		resp.Contacts[0].UserID = req.bsuid
	} else {
		m.WaID = req.waID
		resp.Contacts[0].WaID = req.waID
	}
	m.ID = s.newWamid(m.WaID)
	resp.Messages = []sendMessage{{ID: m.ID}}
	if req.tmpl != nil {
		resp.Messages[0].MessageStatus = "accepted"
	}
	// Decide the async outcome now so it does not depend on later changes.
	var fail *GraphError
	switch {
	case cust == nil:
		fail = waErr(131026, "Message undeliverable: no WhatsApp user has the business-scoped user ID %s.", req.bsuid)
	case cust.NotOnWhatsApp:
		fail = waErr(131026, "Message undeliverable: %s is not a WhatsApp user.", req.input)
	case freeForm && !open:
		fail = waErr(131047, "Message failed to send because more than 24 hours have passed since the customer last replied to this number.")
	case req.asyncErr != nil:
		fail = req.asyncErr
	}
	if code := s.faults.takeAsyncFault(); code != 0 && fail == nil {
		fail = waErr(code, "Injected async fault: %s", errorTitles[code])
	}
	s.messages.put(m)
	c.ok(resp)
	s.scheduleStatuses(n, m, cust, fail)
}

// markRead serves the mark-as-read / typing-indicator form of /messages
// (§4.11): only for messages this number received.
func (s *Sim) markRead(c *call, n *Number, p map[string]any) {
	root := obj{m: p}
	if e := root.allow("messaging_product", "status", "message_id", "typing_indicator"); e != nil {
		c.fail(e)
		return
	}
	if mp, _ := root.str("messaging_product"); mp != "whatsapp" {
		c.fail(errMissing("The parameter messaging_product is required and must be \"whatsapp\"."))
		return
	}
	if st, _ := root.str("status"); st != "read" {
		c.fail(errParam("Param status must be \"read\", got %q.", st))
		return
	}
	id, e := root.reqStr("message_id")
	if e != nil {
		c.fail(e)
		return
	}
	if ti, ok, e := root.sub("typing_indicator"); e != nil {
		c.fail(e)
		return
	} else if ok {
		if e := ti.allow("type"); e != nil {
			c.fail(e)
			return
		}
		if t, _ := ti.str("type"); t != "text" {
			c.fail(errParam("Param typing_indicator['type'] must be \"text\", got %q.", t))
			return
		}
	}
	m, ok := s.messages.get(id)
	if !ok || m.Direction != "in" || m.PhoneNumberID != n.ID {
		c.fail(errInvalid("message_id %s is not a message received by phone number %s; only inbound messages can be marked as read.", id, n.ID))
		return
	}
	s.messages.update(id, func(m *Message) { m.Status = "read" })
	c.ok(map[string]bool{"success": true})
}
