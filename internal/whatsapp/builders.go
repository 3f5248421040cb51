package whatsapp

import "strconv"

// Builders for the nested parts of interactive and template sends, so the
// outbound sender reads as what it sends rather than as JSON plumbing.

// NewReplyButtons builds a reply-buttons message (1–3 buttons).
func NewReplyButtons(body string, buttons ...Choice) *Interactive {
	in := &Interactive{Type: "button", Body: &InteractiveText{Text: body}}
	for _, b := range buttons {
		in.Action.Buttons = append(in.Action.Buttons, ReplyButton{Type: "reply", Reply: b})
	}
	return in
}

// NewList builds a list message; button is the label of the menu button.
func NewList(body, button string, sections ...ListSection) *Interactive {
	return &Interactive{Type: "list", Body: &InteractiveText{Text: body},
		Action: InteractiveAction{Button: button, Sections: sections}}
}

// NewCTAURL builds a message with one call-to-action URL button.
func NewCTAURL(body, displayText, url string) *Interactive {
	return &Interactive{Type: "cta_url", Body: &InteractiveText{Text: body},
		Action: InteractiveAction{Name: "cta_url", Parameters: &CTAURLParameter{DisplayText: displayText, URL: url}}}
}

// TextParam is a positional text parameter.
func TextParam(text string) TemplateParam { return TemplateParam{Type: "text", Text: text} }

// NamedParam is a text parameter of a template with NAMED parameters.
func NamedParam(name, text string) TemplateParam {
	return TemplateParam{Type: "text", ParameterName: name, Text: text}
}

// CurrencyParam is a currency parameter; amount1000 is the amount × 1000.
func CurrencyParam(fallback, code string, amount1000 int64) TemplateParam {
	return TemplateParam{Type: "currency", Currency: &Currency{FallbackValue: fallback, Code: code, Amount1000: amount1000}}
}

// DateTimeParam is a date parameter rendered as fallback.
func DateTimeParam(fallback string) TemplateParam {
	return TemplateParam{Type: "date_time", DateTime: &DateTime{FallbackValue: fallback}}
}

// MediaParam is a media header parameter of kind image, video or document
// (a document header may carry a filename; media headers have no caption).
func MediaParam(kind MessageType, media MediaObject) TemplateParam {
	p := TemplateParam{Type: string(kind)}
	switch kind {
	case TypeImage:
		p.Image = &media
	case TypeVideo:
		p.Video = &media
	case TypeDocument:
		p.Document = &media
	}
	return p
}

// HeaderParams is the header component of a template send.
func HeaderParams(params ...TemplateParam) TemplateParamsSet {
	return TemplateParamsSet{Type: "header", Parameters: params}
}

// BodyParams is the body component of a template send.
func BodyParams(params ...TemplateParam) TemplateParamsSet {
	return TemplateParamsSet{Type: "body", Parameters: params}
}

// QuickReplyButton sets the payload returned when the user taps the quick
// reply button at index.
func QuickReplyButton(index int, payload string) TemplateParamsSet {
	return buttonParams("quick_reply", index, TemplateParam{Type: "payload", Payload: payload})
}

// URLButton sets the dynamic suffix of the URL button at index.
func URLButton(index int, suffix string) TemplateParamsSet {
	return buttonParams("url", index, TextParam(suffix))
}

// CopyCodeButton sets the coupon code of the copy-code button at index.
func CopyCodeButton(index int, code string) TemplateParamsSet {
	return buttonParams("copy_code", index, TemplateParam{Type: "coupon_code", CouponCode: code})
}

func buttonParams(subType string, index int, p TemplateParam) TemplateParamsSet {
	return TemplateParamsSet{Type: "button", SubType: subType, Index: FlexString(strconv.Itoa(index)),
		Parameters: []TemplateParam{p}}
}
