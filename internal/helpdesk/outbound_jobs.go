package helpdesk

// Jobs of the outbound capability that only it enqueues and works.

// MarkReadJob marks a customer's message read on WhatsApp (blue ticks),
// which also marks the earlier messages of the chat read.
type MarkReadJob struct {
	ChannelID int64  `json:"channel_id"`
	WAMID     string `json:"wamid"`
}

func (MarkReadJob) Kind() string  { return "mark_read" }
func (MarkReadJob) Queue() string { return QueueOutbound }

// TypingJob shows "typing…" to the customer while an agent composes (it
// also marks the message read). WhatsApp hides it after 25 s or when the
// answer arrives.
type TypingJob struct {
	ChannelID int64  `json:"channel_id"`
	WAMID     string `json:"wamid"`
}

func (TypingJob) Kind() string  { return "typing_indicator" }
func (TypingJob) Queue() string { return QueueOutbound }
