package redisstore

import (
	"cmp"
	"context"
	"embed"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/incidentbot/incidentbot/bot"
)

// Options configure a Store.
type Options struct {
	// URL is the Redis to use: redis:// or rediss://, with master_name for
	// Sentinel or several addr parameters for Cluster. Empty starts an
	// embedded in-memory Redis.
	URL    string
	Logger *slog.Logger
	Clock  bot.Clock
	// ReclaimAfter is how long a job may stay claimed before another replica
	// takes it over from a consumer that must have died.
	ReclaimAfter time.Duration
	// RequestTTL is how long a request ID is remembered with its reply.
	RequestTTL time.Duration
	// MinReplicas, when above zero, makes every change wait (Redis WAIT) until
	// that many replicas have it, for at most ReplicaWait.
	MinReplicas int
	ReplicaWait time.Duration
}

// Store is bot.Store and bot.Outbox on Redis.
type Store struct {
	rdb      redis.UniversalClient
	embedded *miniredis.Miniredis
	opt      Options
	replicas replicas
	// unconfirmed holds delivery back while the replicas lag.
	unconfirmed unconfirmed
	// scanned holds the counts RemindDue saw, for RemindLater.
	scanned counts
}

var (
	_ bot.Store  = (*Store)(nil)
	_ bot.Outbox = (*Store)(nil)
)

//go:embed lua/*.lua
var luaFiles embed.FS

// scripts are every script the store runs, loaded ahead by Open, and
// scriptNames names each by its SHA1, for counting round trips.
var (
	scripts     []*redis.Script
	scriptNames = map[string]string{}
)

// script loads lua/<name>.lua, after the files of the functions it uses.
func script(name string, uses ...string) *redis.Script {
	var src []byte
	for _, file := range append(uses, name) {
		part, err := luaFiles.ReadFile("lua/" + file + ".lua")
		if err != nil {
			panic(err) // embedded at build time: a missing file is a build mistake
		}
		src = append(src, part...)
	}
	sc := redis.NewScript(string(src))
	scripts = append(scripts, sc)
	scriptNames[sc.Hash()] = name
	return sc
}

var (
	findScript        = script("find")
	applyScript       = script("apply")
	takeScript        = script("take", "lease")
	doneScript        = script("done", "lease")
	rescheduleScript  = script("reschedule", "lease")
	renewScript       = script("renew")
	dueScript         = script("due")
	relistScript      = script("relist")
	backlogScript     = script("backlog")
	replayScript      = script("replay")
	depthScript       = script("depth")
	remindDueScript   = script("remind_due")
	remindLaterScript = script("remind_later")
	openScript        = script("open")
)

// Open connects to the Redis of o.URL, or starts the embedded one, and loads
// the scripts so that a command costs no extra round trip to send them.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = bot.SystemClock{}
	}
	if o.ReclaimAfter == 0 {
		o.ReclaimAfter = 30 * time.Second
	}
	if o.RequestTTL == 0 {
		o.RequestTTL = 24 * time.Hour
	}
	if o.ReplicaWait == 0 {
		// Under the client's 1 s read timeout, or the wait itself would
		// read as a lost answer.
		o.ReplicaWait = 500 * time.Millisecond
	}
	s := &Store{opt: o}
	url := o.URL
	if url == "" {
		mr, err := miniredis.Run()
		if err != nil {
			return nil, fmt.Errorf("redisstore: starting the embedded Redis: %w", err)
		}
		s.embedded = mr
		url = "redis://" + mr.Addr()
		o.Logger.Warn("REDIS_URL is not set: incidents are kept in an embedded in-memory Redis and are lost when incidentbot stops. Set REDIS_URL to keep them.")
	}
	rdb, err := NewClient(url)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.rdb = rdb
	if throughSentinel(url) && o.MinReplicas != AllReplicas {
		// Sentinel's failover lets the replica left behind confirm writes to
		// the old primary that the new one never gets: the fault suite lost
		// acknowledged changes with 1, and none with all.
		o.Logger.Warn("with Sentinel, a failover can lose changes already acknowledged, after their posts went out; set INCIDENTBOT_REDIS_MIN_REPLICAS=all", "min_replicas", o.MinReplicas)
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		s.Close()
		return nil, fmt.Errorf("redisstore: Redis does not answer: %w", err)
	}
	for _, sc := range scripts {
		// Loading ahead only saves the first EVAL of each script: a slow
		// replica (Cluster loads on every node) must not stop start-up.
		if err := sc.Load(ctx, rdb).Err(); err != nil {
			o.Logger.Warn("redisstore: scripts not loaded ahead; they are sent with their first use", "err", err)
			break
		}
	}
	return s, nil
}

// sentinelMaster is the URL parameter naming Sentinel's master: with it,
// NewClient reaches Redis through Sentinel.
const sentinelMaster = "master_name"

func throughSentinel(rawURL string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && u.Query().Has(sentinelMaster)
}

// NewClient builds the go-redis client a URL describes: Sentinel when it
// names a master_name, Cluster when it lists more nodes with addr, else one
// server.
func NewClient(rawURL string) (redis.UniversalClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redisstore: REDIS_URL: %w", err)
	}
	q := u.Query()
	switch {
	case q.Has(sentinelMaster):
		o, err := redis.ParseFailoverURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("redisstore: REDIS_URL (Sentinel): %w", err)
		}
		tune(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout)
		lean(&o.ReadBufferSize, &o.WriteBufferSize, &o.PipelineReadBufferSize, &o.PipelineWriteBufferSize)
		return redis.NewFailoverClient(o), nil
	case q.Has("addr"):
		o, err := redis.ParseClusterURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("redisstore: REDIS_URL (Cluster): %w", err)
		}
		tune(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout)
		lean(&o.ReadBufferSize, &o.WriteBufferSize, &o.PipelineReadBufferSize, &o.PipelineWriteBufferSize)
		cc := redis.NewClusterClient(o)
		cc.AddHook(&layoutReloader{cc: cc})
		return cc, nil
	}
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redisstore: REDIS_URL: %w", err)
	}
	tune(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout)
	lean(&o.ReadBufferSize, &o.WriteBufferSize, &o.PipelineReadBufferSize, &o.PipelineWriteBufferSize)
	return redis.NewClient(o), nil
}

// Buffer sizes, each way, of connections to Redis. go-redis gives every
// connection 32 KiB each way and those of its pipelines 128 KiB: megabytes
// across the pools, where a command and its answer are a few KiB. A change,
// with its incident, entry and posts, is one pipeline of up to about 10 KiB
// that should reach Redis in one write.
const (
	connBuffer     = 8 << 10
	pipelineBuffer = 32 << 10
)

// lean sizes the connections' buffers the URL leaves unset.
func lean(read, write, pipelineRead, pipelineWrite *int) {
	*read, *write = cmp.Or(*read, connBuffer), cmp.Or(*write, connBuffer)
	*pipelineRead, *pipelineWrite = cmp.Or(*pipelineRead, pipelineBuffer), cmp.Or(*pipelineWrite, pipelineBuffer)
}

// tune shortens go-redis' default timeouts (5 s to dial, 3 s to read) where
// the URL sets none: a responder must hear within 2 seconds that Redis is
// away, not wait for the platform's 3-second limit to pass.
func tune(dial, read, write *time.Duration) {
	for _, t := range []*time.Duration{dial, read, write} {
		if *t == 0 {
			*t = time.Second
		}
	}
}

// Client is the go-redis client, for health checks and tests.
func (s *Store) Client() redis.UniversalClient { return s.rdb }

// Ping checks that Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.rdb.Ping(ctx).Err()
}

// Close releases the client and stops the embedded Redis, if any.
func (s *Store) Close() error {
	var err error
	if s.rdb != nil {
		err = s.rdb.Close()
	}
	if s.embedded != nil {
		s.embedded.Close()
	}
	return err
}
