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

// ParkedPost is a post in a workspace's dead-letter stream: one that kept
// failing, or that could not be read.
type ParkedPost struct {
	ID        string        `json:"id"`
	Workspace bot.Workspace `json:"workspace"`
	Incident  int           `json:"incident"`
	Lane      string        `json:"lane"`
	Op        bot.Op        `json:"op,omitempty"`
	Reason    string        `json:"reason"`
	At        time.Time     `json:"parked_at"`
	// Text is what the post says, or the entry as found when unreadable.
	Text string  `json:"text"`
	Job  bot.Job `json:"-"`
	// Unreadable marks an entry that is no job this version can read: it
	// can be purged, not sent again.
	Unreadable bool `json:"unreadable,omitempty"`
}

// Parked lists a workspace's parked posts, oldest first; incident 0 lists
// those of every incident.
func (s *Store) Parked(ctx context.Context, ws bot.Workspace, incident int) ([]ParkedPost, error) {
	msgs, err := s.rdb.XRange(ctx, keysOf(ws).dead(), "-", "+").Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: parked posts of %s: %w", ws, err)
	}
	var out []ParkedPost
	for _, m := range msgs {
		p := parkedPost(ws, m)
		if incident == 0 || p.Incident == incident {
			out = append(out, p)
		}
	}
	return out, nil
}

func parkedPost(ws bot.Workspace, m redis.XMessage) ParkedPost {
	raw, _ := m.Values["job"].(string)
	reason, _ := m.Values["reason"].(string)
	lane, _ := m.Values["lane"].(string)
	p := ParkedPost{ID: m.ID, Workspace: ws, Lane: lane, Reason: reason}
	p.Incident, _ = splitLane(lane)
	if ms, err := strconv.ParseInt(strings.Split(m.ID, "-")[0], 10, 64); err == nil {
		p.At = time.UnixMilli(ms).UTC()
	}
	if err := json.Unmarshal([]byte(raw), &p.Job); err != nil || p.Job.Op == "" {
		p.Unreadable, p.Text = true, raw
		return p
	}
	p.Op, p.Text = p.Job.Op, p.Job.Message.Text
	return p
}

// ErrUnreadable refuses to send again an entry no replica can read.
var ErrUnreadable = errors.New("this parked entry is not a job incidentbot can read; purge it instead")

// Replay puts parked posts back at the end of their lanes, to be delivered
// after what is queued there now, with their attempts counted afresh. It
// returns how many it put back.
func (s *Store) Replay(ctx context.Context, posts []ParkedPost) (int, error) {
	n := 0
	for _, p := range posts {
		if p.Unreadable {
			return n, fmt.Errorf("redisstore: %s of %s: %w", p.ID, p.Workspace, ErrUnreadable)
		}
		job := p.Job
		job.Attempt, job.Uncertain = 0, true // it may have gone out before it was parked
		entry, err := jobEntry(job)
		if err != nil {
			return n, err
		}
		k := keysOf(p.Workspace)
		ok, err := replayScript.Run(ctx, s.rdb, []string{k.dead(), k.lanes(), k.lane(p.Lane)}, p.ID, p.Lane, entry).Int()
		if err != nil {
			return n, fmt.Errorf("redisstore: replaying %s of %s: %w", p.ID, p.Workspace, err)
		}
		n += ok
		s.signal(ctx, p.Workspace)
	}
	return n, nil
}

// Purge deletes parked posts for good.
func (s *Store) Purge(ctx context.Context, posts []ParkedPost) (int, error) {
	n := 0
	for _, p := range posts {
		d, err := s.rdb.XDel(ctx, keysOf(p.Workspace).dead(), p.ID).Result()
		if err != nil {
			return n, fmt.Errorf("redisstore: purging %s of %s: %w", p.ID, p.Workspace, err)
		}
		n += int(d)
	}
	return n, nil
}

// signal lists ws as due now and wakes a replica of its platform, as
// queuing a change's posts does.
func (s *Store) signal(ctx context.Context, ws bot.Workspace) {
	s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HIncrBy(ctx, queuedKey, ws.String(), 1)
		p.ZAddLT(ctx, dueKey, redis.Z{Score: 0, Member: ws.String()})
		p.LPush(ctx, readyKey(ws.Platform), ws.String())
		p.LTrim(ctx, readyKey(ws.Platform), 0, maxSignals-1)
		return nil
	})
}

// ParkedWorkspaces lists the workspaces with parked posts.
func (s *Store) ParkedWorkspaces(ctx context.Context) ([]bot.Workspace, error) {
	return s.workspacesWith(ctx, "outbox:dead")
}

// IncidentWorkspaces lists the workspaces that declared an incident.
func (s *Store) IncidentWorkspaces(ctx context.Context) ([]bot.Workspace, error) {
	return s.workspacesWith(ctx, "all")
}
