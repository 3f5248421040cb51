package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

// The envelopes of reference §7.1, verbatim, plus variants.
func TestErrorEnvelopes(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		header    map[string]string
		body      string
		want      Error
		retryable bool
		auth      bool
		window    bool
	}{
		{"rate limit 130429", 429, nil, `{ "error": {
		    "message": "(#130429) Rate limit hit", "type": "OAuthException", "code": 130429,
		    "error_data": { "messaging_product": "whatsapp",
		                    "details": "Message failed to send because there were too many messages sent from this phone number in a short period of time" },
		    "error_subcode": 2494055, "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam" } }`,
			Error{HTTPStatus: 429, Code: 130429, Subcode: 2494055, Type: "OAuthException", Title: "Rate limit hit",
				Message: "(#130429) Rate limit hit", FBTraceID: "Az8or2yhqkZfEZ-_4Qn_Bam",
				Details: "Message failed to send because there were too many messages sent from this phone number in a short period of time"},
			true, false, false},
		{"pair rate limit 131056", 400, nil, `{ "error": {
		    "message": "(#131056) (Business Account, Consumer Account) pair rate limit hit", "type": "OAuthException", "code": 131056,
		    "error_data": { "messaging_product": "whatsapp",
		                    "details": "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time." },
		    "fbtrace_id": "A4O5a8RAgePwbcGSu" } }`,
			Error{HTTPStatus: 400, Code: 131056, Type: "OAuthException", Title: "(Business Account, Consumer Account) pair rate limit hit",
				Message: "(#131056) (Business Account, Consumer Account) pair rate limit hit", FBTraceID: "A4O5a8RAgePwbcGSu",
				Details: "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time."},
			true, false, false},
		{"object not found 100/33", 400, nil, `{ "error": { "message": "Unsupported post request. Object with ID '123' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
		    "type": "GraphMethodException", "code": 100, "error_subcode": 33, "fbtrace_id": "AXsgnV2Cm3ZMGF3dF_cfYIn" } }`,
			Error{HTTPStatus: 400, Code: 100, Subcode: 33, Type: "GraphMethodException",
				Title:     "Unsupported post request. Object with ID '123' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
				Message:   "Unsupported post request. Object with ID '123' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
				FBTraceID: "AXsgnV2Cm3ZMGF3dF_cfYIn"},
			false, false, false},
		{"expired token 190", 401, nil, `{ "error": { "message": "Error validating access token: Session has expired on Friday, 01-Aug-26 10:00:00 PDT.",
		    "type": "OAuthException", "code": 190, "error_subcode": 463, "fbtrace_id": "AXsgnV2Cm3ZMGF3dF_cfYIn" } }`,
			Error{HTTPStatus: 401, Code: 190, Subcode: 463, Type: "OAuthException",
				Title:   "Error validating access token: Session has expired on Friday, 01-Aug-26 10:00:00 PDT.",
				Message: "Error validating access token: Session has expired on Friday, 01-Aug-26 10:00:00 PDT.", FBTraceID: "AXsgnV2Cm3ZMGF3dF_cfYIn"},
			false, true, false},
		{"window closed 131047 sync", 400, nil, `{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,
		    "error_data":{"messaging_product":"whatsapp","details":"more than 24 hours"},"fbtrace_id":"T"}}`,
			Error{HTTPStatus: 400, Code: 131047, Type: "OAuthException", Title: "Re-engagement message",
				Message: "(#131047) Re-engagement message", Details: "more than 24 hours", FBTraceID: "T"},
			false, false, true},
		{"account locked 131031", 403, nil, `{"error":{"message":"(#131031) Business Account locked","type":"OAuthException","code":131031}}`,
			Error{HTTPStatus: 403, Code: 131031, Type: "OAuthException", Title: "Business Account locked", Message: "(#131031) Business Account locked"},
			false, true, false},
		{"auth exception code 0", 401, nil, `{"error":{"message":"(#0) AuthException","type":"OAuthException","code":0}}`,
			Error{HTTPStatus: 401, Code: 0, Type: "OAuthException", Title: "AuthException", Message: "(#0) AuthException"},
			false, true, false},
		{"user title and transient flag", 400, nil, `{"error":{"message":"(#1) An unknown error occurred","type":"OAuthException","code":1,
		    "is_transient":true,"error_user_title":"Try again","error_user_msg":"Please retry."}}`,
			Error{HTTPStatus: 400, Code: 1, Type: "OAuthException", Title: "Try again", UserMessage: "Please retry.",
				Message: "(#1) An unknown error occurred", IsTransient: true},
			true, false, false},
		{"code 3 with HTTP 500 is not retryable", 500, nil, `{"error":{"message":"(#3) Application does not have the capability","type":"OAuthException","code":3}}`,
			Error{HTTPStatus: 500, Code: 3, Type: "OAuthException", Title: "Application does not have the capability", Message: "(#3) Application does not have the capability"},
			false, false, false},
		{"unknown code with 503", 503, nil, `{"error":{"message":"boom","type":"X","code":999999}}`,
			Error{HTTPStatus: 503, Code: 999999, Type: "X", Title: "boom", Message: "boom"},
			true, false, false},
		{"maintenance 131057", 500, nil, `{"error":{"message":"(#131057) Account in maintenance mode","type":"OAuthException","code":131057}}`,
			Error{HTTPStatus: 500, Code: 131057, Type: "OAuthException", Title: "Account in maintenance mode", Message: "(#131057) Account in maintenance mode"},
			true, false, false},
		{"non-JSON 502", 502, map[string]string{"x-fb-trace-id": "HDR"}, `<html>Bad Gateway</html>`,
			Error{HTTPStatus: 502, Title: "Bad Gateway", Message: "<html>Bad Gateway</html>", FBTraceID: "HDR"},
			true, false, false},
		{"empty 401", 401, nil, ``,
			Error{HTTPStatus: 401, Title: "Unauthorized"},
			false, true, false},
		{"JSON without envelope 404", 404, nil, `{"message":"nope"}`,
			Error{HTTPStatus: 404, Title: "Not Found", Message: `{"message":"nope"}`},
			false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			_, err := c.SendText(context.Background(), "1", "16505551234", "hi", nil)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %#v, want *Error", err)
			}
			if *e != tt.want {
				t.Errorf("got  %+v\nwant %+v", *e, tt.want)
			}
			eq(t, "Retryable", e.Retryable(), tt.retryable)
			eq(t, "IsRetryable", IsRetryable(fmt.Errorf("wrapped: %w", err)), tt.retryable)
			eq(t, "IsAuthError", IsAuthError(err), tt.auth)
			eq(t, "IsWindowClosed", IsWindowClosed(err), tt.window)
			if e.Error() == "" || strings.Contains(e.Error(), testToken) {
				t.Errorf("Error() = %q", e.Error())
			}
		})
	}
}

func TestRetryableCodesTable(t *testing.T) {
	// Reference §7.3 "Y" codes must retry whatever the HTTP status; "N" codes
	// must not, even with a 5xx.
	for _, code := range []int{2, 4, 17, 80007, 130429, 131000, 131016, 131056, 131057} {
		if !(&Error{HTTPStatus: 400, Code: code, Type: "OAuthException"}).Retryable() {
			t.Errorf("code %d not retryable", code)
		}
	}
	for _, code := range []int{0, 3, 10, 100, 190, 200, 299, 131026, 131047, 131051, 131053, 132000, 132001, 132015, 133010} {
		if (&Error{HTTPStatus: 500, Code: code, Type: "OAuthException"}).Retryable() {
			t.Errorf("code %d retryable", code)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	pair := &Error{Code: CodePairRateLimit, Type: "OAuthException"}
	want := []time.Duration{time.Second, 4 * time.Second, 16 * time.Second, 64 * time.Second, 256 * time.Second, 256 * time.Second}
	for attempt, w := range want {
		eq(t, fmt.Sprintf("attempt %d", attempt), RetryAfter(fmt.Errorf("x: %w", pair), attempt), w)
	}
	eq(t, "negative attempt", RetryAfter(pair, -3), time.Second)
	eq(t, "other code", RetryAfter(&Error{Code: CodeRateLimit}, 2), time.Duration(0))
	eq(t, "not an Error", RetryAfter(io.EOF, 2), time.Duration(0))
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestIsRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"request timeout", fmt.Errorf("whatsapp: GET x: %w", ErrRequestTimeout), true},
		{"caller canceled", fmt.Errorf("whatsapp: GET x: %w", context.Canceled), false},
		{"caller deadline", fmt.Errorf("whatsapp: GET x: %w", context.DeadlineExceeded), false},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"unexpected EOF", fmt.Errorf("body: %w", io.ErrUnexpectedEOF), true},
		{"dns temporary", &net.DNSError{Err: "try again", IsTemporary: true}, true},
		{"dns not found", &net.DNSError{Err: "no such host", IsNotFound: true}, false},
		{"net timeout", timeoutErr{}, true},
		{"invalid message", fmt.Errorf("%w: no recipient", ErrInvalidMessage), false},
		{"plain error", errors.New("decode response"), false},
		{"webhook error 131000", (&WebhookError{Code: 131000}).Err(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eq(t, "IsRetryable", IsRetryable(tt.err), tt.want)
		})
	}
}

func TestNetworkErrorFromClientIsRetryable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	c := NewClient(Options{BaseURL: "http://" + addr, AccessToken: "t", Timeout: 2 * time.Second})
	_, err = c.GetPhoneNumber(context.Background(), "1")
	if err == nil {
		t.Fatal("no error")
	}
	eq(t, "retryable", IsRetryable(err), true)
	if strings.Contains(err.Error(), "fields=") {
		t.Errorf("error leaks the query string: %v", err)
	}
}
