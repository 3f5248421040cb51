package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	"wadesk/internal/helpdesk"
	"wadesk/internal/store"
)

// explain prints, for every case, the plan of the query the store runs
// for it, and returns the plans by case name.
func (b *bench) explain(ctx context.Context, cases []reqCase, w io.Writer) (map[string]string, error) {
	db := b.app.DB
	plans := map[string]string{}
	fmt.Fprintf(w, "query plans on %s\n", db.Dialect())
	for _, rc := range cases {
		var plan string
		var err error
		switch rc.kind {
		case "open":
			pool := b.tickets
			if rc.agent {
				pool = b.agentTickets
			}
			plan, err = db.ExplainListMessages(ctx, helpdesk.MessageQuery{TicketID: pool[0].id, Limit: helpdesk.DefaultLimit + 1})
		default:
			q := b.ticketQuery(rc)
			plan, err = db.ExplainListTickets(ctx, q)
		}
		if err != nil {
			return nil, fmt.Errorf("explain %s: %w", rc.name, err)
		}
		plans[rc.name] = plan
		fmt.Fprintf(w, "\n### %s\n```\n%s```\n", rc.name, plan)
	}
	return plans, nil
}

// ticketQuery is what the service asks the store for a case's first
// request (the API's filters, the agent's visibility, one row more than a
// page to know whether there is a next one).
func (b *bench) ticketQuery(rc reqCase) helpdesk.TicketQuery {
	v := rc.sampleParams()
	q := helpdesk.TicketQuery{Limit: helpdesk.DefaultLimit + 1, Search: v.Get("q")}
	for _, s := range splitStates(v.Get("state")) {
		q.States = append(q.States, helpdesk.TicketState(s))
	}
	id := func(k string) *int64 {
		n, err := strconv.ParseInt(v.Get(k), 10, 64)
		if err != nil {
			return nil
		}
		return &n
	}
	q.GroupID, q.ChannelID, q.CustomerID = id("group_id"), id("channel_id"), id("customer_id")
	if v.Get("assignee_id") == "none" {
		q.Unassigned = true
	} else {
		q.AssigneeID = id("assignee_id")
	}
	if rc.agent {
		q.VisibleTo = &b.agent.ID
	}
	if at, after, ok := parseCursor(v.Get("cursor")); ok {
		t := time.UnixMilli(at).UTC()
		q.AfterAt, q.AfterID = &t, after
	}
	return q
}

// matchCounts reports how many messages contain each search word, so the
// table can be read against the words' frequencies.
func (b *bench) matchCounts(ctx context.Context, words []string, w io.Writer) error {
	db := b.app.DB
	fmt.Fprintln(w, "| search | messages matching |")
	fmt.Fprintln(w, "|---|---:|")
	for _, word := range words {
		q := "SELECT COUNT(*) FROM messages_fts WHERE messages_fts MATCH $1"
		arg := `"` + word + `"*`
		if db.Dialect() == store.Postgres {
			q = "SELECT COUNT(*) FROM messages WHERE text_tsv @@ to_tsquery('simple', $1)"
			arg = word + ":*"
		}
		var n int64
		if err := db.Writer().QueryRowContext(ctx, q, arg).Scan(&n); err != nil {
			return fmt.Errorf("count matches of %q: %w", word, err)
		}
		fmt.Fprintf(w, "| %s | %d |\n", url.QueryEscape(word), n)
	}
	fmt.Fprintln(w)
	return nil
}
