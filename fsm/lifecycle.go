package fsm

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/looplab/fsm"
)

// Event is what a responder asks of an incident, named for the command that
// asks it.
type Event string

// The events of the lifecycle.
const (
	Declare     Event = "declare"
	Investigate Event = "investigating"
	Identify    Event = "identified"
	Monitor     Event = "monitoring"
	Resolve     Event = "resolved"
	Update      Event = "update"
	Draft       Event = "draft"      // the postmortem without a body
	Publish     Event = "postmortem" // the postmortem with a body: published, or amended
)

// Events lists every event, in the order help lists the commands.
func Events() []Event {
	return []Event{Declare, Investigate, Identify, Monitor, Resolve, Update, Draft, Publish}
}

// Lifecycle is the part of an incident the machine owns.
type Lifecycle struct {
	Status Status `json:"status"`
	// Milestones holds the first entry into each status.
	Milestones map[Status]time.Time `json:"milestones,omitempty"`
	// ResolvedAt is the latest move into resolved that no reopen followed;
	// zero while the incident is open.
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
}

// Clone returns a copy that shares no map with lc.
func (lc Lifecycle) Clone() Lifecycle {
	lc.Milestones = maps.Clone(lc.Milestones)
	if lc.Milestones == nil {
		lc.Milestones = map[Status]time.Time{}
	}
	return lc
}

// none is where an incident stands before it is declared. It is no Status:
// nothing is ever stored in it.
const none = ""

// events is the lifecycle's table in looplab's terms. A status event fired
// in the status it names keeps it (looplab calls that no transition), and so
// do update, draft and an amended postmortem.
var events = func() fsm.Events {
	evs := fsm.Events{
		move(Declare, Investigating, none),
		move(Investigate, Investigating, Identified, Monitoring, Resolved),
		move(Identify, Identified, Investigating, Monitoring),
		move(Monitor, Monitoring, Investigating, Identified),
		move(Resolve, Resolved, Investigating, Identified, Monitoring),
		move(Publish, Postmortem, Resolved),
	}
	evs = append(evs, stay(Investigate, Investigating)...)
	evs = append(evs, stay(Identify, Identified)...)
	evs = append(evs, stay(Monitor, Monitoring)...)
	evs = append(evs, stay(Resolve, Resolved)...)
	evs = append(evs, stay(Publish, Postmortem)...)
	evs = append(evs, stay(Update, Investigating, Identified, Monitoring, Resolved)...)
	evs = append(evs, stay(Draft, Resolved, Postmortem)...)
	return evs
}()

func move(ev Event, to Status, from ...Status) fsm.EventDesc {
	src := make([]string, len(from))
	for i, s := range from {
		src[i] = string(s)
	}
	return fsm.EventDesc{Name: string(ev), Src: src, Dst: string(to)}
}

func stay(ev Event, in ...Status) []fsm.EventDesc {
	descs := make([]fsm.EventDesc, len(in))
	for i, s := range in {
		descs[i] = move(ev, s, s)
	}
	return descs
}

// reasons name why responders take a move backwards.
var reasons = map[[2]Status]string{
	{Identified, Investigating}: "wrong cause",
	{Monitoring, Investigating}: "fix failed",
	{Resolved, Investigating}:   "reopen",
}

// Machine is one incident's lifecycle, restored at its current status for
// one command.
type Machine struct {
	lc Lifecycle
}

// Restore returns the machine of an incident whose lifecycle is lc. It
// refuses a status that is not one: looplab would take any word.
func Restore(lc Lifecycle) (*Machine, error) {
	if !lc.Status.Valid() {
		return nil, fmt.Errorf("fsm: stored status %q is not a status", lc.Status)
	}
	return &Machine{lc: lc.Clone()}, nil
}

// Declared is the lifecycle of an incident declared at at: investigating,
// with that milestone.
func Declared(at time.Time) Lifecycle {
	m := &Machine{lc: Lifecycle{Status: none}.Clone()}
	if _, err := m.Fire(Declare, at); err != nil {
		panic(err) // the table always has it; a test fires it
	}
	return m.Lifecycle()
}

// runner is a looplab machine with the callbacks that write a Machine's
// lifecycle. Building one costs more than the rest of a command's planning,
// so they are pooled: a Machine borrows one for each event it fires.
type runner struct {
	f  *fsm.FSM
	lc *Lifecycle // the lifecycle of the Machine firing, while it fires
}

var runners = sync.Pool{New: func() any {
	r := &runner{}
	r.f = fsm.NewFSM(none, events, fsm.Callbacks{
		"enter_state":    r.reached,
		"enter_resolved": r.resolved,
		"leave_resolved": r.reopened,
	})
	return r
}}

// The callbacks run on real moves only; at is the time of the entry that
// makes the move.

func (r *runner) reached(_ context.Context, e *fsm.Event) {
	to := Status(e.Dst)
	r.lc.Status = to
	if _, ok := r.lc.Milestones[to]; !ok {
		r.lc.Milestones[to] = e.Args[0].(time.Time)
	}
}

func (r *runner) resolved(_ context.Context, e *fsm.Event) {
	r.lc.ResolvedAt = e.Args[0].(time.Time)
}

func (r *runner) reopened(_ context.Context, e *fsm.Event) {
	if Status(e.Dst).Open() {
		r.lc.ResolvedAt = time.Time{}
	}
}

// Step is what one event did.
type Step struct {
	From, To Status
}

// Moved reports whether the event changed the status.
func (s Step) Moved() bool { return s.From != s.To }

// Fire applies ev, happening at at. It returns a *RefusedError when the
// lifecycle does not allow ev from the current status, and then changes
// nothing.
func (m *Machine) Fire(ev Event, at time.Time) (Step, error) {
	from := m.lc.Status
	r := runners.Get().(*runner)
	r.lc = &m.lc
	r.f.SetState(string(from))
	// context.Background: a cancelled context would leave the machine stuck
	// mid-transition, and the callbacks do no I/O to cancel.
	err := r.f.Event(context.Background(), string(ev), at)
	r.lc = nil
	runners.Put(r)
	var (
		stayed  fsm.NoTransitionError
		invalid fsm.InvalidEventError
		unknown fsm.UnknownEventError
	)
	switch {
	case err == nil, errors.As(err, &stayed):
		return Step{From: from, To: m.lc.Status}, nil
	case errors.As(err, &invalid), errors.As(err, &unknown):
		return Step{}, &RefusedError{From: from, Event: ev, Allowed: m.Allowed()}
	}
	return Step{}, fmt.Errorf("fsm: %s from %s: %w", ev, from, err)
}

// Lifecycle returns the lifecycle as the events fired so far left it.
func (m *Machine) Lifecycle() Lifecycle { return m.lc.Clone() }

// Allowed lists the moves out of the current status, in lifecycle order:
// the events the machine can take to another status. It is empty for a
// published postmortem, which can only be amended.
func (m *Machine) Allowed() []Move { return Allowed(m.lc.Status) }

// Allowed lists the moves out of status from; none for a word that is no
// status.
func Allowed(from Status) []Move { return slices.Clone(allowed[from]) }

// allowed holds the moves out of each status, read from looplab's table
// once: every card and refusal lists them.
var allowed = func() map[Status][]Move {
	byStatus := map[Status][]Move{}
	f := fsm.NewFSM(none, events, fsm.Callbacks{})
	for _, from := range Statuses() {
		f.SetState(string(from))
		var moves []Move
		for _, ev := range f.AvailableTransitions() {
			to := Status(ev)
			if to.Valid() && to != from {
				moves = append(moves, Move{To: to, Reason: reasons[[2]Status{from, to}]})
			}
		}
		slices.SortFunc(moves, func(a, b Move) int { return a.To.order() - b.To.order() })
		byStatus[from] = moves
	}
	return byStatus
}()
