package web

import (
	"net/http"
	"testing"

	"wadesk/internal/helpdesk"
)

func TestStatusForEveryCode(t *testing.T) {
	for code, want := range map[string]int{
		helpdesk.ECodeUnauthorized:       401,
		helpdesk.ECodeForbidden:          403,
		helpdesk.ECodeNotFound:           404,
		helpdesk.ECodeInvalid:            422,
		helpdesk.ECodeInvalidCredentials: 422,
		helpdesk.ECodeWindowClosed:       409,
		helpdesk.ECodeConflict:           409,
		helpdesk.ECodeUpstream:           502,
		helpdesk.ECodeRateLimited:        429,
		ECodeMethodNotAllowed:            405,
		helpdesk.ECodeInternal:           500,
		"something_new":                  http.StatusInternalServerError,
	} {
		if got := StatusFor(code); got != want {
			t.Errorf("StatusFor(%q) = %d, want %d", code, got, want)
		}
	}
}
