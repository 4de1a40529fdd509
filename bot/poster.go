package bot

import (
	"context"
	"fmt"
	"time"
)

// Post is one message on its way to one place.
type Post struct {
	Workspace Workspace
	Channel   string
	// Thread is the reference of the message to reply under, or "".
	Thread  string
	Message Message
	// Key is unique to the job and the same on every retry of it, for
	// platforms that can refuse a repeat (Discord nonces) or find it (Slack
	// message metadata).
	Key string
	// Retry tells that an earlier attempt may have gone out although no
	// answer said so (a timeout, a crash): a poster that can look first
	// should, so the post is shown once.
	Retry bool
}

// Edit replaces a message posted before.
type Edit struct {
	Workspace Workspace
	Channel   string
	Ref       string
	Message   Message
}

// Opening asks for an incident's own channel.
type Opening struct {
	Workspace Workspace
	Card      Card
	// Origin is where the incident was declared; Invite is who declared it.
	Origin, Invite string
	// Retry: as Post.Retry; a channel opened by the earlier attempt is reused.
	Retry bool
}

// Poster sends posts to one platform and returns a reference to the message,
// which later posts reply under or edit. It returns a *RetryAfterError when
// the platform asks to wait, and a PermanentError when retrying cannot help.
type Poster interface {
	Post(ctx context.Context, p Post) (ref string, err error)
}

// Editor is a Poster that can edit a message in place.
type Editor interface {
	Edit(ctx context.Context, e Edit) error
}

// ChannelOpener is a Poster that can open an incident's own channel: a
// private one (a private channel, a private thread) when o.Card.Private is
// set, with only the declarer in it.
type ChannelOpener interface {
	OpenChannel(ctx context.Context, o Opening) (channel string, err error)
}

// Invitation brings someone into an incident's channel.
type Invitation struct {
	Workspace Workspace
	Channel   string
	User      string
}

// Inviter is a Poster that can bring someone into a channel it opened.
type Inviter interface {
	Invite(ctx context.Context, i Invitation) error
}

// RefusedError is a platform's answer that it did not do what was asked:
// it answered, and said no. Unlike a lost answer, it proves nothing went
// out, so the next attempt need not look for this one.
type RefusedError struct{ Err error }

func (e RefusedError) Error() string { return e.Err.Error() }
func (e RefusedError) Unwrap() error { return e.Err }

// RetryAfterError is a platform's request to try again after a while (HTTP 429).
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("retry after %s: %v", e.After, e.Err)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// PermanentError marks a failure that retrying cannot mend (a channel that is
// gone, a token that was revoked): the job is parked at once.
type PermanentError struct{ Err error }

func (e PermanentError) Error() string { return "permanent: " + e.Err.Error() }

func (e PermanentError) Unwrap() error { return e.Err }
