package chattest_test

import (
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"

	"github.com/incidentbot/incidentbot/internal/chattest"
)

func TestDiscordActiveThreads(t *testing.T) {
	d := chattest.NewDiscord(t)
	s := d.Session(t, chattest.DiscordToken)
	inc, err := s.GuildChannelCreate(chattest.DiscordGuildID, "inc-1-db-down", discordgo.ChannelTypeGuildText)
	if err != nil {
		t.Fatal(err)
	}
	// The same thread started twice, as a retry after a lost answer would.
	var ids []string
	for range 2 {
		th, err := s.ThreadStartComplex(channel, &discordgo.ThreadStart{Name: "INC-1 DB down", Type: discordgo.ChannelTypeGuildPublicThread})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, th.ID)
	}

	active, err := s.GuildThreadsActive(chattest.DiscordGuildID)
	if err != nil {
		t.Fatal(err)
	}
	type seen struct {
		ID, Name, ParentID, GuildID, OwnerID string
		Type                                 discordgo.ChannelType
	}
	var got []seen
	for _, c := range active.Threads {
		got = append(got, seen{c.ID, c.Name, c.ParentID, c.GuildID, c.OwnerID, c.Type})
	}
	want := []seen{
		{ids[0], "INC-1 DB down", channel, chattest.DiscordGuildID, chattest.DiscordAppID, discordgo.ChannelTypeGuildPublicThread},
		{ids[1], "INC-1 DB down", channel, chattest.DiscordGuildID, chattest.DiscordAppID, discordgo.ChannelTypeGuildPublicThread},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("active threads (-want +got):\n%s", diff)
	}
	if active.Members == nil || len(active.Members) != 0 {
		t.Errorf("members = %v, want []", active.Members)
	}
	if got := len(d.Channels()); got != 3 {
		t.Errorf("Channels lists %d, want the channel and both threads", got)
	}

	chs, err := s.GuildChannels(chattest.DiscordGuildID)
	if err != nil || len(chs) != 1 || chs[0].ID != inc.ID {
		t.Errorf("guild channels = %+v, %v; want only %s", chs, err, inc.ID)
	}
	other, err := s.GuildThreadsActive("999")
	if err != nil || len(other.Threads) != 0 {
		t.Errorf("another guild's threads = %+v, %v; want none", other, err)
	}
}
