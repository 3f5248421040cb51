package sim

import "strconv"

func itoa(i int) string { return strconv.Itoa(i) }

// validateMedia checks an image/video/audio/document/sticker object (§4.3):
// exactly one of id or link, caption only where WhatsApp shows one,
// filename only on documents.
func (s *Sim) validateMedia(root obj, n *Number, typ string, req *sendReq) *GraphError {
	m, e := root.reqSub(typ)
	if e != nil {
		return e
	}
	keys := []string{"id", "link"}
	switch typ {
	case "image", "video":
		keys = append(keys, "caption")
	case "document":
		keys = append(keys, "caption", "filename")
	}
	if e := m.allow(keys...); e != nil {
		return e
	}
	if e := s.mediaRef(m, n, typ, req); e != nil {
		return e
	}
	caption, e := m.str("caption")
	if e != nil {
		return e
	}
	if e := m.maxLen("caption", caption, 1024); e != nil {
		return e
	}
	if _, e := m.str("filename"); e != nil {
		return e
	}
	return nil
}

// mediaRef validates the id-or-link pair of a media object. kind is the
// expected media kind (image, video, audio, document, sticker).
func (s *Sim) mediaRef(m obj, n *Number, kind string, req *sendReq) *GraphError {
	id, e := m.str("id")
	if e != nil {
		return e
	}
	link, e := m.str("link")
	if e != nil {
		return e
	}
	switch {
	case id != "" && link != "":
		return errInvalid("%s: set either id or link, not both.", m.path)
	case id == "" && link == "":
		return errMissing("The parameter %s or %s is required.", m.child("id"), m.child("link"))
	case link != "":
		if !httpURL(link) {
			return errInvalid("%s must be a public http(s) URL, got %q.", m.child("link"), link)
		}
		return nil
	}
	md := s.media.get(id)
	if md == nil || md.WABAID != n.WABAID || !md.Uploaded || s.Now().After(md.Expires) {
		return errParam("Param %s is not a valid whatsapp business account media attachment ID", m.child("id"))
	}
	if got := mediaKind(md.MimeType); got != kind {
		// Meta accepts the request and fails the message later.
		req.asyncErr = waErr(131053, "Media upload error: media %s has type %s, which cannot be sent as %s.", id, md.MimeType, kind)
	}
	return nil
}
