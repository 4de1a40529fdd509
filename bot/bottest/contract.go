package bottest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/fsm"
)

// Backend is a store of incidents that is also the outbox of their posts.
type Backend interface {
	bot.Store
	bot.Outbox
}

// Contract describes the backend under test.
type Contract struct {
	// Open returns the backend for one test. Backends may be shared between
	// tests: each test works in a workspace of its own.
	Open func(t *testing.T) Backend
	// ReclaimAfter is how long the backend lets a consumer hold a job before
	// another may take it over. Keep it well under a second.
	ReclaimAfter time.Duration
}

// Run runs the store contract: what every bot.Store and bot.Outbox must do.
func (c Contract) Run(t *testing.T) {
	for _, tc := range []struct {
		name string
		test func(*testing.T, Contract)
	}{
		{"DeclareAndRead", testDeclareAndRead},
		{"StaleWritesConflict", testStaleWrites},
		{"RaceOnOneIncident", testRace},
		{"RepeatedRequest", testRepeatedRequest},
		{"DeliveryOrderAndRefs", testDeliveryOrder},
		{"LeaseFencing", testLeaseFencing},
		{"FinishTakesNext", testFinishTakesNext},
		{"RetryThenDeliver", testRetry},
		{"RateLimitHoldsBucket", testRateLimit},
		{"ParkAfterLastAttempt", testPark},
		{"DeadWorkerLanesTakenOver", testDeadWorker},
		{"AuditTrail", testAuditTrail},
		{"TenantsApart", testTenantsApart},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, c) })
	}
}

// errOf is the error of a finishing call.
func errOf(_ bot.Lease, _ bool, err error) error { return err }

// Platform is the platform of test workspaces: no real door serves it, so
// an incidentbot running against the same Redis never takes their posts.
const Platform bot.Platform = "bottest"

// NewWorkspace returns a workspace no other test uses.
func NewWorkspace() bot.Workspace {
	return bot.Workspace{Platform: Platform, ID: "T" + strings.ToLower(rand.Text()[:10])}
}

// broadcastChannel is the stakeholders' channel of contract tests.
const broadcastChannel = "C-BROADCAST"

// newService answers with no deadline of its own: under -race on a loaded
// machine a command racing 49 others may take seconds, and the race test
// checks what is recorded, not how fast.
func newService(b Backend) *bot.Service {
	return bot.NewService(bot.Options{Store: b, Org: "Acme", Broadcast: map[bot.Platform]string{Platform: broadcastChannel}, Timeout: time.Minute})
}

func newDelivery(b Backend, p *Poster, maxAttempts int) *bot.Delivery {
	return bot.NewDelivery(bot.DeliveryOptions{
		Outbox: b, Posters: map[bot.Platform]bot.Poster{Platform: p},
		MaxAttempts: maxAttempts, BaseDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond,
	})
}

// drainLease is the lease Drain takes lanes for: long, since a test that
// drains does not want a lane taken over under it.
const drainLease = 30 * time.Second

// Drain takes and delivers the lanes of ws as owner until nothing is queued.
func Drain(tb testing.TB, o bot.Outbox, d *bot.Delivery, ws bot.Workspace, owner string) {
	tb.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second)
	for {
		bl, err := o.Backlog(ctx, ws)
		if err != nil {
			tb.Fatalf("backlog: %v", err)
		}
		if bl.Queued == 0 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("outbox of %s not drained: %+v", ws, bl)
		}
		l, ok, err := o.Take(ctx, &bot.Taking{Workspace: ws, Owner: owner, Lease: drainLease})
		if err != nil {
			tb.Fatalf("take: %v", err)
		}
		if !ok {
			time.Sleep(2 * time.Millisecond) // retries not due yet, or lanes leased by another
			continue
		}
		d.Deliver(ctx, l, nil)
	}
}

func testDeclareAndRead(t *testing.T, c Contract) {
	b := c.Open(t)
	s := newService(b)
	ws := NewWorkspace()
	r := MustHandle(t, s, ws, "C1", `declare Checkout fails --impact major --components "Payments, API"`)
	if r.Incident != 1 {
		t.Fatalf("first incident is %d, want 1 (reply %q)", r.Incident, r.Text)
	}
	MustHandle(t, s, ws, "C1", "declare Search is slow")
	MustHandle(t, s, ws, "C1", "identified INC-1 Bad deploy of the payment service")
	MustHandle(t, s, ws, "C1", "resolved #2 Fixed")

	inc := MustFind(t, b, ws, 1)
	if inc.Status != fsm.Identified || inc.Impact != bot.ImpactMajor || strings.Join(inc.Components, "|") != "Payments|API" || inc.Version != 2 {
		t.Errorf("INC-1 = %+v", inc)
	}
	entries := MustTimeline(t, b, ws, 1)
	if len(entries) != 2 || entries[1].Message != "Bad deploy of the payment service" || entries[1].Seq != 2 {
		t.Errorf("timeline of INC-1 = %+v", entries)
	}
	ctx := context.Background()
	open, err := b.List(ctx, ws, false)
	if err != nil || len(open) != 1 || open[0].Number != 1 {
		t.Errorf("open incidents = %+v, %v; want INC-1 alone", open, err)
	}
	all, err := b.List(ctx, ws, true)
	if err != nil || len(all) != 2 || all[0].Number != 2 {
		t.Errorf("all incidents = %+v, %v; want INC-2, INC-1", all, err)
	}
	// With one incident open, a command without a reference finds it.
	f, err := b.Find(ctx, bot.Lookup{Workspace: ws, RequestID: RequestID()})
	if err != nil || f.Incident == nil || f.Incident.Number != 1 || f.LastNumber != 2 {
		t.Errorf("Find without a reference = %+v, %v", f, err)
	}
	// Another workspace sees none of it.
	f, err = b.Find(ctx, bot.Lookup{Workspace: NewWorkspace(), Number: 1, RequestID: RequestID()})
	if err != nil || f.Incident != nil || f.LastNumber != 0 {
		t.Errorf("other workspace found %+v, %v", f, err)
	}
}

func testStaleWrites(t *testing.T, c Contract) {
	b := c.Open(t)
	s := newService(b)
	ws := NewWorkspace()
	MustHandle(t, s, ws, "C1", "declare One")
	ctx := context.Background()
	inc := MustFind(t, b, ws, 1)
	stale := inc // version 1 read, then someone else writes
	MustHandle(t, s, ws, "C1", "update news")
	stale.Version++
	if _, err := b.Apply(ctx, bot.Change{Workspace: ws, RequestID: RequestID(), Incident: stale}); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("stale write: %v, want ErrConflict", err)
	}
	again := inc
	again.Number, again.Version = 1, 1 // declaring INC-1 twice
	if _, err := b.Apply(ctx, bot.Change{Workspace: ws, RequestID: RequestID(), Incident: again}); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("second INC-1: %v, want ErrConflict", err)
	}
	skip := inc
	skip.Number, skip.Version = 5, 1 // the next number is 2
	if _, err := b.Apply(ctx, bot.Change{Workspace: ws, RequestID: RequestID(), Incident: skip}); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("INC-5 after INC-1: %v, want ErrConflict", err)
	}
	if got := len(MustTimeline(t, b, ws, 1)); got != 2 {
		t.Errorf("timeline has %d entries after refused writes, want 2", got)
	}
}

// testRace races 50 responders on one incident, through three replicas
// that each remember the incident as their last change left it. Every
// acknowledged command must be in the timeline exactly once, every refused
// one absent, and the incident must end in the status of the last accepted
// entry.
func testRace(t *testing.T, c Contract) {
	b := c.Open(t)
	replicas := []*bot.Service{newService(b), newService(b), newService(b)}
	ws := NewWorkspace()
	MustHandle(t, replicas[0], ws, "C1", "declare Racing")
	verbs := []string{"update", "identified", "monitoring", "investigating", "resolved", "update", "identified"}
	var (
		mu    sync.Mutex
		acked = map[string]int{}
		wg    sync.WaitGroup
	)
	for i, s := range replicas {
		msg := fmt.Sprintf("replica %d was here", i)
		MustHandle(t, s, ws, "C1", "update INC-1 "+msg)
		acked[msg]++
	}
	for i := range 50 {
		wg.Go(func() {
			msg := fmt.Sprintf("message %d", i)
			_, err := replicas[i%len(replicas)].Handle(context.Background(), bot.Request{Workspace: ws, Channel: "C1", Actor: "@r", Text: fmt.Sprintf("%s INC-1 %s", verbs[i%len(verbs)], msg), RequestID: RequestID()})
			switch {
			case err == nil:
				mu.Lock()
				acked[msg]++
				mu.Unlock()
			case bot.ErrorCode(err) != bot.ECONFLICT:
				t.Errorf("%s: %v", msg, err)
			}
		})
	}
	wg.Wait()
	entries := MustTimeline(t, b, ws, 1)
	seen := map[string]int{}
	for _, e := range entries[1:] {
		seen[e.Message]++
	}
	for msg := range acked {
		if seen[msg] != 1 {
			t.Errorf("acknowledged %q is in the timeline %d times", msg, seen[msg])
		}
	}
	for msg, n := range seen {
		if acked[msg] == 0 {
			t.Errorf("%q is in the timeline %d times but was refused", msg, n)
		}
	}
	inc := MustFind(t, b, ws, 1)
	last := entries[len(entries)-1]
	if inc.Status != last.Status || inc.Entries != len(entries) || inc.Version != int64(len(entries)) {
		t.Errorf("incident %s, %d entries, version %d; timeline has %d entries ending in %s",
			inc.Status, inc.Entries, inc.Version, len(entries), last.Status)
	}
	for i, e := range entries {
		if e.Seq != i+1 {
			t.Fatalf("entry %d has seq %d", i+1, e.Seq)
		}
	}
	if len(acked) < 10 {
		t.Errorf("only %d of 50 commands were accepted; the race test tests little", len(acked))
	}
}

// sameReply reports whether two replies say the same, whether or not
// either is a replay.
func sameReply(a, b bot.Reply) bool {
	a.Replayed, b.Replayed = false, false
	return a == b
}

func testRepeatedRequest(t *testing.T, c Contract) {
	b := c.Open(t)
	s := newService(b)
	ws := NewWorkspace()
	MustHandle(t, s, ws, "C1", "declare Repeats")
	ctx := context.Background()
	req := bot.Request{Workspace: ws, Channel: "C1", Actor: "@r", Text: "identified Found it", RequestID: RequestID()}
	first, err := s.Handle(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	// The platform delivers it again, and the status moved on meanwhile.
	MustHandle(t, s, ws, "C1", "resolved All good")
	again, err := s.Handle(ctx, req)
	if err != nil || !again.Replayed || !sameReply(again, first) {
		t.Errorf("repeat got %+v, %v; want the first reply %+v, replayed", again, err, first)
	}
	// Ten deliveries of one request at once.
	req = bot.Request{Workspace: ws, Channel: "C1", Actor: "@r", Text: "update INC-1 Same words", RequestID: RequestID()}
	var wg sync.WaitGroup
	replies := make([]bot.Reply, 10)
	for i := range replies {
		wg.Go(func() {
			var err error
			if replies[i], err = s.Handle(ctx, req); err != nil {
				t.Errorf("delivery %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	fresh := 0
	for _, r := range replies {
		if !sameReply(r, replies[0]) {
			t.Errorf("replies differ: %+v and %+v", r, replies[0])
		}
		if !r.Replayed {
			fresh++
		}
	}
	if fresh != 1 {
		t.Errorf("%d of ten deliveries of one request were not replays, want 1", fresh)
	}
	n := 0
	for _, e := range MustTimeline(t, b, ws, 1) {
		if e.Message == "Same words" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("a request delivered ten times is in the timeline %d times", n)
	}
}

func testDeliveryOrder(t *testing.T, c Contract) {
	b := c.Open(t)
	s := newService(b)
	p := &Poster{}
	d := newDelivery(b, p, 5)
	ws := NewWorkspace()
	MustHandle(t, s, ws, "C-GENERAL", "declare Orders are lost --impact critical")
	for i := range 3 {
		MustHandle(t, s, ws, "C-GENERAL", fmt.Sprintf("update INC-1 step %d", i))
		if i == 0 {
			Drain(t, b, d, ws, "w1")
		}
	}
	MustHandle(t, s, ws, "C-GENERAL", "impact INC-1 major")
	Drain(t, b, d, ws, "w1")

	var channel, broadcast []string
	root := ""
	for _, call := range p.Calls() {
		text := call.Op
		if call.Message.Entry != nil {
			text += " " + call.Message.Entry.Message
		}
		switch {
		case call.Op == "open" || call.Channel == "inc-1":
			channel = append(channel, text)
		case call.Channel == broadcastChannel:
			if call.Message.Kind == bot.MessageSummary && call.Op == "post" {
				root = call.Ref
				text = "root"
			}
			if call.Thread != "" && call.Thread != root || call.Op == "edit" && call.Ref != root {
				t.Errorf("%s not tied to the root %q: %+v", call.Op, root, call)
			}
			broadcast = append(broadcast, text)
		default:
			t.Errorf("post to an unexpected channel: %+v", call)
		}
	}
	wantChannel := []string{"open", "post We are investigating this issue.", "post step 0", "post step 1", "post step 2", "post"}
	// The edit of step 0 went out before the next was queued; those of
	// steps 1 and 2 were superseded by the impact's before delivery came
	// round: only the newest summary is sent.
	wantBroadcast := []string{"root", "post We are investigating this issue.", "post step 0", "edit", "post step 1", "post step 2", "edit"}
	if strings.Join(channel, "|") != strings.Join(wantChannel, "|") {
		t.Errorf("incident channel got\n%q\nwant\n%q", channel, wantChannel)
	}
	if strings.Join(broadcast, "|") != strings.Join(wantBroadcast, "|") {
		t.Errorf("broadcast got\n%q\nwant\n%q", broadcast, wantBroadcast)
	}
	// The incident channel is now bound: a command typed there finds INC-1
	// even with a second incident open.
	MustHandle(t, s, ws, "C-GENERAL", "declare Another one")
	r := MustHandle(t, s, ws, "inc-1", "update from the incident channel")
	if r.Incident != 1 {
		t.Errorf("command in inc-1 went to INC-%d", r.Incident)
	}
}

// testLeaseFencing: a leased lane is not given to anyone else until its
// lease expires; then the first holder's token is stale, and nothing it
// reports is recorded, while the new holder carries the lane on in order.
func testLeaseFencing(t *testing.T, c Contract) {
	b := c.Open(t)
	s := newService(b)
	ws := NewWorkspace()
	MustHandle(t, s, ws, "C1", "declare Leased")
	MustHandle(t, s, ws, "C1", "update INC-1 second")
	ctx := context.Background()
	lease := c.ReclaimAfter
	first, ok, err := b.Take(ctx, &bot.Taking{Workspace: ws, Owner: "slow", Lease: lease})
	if err != nil || !ok {
		t.Fatalf("take: %v, %v", ok, err)
	}
	other, ok, err := b.Take(ctx, &bot.Taking{Workspace: ws, Owner: "fast", Lease: time.Minute}) // this one stays leased
	if err != nil || !ok || other.Lane == first.Lane {
		t.Fatalf("a second replica took %q (%v, %v) while %q is leased; want the other lane", other.Lane, ok, err, first.Lane)
	}
	if _, ok, _ := b.Take(ctx, &bot.Taking{Workspace: ws, Owner: "fast", Lease: lease}); ok {
		t.Fatal("a third lane was taken; both are leased")
	}
	if err := b.Renew(ctx, first, lease); err != nil {
		t.Fatalf("renewing a live lease: %v", err)
	}
	// Once the lease expires, the lane goes to the next replica that asks.
	var again bot.Lease
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the expired lease was never taken over")
		}
		l, ok, err := b.Take(ctx, &bot.Taking{Workspace: ws, Owner: "fast", Lease: lease})
		if err != nil {
			t.Fatal(err)
		}
		if ok && l.Lane == first.Lane {
			again = l
			break
		}
		if ok {
			t.Fatalf("took lane %q again; it is leased", l.Lane)
		}
	}
	if !again.TakenOver || again.Token == first.Token || again.Job.Seq != first.Job.Seq {
		t.Errorf("taken over: %+v; want the same job, a new token, marked as taken over", again)
	}
	for what, err := range map[string]error{
		"renew":      b.Renew(ctx, first, lease),
		"done":       errOf(b.Done(ctx, first, bot.Result{Channel: "stale"}, nil)),
		"reschedule": errOf(b.Reschedule(ctx, first, time.Minute, false, nil)),
		"park":       errOf(b.Park(ctx, first, "stale", nil)),
	} {
		if !errors.Is(err, bot.ErrStaleLease) {
			t.Errorf("%s with a stale token: %v, want ErrStaleLease", what, err)
		}
	}
	if _, _, err := b.Done(ctx, again, bot.Result{}, nil); err != nil {
		t.Fatalf("done by the new holder: %v", err)
	}
	if _, _, err := b.Done(ctx, other, bot.Result{}, nil); err != nil {
		t.Fatalf("done on the other lane: %v", err)
	}
	next, ok, err := b.Take(ctx, &bot.Taking{Workspace: ws, Owner: "fast", Lease: lease})
	if err != nil || !ok || next.Lane != first.Lane && next.Lane != other.Lane || next.Job.Seq != 2 {
		t.Errorf("after both heads, took %+v (%v, %v); want a lane's second job", next, ok, err)
	}
	if bl, _ := b.Backlog(ctx, ws); bl.Parked != 0 {
		t.Errorf("a stale park was recorded: %+v", bl)
	}
}

// testFinishTakesNext: finishing a job with a pass takes the next lane in
// the same step, every job in its lane's order, and the pass's end unlists
// the workspace, unless posts were queued since the pass began.
func testFinishTakesNext(t *testing.T, c Contract) {
	b := c.Open(t)
	s := newService(b)
	ws := NewWorkspace()
	MustHandle(t, s, ws, "C1", "declare Passed on")
	ctx := context.Background()
	pass := func(during func()) (delivered int) {
		t.Helper()
		next := &bot.Taking{Workspace: ws, Owner: "pass", Lease: time.Minute}
		l, ok, err := b.Take(ctx, next)
		if err != nil || !ok {
			t.Fatalf("take: %v, %v", ok, err)
		}
		last := map[bot.Lane]int64{}
		for ok {
			if l.Job.Seq <= last[l.Job.Lane] {
				t.Errorf("lane %s: job %d after %d", l.Job.Lane, l.Job.Seq, last[l.Job.Lane])
			}
			last[l.Job.Lane] = l.Job.Seq
			delivered++
			if during != nil {
				during()
				during = nil
			}
			if l, ok, err = b.Done(ctx, l, bot.Result{}, next); err != nil {
				t.Fatalf("done: %v", err)
			}
		}
		return delivered
	}
	listed := func() bool {
		due, err := b.Due(ctx, []bot.Platform{Platform})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range due {
			if w == ws {
				return true
			}
		}
		return false
	}
	if n := pass(nil); n < 2 {
		t.Fatalf("one pass delivered %d jobs; want the declaration's, both lanes", n)
	}
	if bl, _ := b.Backlog(ctx, ws); bl.Queued != 0 || listed() {
		t.Errorf("after the pass: backlog %+v, listed as due %v; want nothing left, unlisted", bl, listed())
	}
	// A pass whose posts were queued before it began delivers them; an
	// update queued while it runs keeps the workspace due for the next pass.
	MustHandle(t, s, ws, "C1", "update INC-1 first")
	pass(func() { MustHandle(t, s, ws, "C1", "update INC-1 second") })
	if bl, _ := b.Backlog(ctx, ws); bl.Queued == 0 && !listed() {
		t.Error("an update queued during a pass was neither taken by it nor left due")
	}
}

func testRetry(t *testing.T, c Contract) {
	b := c.Open(t)
	s := newService(b)
	p := &Poster{}
	d := newDelivery(b, p, 5)
	ws := NewWorkspace()
	p.FailNext(errors.New("connection reset"), &bot.RetryAfterError{After: 300 * time.Millisecond, Err: errors.New("429")})
	start := time.Now()
	MustHandle(t, s, ws, "C1", "declare Retried")
	Drain(t, b, d, ws, "w1")
	if waited := time.Since(start); waited < 300*time.Millisecond {
		t.Errorf("drained after %s, before the 300ms the platform asked for", waited)
	}
	keys := map[string]int{}
	retried := 0
	for _, call := range p.Calls() {
		keys[call.Op+call.Key]++
		if call.Retry {
			retried++
		}
	}
	// The connection reset may have let the call through; the 429 proves
	// it did not.
	if retried != 1 {
		t.Errorf("%d calls marked as possible repeats, want the 1 whose answer was lost", retried)
	}
	if len(p.Calls()) != 4 {
		t.Errorf("got %d calls, want 4 (open, post, root, reply): %+v", len(p.Calls()), p.Calls())
	}
	for k, n := range keys {
		if n != 1 {
			t.Errorf("%s delivered %d times", k, n)
		}
	}
}

func testPark(t *testing.T, c Contract) {
	b := c.Open(t)
	s := newService(b)
	p := &Poster{}
	d := newDelivery(b, p, 3)
	ws := NewWorkspace()
	// Opening the channel always fails: parked after three attempts. The
	// rest still goes out, into the channel the incident was declared in.
	p.Fail = func(c Call) error {
		if c.Op == "open" {
			return errors.New("down")
		}
		return nil
	}
	MustHandle(t, s, ws, "C-GENERAL", "declare Parked")
	Drain(t, b, d, ws, "w1")
	bl, err := b.Backlog(context.Background(), ws)
	if err != nil || bl.Parked != 1 || bl.Queued != 0 {
		t.Errorf("backlog %+v, %v; want one parked, none queued", bl, err)
	}
	var channels []string
	for _, call := range p.Calls() {
		channels = append(channels, call.Op+" "+call.Channel)
	}
	sort.Strings(channels)
	want := []string{"post " + broadcastChannel, "post " + broadcastChannel, "post C-GENERAL"}
	if strings.Join(channels, "|") != strings.Join(want, "|") {
		t.Errorf("calls %q, want %q", channels, want)
	}
}

// testDeadWorker: a replica that dies holding lanes loses them when its
// leases expire; another delivers their jobs, the heads marked as possibly
// sent.
func testDeadWorker(t *testing.T, c Contract) {
	b := c.Open(t)
	s := newService(b)
	ws := NewWorkspace()
	MustHandle(t, s, ws, "C1", "declare Worker dies")
	ctx := context.Background()
	var heads []string
	for range 2 {
		l, ok, err := b.Take(ctx, &bot.Taking{Workspace: ws, Owner: "dies", Lease: c.ReclaimAfter})
		if err != nil || !ok {
			t.Fatalf("the first worker took nothing: %v", err)
		}
		heads = append(heads, string(l.Job.Op))
	}
	// The first worker dies holding them. A second worker must deliver them.
	p := &Poster{}
	Drain(t, b, newDelivery(b, p, 5), ws, "lives")
	if got := len(p.Calls()); got != 4 {
		t.Errorf("second worker delivered %d posts, want 4", got)
	}
	retried := 0
	for _, c := range p.Calls() {
		if c.Retry {
			retried++
		}
	}
	if retried != 2 {
		t.Errorf("%d calls marked as possible repeats; want the 2 heads %v the dead worker held", retried, heads)
	}
}

// testRateLimit: a 429 is not a failure (a job limited more often than
// MaxAttempts still goes out), and its Retry-After holds the whole bucket:
// no call of the same method to the same channel in the window, from any
// lane.
func testRateLimit(t *testing.T, c Contract) {
	b := c.Open(t)
	s := newService(b)
	p := &Poster{}
	d := newDelivery(b, p, 2)
	ws := NewWorkspace()
	var mu sync.Mutex
	closedUntil := map[string]time.Time{} // by method: posting and editing are limited apart
	limited, early := 0, 0
	p.Fail = func(call Call) error {
		if call.Channel != broadcastChannel {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		if now.Before(closedUntil[call.Op]) {
			early++
		}
		if limited < 4 {
			limited++
			closedUntil[call.Op] = now.Add(150 * time.Millisecond)
			return &bot.RetryAfterError{After: 150 * time.Millisecond, Err: errors.New("429")}
		}
		return nil
	}
	MustHandle(t, s, ws, "C1", "declare Limited")
	MustHandle(t, s, ws, "C1", "declare Also limited")
	Drain(t, b, d, ws, "w1")
	bl, _ := b.Backlog(context.Background(), ws)
	if bl.Parked != 0 {
		t.Errorf("%d posts parked after 429s; a rate limit is not a failure", bl.Parked)
	}
	if early != 0 {
		t.Errorf("%d calls to the broadcast channel while its bucket was closed", early)
	}
	if n := len(p.Calls()); n != 8 {
		t.Errorf("%d calls went through, want 8 (each incident: open, post, root, reply)", n)
	}
}
