package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/internal/chattest"
	"github.com/incidentbot/incidentbot/internal/redisstore/redistest"
)

// slowMethods are the Slack methods delivery calls.
var slowMethods = []string{"chat.postMessage", "chat.update", "conversations.create", "conversations.invite",
	"conversations.setTopic", "conversations.history", "conversations.replies", "conversations.list"}

// slowSlack is a fake Slack answering every call delivery makes after d.
func slowSlack(t *testing.T, d time.Duration) *chattest.Slack {
	fake := chattest.NewSlack(t)
	for _, m := range slowMethods {
		fake.SlowNext(m, 100000, d)
	}
	return fake
}

// declareMany opens incidents INC-1 to INC-n at addr.
func declareMany(t *testing.T, r *responder, addr string, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		declareNumber(t, r, addr, i)
	}
}

// declareNumber declares "Incident <i>", which must become INC-<i>.
func declareNumber(t *testing.T, r *responder, addr string, i int) {
	t.Helper()
	reply, err := r.send(addr, "C0GENERAL", fmt.Sprintf("declare Incident %d", i))
	if err != nil || !strings.HasPrefix(reply, fmt.Sprintf("Declared INC-%d", i)) {
		t.Fatalf("declare %d: %q, %v", i, reply, err)
	}
}

// spread sends n updates over incidents INC-1 to INC-incidents, from workers
// responders at once, to the incidentbots at addrs in turn.
func spread(r *responder, addrs []string, n, incidents, workers int) {
	inTurn(n, workers, nil, func(i int) { r.update(addrs[i%len(addrs)], fmt.Sprintf("update INC-%d", i%incidents+1)) })
}

// checkEach waits for every post, then checks each incident as its readers
// see it: every acknowledged update recorded once, and shown once, in
// timeline order, in the incident's channel and in its broadcast thread.
func checkEach(t *testing.T, redisURL string, r *responder, fake *chattest.Slack) tally {
	t.Helper()
	st := redistest.Open(t, redisURL)
	ws := r.workspace()
	waitDelivered(t, st, ws, 90*time.Second)
	// A listing shows only the newest incidents: every number up to the
	// highest is read, however many a test declared.
	listed, err := st.List(context.Background(), ws, true)
	if err != nil {
		t.Fatal(err)
	}
	last := 0
	for _, inc := range listed {
		last = max(last, inc.Number)
	}
	var res tally
	inTimeline := map[string]int{}
	roots := fake.Messages("C0BROADCAST")
	for number := 1; number <= last; number++ {
		ref := bot.FormatRef(number)
		entries, err := st.Timeline(context.Background(), ws, number)
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, e := range entries {
			if tok := token(e.Message); tok != "" {
				inTimeline[tok]++
				order = append(order, tok)
			}
		}
		res.postsExpected += 2 * len(order)
		var channel, thread []string
		for _, c := range fake.Channels() {
			if strings.HasPrefix(c.Name, fmt.Sprintf("inc-%d-", number)) {
				for _, m := range fake.Messages(c.ID) {
					channel = append(channel, tokens(m.Text+plainJSON(m.Attachments))...)
				}
			}
		}
		for _, m := range roots {
			if m.ThreadTS == "" && strings.Contains(m.Text, ref+" ·") {
				for _, reply := range fake.Thread("C0BROADCAST", m.TS) {
					thread = append(thread, tokens(reply.Text+plainJSON(reply.Attachments))...)
				}
			}
		}
		res.postsSeen += len(channel) + len(thread)
		for what, got := range map[string][]string{"channel": channel, "broadcast thread": thread} {
			if !slices.Equal(got, order) {
				res.problems = append(res.problems, fmt.Sprintf("%s's %s shows %d updates out of order or not once each (timeline has %d)", ref, what, len(got), len(order)))
			}
		}
	}
	r.mu.Lock()
	res.acknowledged = len(r.acked)
	for _, tok := range r.acked {
		if inTimeline[tok] == 0 {
			res.lost++
		}
	}
	r.mu.Unlock()
	for _, n := range inTimeline {
		res.recorded++
		if n > 1 {
			res.duplicated++
		}
	}
	if dups := fake.Duplicates(); dups != nil {
		res.duplicated += len(dups)
		res.problems = append(res.problems, fmt.Sprintf("readers see duplicates: %q", dups))
	}
	return res
}

// TestFaultsSlowPlatform: two and three replicas, Slack answering every
// call slowly, commands spread over 20 incidents. Each lane is held by one
// replica at a time, so nothing is shown twice however slow the calls: with
// calls of 200 ms and leases of 1 s (renewed while a call is in flight),
// and with calls of 2.5 s and the default settings.
func TestFaultsSlowPlatform(t *testing.T) {
	for _, tc := range []struct {
		name     string
		call     time.Duration
		vars     map[string]string
		commands int
	}{
		{"200ms-lease1s", 200 * time.Millisecond, map[string]string{"INCIDENTBOT_RECLAIM_AFTER": "1s", "INCIDENTBOT_POST_TIMEOUT": "900ms"}, scale(120, 300)},
		{"2500ms-defaults", 2500 * time.Millisecond, map[string]string{"INCIDENTBOT_RECLAIM_AFTER": "", "INCIDENTBOT_POST_TIMEOUT": ""}, scale(20, 300)},
	} {
		for _, replicas := range []int{2, 3} {
			t.Run(fmt.Sprintf("%s-%d", tc.name, replicas), func(t *testing.T) {
				rs := startRedis(t)
				fake := slowSlack(t, tc.call)
				vars := slackVars(fake, rs.URL())
				for k, v := range tc.vars {
					vars[k] = v
				}
				var addrs []string
				for range replicas {
					addr, _ := inProcess(t, vars)
					addrs = append(addrs, addr)
				}
				r := newResponder()
				declareMany(t, r, addrs[0], 20)
				spread(r, addrs, tc.commands, 20, 8)
				report(t, "slow-"+t.Name(), checkEach(t, rs.URL(), r, fake))
			})
		}
	}
}

// TestFaultsRateLimitStorm: Slack answers 429 (Retry-After: 1) to two of
// every three calls. Nothing is parked, everything is delivered, no call
// reaches a bucket while its Retry-After runs, and no retry reads history:
// a 429 proves nothing went out.
func TestFaultsRateLimitStorm(t *testing.T) {
	rs := startRedis(t)
	fake := chattest.NewSlack(t)
	storm := scale(8, 60)
	fake.SetLimits(chattest.SlackLimits{Methods: []string{"chat.postMessage", "chat.update", "conversations.create"},
		Every: 3, Limited: 2, RetryAfter: time.Second, Until: time.Now().Add(time.Duration(storm) * time.Second)})
	vars := slackVars(fake, rs.URL())
	var addrs []string
	for range 2 {
		addr, _ := inProcess(t, vars)
		addrs = append(addrs, addr)
	}
	r := newResponder()
	declareMany(t, r, addrs[0], 5)
	spread(r, addrs, scale(40, 400), 5, 4)
	// The updates' lanes all wait for the same broadcast bucket, so they call
	// together as it reopens. An incident declared meanwhile is a lane due at
	// once, mid-window: a replica that ignored the bucket would call then.
	for i := range scale(8, 40) {
		time.Sleep(250 * time.Millisecond) // pacing, not a wait for anything
		declareNumber(t, r, addrs[i%len(addrs)], 6+i)
	}
	res := checkEach(t, rs.URL(), r, fake)
	report(t, "rate-limit-storm", res)
	if n := fake.EarlyCalls(); n != 0 {
		t.Errorf("%d calls reached a bucket while its Retry-After ran", n)
	}
	if n := fake.Calls("conversations.history") + fake.Calls("conversations.replies"); n != 0 {
		t.Errorf("%d history reads; a 429 proves the post did not go out", n)
	}
	t.Logf("429s answered: %d calls to chat.postMessage in all", fake.Calls("chat.postMessage"))
}

// TestFaultsGracefulShutdown: the real binary, stopped with SIGTERM while
// its calls are in flight, lets them finish and gives its lanes back:
// nothing fails or is shown twice, no lease is left behind, and the other
// replica carries on at once instead of after INCIDENTBOT_RECLAIM_AFTER.
func TestFaultsGracefulShutdown(t *testing.T) {
	rs := startRedis(t)
	fake := slowSlack(t, 300*time.Millisecond)
	vars := slackVars(fake, rs.URL())
	vars["INCIDENTBOT_RECLAIM_AFTER"] = "60s"
	leaving := startBot(t, vars)
	staying, _ := inProcess(t, vars)
	r := newResponder()
	declareMany(t, r, leaving.addr, 5)
	spread(r, []string{leaving.addr}, 30, 5, 4)
	stopped := time.Now()
	leaving.cmd.Process.Signal(syscall.SIGTERM)
	if err := leaving.cmd.Wait(); err != nil {
		t.Errorf("incidentbot exited with %v after SIGTERM", err)
	}
	leaving.cmd = nil
	// The replica left stays idle until told: a command wakes it.
	if _, err := r.send(staying, "C0GENERAL", "list"); err != nil {
		t.Fatal(err)
	}
	res := checkEach(t, rs.URL(), r, fake)
	report(t, "graceful-shutdown", res)
	if took := time.Since(stopped); took > 30*time.Second {
		t.Errorf("delivery took %s after the SIGTERM; the leaving replica's lanes waited for their leases to expire", took)
	}
	for _, line := range strings.Split(leaving.logs.String(), "\n") {
		if strings.Contains(line, "level=ERROR") || strings.Contains(line, "post failed") {
			t.Errorf("the leaving replica logged: %s", line)
		}
	}
	rdb := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	defer rdb.Close()
	ws := r.workspace()
	if n := rdb.HLen(context.Background(), fmt.Sprintf("ib:{ws:%s:%s}:leases", ws.Platform, ws.ID)).Val(); n != 0 {
		t.Errorf("%d leases left behind", n)
	}
}

// TestIdleReplicaCost: after 500 workspaces each had a post, an idle
// replica's Redis commands a second stay flat, and a post queued by another
// process (which delivers nothing) is picked up at once.
func TestIdleReplicaCost(t *testing.T) {
	rs := startRedis(t)
	fake := chattest.NewSlack(t)
	addr, _ := inProcess(t, slackVars(fake, rs.URL()))
	const workspaces = 500
	var wg sync.WaitGroup
	responders := make([]*responder, workspaces)
	for i := range responders {
		responders[i] = newResponder()
		responders[i].team = fmt.Sprintf("TIDLE%d", i)
	}
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < workspaces; i += 8 { // distinct responders: a workspace each
				// Titles differ: the fake is one Slack, its channel names shared.
				if _, err := responders[i].send(addr, "C0GENERAL", fmt.Sprintf("declare Quiet one %d", i)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	st := redistest.Open(t, rs.URL())
	for _, r := range responders {
		waitDelivered(t, st, r.workspace(), 30*time.Second)
	}
	t.Logf("%d posts to Slack", fake.Calls("chat.postMessage"))

	rdb := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	defer rdb.Close()
	ctx := context.Background()
	rdb.ConfigResetStat(ctx)
	window := 5 * time.Second
	time.Sleep(window) // a measuring window, not a budget
	perSecond := float64(commandsServed(t, rdb)) / window.Seconds()
	t.Logf("idle replica after %d workspaces: %.1f Redis commands a second", workspaces, perSecond)
	if perSecond > 20 {
		t.Errorf("an idle replica sends %.1f Redis commands a second, want at most 20", perSecond)
	}

	// Posts queued by a process that delivers nothing: the replica hears.
	queuer := redistest.Open(t, rs.URL())
	svc := bot.NewService(bot.Options{Store: queuer, Broadcast: map[bot.Platform]string{bot.Slack: "C0BROADCAST"}})
	var waits []time.Duration
	for i := range 50 {
		before := fake.Calls("conversations.create")
		start := time.Now()
		if _, err := svc.Handle(ctx, bot.Request{Workspace: bot.Workspace{Platform: bot.Slack, ID: fmt.Sprintf("TLATE%d", i)},
			Channel: "C0GENERAL", Actor: "U0ALEX", Text: fmt.Sprintf("declare Queued elsewhere %d", i), RequestID: fmt.Sprintf("late-%d", i)}); err != nil {
			t.Fatal(err)
		}
		for fake.Calls("conversations.create") == before {
			time.Sleep(200 * time.Microsecond)
		}
		waits = append(waits, time.Since(start))
	}
	slices.Sort(waits)
	p99 := waits[len(waits)*99/100]
	t.Logf("a post queued by another process starts after %s (p50), %s (p99)", waits[len(waits)/2], p99)
	if p99 > 250*time.Millisecond {
		t.Errorf("p99 %s before a post queued elsewhere starts, want at most 250ms", p99)
	}
}

// commandsServed sums the calls of every command Redis served since its
// statistics were reset, leaving out the INFO that reads them.
func commandsServed(t *testing.T, rdb *redis.Client) int {
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for line := range strings.SplitSeq(info, "\n") {
		if !strings.HasPrefix(line, "cmdstat_") || strings.HasPrefix(line, "cmdstat_info:") || strings.HasPrefix(line, "cmdstat_config|resetstat:") {
			continue
		}
		var calls int
		if i := strings.Index(line, "calls="); i >= 0 {
			fmt.Sscanf(line[i:], "calls=%d", &calls)
		}
		total += calls
	}
	return total
}
