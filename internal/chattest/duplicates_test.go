package chattest_test

import (
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"github.com/incidentbot/incidentbot/internal/chattest"
)

func TestSlackDuplicates(t *testing.T) {
	f, api := newSlackClient(t)
	ctx := t.Context()
	post := func(opts ...slack.MsgOption) string {
		t.Helper()
		_, ts, err := api.PostMessageContext(ctx, "C1", opts...)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	root := post(slack.MsgOptionText("INC-1 declared", false))
	if got := f.Duplicates(); got != nil {
		t.Errorf("Duplicates after one post = %q, want none", got)
	}
	post(slack.MsgOptionText("INC-1 declared", false))
	// Same text under different keys is two posts; the same key twice is one post shown twice.
	post(slack.MsgOptionText("Investigating", false), slack.MsgOptionTS(root), keyed("k1"))
	post(slack.MsgOptionText("Investigating", false), slack.MsgOptionTS(root), keyed("k2"))
	post(slack.MsgOptionText("Investigating", false), slack.MsgOptionTS(root), keyed("k2"))
	// The same text in another thread or channel is not a repeat.
	post(slack.MsgOptionText("Investigating", false))

	want := []string{
		`C1 text "INC-1 declared" x2`,
		"C1/" + root + ` metadata {"event_payload":{"key":"k2"},"event_type":"incidentbot_post"} x2`,
	}
	if diff := cmp.Diff(want, f.Duplicates()); diff != "" {
		t.Errorf("Duplicates (-want +got):\n%s", diff)
	}
}

func TestDiscordDuplicates(t *testing.T) {
	d := chattest.NewDiscord(t)
	s := d.Session(t, chattest.DiscordToken)
	embed := &discordgo.MessageEmbed{Title: "INC-1", Description: "DB down"}
	for range 2 {
		if _, err := s.ChannelMessageSendEmbed(channel, embed); err != nil {
			t.Fatal(err)
		}
	}
	// An enforced nonce answers a repeat with the first message: no duplicate.
	sendWithNonce(t, s, "declared", "inc-1-declared")
	sendWithNonce(t, s, "declared", "inc-1-declared")
	if _, err := s.ChannelMessageSend(channel, "once"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := s.ThreadStart(channel, "INC-1", discordgo.ChannelTypeGuildPublicThread, 1440); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		channel + ` embed "INC-1\nDB down" x2`,
		channel + ` thread "INC-1" x2`,
	}
	if diff := cmp.Diff(want, d.Duplicates()); diff != "" {
		t.Errorf("Duplicates (-want +got):\n%s", diff)
	}
}
