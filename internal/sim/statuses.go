package sim

import (
	"fmt"
	"strconv"
	"time"
)

// statusRank orders statuses so the stored status never moves backwards.
var statusRank = map[string]int{"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "played": 4, "failed": 5}

type statusStep struct {
	status  string
	delay   time.Duration
	pricing bool
}

// scheduleStatuses plans the webhooks that follow an accepted send: failed
// (with its error) or sent → delivered → read per StatusOptions and Faults.
// One timer chain per message keeps the chosen order even with equal delays.
func (s *Sim) scheduleStatuses(n *Number, m *Message, cust *Customer, fail *GraphError) {
	st := s.opts.Statuses
	if st.Off {
		return
	}
	f := s.faults.snapshot()
	var steps []statusStep
	if fail != nil {
		steps = []statusStep{{status: "failed", delay: st.Sent}}
	} else {
		steps = []statusStep{{status: "sent", delay: st.Sent, pricing: true}}
		if m.Type != "reaction" { // reactions typically only report sent (§3.4)
			if !st.SkipDelivered && !f.SkipDelivered {
				steps = append(steps, statusStep{status: "delivered", delay: st.Delivered, pricing: true})
			}
			if !st.NoRead && !cust.NoReadReceipts {
				// pricing rides on one of delivered/read: read only when delivered was skipped.
				steps = append(steps, statusStep{status: "read", delay: st.Read, pricing: len(steps) == 1})
			}
		}
		if f.ReorderStatuses {
			// Same delays, statuses in reverse: read arrives first.
			for i, j := 0, len(steps)-1; i < j; i, j = i+1, j-1 {
				steps[i].status, steps[j].status = steps[j].status, steps[i].status
				steps[i].pricing, steps[j].pricing = steps[j].pricing, steps[i].pricing
			}
		}
	}
	var run func(i int, prev time.Duration)
	run = func(i int, prev time.Duration) {
		if i >= len(steps) {
			return
		}
		wait := max(steps[i].delay-prev, 0)
		s.after(wait, func() {
			s.emitStatus(n, m.ID, steps[i].status, cust, fail, steps[i].pricing)
			run(i+1, max(prev, steps[i].delay))
		})
	}
	run(0, 0)
}

// emitStatus builds one §3 status and queues it for delivery.
func (s *Sim) emitStatus(n *Number, id, status string, cust *Customer, fail *GraphError, pricing bool) {
	var m Message
	ok := s.messages.update(id, func(x *Message) {
		if statusRank[status] > statusRank[x.Status] {
			x.Status = status
		}
		if fail != nil {
			we := webhookError(fail)
			x.Error = &we
		}
		m = *x
	})
	if !ok {
		return // evicted from the store: nothing sensible to report
	}
	ws := &whStatus{ID: id, Status: status, Timestamp: strconv.FormatInt(s.Now().Unix(), 10)}
	if !m.toBSUID {
		ws.RecipientID = m.WaID
	}
	it := whItem{waba: n.WABAID, phoneID: n.ID, display: n.digits(), shard: m.WaID + m.UserID}
	if status == "failed" {
		if m.toBSUID {
			ws.RecipientUserID = m.UserID
		}
		ws.Errors = []WebhookError{webhookError(fail)}
	} else {
		ws.RecipientUserID = m.UserID
		ws.BizOpaque = m.BizOpaque
		if cust != nil {
			// contacts sibling on sent/delivered/read; username not on sent (§3.1).
			c := contactOf(cust, status != "sent")
			it.contact = &c
		}
	}
	if pricing && status != "failed" {
		typ := "regular"
		if m.free {
			typ = "free_customer_service"
		}
		ws.Pricing = &whPricing{Billable: !m.free, PricingModel: "PMP", Type: typ, Category: m.category}
	}
	it.status = ws
	s.emit(it)
}

// EmitStatus sends a status webhook for an outbound message by hand, e.g.
// with Statuses.Off: status is sent, delivered, read or played.
func (s *Sim) EmitStatus(wamid, status string) error {
	m, ok := s.messages.get(wamid)
	if !ok || m.Direction != "out" {
		return fmt.Errorf("sim: emit status: message %q: %w", wamid, ErrNotFound)
	}
	if _, ok := statusRank[status]; !ok || status == "accepted" || status == "failed" {
		return fmt.Errorf("sim: emit status: %q is not one of sent, delivered, read, played", status)
	}
	s.mu.RLock()
	np := s.numbers[m.PhoneNumberID]
	s.mu.RUnlock()
	if np == nil {
		return fmt.Errorf("sim: emit status: number %q: %w", m.PhoneNumberID, ErrNotFound)
	}
	n := *np
	ref := m.WaID
	if m.toBSUID || ref == "" {
		ref = m.UserID
	}
	s.emitStatus(&n, wamid, status, s.customer(ref, "", false), nil, false)
	return nil
}
