package main

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// The shape of the generated helpdesk. Sizes scale with -tickets and
// -messages; the team is fixed, as in a mid-sized shop: 10 groups, 30
// agents, 3 WhatsApp numbers.
const (
	numGroups   = 10
	numAgents   = 30
	numChannels = 3
	vocabSize   = 30000
	history     = 2 * 365 * 24 * time.Hour
)

var groupNames = []string{"Support", "Sales", "Billing", "Returns", "Logistics", "VIP", "Wholesale", "Spain", "Brazil", "Germany"}

// channelGroup is the group each channel routes new tickets to; channel
// shares are 60/30/10 %.
var (
	channelGroup = [numChannels]int{0, 1, 8}
	channelShare = [numChannels]float64{0.6, 0.9, 1.0}
)

// world is what the generator decided and the measurement needs to know:
// ids and the sizes actually written.
type world struct {
	Now         time.Time
	Customers   int
	Tickets     int
	Messages    int
	Attachments int
	Notes       int
	// AgentGroups[i] are the group indexes of agent i (user id i+1).
	AgentGroups [numAgents][]int
	// GroupAgents[g] are the agent indexes in group g.
	GroupAgents [numGroups][]int
	// HeavyCustomer has the most tickets (the worst case of a customer filter).
	HeavyCustomer int64
	Words         []string
}

// ticketPlan is everything about one ticket but its message texts.
type ticketPlan struct {
	state      string
	channel    int // index
	group      int // index, -1 for none (admins triage)
	assignee   int // agent index, -1 for unassigned
	topicTitle bool
	msgs       []msgPlan
}

// msgPlan is one message of a ticket, before its text is written.
type msgPlan struct {
	at    int64 // Unix ms
	in    bool
	note  bool
	media int // 0 none, else an index into mediaKinds
}

// model draws tickets deterministically from a seed: the same ticket index
// always gives the same plan, so passes over the data agree without
// keeping 5 million messages in memory.
type model struct {
	seed    uint64
	now     int64 // Unix ms
	start   int64
	created []int64 // ticket creation times, ascending (ids grow with time)
	counts  []int32 // messages per ticket, summing to the requested total
	ranks   []int32 // customer popularity rank of each ticket
	world   *world
}

func newModel(seed uint64, tickets, messages int, now time.Time) *model {
	w := &world{Now: now, Tickets: tickets, Messages: messages, Words: vocabulary(vocabSize)}
	for a := range numAgents {
		// Every agent works in one group; half of them help in a second.
		gs := []int{a % numGroups}
		if a%2 == 0 {
			gs = append(gs, (a+3)%numGroups)
		}
		w.AgentGroups[a] = gs
		for _, g := range gs {
			w.GroupAgents[g] = append(w.GroupAgents[g], a)
		}
	}
	m := &model{seed: seed, now: now.UnixMilli(), start: now.Add(-history).UnixMilli(), world: w}
	r := rand.New(rand.NewPCG(seed, 1))
	m.created = creationTimes(r, tickets, m.start, m.now)
	m.counts = messageCounts(r, tickets, messages)
	m.ranks = customerRanks(r, tickets, max(1, tickets/5))
	return m
}

// creationTimes spreads tickets over the history with growth: more tickets
// recently than two years ago (sqrt of a uniform draw).
func creationTimes(r *rand.Rand, n int, start, end int64) []int64 {
	ts := make([]int64, n)
	span := float64(end - start)
	for i := range ts {
		ts[i] = start + int64(span*math.Sqrt(r.Float64()))
	}
	slices.Sort(ts)
	return ts
}

// messageCounts gives each ticket at least one message, skewed (most
// tickets are short, a few are long threads), and adjusts to an exact total.
func messageCounts(r *rand.Rand, tickets, messages int) []int32 {
	const maxPerTicket = 400
	counts := make([]int32, tickets)
	mean := float64(messages) / float64(tickets)
	sum := 0
	for i := range counts {
		// Lognormal with sigma 0.9, scaled to the mean.
		k := 1 + int(math.Round((mean-1)*math.Exp(0.9*r.NormFloat64()-0.405)))
		k = min(max(k, 1), maxPerTicket)
		counts[i] = int32(k)
		sum += k
	}
	// Move the total to exactly messages, one random ticket at a time;
	// bounded because every step moves the sum by one.
	for steps := 0; sum != messages && steps < 100*tickets; steps++ {
		i := r.IntN(tickets)
		switch {
		case sum < messages && counts[i] < maxPerTicket:
			counts[i]++
			sum++
		case sum > messages && counts[i] > 1:
			counts[i]--
			sum--
		}
	}
	return counts
}

// customerRanks draws a customer popularity rank per ticket: rank i is
// chosen with probability ∝ 1/√i, so a few customers write very often.
func customerRanks(r *rand.Rand, tickets, customers int) []int32 {
	ranks := make([]int32, tickets)
	for i := range ranks {
		u := r.Float64()
		ranks[i] = int32(min(customers-1, int(float64(customers)*u*u)))
	}
	return ranks
}

// plan returns ticket i's plan; it depends only on the seed and i.
func (m *model) plan(i int) ticketPlan {
	r := rand.New(rand.NewPCG(m.seed, uint64(i)+1000))
	var p ticketPlan
	switch u := r.Float64(); {
	case u < 0.70:
		p.state = "closed"
	case u < 0.80:
		p.state = "new"
	case u < 0.90:
		p.state = "open"
	default:
		p.state = "pending"
	}
	u := r.Float64()
	for p.channel = 0; p.channel < numChannels-1 && u > channelShare[p.channel]; p.channel++ {
	}
	switch u := r.Float64(); {
	case u < 0.02:
		p.group = -1
	case u < 0.20:
		p.group = r.IntN(numGroups) // moved to another team
	default:
		p.group = channelGroup[p.channel]
	}
	p.assignee = -1
	assigned := r.Float64() < 0.9
	if p.state == "new" {
		assigned = r.Float64() < 0.15
	}
	if assigned && p.group >= 0 {
		agents := m.world.GroupAgents[p.group]
		p.assignee = agents[r.IntN(len(agents))]
	}
	p.topicTitle = r.Float64() < 0.3

	n := int(m.counts[i])
	p.msgs = make([]msgPlan, n)
	at, in := m.created[i], true
	for j := range p.msgs {
		if j > 0 {
			// Gaps: median ten minutes, sometimes days.
			gap := time.Duration(float64(10*time.Minute) * math.Exp(1.8*r.NormFloat64()))
			at = min(m.now, at+min(gap, 7*24*time.Hour).Milliseconds())
			if r.Float64() < 0.65 {
				in = !in
			}
		}
		mp := msgPlan{at: at, in: in}
		if j > 0 && r.Float64() < 0.06 {
			mp.note, mp.in = true, false
		} else if r.Float64() < 0.06 {
			mp.media = 1 + r.IntN(len(mediaKinds)-1)
		}
		p.msgs[j] = mp
	}
	return p
}

// ticketTimes are the activity columns of a ticket, from its messages.
// Notes are not activity (the helpdesk rule), so they do not move
// last_message_at.
type ticketTimes struct {
	last, lastIn, lastOut int64 // 0 = none
	unread                int
}

func (p *ticketPlan) times() ticketTimes {
	var t ticketTimes
	for _, m := range p.msgs {
		switch {
		case m.note:
			continue
		case m.in:
			t.lastIn = m.at
			t.unread++
		default:
			t.lastOut = m.at
			t.unread = 0
		}
		t.last = m.at
	}
	if p.state == "closed" || p.state == "pending" {
		t.unread = 0
	}
	return t
}

// mediaKinds are the attachment shapes of media messages; index 0 is "no media".
var mediaKinds = []struct {
	typ, mime, ext string
	voice, caption bool
}{
	{},
	{"image", "image/jpeg", "jpg", false, true},
	{"image", "image/jpeg", "jpg", false, true},
	{"image", "image/jpeg", "jpg", false, false},
	{"document", "application/pdf", "pdf", false, true},
	{"audio", "audio/ogg", "ogg", true, false},
	{"video", "video/mp4", "mp4", false, true},
}
