package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/internal/redisstore"
	"github.com/incidentbot/incidentbot/internal/redisstore/redistest"
)

// poison puts an entry no replica can read into the broadcast lane of
// INC-1, between its jobs, as a rolling deploy of a broken build might.
func poison(t *testing.T, s *redisstore.Store, ws bot.Workspace) {
	t.Helper()
	key := fmt.Sprintf("ib:{ws:%s:%s}:lane:1:broadcast", ws.Platform, ws.ID)
	ctx := context.Background()
	entries, err := s.Client().LRange(ctx, key, 0, -1).Result()
	if err != nil || len(entries) < 2 {
		t.Fatalf("lane %s holds %d entries (%v); want the declaration's", key, len(entries), err)
	}
	// Second in line: the root goes out, then the poison, then the rest.
	if err := s.Client().LInsert(ctx, key, "AFTER", entries[0], "post x\n{not json").Err(); err != nil {
		t.Fatal(err)
	}
}

// TestPoisonEntryParked: an unreadable entry is parked on its own with the
// reason; its lane's later posts and the other lanes go out.
func TestPoisonEntryParked(t *testing.T) {
	for _, real := range []bool{false, true} {
		t.Run(map[bool]string{false: "Embedded", true: "RealRedis"}[real], func(t *testing.T) {
			s := open(t, real)
			svc := bot.NewService(bot.Options{Store: s, Broadcast: map[bot.Platform]string{bottest.Platform: "C-B"}})
			ws := bottest.NewWorkspace()
			bottest.MustHandle(t, svc, ws, "C1", "declare Poisoned")
			poison(t, s, ws)
			bottest.MustHandle(t, svc, ws, "C1", "update INC-1 After the poison")
			p := &bottest.Poster{}
			d := bot.NewDelivery(bot.DeliveryOptions{Outbox: s, Posters: map[bot.Platform]bot.Poster{bottest.Platform: p}, BaseDelay: time.Millisecond})
			bottest.Drain(t, s, d, ws, "w1")
			var broadcast []string
			for _, c := range p.Calls() {
				if c.Channel == "C-B" {
					broadcast = append(broadcast, c.Op+" "+string(c.Message.Kind))
				}
			}
			if got := strings.Join(broadcast, ", "); got != "post summary, post entry, post entry, edit summary" {
				t.Errorf("the broadcast lane delivered %q; want everything but the poison, in order", got)
			}
			parked, err := s.Parked(context.Background(), ws, 1)
			if err != nil || len(parked) != 1 || !parked[0].Unreadable || !strings.Contains(parked[0].Reason, "undecodable job") || parked[0].Lane != "1:broadcast" {
				t.Fatalf("parked %+v, %v; want the poison, unreadable, with its reason", parked, err)
			}
			if _, err := s.Replay(context.Background(), parked); !errors.Is(err, redisstore.ErrUnreadable) {
				t.Errorf("replaying the poison: %v, want ErrUnreadable", err)
			}
			if n, err := s.Purge(context.Background(), parked); err != nil || n != 1 {
				t.Errorf("purge: %d, %v", n, err)
			}
			if bl, _ := s.Backlog(context.Background(), ws); bl != (bot.Backlog{}) {
				t.Errorf("backlog %+v after the purge; want nothing", bl)
			}
		})
	}
}

// TestParkedReplayed: a post parked after failing goes out again, once,
// after a replay; the dead-letter stream keeps nothing of it.
func TestParkedReplayed(t *testing.T) {
	s := open(t, false)
	svc := bot.NewService(bot.Options{Store: s})
	ws := bottest.NewWorkspace()
	bottest.MustHandle(t, svc, ws, "C1", "declare Parked then replayed")
	p := &bottest.Poster{}
	p.Fail = func(c bottest.Call) error {
		if c.Op == "open" {
			return bot.PermanentError{Err: errors.New("missing scope")}
		}
		return nil
	}
	d := bot.NewDelivery(bot.DeliveryOptions{Outbox: s, Posters: map[bot.Platform]bot.Poster{bottest.Platform: p}})
	bottest.Drain(t, s, d, ws, "w1")
	parked, err := s.Parked(context.Background(), ws, 0)
	if err != nil || len(parked) != 1 || parked[0].Op != bot.OpOpen || !strings.Contains(parked[0].Reason, "missing scope") {
		t.Fatalf("parked %+v, %v; want the channel opening", parked, err)
	}
	p.Fail = nil
	if n, err := s.Replay(context.Background(), parked); err != nil || n != 1 {
		t.Fatalf("replay: %d, %v", n, err)
	}
	bottest.Drain(t, s, d, ws, "w1")
	opened := 0
	for _, c := range p.Calls() {
		if c.Op == "open" {
			opened++
			if !c.Retry {
				t.Error("a replayed post is not looked for first; it may have gone out before it was parked")
			}
		}
	}
	if bl, _ := s.Backlog(context.Background(), ws); opened != 1 || bl.Parked != 0 {
		t.Errorf("opened %d times, backlog %+v; want once, nothing parked", opened, bl)
	}
}

// BenchmarkDelivery measures delivery alone, as replicas run it, against a
// poster that answers at once: posts a second, and Redis round trips a post
// (the delivering replica's, counted by its store). 50 incidents'
// declarations and updates are queued before the clock starts.
func BenchmarkDelivery(b *testing.B) {
	for _, real := range []bool{false, true} {
		b.Run(map[bool]string{false: "Embedded", true: "RealRedis"}[real], func(b *testing.B) {
			queuer := open(b, real)
			watcher := openLike(b, queuer)
			svc := bot.NewService(bot.Options{Store: queuer, Broadcast: map[bot.Platform]string{bottest.Platform: "C-B"}})
			var posts, trips int64
			var elapsed time.Duration
			for b.Loop() {
				b.StopTimer()
				ws := bottest.NewWorkspace()
				for i := range 50 {
					bottest.MustHandle(b, svc, ws, "C1", fmt.Sprintf("declare Incident %d", i))
					bottest.MustHandle(b, svc, ws, "C1", fmt.Sprintf("update INC-%d news", i+1))
				}
				deliverer := openLike(b, queuer)
				var counted atomic.Int64
				var counting atomic.Bool
				counting.Store(true)
				deliverer.CountRoundTrips(func(string) {
					if counting.Load() {
						counted.Add(1)
					}
				})
				p := &bottest.Poster{}
				d := bot.NewDelivery(bot.DeliveryOptions{Outbox: deliverer, Posters: map[bot.Platform]bot.Poster{bottest.Platform: p}, Workers: map[bot.Platform]int{bottest.Platform: 8}})
				ctx, cancel := context.WithCancel(context.Background())
				b.StartTimer()
				start := time.Now()
				go d.Run(ctx)
				for {
					bl, err := watcher.Backlog(context.Background(), ws)
					if err != nil {
						b.Fatal(err)
					}
					if bl.Queued == 0 {
						break
					}
					time.Sleep(time.Millisecond)
				}
				elapsed += time.Since(start)
				b.StopTimer()
				counting.Store(false)
				cancel()
				posts += int64(len(p.Calls()))
				trips += counted.Load()
				b.StartTimer()
			}
			b.ReportMetric(float64(posts)/elapsed.Seconds(), "posts/s")
			b.ReportMetric(float64(trips)/float64(posts), "redis-trips/post")
		})
	}
}

// openLike opens another store, a replica of its own, on the Redis s uses.
func openLike(tb testing.TB, s *redisstore.Store) *redisstore.Store {
	tb.Helper()
	o := s.Client().(*redis.Client).Options()
	return redistest.Open(tb, fmt.Sprintf("redis://%s/%d", o.Addr, o.DB))
}

// TestNewerJobLeftAlone: a job of a later format, queued by a newer
// replica during a rolling deploy, is neither parked nor guessed at: it
// waits for a replica that can read it.
func TestNewerJobLeftAlone(t *testing.T) {
	s := open(t, false)
	svc := bot.NewService(bot.Options{Store: s})
	ws := bottest.NewWorkspace()
	bottest.MustHandle(t, svc, ws, "C1", "declare From the future")
	ctx := context.Background()
	key := fmt.Sprintf("ib:{ws:%s:%s}:lane:1:channel", ws.Platform, ws.ID)
	head, err := s.Client().LIndex(ctx, key, 0).Result()
	if err != nil {
		t.Fatal(err)
	}
	s.Client().LSet(ctx, key, 0, strings.Replace(head, `"v":1`, `"v":99`, 1))
	p := &bottest.Poster{}
	d := bot.NewDelivery(bot.DeliveryOptions{Outbox: s, Posters: map[bot.Platform]bot.Poster{bottest.Platform: p}})
	for {
		l, ok, err := s.Take(ctx, &bot.Taking{Workspace: ws, Owner: "old", Lease: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		d.Deliver(ctx, l, nil)
	}
	for _, c := range p.Calls() {
		if c.Op == "open" {
			t.Error("an old replica made the newer job's call")
		}
	}
	if bl, _ := s.Backlog(ctx, ws); bl.Parked != 0 || bl.Queued != 2 {
		t.Errorf("backlog %+v; want the newer job and the one behind it waiting, nothing parked", bl)
	}
}

// TestGauges: what the metrics read from the store across replicas: posts
// queued and how old the oldest is, posts parked, open incidents by impact.
func TestGauges(t *testing.T) {
	s := open(t, false)
	svc := bot.NewService(bot.Options{Store: s})
	ws := bottest.NewWorkspace()
	bottest.MustHandle(t, svc, ws, "C1", "declare One --impact major")
	bottest.MustHandle(t, svc, ws, "C1", "declare Two --impact critical")
	bottest.MustHandle(t, svc, ws, "C1", "declare Three --impact critical")
	bottest.MustHandle(t, svc, ws, "C1", "resolved INC-3 Over")
	ctx := context.Background()
	l, ok, err := s.Take(ctx, &bot.Taking{Workspace: ws, Owner: "test", Lease: time.Minute})
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if _, _, err := s.Park(ctx, l, "test", nil); err != nil {
		t.Fatal(err)
	}
	g, err := s.Gauges(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := ws.Platform
	bl, _ := s.Backlog(ctx, ws)
	if g.Queued[p] != bl.Queued || g.Parked[p] != 1 || g.Oldest[p] <= 0 {
		t.Errorf("gauges %+v; want %d queued, 1 parked, an age", g, bl.Queued)
	}
	if open := g.Open[p]; open[bot.ImpactMajor] != 1 || open[bot.ImpactCritical] != 1 {
		t.Errorf("open incidents %v; want one major, one critical (the third is resolved)", open)
	}
}
