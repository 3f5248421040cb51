package helpdesk

import (
	"encoding/json"
	"time"
)

// InboundMessage is one customer message of a webhook, already translated
// from the Cloud API's shape into what the helpdesk stores (internal/inbound
// does the translation). Exactly one of the optional parts is usually set.
type InboundMessage struct {
	WAMID string
	At    time.Time // Meta's timestamp: the time shown and the window's start
	From  CustomerRef
	// Type is the message type as the API shows it (text, image, …,
	// unsupported, system).
	Type         string
	Text         string          // a readable rendering
	Payload      json.RawMessage // structured parts (location, contacts, order, referral, context flags…)
	ReplyToWAMID string          // the quoted message, when the customer replied to one

	Media    *InboundMedia    // image, video, audio, document, sticker
	Reaction *InboundReaction // not a message: attached to its target
	// Change is set on system messages: the customer moved to a new phone
	// number or business-scoped user id.
	Change *IdentityChange
	// Unsupported is Meta's reason for a message it could not render; the
	// message becomes an internal note.
	Unsupported *MessageError
}

// InboundMedia is the file of a media message, to be downloaded later.
type InboundMedia struct {
	MediaID  string
	MIMEType string
	SHA256   string // lowercase hex, "" when the webhook had none
	Filename string
	Voice    bool
}

// InboundReaction is an emoji on TargetWAMID; "" removes the customer's reaction.
type InboundReaction struct {
	TargetWAMID string
	Emoji       string
}

// IdentityChange is a system message about the customer's identity.
type IdentityChange struct {
	Kind     string // user_changed_number, user_changed_user_id, …
	NewWAID  string // the new phone digits; "" when only the user id changed
	NewBSUID string
	Body     string // Meta's sentence, e.g. "User A changed from 1 to 2"
}

// InboundStatus is a status webhook of a message the business sent.
type InboundStatus struct {
	WAMID  string
	Status MessageStatus // sent, delivered, read, played, failed
	At     time.Time
	Error  *MessageError // with failed
	// CallbackData is the send's biz_opaque_callback_data echoed back
	// (wadesk sends the message id) and RecipientWAID the customer's wa_id:
	// together they find a message whose wamid was never recorded.
	CallbackData  string
	RecipientWAID string
}

// InboundOutcome says what applying one inbound item did, for metrics.
type InboundOutcome string

const (
	OutcomeCreated          InboundOutcome = "created"            // a new message
	OutcomeDuplicate        InboundOutcome = "duplicate"          // the wamid was already stored
	OutcomeReaction         InboundOutcome = "reaction"           // a reaction was set, replaced or removed
	OutcomeReactionDropped  InboundOutcome = "reaction_dropped"   // its target is not stored here
	OutcomeIdentityUnknown  InboundOutcome = "identity_unknown"   // a system message about nobody we know
	OutcomeStatusApplied    InboundOutcome = "status_applied"     // a status moved a message forward
	OutcomeStatusStale      InboundOutcome = "status_stale"       // an older status than the message's
	OutcomeStatusPending    InboundOutcome = "status_pending"     // kept until the send records its wamid
	OutcomeStatusReconciled InboundOutcome = "status_reconciled"  // named a "delivery unknown" message by its callback data
	OutcomeStatusNotOutward InboundOutcome = "status_not_outward" // a status for an inbound message or note
)
