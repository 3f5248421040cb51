package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// upload posts a file to /media and returns its id.
func (e *env) upload(t *testing.T, mimeType string, data []byte) (int, map[string]any) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("messaging_product", "whatsapp")
	_ = mw.WriteField("type", mimeType)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="f.bin"`)
	h.Set("Content-Type", mimeType)
	fw, _ := mw.CreatePart(h)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+"/v25.0/"+e.info.PhoneNumberID+"/media", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+e.info.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func (e *env) mustUpload(t *testing.T, mimeType string) string {
	t.Helper()
	data, err := sampleFile(mimeType, false)
	if err != nil {
		t.Fatal(err)
	}
	code, out := e.upload(t, mimeType, data)
	if code != 200 {
		t.Fatalf("upload %s: %d %v", mimeType, code, out)
	}
	return out["id"].(string)
}

// addTestTemplates adds the templates of the reference examples that the
// seed does not have.
func (e *env) addTestTemplates(t *testing.T) {
	t.Helper()
	for _, tp := range []Template{
		{WABAID: e.info.WABAID, Name: "order_confirmation", Language: "en_US", Components: []TemplateComponent{
			{Type: "HEADER", Format: "DOCUMENT"},
			{Type: "BODY", Text: "Hi {{1}}, order {{2}} for {{3}} was confirmed on {{4}}."},
			{Type: "BUTTONS", Buttons: []TemplateButton{{Type: "QUICK_REPLY", Text: "Stop promotions"},
				{Type: "URL", Text: "Track", URL: "https://example.com/o/{{1}}"}}}}},
		{WABAID: e.info.WABAID, Name: "paused_one", Language: "en_US", Status: "PAUSED", Components: []TemplateComponent{{Type: "BODY", Text: "x"}}},
		{WABAID: e.info.WABAID, Name: "pending_one", Language: "en_US", Status: "PENDING", Components: []TemplateComponent{{Type: "BODY", Text: "x"}}},
		{WABAID: e.info.WABAID, Name: "otp", Language: "en_US", Category: "AUTHENTICATION", Components: []TemplateComponent{
			{Type: "BODY", Text: "{{1}} is your code."},
			{Type: "BUTTONS", Buttons: []TemplateButton{{Type: "COPY_CODE", Text: "Copy"}}}}},
	} {
		if _, err := e.s.AddTemplate(tp); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSendFixturesAccepted: every send body of §4 is accepted as-is (media
// ids and inbound wamids swapped for real ones).
func TestSendFixturesAccepted(t *testing.T) {
	e := newEnv(t, Options{Statuses: StatusOptions{Off: true}})
	e.addTestTemplates(t)
	inboundID := e.inbound(t, "hi")
	ids := map[string]string{
		"image_id.json": e.mustUpload(t, "image/jpeg"), "audio.json": e.mustUpload(t, "audio/ogg"),
		"document.json": e.mustUpload(t, "application/pdf"), "sticker.json": e.mustUpload(t, "image/webp"),
	}
	files, _ := filepath.Glob("testdata/send/*.json")
	if len(files) < 18 {
		t.Fatalf("only %d send fixtures", len(files))
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			body, _ := os.ReadFile(f)
			s := string(body)
			if id := ids[name]; id != "" {
				s = strings.NewReplacer("1013859600285441", id, "4490709327384033", id).Replace(s)
			}
			s = strings.ReplaceAll(s, "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUYzMjEzNDM2RTZGQ0MzMDJBRgA=", inboundID)
			code, out := e.send(t, s)
			if code != 200 {
				t.Fatalf("HTTP %d: %v", code, out)
			}
			if strings.HasPrefix(name, "mark_read") || strings.HasPrefix(name, "typing") {
				if out["success"] != true {
					t.Fatalf("want success, got %v", out)
				}
				return
			}
			wamidOf(t, out)
			c := out["contacts"].([]any)[0].(map[string]any)
			if c["input"] != "16505551234" || c["wa_id"] != "16505551234" || out["messaging_product"] != "whatsapp" {
				t.Fatalf("bad §4.1 response %v", out)
			}
		})
	}
}

func TestSendResponseNormalisesAndEchoes(t *testing.T) {
	e := newEnv(t, Options{Statuses: StatusOptions{Off: true}})
	e.inbound(t, "hi")
	code, out := e.send(t, `{"messaging_product":"whatsapp","to":"+1-650-555-1234","type":"text","text":{"body":"x"}}`)
	if code != 200 {
		t.Fatal(code, out)
	}
	c := out["contacts"].([]any)[0].(map[string]any)
	if c["input"] != "+1-650-555-1234" || c["wa_id"] != "16505551234" {
		t.Fatalf("contacts %v", c)
	}
	// BSUID recipient: contacts carry user_id, no wa_id.
	code, out = e.send(t, `{"messaging_product":"whatsapp","recipient":"US.13491208655302741918","type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}}`)
	if code != 200 {
		t.Fatal(code, out)
	}
	c = out["contacts"].([]any)[0].(map[string]any)
	if c["user_id"] != "US.13491208655302741918" || c["wa_id"] != nil {
		t.Fatalf("contacts %v", c)
	}
	// ids are unique
	seen := map[string]bool{}
	for range 50 {
		_, out := e.send(t, `{"messaging_product":"whatsapp","to":"16505551234","type":"text","text":{"body":"x"}}`)
		id := wamidOf(t, out)
		if seen[id] {
			t.Fatalf("duplicate wamid %s", id)
		}
		seen[id] = true
	}
}

func TestSendValidation(t *testing.T) {
	e := newEnv(t, Options{Statuses: StatusOptions{Off: true}})
	e.addTestTemplates(t)
	inboundID := e.inbound(t, "hi")
	img := e.mustUpload(t, "image/jpeg")
	long := func(n int) string { return strings.Repeat("a", n) }
	msg := func(typ, obj string) string {
		return fmt.Sprintf(`{"messaging_product":"whatsapp","to":"16505551234","type":%q,%q:%s}`, typ, typ, obj)
	}
	buttons := func(n int, title string) string {
		var bs []string
		for i := range n {
			bs = append(bs, fmt.Sprintf(`{"type":"reply","reply":{"id":"b%d","title":"%s%d"}}`, i, title, i))
		}
		return msg("interactive", `{"type":"button","body":{"text":"hi"},"action":{"buttons":[`+strings.Join(bs, ",")+`]}}`)
	}
	list := func(sections string) string {
		return msg("interactive", `{"type":"list","body":{"text":"hi"},"action":{"button":"Choose","sections":`+sections+`}}`)
	}
	rows := func(n int) string {
		var rs []string
		for i := range n {
			rs = append(rs, fmt.Sprintf(`{"id":"r%d","title":"Row %d"}`, i, i))
		}
		return `[` + strings.Join(rs, ",") + `]`
	}
	tmpl := func(name, comps string) string {
		return msg("template", `{"name":"`+name+`","language":{"code":"en_US"},"components":`+comps+`}`)
	}
	named := func(params string) string {
		return tmpl("ticket_reminder", `[{"type":"body","parameters":`+params+`}]`)
	}
	orderOK := `{"type":"header","parameters":[{"type":"document","document":{"link":"https://example.com/a.pdf"}}]},` +
		`{"type":"body","parameters":[{"type":"text","text":"a"},{"type":"text","text":"b"},{"type":"text","text":"c"},{"type":"text","text":"d"}]}`
	cases := []struct {
		name     string
		body     string
		code     int
		httpCode int
	}{
		{"invalid JSON → 100", `{"messaging_product":`, 100, 400},
		{"missing messaging_product → 131008", `{"to":"16505551234","type":"text","text":{"body":"x"}}`, 131008, 400},
		{"wrong messaging_product → 100", `{"messaging_product":"sms","to":"16505551234","type":"text","text":{"body":"x"}}`, 100, 400},
		{"unknown top-level key → 100", `{"messaging_product":"whatsapp","to":"16505551234","type":"text","text":{"body":"x"},"txt":1}`, 100, 400},
		{"missing to → 131008", `{"messaging_product":"whatsapp","type":"text","text":{"body":"x"}}`, 131008, 400},
		{"letters in to → 131009", `{"messaging_product":"whatsapp","to":"abc123","type":"text","text":{"body":"x"}}`, 131009, 400},
		{"too short to → 131009", `{"messaging_product":"whatsapp","to":"12345","type":"text","text":{"body":"x"}}`, 131009, 400},
		{"BSUID in to → 131009", `{"messaging_product":"whatsapp","to":"US.13491208655302741918","type":"text","text":{"body":"x"}}`, 131009, 400},
		{"bad recipient → 131009", `{"messaging_product":"whatsapp","recipient":"nope","type":"text","text":{"body":"x"}}`, 131009, 400},
		{"to is own number → 131021", `{"messaging_product":"whatsapp","to":"15550783881","type":"text","text":{"body":"x"}}`, 131021, 400},
		{"group recipient_type → 131009", `{"messaging_product":"whatsapp","recipient_type":"group","to":"16505551234","type":"text","text":{"body":"x"}}`, 131009, 400},
		{"missing type → 131008", `{"messaging_product":"whatsapp","to":"16505551234","text":{"body":"x"}}`, 131008, 400},
		{"unknown type → 100", `{"messaging_product":"whatsapp","to":"16505551234","type":"poll","poll":{}}`, 100, 400},
		{"type without its object → 131008", `{"messaging_product":"whatsapp","to":"16505551234","type":"text"}`, 131008, 400},
		{"object of another type → 100", `{"messaging_product":"whatsapp","to":"16505551234","type":"text","text":{"body":"x"},"image":{"id":"1"}}`, 100, 400},
		{"empty text body → 131008", msg("text", `{"body":""}`), 131008, 400},
		{"text over 4096 → 131009", msg("text", `{"body":"`+long(4097)+`"}`), 131009, 400},
		{"text at 4096 ok", msg("text", `{"body":"`+long(4096)+`"}`), 0, 200},
		{"text unknown key → 100", msg("text", `{"body":"x","caption":"y"}`), 100, 400},
		{"preview_url not bool → 131009", msg("text", `{"body":"x","preview_url":"yes"}`), 131009, 400},
		{"media id and link → 131009", msg("image", `{"id":"`+img+`","link":"https://a.b/c.jpg"}`), 131009, 400},
		{"media without id or link → 131008", msg("image", `{"caption":"x"}`), 131008, 400},
		{"media link not http → 131009", msg("image", `{"link":"ftp://a.b/c.jpg"}`), 131009, 400},
		{"unknown media id → 100", msg("image", `{"id":"999999"}`), 100, 400},
		{"caption over 1024 → 131009", msg("image", `{"id":"`+img+`","caption":"`+long(1025)+`"}`), 131009, 400},
		{"caption on audio → 100", msg("audio", `{"link":"https://a.b/c.ogg","caption":"x"}`), 100, 400},
		{"caption on sticker → 100", msg("sticker", `{"link":"https://a.b/c.webp","caption":"x"}`), 100, 400},
		{"filename on image → 100", msg("image", `{"id":"`+img+`","filename":"a.jpg"}`), 100, 400},
		{"location without latitude → 131008", msg("location", `{"longitude":1}`), 131008, 400},
		{"latitude out of range → 131009", msg("location", `{"latitude":91,"longitude":1}`), 131009, 400},
		{"latitude as string ok", msg("location", `{"latitude":"37.7","longitude":"-122.4"}`), 0, 200},
		{"no contacts → 131008", msg("contacts", `[]`), 131008, 400},
		{"six contacts → 131009", msg("contacts", `[`+strings.Repeat(`{"name":{"formatted_name":"a"}},`, 5)+`{"name":{"formatted_name":"a"}}]`), 131009, 400},
		{"contact without formatted_name → 131008", msg("contacts", `[{"name":{"first_name":"a"}}]`), 131008, 400},
		{"reaction without emoji → 131008", msg("reaction", `{"message_id":"wamid.X"}`), 131008, 400},
		{"reaction to non-wamid → 131009", msg("reaction", `{"message_id":"123","emoji":"👍"}`), 131009, 400},
		{"reaction with text emoji → 131009", msg("reaction", `{"message_id":"wamid.X","emoji":"ok"}`), 131009, 400},
		{"context not a wamid → 131009", `{"messaging_product":"whatsapp","to":"16505551234","type":"text","context":{"message_id":"x"},"text":{"body":"x"}}`, 131009, 400},
		{"biz_opaque over 512 → 131009", `{"messaging_product":"whatsapp","to":"16505551234","type":"text","biz_opaque_callback_data":"` + long(513) + `","text":{"body":"x"}}`, 131009, 400},
		{"3 buttons ok", buttons(3, "B"), 0, 200},
		{"4 buttons → 131009", buttons(4, "B"), 131009, 400},
		{"no buttons → 131008", buttons(0, "B"), 131008, 400},
		{"button title over 20 → 131009", buttons(1, long(20)), 131009, 400},
		{"duplicate button titles → 131009", msg("interactive", `{"type":"button","body":{"text":"hi"},"action":{"buttons":[{"type":"reply","reply":{"id":"a","title":"Same"}},{"type":"reply","reply":{"id":"b","title":"Same"}}]}}`), 131009, 400},
		{"button id with spaces → 131009", msg("interactive", `{"type":"button","body":{"text":"hi"},"action":{"buttons":[{"type":"reply","reply":{"id":" a","title":"A"}}]}}`), 131009, 400},
		{"interactive without body → 131008", msg("interactive", `{"type":"button","action":{"buttons":[{"type":"reply","reply":{"id":"a","title":"A"}}]}}`), 131008, 400},
		{"interactive body over 1024 → 131009", msg("interactive", `{"type":"button","body":{"text":"`+long(1025)+`"},"action":{"buttons":[{"type":"reply","reply":{"id":"a","title":"A"}}]}}`), 131009, 400},
		{"header text over 60 → 131009", msg("interactive", `{"type":"button","header":{"type":"text","text":"`+long(61)+`"},"body":{"text":"hi"},"action":{"buttons":[{"type":"reply","reply":{"id":"a","title":"A"}}]}}`), 131009, 400},
		{"footer over 60 → 131009", msg("interactive", `{"type":"button","footer":{"text":"`+long(61)+`"},"body":{"text":"hi"},"action":{"buttons":[{"type":"reply","reply":{"id":"a","title":"A"}}]}}`), 131009, 400},
		{"image header ok", msg("interactive", `{"type":"button","header":{"type":"image","image":{"id":"`+img+`"}},"body":{"text":"hi"},"action":{"buttons":[{"type":"reply","reply":{"id":"a","title":"A"}}]}}`), 0, 200},
		{"unsupported interactive type → 131009", msg("interactive", `{"type":"product","body":{"text":"hi"},"action":{}}`), 131009, 400},
		{"list with 10 rows ok", list(`[{"rows":` + rows(10) + `}]`), 0, 200},
		{"list with 11 rows → 131009", list(`[{"title":"a","rows":` + rows(6) + `},{"title":"b","rows":` + strings.ReplaceAll(rows(5), `"r`, `"s`) + `}]`), 131009, 400},
		{"two sections without title → 131008", list(`[{"rows":[{"id":"a","title":"A"}]},{"title":"b","rows":[{"id":"b","title":"B"}]}]`), 131008, 400},
		{"row title over 24 → 131009", list(`[{"rows":[{"id":"a","title":"` + long(25) + `"}]}]`), 131009, 400},
		{"row description over 72 → 131009", list(`[{"rows":[{"id":"a","title":"A","description":"` + long(73) + `"}]}]`), 131009, 400},
		{"duplicate row ids → 131009", list(`[{"rows":[{"id":"a","title":"A"},{"id":"a","title":"B"}]}]`), 131009, 400},
		{"list button over 20 → 131009", msg("interactive", `{"type":"list","body":{"text":"hi"},"action":{"button":"`+long(21)+`","sections":[{"rows":[{"id":"a","title":"A"}]}]}}`), 131009, 400},
		{"list with image header → 131009", msg("interactive", `{"type":"list","header":{"type":"image","image":{"id":"`+img+`"}},"body":{"text":"hi"},"action":{"button":"B","sections":[{"rows":[{"id":"a","title":"A"}]}]}}`), 131009, 400},
		{"cta_url bad url → 131009", msg("interactive", `{"type":"cta_url","body":{"text":"hi"},"action":{"name":"cta_url","parameters":{"display_text":"Go","url":"nope"}}}`), 131009, 400},
		{"cta_url display_text over 20 → 131009", msg("interactive", `{"type":"cta_url","body":{"text":"hi"},"action":{"name":"cta_url","parameters":{"display_text":"`+long(21)+`","url":"https://a.b"}}}`), 131009, 400},
		{"template unknown name → 132001", tmpl("nope", `[]`), 132001, 404},
		{"template unknown language → 132001", msg("template", `{"name":"hello_world","language":{"code":"de"}}`), 132001, 404},
		{"template without language → 131008", msg("template", `{"name":"hello_world"}`), 131008, 400},
		{"template pending → 132001", tmpl("pending_one", `[]`), 132001, 404},
		{"template paused → 132015", tmpl("paused_one", `[]`), 132015, 400},
		{"template too few body params → 132000", tmpl("order_update", `[{"type":"body","parameters":[{"type":"text","text":"a"}]},{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"1"}]}]`), 132000, 400},
		{"template params where none expected → 132000", tmpl("hello_world", `[{"type":"body","parameters":[{"type":"text","text":"a"}]}]`), 132000, 400},
		{"template positional ok", tmpl("order_update", `[{"type":"body","parameters":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},{"type":"button","sub_type":"url","index":0,"parameters":[{"type":"text","text":"1"}]}]`), 0, 200},
		{"template url button param missing → 132000", tmpl("order_update", `[{"type":"body","parameters":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]`), 132000, 400},
		{"template button index out of range → 131009", tmpl("order_update", `[{"type":"body","parameters":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"1"}]},{"type":"button","sub_type":"quick_reply","index":"5","parameters":[{"type":"payload","payload":"p"}]}]`), 131009, 400},
		{"template button sub_type mismatch → 131009", tmpl("order_update", `[{"type":"body","parameters":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},{"type":"button","sub_type":"quick_reply","index":"0","parameters":[{"type":"payload","payload":"p"}]}]`), 131009, 400},
		{"template named ok", named(`[{"type":"text","parameter_name":"first_name","text":"Jo"},{"type":"text","parameter_name":"ticket_id","text":"42"}]`), 0, 200},
		{"template named wrong name → 132000", named(`[{"type":"text","parameter_name":"first_name","text":"Jo"},{"type":"text","parameter_name":"ticket","text":"42"}]`), 132000, 400},
		{"template named without parameter_name → 132000", named(`[{"type":"text","text":"Jo"},{"type":"text","text":"42"}]`), 132000, 400},
		{"template param with newline → 132018", named(`[{"type":"text","parameter_name":"first_name","text":"J\no"},{"type":"text","parameter_name":"ticket_id","text":"42"}]`), 132018, 400},
		{"template document header missing → 132000", tmpl("order_confirmation", `[{"type":"body","parameters":[{"type":"text","text":"a"},{"type":"text","text":"b"},{"type":"text","text":"c"},{"type":"text","text":"d"}]},{"type":"button","sub_type":"url","index":"1","parameters":[{"type":"text","text":"1"}]}]`), 132000, 400},
		{"template header wrong type → 132012", tmpl("order_confirmation", `[{"type":"header","parameters":[{"type":"image","image":{"id":"`+img+`"}}]},{"type":"body","parameters":[{"type":"text","text":"a"},{"type":"text","text":"b"},{"type":"text","text":"c"},{"type":"text","text":"d"}]},{"type":"button","sub_type":"url","index":"1","parameters":[{"type":"text","text":"1"}]}]`), 132012, 400},
		{"template currency without amount → 131008", tmpl("order_confirmation", `[`+strings.Replace(orderOK, `{"type":"text","text":"c"}`, `{"type":"currency","currency":{"fallback_value":"$1","code":"USD"}}`, 1)+`,{"type":"button","sub_type":"url","index":"1","parameters":[{"type":"text","text":"1"}]}]`), 131008, 400},
		{"template hydrated body over 1024 → 132005", tmpl("order_update", `[{"type":"body","parameters":[{"type":"text","text":"`+long(600)+`"},{"type":"text","text":"`+long(600)+`"}]},{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"1"}]}]`), 132005, 400},
		{"copy_code button needs coupon → 132000", tmpl("otp", `[{"type":"body","parameters":[{"type":"text","text":"123456"}]}]`), 132000, 400},
		{"auth template to BSUID → 131062", `{"messaging_product":"whatsapp","recipient":"US.13491208655302741918","type":"template","template":{"name":"otp","language":{"code":"en_US"},"components":[{"type":"body","parameters":[{"type":"text","text":"1"}]},{"type":"button","sub_type":"copy_code","index":"0","parameters":[{"type":"coupon_code","coupon_code":"1"}]}]}}`, 131062, 400},
		{"mark read of unknown message → 131009", `{"messaging_product":"whatsapp","status":"read","message_id":"wamid.nope"}`, 131009, 400},
		{"mark read of inbound ok", `{"messaging_product":"whatsapp","status":"read","message_id":"` + inboundID + `"}`, 0, 200},
		{"typing indicator bad type → 100", `{"messaging_product":"whatsapp","status":"read","message_id":"` + inboundID + `","typing_indicator":{"type":"audio"}}`, 100, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out := e.send(t, tc.body)
			got, _ := errCode(out)
			if code != tc.httpCode || got != tc.code {
				t.Fatalf("got HTTP %d code %d, want HTTP %d code %d: %v", code, got, tc.httpCode, tc.code, out)
			}
			if tc.code == 0 {
				return
			}
			eo := out["error"].(map[string]any)
			if eo["fbtrace_id"] == "" || eo["type"] == "" || !strings.Contains(eo["message"].(string), "(#") {
				t.Fatalf("incomplete envelope %v", eo)
			}
			if ed, ok := eo["error_data"].(map[string]any); tc.code != 100 || ok {
				if !ok || ed["messaging_product"] != "whatsapp" || ed["details"] == "" {
					t.Fatalf("error_data missing or empty: %v", eo)
				}
			}
		})
	}
}

func TestUnregisteredNumber(t *testing.T) {
	e := newEnv(t, Options{Statuses: StatusOptions{Off: true}})
	n, _ := e.s.AddNumber(Number{ID: "200000000000001", WABAID: e.info.WABAID, Display: "+1 555-000-0001", Unregistered: true})
	body := `{"messaging_product":"whatsapp","to":"16505551234","type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}}`
	code, out, _ := e.do(t, "POST", "/v25.0/"+n.ID+"/messages", e.info.AccessToken, body)
	if c, _ := errCode(out); c != 133010 || code != 400 {
		t.Fatalf("want 133010, got %d %v", code, out)
	}
	code, out, _ = e.do(t, "POST", "/v25.0/"+n.ID+"/register", e.info.AccessToken, `{"messaging_product":"whatsapp","pin":"12"}`)
	if c, _ := errCode(out); c != 131009 {
		t.Fatalf("short pin: %d %v", code, out)
	}
	code, out, _ = e.do(t, "POST", "/v25.0/"+n.ID+"/register", e.info.AccessToken, `{"messaging_product":"whatsapp","pin":"123456"}`)
	if code != 200 || out["success"] != true {
		t.Fatalf("register: %d %v", code, out)
	}
	if code, out, _ = e.do(t, "POST", "/v25.0/"+n.ID+"/messages", e.info.AccessToken, body); code != 200 {
		t.Fatalf("after register: %d %v", code, out)
	}
	_, out, _ = e.do(t, "POST", "/v25.0/"+n.ID+"/register", e.info.AccessToken, `{"messaging_product":"whatsapp","pin":"654321"}`)
	if c, _ := errCode(out); c != 133005 {
		t.Fatalf("wrong pin: %v", out)
	}
}
