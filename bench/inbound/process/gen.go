package main

import (
	"fmt"
	"strings"
	"time"
)

// generator makes webhook deliveries like Meta's: text messages of many
// customers, the batch sizes cycling through 1, 5, 10 and 50.
type generator struct {
	customers     int
	phoneNumberID string
	seq, sizes    int
}

var sizes = []int{1, 5, 10, 50}

func (g *generator) nextSize() int {
	g.sizes++
	return sizes[g.sizes%len(sizes)]
}

// delivery returns one envelope with n messages from consecutive customers.
func (g *generator) delivery(n int, at time.Time) []byte {
	var contacts, msgs []string
	for range n {
		c := g.seq % g.customers
		wa := fmt.Sprintf("49151%08d", c)
		contacts = append(contacts, fmt.Sprintf(`{"profile":{"name":"Customer %d"},"wa_id":%q,"user_id":"DE.%d"}`, c, wa, c))
		msgs = append(msgs, fmt.Sprintf(`{"from":%q,"from_user_id":"DE.%d","id":"wamid.BENCH%d.%d","timestamp":"%d","type":"text","text":{"body":"Hello, this is message %d about my order"}}`,
			wa, c, at.UnixNano(), g.seq, at.Unix(), g.seq))
		g.seq++
	}
	return []byte(`{"object":"whatsapp_business_account","entry":[{"id":"waba","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"` +
		g.phoneNumberID + `"},"contacts":[` + strings.Join(contacts, ",") + `],"messages":[` + strings.Join(msgs, ",") + `]}}]}]}`)
}
