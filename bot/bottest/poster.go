package bottest

import (
	"context"
	"fmt"
	"sync"

	"github.com/incidentbot/incidentbot/bot"
)

// Call is one thing a Poster was asked to do.
type Call struct {
	Op      string // "open", "post", "edit" or "invite"
	Channel string
	Thread  string // post: the message replied under
	Ref     string // post: the reference returned; edit: the message edited; invite: who
	Key     string
	Retry   bool // the poster was told an earlier attempt may have gone out
	Message bot.Message
}

// Poster is a bot.Poster, bot.Editor and bot.ChannelOpener that records every
// successful call in order and fails the calls a test asks it to.
type Poster struct {
	// Fail, when set, is asked about every call; the error it returns fails
	// the call.
	Fail func(Call) error

	mu    sync.Mutex
	calls []Call
	fails []error
	n     int
}

var (
	_ bot.Poster        = (*Poster)(nil)
	_ bot.Editor        = (*Poster)(nil)
	_ bot.ChannelOpener = (*Poster)(nil)
	_ bot.Inviter       = (*Poster)(nil)
)

// FailNext makes the next calls fail with the given errors, one each.
func (p *Poster) FailNext(errs ...error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fails = append(p.fails, errs...)
}

// Calls returns the successful calls so far, in order.
func (p *Poster) Calls() []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Call(nil), p.calls...)
}

func (p *Poster) record(c Call) error {
	if p.Fail != nil {
		if err := p.Fail(c); err != nil {
			return err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.fails) > 0 {
		err := p.fails[0]
		p.fails = p.fails[1:]
		return err
	}
	p.calls = append(p.calls, c)
	return nil
}

// OpenChannel records the opening and names the channel after the incident.
func (p *Poster) OpenChannel(_ context.Context, o bot.Opening) (string, error) {
	ch := fmt.Sprintf("inc-%d", o.Card.Number)
	return ch, p.record(Call{Op: "open", Channel: ch, Retry: o.Retry, Message: bot.Message{Card: o.Card}})
}

// Post records the post and returns a fresh reference.
func (p *Poster) Post(_ context.Context, post bot.Post) (string, error) {
	p.mu.Lock()
	p.n++
	ref := fmt.Sprintf("m%d", p.n)
	p.mu.Unlock()
	err := p.record(Call{Op: "post", Channel: post.Channel, Thread: post.Thread, Ref: ref, Key: post.Key, Retry: post.Retry, Message: post.Message})
	return ref, err
}

// Edit records the edit.
func (p *Poster) Edit(_ context.Context, e bot.Edit) error {
	return p.record(Call{Op: "edit", Channel: e.Channel, Ref: e.Ref, Message: e.Message})
}

// Invite records who was brought into which channel.
func (p *Poster) Invite(_ context.Context, i bot.Invitation) error {
	return p.record(Call{Op: "invite", Channel: i.Channel, Ref: i.User})
}
