package bot

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// DeliveryOptions configure a Delivery. Outbox and Posters are required.
type DeliveryOptions struct {
	Outbox  Outbox
	Posters map[Platform]Poster
	Clock   Clock
	Logger  Logger
	// Consumer names this replica in the outbox's consumer group.
	Consumer string
	// MaxAttempts is how many failures a job may have before it is parked.
	MaxAttempts int
	// BaseDelay and MaxDelay bound the exponential backoff between attempts.
	BaseDelay, MaxDelay time.Duration
	// Scan is how often the outbox is asked for workspaces new to this replica.
	Scan time.Duration
	// Idle is the longest a pump waits between looks at an outbox with
	// nothing in it: how late a post queued by another replica may start.
	Idle time.Duration
	// PostTimeout bounds one call to a platform.
	PostTimeout time.Duration
}

// Delivery is the loop that takes jobs from the outbox to the platforms: in
// order per lane, retried with backoff and jitter, parked (never dropped)
// when they keep failing. Any number of replicas may run one.
type Delivery struct {
	opt DeliveryOptions

	mu     sync.Mutex
	wakes  map[Workspace]chan struct{} // one per running pump
	rescan chan struct{}
}

// NewDelivery returns a Delivery with defaults filled in.
func NewDelivery(o DeliveryOptions) *Delivery {
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = nopLogger{}
	}
	if o.Consumer == "" {
		o.Consumer = fmt.Sprintf("replica-%08x", rand.Uint32())
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = 20
	}
	if o.BaseDelay == 0 {
		o.BaseDelay = time.Second
	}
	if o.MaxDelay == 0 {
		o.MaxDelay = 5 * time.Minute
	}
	if o.Scan == 0 {
		o.Scan = 2 * time.Second
	}
	if o.Idle == 0 {
		o.Idle = 250 * time.Millisecond
	}
	if o.PostTimeout == 0 {
		o.PostTimeout = 10 * time.Second
	}
	return &Delivery{opt: o, wakes: map[Workspace]chan struct{}{}, rescan: make(chan struct{}, 1)}
}

// Wake tells the pump of ws that posts were just queued, so this replica
// delivers them at once instead of at its next look.
func (d *Delivery) Wake(ws Workspace) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if ch, ok := d.wakes[ws]; ok {
		select {
		case ch <- struct{}{}:
		default:
		}
		return
	}
	d.wakes[ws] = nil // Run starts its pump
	select {
	case d.rescan <- struct{}{}:
	default:
	}
}

// Run delivers until ctx is done: one pump per workspace whose platform this
// replica has a Poster for.
func (d *Delivery) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	tick := time.NewTicker(d.opt.Scan)
	defer tick.Stop()
	for {
		wss, err := d.opt.Outbox.Workspaces(ctx)
		if err != nil && ctx.Err() == nil {
			d.opt.Logger.Warn("delivery: listing workspaces", "err", err)
		}
		d.mu.Lock()
		for ws := range d.wakes {
			wss = append(wss, ws) // woken before the outbox listed them
		}
		for _, ws := range wss {
			if _, ok := d.opt.Posters[ws.Platform]; ok && d.wakes[ws] == nil {
				wake := make(chan struct{}, 1)
				d.wakes[ws] = wake
				wg.Go(func() { d.pump(ctx, ws, wake) })
			}
		}
		d.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-d.rescan:
		}
	}
}

// pump claims and delivers the jobs of one workspace until ctx is done. With
// nothing to do it looks again ever less often, up to Idle, or at once when
// woken.
func (d *Delivery) pump(ctx context.Context, ws Workspace, wake <-chan struct{}) {
	pause, idle := d.opt.BaseDelay, time.Millisecond
	for ctx.Err() == nil {
		jobs, err := d.opt.Outbox.Claim(ctx, ws, d.opt.Consumer, 16)
		switch {
		case err != nil && ctx.Err() == nil:
			d.opt.Logger.Warn("delivery: claiming jobs", "workspace", ws.String(), "err", err)
			sleep(ctx, pause)
			pause = min(2*pause, 5*time.Second) // back soon once Redis is
			continue
		case len(jobs) == 0:
			t := time.NewTimer(idle)
			select {
			case <-ctx.Done():
			case <-wake:
			case <-t.C:
			}
			t.Stop()
			idle = min(2*idle, d.opt.Idle)
			continue
		}
		pause, idle = d.opt.BaseDelay, time.Millisecond
		for _, job := range jobs {
			d.Deliver(ctx, job)
		}
	}
}

// Deliver takes one claimed job as far as it can go now: delivered, held for
// its turn, put back for later, or parked. Every path leaves the job
// accounted for in the outbox.
func (d *Delivery) Deliver(ctx context.Context, job Job) {
	log := jobLog{d.opt.Logger, job}
	refs, ok := d.turn(ctx, log, job)
	if !ok {
		return
	}
	pctx, cancel := context.WithTimeout(ctx, d.opt.PostTimeout)
	res, err := d.perform(pctx, job, refs)
	cancel()
	if err == nil {
		d.finish(ctx, log, job, res)
		return
	}
	job.Attempt++
	var permanent PermanentError
	if job.Attempt >= d.opt.MaxAttempts || errors.As(err, &permanent) {
		log.Error("delivery: post parked in the dead-letter stream; it will not be retried", "attempts", job.Attempt, "err", err)
		if perr := d.opt.Outbox.Park(ctx, job, err.Error()); perr != nil {
			log.Error("delivery: parking failed; the job will be reclaimed", "err", perr)
		}
		return
	}
	wait, asked := retryAfter(err)
	if !asked {
		wait = d.backoff(job.Attempt)
	}
	log.Warn("delivery: post failed; retrying", "attempt", job.Attempt, "in", wait, "err", err)
	d.put(ctx, log, job, d.opt.Clock.Now().Add(wait))
}

// turn returns what earlier jobs of the lane left when it is the job's turn.
// Otherwise the job is finished (a reclaimed job done meanwhile) or held
// until the job before it finishes, which keeps a lane in order without
// passing over the same jobs again and again.
func (d *Delivery) turn(ctx context.Context, log jobLog, job Job) (Refs, bool) {
	for range 2 {
		refs, err := d.opt.Outbox.Refs(ctx, job)
		if err != nil {
			log.Warn("delivery: reading refs; the job will be reclaimed", "err", err)
			return Refs{}, false
		}
		done := refs.Delivered[job.Lane]
		switch {
		case job.Seq == done+1:
			return refs, true
		case job.Seq <= done:
			d.finish(ctx, log, job, Result{})
			return Refs{}, false
		}
		held, err := d.opt.Outbox.Hold(ctx, job)
		if err != nil {
			log.Warn("delivery: holding a job for its turn; it will be reclaimed", "err", err)
			return Refs{}, false
		}
		if held {
			return Refs{}, false
		}
		// The job before it finished meanwhile: read what it left.
	}
	log.Warn("delivery: the lane moved while reading it; the job will be reclaimed")
	return Refs{}, false
}

// perform does what the job asks of its platform.
func (d *Delivery) perform(ctx context.Context, job Job, refs Refs) (Result, error) {
	poster := d.opt.Posters[job.Workspace.Platform]
	if poster == nil {
		return Result{}, fmt.Errorf("no poster for %s", job.Workspace.Platform)
	}
	retry := job.Attempt > 0 || job.Reclaimed
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

// finish records a delivered job, trying a few times: a post that went out but
// is not recorded would go out again when the job is reclaimed.
func (d *Delivery) finish(ctx context.Context, log jobLog, job Job, res Result) {
	var err error
	for try := range 5 {
		if err = d.opt.Outbox.Done(ctx, job, res); err == nil || ctx.Err() != nil {
			break
		}
		sleep(ctx, time.Duration(50<<try)*time.Millisecond)
	}
	if err != nil {
		log.Error("delivery: delivered but not recorded; it may be posted again when reclaimed", "err", err)
	}
}

// put gives the job back to the outbox to be claimed again at due.
func (d *Delivery) put(ctx context.Context, log jobLog, job Job, due time.Time) {
	if err := d.opt.Outbox.Retry(ctx, job, due); err != nil {
		log.Warn("delivery: rescheduling failed; the job will be reclaimed", "err", err)
	}
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
