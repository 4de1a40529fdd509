package bot

import (
	"time"

	"github.com/incidentbot/incidentbot/fsm"
)

// EntryKind tells what a timeline entry records.
type EntryKind string

// The kinds of timeline entries. Only updates are public: they make the
// timeline stakeholders read; the others are kept for the postmortem.
const (
	KindUpdate     EntryKind = "update"
	KindImpact     EntryKind = "impact"
	KindComponents EntryKind = "components"
	KindAssign     EntryKind = "assign"
	KindVisibility EntryKind = "visibility"
	KindSnooze     EntryKind = "snooze"
	KindFollowUp   EntryKind = "followup"
)

// Entry is one line of an incident's timeline. At is when it happened (a
// responder may backdate it); RecordedAt is when incidentbot stored it.
type Entry struct {
	Seq        int        `json:"seq"`
	Kind       EntryKind  `json:"kind"`
	Status     fsm.Status `json:"status"`
	At         time.Time  `json:"at"`
	RecordedAt time.Time  `json:"recorded_at"`
	Actor      string     `json:"actor,omitempty"`
	Message    string     `json:"message"`
	// Late marks an update that came after the next update promised.
	Late bool `json:"late,omitempty"`
}

// Public reports whether stakeholders see the entry on the timeline.
func (e Entry) Public() bool { return e.Kind == KindUpdate }

// Clock tells the time. Tests pass one they can move.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }
