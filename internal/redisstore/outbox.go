package redisstore

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/incidentbot/incidentbot/bot"
)

// The outbox: each lane of an incident is a list of jobs, delivered from its
// head by whichever replica holds the lane's lease. See take.lua for how a
// lane is chosen, and keys.go for the keys delivery loops share.

// maxSignals bounds a platform's list of ready signals when no replica of
// that platform runs to hear them.
const maxSignals = 1000

// deadCap is about how many parked posts a workspace's dead-letter stream
// keeps.
const deadCap = 10000

// jobEntry is a job as a lane holds it: "<op> <bucket> <seq>\n<json>", so
// that the scripts read what they need (dropping superseded edits, rate-limit
// buckets) without decoding JSON.
func jobEntry(j bot.Job) (string, error) {
	var b bytes.Buffer
	err := writeJobEntry(&b, &j)
	return b.String(), err
}

// writeJobEntry writes j's entry at the end of b, which may hold others:
// the jobs of a change are written into one buffer, with no copy of each.
// A job read from an entry of an earlier version is written in this one.
func writeJobEntry(b *bytes.Buffer, j *bot.Job) error {
	if j.V != bot.JobVersion {
		again := *j
		again.V = bot.JobVersion
		j = &again
	}
	b.WriteString(string(j.Op) + " " + j.Bucket() + " " + strconv.FormatInt(j.Seq, 10) + "\n")
	if err := json.NewEncoder(b).Encode(j); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode ends with a newline; Marshal, which the entries were first written with, does not
	return nil
}

// entryBuffers hold the jobs of a change while it is applied.
var entryBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// RemindDue lists the workspaces whose incidents may need a reminder at
// now, noting for RemindLater how many changes had listed each.
func (s *Store) RemindDue(ctx context.Context, now time.Time) ([]bot.Workspace, error) {
	res, err := remindDueScript.Run(ctx, s.rdb, []string{remindKey, remindCountKey}, now.UnixMilli(), 1000).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("redisstore: listing workspaces to remind: %w", err)
	}
	var wss []bot.Workspace
	for i := 0; i+1 < len(res); i += 2 {
		if ws, ok := parseWorkspace(res[i]); ok {
			s.scanned.note(res[i], res[i+1])
			wss = append(wss, ws)
		}
	}
	return wss, nil
}

// RemindLater lists ws for its next look at at, or for none when at is
// zero, unless a change listed it since RemindDue: the look may have read
// the incidents before that change, and ws stays due, to be looked at again.
func (s *Store) RemindLater(ctx context.Context, ws bot.Workspace, at time.Time) error {
	next := ""
	if !at.IsZero() {
		next = strconv.FormatInt(at.UnixMilli(), 10)
	}
	if err := remindLaterScript.Run(ctx, s.rdb, []string{remindKey, remindCountKey}, ws.String(), s.scanned.take(ws.String()), next).Err(); err != nil {
		return fmt.Errorf("redisstore: listing %s for reminders: %w", ws, err)
	}
	return nil
}

// counts remember, by workspace, how many changes had listed it for
// reminders when RemindDue listed it.
type counts struct {
	mu   sync.Mutex
	seen map[string]string
}

func (c *counts) note(ws, count string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[string]string{}
	}
	c.seen[ws] = count
}

// take returns and forgets the count noted for ws; "" when none was.
func (c *counts) take(ws string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	count := c.seen[ws]
	delete(c.seen, ws)
	return count
}

// Ready blocks up to wait for a signal that a workspace of one of platforms
// has posts queued.
func (s *Store) Ready(ctx context.Context, platforms []bot.Platform, wait time.Duration) (bot.Workspace, bool, error) {
	keys := make([]string, len(platforms))
	for i, p := range platforms {
		keys[i] = readyKey(p)
	}
	res, err := s.rdb.BLPop(ctx, wait, keys...).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return bot.Workspace{}, false, nil
	case err != nil:
		return bot.Workspace{}, false, fmt.Errorf("redisstore: waiting for posts: %w", err)
	}
	ws, ok := parseWorkspace(res[1])
	return ws, ok, nil
}

// Due lists the workspaces of platforms due for a look now.
func (s *Store) Due(ctx context.Context, platforms []bot.Platform) ([]bot.Workspace, error) {
	members, err := dueScript.Run(ctx, s.rdb, []string{dueKey}, 1000).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("redisstore: listing due workspaces: %w", err)
	}
	var wss []bot.Workspace
	for _, m := range members {
		if ws, ok := parseWorkspace(m); ok && slices.Contains(platforms, ws.Platform) {
			wss = append(wss, ws)
		}
	}
	return wss, nil
}

// Take leases the next lane of t's workspace whose turn has come. The first
// Take of a pass reads the workspace's queue counter in the same round trip.
func (s *Store) Take(ctx context.Context, t *bot.Taking) (bot.Lease, bool, error) {
	k := keysOf(t.Workspace)
	var seen *redis.StringCmd
	ahead := func(p redis.Pipeliner) { seen = p.HGet(ctx, queuedKey, t.Workspace.String()) }
	if t.Queued != "" {
		ahead = nil
	}
	res, unconfirmed := s.evalDurable(ctx, ahead, takeScript, []string{k.lanes(), k.leases(), k.fence(), k.limits()}, k.prefix, t.Lease.Milliseconds())
	if seen != nil {
		switch n, err := seen.Result(); {
		case errors.Is(err, redis.Nil):
			t.Queued = "0"
		case err != nil:
			return bot.Lease{}, false, fmt.Errorf("redisstore: reading %s's queue counter: %w", t.Workspace, err)
		default:
			t.Queued = n
		}
	}
	taken, err := res.Slice()
	if err != nil {
		return bot.Lease{}, false, fmt.Errorf("redisstore: taking a lane of %s: %w", t.Workspace, err)
	}
	return s.leasedConfirmed(ctx, t, taken, unconfirmed)
}

// holdBackFor is how long a lane whose lease the replicas did not confirm
// waits before it is taken again.
const holdBackFor = time.Second

// leasedConfirmed is leased, for a take whose writes the replicas may not
// have confirmed (unconfirmed). A lane leased so is given back, unattempted,
// due again in a second: a post made under that lease could be lost to a
// failover with the lease, and posted again by a replica that took the lane
// as new, without looking for it first.
func (s *Store) leasedConfirmed(ctx context.Context, t *bot.Taking, res []any, unconfirmed *bot.UnreplicatedError) (bot.Lease, bool, error) {
	l, ok, err := s.leased(ctx, t, res)
	if unconfirmed == nil || err != nil || !ok {
		return l, ok, err
	}
	s.opt.Logger.Warn("redisstore: a lane held back until the replicas confirm its lease", "workspace", l.Workspace.String(), "lane", l.Lane, "err", unconfirmed)
	if l.Bad == nil { // a bad entry is parked by whoever takes it next, once its lease expires
		l.Job.Uncertain = l.Job.Uncertain || l.TakenOver
		if _, _, err := s.Reschedule(ctx, l, holdBackFor, false, nil); err != nil {
			s.opt.Logger.Warn("redisstore: giving a held lane back; it waits for its lease's expiry", "workspace", l.Workspace.String(), "lane", l.Lane, "err", err)
		}
	}
	return bot.Lease{}, false, nil
}

// leased reads what the take function of the lease scripts answered. When
// no lane's turn has come, it lists the workspace for when the next one's
// will, unless posts came since the pass began.
func (s *Store) leased(ctx context.Context, t *bot.Taking, res []any) (bot.Lease, bool, error) {
	ws := t.Workspace
	if res[0] == "none" {
		next, _ := res[1].(int64)
		if err := relistScript.Run(ctx, s.rdb, []string{dueKey, queuedKey}, ws.String(), t.Queued, next).Err(); err != nil {
			return bot.Lease{}, false, fmt.Errorf("redisstore: listing %s for later: %w", ws, err)
		}
		return bot.Lease{}, false, nil
	}
	l := bot.Lease{Workspace: ws, Lane: res[1].(string), Token: res[2].(int64),
		Refs: bot.Refs{Channel: res[4].(string), Root: res[5].(string)}, TakenOver: res[6].(int64) == 1}
	raw := res[3].(string)
	if err := json.Unmarshal([]byte(raw), &l.Job); err != nil {
		l.Bad = fmt.Errorf("undecodable job: %w", err)
	} else if l.Job.Workspace != ws || laneName(l.Job.Incident, l.Job.Lane) != l.Lane {
		l.Bad = fmt.Errorf("a job of %s lane %s in lane %s of %s", l.Job.Workspace, laneName(l.Job.Incident, l.Job.Lane), l.Lane, ws)
	}
	if l.Bad != nil {
		l.Job = bot.Job{Workspace: ws, Message: bot.Message{Text: raw}}
		l.Job.Incident, l.Job.Lane = splitLane(l.Lane)
	}
	return l, true, nil
}

// finished reads a lease script's answer: 0 when the token was stale, 1
// when it was asked to take nothing next, else what take answered.
func (s *Store) finished(ctx context.Context, res *redis.Cmd, unconfirmed *bot.UnreplicatedError, doing string, l bot.Lease, next *bot.Taking) (bot.Lease, bool, error) {
	v, err := res.Result()
	if err == nil {
		if taken, ok := v.([]any); ok && next != nil {
			return s.leasedConfirmed(ctx, next, taken, unconfirmed)
		}
		if n, ok := v.(int64); ok && n == 0 {
			err = bot.ErrStaleLease
		}
	}
	if err != nil {
		return bot.Lease{}, false, fmt.Errorf("redisstore: %s lane %s of %s: %w", doing, l.Lane, l.Workspace, err)
	}
	return bot.Lease{}, false, nil
}

// nextArgs are the key prefix and lease a lease script takes the next lane
// with, or none.
func nextArgs(next *bot.Taking) (string, int64) {
	if next == nil {
		return "", 0
	}
	return keysOf(next.Workspace).prefix, next.Lease.Milliseconds()
}

// splitLane reads a lane's name back into its incident and lane.
func splitLane(name string) (int, bot.Lane) {
	n, lane, _ := strings.Cut(name, ":")
	var number int
	fmt.Sscanf(n, "%d", &number)
	return number, bot.Lane(lane)
}

// Renew extends a lease.
func (s *Store) Renew(ctx context.Context, l bot.Lease, lease time.Duration) error {
	k := keysOf(l.Workspace)
	ok, err := renewScript.Run(ctx, s.rdb, []string{k.lanes(), k.leases()}, l.Lane, l.Token, lease.Milliseconds()).Int()
	if err == nil && ok == 0 {
		err = bot.ErrStaleLease
	}
	if err != nil {
		return fmt.Errorf("redisstore: renewing lane %s of %s: %w", l.Lane, l.Workspace, err)
	}
	return nil
}

// Done records the lane's job delivered, moves the lane on, and takes the
// next for next.
func (s *Store) Done(ctx context.Context, l bot.Lease, r bot.Result, next *bot.Taking) (bot.Lease, bool, error) {
	return s.finish(ctx, l, r, "", next)
}

// Park moves the lane's job into the dead-letter stream with its reason,
// moves the lane on, and takes the next for next.
func (s *Store) Park(ctx context.Context, l bot.Lease, reason string, next *bot.Taking) (bot.Lease, bool, error) {
	nl, ok, err := s.finish(ctx, l, bot.Result{}, cmp.Or(reason, "unknown"), next)
	if err == nil {
		// Listed for the metrics' parked count; a failure costs only the count.
		s.rdb.SAdd(ctx, parkedKey, l.Workspace.String())
	}
	return nl, ok, err
}

func (s *Store) finish(ctx context.Context, l bot.Lease, r bot.Result, reason string, next *bot.Taking) (bot.Lease, bool, error) {
	k := keysOf(l.Workspace)
	job := ""
	if reason != "" {
		if l.Bad != nil {
			job = l.Job.Message.Text // the entry as it was found
		} else if raw, err := json.Marshal(l.Job); err == nil {
			job = string(raw)
		}
	}
	number, _ := splitLane(l.Lane)
	prefix, lease := nextArgs(next)
	res, unconfirmed := s.evalDurable(ctx, nil, doneScript,
		[]string{k.lanes(), k.leases(), k.lane(l.Lane), k.refs(number), k.channels(), k.dead(), k.fence(), k.limits()},
		l.Lane, l.Token, r.Channel, r.Root, number, reason, job, deadCap, prefix, lease)
	return s.finished(ctx, res, unconfirmed, "finishing", l, next)
}

// Reschedule gives the lane back, its job to be tried again after delay,
// and takes the next for next.
func (s *Store) Reschedule(ctx context.Context, l bot.Lease, delay time.Duration, limited bool, next *bot.Taking) (bot.Lease, bool, error) {
	k := keysOf(l.Workspace)
	entry, err := jobEntry(l.Job)
	if err != nil {
		return bot.Lease{}, false, fmt.Errorf("redisstore: encoding job: %w", err)
	}
	bucket := ""
	if limited {
		bucket = l.Job.Bucket()
	}
	prefix, lease := nextArgs(next)
	res, unconfirmed := s.evalDurable(ctx, nil, rescheduleScript, []string{k.lanes(), k.leases(), k.lane(l.Lane), k.limits(), k.fence()},
		l.Lane, l.Token, delay.Milliseconds(), entry, bucket, prefix, lease)
	return s.finished(ctx, res, unconfirmed, "rescheduling", l, next)
}

// Backlog counts the jobs still to deliver and those parked.
func (s *Store) Backlog(ctx context.Context, ws bot.Workspace) (bot.Backlog, error) {
	k := keysOf(ws)
	n, err := backlogScript.Run(ctx, s.rdb, []string{k.lanes(), k.dead()}, k.prefix).Int64Slice()
	if err != nil {
		return bot.Backlog{}, fmt.Errorf("redisstore: backlog of %s: %w", ws, err)
	}
	return bot.Backlog{Queued: int(n[0]), Parked: int(n[1])}, nil
}
