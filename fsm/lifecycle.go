package fsm

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/looplab/fsm"
)

// Move is one allowed change of status, with the reason responders take it
// when the move goes backwards ("reopen", "fix failed").
type Move struct {
	To     Status
	Reason string
}

// String reads "investigating (reopen)", or just the status without a reason.
func (m Move) String() string {
	if m.Reason == "" {
		return string(m.To)
	}
	return fmt.Sprintf("%s (%s)", m.To, m.Reason)
}

// table is the lifecycle of PRODUCT.md section 2: every move between two
// different statuses. Staying in a status is an update and always allowed.
var table = []struct {
	From Status
	Move
}{
	{Investigating, Move{Identified, ""}},
	{Investigating, Move{Monitoring, ""}},
	{Investigating, Move{Resolved, ""}},
	{Identified, Move{Investigating, "wrong cause"}},
	{Identified, Move{Monitoring, ""}},
	{Identified, Move{Resolved, ""}},
	{Monitoring, Move{Investigating, "fix failed"}},
	{Monitoring, Move{Identified, ""}},
	{Monitoring, Move{Resolved, ""}},
	{Resolved, Move{Investigating, "reopen"}},
	{Resolved, Move{Postmortem, ""}},
}

// events turns the table into looplab events, one per destination, so that the
// event's name is the status a responder asks for.
var events = func() fsm.Events {
	var evs fsm.Events
	for _, to := range Statuses() {
		ev := fsm.EventDesc{Name: string(to), Dst: string(to)}
		for _, t := range table {
			if t.To == to {
				ev.Src = append(ev.Src, string(t.From))
			}
		}
		if len(ev.Src) > 0 {
			evs = append(evs, ev)
		}
	}
	return evs
}()

// Allowed lists the moves out of from, in lifecycle order. It is empty for a
// published postmortem, which can only be amended.
func Allowed(from Status) []Move {
	var moves []Move
	for _, to := range Statuses() {
		for _, t := range table {
			if t.From == from && t.To == to {
				moves = append(moves, t.Move)
			}
		}
	}
	return moves
}

// RefusedError says that a move is not in the lifecycle, and what is.
type RefusedError struct {
	From, To Status
	Allowed  []Move
}

func (e *RefusedError) Error() string {
	if len(e.Allowed) == 0 {
		return fmt.Sprintf("fsm: %s cannot move to %s", e.From, e.To)
	}
	return fmt.Sprintf("fsm: %s cannot move to %s; allowed: %s", e.From, e.To, JoinMoves(e.Allowed))
}

// JoinMoves lists moves for a sentence: "investigating (reopen), postmortem".
func JoinMoves(moves []Move) string {
	parts := make([]string, len(moves))
	for i, m := range moves {
		parts[i] = m.String()
	}
	return strings.Join(parts, ", ")
}

// Next checks that an incident in from may move to to. A move to the same
// status is an update and is always allowed. It returns a *RefusedError for a
// move the lifecycle does not have, and a plain error when from or to is not a
// status at all (looplab would accept any initial state without a word).
func Next(from, to Status) error {
	if !from.Valid() {
		return fmt.Errorf("fsm: stored status %q is not a status", from)
	}
	if !to.Valid() {
		return fmt.Errorf("fsm: unknown status %q", to)
	}
	if from == to {
		return nil
	}
	// A fresh machine per check; context.Background because no callback runs
	// and a cancelled context would leave the machine stuck mid-transition.
	m := fsm.NewFSM(string(from), events, nil)
	err := m.Event(context.Background(), string(to))
	var invalid fsm.InvalidEventError
	var unknown fsm.UnknownEventError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &invalid), errors.As(err, &unknown):
		return &RefusedError{From: from, To: to, Allowed: Allowed(from)}
	default:
		return fmt.Errorf("fsm: %s to %s: %w", from, to, err)
	}
}
