package bot

import (
	"context"
	"time"
)

// Lane is one ordered line of posts of an incident. Posts of a lane are
// delivered strictly in order; the lanes of an incident do not wait for each
// other, so a broken broadcast channel never holds up the incident channel.
type Lane string

// The lanes of an incident.
const (
	LaneChannel   Lane = "channel"   // the incident's own channel
	LaneBroadcast Lane = "broadcast" // the root message and its thread in the broadcast channel
)

// Op is what a job asks the platform to do.
type Op string

// The operations of the delivery loop.
const (
	OpOpen Op = "open" // open the incident channel and invite the declarer
	OpPost Op = "post" // post into the lane: the incident channel, or the root's thread
	OpRoot Op = "root" // post the broadcast root message
	OpEdit Op = "edit" // edit the broadcast root message in place
	// OpInvite brings Job.Invite into the incident channel (a private one,
	// which nobody finds by themselves).
	OpInvite Op = "invite"
)

// Job is one post waiting in the outbox, enqueued in the same atomic step as
// the change that made it. The store gives it its ID.
type Job struct {
	ID        string    `json:"-"`
	Workspace Workspace `json:"workspace"`
	Incident  int       `json:"incident"`
	Lane      Lane      `json:"lane"`
	Seq       int64     `json:"seq"` // place in the lane, from 1
	Op        Op        `json:"op"`
	// Channel is where the job goes when that is known when it is made: the
	// broadcast channel, or for the incident lane the channel the incident was
	// declared from, used until (or unless) an incident channel is opened.
	Channel string  `json:"channel,omitempty"`
	Invite  string  `json:"invite,omitempty"` // OpOpen, OpInvite: the user to invite
	Message Message `json:"message"`
	Attempt int     `json:"attempt,omitempty"` // failed attempts so far
	// Reclaimed marks a job taken over from a consumer that stopped
	// answering: it may have been posted already.
	Reclaimed bool      `json:"-"`
	Created   time.Time `json:"created"`
}

// Refs is what earlier deliveries of an incident left for later ones.
type Refs struct {
	Channel   string         // the incident channel, once opened
	Root      string         // the broadcast root message, once posted
	Delivered map[Lane]int64 // the Seq of the last job finished in each lane
}

// Result is what a finished job leaves for later ones.
type Result struct {
	Channel string // OpOpen: the incident channel opened
	Root    string // OpRoot: the broadcast root posted
}

// Outbox is the durable queue of posts, shared by every replica.
type Outbox interface {
	// Workspaces lists the workspaces that have ever queued a post.
	Workspaces(ctx context.Context) ([]Workspace, error)
	// Claim takes up to max jobs of ws for consumer: new ones, due retries,
	// and jobs a consumer that stopped answering held too long. It waits a
	// short while when there are none.
	Claim(ctx context.Context, ws Workspace, consumer string, max int) ([]Job, error)
	// Refs returns what earlier deliveries of the job's incident left.
	Refs(ctx context.Context, job Job) (Refs, error)
	// Done marks the job delivered, records its result and moves its lane on.
	Done(ctx context.Context, job Job, r Result) error
	// Retry puts the job back, to be claimed again at due.
	Retry(ctx context.Context, job Job, due time.Time) error
	// Hold sets aside a job whose lane has an earlier job unfinished; finishing
	// that job puts it back on the outbox. It holds nothing and returns false
	// when the earlier job finished meanwhile: the job's turn has come.
	Hold(ctx context.Context, job Job) (bool, error)
	// Park moves a job that will not go out into the dead-letter stream with
	// the reason, and moves its lane on so later posts still flow.
	Park(ctx context.Context, job Job, reason string) error
	// Backlog counts the jobs of ws still to deliver, and those parked.
	Backlog(ctx context.Context, ws Workspace) (Backlog, error)
}

// Backlog is how much of a workspace's outbox is not delivered.
type Backlog struct {
	Queued int // waiting, held for their turn, being delivered, or due for a retry
	Parked int // in the dead-letter stream
}
