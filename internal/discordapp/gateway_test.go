package discordapp_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/incidentbot/incidentbot/internal/chattest"
	"github.com/incidentbot/incidentbot/internal/discordapp"
)

// TestGatewayAndForms drives the door over the gateway, as a bot without a
// public URL runs: a command, a move button, its form, and the declare form.
// One gateway connection for all, since closing one costs a second.
func TestGatewayAndForms(t *testing.T) {
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.app.RunGateway(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("gateway: %v", err)
		}
	})
	wait, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	if err := r.fake.GatewayConnected(wait); err != nil {
		t.Fatal(err)
	}
	answered := func(n int) chattest.Responded {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if got := r.fake.InteractionResponses(); len(got) >= n {
				return got[n-1]
			}
		}
		t.Fatalf("interaction %d was never answered", n)
		return chattest.Responded{}
	}
	send := func(i *discordgo.Interaction) {
		t.Helper()
		if err := r.fake.SendInteraction(wait, i); err != nil {
			t.Fatal(err)
		}
	}

	send(chattest.SlashInteraction("declare", map[string]any{"title": "Queue backlog", "impact": "minor"}, "100000000000000777"))
	if a := answered(1); !strings.HasPrefix(a.Content, "Declared INC-1: Queue backlog") || a.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Fatalf("declare over the gateway answered %+v", a)
	}
	r.settle()
	th := r.thread()

	// The move buttons under the thread's first post open the update form.
	var rows []struct {
		Components []struct {
			CustomID string `json:"custom_id"`
			Label    string `json:"label"`
		} `json:"components"`
	}
	json.Unmarshal(r.fake.Messages(th.ID)[0].Components, &rows)
	if len(rows) != 1 || len(rows[0].Components) != 4 || rows[0].Components[0].CustomID != "move:1:investigating:identified" {
		t.Fatalf("buttons: %+v", rows)
	}
	send(&discordgo.Interaction{Type: discordgo.InteractionMessageComponent, GuildID: chattest.DiscordGuildID, ChannelID: th.ID,
		Member: &discordgo.Member{User: &discordgo.User{ID: "100000000000000777"}},
		Data:   discordgo.MessageComponentInteractionData{CustomID: "move:1:investigating:identified", ComponentType: discordgo.ButtonComponent}})
	form := answered(2)
	if form.Type != discordgo.InteractionResponseModal || !strings.Contains(string(form.Body), `"form:update:1:identified"`) {
		t.Fatalf("the button answered %+v", form)
	}
	send(&discordgo.Interaction{Type: discordgo.InteractionModalSubmit, GuildID: chattest.DiscordGuildID, ChannelID: th.ID,
		Member: &discordgo.Member{User: &discordgo.User{ID: "100000000000000777"}},
		Data: discordgo.ModalSubmitInteractionData{CustomID: "form:update:1:identified", Components: []discordgo.MessageComponent{
			&discordgo.ActionsRow{Components: []discordgo.MessageComponent{&discordgo.TextInput{CustomID: "message", Value: "A stuck consumer."}}},
		}}})
	if a := answered(3); a.Content != "INC-1 is now identified (was investigating)." {
		t.Errorf("the form answered %+v", a)
	}

	// A bare declare opens the declare form.
	send(chattest.SlashInteraction("declare", nil, "100000000000000777"))
	if a := answered(4); a.Type != discordgo.InteractionResponseModal || !strings.Contains(string(a.Body), `"form:declare:0:"`) {
		t.Errorf("a bare declare answered %+v", a)
	}
}

func TestRegisterCommands(t *testing.T) {
	fake := chattest.NewDiscord(t)
	s, err := discordapp.NewSession(chattest.DiscordToken, fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	if err := discordapp.Register(s, chattest.DiscordAppID, chattest.DiscordGuildID); err != nil {
		t.Fatal(err)
	}
	cmds := fake.CommandsFor(chattest.DiscordGuildID)
	if len(cmds) != 1 || cmds[0].Name != "incident" {
		t.Fatalf("registered %+v", cmds)
	}
	subs := map[string][]string{}
	for _, sub := range cmds[0].Options {
		for i, o := range sub.Options {
			subs[sub.Name] = append(subs[sub.Name], o.Name)
			if o.Required && i > 0 && !sub.Options[i-1].Required {
				t.Errorf("%s: required option %s after an optional one; Discord refuses that", sub.Name, o.Name)
			}
		}
	}
	var names []string
	for _, sub := range cmds[0].Options {
		names = append(names, sub.Name)
	}
	want := "declare,investigating,identified,monitoring,resolved,update,postmortem,show,list,impact,components,assign,visibility,audit,snooze,followup,followups,stats,help"
	if got := strings.Join(names, ","); got != want {
		t.Errorf("subcommands %s, want one per command: %s", got, want)
	}
	// Every option is one ParseOptions reads.
	known := map[string]bool{"title": true, "message": true, "body": true, "impact": true, "components": true, "started": true,
		"at": true, "all": true, "role": true, "user": true, "command": true, "incident": true,
		"private": true, "internal": true, "visibility": true, "since": true, "next": true, "for": true,
		"action": true, "text": true, "number": true, "owner": true, "due": true, "mine": true, "overdue": true}
	for sub, opts := range subs {
		for _, o := range opts {
			if !known[o] {
				t.Errorf("%s has option %s, which bot.ParseOptions does not read", sub, o)
			}
		}
	}
	if got := strings.Join(subs["declare"], ","); got != "title,impact,components,message,started,at,private,internal" {
		t.Errorf("declare options %s", got)
	}
	if got := strings.Join(subs["assign"], ","); got != "role,user,incident" {
		t.Errorf("assign options %s", got)
	}
}
