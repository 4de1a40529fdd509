package bot

import (
	"context"
	"errors"
	"fmt"
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

// JobVersion is the version of the job format this build writes and reads.
// A job of a later version was queued by a newer replica; this one leaves it
// for a replica that understands it instead of guessing.
const JobVersion = 1

// Job is one post waiting in the outbox, enqueued in the same atomic step as
// the change that made it. Jobs of a lane are delivered strictly in order.
type Job struct {
	V         int       `json:"v"`
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
	Attempt int     `json:"attempt,omitempty"` // failed attempts so far; a rate limit is none
	// Uncertain marks a job whose last attempt may have gone out although it
	// failed (a timeout, a connection lost after sending): the next attempt
	// looks for it before posting again.
	Uncertain bool      `json:"uncertain,omitempty"`
	Created   time.Time `json:"created"`
}

// Bucket names the rate limit a job's call counts against: the platform's
// method in one channel, or across the workspace for opening a channel,
// which names none (Slack's conversations.create, a Discord server's new
// channel). A Retry-After holds every job of the bucket, on every replica.
func (j Job) Bucket() string {
	method := "post"
	switch j.Op {
	case OpOpen:
		return "open"
	case OpInvite:
		method = "invite"
	case OpEdit:
		method = "edit"
	}
	if j.Lane == LaneChannel {
		return fmt.Sprintf("inc-%d:%s", j.Incident, method) // the incident channel, whatever its ID
	}
	return j.Channel + ":" + method
}

// Refs is what earlier deliveries of an incident left for later ones.
type Refs struct {
	Channel string // the incident channel, once opened
	Root    string // the broadcast root message, once posted
}

// Result is what a finished job leaves for later ones.
type Result struct {
	Channel string // OpOpen: the incident channel opened
	Root    string // OpRoot: the broadcast root posted
}

// Lease is a lane held by one replica: its next job, and the fencing token
// without which nothing about the lane can be recorded. Another replica can
// take the lane only once the lease expired, and then the first holder's
// token is stale.
type Lease struct {
	Workspace Workspace
	Lane      string // the store's name of the lane
	Token     int64
	Job       Job
	// Bad is why the job could not be read (a corrupt or foreign entry); it
	// is parked with that reason and the lane moves on.
	Bad  error
	Refs Refs
	// TakenOver marks a lane whose earlier holder's lease expired: its job
	// may have gone out already.
	TakenOver bool
}

// ErrStaleLease is returned for a lease another replica has taken over.
var ErrStaleLease = errors.New("the lease on this lane expired and another replica took it")

// Taking is one pass of a replica over a workspace's lanes: who leases them
// and for how long. Queued is the store's count of changes that queued
// posts to the workspace as the pass began, read by its first Take, so that
// a pass that ends with nothing due unlists the workspace only if nothing
// was queued since.
type Taking struct {
	Workspace Workspace
	// Owner names the replica; a store may keep it with the lease (the
	// Redis store keeps only the fencing token).
	Owner  string
	Lease  time.Duration
	Queued string
}

// Outbox is the durable queue of posts, shared by every replica. Its
// times (when a retry is due, when a lease expires) are the store's own
// clock, so replicas whose clocks differ agree.
type Outbox interface {
	// Ready blocks up to wait for a workspace of one of platforms that has
	// posts ready, signalled by whichever replica queued them.
	Ready(ctx context.Context, platforms []Platform, wait time.Duration) (Workspace, bool, error)
	// Due lists workspaces that may have posts to deliver now: due
	// retries, expired leases, or posts whose signal was lost.
	Due(ctx context.Context, platforms []Platform) ([]Workspace, error)
	// Take leases the next lane of t's workspace whose turn has come. It
	// returns false when none has: the workspace is then listed again for
	// its next due time.
	Take(ctx context.Context, t *Taking) (Lease, bool, error)
	// Renew extends a lease while a slow call is in flight.
	Renew(ctx context.Context, l Lease, lease time.Duration) error
	// Done records the lane's job delivered and moves the lane on.
	// Reschedule gives the lane back with its job to be tried again after
	// delay; with a rate limit, the job's whole bucket waits as long. Park
	// moves the job into the dead-letter stream with the reason, and moves
	// the lane on so later posts still flow.
	//
	// Each then takes the workspace's next lane for next, in the same step,
	// as Take does; with next nil it takes none and returns false.
	Done(ctx context.Context, l Lease, r Result, next *Taking) (Lease, bool, error)
	Reschedule(ctx context.Context, l Lease, delay time.Duration, limited bool, next *Taking) (Lease, bool, error)
	Park(ctx context.Context, l Lease, reason string, next *Taking) (Lease, bool, error)
	// Backlog counts the jobs of ws still to deliver, and those parked.
	Backlog(ctx context.Context, ws Workspace) (Backlog, error)
}

// Backlog is how much of a workspace's outbox is not delivered.
type Backlog struct {
	Queued int // waiting, due for a retry, or being delivered
	Parked int // in the dead-letter stream
}

// Gauges are what the store knows of the outbox and the incidents across
// every replica, by platform, for the operators' metrics.
type Gauges struct {
	Queued map[Platform]int
	// Oldest is the age of the oldest post still queued.
	Oldest map[Platform]time.Duration
	Parked map[Platform]int
	// Open counts open incidents by platform and impact.
	Open map[Platform]map[Impact]int
}
