package helpdesk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Idempotency makes a create request safe to retry (the Idempotency-Key
// header). The first request's response is stored in the transaction that
// creates its message, so a retry with the same key — on another instance,
// after a crash — either finds nothing (the first never committed, and this
// one creates) or gets that response back and creates and sends nothing.
type Idempotency struct {
	// Key is the client's key; "" runs the request as usual, storing nothing.
	Key string
	// Route names the route; with the user and the ticket it scopes the key.
	Route string
	// Render builds the response from what was created. It runs inside the
	// transaction, so the stored body is what the first client saw, not
	// what a fast send worker has made of the message since.
	Render func(m *Message, t *Ticket) (Response, error)
}

// Response is an HTTP answer as it is stored for replay.
type Response struct {
	Status   int
	Body     []byte
	Replayed bool // the stored answer of an earlier request with the same key
}

// IdempotencyKeyTTL is how long a key is remembered; the cleanup job
// deletes older keys, and an older key that is still stored counts as new.
const IdempotencyKeyTTL = 24 * time.Hour

// MaxIdempotencyKeyLength bounds a key (Stripe's limit).
const MaxIdempotencyKeyLength = 255

// ValidIdempotencyKey reports whether key is 1–255 printable ASCII
// characters: anything else is a client bug worth a clear 400.
func ValidIdempotencyKey(key string) bool {
	if key == "" || len(key) > MaxIdempotencyKeyLength {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return false
		}
	}
	return true
}

// IdempotencyRecord is a stored key and the first response made with it.
type IdempotencyRecord struct {
	UserID      int64
	Route       string
	TicketID    int64 // 0 for routes not under a ticket
	Key         string
	RequestHash string
	Status      int // 0 until the response is stored, in the same transaction
	Body        []byte
	CreatedAt   time.Time
}

// IdempotencyWrites are the transaction's idempotency-key queries.
type IdempotencyWrites interface {
	// ClaimIdempotencyKey inserts rec (without a response yet) unless its
	// (user, route, ticket, key) is stored with a created_at at or after
	// expiredBefore; an older stored key is replaced. It reports whether rec
	// was claimed. On PostgreSQL a claim of a key another open transaction
	// claimed waits until that transaction ends.
	ClaimIdempotencyKey(ctx context.Context, rec *IdempotencyRecord, expiredBefore time.Time) (bool, error)
	// SetIdempotencyResponse stores the response of a claimed key.
	SetIdempotencyResponse(ctx context.Context, rec *IdempotencyRecord) error
	// IdempotencyRecordFor returns the stored key, or ErrNotFound.
	IdempotencyRecordFor(ctx context.Context, userID int64, route string, ticketID int64, key string) (*IdempotencyRecord, error)
}

// once runs create inside tx at most once per idempotency key and returns
// the rendered response: the new one, stored with the created rows, or the
// stored one of an earlier request. request is what the client asked for,
// as the domain read it; its hash tells a retry from a different request
// that reuses the key.
func (s *Service) once(ctx context.Context, tx Tx, actor *User, ticketID int64, idem Idempotency,
	request any, create func() (*Message, *Ticket, error)) (Response, error) {
	if idem.Key == "" {
		m, t, err := create()
		if err != nil {
			return Response{}, err
		}
		return idem.Render(m, t)
	}
	if err := checkActor(actor); err != nil {
		return Response{}, err
	}
	if !ValidIdempotencyKey(idem.Key) {
		return Response{}, Invalid("invalid Idempotency-Key",
			map[string]string{"Idempotency-Key": "must be 1 to 255 printable ASCII characters"})
	}
	hash, err := requestHash(request)
	if err != nil {
		return Response{}, err
	}
	now := s.Now()
	rec := &IdempotencyRecord{UserID: actor.ID, Route: idem.Route, TicketID: ticketID, Key: idem.Key,
		RequestHash: hash, CreatedAt: now}
	// Claim first: a concurrent request with the same key waits here (or,
	// on SQLite, for the single writer) and then finds the response.
	claimed, err := tx.ClaimIdempotencyKey(ctx, rec, now.Add(-IdempotencyKeyTTL))
	if err != nil {
		return Response{}, err
	}
	if !claimed {
		return replay(ctx, tx, rec)
	}
	m, t, err := create()
	if err != nil {
		return Response{}, err // the claim rolls back with everything else
	}
	resp, err := idem.Render(m, t)
	if err != nil {
		return Response{}, err
	}
	rec.Status, rec.Body = resp.Status, resp.Body
	if err := tx.SetIdempotencyResponse(ctx, rec); err != nil {
		return Response{}, err
	}
	return resp, nil
}

// replay returns the stored response of rec's key, if it was made for the
// same request.
func replay(ctx context.Context, tx Tx, rec *IdempotencyRecord) (Response, error) {
	stored, err := tx.IdempotencyRecordFor(ctx, rec.UserID, rec.Route, rec.TicketID, rec.Key)
	if isNotFound(err) || (err == nil && stored.Status == 0) {
		// Not expected: claims and responses commit together. Say so rather
		// than create a second message.
		return Response{}, Errorf(ECodeConflict, "a request with this Idempotency-Key is in progress; retry later")
	}
	if err != nil {
		return Response{}, err
	}
	if stored.RequestHash != rec.RequestHash {
		return Response{}, Invalid("this Idempotency-Key was already used for a different request",
			map[string]string{"Idempotency-Key": "already used with another body; use a new key for a new message"})
	}
	return Response{Status: stored.Status, Body: stored.Body, Replayed: true}, nil
}

// keep is the Render of the methods that return the created rows rather
// than a response (QueueReply, AddNote, StartConversation): it keeps them.
func keep(m **Message, t **Ticket) func(*Message, *Ticket) (Response, error) {
	return func(created *Message, ticket *Ticket) (Response, error) {
		*m = created
		if t != nil {
			*t = ticket
		}
		return Response{}, nil
	}
}

// requestHash is the sha256 of the request's JSON form (map keys sorted,
// so equal requests hash equally).
func requestHash(request any) (string, error) {
	b, err := json.Marshal(request)
	if err != nil {
		return "", fmt.Errorf("helpdesk: idempotency request hash: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
