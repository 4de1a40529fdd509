package redisstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/incidentbot/incidentbot/bot"
)

// Find resolves a lookup with one script: one round trip.
func (s *Store) Find(ctx context.Context, l bot.Lookup) (bot.Found, error) {
	k := keysOf(l.Workspace)
	res, err := findScript.Run(ctx, s.rdb,
		[]string{k.request(requestID(l.RequestID)), k.seq(), k.channels(), k.open()},
		l.Number, l.Channel, k.incPrefix(), bot.MaxListed).StringSlice()
	if err != nil {
		return bot.Found{}, fmt.Errorf("redisstore: find in %s: %w", l.Workspace, err)
	}
	var f bot.Found
	if res[0] == "prior" {
		var r bot.Reply
		if err := json.Unmarshal([]byte(res[1]), &r); err != nil {
			return bot.Found{}, fmt.Errorf("redisstore: stored reply of %s: %w", l.RequestID, err)
		}
		r.Replayed = true
		f.Prior = &r
		return f, nil
	}
	if f.LastNumber, err = strconv.Atoi(res[1]); err != nil {
		return bot.Found{}, fmt.Errorf("redisstore: incident counter of %s: %w", l.Workspace, err)
	}
	if f.Bound, err = strconv.Atoi(res[2]); err != nil {
		return bot.Found{}, fmt.Errorf("redisstore: channel binding of %s: %w", l.Channel, err)
	}
	for _, raw := range res[3:] {
		if raw == "" {
			continue
		}
		inc, err := decodeIncident(raw)
		if err != nil {
			return bot.Found{}, err
		}
		if res[0] == "incident" {
			f.Incident = &inc
		} else {
			f.Open = append(f.Open, inc)
		}
	}
	return f, nil
}

// Apply makes a change with one script: one round trip. A change that queues
// posts first lists its workspace as active, so delivery loops find them; a
// listing without the change that should follow is harmless.
func (s *Store) Apply(ctx context.Context, c bot.Change) (bot.Reply, error) {
	inc := c.Incident
	k := keysOf(c.Workspace)
	incJSON, err := json.Marshal(inc)
	if err != nil {
		return bot.Reply{}, fmt.Errorf("redisstore: encoding %s: %w", inc.Ref(), err)
	}
	entryJSON := []byte{}
	if c.Entry != nil {
		if entryJSON, err = json.Marshal(c.Entry); err != nil {
			return bot.Reply{}, fmt.Errorf("redisstore: encoding entry of %s: %w", inc.Ref(), err)
		}
	}
	replyJSON, err := json.Marshal(c.Reply)
	if err != nil {
		return bot.Reply{}, fmt.Errorf("redisstore: encoding reply: %w", err)
	}
	open := "0"
	if inc.Open() {
		open = "1"
	}
	auditJSON := []byte{}
	if c.Audit != nil {
		if auditJSON, err = json.Marshal(c.Audit); err != nil {
			return bot.Reply{}, fmt.Errorf("redisstore: encoding the audit record of %s: %w", inc.Ref(), err)
		}
	}
	// The open incidents of every workspace are written by the script
	// itself, with the change or not at all, except on Cluster, where they
	// live in another slot and the change sends them a hint once applied.
	openField, openImpact := openEntry(c.Workspace, inc)
	if s.cluster() {
		openField = ""
	}
	args := []any{inc.Version, incJSON, inc.Number, open, inc.DeclaredAt.UnixMilli(), entryJSON, replyJSON, int(s.opt.RequestTTL.Seconds()), auditJSON, auditCap,
		openField, openImpact}
	keys := []string{k.request(requestID(c.RequestID)), k.incident(inc.Number), k.timeline(inc.Number), k.seq(), k.open(), k.all(), k.lanes(), k.audit(), k.refs(inc.Number)}
	entries := entryBuffers.Get().(*bytes.Buffer)
	defer entryBuffers.Put(entries) // once the script has gone out with them
	entries.Reset()
	ends := make([]int, len(c.Jobs))
	for i := range c.Jobs {
		if err := writeJobEntry(entries, &c.Jobs[i]); err != nil {
			return bot.Reply{}, fmt.Errorf("redisstore: encoding job of %s: %w", inc.Ref(), err)
		}
		ends[i] = entries.Len()
	}
	start := 0
	for i, j := range c.Jobs {
		lane := laneName(j.Incident, j.Lane)
		keys = append(keys, k.lane(lane))
		args = append(args, lane, entries.Bytes()[start:ends[i]])
		start = ends[i]
	}
	if openField != "" {
		keys = append(keys, openKey)
	}
	res, err := s.applyListed(ctx, c, keys, args)
	if err != nil {
		return bot.Reply{}, fmt.Errorf("redisstore: apply to %s of %s: %w", inc.Ref(), c.Workspace, err)
	}
	switch res[0] {
	case "conflict":
		return bot.Reply{}, bot.ErrConflict
	case "prior":
		var r bot.Reply
		if err := json.Unmarshal([]byte(res[1]), &r); err != nil {
			return bot.Reply{}, fmt.Errorf("redisstore: stored reply of %s: %w", c.RequestID, err)
		}
		r.Replayed = true
		return r, nil
	}
	return c.Reply, nil
}

// applyListed runs the apply script pipelined behind the listing of the
// workspace for delivery, and before the WAIT for replicas when one is
// asked for: one round trip, on one connection, which is what WAIT needs to
// count this write. EVALSHA cannot fall back to EVAL inside a pipeline, so
// after Redis lost its scripts (a restart) it is sent again as EVAL.
func (s *Store) applyListed(ctx context.Context, c bot.Change, keys []string, args []any) ([]string, error) {
	res, acked, wanted, err := s.applyPipeline(ctx, c, keys, args, true)
	if redis.HasErrorPrefix(err, "NOSCRIPT") {
		res, acked, wanted, err = s.applyPipeline(ctx, c, keys, args, false)
	}
	if err != nil {
		if uncertain(err) {
			return nil, fmt.Errorf("%w: %v", bot.ErrUncertain, err)
		}
		return nil, err
	}
	if wanted > 0 && res[0] == "ok" && acked < int64(wanted) {
		return res, &bot.UnreplicatedError{Confirmed: int(acked), Wanted: wanted}
	}
	return res, nil
}

func (s *Store) applyPipeline(ctx context.Context, c bot.Change, keys []string, args []any, bySHA bool) ([]string, int64, int, error) {
	var res, wait *redis.Cmd
	ws := c.Workspace.String()
	// Each command's own error is read below: the hints are only hints, and
	// a WAIT that fails leaves the change applied, just unconfirmed.
	before := func(p redis.Pipeliner) {
		if len(c.Jobs) > 0 {
			// Listed before the change is written, so no drain that began
			// earlier can unlist the workspace after it; signalled after,
			// so the replica that pops the signal finds the posts.
			p.HIncrBy(ctx, queuedKey, ws, 1)
			p.ZAddLT(ctx, dueKey, redis.Z{Score: 0, Member: ws})
		}
	}
	script := func(p redis.Pipeliner) {
		if bySHA {
			res = applyScript.EvalSha(ctx, p, keys, args...)
		} else {
			res = applyScript.Eval(ctx, p, keys, args...)
		}
	}
	after := func(p redis.Pipeliner) {
		notePage(ctx, p, c)
		if !c.RemindAt.IsZero() {
			// Counted, then listed, after the change: a reminder scan that
			// read the incidents before it either sees the count moved and
			// leaves the workspace due, or is followed by the listing.
			p.HIncrBy(ctx, remindCountKey, ws, 1)
			p.ZAddLT(ctx, remindKey, redis.Z{Score: float64(c.RemindAt.UnixMilli()), Member: ws})
		}
		if len(c.Jobs) > 0 {
			p.LPush(ctx, readyKey(c.Workspace.Platform), ws)
			p.LTrim(ctx, readyKey(c.Workspace.Platform), 0, maxSignals-1) // unheard signals: the sweep covers them
		}
	}
	writer, err := s.writer(ctx, keys[1])
	if err != nil {
		return nil, 0, 0, err
	}
	wanted := s.replicasWanted(ctx, writer)
	waitFor := func(p redis.Pipeliner) {
		if wanted > 0 {
			wait = p.Do(ctx, "WAIT", wanted, s.opt.ReplicaWait.Milliseconds())
		}
	}
	if !s.cluster() {
		s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error { before(p); script(p); after(p); waitFor(p); return nil })
	} else {
		// On Cluster, a pipeline reaches the primaries its keys live on at
		// once, in no order between them. So the listing goes out before
		// the script and the signal after its answer, each a round trip of
		// its own; and the script and WAIT go to the primary that owns the
		// workspace, on one connection, so WAIT counts that primary's
		// replicas. The open incidents, which the script writes itself on
		// one server, are sent the change only once it was applied.
		s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error { before(p); return nil })
		writer.Pipelined(ctx, func(p redis.Pipeliner) error { script(p); waitFor(p); return nil })
		s.afterOnCluster(ctx, c, res, after)
	}
	out, err := res.StringSlice()
	if err != nil || wait == nil {
		return out, 0, wanted, err
	}
	acked, _ := wait.Int64()
	return out, acked, wanted, nil
}

// afterOnCluster sends what follows an applied change on Cluster: the
// signals after, and the open-incidents entry, which the apply script
// writes itself on one server but which lives on another primary here.
// The entry is sent only for a change the script applied, so a refused
// plan never writes one; hints of several replicas may land in any order,
// and open.lua keeps the newest version's.
func (s *Store) afterOnCluster(ctx context.Context, c bot.Change, res *redis.Cmd, after func(redis.Pipeliner)) {
	out, err := res.StringSlice()
	applied := err == nil && len(out) > 0 && out[0] == "ok"
	hint := openArgs(c.Workspace, c.Incident)
	var open *redis.Cmd
	s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		after(p)
		if applied {
			open = openScript.EvalSha(ctx, p, openKeys, hint...)
		}
		return nil
	})
	if open != nil && redis.HasErrorPrefix(open.Err(), "NOSCRIPT") {
		// The registry's primary lost its scripts although the
		// workspace's did not (a replica promoted since): sent again as
		// EVAL, which loads it there.
		openScript.Run(ctx, s.rdb, openKeys, hint...)
	}
}

// uncertain reports whether a failed write may have been applied all the
// same: its answer, not its request, was lost. A refused connection, a full
// pool or an error Redis answered mean it was not.
func uncertain(err error) bool {
	var rerr redis.Error
	var op *net.OpError
	switch {
	case errors.As(err, &rerr), errors.Is(err, redis.ErrPoolTimeout), errors.Is(err, redis.ErrClosed):
		return false
	case errors.As(err, &op) && op.Op == "dial":
		return false
	}
	return true
}

// Timeline returns every entry of an incident, oldest first.
func (s *Store) Timeline(ctx context.Context, ws bot.Workspace, number int) ([]bot.Entry, error) {
	raws, err := s.rdb.LRange(ctx, keysOf(ws).timeline(number), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: timeline of %s in %s: %w", bot.FormatRef(number), ws, err)
	}
	return decodeEntries(raws, number)
}

// TimelineEnds returns an incident's first head and last tail entries in
// one round trip: a report of a long incident reads no more than that.
func (s *Store) TimelineEnds(ctx context.Context, ws bot.Workspace, number, head, tail int) ([]bot.Entry, []bot.Entry, error) {
	key := keysOf(ws).timeline(number)
	var first, last *redis.StringSliceCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		first = p.LRange(ctx, key, 0, int64(head)-1)
		last = p.LRange(ctx, key, -int64(tail), -1)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("redisstore: timeline of %s in %s: %w", bot.FormatRef(number), ws, err)
	}
	firstEntries, err := decodeEntries(first.Val(), number)
	if err != nil {
		return nil, nil, err
	}
	lastEntries, err := decodeEntries(last.Val(), number)
	return firstEntries, lastEntries, err
}

func decodeEntries(raws []string, number int) ([]bot.Entry, error) {
	entries := make([]bot.Entry, len(raws))
	for i, raw := range raws {
		if err := json.Unmarshal([]byte(raw), &entries[i]); err != nil {
			return nil, fmt.Errorf("redisstore: entry %d of %s: %w", i+1, bot.FormatRef(number), err)
		}
	}
	return entries, nil
}

// Declared returns the incidents declared since then, oldest first.
func (s *Store) Declared(ctx context.Context, ws bot.Workspace, since time.Time) ([]bot.Incident, error) {
	k := keysOf(ws)
	numbers, err := s.rdb.ZRangeByScore(ctx, k.all(), &redis.ZRangeBy{Min: strconv.FormatInt(since.UnixMilli(), 10), Max: "+inf"}).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: incidents of %s: %w", ws, err)
	}
	return s.incidents(ctx, k, numbers)
}

// List returns the newest open incidents, or the newest of all.
func (s *Store) List(ctx context.Context, ws bot.Workspace, all bool) ([]bot.Incident, error) {
	k := keysOf(ws)
	index := k.open()
	if all {
		index = k.all()
	}
	numbers, err := s.rdb.ZRevRange(ctx, index, 0, bot.MaxListed-1).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: listing %s: %w", ws, err)
	}
	return s.incidents(ctx, k, numbers)
}

// incidents reads incidents by number, in one round trip; one indexed but
// gone is passed over.
func (s *Store) incidents(ctx context.Context, k keys, numbers []string) ([]bot.Incident, error) {
	if len(numbers) == 0 {
		return nil, nil
	}
	cmds := make([]*redis.StringCmd, len(numbers))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, n := range numbers {
			cmds[i] = p.HGet(ctx, k.incPrefix()+n, "json")
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("redisstore: reading incidents: %w", err)
	}
	var incs []bot.Incident
	for _, c := range cmds {
		if c.Err() != nil {
			continue // indexed but gone: nothing to show
		}
		inc, err := decodeIncident(c.Val())
		if err != nil {
			return nil, err
		}
		incs = append(incs, inc)
	}
	return incs, nil
}

func decodeIncident(raw string) (bot.Incident, error) {
	var inc bot.Incident
	if err := json.Unmarshal([]byte(raw), &inc); err != nil {
		return inc, fmt.Errorf("redisstore: stored incident: %w", err)
	}
	if !inc.Status.Valid() {
		return inc, fmt.Errorf("redisstore: stored incident %s has status %q", inc.Ref(), inc.Status)
	}
	return inc, nil
}

// requestID stands in a fresh random ID for a request that came without
// one, so that it is remembered under a key no other request shares.
func requestID(id string) string {
	if id != "" {
		return id
	}
	return "anon-" + rand.Text()
}
