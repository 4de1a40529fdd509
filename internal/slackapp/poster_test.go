package slackapp_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/slack-go/slack"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/fsm"
	"github.com/incidentbot/incidentbot/internal/chattest"
	"github.com/incidentbot/incidentbot/internal/slackapp"
)

// posterCard is the incident the poster tests post about.
var posterCard = bot.Card{Ref: "INC-1", Number: 1, Title: "Checkout fails", Status: fsm.Investigating, Impact: bot.ImpactMajor}

// newPoster returns the Slack poster, talking to a fake Slack.
func newPoster(t *testing.T) (*chattest.Slack, *slackapp.Poster) {
	t.Helper()
	fake := chattest.NewSlack(t)
	api := slack.New(chattest.SlackBotToken, slack.OptionAPIURL(fake.URL))
	return fake, slackapp.New(slackapp.Options{API: api, Broadcast: broadcast}).Poster()
}

// TestPosterRetryFindsReplyDeepInThread: a retried reply whose earlier
// attempt went out is found even when the thread holds more replies than one
// page of conversations.replies, so stakeholders do not see it twice.
func TestPosterRetryFindsReplyDeepInThread(t *testing.T) {
	fake, p := newPoster(t)
	ctx := context.Background()
	msg := func(n int) bot.Message {
		return bot.Message{Kind: bot.MessageNotice, Card: posterCard, Text: fmt.Sprintf("%s\nupdate %d", posterCard.Heading(), n)}
	}
	post := func(thread string, n int, retry bool) string {
		t.Helper()
		ts, err := p.Post(ctx, bot.Post{Workspace: workspace, Channel: broadcast, Thread: thread, Message: msg(n), Key: fmt.Sprintf("k%d", n), Retry: retry})
		if err != nil {
			t.Fatalf("post %d: %v", n, err)
		}
		return ts
	}
	root := post("", 0, false)
	const replies = 1100 // past the first page of a thousand
	var last string
	for n := 1; n <= replies; n++ {
		last = post(root, n, false)
	}
	if got := post(root, replies, true); got != last {
		t.Errorf("the retry answered ts %q; want the earlier attempt's %q", got, last)
	}
	if got := len(fake.Messages(broadcast)); got != replies+1 {
		t.Errorf("the channel holds %d messages; want %d", got, replies+1)
	}
	if dups := fake.Duplicates(); dups != nil {
		t.Errorf("readers see duplicates: %q", dups)
	}
}

// TestPosterRetryWaitsWhenItCannotLook: when Slack cannot be asked whether an
// earlier attempt went out, the retry fails, to be tried again, rather than
// post what may already be there.
func TestPosterRetryWaitsWhenItCannotLook(t *testing.T) {
	fake, p := newPoster(t)
	ctx := context.Background()
	post := bot.Post{Workspace: workspace, Channel: broadcast, Message: bot.Message{Kind: bot.MessageNotice, Card: posterCard, Text: posterCard.Heading() + "\nnews"}, Key: "k1"}
	root, err := p.Post(ctx, post)
	if err != nil {
		t.Fatal(err)
	}
	post.Thread, post.Key = root, "k2"
	if _, err := p.Post(ctx, post); err != nil {
		t.Fatal(err)
	}

	fake.SetChaos(chattest.Chaos{Rate: 1, Kinds: []chattest.Fault{chattest.Fault500}, Only: []string{"conversations.replies"}})
	post.Retry = true
	if _, err := p.Post(ctx, post); err == nil {
		t.Error("the retry succeeded although Slack could not be asked whether the earlier attempt went out")
	}
	if got := len(fake.Messages(broadcast)); got != 2 {
		t.Errorf("the channel holds %d messages; want the root and its one reply", got)
	}
}

// TestPosterReopenWaitsWhenItCannotLook: a retried channel opening whose
// earlier attempt made the channel neither opens a second one while Slack
// cannot list channels, nor gives up on the one there: it takes it once it
// can look.
func TestPosterReopenWaitsWhenItCannotLook(t *testing.T) {
	fake, p := newPoster(t)
	ctx := context.Background()
	o := bot.Opening{Workspace: workspace, Card: posterCard, Origin: general}
	first, err := p.OpenChannel(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	o.Retry = true
	fake.SetChaos(chattest.Chaos{Rate: 1, Kinds: []chattest.Fault{chattest.Fault500}, Only: []string{"conversations.list"}})
	if _, err := p.OpenChannel(ctx, o); err == nil {
		t.Error("the retry succeeded although Slack could not list the channels")
	}
	fake.SetChaos(chattest.Chaos{})
	again, err := p.OpenChannel(ctx, o)
	if err != nil || again != first {
		t.Errorf("the retry opened %q, %v; want the channel %q the earlier attempt opened", again, err, first)
	}
	if got := len(fake.Channels()); got != 1 {
		t.Errorf("%d channels; want the one", got)
	}
}

// TestPosterPrivateIncident: a private incident's channel is created private
// with the declarer in it; someone given a role is invited, once; a retried
// opening finds the private channel its earlier attempt made.
func TestPosterPrivateIncident(t *testing.T) {
	fake, p := newPoster(t)
	ctx := context.Background()
	card := posterCard
	card.Private = true
	o := bot.Opening{Workspace: workspace, Card: card, Origin: general, Invite: "U0DANA"}
	id, err := p.OpenChannel(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := p.Invite(ctx, bot.Invitation{Workspace: workspace, Channel: id, User: "U0SAM"}); err != nil {
			t.Fatalf("invite: %v", err)
		}
	}
	chs := fake.Channels()
	if len(chs) != 1 || !chs[0].Private || fmt.Sprint(chs[0].Members) != "[U0DANA U0SAM]" {
		t.Errorf("channels %+v; want one private channel with the declarer and the assignee", chs)
	}
	o.Retry = true
	if again, err := p.OpenChannel(ctx, o); err != nil || again != id {
		t.Errorf("a retried opening gave %q, %v; want %q", again, err, id)
	}
}
