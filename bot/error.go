package bot

import (
	"errors"
	"fmt"
)

// Error codes. Doors map them to their own answers in exactly one place.
const (
	EINVALID     = "invalid"     // the command is malformed or breaks a rule; says how to fix it
	ENOTFOUND    = "not_found"   // no such incident
	ECONFLICT    = "conflict"    // the lifecycle does not allow it from the current status
	EFORBIDDEN   = "forbidden"   // the person may not do it; says who may
	EUNAVAILABLE = "unavailable" // the store could not be reached: nothing was recorded
	EINTERNAL    = "internal"    // a bug; logged in full, shown as a short apology
)

// Error is a failure a responder can act on: Message is shown to them as it is.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return "bot: " + e.Code + ": " + e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err's *Error, or EINTERNAL for any other error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EINTERNAL
}

// ErrorMessage returns the sentence a responder should see for err. Errors
// that are not *Error never show their text: it may hold internals.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	if err == nil {
		return ""
	}
	return "Something went wrong on our side; it was logged. Please try again."
}

// errUncertain is what a responder sees when the database's answer was lost
// after the change was sent: they must check before typing it again.
var errUncertain = &Error{
	Code:    EUNAVAILABLE,
	Message: "incidentbot lost contact with its database while recording this, so it may or may not be recorded. Check with /incident show before sending it again.",
}

// unreplicated tells a responder their change is recorded but not yet safe.
func unreplicated(e *UnreplicatedError) *Error {
	return Errorf(EUNAVAILABLE, "Recorded, but only %d of %d Redis replicas confirmed it in time: if Redis fails over now it could be lost. Check with /incident show before repeating it.", e.Confirmed, e.Wanted)
}

// errUnavailable is what a responder sees when the store failed: they must
// know their update was not kept so they can send it again.
var errUnavailable = &Error{
	Code:    EUNAVAILABLE,
	Message: "incidentbot could not reach its database, so this was NOT recorded. Please send the command again in a moment.",
}
