package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrConflict is what Store.Apply returns when the incident (or, for a new
// incident, the workspace's numbering) changed since it was read. The
// service then reads again and re-plans the command.
var ErrConflict = errors.New("bot: changed since read")

// ErrUncertain is what Store.Apply returns when the store's answer was lost
// after the change was sent: it may or may not have been applied. Sending the
// same request again is safe, since the request ID is remembered.
var ErrUncertain = errors.New("bot: outcome unknown")

// UnreplicatedError is what Store.Apply returns when the change was applied
// on the primary but fewer replicas than required confirmed it in time.
type UnreplicatedError struct {
	Confirmed, Wanted int
}

func (e *UnreplicatedError) Error() string {
	return fmt.Sprintf("bot: %d of %d replicas confirmed the change", e.Confirmed, e.Wanted)
}

// Lookup says which incident a command is about.
type Lookup struct {
	Workspace Workspace
	// Number is the incident the command names; 0 resolves it from Channel's
	// binding, else the only open incident.
	Number    int
	Channel   string
	RequestID string
}

// Found is what the store knows for a Lookup, read in one round trip.
type Found struct {
	// Prior is the reply already given to the lookup's request ID: the
	// command was handled before and must not run again.
	Prior *Reply
	// Incident is the resolved incident, or nil.
	Incident *Incident
	// Open lists the workspace's open incidents (newest first, at most
	// MaxListed) when Number was 0 and no single incident could be resolved.
	Open []Incident
	// LastNumber is the highest incident number the workspace has given.
	LastNumber int
	// Bound is the incident the lookup's channel belongs to (its own
	// channel), or 0: a private incident is seen only there.
	Bound int
}

// MaxListed is how many incidents a list or an ambiguity error names.
const MaxListed = 20

// Change is everything one command changes, applied by the store in one
// atomic step or not at all.
type Change struct {
	Workspace Workspace
	RequestID string
	// Incident is the incident after the change. Its Version is one more than
	// the version it was planned from; version 1 creates it, which requires
	// Number to be the workspace's next number.
	Incident Incident
	// Entry is the timeline entry to append, if any.
	Entry *Entry
	// Jobs are the posts to enqueue.
	Jobs []Job
	// Reply is remembered under RequestID and returned to a repeat of it.
	Reply Reply
	// Audit is the change's record in the workspace's audit trail, if it
	// was someone's doing (a reminder is not).
	Audit *AuditRecord
	// RemindAt is when the incident may next need a reminder, if it may.
	RemindAt time.Time
}

// Store keeps incidents, their timelines and what each request answered.
type Store interface {
	// Find resolves a lookup in one round trip. Returns EUNAVAILABLE-worthy
	// errors only as plain errors; an unresolved incident is not an error.
	Find(ctx context.Context, l Lookup) (Found, error)
	// Apply makes the change atomically. If the request ID was seen before it
	// writes nothing and returns the reply remembered then. It returns
	// ErrConflict when the incident moved on since it was read.
	Apply(ctx context.Context, c Change) (Reply, error)
	// RemindDue lists the workspaces whose incidents may need a reminder at
	// now; RemindLater lists ws for its next look (or for none, at zero).
	RemindDue(ctx context.Context, now time.Time) ([]Workspace, error)
	RemindLater(ctx context.Context, ws Workspace, at time.Time) error
	// Declared returns the workspace's incidents declared since then.
	Declared(ctx context.Context, ws Workspace, since time.Time) ([]Incident, error)
	// TimelineEnds returns an incident's first head entries and its last
	// tail, oldest first, in one round trip whatever the timeline's length.
	TimelineEnds(ctx context.Context, ws Workspace, number, head, tail int) (first, last []Entry, err error)
	// Timeline returns an incident's entries, oldest first.
	Timeline(ctx context.Context, ws Workspace, number int) ([]Entry, error)
	// List returns the workspace's open incidents, or all with all set,
	// newest first, at most MaxListed.
	List(ctx context.Context, ws Workspace, all bool) ([]Incident, error)
	// Audit appends a record to the workspace's audit trail, which keeps
	// the newest records only.
	Audit(ctx context.Context, ws Workspace, rec AuditRecord) error
	// AuditTrail returns the records q selects, oldest first.
	AuditTrail(ctx context.Context, q AuditQuery) ([]AuditRecord, error)
}
