package slackapp

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/internal/chattest"
)

// TestDirectory asks the fake Slack through slack-go: group membership and
// private channels, each asked once a minute however many commands come.
func TestDirectory(t *testing.T) {
	fake := chattest.NewSlack(t)
	fake.SetUserGroup("S0ONCALL", "U0ALEX", "U0SAM")
	fake.AddPrivateChannel("C0SECRET", "hr-matter")
	fake.AddChannel("C0GENERAL", "general")
	now := time.Date(2025, 10, 30, 17, 0, 0, 0, time.UTC)
	d := newDirectory(slack.New(chattest.SlackBotToken, slack.OptionAPIURL(fake.URL)), nil)
	d.log = discard{}
	d.now = func() time.Time { return now }
	ctx := context.Background()
	ws := bot.Workspace{Platform: bot.Slack, ID: chattest.SlackTeamID}

	groups := []string{"U0LEAD", "S0ONCALL", "S0NOSUCH"}
	for range 3 {
		in, err := d.Among(ctx, ws, "U0SAM", groups)
		if err != nil || !slices.Equal(in, []string{"S0ONCALL"}) {
			t.Fatalf("Among for a member: %v, %v", in, err)
		}
	}
	if in, err := d.Among(ctx, ws, "U0OTHER", groups); err != nil || len(in) != 0 {
		t.Errorf("Among for someone else: %v, %v", in, err)
	}
	if n := fake.Calls("usergroups.users.list"); n != 2 {
		t.Errorf("usergroups.users.list called %d times, want 2 (each group once a minute)", n)
	}
	fake.SetUserGroup("S0ONCALL", "U0ALEX", "U0SAM", "U0NEW")
	now = now.Add(time.Minute)
	if in, _ := d.Among(ctx, ws, "U0NEW", groups); len(in) != 1 {
		t.Error("someone added to the group is not a responder a minute later")
	}

	for _, tc := range []struct {
		channel string
		private bool
	}{{"C0SECRET", true}, {"C0GENERAL", false}, {"G0OLDPRIV", true}, {"D0DIRECT", true}} {
		got, err := d.Private(ctx, ws, tc.channel)
		if err != nil || got != tc.private {
			t.Errorf("Private(%s) = %v, %v; want %v", tc.channel, got, err, tc.private)
		}
	}
	d.Private(ctx, ws, "C0SECRET")
	if n := fake.Calls("conversations.info"); n != 3 {
		t.Errorf("conversations.info called %d times, want 3 (G… needs no call, answers are kept)", n)
	}

	fake.FailNext("conversations.info", 1, 500, 0)
	if _, err := d.Private(ctx, ws, "C0NEW"); err == nil {
		t.Error("a Slack that fails says nothing about the channel, yet Private answered")
	}
}

type discard struct{}

func (discard) Debug(string, ...any) {}
func (discard) Info(string, ...any)  {}
func (discard) Warn(string, ...any)  {}
func (discard) Error(string, ...any) {}
