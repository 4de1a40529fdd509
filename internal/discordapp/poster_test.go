package discordapp_test

import (
	"context"
	"testing"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/fsm"
	"github.com/incidentbot/incidentbot/internal/chattest"
	"github.com/incidentbot/incidentbot/internal/discordapp"
)

// TestPosterReopenWaitsWhenItCannotLook: a retried thread opening whose
// earlier attempt made the thread opens no second one while Discord cannot
// list the active threads, and takes the one there once it can.
func TestPosterReopenWaitsWhenItCannotLook(t *testing.T) {
	fake := chattest.NewDiscord(t)
	s, err := discordapp.NewSession(chattest.DiscordToken, fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	p := discordapp.New(discordapp.Options{Session: s, Broadcast: broadcast}).Poster()
	ctx := context.Background()
	o := bot.Opening{Workspace: workspace, Card: bot.Card{Ref: "INC-1", Number: 1, Title: "Checkout fails", Status: fsm.Investigating}, Origin: "300000000000000001"}
	first, err := p.OpenChannel(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	o.Retry = true
	fake.SetChaos(chattest.Chaos{Rate: 1, Kinds: []chattest.Fault{chattest.Fault500}, Only: []string{"GET /guilds/{id}/threads/active"}})
	if _, err := p.OpenChannel(ctx, o); err == nil {
		t.Error("the retry succeeded although Discord could not list the active threads")
	}
	fake.SetChaos(chattest.Chaos{})
	again, err := p.OpenChannel(ctx, o)
	if err != nil || again != first {
		t.Errorf("the retry opened %q, %v; want the thread %q the earlier attempt opened", again, err, first)
	}
	if got := len(fake.Channels()); got != 1 {
		t.Errorf("%d threads; want the one", got)
	}
}
