package web

import (
	"strconv"
	"time"

	"wadesk/internal/helpdesk"
)

// The JSON views of the contract: ids are strings, times RFC 3339 UTC with
// milliseconds, absent values null. Secrets and hashes never appear.

// timeFormat is RFC 3339 in UTC with fixed milliseconds (the store keeps
// milliseconds), so times sort as strings too.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

func jsonTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func jsonTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := jsonTime(*t)
	return &s
}

func jsonID(id int64) string { return strconv.FormatInt(id, 10) }

func jsonIDPtr(id *int64) *string {
	if id == nil {
		return nil
	}
	s := jsonID(*id)
	return &s
}

func jsonIDs(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = jsonID(id)
	}
	return out
}

// UserView is a user as the API shows it; never the password hash.
type UserView struct {
	ID        string   `json:"id"`
	Email     string   `json:"email"`
	Name      string   `json:"name"`
	Role      string   `json:"role"`
	Active    bool     `json:"active"`
	GroupIDs  []string `json:"group_ids"`
	CreatedAt string   `json:"created_at"`
}

// UserJSON is the API view of u.
func UserJSON(u *helpdesk.User) UserView {
	return UserView{
		ID:        jsonID(u.ID),
		Email:     u.Email,
		Name:      u.Name,
		Role:      string(u.Role),
		Active:    u.Active,
		GroupIDs:  jsonIDs(u.GroupIDs),
		CreatedAt: jsonTime(u.CreatedAt),
	}
}

// GroupView is a group with its members' ids.
type GroupView struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	MemberIDs []string `json:"member_ids"`
	CreatedAt string   `json:"created_at"`
}

// GroupJSON is the API view of g with its members.
func GroupJSON(g *helpdesk.Group, memberIDs []int64) GroupView {
	return GroupView{ID: jsonID(g.ID), Name: g.Name, MemberIDs: jsonIDs(memberIDs), CreatedAt: jsonTime(g.CreatedAt)}
}

// TokenView is an API token without its secret; Token holds the raw secret
// only in the answer that created it.
type TokenView struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	Prefix     string  `json:"prefix"`
	Token      string  `json:"token,omitempty"`
	CreatedAt  string  `json:"created_at"`
	LastUsedAt *string `json:"last_used_at"`
	RevokedAt  *string `json:"revoked_at"`
}

// TokenJSON is the API view of t.
func TokenJSON(t *helpdesk.APIToken) TokenView {
	return TokenView{
		ID:         jsonID(t.ID),
		Name:       t.Name,
		Prefix:     t.Prefix,
		CreatedAt:  jsonTime(t.CreatedAt),
		LastUsedAt: jsonTimePtr(t.LastUsedAt),
		RevokedAt:  jsonTimePtr(t.RevokedAt),
	}
}

// CustomerView is a customer as the API shows it.
type CustomerView struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Phone     string `json:"phone"`
	WAID      string `json:"wa_id"`
	BSUID     string `json:"bsuid"`
	CreatedAt string `json:"created_at"`
}

// CustomerJSON is the API view of c.
func CustomerJSON(c *helpdesk.Customer) CustomerView {
	return CustomerView{
		ID:        jsonID(c.ID),
		Name:      c.Name,
		Phone:     c.Phone,
		WAID:      c.WAID,
		BSUID:     c.BSUID,
		CreatedAt: jsonTime(c.CreatedAt),
	}
}

// TicketView is a ticket as the API shows it.
type TicketView struct {
	ID              string  `json:"id"`
	Number          int64   `json:"number"`
	Title           string  `json:"title"`
	State           string  `json:"state"`
	ChannelID       *string `json:"channel_id"`
	CustomerID      string  `json:"customer_id"`
	GroupID         *string `json:"group_id"`
	AssigneeID      *string `json:"assignee_id"`
	WindowExpiresAt *string `json:"window_expires_at"`
	WindowOpen      bool    `json:"window_open"`
	LastMessageAt   string  `json:"last_message_at"`
	CreatedAt       string  `json:"created_at"`
	UpdatedAt       string  `json:"updated_at"`
}

// TicketJSON is the API view of t, with window_open as of now.
func TicketJSON(t *helpdesk.Ticket) TicketView { return TicketJSONAt(t, time.Now()) }

// TicketJSONAt is the API view of t with window_open computed at now (the
// server's clock, which tests inject).
func TicketJSONAt(t *helpdesk.Ticket, now time.Time) TicketView {
	return TicketView{
		ID:              jsonID(t.ID),
		Number:          t.Number,
		Title:           t.Title,
		State:           string(t.State),
		ChannelID:       jsonIDPtr(t.ChannelID),
		CustomerID:      jsonID(t.CustomerID),
		GroupID:         jsonIDPtr(t.GroupID),
		AssigneeID:      jsonIDPtr(t.AssigneeID),
		WindowExpiresAt: jsonTimePtr(t.WindowExpiresAt),
		WindowOpen:      t.WindowOpen(now),
		LastMessageAt:   jsonTime(t.LastMessageAt),
		CreatedAt:       jsonTime(t.CreatedAt),
		UpdatedAt:       jsonTime(t.UpdatedAt),
	}
}
