package redisstore_test

import (
	"context"
	"fmt"
	neturl "net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/internal/redisstore"
)

const reclaimAfter = 300 * time.Millisecond

// testDB is the database these tests use on a real Redis, emptied once per
// run so that the Redis CI keeps between runs does not grow.
const testDB = 7

var flushed sync.Once

// open returns a store on the embedded Redis, or on the real one that
// INCIDENTBOT_TEST_REDIS_URL names when real is set.
func open(tb testing.TB, real bool) *redisstore.Store {
	tb.Helper()
	url := ""
	if real {
		base := os.Getenv("INCIDENTBOT_TEST_REDIS_URL")
		if base == "" {
			tb.Skip("INCIDENTBOT_TEST_REDIS_URL is not set; CI sets it to run this against a real Redis")
		}
		opt, err := redis.ParseURL(base)
		if err != nil {
			tb.Fatal(err)
		}
		opt.DB = testDB
		flushed.Do(func() {
			rdb := redis.NewClient(opt)
			defer rdb.Close()
			if err := rdb.FlushDB(context.Background()).Err(); err != nil {
				tb.Fatal(err)
			}
		})
		u, _ := neturl.Parse(base)
		u.Path = fmt.Sprintf("/%d", testDB)
		url = u.String()
	}
	s, err := redisstore.Open(context.Background(), redisstore.Options{URL: url, ReclaimAfter: reclaimAfter})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestContractEmbedded(t *testing.T) {
	bottest.Contract{Open: func(t *testing.T) bottest.Backend { return open(t, false) }, ReclaimAfter: reclaimAfter}.Run(t)
}

func TestContractRealRedis(t *testing.T) {
	shared := open(t, true)
	bottest.Contract{Open: func(*testing.T) bottest.Backend { return shared }, ReclaimAfter: reclaimAfter}.Run(t)
}

func TestStatusChangeCostsTwoRoundTrips(t *testing.T) {
	for _, real := range []bool{false, true} {
		name := map[bool]string{false: "Embedded", true: "RealRedis"}[real]
		t.Run(name, func(t *testing.T) {
			s := open(t, real)
			svc := bot.NewService(bot.Options{Store: s, Broadcast: map[bot.Platform]string{bottest.Platform: "C-B"}})
			ws := bottest.NewWorkspace()
			bottest.MustHandle(t, svc, ws, "C1", "declare Counting round trips")
			trips := 0
			s.CountRoundTrips(func(string) { trips++ })
			for _, line := range []string{"identified The cause", "update More news", "monitoring Fixed", "resolved Done"} {
				trips = 0
				bottest.MustHandle(t, svc, ws, "C1", line)
				if trips < 1 || trips > 2 {
					t.Errorf("%q cost %d round trips, want one read and one write at most", line, trips)
				}
			}
		})
	}
}

// BenchmarkTransition measures one status change through the Service: parse,
// one read, plan, one atomic write with its posts queued.
func BenchmarkTransition(b *testing.B) {
	for _, real := range []bool{false, true} {
		b.Run(map[bool]string{false: "Embedded", true: "RealRedis"}[real], func(b *testing.B) {
			s := open(b, real)
			svc := bot.NewService(bot.Options{Store: s, Broadcast: map[bot.Platform]string{bottest.Platform: "C-B"}})
			ws := bottest.NewWorkspace()
			bottest.MustHandle(b, svc, ws, "C1", "declare Benchmark")
			lines := []string{"identified INC-1 The cause", "monitoring INC-1 A fix is out"}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				bottest.MustHandle(b, svc, ws, "C1", lines[i%2])
				i++
			}
		})
	}
}

// TestScriptsLostByRedis: after Redis forgets its scripts (a restart, SCRIPT
// FLUSH), commands still go through, the script sent again. Shown on the
// embedded Redis: flushing a shared real one would slow other tests.
func TestScriptsLostByRedis(t *testing.T) {
	s := open(t, false)
	svc := bot.NewService(bot.Options{Store: s})
	ws := bottest.NewWorkspace()
	bottest.MustHandle(t, svc, ws, "C1", "declare Before the flush")
	if err := s.Client().ScriptFlush(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	bottest.MustHandle(t, svc, ws, "C1", "identified After the flush")
	if n := len(bottest.MustTimeline(t, s, ws, 1)); n != 2 {
		t.Errorf("timeline has %d entries, want 2", n)
	}
}

// TestRoundTripsNamed: the store names each round trip by the script it
// ran: a command costs a find and an apply, a delivered post a take and a
// done that takes the next lane.
func TestRoundTripsNamed(t *testing.T) {
	for _, real := range []bool{false, true} {
		t.Run(map[bool]string{false: "Embedded", true: "RealRedis"}[real], func(t *testing.T) {
			s := open(t, real)
			var mu sync.Mutex
			ops := map[string]int{}
			s.CountRoundTrips(func(op string) { mu.Lock(); ops[op]++; mu.Unlock() })
			svc := bot.NewService(bot.Options{Store: s})
			ws := bottest.NewWorkspace()
			bottest.MustHandle(t, svc, ws, "C1", "declare Counted")
			for _, setup := range []string{"hello", "client", "select"} {
				delete(ops, setup) // a new connection's own, counted too: once a connection
			}
			if ops["find"] != 1 || ops["apply"] != 1 || len(ops) != 2 {
				t.Errorf("a command's round trips: %v; want one find and one apply", ops)
			}
			clear(ops)
			next := &bot.Taking{Workspace: ws, Owner: "counted", Lease: time.Minute}
			l, ok, err := s.Take(context.Background(), next)
			for ok && err == nil {
				l, ok, err = s.Done(context.Background(), l, bot.Result{}, next)
			}
			if err != nil || ops["take"] != 1 || ops["done"] < 2 || ops["relist"] != 1 {
				t.Errorf("delivering a declaration's posts: %v (%v); want one take, a done a post, one relist", ops, err)
			}
		})
	}
}
