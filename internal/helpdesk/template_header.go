package helpdesk

import (
	"context"
	"fmt"
)

// A template's media header (IMAGE, VIDEO, DOCUMENT) is a file the send
// worker uploads to Meta and sends by media id. It comes either from an
// attachment wadesk already has (template.header.attachment_id) or with
// the request itself (a multipart "file"); both become the message's
// attachment and pass the same checks.

// headerAttachment loads the file of a media header: an attachment of a
// ticket the same customer has (so an agent cannot pull files from tickets
// they do not see), downloaded, and of a type the header accepts.
func headerAttachment(ctx context.Context, r Reader, t *Ticket, h *TemplateHeaderParam) (*Attachment, error) {
	bad := func(why string) error {
		return Invalid("invalid template header", map[string]string{"template.header.attachment_id": why})
	}
	a, err := r.AttachmentByID(ctx, h.AttachmentID)
	if isNotFound(err) {
		return nil, bad("no such attachment")
	}
	if err != nil {
		return nil, err
	}
	owner, err := r.MessageByID(ctx, a.MessageID)
	if err != nil {
		return nil, err
	}
	ot, err := r.TicketByID(ctx, owner.TicketID)
	if err != nil {
		return nil, err
	}
	if ot.CustomerID != t.CustomerID && (ot.GroupID == nil || t.GroupID == nil || *ot.GroupID != *t.GroupID) {
		return nil, bad("no such attachment")
	}
	if a.State != AttachmentReady || a.SHA256 == "" {
		return nil, bad("the file is not downloaded yet")
	}
	if why := headerFileProblem(h.Type, a.MIMEType, a.Size); why != "" {
		return nil, bad(why)
	}
	return a, nil
}

// uploadedHeader makes the uploaded file up ts's media header: the
// template must have one, header.type may be left out (the template says
// it), and the file must be of the header's kind. The field errors name
// "file" for the file itself.
func uploadedHeader(tpl *Template, ts *TemplateSend, up *Upload) error {
	info, err := ParseTemplate(tpl)
	if err != nil {
		return err
	}
	var kind string
	switch info.HeaderFormat {
	case "IMAGE":
		kind = "image"
	case "VIDEO":
		kind = "video"
	case "DOCUMENT":
		kind = "document"
	default:
		return Invalid("the template has no media header", map[string]string{
			"file": fmt.Sprintf("template %s (%s) has no image, video or document header to send it as", tpl.Name, tpl.Language)})
	}
	h := ts.Header
	switch {
	case h != nil && h.AttachmentID > 0:
		return Invalid("invalid template header", map[string]string{
			"template.header.attachment_id": "give the header file either as file or as attachment_id, not both"})
	case h != nil && h.Type != "" && h.Type != kind:
		return Invalid("invalid template header", map[string]string{"template.header.type": fmt.Sprintf("must be %q", kind)})
	case h != nil && h.Text != "":
		return Invalid("invalid template header", map[string]string{"template.header.text": "a media header has no text"})
	}
	if why := headerFileProblem(kind, up.MIMEType, up.Size); why != "" {
		return Invalid("invalid template header", map[string]string{"file": why})
	}
	ts.Header = &TemplateHeaderParam{Type: kind, Uploaded: true}
	return nil
}

// headerFileProblem says why a file of this type and size cannot be a
// header of kind (image, video, document), or "".
func headerFileProblem(kind, mimeType string, size int64) string {
	switch {
	case MediaKind(mimeType) != kind:
		return fmt.Sprintf("a %s header needs a %s file; this one is %s", kind, kind, mimeType)
	case kind == "document" && NormalizeMIME(mimeType) != "application/pdf":
		return "document headers must be PDF"
	case CheckUpload(mimeType, size, "") != nil:
		return "the file is outside WhatsApp's limits"
	}
	return ""
}
