package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/internal/redisstore/redistest"
)

// TestPlatformsHaveWorkersOfTheirOwn: while every Slack call hangs, Discord's
// posts still go out: each platform is delivered by workers of its own.
func TestPlatformsHaveWorkersOfTheirOwn(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := redistest.Open(t, "")
	release := make(chan struct{})
	hanging := &bottest.Poster{Fail: func(bottest.Call) error { <-release; return nil }}
	discord := &bottest.Poster{}
	d := bot.NewDelivery(bot.DeliveryOptions{
		Outbox: st, Posters: map[bot.Platform]bot.Poster{bot.Slack: hanging, bot.Discord: discord},
		Workers: map[bot.Platform]int{bot.Slack: 2, bot.Discord: 1},
	})
	svc := bot.NewService(bot.Options{Store: st, Queued: d.Wake})
	for _, team := range []string{"T1", "T2", "T3"} {
		bottest.MustHandle(t, svc, bot.Workspace{Platform: bot.Slack, ID: team}, "C1", "declare Slack is slow today")
	}
	go d.Run(ctx)
	defer close(release) // before cancel: the hanging calls finish, then Run ends
	bottest.MustHandle(t, svc, bot.Workspace{Platform: bot.Discord, ID: "G1"}, "C1", "declare Discord is fine")
	bottest.Eventually(t, 10*time.Second, "a Discord post going out while Slack's calls hang", func() bool { return len(discord.Calls()) > 0 })
	if n := len(hanging.Calls()); n != 0 {
		t.Errorf("%d Slack calls finished; all of them hang", n)
	}
}

// TestSlowCallKeepsItsLease: a call that outlasts the lease several times
// over keeps its lane, renewed while in flight, so no other replica takes
// the lane and makes the same call again.
func TestSlowCallKeepsItsLease(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := redistest.Open(t, "")
	const lease = time.Second
	inFlight, release := make(chan struct{}), make(chan struct{})
	slow := &bottest.Poster{Fail: func(c bottest.Call) error {
		if c.Op == "open" {
			close(inFlight)
			<-release
		}
		return nil
	}}
	d := bot.NewDelivery(bot.DeliveryOptions{Outbox: st, Posters: map[bot.Platform]bot.Poster{bot.Slack: slow}, Lease: lease})
	svc := bot.NewService(bot.Options{Store: st, Queued: d.Wake})
	ws := bot.Workspace{Platform: bot.Slack, ID: "T1"}
	bottest.MustHandle(t, svc, ws, "C1", "declare Slack is slow today")
	go d.Run(ctx)
	<-inFlight
	// Another replica looks for lanes to take for four leases.
	for end := time.Now().Add(4 * lease); time.Now().Before(end); time.Sleep(lease / 10) {
		l, ok, err := st.Take(ctx, &bot.Taking{Workspace: ws, Owner: "other", Lease: lease})
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			t.Fatalf("another replica took lane %s (job %s) while its call was in flight", l.Lane, l.Job.Op)
		}
	}
	close(release)
	bottest.WaitDelivered(t, st, ws)
}

// TestOpeningsShareOneBucket: opening a channel names no channel, so the
// platform limits it across the workspace: a Retry-After for one
// incident's opening holds every other's, while posts wait per channel.
func TestOpeningsShareOneBucket(t *testing.T) {
	open := func(n int) bot.Job { return bot.Job{Op: bot.OpOpen, Lane: bot.LaneChannel, Incident: n} }
	post := func(n int) bot.Job { return bot.Job{Op: bot.OpPost, Lane: bot.LaneChannel, Incident: n} }
	if a, b := open(1).Bucket(), open(2).Bucket(); a != b {
		t.Errorf("openings of INC-1 and INC-2 wait in buckets %q and %q; want one", a, b)
	}
	if a, b := post(1).Bucket(), post(2).Bucket(); a == b {
		t.Errorf("posts to the channels of INC-1 and INC-2 share bucket %q; want one each", a)
	}
}
