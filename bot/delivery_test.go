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
