package main

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// commonWords are real words a helpdesk conversation is made of, roughly
// most frequent first. Texts draw word ranks from a Zipf distribution, so
// the first words are in a large share of messages and the last
// (synthetic) ones in a handful: search is measured on both kinds.
var commonWords = strings.Fields(`
	the i to you and a is my for it your of please we order in have can this
	not on thanks with hello be what when will at hi that do are was me delivery
	yes there no our help just like package refund get time today still
	payment need did us know address sent received tomorrow ok could an
	send from but card number if as all store week any by about how
	change tracking team so one account price update item back check sorry
	size would shipping days day again return email customer service work
	exchange bought problem wrong missing arrived been phone then damaged
	cancel invoice had box code new color confirm delivered courier which
	does why product pay help issue app message hours now order's store's
	reply waiting friday monday weekend discount voucher coupon paid charged
	twice bank transfer receipt photo picture broken screen battery charger
	cable warranty repair replacement model black white blue red small medium
	large shoes shirt jacket dress pants bag watch glasses headphones laptop
	tablet kitchen sofa table chair lamp mattress pillow blanket
	appointment booking reservation table room ticket flight seat luggage
	password login reset verification otp link website cart checkout
	subscription plan monthly yearly upgrade downgrade unsubscribe newsletter
	branch opening hours location map parking pickup collect courier driver
	minutes late early morning afternoon evening night soon asap urgent
	quickly fast slow unfortunately great perfect thank awesome
	understand explain information details documents form signature contract
	gracias obrigado merci danke bitte hola bom dia bonjour
`)

// vocabulary returns the word list: the real words above, then synthetic
// but pronounceable words built from syllables, n in all.
func vocabulary(n int) []string {
	words := make([]string, 0, n)
	seen := map[string]bool{}
	for _, w := range commonWords {
		if !seen[w] && len(words) < n {
			seen[w] = true
			words = append(words, w)
		}
	}
	onsets := strings.Fields("b c d f g k l m n p qu r s t v z br cr dr gr pl st tr")
	vowels := strings.Fields("a e i o u ai ou ea")
	codas := strings.Fields("n r s x l m nt st")
	r := rand.New(rand.NewPCG(7, 11))
	for i := 0; len(words) < n && i < n*20; i++ {
		var b strings.Builder
		for s := 0; s < 2+r.IntN(2); s++ {
			b.WriteString(onsets[r.IntN(len(onsets))])
			b.WriteString(vowels[r.IntN(len(vowels))])
		}
		b.WriteString(codas[r.IntN(len(codas))])
		if w := b.String(); !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	return words
}

// texter writes message texts from the vocabulary with Zipf-distributed
// word ranks.
type texter struct {
	words []string
}

// text returns a message of a few to a few dozen words, sometimes with an
// order number, as customers and agents write on WhatsApp.
func (t *texter) text(r *rand.Rand, z *rand.Zipf) string {
	n := 3 + r.IntN(10)
	if r.IntN(5) == 0 {
		n += r.IntN(30)
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		w := t.words[z.Uint64()]
		if i == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
		if r.IntN(40) == 0 {
			b.WriteString(" #" + strconv.Itoa(10000+r.IntN(90000)))
		}
	}
	b.WriteByte('.')
	return b.String()
}

// title is a short topic line, as agents rename tickets.
func (t *texter) title(r *rand.Rand, z *rand.Zipf) string {
	n := 2 + r.IntN(4)
	ws := make([]string, n)
	for i := range ws {
		ws[i] = t.words[z.Uint64()]
	}
	s := strings.Join(ws, " ")
	return strings.ToUpper(s[:1]) + s[1:]
}
