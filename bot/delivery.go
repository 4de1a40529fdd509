package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"time"
)

// DeliveryOptions configure a Delivery. Outbox and Posters are required.
type DeliveryOptions struct {
	Outbox  Outbox
	Posters map[Platform]Poster
	// Webhooks delivers the jobs of webhook lanes, whatever their platform.
	Webhooks Poster
	Logger   Logger
	// Replica names this replica in leases and logs: stable across restarts
	// where the platform gives a name (INCIDENTBOT_REPLICA, the hostname).
	Replica string
	// Workers is, per platform, how many lanes this replica delivers at
	// once: as many calls as the platform takes at once. A platform not
	// listed gets DefaultWorkers. Each platform has workers of its own, so a
	// slow one never holds up another's posts.
	Workers map[Platform]int
	// MaxAttempts is how many failures a job may have before it is parked;
	// a rate limit is not a failure.
	MaxAttempts int
	// BaseDelay and MaxDelay bound the exponential backoff between attempts.
	BaseDelay, MaxDelay time.Duration
	// Lease is how long a lane stays with this replica without word from it;
	// it is renewed while a call is in flight.
	Lease time.Duration
	// Sweep is how often the outbox is asked for due retries and expired
	// leases; new posts are signalled and need no sweep.
	Sweep time.Duration
	// PostTimeout bounds one call to a platform.
	PostTimeout time.Duration
	// Grace is how long calls in flight may finish after Run's context ends.
	Grace time.Duration
	// Observer hears of every call and rate limit.
	Observer Observer
}

// Delivery takes jobs from the outbox to the platforms: in order per lane,
// each lane held by one replica at a time under a lease, retried with
// backoff, waiting out rate limits for the whole bucket, parked (never
// dropped) when they keep failing. Any number of replicas may run one; an
// idle one costs a blocking read and a sweep every few seconds, however many
// workspaces there are.
type Delivery struct {
	opt       DeliveryOptions
	platforms []Platform

	mu      sync.Mutex
	queued  map[Workspace]bool // in work, or about to be
	work    map[Platform]chan Workspace
	stopped bool
}

// DefaultWorkers is how many calls a replica makes to a platform at once,
// from what the platform allows:
//   - Slack limits posts per workspace and channel (about one a second in a
//     channel), so calls for different workspaces do not compete: 16 calls
//     at once keep up with a hundred busy channels.
//   - Discord allows a bot 50 requests a second across all its servers: 10
//     calls of about 200 ms reach that, and more would only be refused.
//   - The console is one terminal, read in order.
func DefaultWorkers(p Platform) int {
	switch p {
	case Slack:
		return 16
	case Discord:
		return 10
	case Console:
		return 1
	}
	return 4
}

// NewDelivery returns a Delivery with defaults filled in.
func NewDelivery(o DeliveryOptions) *Delivery {
	if o.Logger == nil {
		o.Logger = nopLogger{}
	}
	if o.Replica == "" {
		o.Replica = ReplicaName("")
	}
	o.MaxAttempts = cmp.Or(o.MaxAttempts, 20)
	o.BaseDelay = cmp.Or(o.BaseDelay, time.Second)
	o.MaxDelay = cmp.Or(o.MaxDelay, 5*time.Minute)
	o.PostTimeout = cmp.Or(o.PostTimeout, 10*time.Second)
	o.Lease = cmp.Or(o.Lease, 30*time.Second)
	o.Sweep = cmp.Or(o.Sweep, 2*time.Second)
	o.Grace = cmp.Or(o.Grace, 10*time.Second)
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	d := &Delivery{opt: o, queued: map[Workspace]bool{}, work: map[Platform]chan Workspace{}}
	for p := range o.Posters {
		d.platforms = append(d.platforms, p)
		d.work[p] = make(chan Workspace, 4096)
	}
	return d
}

// ReplicaName is name, else the hostname (stable across restarts where the
// platform keeps it, as a StatefulSet or a fixed host does), else a random
// name: what leases and logs call this replica.
func ReplicaName(name string) string {
	if name != "" {
		return name
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return fmt.Sprintf("replica-%08x", rand.Uint32())
}

// Wake tells this replica that posts of ws were just queued, so it delivers
// them at once.
func (d *Delivery) Wake(ws Workspace) {
	if _, ok := d.opt.Posters[ws.Platform]; !ok {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.queued[ws] || d.stopped {
		return
	}
	select {
	case d.work[ws.Platform] <- ws:
		d.queued[ws] = true
	default: // full: the sweep finds it
	}
}

// Run delivers until ctx is done, then lets the calls in flight finish
// within Grace and gives their lanes back.
func (d *Delivery) Run(ctx context.Context) error {
	if len(d.platforms) == 0 {
		<-ctx.Done()
		return nil
	}
	var wg sync.WaitGroup
	for _, p := range d.platforms {
		for range cmp.Or(d.opt.Workers[p], DefaultWorkers(p)) {
			wg.Go(func() { d.worker(ctx, d.work[p]) })
		}
	}
	wg.Go(func() { d.listen(ctx) })
	wg.Go(func() { d.sweep(ctx) })
	<-ctx.Done()
	d.mu.Lock()
	d.stopped = true
	d.mu.Unlock()
	wg.Wait()
	return nil
}

// listen waits for workspaces other replicas signal.
func (d *Delivery) listen(ctx context.Context) {
	pause := d.opt.BaseDelay
	for ctx.Err() == nil {
		ws, ok, err := d.opt.Outbox.Ready(ctx, d.platforms, time.Second) // short: a blocked read does not see ctx end
		switch {
		case err != nil && ctx.Err() == nil:
			d.opt.Logger.Warn("delivery: waiting for posts", "err", err)
			sleep(ctx, pause)
			pause = min(2*pause, 5*time.Second)
		case ok:
			pause = d.opt.BaseDelay
			d.Wake(ws)
		}
	}
}

// sweep looks every Sweep for due retries and expired leases.
func (d *Delivery) sweep(ctx context.Context) {
	tick := time.NewTicker(d.opt.Sweep)
	defer tick.Stop()
	failing := false
	for {
		wss, err := d.opt.Outbox.Due(ctx, d.platforms)
		if err != nil && ctx.Err() == nil && !failing {
			d.opt.Logger.Warn("delivery: looking for due posts", "err", err)
		}
		failing = err != nil // one line per outage, not one per sweep
		for _, ws := range wss {
			d.Wake(ws)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// worker delivers the lanes of the workspaces it is given, one lane at a
// time, until none has a job whose turn has come.
func (d *Delivery) worker(ctx context.Context, work <-chan Workspace) {
	for {
		select {
		case <-ctx.Done():
			return
		case ws := <-work:
			d.mu.Lock()
			delete(d.queued, ws) // a wake from now on comes round again
			d.mu.Unlock()
			d.drain(ctx, ws)
		}
	}
}

// drain delivers the lanes of ws one job after another, each finishing
// call taking the next lane in the same round trip, until none has a job
// whose turn has come.
func (d *Delivery) drain(ctx context.Context, ws Workspace) {
	t := &Taking{Workspace: ws, Owner: d.opt.Replica, Lease: d.opt.Lease}
	l, ok := d.take(ctx, t)
	for ok {
		if ctx.Err() != nil {
			d.giveBack(l) // taken as Run ended: another replica delivers it now
			return
		}
		l, ok = d.Deliver(ctx, l, t)
	}
}

// giveBack returns a leased lane unattempted, due at once, so that no
// replica waits for the lease to expire. A lane taken over may have gone
// out under its earlier holder: its next holder looks before posting.
func (d *Delivery) giveBack(l Lease) {
	if l.Bad != nil || l.Job.V > JobVersion {
		d.Deliver(context.Background(), l, nil) // no call: parked, or left to a newer replica
		return
	}
	l.Job.Uncertain = l.Job.Uncertain || l.TakenOver
	d.record(jobLog{d.opt.Logger, l.Job}, func(ctx context.Context) (Lease, bool, error) {
		return d.opt.Outbox.Reschedule(ctx, l, 0, false, nil)
	})
}

func (d *Delivery) take(ctx context.Context, t *Taking) (Lease, bool) {
	l, ok, err := d.opt.Outbox.Take(ctx, t)
	if err != nil && ctx.Err() == nil {
		d.opt.Logger.Warn("delivery: taking a lane", "workspace", t.Workspace.String(), "err", err)
	}
	return l, ok && err == nil // after an error, the sweep brings it back
}

// Deliver takes one leased lane's job as far as it can go now: delivered,
// rescheduled, or parked. Every path gives the lane back and, unless next
// is nil or Run is ending, takes the workspace's next lane for next.
func (d *Delivery) Deliver(ctx context.Context, l Lease, next *Taking) (Lease, bool) {
	if ctx.Err() != nil {
		next = nil // shutting down: lanes are given back, none taken
	}
	log := jobLog{d.opt.Logger, l.Job}
	finish := func(write func(ctx context.Context) (Lease, bool, error)) (Lease, bool) {
		nl, ok, err := d.record(log, write)
		if errors.Is(err, ErrStaleLease) && next != nil {
			return d.take(ctx, next) // only that lane is another's
		}
		return nl, ok
	}
	switch {
	case l.Bad != nil:
		log.Error("delivery: an unreadable post parked in the dead-letter stream", "lane", l.Lane, "err", l.Bad)
		defer d.countParked(l.Workspace)
		return finish(func(ctx context.Context) (Lease, bool, error) { return d.opt.Outbox.Park(ctx, l, l.Bad.Error(), next) })
	case l.Job.V > JobVersion:
		// Queued by a newer replica: leave it to one that can read it.
		log.Warn("delivery: a post of a newer format; leaving it to a newer replica", "version", l.Job.V)
		return finish(func(ctx context.Context) (Lease, bool, error) {
			return d.opt.Outbox.Reschedule(ctx, l, time.Minute, false, next)
		})
	}
	start := time.Now()
	res, err := d.attempt(ctx, l)
	job := l.Job
	observe := func(outcome string) {
		d.opt.Observer.Posted(job.Workspace.Platform, job.Op, outcome, time.Since(start))
	}
	var limited *RetryAfterError
	var permanent PermanentError
	switch {
	case err == nil:
		observe("ok")
		return finish(func(ctx context.Context) (Lease, bool, error) { return d.opt.Outbox.Done(ctx, l, res, next) })
	case errors.As(err, &limited):
		// Not a failure: nothing went out, and the whole bucket waits.
		observe("rate_limited")
		d.opt.Observer.RateLimited(job.Workspace.Platform, limited.After)
		log.Warn("delivery: rate limited; the bucket waits", "bucket", job.Bucket(), "for", limited.After)
		l.Job.Uncertain = false
		return finish(func(ctx context.Context) (Lease, bool, error) {
			return d.opt.Outbox.Reschedule(ctx, l, limited.After, true, next)
		})
	}
	l.Job.Attempt++
	if l.Job.Attempt >= d.opt.MaxAttempts || errors.As(err, &permanent) {
		observe("parked")
		log.Error("delivery: post parked in the dead-letter stream; incidentbot outbox replay sends it again", "attempts", l.Job.Attempt, "err", err)
		defer d.countParked(l.Workspace)
		return finish(func(ctx context.Context) (Lease, bool, error) { return d.opt.Outbox.Park(ctx, l, err.Error(), next) })
	}
	observe("retry")
	l.Job.Uncertain = mayHaveGoneOut(err)
	wait := d.backoff(l.Job.Attempt)
	log.Warn("delivery: post failed; retrying", "attempt", l.Job.Attempt, "in", wait, "err", err)
	return finish(func(ctx context.Context) (Lease, bool, error) {
		return d.opt.Outbox.Reschedule(ctx, l, wait, false, next)
	})
}

// attempt makes the call, renewing the lease while it is in flight. After
// Run's context ends the call still has Grace to finish: a post cut off
// mid-flight is one that may be shown twice.
func (d *Delivery) attempt(ctx context.Context, l Lease) (Result, error) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.opt.PostTimeout)
	defer cancel()
	stopGrace := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(d.opt.Grace, cancel)
		context.AfterFunc(cctx, func() { t.Stop() })
	})
	defer stopGrace()
	stopRenewing := d.keepLeased(cctx, l)
	res, err := d.perform(cctx, l)
	cancel()
	stopRenewing()
	return res, err
}

// keepLeased renews l every third of the lease while its call is in
// flight, on a timer rather than a goroutine of its own: most calls end long
// before the first renewal. The returned stop waits for a renewal under way,
// so that none lands once the lane is finished.
func (d *Delivery) keepLeased(ctx context.Context, l Lease) (stop func()) {
	var mu sync.Mutex
	stopped := false
	mu.Lock() // the first renewal waits for t
	defer mu.Unlock()
	var t *time.Timer
	t = time.AfterFunc(d.opt.Lease/3, func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		if err := d.opt.Outbox.Renew(ctx, l, d.opt.Lease); err != nil && ctx.Err() == nil {
			jobLog{d.opt.Logger, l.Job}.Warn("delivery: renewing a lease", "err", err)
		}
		t.Reset(d.opt.Lease / 3)
	})
	return func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		t.Stop()
	}
}

// record writes what became of a lane's job, trying a few times: a post that
// went out but is not recorded goes out again once the lease expires. It
// outlives Run's context, so a replica shutting down gives its lanes back.
// It returns the next lane the write took, if it took one.
func (d *Delivery) record(log jobLog, write func(context.Context) (Lease, bool, error)) (Lease, bool, error) {
	var (
		next Lease
		ok   bool
		err  error
	)
	for try := range 5 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		next, ok, err = write(ctx)
		cancel()
		if err == nil || errors.Is(err, ErrStaleLease) {
			break
		}
		time.Sleep(time.Duration(50<<try) * time.Millisecond)
	}
	switch {
	case errors.Is(err, ErrStaleLease):
		log.Warn("delivery: another replica took this lane over while the call was in flight; it decides what happens next", "err", err)
	case err != nil:
		log.Error("delivery: not recorded; the lane goes to another replica when its lease expires", "err", err)
	}
	return next, ok && err == nil, err
}

// countParked says in the log how many posts of ws are parked now, so that an
// operator reading one parking sees how many wait for them.
func (d *Delivery) countParked(ws Workspace) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if bl, err := d.opt.Outbox.Backlog(ctx, ws); err == nil {
		d.opt.Logger.Warn("delivery: posts parked; list them with incidentbot outbox list", "workspace", ws.String(), "parked", bl.Parked)
	}
}

// perform does what the job asks of its platform.
func (d *Delivery) perform(ctx context.Context, l Lease) (Result, error) {
	job, refs := l.Job, l.Refs
	poster := d.opt.Posters[job.Workspace.Platform]
	if job.Lane.Webhook() {
		poster = d.opt.Webhooks
	}
	if poster == nil {
		return Result{}, fmt.Errorf("no poster for %s", job.Workspace.Platform)
	}
	retry := job.Uncertain || l.TakenOver
	post := Post{Workspace: job.Workspace, Channel: job.Channel, Message: job.Message, Key: jobKey(job), Retry: retry}
	switch job.Op {
	case OpOpen:
		opener, ok := poster.(ChannelOpener)
		if !ok {
			return Result{}, nil // posts stay in the channel the incident was declared in
		}
		ch, err := opener.OpenChannel(ctx, Opening{Workspace: job.Workspace, Card: job.Message.Card, Origin: job.Channel, Invite: job.Invite, Retry: retry})
		return Result{Channel: ch}, err
	case OpInvite:
		inviter, ok := poster.(Inviter)
		if !ok || refs.Channel == "" {
			return Result{}, nil // no channel of its own to bring anyone into
		}
		return Result{}, inviter.Invite(ctx, Invitation{Workspace: job.Workspace, Channel: refs.Channel, User: job.Invite})
	case OpPost:
		if job.Lane == LaneChannel && refs.Channel != "" {
			post.Channel = refs.Channel
		}
		if job.Lane == LaneBroadcast {
			post.Thread = refs.Root // no root yet (it was parked): post in the channel itself
		}
		_, err := poster.Post(ctx, post)
		return Result{}, err
	case OpEdit:
		editor, ok := poster.(Editor)
		if refs.Root != "" && ok {
			return Result{}, editor.Edit(ctx, Edit{Workspace: job.Workspace, Channel: job.Channel, Ref: refs.Root, Message: job.Message})
		}
		if refs.Root != "" {
			return Result{}, nil
		}
		fallthrough // the root was parked: this summary becomes the root
	case OpRoot:
		ref, err := poster.Post(ctx, post)
		return Result{Root: ref}, err
	}
	return Result{}, PermanentError{fmt.Errorf("unknown op %q", job.Op)}
}

// mayHaveGoneOut reports whether a failed call may have done its work all
// the same: its answer, not its request, was lost. A refused connection, or
// an answer from the platform saying no, proves it did not.
func mayHaveGoneOut(err error) bool {
	var op *net.OpError
	var refused RefusedError
	switch {
	case errors.As(err, &refused):
		return false
	case errors.As(err, &op) && op.Op == "dial":
		return false
	}
	return true
}

// backoff is the wait after the given failed attempt: exponential, capped,
// with jitter so that replicas do not retry in step.
func (d *Delivery) backoff(attempt int) time.Duration {
	wait := d.opt.BaseDelay << min(attempt-1, 20)
	if wait > d.opt.MaxDelay || wait <= 0 {
		wait = d.opt.MaxDelay
	}
	return wait/2 + rand.N(wait/2+1)
}

// jobLog writes log lines about one job, naming it in each.
type jobLog struct {
	Logger
	job Job
}

func (l jobLog) attrs(args []any) []any {
	j := l.job
	return append([]any{"workspace", j.Workspace.String(), "incident", j.Incident, "lane", j.Lane, "seq", j.Seq, "op", j.Op}, args...)
}

func (l jobLog) Warn(msg string, args ...any)  { l.Logger.Warn(msg, l.attrs(args)...) }
func (l jobLog) Error(msg string, args ...any) { l.Logger.Error(msg, l.attrs(args)...) }

// jobKey identifies a job across its retries.
func jobKey(j Job) string {
	return fmt.Sprintf("%s/%d/%s/%d", j.Workspace, j.Incident, j.Lane, j.Seq)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
