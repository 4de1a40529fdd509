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

// replicaCountTTL is how long a primary's count of replicas is trusted.
const replicaCountTTL = 3 * time.Second

type replicaCount struct {
	n  int
	at time.Time
}

var counts struct {
	sync.Mutex
	byNode map[redis.Cmdable]replicaCount
}

// replicasWanted is how many replicas a change written through w must reach
// before it is acknowledged: MinReplicas, or with AllReplicas every replica
// w's primary reports now (read again every few seconds).
func (s *Store) replicasWanted(ctx context.Context, w redis.Cmdable) int {
	if s.opt.MinReplicas != AllReplicas {
		return s.opt.MinReplicas
	}
	counts.Lock()
	defer counts.Unlock()
	if counts.byNode == nil {
		counts.byNode = map[redis.Cmdable]replicaCount{}
	}
	if c, ok := counts.byNode[w]; ok && time.Since(c.at) < replicaCountTTL {
		return c.n
	}
	info, err := w.Info(ctx, "replication").Result()
	if err != nil {
		return counts.byNode[w].n // the last count; 0 before any
	}
	n := 0
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "connected_slaves:"); ok {
			fmt.Sscanf(v, "%d", &n)
		}
	}
	counts.byNode[w] = replicaCount{n, time.Now()}
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
