package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/incidentbot/incidentbot/bot"
)

// activeWindow is how long after its last queued post a workspace is still
// listed for delivery; a retry or a claim keeps it listed.
const activeWindow = time.Hour

// Workspaces lists the workspaces that queued a post within the last hour.
func (s *Store) Workspaces(ctx context.Context) ([]bot.Workspace, error) {
	since := s.opt.Clock.Now().Add(-activeWindow).UnixMilli()
	members, err := s.rdb.ZRangeByScore(ctx, workspacesKey, &redis.ZRangeBy{Min: strconv.FormatInt(since, 10), Max: "+inf"}).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: listing workspaces: %w", err)
	}
	var wss []bot.Workspace
	for _, m := range members {
		if ws, ok := parseWorkspace(m); ok {
			wss = append(wss, ws)
		}
	}
	return wss, nil
}

// Claim moves due retries back onto the outbox, takes over jobs that another
// consumer held past ReclaimAfter, and takes new jobs. It does not wait: a
// blocking read would hold a connection per workspace.
func (s *Store) Claim(ctx context.Context, ws bot.Workspace, consumer string, limit int) ([]bot.Job, error) {
	k := keysOf(ws)
	if err := s.ensureGroup(ctx, ws); err != nil {
		return nil, err
	}
	now := s.opt.Clock.Now()
	if err := dueScript.Run(ctx, s.rdb, []string{k.outbox(), k.retry()}, now.UnixMilli(), 64).Err(); err != nil {
		return nil, fmt.Errorf("redisstore: moving due retries of %s: %w", ws, err)
	}
	if s.reclaimDue(ws, now) {
		msgs, _, err := s.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
			Stream: k.outbox(), Group: group, Consumer: consumer,
			MinIdle: s.opt.ReclaimAfter, Start: "0-0", Count: int64(limit),
		}).Result()
		if err != nil && !isNoGroup(err) {
			return nil, fmt.Errorf("redisstore: reclaiming jobs of %s: %w", ws, err)
		}
		if len(msgs) > 0 {
			jobs, err := decodeJobs(msgs)
			for i := range jobs {
				jobs[i].Reclaimed = true
			}
			return jobs, err
		}
	}
	streams, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: group, Consumer: consumer, Streams: []string{k.outbox(), ">"}, Count: int64(limit), Block: -1,
	}).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, nil
	case isNoGroup(err):
		s.forgetGroup(ws)
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("redisstore: reading the outbox of %s: %w", ws, err)
	}
	return decodeJobs(streams[0].Messages)
}

// reclaimDue reports whether it is time to sweep ws's outbox for jobs held by
// a consumer that stopped, and notes the sweep.
func (s *Store) reclaimDue(ws bot.Workspace, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.lastReclaim[ws]) < s.opt.ReclaimAfter/4 {
		return false
	}
	s.lastReclaim[ws] = now
	return true
}

// ensureGroup makes the outbox's consumer group once per workspace. Creating
// it from ID 0 means no job queued before is skipped.
func (s *Store) ensureGroup(ctx context.Context, ws bot.Workspace) error {
	s.mu.Lock()
	known := s.groups[ws]
	s.mu.Unlock()
	if known {
		return nil
	}
	err := s.rdb.XGroupCreateMkStream(ctx, keysOf(ws).outbox(), group, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("redisstore: creating the outbox group of %s: %w", ws, err)
	}
	s.mu.Lock()
	s.groups[ws] = true
	s.mu.Unlock()
	return nil
}

func (s *Store) forgetGroup(ws bot.Workspace) {
	s.mu.Lock()
	delete(s.groups, ws)
	s.mu.Unlock()
}

// markActive lists ws for delivery until at least at plus activeWindow. The
// registry is the one key outside the workspace's hash slot, so this is a
// command of its own; it only ever makes a pump look sooner.
func (s *Store) markActive(ctx context.Context, ws bot.Workspace, at time.Time) error {
	return s.rdb.ZAddGT(ctx, workspacesKey, redis.Z{Score: float64(at.UnixMilli()), Member: ws.String()}).Err()
}

func decodeJobs(msgs []redis.XMessage) ([]bot.Job, error) {
	jobs := make([]bot.Job, 0, len(msgs))
	for _, m := range msgs {
		raw, _ := m.Values["job"].(string)
		var j bot.Job
		if err := json.Unmarshal([]byte(raw), &j); err != nil {
			return nil, fmt.Errorf("redisstore: outbox entry %s: %w", m.ID, err)
		}
		j.ID = m.ID
		jobs = append(jobs, j)
	}
	return jobs, nil
}

// Refs returns what earlier jobs of the job's incident left.
func (s *Store) Refs(ctx context.Context, job bot.Job) (bot.Refs, error) {
	h, err := s.rdb.HGetAll(ctx, keysOf(job.Workspace).refs(job.Incident)).Result()
	if err != nil {
		return bot.Refs{}, fmt.Errorf("redisstore: refs of %s: %w", bot.FormatRef(job.Incident), err)
	}
	r := bot.Refs{Channel: h["channel"], Root: h["root"], Delivered: map[bot.Lane]int64{}}
	for field, v := range h {
		if lane, ok := strings.CutPrefix(field, "done:"); ok {
			r.Delivered[bot.Lane(lane)], _ = strconv.ParseInt(v, 10, 64)
		}
	}
	return r, nil
}

// Done records a delivered job and takes it off the outbox, in one script.
func (s *Store) Done(ctx context.Context, job bot.Job, r bot.Result) error {
	return s.finish(ctx, job, r, "")
}

// Park moves a job into the dead-letter stream with its reason, and moves its
// lane on, in one script.
func (s *Store) Park(ctx context.Context, job bot.Job, reason string) error {
	if reason == "" {
		reason = "unknown"
	}
	return s.finish(ctx, job, bot.Result{}, reason)
}

func (s *Store) finish(ctx context.Context, job bot.Job, r bot.Result, reason string) error {
	k := keysOf(job.Workspace)
	raw, err := json.Marshal(job)
	if err != nil {
		return fmt.Errorf("redisstore: encoding job: %w", err)
	}
	err = doneScript.Run(ctx, s.rdb,
		[]string{k.refs(job.Incident), k.channels(), k.outbox(), k.dead(), k.held()},
		job.ID, string(job.Lane), job.Seq, r.Channel, r.Root, job.Incident, reason, raw).Err()
	if err != nil {
		return fmt.Errorf("redisstore: finishing job %s of %s: %w", job.ID, bot.FormatRef(job.Incident), err)
	}
	return nil
}

// Retry moves a job from the outbox stream into the retry set, in one script,
// and keeps its workspace listed for delivery until then.
func (s *Store) Retry(ctx context.Context, job bot.Job, due time.Time) error {
	k := keysOf(job.Workspace)
	raw, err := json.Marshal(job)
	if err != nil {
		return fmt.Errorf("redisstore: encoding job: %w", err)
	}
	s.markActive(ctx, job.Workspace, due)
	err = retryScript.Run(ctx, s.rdb, []string{k.outbox(), k.retry()}, job.ID, due.UnixMilli(), raw).Err()
	if err != nil {
		return fmt.Errorf("redisstore: rescheduling job %s of %s: %w", job.ID, bot.FormatRef(job.Incident), err)
	}
	return nil
}

// Hold sets a job aside until the job before it in its lane is finished, in
// one script that first checks whether that has happened already.
func (s *Store) Hold(ctx context.Context, job bot.Job) (bool, error) {
	k := keysOf(job.Workspace)
	raw, err := json.Marshal(job)
	if err != nil {
		return false, fmt.Errorf("redisstore: encoding job: %w", err)
	}
	held, err := holdScript.Run(ctx, s.rdb, []string{k.refs(job.Incident), k.outbox(), k.held()},
		job.ID, string(job.Lane), job.Seq, job.Incident, raw).Int()
	if err != nil {
		return false, fmt.Errorf("redisstore: holding job %s of %s: %w", job.ID, bot.FormatRef(job.Incident), err)
	}
	return held == 1, nil
}

// Backlog counts the jobs still to deliver and those parked.
func (s *Store) Backlog(ctx context.Context, ws bot.Workspace) (bot.Backlog, error) {
	k := keysOf(ws)
	var queued, retry, held, dead *redis.IntCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		queued = p.XLen(ctx, k.outbox())
		retry = p.ZCard(ctx, k.retry())
		held = p.HLen(ctx, k.held())
		dead = p.XLen(ctx, k.dead())
		return nil
	})
	if err != nil {
		return bot.Backlog{}, fmt.Errorf("redisstore: backlog of %s: %w", ws, err)
	}
	return bot.Backlog{Queued: int(queued.Val() + retry.Val() + held.Val()), Parked: int(dead.Val())}, nil
}
