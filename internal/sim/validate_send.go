package sim

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// sendReq is a validated POST /{phone_number_id}/messages body.
type sendReq struct {
	typ       string
	input     string // to or recipient, verbatim, echoed as contacts[].input
	waID      string // normalised digits when sent to a phone
	bsuid     string // when sent with recipient (and no to)
	bizOpaque string
	tmpl      *Template
	// asyncErr is a problem Meta only reports later, as a failed status
	// (e.g. a media id whose type does not match the message type: 131053).
	asyncErr *GraphError
}

// messageTypes are the send types of §4 and their object keys.
var messageTypes = map[string]bool{
	"text": true, "image": true, "video": true, "audio": true, "document": true, "sticker": true,
	"location": true, "contacts": true, "interactive": true, "template": true, "reaction": true,
}

var topLevelKeys = []string{"messaging_product", "recipient_type", "to", "recipient", "type", "context",
	"biz_opaque_callback_data", "text", "image", "video", "audio", "document", "sticker", "location",
	"contacts", "interactive", "template", "reaction"}

// validateSend applies §4 and the §8.3 limits. Missing things are 131008,
// bad values 131009, unknown keys or enum violations 100.
func (s *Sim) validateSend(n *Number, p map[string]any) (*sendReq, *GraphError) {
	root := obj{m: p}
	mp, e := root.str("messaging_product")
	if e != nil {
		return nil, e
	}
	if mp == "" {
		return nil, errMissing("The parameter messaging_product is required.")
	}
	if mp != "whatsapp" {
		return nil, errParam("Param messaging_product must be one of {WHATSAPP} - got \"%s\".", mp)
	}
	if e := root.allow(topLevelKeys...); e != nil {
		return nil, e
	}
	req := &sendReq{}
	if e := s.validateRecipient(root, n, req); e != nil {
		return nil, e
	}
	typ, e := root.str("type")
	if e != nil {
		return nil, e
	}
	if typ == "" {
		return nil, errMissing("The parameter type is required.")
	}
	if !messageTypes[typ] {
		return nil, errParam("Param type must be one of {TEXT, IMAGE, VIDEO, AUDIO, DOCUMENT, STICKER, LOCATION, CONTACTS, INTERACTIVE, TEMPLATE, REACTION} - got \"%s\".", typ)
	}
	req.typ = typ
	for k := range messageTypes {
		if k != typ && root.has(k) {
			return nil, errParam("Unexpected key \"%s\" on a message of type \"%s\".", k, typ)
		}
	}
	if !root.has(typ) {
		return nil, errMissing("The parameter %s is required for a message of type %s.", typ, typ)
	}
	if ctx, ok, e := root.sub("context"); e != nil {
		return nil, e
	} else if ok {
		if e := ctx.allow("message_id"); e != nil {
			return nil, e
		}
		id, e := ctx.reqStr("message_id")
		if e != nil {
			return nil, e
		}
		if !strings.HasPrefix(id, "wamid.") {
			return nil, errInvalid("context['message_id'] must be a WhatsApp message id (wamid.…), got %q.", id)
		}
	}
	if req.bizOpaque, e = root.str("biz_opaque_callback_data"); e != nil {
		return nil, e
	}
	if e := root.maxLen("biz_opaque_callback_data", req.bizOpaque, 512); e != nil {
		return nil, e
	}
	switch typ {
	case "text":
		e = validateText(root)
	case "image", "video", "audio", "document", "sticker":
		e = s.validateMedia(root, n, typ, req)
	case "location":
		e = validateLocation(root)
	case "contacts":
		e = validateContacts(root)
	case "interactive":
		e = s.validateInteractive(root, n, req)
	case "template":
		e = s.validateTemplate(root, n, req)
	case "reaction":
		e = validateReaction(root)
	}
	if e != nil {
		return nil, e
	}
	return req, nil
}

// validateRecipient handles to/recipient (§1.5: to wins when both are set).
func (s *Sim) validateRecipient(root obj, n *Number, req *sendReq) *GraphError {
	rt, e := root.str("recipient_type")
	if e != nil {
		return e
	}
	switch rt {
	case "", "individual":
	case "group":
		return errInvalid("recipient_type \"group\" is not supported by the simulator.")
	default:
		return errParam("Param recipient_type must be one of {INDIVIDUAL, GROUP} - got \"%s\".", rt)
	}
	to, e := root.str("to")
	if e != nil {
		return e
	}
	rcpt, e := root.str("recipient")
	if e != nil {
		return e
	}
	switch {
	case to != "":
		if validBSUID(to) {
			return errInvalid("to must be a phone number; send to a business-scoped user ID with the recipient parameter.")
		}
		for _, r := range to {
			if !(unicode.IsDigit(r) || strings.ContainsRune("+-() .", r)) {
				return errInvalid("to %q is not a valid phone number.", to)
			}
		}
		d := onlyDigits(to)
		if len(d) < 7 || len(d) > 15 {
			return errInvalid("to %q is not a valid phone number: expected 7 to 15 digits.", to)
		}
		if d == n.digits() {
			return waErr(131021, "Recipient cannot be sender: %s is this business phone number.", to)
		}
		req.input, req.waID = to, d
	case rcpt != "":
		if !validBSUID(rcpt) {
			return errInvalid("recipient %q is not a business-scoped user ID (like US.13491208655302741918).", rcpt)
		}
		req.input, req.bsuid = rcpt, rcpt
	default:
		return errMissing("The parameter to is required.")
	}
	return nil
}

func validateText(root obj) *GraphError {
	t, e := root.reqSub("text")
	if e != nil {
		return e
	}
	if e := t.allow("body", "preview_url"); e != nil {
		return e
	}
	body, e := t.reqStr("body")
	if e != nil {
		return e
	}
	if e := t.maxLen("body", body, 4096); e != nil {
		return e
	}
	return t.boolean("preview_url")
}

func validateLocation(root obj) *GraphError {
	l, e := root.reqSub("location")
	if e != nil {
		return e
	}
	if e := l.allow("latitude", "longitude", "name", "address"); e != nil {
		return e
	}
	for _, k := range []string{"latitude", "longitude"} {
		v, ok, e := l.num(k)
		if e != nil {
			return e
		}
		if !ok {
			return errMissing("The parameter %s is required.", l.child(k))
		}
		if limit := map[string]float64{"latitude": 90, "longitude": 180}[k]; v < -limit || v > limit {
			return errInvalid("%s %v is out of range.", l.child(k), v)
		}
	}
	for _, k := range []string{"name", "address"} {
		if _, e := l.str(k); e != nil {
			return e
		}
	}
	return nil
}

func validateContacts(root obj) *GraphError {
	a, _, e := root.arr("contacts")
	if e != nil {
		return e
	}
	if len(a) == 0 {
		return errMissing("The parameter contacts must hold at least one contact.")
	}
	if len(a) > 5 {
		return errInvalid("contacts holds %d contacts; the limit is 5.", len(a))
	}
	for i, v := range a {
		c, e := asObj(v, "contacts["+itoa(i)+"]")
		if e != nil {
			return e
		}
		if e := c.allow("name", "phones", "emails", "org", "urls", "addresses", "birthday"); e != nil {
			return e
		}
		name, e := c.reqSub("name")
		if e != nil {
			return e
		}
		if _, e := name.reqStr("formatted_name"); e != nil {
			return e
		}
	}
	return nil
}

func validateReaction(root obj) *GraphError {
	r, e := root.reqSub("reaction")
	if e != nil {
		return e
	}
	if e := r.allow("message_id", "emoji"); e != nil {
		return e
	}
	id, e := r.reqStr("message_id")
	if e != nil {
		return e
	}
	if !strings.HasPrefix(id, "wamid.") {
		return errInvalid("reaction['message_id'] must be a WhatsApp message id (wamid.…), got %q.", id)
	}
	if _, ok := r.m["emoji"]; !ok {
		return errMissing("The parameter reaction['emoji'] is required (empty string removes a reaction).")
	}
	emoji, e := r.str("emoji")
	if e != nil {
		return e
	}
	// One emoji: a handful of code points (ZWJ sequences, skin tones), none
	// of them letters or digits.
	if utf8.RuneCountInString(emoji) > 10 || strings.IndexFunc(emoji, func(r rune) bool {
		return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r))
	}) >= 0 {
		return errInvalid("reaction['emoji'] must be a single emoji, got %q.", emoji)
	}
	return nil
}
