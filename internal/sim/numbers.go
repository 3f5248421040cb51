package sim

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// numberFields renders every field GET /{phone_number_id} knows (§6.1).
func (s *Sim) numberFields(n *Number) map[string]any {
	level, platform := "STANDARD", "CLOUD_API"
	if s.throughputOf(n) >= 1000 {
		level = "HIGH"
	}
	if n.Unregistered {
		platform = "NOT_APPLICABLE"
	}
	s.mu.RLock()
	wh := map[string]any{}
	if b := s.wabas[n.WABAID]; b != nil {
		for _, sub := range b.Subscriptions {
			if a := s.apps[sub.AppID]; a != nil && a.CallbackURL != "" {
				wh["application"] = a.CallbackURL
			}
			if sub.OverrideCallbackURI != "" {
				wh["whatsapp_business_account"] = sub.OverrideCallbackURI
			}
		}
	}
	s.mu.RUnlock()
	if n.OverrideCallbackURI != "" {
		wh["phone_number"] = n.OverrideCallbackURI
	}
	return map[string]any{
		"id": n.ID, "display_phone_number": n.Display, "verified_name": n.VerifiedName,
		"quality_rating": n.QualityRating, "code_verification_status": "VERIFIED", "name_status": "APPROVED",
		"platform_type": platform, "throughput": map[string]string{"level": level}, "status": n.Status,
		"account_mode": "LIVE", "is_official_business_account": false, "is_pin_enabled": n.PIN != "",
		"webhook_configuration": wh, "whatsapp_business_manager_messaging_limit": "TIER_UNLIMITED",
		"country_code": "US", "country_dial_code": strings.SplitN(strings.TrimPrefix(n.Display, "+"), " ", 2)[0],
	}
}

var defaultNumberFields = []string{"id", "display_phone_number", "verified_name", "quality_rating"}

// pickFields applies ?fields= (or the defaults) to a node, failing on
// fields the node type does not have, as Graph does.
func pickFields(c *call, all map[string]any, defaults []string, node string) (map[string]any, *GraphError) {
	fields := defaults
	if f := c.r.URL.Query().Get("fields"); f != "" {
		fields = strings.Split(f, ",")
	}
	out := map[string]any{}
	for _, f := range fields {
		f = strings.TrimSpace(f)
		v, ok := all[f]
		if !ok {
			return nil, &GraphError{HTTPStatus: 400, Code: 100, Graph: true,
				Message: fmt.Sprintf("(#100) Tried accessing nonexisting field (%s) on node type (%s)", f, node)}
		}
		out[f] = v
	}
	if _, ok := out["id"]; !ok {
		out["id"] = all["id"] // Graph always returns the id
	}
	return out, nil
}

func (s *Sim) getNumber(c *call, n *Number) {
	out, e := pickFields(c, s.numberFields(n), defaultNumberFields, "WhatsAppBusinessPhoneNumber")
	if e != nil {
		c.fail(e)
		return
	}
	c.ok(out)
}

// listNumbers serves GET /{waba_id}/phone_numbers (§6.2).
func (s *Sim) listNumbers(c *call, b *Business) {
	s.mu.RLock()
	var list []*Number
	for _, n := range s.numbers {
		if n.WABAID == b.ID {
			cp := *n
			list = append(list, &cp)
		}
	}
	s.mu.RUnlock()
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	page, p, e := s.paginate(c, len(list), 25, func(i int) uint64 { return idKey(list[i].ID) })
	if e != nil {
		c.fail(e)
		return
	}
	defaults := slices.Concat(defaultNumberFields, []string{"code_verification_status", "platform_type", "throughput"})
	data := make([]map[string]any, 0, len(page))
	for _, i := range page {
		item, e := pickFields(c, s.numberFields(list[i]), defaults, "WhatsAppBusinessPhoneNumber")
		if e != nil {
			c.fail(e)
			return
		}
		data = append(data, item)
	}
	c.ok(listResponse{Data: data, Paging: p})
}

// idKey orders digit ids for cursors (ids of different length sort by length first).
func idKey(id string) uint64 {
	var k uint64
	for _, r := range id {
		if r >= '0' && r <= '9' {
			k = k*10 + uint64(r-'0')
		}
	}
	return k
}

func (s *Sim) getBusiness(c *call, b *Business) {
	all := map[string]any{"id": b.ID, "name": b.Name, "currency": "USD", "timezone_id": "1",
		"message_template_namespace": "sim_" + b.ID, "account_review_status": "APPROVED"}
	out, e := pickFields(c, all, []string{"id", "name", "currency", "timezone_id", "message_template_namespace"}, "WhatsAppBusinessAccount")
	if e != nil {
		c.fail(e)
		return
	}
	c.ok(out)
}

// updateNumber serves POST /{phone_number_id} with webhook_configuration
// (§6.5): the handshake runs against the new URL before it is saved.
func (s *Sim) updateNumber(c *call, n *Number) {
	p, e := c.params()
	if e != nil {
		c.fail(e)
		return
	}
	root := obj{m: p}
	if e := root.allow("webhook_configuration"); e != nil {
		c.fail(e)
		return
	}
	wc, e := root.reqSub("webhook_configuration")
	if e != nil {
		c.fail(e)
		return
	}
	if e := wc.allow("override_callback_uri", "verify_token"); e != nil {
		c.fail(e)
		return
	}
	uri, _ := wc.str("override_callback_uri")
	vt, _ := wc.str("verify_token")
	if uri != "" {
		if e := s.handshakeParam(c, uri, vt); e != nil {
			c.fail(e)
			return
		}
	}
	s.mu.Lock()
	if cur := s.numbers[n.ID]; cur != nil {
		cur.OverrideCallbackURI, cur.OverrideVerifyToken = uri, vt
	}
	s.mu.Unlock()
	c.ok(map[string]bool{"success": true})
}

// register serves POST /{phone_number_id}/register (§6.6).
func (s *Sim) register(c *call, n *Number) {
	p, e := c.params()
	if e != nil {
		c.fail(e)
		return
	}
	root := obj{m: p}
	if e := root.allow("messaging_product", "pin", "data_localization_region"); e != nil {
		c.fail(e)
		return
	}
	if mp, _ := root.str("messaging_product"); mp != "whatsapp" {
		c.fail(errMissing("The parameter messaging_product is required and must be \"whatsapp\"."))
		return
	}
	pin, e := root.reqStr("pin")
	if e != nil {
		c.fail(e)
		return
	}
	if len(pin) != 6 || onlyDigits(pin) != pin {
		c.fail(errInvalid("pin must be 6 digits."))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.numbers[n.ID]
	if cur.PIN != "" && cur.PIN != pin {
		c.fail(&GraphError{HTTPStatus: 400, Code: 133005, Title: "Two step verification PIN Mismatch",
			Details: "The PIN does not match the two-step verification PIN of this number."})
		return
	}
	cur.PIN, cur.Unregistered = pin, false
	c.ok(map[string]bool{"success": true})
}
