package slackapp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot/bottest"
	"github.com/incidentbot/incidentbot/internal/chattest"
)

func TestDeclareAndIdentifyOverHTTP(t *testing.T) {
	r := newRig(t)
	if got := r.command(general, "declare Checkout fails for EU customers --impact major"); !strings.HasPrefix(got, "Declared INC-1: Checkout fails for EU customers") {
		t.Fatalf("declare answered %q", got)
	}
	r.settle()
	ch := r.incidentChannel()
	if ch.Name != "inc-1-checkout-fails-for-eu-customers" || !strings.Contains(ch.Topic, "INC-1 · Investigating") {
		t.Errorf("incident channel %+v", ch)
	}
	if !slices.Contains(ch.Members, "U0ALEX") {
		t.Errorf("the declarer was not invited: %+v", ch.Members)
	}
	roots := r.fake.Messages(broadcast)
	if len(roots) != 2 || roots[1].ThreadTS != roots[0].TS {
		t.Fatalf("broadcast channel: %+v, want the root and one reply in its thread", roots)
	}

	// Typed in the incident channel, without a reference.
	if got := r.command(ch.ID, "identified A bad deploy of the payment service"); got != "INC-1 is now identified (was investigating)." {
		t.Errorf("identified answered %q", got)
	}
	r.settle()
	inChannel := r.fake.Messages(ch.ID)
	if len(inChannel) != 2 || !strings.Contains(string(inChannel[1].Attachments), "A bad deploy of the payment service") {
		t.Errorf("incident channel holds %d posts: %+v", len(inChannel), inChannel)
	}
	thread := r.fake.Thread(broadcast, roots[0].TS)
	if len(thread) != 2 || !strings.Contains(string(thread[1].Attachments), "A bad deploy") {
		t.Errorf("broadcast thread: %+v", thread)
	}
	root := r.fake.Messages(broadcast)[0]
	if root.Edits != 1 || !strings.Contains(root.Text, "Identified") {
		t.Errorf("root edited %d times, reads %q; want one edit showing Identified", root.Edits, root.Text)
	}
	if got := r.fake.Calls("chat.postMessage"); got != 5 {
		t.Errorf("%d posts, want 5: each once", got)
	}
	if ch := r.incidentChannel(); !strings.Contains(ch.Topic, "Identified") {
		t.Errorf("topic not refreshed: %q", ch.Topic)
	}
}

func TestMentionsTypedByRespondersPingNoOne(t *testing.T) {
	r := newRig(t)
	r.command(general, "declare Logins fail")
	r.command(general, "update <!channel> please look <@U0EVERY>")
	r.settle()
	for _, m := range append(r.fake.Messages(r.incidentChannel().ID), r.fake.Messages(broadcast)...) {
		raw := m.Text + plain(m.Attachments) + m.Raw.Get("text")
		if strings.Contains(raw, "<!channel>") || strings.Contains(raw, "<@U0EVERY>") {
			t.Errorf("a mention reached Slack unescaped: %s", raw)
		}
		if m.Raw.Get("link_names") == "true" || m.Raw.Get("link_names") == "1" {
			t.Errorf("posted with link_names, which turns @channel into a ping: %v", m.Raw)
		}
	}
	if !strings.Contains(plain(r.fake.Messages(r.incidentChannel().ID)[1].Attachments), "&lt;!channel&gt; please look") {
		t.Error("the update did not arrive, escaped")
	}
}

// TestRateLimitedPostsArriveOnce: Slack answers the first two posts 429
// with Retry-After; both arrive after the wait, once each.
func TestRateLimitedPostsArriveOnce(t *testing.T) {
	r := newRig(t)
	r.fake.FailNext("chat.postMessage", 2, http.StatusTooManyRequests, time.Second)
	start := time.Now()
	r.command(general, "declare Slow down")
	r.settle()
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("delivered after %s, before the second Slack asked to wait", waited)
	}
	all := append(r.fake.Messages(r.incidentChannel().ID), r.fake.Messages(broadcast)...)
	if len(all) != 3 {
		t.Errorf("%d messages, want 3 (channel entry, root, reply): %+v", len(all), all)
	}
	if got := r.fake.Calls("chat.postMessage"); got != 5 {
		t.Errorf("%d calls to chat.postMessage, want 5 (two refused, three delivered)", got)
	}
}

func TestChannelNameTakenGetsSuffix(t *testing.T) {
	r := newRig(t)
	r.fake.AddChannel("C0TAKEN", "inc-1-db-down")
	r.command(general, "declare DB down")
	r.settle()
	if ch := r.incidentChannel(); ch.Name != "inc-1-db-down-2" {
		t.Errorf("channel %q, want inc-1-db-down-2", ch.Name)
	}
}

func TestRefusedRequestsChangeNothing(t *testing.T) {
	r := newRig(t)
	body := r.commandBody(general, "declare Forged")
	for _, tc := range []struct {
		name   string
		header func(h http.Header)
		body   string
		want   int
	}{
		{"ForgedSignature", func(h http.Header) { h.Set("X-Slack-Signature", "v0=00") }, body, http.StatusUnauthorized},
		{"StaleTimestamp", func(h http.Header) {
			ts := time.Now().Add(-6 * time.Minute).Unix()
			h.Set("X-Slack-Request-Timestamp", itoa(ts))
			h.Set("X-Slack-Signature", sign(itoa(ts), body))
		}, body, http.StatusUnauthorized},
		{"MissingHeaders", func(h http.Header) { h.Del("X-Slack-Signature"); h.Del("X-Slack-Request-Timestamp") }, body, http.StatusUnauthorized},
		{"OversizedBody", func(h http.Header) {}, body + "&pad=" + strings.Repeat("x", 300<<10), http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/slack/commands", "/slack/interactions"} {
				req, _ := http.NewRequest("POST", r.srv.URL+path, strings.NewReader(tc.body))
				ts := itoa(time.Now().Unix())
				req.Header.Set("X-Slack-Request-Timestamp", ts)
				req.Header.Set("X-Slack-Signature", sign(ts, tc.body))
				tc.header(req.Header)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != tc.want {
					t.Errorf("%s: HTTP %d, want %d", path, resp.StatusCode, tc.want)
				}
			}
		})
	}
	incs, err := r.store.List(context.Background(), workspace, true)
	if err != nil || len(incs) != 0 {
		t.Errorf("refused requests left incidents: %+v, %v", incs, err)
	}
	if n := r.fake.Calls("conversations.create"); n != 0 {
		t.Errorf("refused requests opened %d channels", n)
	}
}

func TestSocketMode(t *testing.T) {
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.app.RunSocketMode(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	wait, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	ack, err := r.fake.SendSlashCommand(wait, slashCommand(general, "declare Over the socket --impact minor"))
	if err != nil {
		t.Fatal(err)
	}
	var answer ephemeralAnswer
	json.Unmarshal(ack, &answer)
	if answer.ResponseType != "ephemeral" || !strings.HasPrefix(answer.Text, "Declared INC-1: Over the socket") {
		t.Errorf("acknowledged with %s", ack)
	}
	r.settle()
	if ch := r.incidentChannel(); ch.Name != "inc-1-over-the-socket" {
		t.Errorf("channel %+v", ch)
	}
	ack, err = r.fake.SendSlashCommand(wait, slashCommand(general, "fly away"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ack), "There is no /incident fly") {
		t.Errorf("a bad command acknowledged with %s", ack)
	}
}

// TestShowOfTenThousandUpdates: on Slack, /incident show of a 10,000-update
// incident answers with the first update, the count left out and the
// newest, and then sends the asker the whole report as a file in a direct
// message.
func TestShowOfTenThousandUpdates(t *testing.T) {
	clock := bottest.NewClock(time.Date(2025, 10, 30, 17, 0, 0, 0, time.UTC))
	r := newRigOf(t, rigSettings{clock: clock})
	bottest.LongIncident(t, r.svc, clock, workspace, general, 10000)
	answer := r.command(general, "show INC-1")
	bottest.Golden(t, "show-ten-thousand.golden", []byte(answer))
	if !strings.HasSuffix(answer, "Step 9999 of a long night") || !strings.Contains(answer, "(9926 earlier updates are left out here;") {
		t.Errorf("the answer hides the newest update or miscounts those left out:\n%s", answer)
	}
	var files []chattest.SlackFile
	bottest.Eventually(t, 30*time.Second, "the whole report sent to the asker", func() bool {
		files = r.fake.Files("DU0ALEX")
		return len(files) > 0
	})
	if len(files) != 1 {
		t.Fatalf("files sent to the asker: %d, want the whole report", len(files))
	}
	f := files[0]
	if f.Name != "INC-1-report.txt" || strings.Count(f.Content, " of a long night") != 10000 || !strings.Contains(f.Comment, "INC-1") {
		t.Errorf("whole report %q (%q) holds %d of 10000 updates", f.Name, f.Comment, strings.Count(f.Content, " of a long night"))
	}
}
