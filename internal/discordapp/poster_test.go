package discordapp_test

import (
	"context"
	"testing"

	"github.com/bwmarrin/discordgo"

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

// TestPosterPrivateIncident: a private incident's thread is private, and
// its own channel (when so configured) is hidden from everyone but the
// declarer and the bot; someone given a role is let in.
func TestPosterPrivateIncident(t *testing.T) {
	const declarer, assignee = "100000000000000011", "100000000000000022"
	card := bot.Card{Ref: "INC-1", Number: 1, Title: "Leaked keys", Status: fsm.Investigating, Private: true}
	ctx := context.Background()
	for _, channels := range []bool{false, true} {
		fake := chattest.NewDiscord(t)
		s, err := discordapp.NewSession(chattest.DiscordToken, fake.URL())
		if err != nil {
			t.Fatal(err)
		}
		p := discordapp.New(discordapp.Options{Session: s, Broadcast: broadcast, Channels: channels}).Poster()
		id, err := p.OpenChannel(ctx, bot.Opening{Workspace: workspace, Card: card, Origin: "300000000000000001", Invite: declarer})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Invite(ctx, bot.Invitation{Workspace: workspace, Channel: id, User: assignee}); err != nil {
			t.Fatal(err)
		}
		c := fake.Channels()[0]
		switch {
		case !channels && (c.Type != discordgo.ChannelTypeGuildPrivateThread || len(c.Members) != 2 || c.Members[1] != assignee):
			t.Errorf("thread: %+v; want a private thread with the declarer and the assignee", c)
		case channels:
			everyone := c.Overwrites[workspace.ID]
			if everyone == nil || everyone.Deny&discordgo.PermissionViewChannel == 0 {
				t.Errorf("channel overwrites %v: everyone can see it", c.Overwrites)
			}
			for _, who := range []string{declarer, assignee, chattest.DiscordAppID} {
				if o := c.Overwrites[who]; o == nil || o.Allow&discordgo.PermissionViewChannel == 0 {
					t.Errorf("channel overwrites: %s cannot see it", who)
				}
			}
		}
	}
}
