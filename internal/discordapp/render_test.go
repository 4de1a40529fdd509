package discordapp

import (
	"crypto/ed25519"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/fsm"
)

func golden(t *testing.T, name string, v any) {
	t.Helper()
	bottest.Golden(t, name, bottest.JSON(t, v))
}

var card = bot.Card{
	Ref: "INC-12", Number: 12, Title: "Checkout fails for EU customers", Status: fsm.Identified, Impact: bot.ImpactMajor,
	Components: []string{"Payments", "API"}, Roles: map[bot.Role]string{bot.Commander: "100000000000000555"},
	Duration: 69 * time.Minute, Next: fsm.Allowed(fsm.Identified),
}

func entry(msg string) bot.Message {
	e := bot.Entry{Seq: 3, Kind: bot.KindUpdate, Status: fsm.Identified, At: time.Date(2025, 10, 30, 18, 34, 0, 0, time.UTC), Message: msg}
	return bot.Message{Kind: bot.MessageEntry, Card: card, Entry: &e, When: "Oct 30, 2025, 06:34 PM UTC", Moved: true}
}

func TestRenderGolden(t *testing.T) {
	for _, tc := range []struct {
		name      string
		m         bot.Message
		inChannel bool
	}{
		{"entry-thread.json", entry("A bad deploy of the payment service."), true},
		{"entry-broadcast.json", entry("A bad deploy of the payment service."), false},
		{"summary.json", bot.Message{Kind: bot.MessageSummary, Card: card}, false},
		{"notice-assign.json", bot.Message{Kind: bot.MessageNotice, Card: card, Text: card.Heading() + "\n@100000000000000666 is now scribe.", Mention: "100000000000000666", MentionNote: "you have a new role on INC-12."}, true},
		{"notice-reminder.json", bot.Message{Kind: bot.MessageNotice, Card: card, Text: card.Heading() + "\nNo update for 30m; stakeholders are waiting.", Mention: "100000000000000777", MentionNote: "stakeholders are waiting for an update on INC-12.", Snooze: true}, true},
		{"draft.json", bot.Message{Kind: bot.MessageDraft, Card: card, Text: "# Postmortem: INC-12 Checkout fails\n\n## Root Cause\n"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) { golden(t, tc.name, render(tc.m, tc.inChannel)) })
	}
	golden(t, "modal-update.json", modal(bot.UpdateForm(card, fsm.Resolved)))
	golden(t, "modal-declare.json", modal(bot.DeclareForm()))
}

// TestLongPostmortemSplits: a 12,000-character postmortem goes out in
// messages Discord accepts, nothing cut.
func TestLongPostmortemSplits(t *testing.T) {
	body := strings.Repeat("A sentence of the postmortem. ", 400)
	m := render(entry(body), true)
	var total strings.Builder
	for _, e := range m.Embeds {
		if n := len([]rune(e.Description)); n > 4096 {
			t.Errorf("an embed of %d characters", n)
		}
		total.WriteString(e.Description)
	}
	if !strings.HasSuffix(total.String(), body) {
		t.Error("the split lost text")
	}
}

func TestVerifierNeverPanics(t *testing.T) {
	h := http.Header{}
	h.Set("X-Signature-Timestamp", "1700000000")
	h.Set("X-Signature-Ed25519", strings.Repeat("ab", 64))
	v := Verifier{Key: ed25519.PublicKey([]byte("short")), Now: func() time.Time { return time.Unix(1700000000, 0) }}
	if err := v.Verify(h, []byte("{}")); err != ErrBadSignature {
		t.Errorf("a key of the wrong length: %v, want ErrBadSignature", err)
	}
}

// TestMaskedLinksShowAsTyped: a responder's "[text](url)" is not a link
// whose target readers cannot see, in any embed text.
func TestMaskedLinksShowAsTyped(t *testing.T) {
	m := entry("[Reset password](https://evil.example) now")
	m.Card.Title = "[Login](https://evil.example)"
	m.Card.Components = []string{"[API](https://evil.example)"}
	for _, e := range render(m, true).Embeds {
		text := e.Title + e.Description
		for _, f := range e.Fields {
			text += f.Value
		}
		if strings.Contains(strings.ReplaceAll(text, `\[`, ""), "[") || strings.Contains(strings.ReplaceAll(text, `\]`, ""), "]") {
			t.Errorf("unescaped brackets in %q", text)
		}
	}
	if got := render(m, true).Embeds[0].Description; !strings.Contains(got, `\[Reset password\](https://evil.example) now`) {
		t.Errorf("the update reads %q", got)
	}
}

// TestOptionsOfWrongType: a value that is not of its option's type is
// refused by name, never printed into a title.
func TestOptionsOfWrongType(t *testing.T) {
	opt := func(name string, typ discordgo.ApplicationCommandOptionType, v any) *discordgo.ApplicationCommandInteractionDataOption {
		return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: typ, Value: v}
	}
	for _, tc := range []struct {
		name string
		o    *discordgo.ApplicationCommandInteractionDataOption
		want string // "" when refused
	}{
		{"String", opt("title", discordgo.ApplicationCommandOptionString, "DB down"), "DB down"},
		{"Boolean", opt("private", discordgo.ApplicationCommandOptionBoolean, true), "true"},
		{"User", opt("user", discordgo.ApplicationCommandOptionUser, "100000000000000555"), "<@100000000000000555>"},
		{"MapAsTitle", opt("title", discordgo.ApplicationCommandOptionString, map[string]any{"a": "b"}), ""},
		{"NumberAsTitle", opt("title", discordgo.ApplicationCommandOptionString, 12.0), ""},
		{"StringAsBoolean", opt("private", discordgo.ApplicationCommandOptionBoolean, "yes"), ""},
		{"NameAsUser", opt("user", discordgo.ApplicationCommandOptionUser, "alex"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := &discordgo.ApplicationCommandInteractionDataOption{Name: "declare", Options: []*discordgo.ApplicationCommandInteractionDataOption{tc.o}}
			opts, err := options(sub, nil)
			switch {
			case tc.want == "" && (err == nil || !strings.Contains(bot.ErrorMessage(err), "The option "+tc.o.Name+" does not hold")):
				t.Errorf("options = %v, %v; want a refusal naming %s", opts, err, tc.o.Name)
			case tc.want != "" && (err != nil || opts[tc.o.Name] != tc.want):
				t.Errorf("options = %v, %v; want %q", opts, err, tc.want)
			}
		})
	}
}
