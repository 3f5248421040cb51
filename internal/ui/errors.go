package ui

import (
	"errors"

	"wadesk/internal/helpdesk"
)

// asHelpdeskError returns the *helpdesk.Error in err's chain (callers
// checked ErrorCode first, so one is there).
func asHelpdeskError(err error) *helpdesk.Error {
	var he *helpdesk.Error
	if errors.As(err, &he) {
		return he
	}
	return &helpdesk.Error{Code: helpdesk.ECodeInternal, Message: "internal error"}
}
