package slackapp

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/fsm"
)

func golden(t *testing.T, name string, v any) {
	t.Helper()
	bottest.Golden(t, name, bottest.JSON(t, v))
}

var card = bot.Card{
	Ref: "INC-12", Number: 12, Title: "Checkout fails <for> EU & UK", Status: fsm.Identified, Impact: bot.ImpactMajor,
	Components: []string{"Payments", "API"}, Roles: map[bot.Role]string{bot.Commander: "U0COMMAND"},
	Duration: 69 * time.Minute, Next: fsm.Allowed(fsm.Identified),
}

func entry(msg string) bot.Message {
	e := bot.Entry{Seq: 3, Kind: bot.KindUpdate, Status: fsm.Identified, At: time.Date(2025, 10, 30, 18, 34, 0, 0, time.UTC), Message: msg}
	return bot.Message{Kind: bot.MessageEntry, Card: card, Entry: &e, When: "Oct 30, 2025, 06:34 PM UTC", Text: card.Heading() + "\n- identified Oct 30, 2025, 06:34 PM UTC\n" + msg, Moved: true}
}

func TestRenderGolden(t *testing.T) {
	for _, tc := range []struct {
		name      string
		m         bot.Message
		inChannel bool
	}{
		{"entry-channel.json", entry("A bad deploy of the payment service."), true},
		{"entry-thread.json", entry("A bad deploy of the payment service."), false},
		{"summary.json", bot.Message{Kind: bot.MessageSummary, Card: card, Text: card.Heading() + "\n" + card.Facts()}, false},
		{"notice-assign.json", bot.Message{Kind: bot.MessageNotice, Card: card, Text: card.Heading() + "\n@U0SCRIBE is now scribe.", Mention: "U0SCRIBE", MentionNote: "you have a new role on INC-12."}, true},
		{"notice-reminder.json", bot.Message{Kind: bot.MessageNotice, Card: card, Text: card.Heading() + "\nNo update for 30m; stakeholders are waiting.", Mention: "U0COMMS", MentionNote: "stakeholders are waiting for an update on INC-12.", Snooze: true}, true},
		{"draft.json", bot.Message{Kind: bot.MessageDraft, Card: card, Text: "# Postmortem: INC-12 Checkout fails\n\n## Root Cause\n<fill in>"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) { golden(t, tc.name, render(tc.m, tc.inChannel)) })
	}
}

// TestUserTextPingsNoOne: mentions typed by a responder reach Slack escaped,
// everywhere a user's words appear; only the bot's own role mentions are real,
// and the commander shown on every post is named, not mentioned.
func TestUserTextPingsNoOne(t *testing.T) {
	m := entry("<!channel> please look, <!here> <@U0ATTACK> <!subteam^S1>")
	m.Card.Title = "<!everyone> down"
	m.Card.Components = []string{"<!channel>"}
	out := string(bottest.JSON(t, render(m, true)))
	for _, ping := range []string{"<!channel>", "<!here>", "<@U0ATTACK>", "<!subteam", "<!everyone>", "<@U0COMMAND>"} {
		if strings.Contains(out, ping) {
			t.Errorf("%q reaches Slack unescaped:\n%s", ping, out)
		}
	}
	if !strings.Contains(out, "&lt;!channel&gt; please look") {
		t.Errorf("the update is not in the post, escaped:\n%s", out)
	}
	if !strings.Contains(out, "*Commander*\\n@U0COMMAND") {
		t.Errorf("the commander is not named:\n%s", out)
	}
}

func TestSectionsSplitLongText(t *testing.T) {
	long := strings.Repeat("line of text\n", 400) + strings.Repeat("<", 1000)
	blocks := sections(long)
	var total strings.Builder
	for _, b := range blocks {
		raw, _ := json.Marshal(b)
		var s struct{ Text struct{ Text string } }
		json.Unmarshal(raw, &s)
		if n := len([]rune(s.Text.Text)); n > sectionLimit {
			t.Errorf("a section of %d characters", n)
		}
		total.WriteString(s.Text.Text)
	}
	if got, want := total.String(), escape(long); got != want {
		t.Errorf("sections lost text: %d characters, want %d", len(got), len(want))
	}
}

func TestChannelName(t *testing.T) {
	for _, tc := range []struct {
		n           int
		title, want string
	}{
		{12, "Checkout fails for EU customers", "inc-12-checkout-fails-for-eu-customers"},
		{3, "  API: 500s / timeouts!!  ", "inc-3-api-500s-timeouts"},
		{4, "Überweisung schlägt fehl", "inc-4-berweisung-schl-gt-fehl"},
		{5, "!!!", "inc-5"},
		{6, strings.Repeat("long title ", 20), "inc-6-long-title-long-title-long-title-long-title-long-title-long-title-long"},
	} {
		got := channelName(tc.n, tc.title)
		if got != tc.want || len(got) > 80 {
			t.Errorf("channelName(%d, %q) = %q, want %q", tc.n, tc.title, got, tc.want)
		}
	}
	if got := suffixed(channelName(6, strings.Repeat("long title ", 20)), 2); len(got) > 80 || !strings.HasSuffix(got, "-2") {
		t.Errorf("suffixed = %q", got)
	}
}
