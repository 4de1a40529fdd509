package slackapp_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentbot/incidentbot/internal/chattest"
	"github.com/incidentbot/incidentbot/internal/slackapp"
)

// TestClientTrimsAnswersToPosts: the bot's client hands slack-go Slack's
// answer to a post without the message it echoes, and everything else as
// it came: the ts of a post, an error, other methods' answers.
func TestClientTrimsAnswersToPosts(t *testing.T) {
	fake := chattest.NewSlack(t)
	client := slackapp.HTTPClient(5 * time.Second)
	call := func(method string, form url.Values) map[string]json.RawMessage {
		t.Helper()
		form.Set("token", chattest.SlackBotToken)
		resp, err := client.PostForm(fake.URL+method, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil {
			t.Fatalf("%s answered %s", method, raw)
		}
		return fields
	}
	posted := call("chat.postMessage", url.Values{"channel": {"C0GENERAL"}, "text": {"hello"}})
	if _, ok := posted["message"]; ok || string(posted["ok"]) != "true" || len(posted["ts"]) < 3 {
		t.Errorf("answer to a post: %s; want ok and its ts, without the message", posted)
	}
	if refused := call("chat.postMessage", url.Values{"channel": {"nowhere"}, "text": {"hello"}}); string(refused["error"]) != `"channel_not_found"` {
		t.Errorf("a refused post answered %s; want its error", refused)
	}
	if created := call("conversations.create", url.Values{"name": {"inc-1-trimmed"}}); created["channel"] == nil {
		t.Errorf("conversations.create answered %s; want it as it came", created)
	}

	api := slack.New(chattest.SlackBotToken, slack.OptionAPIURL(fake.URL), slack.OptionHTTPClient(client))
	if _, ts, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("through slack-go", false)); err != nil || !strings.Contains(ts, ".") {
		t.Errorf("slack-go reads ts %q, err %v, from a trimmed answer", ts, err)
	}
}

// BenchmarkTrimAnswer cuts the message out of Slack's answer to the bot's
// own update in an incident channel, as the fake answers it: blocks,
// attachments and metadata echoed.
func BenchmarkTrimAnswer(b *testing.B) {
	r := newRig(b)
	r.command(general, "declare Checkout fails for EU customers --impact major --components Payments")
	r.command(general, "update INC-1 The payment service is rolled back; errors are falling")
	r.settle()
	msgs := r.fake.Messages(r.incidentChannel().ID)
	form := msgs[len(msgs)-1].Raw
	form.Set("token", chattest.SlackBotToken)
	resp, err := http.PostForm(r.fake.URL+"chat.postMessage", form)
	if err != nil {
		b.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(answer), `"blocks"`) {
		b.Fatalf("the answer echoes no blocks: %s", answer)
	}
	b.SetBytes(int64(len(answer)))
	b.ReportAllocs()
	for b.Loop() {
		if slackapp.WithoutMessage(answer) == nil {
			b.Fatal("nothing cut")
		}
	}
}
