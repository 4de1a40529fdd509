package fsm

import (
	"fmt"
	"strings"
)

// Move is one allowed change of status, with the reason responders take it
// when the move goes backwards ("reopen", "fix failed").
type Move struct {
	To     Status `json:"to"`
	Reason string `json:"reason,omitempty"`
}

// String reads "investigating (reopen)", or just the status without a reason.
func (m Move) String() string {
	if m.Reason == "" {
		return string(m.To)
	}
	return fmt.Sprintf("%s (%s)", m.To, m.Reason)
}

// JoinMoves lists moves for a sentence: "investigating (reopen), postmortem".
func JoinMoves(moves []Move) string {
	parts := make([]string, len(moves))
	for i, m := range moves {
		parts[i] = m.String()
	}
	return strings.Join(parts, ", ")
}

// RefusedError says that the lifecycle does not allow an event from a
// status, and which moves it does allow from there.
type RefusedError struct {
	From    Status
	Event   Event
	Allowed []Move
}

func (e *RefusedError) Error() string {
	if len(e.Allowed) == 0 {
		return fmt.Sprintf("fsm: %s refused in %s", e.Event, e.From)
	}
	return fmt.Sprintf("fsm: %s refused in %s; allowed: %s", e.Event, e.From, JoinMoves(e.Allowed))
}
