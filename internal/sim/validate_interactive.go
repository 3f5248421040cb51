package sim

import "strings"

// validateInteractive checks reply buttons, lists and CTA URL messages
// against §4.7–4.9 and the §8.3 limits. Other interactive types exist at
// Meta but are refused here so that nothing unchecked passes.
func (s *Sim) validateInteractive(root obj, n *Number, req *sendReq) *GraphError {
	in, e := root.reqSub("interactive")
	if e != nil {
		return e
	}
	if e := in.allow("type", "header", "body", "footer", "action"); e != nil {
		return e
	}
	typ, e := in.reqStr("type")
	if e != nil {
		return e
	}
	if typ != "button" && typ != "list" && typ != "cta_url" {
		return errInvalid("interactive['type'] %q is not supported by the simulator (button, list, cta_url).", typ)
	}
	if e := s.interactiveHeader(in, n, typ, req); e != nil {
		return e
	}
	body, e := in.reqSub("body")
	if e != nil {
		return e
	}
	if e := textPart(body, 1024); e != nil {
		return e
	}
	if f, ok, e := in.sub("footer"); e != nil {
		return e
	} else if ok {
		if e := textPart(f, 60); e != nil {
			return e
		}
	}
	action, e := in.reqSub("action")
	if e != nil {
		return e
	}
	switch typ {
	case "button":
		return replyButtons(action)
	case "list":
		return listAction(action)
	default:
		return ctaURL(action)
	}
}

// textPart checks a {"text": …} object.
func textPart(o obj, limit int) *GraphError {
	if e := o.allow("text"); e != nil {
		return e
	}
	t, e := o.reqStr("text")
	if e != nil {
		return e
	}
	return o.maxLen("text", t, limit)
}

func (s *Sim) interactiveHeader(in obj, n *Number, typ string, req *sendReq) *GraphError {
	h, ok, e := in.sub("header")
	if e != nil || !ok {
		return e
	}
	ht, e := h.reqStr("type")
	if e != nil {
		return e
	}
	if typ == "list" && ht != "text" {
		return errInvalid("interactive['header']['type'] must be text for a list message, got %q.", ht)
	}
	switch ht {
	case "text":
		if e := h.allow("type", "text"); e != nil {
			return e
		}
		t, e := h.reqStr("text")
		if e != nil {
			return e
		}
		return h.maxLen("text", t, 60)
	case "image", "video", "document":
		if e := h.allow("type", ht); e != nil {
			return e
		}
		m, e := h.reqSub(ht)
		if e != nil {
			return e
		}
		keys := []string{"id", "link"}
		if ht == "document" {
			keys = append(keys, "filename")
		}
		if e := m.allow(keys...); e != nil {
			return e
		}
		return s.mediaRef(m, n, ht, req)
	}
	return errParam("Param interactive['header']['type'] must be one of {TEXT, IMAGE, VIDEO, DOCUMENT} - got \"%s\".", ht)
}

func replyButtons(action obj) *GraphError {
	if e := action.allow("buttons"); e != nil {
		return e
	}
	bs, _, e := action.arr("buttons")
	if e != nil {
		return e
	}
	if len(bs) == 0 {
		return errMissing("The parameter interactive['action']['buttons'] is required (1 to 3 buttons).")
	}
	if len(bs) > 3 {
		return errInvalid("interactive['action']['buttons'] holds %d buttons; the limit is 3.", len(bs))
	}
	ids, titles := map[string]bool{}, map[string]bool{}
	for i, v := range bs {
		b, e := asObj(v, action.child("buttons")+"["+itoa(i)+"]")
		if e != nil {
			return e
		}
		if e := b.allow("type", "reply"); e != nil {
			return e
		}
		if t, e := b.reqStr("type"); e != nil {
			return e
		} else if t != "reply" {
			return errParam("Param %s must be \"reply\" - got \"%s\".", b.child("type"), t)
		}
		r, e := b.reqSub("reply")
		if e != nil {
			return e
		}
		if e := r.allow("id", "title"); e != nil {
			return e
		}
		id, title, e := idTitle(r, 256, 20)
		if e != nil {
			return e
		}
		if ids[id] || titles[title] {
			return errInvalid("%s: button ids and titles must be unique, %q/%q is repeated.", b.path, id, title)
		}
		ids[id], titles[title] = true, true
	}
	return nil
}

// idTitle checks the id/title pair shared by buttons and list rows.
func idTitle(o obj, idMax, titleMax int) (string, string, *GraphError) {
	id, e := o.reqStr("id")
	if e != nil {
		return "", "", e
	}
	if strings.TrimSpace(id) != id {
		return "", "", errInvalid("%s must not have leading or trailing spaces.", o.child("id"))
	}
	if e := o.maxLen("id", id, idMax); e != nil {
		return "", "", e
	}
	title, e := o.reqStr("title")
	if e != nil {
		return "", "", e
	}
	return id, title, o.maxLen("title", title, titleMax)
}

func listAction(action obj) *GraphError {
	if e := action.allow("button", "sections"); e != nil {
		return e
	}
	btn, e := action.reqStr("button")
	if e != nil {
		return e
	}
	if e := action.maxLen("button", btn, 20); e != nil {
		return e
	}
	secs, _, e := action.arr("sections")
	if e != nil {
		return e
	}
	if len(secs) == 0 {
		return errMissing("The parameter interactive['action']['sections'] is required (1 to 10 sections).")
	}
	if len(secs) > 10 {
		return errInvalid("interactive['action']['sections'] holds %d sections; the limit is 10.", len(secs))
	}
	rows, ids := 0, map[string]bool{}
	for i, v := range secs {
		sec, e := asObj(v, action.child("sections")+"["+itoa(i)+"]")
		if e != nil {
			return e
		}
		if e := sec.allow("title", "rows"); e != nil {
			return e
		}
		title, e := sec.str("title")
		if e != nil {
			return e
		}
		if title == "" && len(secs) > 1 {
			return errMissing("The parameter %s is required when there is more than one section.", sec.child("title"))
		}
		if e := sec.maxLen("title", title, 24); e != nil {
			return e
		}
		rs, _, e := sec.arr("rows")
		if e != nil {
			return e
		}
		if len(rs) == 0 {
			return errMissing("The parameter %s is required (at least one row).", sec.child("rows"))
		}
		for j, rv := range rs {
			rows++
			r, e := asObj(rv, sec.child("rows")+"["+itoa(j)+"]")
			if e != nil {
				return e
			}
			if e := r.allow("id", "title", "description"); e != nil {
				return e
			}
			id, _, e := idTitle(r, 200, 24)
			if e != nil {
				return e
			}
			if ids[id] {
				return errInvalid("%s: row ids must be unique, %q is repeated.", r.path, id)
			}
			ids[id] = true
			d, e := r.str("description")
			if e != nil {
				return e
			}
			if e := r.maxLen("description", d, 72); e != nil {
				return e
			}
		}
	}
	if rows > 10 {
		return errInvalid("the list holds %d rows in total; the limit is 10.", rows)
	}
	return nil
}

func ctaURL(action obj) *GraphError {
	if e := action.allow("name", "parameters"); e != nil {
		return e
	}
	name, e := action.reqStr("name")
	if e != nil {
		return e
	}
	if name != "cta_url" {
		return errInvalid("interactive['action']['name'] must be \"cta_url\", got %q.", name)
	}
	p, e := action.reqSub("parameters")
	if e != nil {
		return e
	}
	if e := p.allow("display_text", "url"); e != nil {
		return e
	}
	dt, e := p.reqStr("display_text")
	if e != nil {
		return e
	}
	if e := p.maxLen("display_text", dt, 20); e != nil {
		return e
	}
	u, e := p.reqStr("url")
	if e != nil {
		return e
	}
	if !httpURL(u) {
		return errInvalid("%s must be an http(s) URL, got %q.", p.child("url"), u)
	}
	return nil
}
