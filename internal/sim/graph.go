package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// maxRequestBody bounds what one Graph request may send (the largest media
// kind is 100 MB documents; multipart overhead on top).
const maxRequestBody = 101 << 20

var versionRE = regexp.MustCompile(`^v[0-9]{1,2}\.[0-9]$`)

// routes builds the top-level handler: control API, media downloads, and
// everything else as Graph API.
func (s *Sim) routes() http.Handler {
	control := s.controlRoutes()
	phone := s.phoneRoutes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.BaseURL() == "" && r.Host != "" {
			scheme := "http"
			if r.TLS != nil {
				scheme = "https"
			}
			u := scheme + "://" + r.Host
			s.baseURL.CompareAndSwap(nil, &u)
		}
		if isPhonePath(r.URL.Path) {
			phone.ServeHTTP(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/_sim/") || r.URL.Path == "/_sim" {
			control.ServeHTTP(w, r)
			return
		}
		s.serveRecorded(w, r)
	})
}

// call is one Graph request being served.
type call struct {
	w       http.ResponseWriter
	r       *http.Request
	version string
	id      string
	edge    string
	body    []byte
	token   *Token
}

func (c *call) fail(e *GraphError) { writeGraphError(c.w, e) }
func (c *call) ok(v any)           { writeJSON(c.w, http.StatusOK, v) }

// serveRecorded reads the body once, records the request and dispatches it.
func (s *Sim) serveRecorded(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	rw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	defer func() { s.record(r, body, rw.status) }()
	if err != nil {
		writeGraphError(rw, errParam("request body too large or unreadable"))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if strings.HasPrefix(r.URL.Path, downloadPath) {
		s.serveDownload(rw, r)
		return
	}
	s.serveGraph(rw, r, body)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (s *Sim) serveGraph(w http.ResponseWriter, r *http.Request, body []byte) {
	h := w.Header()
	h.Set("x-fb-trace-id", newTraceID())
	h.Set("x-fb-request-id", newTraceID())
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 2 || len(parts) > 3 || !versionRE.MatchString(parts[0]) {
		writeGraphError(w, &GraphError{HTTPStatus: 400, Code: 100, Graph: true,
			Message: fmt.Sprintf("Unknown path components: %s (expected /vNN.N/{id}[/{edge}])", r.URL.Path)})
		return
	}
	h.Set("facebook-api-version", parts[0])
	c := &call{w: w, r: r, version: parts[0], id: parts[1], body: body}
	if len(parts) == 3 {
		c.edge = parts[2]
	}
	if c.id == "" {
		writeGraphError(w, errNoObject(strings.ToLower(r.Method), ""))
		return
	}
	if c.edge == "subscriptions" {
		s.appSubscriptions(c) // uses an app access token, not a user token
		return
	}
	if e := s.authenticate(c); e != nil {
		c.fail(e)
		return
	}
	s.dispatch(c)
}

// dispatch routes by the kind of object the id names.
func (s *Sim) dispatch(c *call) {
	method := strings.ToLower(c.r.Method)
	s.mu.RLock()
	// Copies: handlers read them without the lock while others may update.
	var num *Number
	if n := s.numbers[c.id]; n != nil {
		cp := *n
		num = &cp
	}
	waba := s.wabas[c.id]
	s.mu.RUnlock()
	switch {
	case num != nil:
		if !c.token.canAccess(num.WABAID) {
			c.fail(errNoObject(method, c.id))
			return
		}
		if e := needScope(c, c.edge == "messages" || c.edge == "media"); e != nil {
			c.fail(e)
			return
		}
		s.setUsage(c.w, num.WABAID)
		s.numberRoute(c, num)
	case waba != nil:
		if !c.token.canAccess(waba.ID) {
			c.fail(errNoObject(method, c.id))
			return
		}
		if e := needScope(c, false); e != nil {
			c.fail(e)
			return
		}
		s.setUsage(c.w, waba.ID)
		s.wabaRoute(c, waba)
	case c.edge == "" && s.media.get(c.id) != nil:
		if e := needScope(c, true); e != nil {
			c.fail(e)
			return
		}
		s.mediaRoute(c)
	default:
		c.fail(errNoObject(method, c.id))
	}
}

func (s *Sim) numberRoute(c *call, n *Number) {
	switch c.r.Method + " " + c.edge {
	case "POST messages":
		s.sendMessage(c, n)
	case "POST media":
		s.uploadMedia(c, n)
	case "GET ":
		s.getNumber(c, n)
	case "POST ":
		s.updateNumber(c, n)
	case "POST register":
		s.register(c, n)
	default:
		s.unknownEdge(c)
	}
}

func (s *Sim) wabaRoute(c *call, b *Business) {
	switch c.r.Method + " " + c.edge {
	case "GET ":
		s.getBusiness(c, b)
	case "GET phone_numbers":
		s.listNumbers(c, b)
	case "GET message_templates":
		s.listTemplates(c, b)
	case "GET subscribed_apps":
		s.listSubscribedApps(c, b)
	case "POST subscribed_apps":
		s.subscribeApp(c, b)
	case "DELETE subscribed_apps":
		s.unsubscribeApp(c, b)
	default:
		s.unknownEdge(c)
	}
}

func (s *Sim) unknownEdge(c *call) {
	if c.edge == "" {
		c.fail(errNoObject(strings.ToLower(c.r.Method), c.id))
		return
	}
	c.fail(&GraphError{HTTPStatus: 400, Code: 100, Graph: true,
		Message: fmt.Sprintf("Unsupported %s request on /%s. Unknown path components: /%s", c.r.Method, c.id, c.edge)})
}

// params reads POST parameters the way Graph does: a JSON object, or form
// fields (urlencoded or multipart), plus the query string.
func (c *call) params() (map[string]any, *GraphError) {
	out := map[string]any{}
	for k, v := range c.r.URL.Query() {
		if k != "access_token" && len(v) > 0 {
			out[k] = v[0]
		}
	}
	ct, _, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	trimmed := bytes.TrimSpace(c.body)
	switch {
	case len(trimmed) == 0:
	case ct == "application/json" || (ct == "" && trimmed[0] == '{'):
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return nil, errParam("the request body is not a valid JSON object: %v", err)
		}
		for k, v := range m {
			out[k] = v
		}
	case ct == "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(trimmed))
		if err != nil {
			return nil, errParam("malformed form body: %v", err)
		}
		for k, v := range vals {
			if k != "access_token" && len(v) > 0 {
				out[k] = formValue(v[0])
			}
		}
	default:
		return nil, errParam("unsupported Content-Type %q: send application/json", ct)
	}
	return out, nil
}

// formValue decodes JSON-looking form values, as Graph does for nested
// params sent as form fields (webhook_configuration={"…"}).
func formValue(v string) any {
	t := strings.TrimSpace(v)
	if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		var x any
		if json.Unmarshal([]byte(t), &x) == nil {
			return x
		}
	}
	return v
}
