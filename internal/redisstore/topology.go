package redisstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/incidentbot/incidentbot/bot"
)

// AllReplicas, as Options.MinReplicas, waits for every replica the primary
// reports: on a planned failover no replica that missed a change can be
// promoted.
const AllReplicas = -1

// writer is the client a change's script and WAIT go through: on Cluster
// the primary owning key's slot; elsewhere the store's own client.
func (s *Store) writer(ctx context.Context, key string) (redis.Cmdable, error) {
	cc, ok := s.rdb.(*redis.ClusterClient)
	if !ok || s.opt.MinReplicas == 0 {
		return s.rdb, nil
	}
	node, err := cc.MasterForKey(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("redisstore: the primary of %s: %w", key, err)
	}
	return node, nil
}

// cluster reports whether the store is on Redis Cluster, where keys of
// different slots live on different primaries.
func (s *Store) cluster() bool {
	_, ok := s.rdb.(*redis.ClusterClient)
	return ok
}

// replicaCountTTL is how long a primary's count of replicas is trusted.
const replicaCountTTL = 3 * time.Second

// replicaMemory is how long the most replicas seen are still waited for
// after fewer are reported. Right after a failover the new primary reports
// none, or fewer, while the others attach: acknowledging then on its word
// alone would let the next failover lose what it acknowledged.
const replicaMemory = time.Minute

type replicaCount struct {
	n  int
	at time.Time
}

// replicas counts the replicas changes wait for with AllReplicas.
type replicas struct {
	mu     sync.Mutex
	byNode map[redis.Cmdable]replicaCount
	most   replicaCount
}

// replicasWanted is how many replicas a change written through w must reach
// before it is acknowledged: MinReplicas, or with AllReplicas every replica
// w's primary reports (read again every few seconds), and no fewer than the
// most seen within replicaMemory.
func (s *Store) replicasWanted(ctx context.Context, w redis.Cmdable) int {
	if s.opt.MinReplicas != AllReplicas {
		return s.opt.MinReplicas
	}
	r := &s.replicas
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byNode == nil {
		r.byNode = map[redis.Cmdable]replicaCount{}
	}
	c, ok := r.byNode[w]
	if !ok || time.Since(c.at) >= replicaCountTTL {
		if info, err := w.Info(ctx, "replication").Result(); err == nil {
			c = replicaCount{connectedReplicas(info), time.Now()}
			r.byNode[w] = c
		}
	}
	if c.n >= r.most.n || time.Since(r.most.at) > replicaMemory {
		r.most = replicaCount{c.n, time.Now()}
	}
	return r.most.n
}

func connectedReplicas(info string) int {
	n := 0
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "connected_slaves:"); ok {
			fmt.Sscanf(v, "%d", &n)
		}
	}
	return n
}

// reloadFloor is the least time between two reloads of the Cluster layout
// a failing node asks for.
const reloadFloor = 250 * time.Millisecond

// layoutReloader reloads the Cluster layout as soon as a node fails, instead
// of at go-redis's minute-long refresh: a replica promoted after its primary
// died is used within a second of the promotion.
type layoutReloader struct {
	cc   *redis.ClusterClient
	mu   sync.Mutex
	last time.Time
}

func (r *layoutReloader) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		r.failed(ctx, err)
		return conn, err
	}
}

func (r *layoutReloader) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		r.failed(ctx, err)
		return err
	}
}

func (r *layoutReloader) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		r.failed(ctx, err)
		return err
	}
}

// failed asks for a reload after an error that says a node is gone or no
// longer the primary.
func (r *layoutReloader) failed(ctx context.Context, err error) {
	if !nodeFailure(err) {
		return
	}
	r.mu.Lock()
	due := time.Since(r.last) >= reloadFloor
	if due {
		r.last = time.Now()
	}
	r.mu.Unlock()
	if due {
		r.cc.ReloadState(ctx)
	}
}

func nodeFailure(err error) bool {
	if err == nil || errors.Is(err, redis.Nil) {
		return false
	}
	var nerr net.Error
	if errors.As(err, &nerr) || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
		return true
	}
	msg := err.Error()
	return strings.HasPrefix(msg, "CLUSTERDOWN") || strings.HasPrefix(msg, "READONLY") || strings.Contains(msg, "connection refused")
}

// Writable reports whether the bot can write: on Cluster every primary that
// owns slots answers; elsewhere the node written to answers and is a
// primary, not a replica left behind by a failover.
func (s *Store) Writable(ctx context.Context) error {
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			if err := node.Ping(ctx).Err(); err != nil {
				return fmt.Errorf("redisstore: primary %s: %w", node.Options().Addr, err)
			}
			return nil
		})
	}
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return err
	}
	info, err := s.rdb.Info(ctx, "replication").Result()
	if err != nil {
		return nil // a Redis without replication to report (the embedded one)
	}
	if strings.Contains(info, "role:slave") {
		return errors.New("redisstore: the node written to is a replica")
	}
	return nil
}

// evalDurable runs a delivery script, after the commands ahead adds (nil
// for none) in the same round trip, and, when changes wait for replicas,
// WAITs on the same connection, so that what delivery recorded (a lease, a
// post done) survives a failover as the changes do. Otherwise a promoted
// replica could lack a lease and hand its lane out as new, and a post that
// went out would go out again unchecked. It returns an *UnreplicatedError
// when fewer replicas than wanted confirmed the script's writes and a lease
// they wrote must not be posted under yet (unconfirmed.hold).
func (s *Store) evalDurable(ctx context.Context, ahead func(redis.Pipeliner), sc *redis.Script, keys []string, args ...any) (*redis.Cmd, *bot.UnreplicatedError) {
	var writer redis.Cmdable = s.rdb
	wanted := 0
	if s.opt.MinReplicas != 0 {
		var err error
		if writer, err = s.writer(ctx, keys[0]); err != nil {
			cmd := redis.NewCmd(ctx)
			cmd.SetErr(err)
			return cmd, nil
		}
		wanted = s.replicasWanted(ctx, writer)
	}
	if ahead != nil && writer != s.rdb {
		// On Cluster the commands ahead live in another slot than the
		// script, which goes to its primary directly: apart, before.
		s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error { ahead(p); return nil })
		ahead = nil
	}
	var wait *redis.Cmd
	run := func(bySHA bool) *redis.Cmd {
		var res *redis.Cmd
		writer.Pipelined(ctx, func(p redis.Pipeliner) error {
			if ahead != nil {
				ahead(p)
			}
			if bySHA {
				res = sc.EvalSha(ctx, p, keys, args...)
			} else {
				res = sc.Eval(ctx, p, keys, args...)
			}
			if wanted > 0 {
				wait = p.Do(ctx, "WAIT", wanted, s.opt.ReplicaWait.Milliseconds())
			}
			return nil
		})
		return res
	}
	res := run(true)
	if redis.HasErrorPrefix(res.Err(), "NOSCRIPT") {
		res = run(false)
	}
	if wait != nil && res.Err() == nil {
		acked, _ := wait.Int64()
		unrep := &bot.UnreplicatedError{Confirmed: int(acked), Wanted: wanted}
		hold, goOn := s.unconfirmed.hold(acked >= int64(wanted), time.Now())
		if hold {
			return res, unrep
		}
		if goOn {
			s.opt.Logger.Warn("redisstore: the replicas have confirmed none of delivery's writes for a while; posting without them", "for", holdLimit, "err", unrep)
		}
	}
	return res, nil
}

// holdLimit is how long delivery holds its posts back while the replicas do
// not confirm its leases. A failover settles within it (Sentinel's default
// wait to declare a primary down is 30 s): a primary being replaced may take
// writes its successor never gets, and even a replica that confirmed a
// write may resynchronise from a successor that lacks it. A post made under
// a lease lost so would be made again, unlooked for, by whoever takes the
// lane next. Replicas that are gone confirm nothing however long delivery
// waits: past the limit it goes on, as commands do, warned.
const holdLimit = 30 * time.Second

// unconfirmed is since when the replicas have not confirmed delivery's
// writes.
type unconfirmed struct {
	mu     sync.Mutex
	since  time.Time
	goneOn bool // past holdLimit, and said so
}

// hold notes whether a write was confirmed at now, and reports whether a
// lease it wrote must wait: unconfirmed, and not yet for holdLimit. goOn
// is true once, when delivery first goes on past the limit.
func (u *unconfirmed) hold(confirmed bool, now time.Time) (hold, goOn bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	switch {
	case confirmed:
		u.since, u.goneOn = time.Time{}, false
		return false, false
	case u.since.IsZero():
		u.since = now
	}
	if now.Sub(u.since) < holdLimit {
		return true, false
	}
	goOn, u.goneOn = !u.goneOn, true
	return false, goOn
}
