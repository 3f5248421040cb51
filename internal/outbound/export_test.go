package outbound

// NewSendWorkerForTest builds a send worker whose afterSend runs between
// the Cloud API's answer and recording it, so tests can make the process
// "die" exactly there.
func NewSendWorkerForTest(d *Dispatcher, afterSend func(messageID int64) error) *SendWorker {
	return &SendWorker{d: d, afterSend: afterSend}
}
