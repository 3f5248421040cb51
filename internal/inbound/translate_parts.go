package inbound

import (
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"sort"
	"strconv"
	"strings"

	"wadesk/internal/helpdesk"
	"wadesk/internal/whatsapp"
)

// mediaFilename is the document's own name, else one made from the type
// and media id ("image-1003383421387256.jpg"), so downloads get a sensible
// name and extension.
func mediaFilename(t whatsapp.MessageType, md *whatsapp.Media) string {
	if name := strings.TrimSpace(md.Filename); name != "" {
		return name
	}
	ext := ""
	base := md.BaseMIMEType()
	switch base { // mime.ExtensionsByType is platform-dependent for these
	case "image/jpeg":
		ext = ".jpg"
	case "image/png":
		ext = ".png"
	case "image/webp":
		ext = ".webp"
	case "audio/ogg":
		ext = ".ogg"
	case "video/mp4":
		ext = ".mp4"
	case "application/pdf":
		ext = ".pdf"
	default:
		if exts, _ := mime.ExtensionsByType(base); len(exts) > 0 {
			ext = exts[0]
		}
	}
	return string(t) + "-" + md.ID + ext
}

// MapURL is the OpenStreetMap link of a coordinate.
func MapURL(lat, lon float64) string {
	return "https://www.openstreetmap.org/?mlat=" + strconv.FormatFloat(lat, 'f', -1, 64) +
		"&mlon=" + strconv.FormatFloat(lon, 'f', -1, 64)
}

// renderLocation keeps the location where the web view reads it
// (payload.location) and writes "name, address (lat, lon)" as text.
func renderLocation(out *helpdesk.InboundMessage, l *whatsapp.Location, p payload) {
	if math.IsNaN(l.Latitude) || math.IsNaN(l.Longitude) || math.IsInf(l.Latitude, 0) || math.IsInf(l.Longitude, 0) {
		l = &whatsapp.Location{Name: l.Name, Address: l.Address, URL: l.URL}
	}
	mapURL := MapURL(l.Latitude, l.Longitude)
	p["location"] = map[string]any{"latitude": l.Latitude, "longitude": l.Longitude, "name": l.Name,
		"address": l.Address, "url": l.URL, "map_url": mapURL}
	parts := nonEmpty(l.Name, l.Address)
	coords := fmt.Sprintf("%s, %s", strconv.FormatFloat(l.Latitude, 'f', -1, 64), strconv.FormatFloat(l.Longitude, 'f', -1, 64))
	text := "Location: " + strings.Join(append(parts, "("+coords+")"), ", ")
	out.Text = text + "\n" + mapURL
}

// contactsText renders shared contacts as readable cards, one per line:
// "Lucía Gómez (Google) · +1 (983) 555-2319 · lucia@example.com".
func contactsText(cards []whatsapp.ContactCard) string {
	lines := make([]string, 0, len(cards))
	for _, c := range cards {
		name := c.Name.FormattedName
		if name == "" {
			name = strings.TrimSpace(c.Name.FirstName + " " + c.Name.LastName)
		}
		if c.Org != nil && c.Org.Company != "" {
			name += " (" + c.Org.Company + ")"
		}
		fields := []string{name}
		for _, ph := range c.Phones {
			fields = append(fields, first(ph.Phone, "+"+ph.WaID))
		}
		for _, e := range c.Emails {
			fields = append(fields, e.Email)
		}
		for _, u := range c.URLs {
			fields = append(fields, u.URL)
		}
		lines = append(lines, "Contact: "+strings.Join(nonEmpty(fields...), " · "))
	}
	return strings.Join(lines, "\n")
}

// renderInteractive shows the chosen button or list row; a completed Flow
// shows its body and keeps the decoded response.
func renderInteractive(out *helpdesk.InboundMessage, r *whatsapp.InteractiveReply, p payload) {
	if c := r.Choice(); c != nil {
		out.Text = c.Title
		p["interactive"] = map[string]string{"type": r.Type, "id": c.ID, "title": c.Title, "description": c.Description}
		return
	}
	if n := r.NFMReply; r.Type == whatsapp.InteractiveNFMReply && n != nil {
		var resp any
		if n.DecodeResponse(&resp) != nil {
			resp = n.ResponseJSON
		}
		out.Text = strings.Join(nonEmpty(n.Body, n.Name), " ")
		if out.Text == "" {
			out.Text = "Form submitted"
		}
		out.Text += responseSummary(resp)
		p["interactive"] = map[string]any{"type": r.Type, "name": n.Name, "body": n.Body, "response": resp}
		return
	}
	out.Text = "Interactive reply (" + r.Type + ")"
	p["interactive"] = map[string]any{"type": r.Type, "raw": json.RawMessage(r.Raw)}
}

// responseSummary lists a Flow's answers as "key: value" lines, sorted,
// skipping the flow_token (an internal correlation id).
func responseSummary(resp any) string {
	obj, ok := resp.(map[string]any)
	if !ok {
		return ""
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		if k != "flow_token" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n%s: %v", k, obj[k])
	}
	return b.String()
}

// renderOrder lists the items and the totals per currency.
func renderOrder(out *helpdesk.InboundMessage, o *whatsapp.Order, p payload) {
	var b strings.Builder
	b.WriteString("Order")
	if o.CatalogID != "" {
		b.WriteString(" from catalog " + o.CatalogID)
	}
	b.WriteString(":")
	totals := map[string]float64{}
	for _, it := range o.ProductItems {
		fmt.Fprintf(&b, "\n%d × %s at %s %s", it.Quantity, it.ProductRetailerID, price(it.ItemPrice), it.Currency)
		if !math.IsNaN(it.ItemPrice) && !math.IsInf(it.ItemPrice, 0) {
			totals[it.Currency] += float64(it.Quantity) * it.ItemPrice
		}
	}
	currencies := make([]string, 0, len(totals))
	for c := range totals {
		currencies = append(currencies, c)
	}
	sort.Strings(currencies)
	for _, c := range currencies {
		fmt.Fprintf(&b, "\nTotal: %s %s", price(totals[c]), c)
	}
	if o.Text != "" {
		b.WriteString("\n" + o.Text)
	}
	out.Text = b.String()
	items := make([]whatsapp.ProductItem, 0, len(o.ProductItems))
	for _, it := range o.ProductItems {
		if math.IsNaN(it.ItemPrice) || math.IsInf(it.ItemPrice, 0) {
			it.ItemPrice = 0
		}
		items = append(items, it)
	}
	tot := make(map[string]float64, len(totals))
	for c, v := range totals {
		tot[c] = math.Round(v*100) / 100
	}
	p["order"] = map[string]any{"catalog_id": o.CatalogID, "text": o.Text, "items": items, "totals": tot}
}

func price(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }

// renderSystem turns a number or user-id change into an identity change
// with a note text.
func renderSystem(out *helpdesk.InboundMessage, m *whatsapp.Message, p payload) {
	s := m.System
	ch := &helpdesk.IdentityChange{Kind: s.Type, Body: s.Body, NewBSUID: first(s.UserID, s.ParentUserID)}
	if s.ChangedNumber() {
		ch.NewWAID = digits(s.NewPhone())
		if ch.Kind == "" {
			ch.Kind = whatsapp.SystemUserChangedNumber
		}
	}
	out.Change = ch
	out.Text = s.Body
	if out.Text == "" {
		switch {
		case ch.NewWAID != "":
			out.Text = "The customer changed their phone number to +" + ch.NewWAID + "."
		default:
			out.Text = "The customer's WhatsApp identity changed (" + ch.Kind + ")."
		}
	}
	p["system"] = map[string]string{"type": ch.Kind, "body": s.Body, "new_wa_id": ch.NewWAID, "new_user_id": ch.NewBSUID}
}

// renderEdit records an edit (Coexistence numbers) as a note with the new text.
func renderEdit(out *helpdesk.InboundMessage, e *whatsapp.Edit, p payload) {
	text := ""
	if e.Message != nil && e.Message.Text != nil {
		text = e.Message.Text.Body
	}
	out.Type = "unsupported"
	out.Unsupported = &helpdesk.MessageError{Title: "Message edited"}
	out.Text = "The customer edited a message"
	if text != "" {
		out.Text += ": " + text
	}
	p["edit"] = e
}

// nonEmpty returns the strings of vs that say something.
func nonEmpty(vs ...string) []string {
	out := vs[:0:0]
	for _, v := range vs {
		if strings.TrimSpace(v) != "" && v != "+" {
			out = append(out, v)
		}
	}
	return out
}

// first returns the first string of vs that says something, or "".
func first(vs ...string) string {
	if ne := nonEmpty(vs...); len(ne) > 0 {
		return ne[0]
	}
	return ""
}
