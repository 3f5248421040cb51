package whatsapp

import (
	"encoding/json"
	"errors"
)

// Interactive reply types (§2.9–2.11).
const (
	InteractiveButtonReply = "button_reply"
	InteractiveListReply   = "list_reply"
	InteractiveNFMReply    = "nfm_reply"
)

// InteractiveReply is the user's answer to an interactive message. Types
// other than button_reply, list_reply and nfm_reply (call_permission_reply,
// future ones) are kept in Raw.
type InteractiveReply struct {
	Type        string    `json:"type"`
	ButtonReply *Choice   `json:"button_reply,omitempty"`
	ListReply   *Choice   `json:"list_reply,omitempty"`
	NFMReply    *NFMReply `json:"nfm_reply,omitempty"`

	// Raw is the interactive object as received.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the reply and keeps its raw JSON.
func (r *InteractiveReply) UnmarshalJSON(b []byte) error {
	type plain InteractiveReply
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*r = InteractiveReply(p)
	r.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// Choice returns the chosen button or list row, or nil for other types.
func (r *InteractiveReply) Choice() *Choice {
	switch r.Type {
	case InteractiveButtonReply:
		return r.ButtonReply
	case InteractiveListReply:
		return r.ListReply
	}
	return nil
}

// NFMReply is a completed Flow (Name "flow") or address message (Name
// "address_message"). ResponseJSON is a JSON document encoded as a string;
// DecodeResponse decodes it on demand.
type NFMReply struct {
	Name         string `json:"name,omitempty"`
	Body         string `json:"body,omitempty"`
	ResponseJSON string `json:"response_json"`
}

// DecodeResponse decodes ResponseJSON into v.
func (n *NFMReply) DecodeResponse(v any) error {
	if n.ResponseJSON == "" {
		return errors.New("whatsapp: nfm_reply has no response_json")
	}
	return json.Unmarshal([]byte(n.ResponseJSON), v)
}

// FlowToken returns the flow_token of a Flow response, "" if absent or the
// response is not a JSON object.
func (n *NFMReply) FlowToken() string {
	var r struct {
		FlowToken string `json:"flow_token"`
	}
	if n.DecodeResponse(&r) != nil {
		return ""
	}
	return r.FlowToken
}

// System message types (§2.16); the customer_* spellings are older.
const (
	SystemUserChangedNumber       = "user_changed_number"
	SystemUserChangedUserID       = "user_changed_user_id"
	SystemCustomerChangedNumber   = "customer_changed_number"
	SystemCustomerIdentityChanged = "customer_identity_changed"
)

// System is a system message: the user changed number or BSUID. It comes
// without a contacts array; the helpdesk should re-key the customer.
type System struct {
	Body         string          `json:"body,omitempty"`
	Type         string          `json:"type,omitempty"`
	WaID         string          `json:"wa_id,omitempty"` // the new phone
	UserID       string          `json:"user_id,omitempty"`
	ParentUserID string          `json:"parent_user_id,omitempty"`
	Identity     json.RawMessage `json:"identity,omitempty"` // shape varies by version; kept raw
	// Pre-v12 payloads named the old and new number like this.
	Customer string `json:"customer,omitempty"`
	NewWaID  string `json:"new_wa_id,omitempty"`
}

// NewPhone returns the user's new wa_id for a number change, whichever
// spelling carried it.
func (s *System) NewPhone() string {
	if s.WaID != "" {
		return s.WaID
	}
	return s.NewWaID
}

// ChangedNumber reports whether the user moved to a new phone number.
func (s *System) ChangedNumber() bool {
	return s.Type == SystemUserChangedNumber || s.Type == SystemCustomerChangedNumber ||
		(s.Type == "" && s.NewWaID != "")
}

// Identity accompanies customer_identity_changed system messages.
type Identity struct {
	Acknowledged     bool      `json:"acknowledged,omitempty"`
	CreatedTimestamp Timestamp `json:"created_timestamp,omitempty"`
	Hash             string    `json:"hash,omitempty"`
}
