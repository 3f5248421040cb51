package ui_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"wadesk/internal/app/apptest"
	"wadesk/internal/sim"
)

// Outside the window an agent picks a template with a document header and
// chooses the PDF in the picker: the page sends it as the header file.
func TestBrowserTemplateWithAHeaderFile(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	tb := newTab(t)
	openClosedWindowTicket(t, e, tb, "Where is my invoice?")
	tb.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#tpl-select'); s.value = 'invoice_ready|en_US'; s.dispatchEvent(new Event('change')); })()`))
	const tpl = `.tpl[data-name="invoice_ready"]`
	tb.waitJS("the template's fields", `!document.querySelector('`+tpl+`').hidden`, wait)
	if accept := eval[string](tb, `document.querySelector('`+tpl+` input[data-kind="header-file"]').accept`); accept != "application/pdf" {
		t.Fatalf("header file input accepts %q, want application/pdf", accept)
	}
	tb.do(chromedp.SendKeys(chromedp.CSS(tpl+` input[data-param="1"]`), "INV-7"))

	// Without the file the page asks for it.
	tb.do(chromedp.Click(chromedp.CSS("#send")))
	tb.waitJS("the request for the file", hasText("#compose-error", "header file"), wait)

	tb.do(chromedp.Evaluate[chromedp.Void](`(() => {
		const dt = new DataTransfer();
		dt.items.add(new File(['%PDF-1.4\n%%EOF\n'], 'invoice-7.pdf', { type: 'application/pdf' }));
		document.querySelector('` + tpl + ` input[data-kind="header-file"]').files = dt.files;
	})()`))
	tb.do(chromedp.Click(chromedp.CSS("#send")))
	e.Eventually(wait, "the template at the simulator", func() bool {
		for _, m := range e.Sim.Messages(sim.MessageFilter{Customer: e.Seed.CustomerWaID, Direction: "out"}) {
			if m.Type == "template" && m.Template == "invoice_ready" && m.Status != "failed" {
				return true
			}
		}
		return false
	})
	if n := len(e.Sim.Requests(sim.RequestFilter{Method: "POST", Path: "/media"})); n != 1 {
		t.Fatalf("%d media uploads, want the header file's", n)
	}
	tb.waitJS("the template bubble", `document.querySelectorAll('#chat .msg.out').length > 0`, wait)
}
