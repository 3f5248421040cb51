package sim

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// tplParam is one validated template parameter.
type tplParam struct {
	typ   string
	name  string // parameter_name (NAMED templates)
	value string // text or fallback_value, used to hydrate the body
}

// validateTemplate checks a template send (§4.10) against the stored
// template: existence and status (132001/132015/132016), parameter counts
// (132000), parameter types (132012), named parameters and buttons.
func (s *Sim) validateTemplate(root obj, n *Number, req *sendReq) *GraphError {
	t, e := root.reqSub("template")
	if e != nil {
		return e
	}
	if e := t.allow("name", "language", "components", "namespace"); e != nil {
		return e
	}
	name, e := t.reqStr("name")
	if e != nil {
		return e
	}
	lang, e := t.reqSub("language")
	if e != nil {
		return e
	}
	if e := lang.allow("code", "policy"); e != nil {
		return e
	}
	code, e := lang.reqStr("code")
	if e != nil {
		return e
	}
	if pol, e := lang.str("policy"); e != nil {
		return e
	} else if pol != "" && pol != "deterministic" {
		return errParam("Param template['language']['policy'] must be \"deterministic\", got %q.", pol)
	}
	s.mu.RLock()
	tp := s.findTemplateLocked(n.WABAID, name, code)
	var tmpl Template
	if tp != nil {
		tmpl = *tp
	}
	s.mu.RUnlock()
	if tp == nil {
		return waErr(132001, "template name (%s) does not exist in %s", name, code)
	}
	switch tmpl.Status {
	case "APPROVED":
	case "PAUSED":
		return waErr(132015, "Template %s (%s) is paused because of low quality.", name, code)
	case "DISABLED":
		return waErr(132016, "Template %s (%s) has been disabled.", name, code)
	default:
		return waErr(132001, "template name (%s) in %s is %s, not APPROVED", name, code, tmpl.Status)
	}
	req.tmpl = &tmpl
	if req.bsuid != "" && tmpl.Category == "AUTHENTICATION" {
		return waErr(131062, "Authentication templates need a phone number recipient, not a business-scoped user ID.")
	}
	comps, _, e := t.arr("components")
	if e != nil {
		return e
	}
	var header, body *obj
	buttons := map[int]obj{}
	for i, v := range comps {
		c, e := asObj(v, "template['components']["+itoa(i)+"]")
		if e != nil {
			return e
		}
		if e := c.allow("type", "sub_type", "index", "parameters"); e != nil {
			return e
		}
		ct, e := c.reqStr("type")
		if e != nil {
			return e
		}
		switch strings.ToLower(ct) {
		case "header", "body":
			p := &header
			if strings.ToLower(ct) == "body" {
				p = &body
			}
			if *p != nil {
				return errParam("template['components'] has two %s components.", ct)
			}
			cc := c
			*p = &cc
		case "button":
			idx, e := buttonIndex(c)
			if e != nil {
				return e
			}
			if _, dup := buttons[idx]; dup {
				return errParam("template['components'] has two button components with index %d.", idx)
			}
			buttons[idx] = c
		default:
			return errParam("Param %s must be one of {HEADER, BODY, BUTTON} - got \"%s\".", c.child("type"), ct)
		}
	}
	if e := s.templateHeader(&tmpl, header, n, req); e != nil {
		return e
	}
	if e := s.templateBody(&tmpl, body); e != nil {
		return e
	}
	return s.templateButtons(&tmpl, buttons)
}

func buttonIndex(c obj) (int, *GraphError) {
	v, ok := c.m["index"]
	if !ok || v == nil {
		return 0, errMissing("The parameter %s is required.", c.child("index"))
	}
	var s string
	switch t := v.(type) {
	case string:
		s = t
	case json.Number:
		s = t.String()
	default:
		return 0, errInvalid("%s must be a number or a numeric string.", c.child("index"))
	}
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 {
		return 0, errInvalid("%s must be a 0-based button position, got %q.", c.child("index"), s)
	}
	return i, nil
}

// params decodes a component's parameters; allowed lists the types valid there.
func (s *Sim) params(c *obj, n *Number, req *sendReq, allowed ...string) ([]tplParam, *GraphError) {
	if c == nil {
		return nil, nil
	}
	arr, _, e := c.arr("parameters")
	if e != nil {
		return nil, e
	}
	out := make([]tplParam, 0, len(arr))
	for i, v := range arr {
		p, e := asObj(v, c.child("parameters")+"["+itoa(i)+"]")
		if e != nil {
			return nil, e
		}
		typ, e := p.reqStr("type")
		if e != nil {
			return nil, e
		}
		if !contains(allowed, typ) {
			return nil, waErr(132012, "%s: type %q is not valid here (expected one of %s).", p.path, typ, strings.Join(allowed, ", "))
		}
		tp := tplParam{typ: typ}
		if tp.name, e = p.str("parameter_name"); e != nil {
			return nil, e
		}
		if e := p.allow("type", typ, "parameter_name"); e != nil {
			return nil, e
		}
		switch typ {
		case "text", "payload", "coupon_code":
			if tp.value, e = p.reqStr(typ); e != nil {
				return nil, e
			}
		case "currency":
			cur, e := p.reqSub("currency")
			if e != nil {
				return nil, e
			}
			if e := cur.allow("fallback_value", "code", "amount_1000"); e != nil {
				return nil, e
			}
			if tp.value, e = cur.reqStr("fallback_value"); e != nil {
				return nil, e
			}
			if _, e := cur.reqStr("code"); e != nil {
				return nil, e
			}
			if _, ok, e := cur.num("amount_1000"); e != nil {
				return nil, e
			} else if !ok {
				return nil, errMissing("The parameter %s is required.", cur.child("amount_1000"))
			}
		case "date_time":
			dt, e := p.reqSub("date_time")
			if e != nil {
				return nil, e
			}
			if tp.value, e = dt.reqStr("fallback_value"); e != nil {
				return nil, e
			}
		case "image", "video", "document":
			m, e := p.reqSub(typ)
			if e != nil {
				return nil, e
			}
			keys := []string{"id", "link"}
			if typ == "document" {
				keys = append(keys, "filename")
			}
			if e := m.allow(keys...); e != nil {
				return nil, e
			}
			if e := s.mediaRef(m, n, typ, req); e != nil {
				return nil, e
			}
		case "location":
			if e := validateLocation(p); e != nil {
				return nil, e
			}
		case "action":
			if _, e := p.reqSub("action"); e != nil {
				return nil, e
			}
		}
		out = append(out, tp)
	}
	return out, nil
}

func (s *Sim) templateHeader(t *Template, header *obj, n *Number, req *sendReq) *GraphError {
	hc := t.component("HEADER")
	if hc == nil {
		if header != nil {
			return waErr(132000, "template %s has no header, but a header component was sent.", t.Name)
		}
		return nil
	}
	var want int
	var allowed []string
	switch hc.Format {
	case "", "TEXT":
		vars, _ := t.placeholders(hc.Text)
		want, allowed = len(vars), []string{"text"}
	case "IMAGE", "VIDEO", "DOCUMENT", "LOCATION":
		want, allowed = 1, []string{strings.ToLower(hc.Format)}
	}
	ps, e := s.params(header, n, req, allowed...)
	if e != nil {
		return e
	}
	if len(ps) != want {
		return waErr(132000, "header: template %s expects %d parameter(s) (%s), %d given.", t.Name, want, hc.Format, len(ps))
	}
	return nil
}

func (s *Sim) templateBody(t *Template, body *obj) *GraphError {
	bc := t.component("BODY")
	text := ""
	if bc != nil {
		text = bc.Text
	}
	vars, _ := t.placeholders(text)
	ps, e := s.params(body, nil, nil, "text", "currency", "date_time")
	if e != nil {
		return e
	}
	if len(ps) != len(vars) {
		return waErr(132000, "body: template %s expects %d parameter(s), %d given.", t.Name, len(vars), len(ps))
	}
	values := map[string]string{}
	for i, p := range ps {
		key := strconv.Itoa(i + 1)
		if t.ParameterFormat == "NAMED" {
			if p.name == "" {
				return waErr(132000, "body: template %s uses named parameters; parameter %d has no parameter_name.", t.Name, i)
			}
			if !contains(vars, p.name) {
				sort.Strings(vars)
				return waErr(132000, "body: template %s has no parameter named %q (expected %s).", t.Name, p.name, strings.Join(vars, ", "))
			}
			key = p.name
		}
		if strings.ContainsAny(p.value, "\n\t") || strings.Contains(p.value, "     ") {
			return waErr(132018, "body parameter %d contains a newline, a tab or more than 4 consecutive spaces.", i)
		}
		values[key] = p.value
	}
	hydrated := placeholderRE.ReplaceAllStringFunc(text, func(m string) string {
		return values[placeholderRE.FindStringSubmatch(m)[1]]
	})
	if c := utf8.RuneCountInString(hydrated); c > 1024 {
		return waErr(132005, "The body of template %s is %d characters after substitution; the limit is 1024.", t.Name, c)
	}
	return nil
}

// buttonSubTypes maps send sub_type to the template button type.
var buttonSubTypes = map[string]string{"quick_reply": "QUICK_REPLY", "url": "URL", "copy_code": "COPY_CODE",
	"flow": "FLOW", "catalog": "CATALOG", "mpm": "MPM"}

func (s *Sim) templateButtons(t *Template, sent map[int]obj) *GraphError {
	var defs []TemplateButton
	if bc := t.component("BUTTONS"); bc != nil {
		defs = bc.Buttons
	}
	for idx, c := range sent {
		if idx >= len(defs) {
			return errInvalid("%s: template %s has %d button(s), index %d does not exist.", c.path, t.Name, len(defs), idx)
		}
		st, e := c.reqStr("sub_type")
		if e != nil {
			return e
		}
		want := buttonSubTypes[strings.ToLower(st)]
		if want == "" || want != strings.ToUpper(defs[idx].Type) {
			return errInvalid("%s: sub_type %q does not match button %d of template %s (%s).", c.path, st, idx, t.Name, defs[idx].Type)
		}
	}
	for idx, d := range defs {
		c, ok := sent[idx]
		var ps []tplParam
		var e *GraphError
		switch strings.ToUpper(d.Type) {
		case "QUICK_REPLY":
			if ps, e = s.params(optObj(c, ok), nil, nil, "payload"); e == nil && ok && len(ps) != 1 {
				e = waErr(132000, "button %d (quick_reply) expects 1 payload parameter, %d given.", idx, len(ps))
			}
		case "URL":
			vars, _ := t.placeholders(d.URL)
			if ps, e = s.params(optObj(c, ok), nil, nil, "text"); e == nil && len(ps) != len(vars) {
				e = waErr(132000, "button %d (url) expects %d text parameter(s) for the URL suffix, %d given.", idx, len(vars), len(ps))
			}
		case "COPY_CODE":
			if ps, e = s.params(optObj(c, ok), nil, nil, "coupon_code"); e == nil && len(ps) != 1 {
				e = waErr(132000, "button %d (copy_code) expects 1 coupon_code parameter, %d given.", idx, len(ps))
			}
		case "FLOW":
			_, e = s.params(optObj(c, ok), nil, nil, "action")
		default:
			if ok {
				if ps, e = s.params(&c, nil, nil); e == nil && len(ps) > 0 {
					e = waErr(132000, "button %d (%s) takes no parameters.", idx, d.Type)
				}
			}
		}
		if e != nil {
			return e
		}
	}
	return nil
}

func optObj(c obj, ok bool) *obj {
	if !ok {
		return nil
	}
	return &c
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
