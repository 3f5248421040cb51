package helpdesk

import "time"

// WindowDuration is WhatsApp's customer-service window: for 24 hours after
// the customer's last message the business may send free-form messages;
// afterwards only approved templates.
const WindowDuration = 24 * time.Hour

// WindowOpen reports whether free-form messages may be sent at now.
func (t *Ticket) WindowOpen(now time.Time) bool {
	return t != nil && t.WindowExpiresAt != nil && now.Before(*t.WindowExpiresAt)
}

// WindowExpiry is when the window opened by a customer message sent at
// (Meta's timestamp) closes.
func WindowExpiry(customerMessageAt time.Time) time.Time {
	return customerMessageAt.Add(WindowDuration)
}
