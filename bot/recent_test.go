package bot_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/fsm"
	"github.com/incidentbot/incidentbot/internal/redisstore/redistest"
)

// readCounter counts the reads a Service makes before it plans a change.
type readCounter struct {
	bot.Store
	finds atomic.Int64
}

func (c *readCounter) Find(ctx context.Context, l bot.Lookup) (bot.Found, error) {
	c.finds.Add(1)
	return c.Store.Find(ctx, l)
}

// conflictCounter hears the conflicts a Service counts for the metrics.
type conflictCounter struct {
	conflicts atomic.Int64
}

func (c *conflictCounter) Conflict(bot.Platform)                                       { c.conflicts.Add(1) }
func (*conflictCounter) Command(bot.Platform, bot.Name, string, time.Duration)         {}
func (*conflictCounter) Milestone(bot.Platform, bot.Impact, fsm.Status, time.Duration) {}
func (*conflictCounter) Posted(bot.Platform, bot.Op, string, time.Duration)            {}
func (*conflictCounter) RateLimited(bot.Platform, time.Duration)                       {}
func (*conflictCounter) Reminded(bot.Platform)                                         {}

// replica is one incidentbot of several on one Redis.
type replica struct {
	svc      *bot.Service
	reads    *readCounter
	observed *conflictCounter
}

func newReplicas(t *testing.T, n int, responders ...string) []replica {
	st := redistest.Open(t, "")
	var rs []replica
	for range n {
		r := replica{reads: &readCounter{Store: st}, observed: &conflictCounter{}}
		opt := bot.Options{Store: r.reads, Observer: r.observed, Broadcast: map[bot.Platform]string{bot.Slack: "C-BROADCAST"}}
		if len(responders) > 0 {
			opt.Responders = map[bot.Platform][]string{bot.Slack: responders}
		}
		r.svc = bot.NewService(opt)
		rs = append(rs, r)
	}
	return rs
}

func (r replica) as(t *testing.T, actor, line string) (bot.Reply, error) {
	t.Helper()
	return r.svc.Handle(context.Background(), bot.Request{Workspace: bot.Workspace{Platform: bot.Slack, ID: "T1"}, Channel: "C1",
		Actor: actor, Text: line, RequestID: bottest.RequestID()})
}

func (r replica) do(t *testing.T, line string) {
	t.Helper()
	if _, err := r.as(t, "@lead", line); err != nil {
		t.Fatalf("%q: %v", line, err)
	}
}

// TestRememberedIncidentIsNotReadAgain: a command in the place the last one
// changed an incident is planned from what this replica wrote, with one
// round trip to Redis (the write) instead of two.
func TestRememberedIncidentIsNotReadAgain(t *testing.T) {
	r := newReplicas(t, 1)[0]
	r.do(t, "declare Checkout fails")
	r.do(t, "update INC-1 Looking")
	before := r.reads.finds.Load()
	r.do(t, "update INC-1 Still looking")
	r.do(t, "identified INC-1 The cache")
	if got := r.reads.finds.Load() - before; got != 0 {
		t.Errorf("%d reads for two commands after the first, want none", got)
	}
	st := r.reads.Store
	if inc := bottest.MustFind(t, st, bot.Workspace{Platform: bot.Slack, ID: "T1"}, 1); inc.Entries != 4 || inc.Version != 4 || inc.Status != "identified" {
		t.Errorf("stored incident: %d entries, version %d, %s; want 4, 4, identified", inc.Entries, inc.Version, inc.Status)
	}
}

// TestStaleMemoryIsReadAgain: another replica changed the incident since
// this one remembered it. The store refuses the change planned from the
// stale copy, and the command is planned again from a fresh read; no
// responder clashed, so no conflict is counted.
func TestStaleMemoryIsReadAgain(t *testing.T) {
	rs := newReplicas(t, 2)
	a, b := rs[0], rs[1]
	a.do(t, "declare Checkout fails")
	b.do(t, "update INC-1 From b")
	a.do(t, "resolved INC-1 From a")
	before := b.reads.finds.Load()
	if _, err := b.as(t, "@lead", "resolved INC-1 From b again"); err != nil {
		t.Fatalf("a second resolution from b: %v", err)
	}
	if got := b.reads.finds.Load() - before; got != 1 {
		t.Errorf("b read the incident %d times, want once, after its stale plan was refused", got)
	}
	if got := b.observed.conflicts.Load(); got != 0 {
		t.Errorf("%d conflicts counted for a stale memory", got)
	}
	var msgs []string
	for _, e := range bottest.MustTimeline(t, b.reads.Store, bot.Workspace{Platform: bot.Slack, ID: "T1"}, 1) {
		msgs = append(msgs, e.Message)
	}
	if got, want := len(msgs), 4; got != want || msgs[3] != "From b again" {
		t.Errorf("timeline %q, want 4 entries ending in b's second", msgs)
	}
}

// TestStaleRefusalIsNotGiven: from what it remembers, b would refuse a
// person a has since made commander. The refusal is checked against a
// fresh read, so they are let in and no refusal is audited.
func TestStaleRefusalIsNotGiven(t *testing.T) {
	rs := newReplicas(t, 2, "@lead")
	a, b := rs[0], rs[1]
	a.do(t, "declare Checkout fails")
	b.do(t, "update INC-1 From b")
	a.do(t, "assign INC-1 commander @sam")
	if _, err := b.as(t, "@sam", "update INC-1 Sam's first"); err != nil {
		t.Fatalf("the commander's update, on the replica that remembered the incident before: %v", err)
	}
	trail, err := b.reads.Store.AuditTrail(context.Background(), bot.AuditQuery{Workspace: bot.Workspace{Platform: bot.Slack, ID: "T1"}, Incident: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range trail {
		if rec.Refused {
			t.Errorf("refusal audited: %+v", rec)
		}
	}
	// And a refusal that holds is still given, from the fresh read.
	if _, err := b.as(t, "@stranger", "update INC-1 Not mine"); bot.ErrorCode(err) != bot.EFORBIDDEN {
		t.Errorf("a stranger's update: %v, want EFORBIDDEN", err)
	}
}
