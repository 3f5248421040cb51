package store

import (
	"context"
	"fmt"
	"strings"

	"wadesk/internal/helpdesk"
)

// sendPlanSelect reads, in one statement, what PrepareSend needs for a
// message of a live channel: the message, its send context and the
// channel. It runs once per send, so one query instead of three matters:
// on SQLite each is parsed anew, on PostgreSQL each is a round trip.
var sendPlanSelect = map[string]string{SQLite: sendPlanQuery(SQLite), Postgres: sendPlanQuery(Postgres)}

func sendPlanQuery(dialect string) string {
	return "SELECT " + outboundMessageColumns + ", " + sendContextColumns + ", " + prefixed("ch.", channelColumns) +
		" FROM " + sendContextFrom(dialect) + " JOIN channels ch ON ch.id = m.channel_id AND ch.deleted_at IS NULL WHERE m.id = $1"
}

// SendPlanOf returns the message (with attachments), its send context and
// its channel; ErrNotFound when the message, or a live channel of it, is missing.
func (r reads) SendPlanOf(ctx context.Context, messageID int64) (*helpdesk.Message, *helpdesk.SendContext, *helpdesk.Channel, error) {
	row := r.q.QueryRowContext(ctx, sendPlanSelect[r.d], messageID)
	var sc helpdesk.SendContext
	scDests, scDone := sendContextDests(&sc)
	var m *helpdesk.Message
	// scanMessage and scanChannel each convert their columns after Scan;
	// nesting them makes one Scan of the whole row feed both.
	ch, err := scanChannel(scanFunc(func(chDests ...any) error {
		var err error
		m, err = scanMessage(scanFunc(func(mDests ...any) error {
			return row.Scan(append(append(mDests, scDests...), chDests...)...)
		}))
		return err
	}))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("store: send plan: %w", mapErr(err))
	}
	scDone()
	if err := r.outboundAttachments(ctx, m); err != nil {
		return nil, nil, nil, err
	}
	return m, &sc, ch, nil
}

// scanFunc is a scanner made of a function.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// prefixed qualifies every column of a comma-separated list with p.
func prefixed(p, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}
